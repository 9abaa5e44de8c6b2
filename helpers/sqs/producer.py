"""The order producer: validated batch sends with bounded retries of failed entries.

:func:`send_orders` checks every order before it sends any (JSON body, size, FIFO group and
deduplication ids), then sends batches of up to ten entries (and at most 1 MiB of bodies per
batch). ``SendMessageBatch`` can succeed for some entries and fail for others: the entries
listed under ``Failed`` are re-sent with exponential backoff on the environment's clock, a
bounded number of times. Every send is logged to ``env.log`` by the environment's recorder
with the producer as actor and the order's ``seq``.

Group ids on standard queues: the order's ``group_by`` value is sent as ``MessageGroupId`` on
standard queues too (SQS fair queues accept it since 2025; it labels the tenant and orders
nothing). It puts the customer in the ``group`` column of ``env.log`` for every experiment.
Pass ``group_by=None`` to leave it out on a standard queue.

Example
-------
>>> import helpers
>>> from helpers.sqs import create_queue, send_orders
>>> env = helpers.connect(quiet=True)
>>> q = create_queue(env, "orders.fifo", fifo=True)
>>> orders = [{"order_id": f"ord-{i}", "customer_id": "cus-1", "seq": i} for i in (1, 2, 3)]
>>> send_orders(env, q, orders).sent
3
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..platform import limits
from ..platform.errors import (
    InvalidParameterError,
    MessageTooLargeError,
    MissingDeduplicationIdError,
    MissingGroupIdError,
    SendFailedError,
)
from .queues import OrderQueue
from .validation import check_body, check_message_id

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["SendReport", "send_orders", "send_order", "MAX_SEND_ATTEMPTS", "BACKOFF_SECONDS"]

#: Attempts per entry (the first send plus retries) before :class:`SendFailedError`.
MAX_SEND_ATTEMPTS = 4
#: First backoff between attempts, in seconds; doubled on each retry.
BACKOFF_SECONDS = 0.1


@dataclass
class SendReport:
    """What :func:`send_orders` did.

    Attributes
    ----------
    sent
        Orders SQS accepted.
    retried
        Entry re-sends after a batch listed them under ``Failed``.
    message_ids
        ``order_id -> MessageId``.
    duplicates_suppressed
        FIFO sends SQS accepted but did not enqueue because the deduplication id was seen in
        the last 5 minutes; counted on the local backends (where the emulation logs each
        one as ``deduplicate``); ``None`` on AWS, which accepts them silently.
    batches
        ``SendMessageBatch`` calls, retries included.

    Example
    -------
    >>> str(SendReport(sent=3, retried=0, message_ids={}, duplicates_suppressed=0))
    'sent 3 orders in 0 batches (0 retried, 0 duplicates suppressed)'
    """

    sent: int
    retried: int
    message_ids: dict[str, str]
    duplicates_suppressed: int | None = None
    batches: int = 0
    failed_attempts: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        dup = "unknown" if self.duplicates_suppressed is None else self.duplicates_suppressed
        return (f"sent {self.sent} orders in {self.batches} batches "
                f"({self.retried} retried, {dup} duplicates suppressed)")


def _key(order: dict[str, Any], index: int) -> str:
    value = order.get("order_id")
    return str(value) if value is not None else f"#{index}"


def _id_value(order: dict[str, Any], key: str, what: str, index: int) -> str | None:
    value = order.get(key)
    if value is None or value == "":
        return None
    return check_message_id(value, what, f"order {_key(order, index)!r} (from {key!r})")


def _entries(queue: OrderQueue, orders: list[dict[str, Any]], group_by: str | None,
             dedup_by: str | None) -> list[dict[str, Any]]:
    """Validate every order and build its SendMessageBatch entry (no Id yet)."""
    out: list[dict[str, Any]] = []
    for index, order in enumerate(orders):
        if not isinstance(order, dict):
            raise InvalidParameterError(
                f"Order #{index} is a {type(order).__name__}, not a dict. Pass a list of order "
                "dicts such as OrderGenerator(seed=42).orders(10)."
            )
        try:
            body = json.dumps(order)
        except (TypeError, ValueError) as err:
            raise InvalidParameterError(
                f"Order {_key(order, index)!r} cannot be written as JSON ({err}); an SQS body "
                "is text. Fix: convert dates and decimals to strings or floats first."
            ) from None
        check_body(body, f"order {_key(order, index)!r}")
        size = len(body.encode("utf-8"))
        if size > limits.SQS_MAX_MESSAGE_BYTES:
            raise MessageTooLargeError(
                f"Order {_key(order, index)!r} is {size:,} bytes as JSON; an SQS message body is "
                f"at most {limits.SQS_MAX_MESSAGE_BYTES:,} bytes (1 MiB). Fix: store the "
                "large part in S3 and send a reference (the claim-check pattern), or trim it."
            )
        entry: dict[str, Any] = {"MessageBody": body}
        group = _id_value(order, group_by, "MessageGroupId", index) if group_by else None
        if queue.fifo:
            if group is None:
                raise MissingGroupIdError(
                    f"Order {_key(order, index)!r} has no {group_by!r} value, and every message "
                    f"sent to the FIFO queue {queue.name!r} needs a MessageGroupId (SQS keeps "
                    "order per group). Fix: give the order a "
                    f"{group_by or 'customer_id'!r} or pass group_by='<a field every order has>'."
                )
            dedup = _id_value(order, dedup_by, "MessageDeduplicationId", index) if dedup_by else None
            if dedup is None and not queue.content_based_dedup:
                raise MissingDeduplicationIdError(
                    f"Order {_key(order, index)!r} has no {dedup_by!r} value for a "
                    f"MessageDeduplicationId, and the FIFO queue {queue.name!r} has no "
                    "content-based deduplication: SQS rejects such a send. Fix: pass "
                    "dedup_by='order_id', or create the queue with content_based_dedup=True."
                )
            if dedup is not None:
                entry["MessageDeduplicationId"] = dedup
        if group is not None:
            entry["MessageGroupId"] = group
        entry["_size"] = size
        out.append(entry)
    return out


def _order_list(orders: Any) -> list[dict[str, Any]]:
    if orders is None or isinstance(orders, str | bytes | dict) or not isinstance(orders, Iterable):
        hint = (" (one order dict: wrap it in a list, or use send_order)"
                if isinstance(orders, dict) else "")
        raise InvalidParameterError(
            f"orders={orders!r:.80}: send_orders takes a list of order dicts{hint}. Fix: "
            "orders = OrderGenerator(seed=42).orders(10); send_orders(env, q, orders).")
    return list(orders)


def _batches(entries: list[dict[str, Any]], batch_size: int) -> Iterable[list[int]]:
    """Indexes of entries, in order, grouped by count and total payload."""
    batch: list[int] = []
    payload = 0
    for index, entry in enumerate(entries):
        if batch and (len(batch) >= batch_size
                      or payload + entry["_size"] > limits.SQS_MAX_BATCH_PAYLOAD_BYTES):
            yield batch
            batch, payload = [], 0
        batch.append(index)
        payload += entry["_size"]
    if batch:
        yield batch


def send_orders(
    env: Environment,
    queue: OrderQueue,
    orders: Iterable[dict[str, Any]],
    *,
    group_by: str | None = "customer_id",
    dedup_by: str | None = "order_id",
    batch_size: int = limits.SQS_MAX_BATCH_ENTRIES,
    actor: str = "producer",
    max_attempts: int = MAX_SEND_ATTEMPTS,
) -> SendReport:
    """Send orders as JSON messages, in order, in batches; re-send entries a batch failed.

    Parameters
    ----------
    env
        The course environment.
    queue
        The :class:`OrderQueue` from :func:`create_queue`.
    orders
        Order dicts; each body is ``json.dumps(order)`` (its ``seq`` reaches ``env.log``).
    group_by
        Field whose value becomes the ``MessageGroupId`` (required on FIFO queues).
    dedup_by
        FIFO only: field whose value becomes the ``MessageDeduplicationId``. SQS drops a
        second message with the same id within 5 minutes, even after the first was deleted.
    batch_size
        Entries per ``SendMessageBatch`` call (1-10).
    actor
        The ``actor`` of the send rows in ``env.log``.
    max_attempts
        Attempts per entry before :class:`SendFailedError` (backoff 0.1 s, 0.2 s, ...).

    Returns
    -------
    SendReport

    Raises
    ------
    MissingGroupIdError, MissingDeduplicationIdError, MessageTooLargeError
        Before anything is sent.
    SendFailedError
        Entries still failing after ``max_attempts`` (the others were sent).

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, send_orders
    >>> env = helpers.connect(quiet=True)
    >>> q = create_queue(env, "orders")
    >>> report = send_orders(env, q, [{"order_id": "ord-1", "customer_id": "c", "seq": 1}])
    >>> report.sent, list(report.message_ids)
    (1, ['ord-1'])
    >>> _ = env.teardown()
    """
    if not isinstance(queue, OrderQueue):
        raise InvalidParameterError(
            f"send_orders needs the OrderQueue that create_queue returned, got {queue!r}. "
            "Fix: q = create_queue(env, 'orders'); send_orders(env, q, orders)."
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not (
            1 <= batch_size <= limits.SQS_MAX_BATCH_ENTRIES):
        raise InvalidParameterError(
            f"batch_size={batch_size!r}: SendMessageBatch takes 1 to "
            f"{limits.SQS_MAX_BATCH_ENTRIES} entries. Fix: batch_size=10."
        )
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise InvalidParameterError(f"max_attempts={max_attempts!r} must be an int >= 1.")
    orders = _order_list(orders)
    for what, key in (("group_by", group_by), ("dedup_by", dedup_by)):
        if key is not None and not isinstance(key, str):
            raise InvalidParameterError(
                f"{what}={key!r}: {what} names the order field whose value becomes the "
                f"message's id, a string such as 'customer_id' (or None). Fix: {what}='customer_id'.")
    entries = _entries(queue, orders, group_by, dedup_by)
    sqs = env.client("sqs")
    report = SendReport(sent=0, retried=0, message_ids={},
                        duplicates_suppressed=0 if env.emulated else None)
    mark = env.log.mark()
    with env.acting(actor):
        for indexes in _batches(entries, batch_size):
            pending = list(indexes)
            attempt = 0
            while pending:
                attempt += 1
                batch = [{"Id": f"m{i}", **{k: v for k, v in entries[i].items() if k != "_size"}}
                         for i in pending]
                response = sqs.send_message_batch(QueueUrl=queue.url, Entries=batch)
                report.batches += 1
                for ok in response.get("Successful", []):
                    i = int(ok["Id"][1:])
                    report.sent += 1
                    report.message_ids[_key(orders[i], i)] = ok["MessageId"]
                failed = response.get("Failed", [])
                if not failed:
                    break
                fatal = [f for f in failed if f.get("SenderFault")]
                if fatal or attempt >= max_attempts:
                    bad = fatal or failed
                    names = ", ".join(
                        f"{_key(orders[int(f['Id'][1:])], int(f['Id'][1:]))} "
                        f"({f.get('Code')}: {f.get('Message', '')})" for f in bad[:5])
                    why = ("SQS says the request was wrong (SenderFault), so a retry cannot help"
                           if fatal else f"they still failed after {attempt} attempts")
                    raise SendFailedError(
                        f"{len(bad)} of the entries in a batch to {queue.name!r} were not sent: "
                        f"{why}. {report.sent} orders were sent before. Failed: {names}. Fix: "
                        "read the error code above; for throttling retry later with fewer workers."
                    )
                pending = [int(f["Id"][1:]) for f in failed]
                report.retried += len(pending)
                report.failed_attempts.extend(f.get("Code", "") for f in failed)
                env.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
    if env.emulated:
        report.duplicates_suppressed = env.log.counts(since=mark).get("deduplicate", 0)
    return report


def send_order(env: Environment, queue: OrderQueue, order: dict[str, Any], **options: Any) -> str:
    """Send one order (see :func:`send_orders` for the options); return its ``MessageId``.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, send_order
    >>> env = helpers.connect(quiet=True)
    >>> q = create_queue(env, "orders")
    >>> len(send_order(env, q, {"order_id": "ord-1", "customer_id": "c", "seq": 1})) > 0
    True
    >>> _ = env.teardown()
    """
    report = send_orders(env, queue, [order], **options)
    return next(iter(report.message_ids.values()))
