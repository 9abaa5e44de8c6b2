"""Ordering myths, shown: what keeps order, and what quietly breaks it.

1. **A FIFO queue with a DLQ**: a message that fails ``maxReceiveCount`` times is parked in
   the DLQ, and the group moves on: the later messages are processed, and a redrive brings
   the parked one back *after* them (SQS Developer Guide, dead-letter queues: a DLQ on a FIFO
   queue can break the exact order).
2. **A replay is not the original order**: replayed events arrive interleaved with the live
   ones (and EventBridge does not promise their order within the replay either); the
   ``time`` field is the original one.
3. **Lambda's asynchronous invocation does not keep order**: a retried event runs minutes
   after the events invoked after it (see :mod:`helpers.patterns.invocation`).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> run = fifo_with_dlq(env)
>>> run.processed
['created', 'shipped', 'delivered', 'paid']
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..events import create_archive, create_bus, create_rule, replay
from ..sqs import create_queue, redrive
from .invocation import drain

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["FifoRun", "fifo_with_dlq", "ReplayRun", "replay_interleaved", "STATUSES"]

#: One order's status changes, in the order they happened.
STATUSES = ("created", "paid", "shipped", "delivered")


@dataclass
class FifoRun:
    """One order's status messages on a FIFO queue whose ``paid`` message fails at first."""

    sent: list[str]
    processed: list[str]
    final_status: str

    def __repr__(self) -> str:
        return (f"sent      : {' -> '.join(self.sent)}\nprocessed : {' -> '.join(self.processed)}\n"
                f"the customer's order now says: {self.final_status!r}")


def fifo_with_dlq(env: Environment, *, name: str = "order-status") -> FifoRun:
    """Four statuses of one order (one message group); ``paid`` fails until a fix is deployed.

    While ``paid`` fails, the group waits (FIFO: nothing after it is handed out); after
    ``maxReceiveCount`` (2) receives SQS parks it in the DLQ and the group moves on. After the
    fix, a redrive brings ``paid`` back, and it is processed last.
    """
    queue = create_queue(env, name, fifo=True, max_receive_count=2, visibility_timeout=30)
    sqs = env.client("sqs")
    for n, status in enumerate(STATUSES):
        sqs.send_message(QueueUrl=queue.url, MessageBody=json.dumps({"order_id": "ord-9001", "status": status}),
                         MessageGroupId="ord-9001", MessageDeduplicationId=f"ord-9001-{n}")
    processed: list[str] = []
    fixed = False
    for _round in range(12):
        # One message per receive: a batch would hand the rest of the group over too, and
        # their receive counts would climb with the failing one's.
        for message in sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=1).get("Messages", []):
            status = json.loads(message["Body"])["status"]
            if status == "paid" and not fixed:
                env.sleep(queue.visibility_timeout + 1)  # a bug in the handler: not deleted
                continue
            processed.append(status)
            sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
        if len(processed) == len(STATUSES) - 1 and not fixed:
            fixed = True  # the fix is deployed; bring the parked message back
            redrive(env, queue)
        if len(processed) == len(STATUSES):
            break
    return FifoRun(list(STATUSES), processed, processed[-1])


@dataclass
class ReplayRun:
    """What the consumer of an order-status rule saw while a replay ran next to live traffic."""

    arrivals: list[dict[str, Any]]

    def frame(self) -> Any:
        """Arrival order, with each event's original ``time`` and whether it was replayed."""
        import pandas as pd
        return pd.DataFrame(self.arrivals)


def replay_interleaved(env: Environment, *, name: str = "status-replay") -> ReplayRun:
    """Three orders' statuses, archived; a replay of them starts while new orders keep arriving.

    The consumer's arrival order mixes the replayed (older) events with the live ones.
    """
    bus = create_bus(env, name)
    queue = create_queue(env, name, dlq=False)
    rule = create_rule(env, name, {"source": ["securecart.orders"]}, bus=bus.name)
    env.client("events").put_targets(Rule=rule.name, EventBusName=bus.name,
                                     Targets=[{"Id": "consumer", "Arn": queue.arn}])
    archive = create_archive(env, bus, name)
    events = env.client("events")
    start = env.clock.now() - dt.timedelta(seconds=1)

    def put(order: str, status: str) -> None:
        events.put_events(Entries=[{"EventBusName": bus.name, "Source": "securecart.orders",
                                    "DetailType": "OrderStatusChanged",
                                    "Detail": json.dumps({"order_id": order, "status": status})}])
        env.sleep(60)

    for order in ("ord-1", "ord-2"):
        for status in ("created", "paid"):
            put(order, status)
    end = env.clock.now()
    drain(env, queue.url)  # the consumer handled those already
    put("ord-3", "created")
    replay(env, archive, bus, start, end, name)
    put("ord-3", "paid")
    arrivals = [{"arrival": n + 1, "order_id": e["detail"]["order_id"], "status": e["detail"]["status"],
                 "time": e["time"], "replayed": "replay-name" in e}
                for n, e in enumerate(drain(env, queue.url))]
    return ReplayRun(arrivals)
