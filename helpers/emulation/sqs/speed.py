"""Stand-in 1, cheap clock and cheap attributes: the same answers as moto, far faster.

moto's SQS builds a datetime per message for every time check and answers
``GetQueueAttributes`` (which it also calls on every send and receive) by counting the whole
queue. These patches read the environment's simulated clock directly, count only when a
count was asked for, and delete in one pass that stops at the message. A 2,000-message
backlog drains about 100x faster than on plain moto (``make bench``).

moto also keeps every SQS message it ever created, deleted or not, in its model tracker
(``Message.instances_tracked``, read only by ``/moto-api/data.json``): a session that pushes
100,000 orders holds 100,000 dead messages, and every garbage collection walks them, so each
experiment runs slower than the one before. Messages are not tracked while an environment is
open; a deleted message is freed as on any queue.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> "cheap clock" in env.stand_ins.names()
True
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from moto.sqs import models as sqs_models
from moto.sqs.exceptions import InvalidAttributeName

from .common import COUNTS, VALID_NAMES, queue_attributes

__all__ = ["clock_patches", "attribute_patches", "untracked_messages"]

_Queue = sqs_models.Queue
_Backend = sqs_models.SQSBackend
_Message = sqs_models.Message


def clock_patches(clock: Any) -> list[Any]:
    """moto's time functions and time-dependent properties on the simulated clock."""
    orig_unix_time = sqs_models.unix_time

    def unix_time(dt: Any = None) -> float:
        return clock.time() if dt is None else orig_unix_time(dt)

    def unix_time_millis(dt: Any = None) -> float:
        return (clock.time() if dt is None else orig_unix_time(dt)) * 1000.0

    def visible(message: Any) -> bool:
        return clock.time() * 1000.0 > message.visible_at

    def delayed(message: Any) -> bool:
        return clock.time() * 1000.0 < message.delayed_until

    def messages(queue: Any) -> list[Any]:
        now = clock.time() * 1000.0
        return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]

    def within_retention(backend: Any, queue_name: str, message: Any) -> bool:
        queue = backend.get_queue(queue_name)
        return queue.message_retention_period + message.sent_timestamp / 1000 > clock.time()

    return [
        mock.patch.object(sqs_models, "unix_time", unix_time),
        mock.patch.object(sqs_models, "unix_time_millis", unix_time_millis),
        mock.patch.object(_Message, "visible", property(visible)),
        mock.patch.object(_Message, "delayed", property(delayed)),
        mock.patch.object(_Queue, "messages", property(messages)),
        mock.patch.object(_Backend, "is_message_valid_based_on_retention_period", within_retention),
    ]


def attribute_patches() -> list[Any]:
    """Queue attributes without the O(queue) counts unless asked (works on any clock)."""

    def attributes(queue: Any) -> dict[str, Any]:
        # moto reads this on every send and receive: skip the O(queue) counts there.
        return queue_attributes(queue, counts=False)

    def get_queue_attributes(backend: Any, queue_name: str, names: list[str]) -> dict:
        queue = backend.get_queue(queue_name)
        names = list(names or [])
        if not names:
            return {}
        invalid_name = next((n for n in names if n not in VALID_NAMES), None)
        if invalid_name is not None:
            raise InvalidAttributeName(invalid_name)
        full = queue_attributes(queue, counts="All" in names or bool(COUNTS.intersection(names)))
        if "All" in names:
            return full
        return {n: full[n] for n in names if full.get(n) is not None}

    return [
        mock.patch.object(_Queue, "attributes", property(attributes)),
        mock.patch.object(_Backend, "get_queue_attributes", get_queue_attributes),
    ]


def untracked_messages() -> list[Any]:
    """SQS messages left out of moto's model tracker, so a deleted message is freed."""

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    return [mock.patch.object(_Message, "__new__", new)]
