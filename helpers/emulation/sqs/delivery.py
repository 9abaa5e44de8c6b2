"""At-least-once delivery and best-effort order for standard queues (seeded).

moto delivers a standard queue strictly in send order, exactly once. These stand-ins draw
from the environment's seeded stream ``DeliveryModel.STREAM``: a received message gets a
second copy that surfaces when its visibility timeout would end (whether or not the original
was deleted: exactly the case idempotency must handle), and neighbouring messages swap places
before a receive. A copy is a separate delivery: its ``ApproximateReceiveCount`` starts at
zero, so a copy of a processed order never lands in the DLQ because of the original's
receives. Nothing happens inside ``env.delivery.suspended()`` (the course's own inspection
calls).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> "at-least-once delivery and best-effort order" in env.stand_ins.names()
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import copy
from typing import Any

from moto.sqs.utils import generate_receipt_handle

from .common import EMULATED, DeliveryModel

__all__ = ["Delivery"]


class Delivery:
    """Duplicates and reordering for one environment."""

    def __init__(self, env: Any) -> None:
        self.env = env

    def reorder(self, queue: Any, count: int, rate: float) -> None:
        """Swap neighbours at the front of the queue with probability ``rate`` each."""
        rng = self.env.random(DeliveryModel.STREAM)
        messages = queue._messages
        window = min(len(messages) - 1, 2 * max(count, 1))
        for i in range(window):
            if rng.random() < rate:
                messages[i], messages[i + 1] = messages[i + 1], messages[i]

    def duplicate(self, queue: Any, result: list[Any], visibility: int, rate: float) -> None:
        """Give each received message a second copy with probability ``rate``."""
        rng = self.env.random(DeliveryModel.STREAM)
        by_handle = {m.receipt_handle: m for m in queue._messages}
        for received in result:
            if rng.random() >= rate:
                continue
            original = by_handle.get(received.receipt_handle)
            if original is None or getattr(original, "_sc_twin", False):
                continue  # a copy is not copied again
            twin = copy.deepcopy(original)
            twin.receipt_handle = generate_receipt_handle()
            twin._old_receipt_handles = []
            twin._sc_twin = True
            # A separate delivery: its own receive count (the DLQ counts its receives only).
            twin.approximate_receive_count = 0
            twin.approximate_first_receive_timestamp = None
            twin.visible_at = self.env.clock.time() * 1000.0 + (int(visibility) + rng.uniform(0, 5)) * 1000
            queue._messages.append(twin)
            self.env.log.record(
                service="sqs", action="duplicate", resource=queue.name, message_id=original.id,
                group=original.group_id, attempt=original.approximate_receive_count,
                outcome=EMULATED, detail="at-least-once: a second copy will be delivered",
            )
