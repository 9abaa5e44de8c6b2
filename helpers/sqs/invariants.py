"""The delivery invariant printed after every Lab 1 experiment.

Every order sent must end up charged once or parked in the DLQ: none lost, none charged
twice. (SQS itself promises at-least-once delivery, and FIFO's "exactly-once processing" only
within its 5-minute deduplication interval: a visibility-timeout expiry still redelivers. The
consumer's idempotency is what makes "charged once" hold.) :func:`check_delivery` counts each sent order into exactly one bucket, so
the buckets always add up to the number sent.

Example
-------
>>> from helpers.sqs.invariants import check_delivery
>>> print(check_delivery(None, ["a", "b", "c"], processed_order_ids=["a", "b"], dlq_order_ids=["c"]))
✔ 3 sent = 2 charged once + 1 in the DLQ; 0 lost; 0 charged twice
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .validation import id_list

__all__ = ["DeliveryCheck", "check_delivery"]


@dataclass(frozen=True)
class DeliveryCheck:
    """Where every sent order ended up; each order is counted in exactly one bucket.

    Attributes
    ----------
    sent
        Distinct orders sent.
    processed_once
        Processed exactly once and not in the DLQ.
    processed_twice_or_more
        Processed more than once and not in the DLQ (the duplicates idempotency prevents).
    in_dlq
        In the DLQ and never processed.
    processed_and_in_dlq
        Processed (at least once) *and* in the DLQ: a success the consumer never deleted.
    lost
        Neither processed nor in the DLQ.
    unexpected
        Processed or in the DLQ but never sent (ids in neither list of sent orders).
    ok
        No order lost, none processed twice, none both processed and dead-lettered, nothing
        unexpected.
    lost_ids, twice_ids
        The order ids behind ``lost`` and ``processed_twice_or_more`` (sorted).

    Example
    -------
    >>> DeliveryCheck(sent=1, processed_once=1).ok
    True
    """

    sent: int
    processed_once: int = 0
    processed_twice_or_more: int = 0
    in_dlq: int = 0
    processed_and_in_dlq: int = 0
    lost: int = 0
    unexpected: int = 0
    lost_ids: tuple[str, ...] = field(default=(), repr=False)
    twice_ids: tuple[str, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        """True when every order was charged once or parked in the DLQ."""
        return not (self.lost or self.processed_twice_or_more or self.processed_and_in_dlq
                    or self.unexpected)

    def __str__(self) -> str:
        mark = "✔" if self.ok else "✘"
        parts = [f"{self.processed_once} charged once"]
        if self.processed_twice_or_more:
            parts.append(f"{self.processed_twice_or_more} charged twice or more")
        parts.append(f"{self.in_dlq} in the DLQ")
        if self.processed_and_in_dlq:
            parts.append(f"{self.processed_and_in_dlq} charged and in the DLQ")
        if self.lost:
            parts.append(f"{self.lost} lost")
        text = (f"{mark} {self.sent} sent = {' + '.join(parts)}; {self.lost} lost; "
                f"{self.processed_twice_or_more} charged twice")
        if self.unexpected:
            text += f"; {self.unexpected} never sent"
        return text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython display
        printer.text(str(self))


def check_delivery(env: Any, sent_order_ids: Iterable[str], *,
                   processed_order_ids: Iterable[str],
                   dlq_order_ids: Iterable[str] = ()) -> DeliveryCheck:
    """Check that every sent order was charged once or is in the DLQ.

    Parameters
    ----------
    env
        The course environment (unused today; kept so every Lab 1 helper reads the same).
    sent_order_ids
        Orders sent (repeats count once).
    processed_order_ids
        Orders processed, one entry per processing, repeats included (e.g.
        ``ConsumerReport.processed_ids`` or the ids your own ``process`` function saw).
    dlq_order_ids
        Orders in the DLQ (e.g. ``inspect_dlq(env, q)["order_id"]``).

    Returns
    -------
    DeliveryCheck
        ``print()`` it for the one-line verdict.

    Example
    -------
    >>> check = check_delivery(None, ["a", "b"], processed_order_ids=["a", "a"])
    >>> check.ok, check.lost, check.processed_twice_or_more
    (False, 1, 1)
    """
    sent = set(id_list(sent_order_ids, "sent_order_ids",
                       "pass the ids you sent, e.g. [o['order_id'] for o in orders]."))
    counts = Counter(id_list(processed_order_ids, "processed_order_ids",
                             "pass the ids your handler processed, e.g. report.processed_ids "
                             "(an empty list when nothing was processed)."))
    if dlq_order_ids is None or isinstance(dlq_order_ids, str | bytes | dict):
        id_list(dlq_order_ids, "dlq_order_ids", "pass inspect_dlq(env, q)['order_id'], or [].")
    dlq = {str(o) for o in dlq_order_ids  # None / NaN: a DLQ message with no order id
           if o is not None and not (isinstance(o, float) and o != o)}
    once = twice = in_dlq = both = lost = 0
    lost_ids, twice_ids = [], []
    for order in sent:
        n = counts.get(order, 0)
        if order in dlq:
            if n:
                both += 1
            else:
                in_dlq += 1
        elif n == 1:
            once += 1
        elif n > 1:
            twice += 1
            twice_ids.append(order)
        else:
            lost += 1
            lost_ids.append(order)
    unexpected = len((set(counts) | dlq) - sent)
    return DeliveryCheck(sent=len(sent), processed_once=once, processed_twice_or_more=twice,
                         in_dlq=in_dlq, processed_and_in_dlq=both, lost=lost,
                         unexpected=unexpected, lost_ids=tuple(sorted(lost_ids)),
                         twice_ids=tuple(sorted(twice_ids)))
