"""FIFO stand-ins: the deduplication interval (cleared by PurgeQueue) and group order.

- Deduplication: AWS remembers a deduplication id for 5 minutes, even after the message was
  received and deleted; moto only compares with messages still in the queue. ``PurgeQueue``
  clears the memory (a resend after a purge is accepted, as on plain moto and AWS).
- Group order (LocalStack's AWS-validated ``test_fifo_receive_message_group_id_ordering``,
  ``test_fifo_message_group_visibility_after_terminate_visibility_timeout``,
  ``test_fifo_receive_message_with_zero_visibility_timeout``): one receive returns a group's
  visible messages together and in order before the next group; a group unlocks as soon as
  one of its messages is visible again, even while another is in flight; a group that was
  just received from goes to the back of the line.

Example
-------
>>> from types import SimpleNamespace as M
>>> msgs = [M(group_id="g1", visible_at=0, delayed_until=0, approximate_receive_count=0, n=1),
...         M(group_id="g2", visible_at=0, delayed_until=0, approximate_receive_count=0, n=2),
...         M(group_id="g1", visible_at=0, delayed_until=0, approximate_receive_count=0, n=3)]
>>> [m.n for m in fifo_candidates(M(_messages=msgs), now_ms=1.0)]
[1, 3, 2]
"""

from __future__ import annotations

from typing import Any

from ...platform import limits
from .common import EMULATED

__all__ = ["fifo_candidates", "enqueue_group", "rotate_groups", "Deduplication"]


def fifo_candidates(queue: Any, now_ms: float) -> list[Any]:
    """The messages a FIFO receive may return, in the order AWS returns them.

    A group is open when none of its messages is in flight, or when one it delivered before
    is visible again. An open group offers its visible messages in send order, up to its
    first message still in flight; groups come in the order of ``queue._sc_groups``: a group joins
    it with its first message and goes to its back when received from.
    """
    groups: dict[Any, list[Any]] = {}
    locked: set[Any] = set()
    returned: set[Any] = set()
    for message in queue._messages:
        group = message.group_id
        if now_ms < message.delayed_until:
            continue
        if now_ms > message.visible_at:
            if group not in locked:
                groups.setdefault(group, []).append(message)
                if message.approximate_receive_count:
                    returned.add(group)
        elif message.approximate_receive_count:  # in flight: later ones of its group wait
            locked.add(group)
    position = {g: i for i, g in enumerate(getattr(queue, "_sc_groups", {}))}
    ranked = sorted(groups, key=lambda g: position.get(g, len(position)))
    result: list[Any] = []
    for group in ranked:
        members = groups[group]
        if group in locked and group not in returned and not members[0].approximate_receive_count:
            continue  # in flight, and nothing of it came back yet
        result.extend(members)
    return result


def enqueue_group(queue: Any, message: Any) -> None:
    """A group joins the end of the queue's group order when its first message arrives."""
    order = getattr(queue, "_sc_groups", None)
    if order is None:
        order = queue._sc_groups = {}
    order.setdefault(message.group_id, None)


def rotate_groups(queue: Any, received: list[Any]) -> None:
    """Move the groups just received from to the back of the queue's group order."""
    order = getattr(queue, "_sc_groups", None)
    if order is None:
        order = queue._sc_groups = {}
    for message in received:
        order.pop(message.group_id, None)
        order[message.group_id] = None


class Deduplication:
    """The 5-minute deduplication memory of every FIFO queue of one environment."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.seen: dict[tuple, float] = {}

    def is_duplicate(self, queue: Any, message: Any) -> bool:
        """True (and a ``deduplicate`` log row) when the id was seen within the interval."""
        if not queue.fifo_queue or not message.deduplication_id:
            return False
        scope = message.group_id if getattr(queue, "deduplication_scope", "") == "messageGroup" else None
        key = (queue.queue_arn, scope, message.deduplication_id)
        now = self.env.clock.time()
        seen = self.seen.get(key)
        if seen is not None and now - seen < limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS:
            self.env.log.record(
                service="sqs", action="deduplicate", resource=queue.name,
                message_id=message.id, group=message.group_id, outcome=EMULATED,
                detail=f"deduplication id seen {now - seen:.0f} s ago (< 300 s): accepted, not delivered",
            )
            return True
        if len(self.seen) > 50_000:  # forget ids older than the interval
            horizon = now - limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS
            self.seen = {k: t for k, t in self.seen.items() if t >= horizon}
        self.seen[key] = now
        return False

    def forget_queue(self, queue_arn: str) -> None:
        """PurgeQueue: the queue's deduplication memory goes with its messages."""
        self.seen = {k: t for k, t in self.seen.items() if k[0] != queue_arn}
