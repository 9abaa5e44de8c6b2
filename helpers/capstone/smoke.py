"""The smoke day: tens of real orders through the student's resources, priced first, torn down after.

On ``aws`` this is the one part of the capstone that costs money (cents): :func:`smoke_day`
prints the estimate before it sends anything and tears the run down afterwards, even when a
step fails. On ``moto`` and ``server`` the same path runs against moto (the handlers run in this
kernel through the Lambda stand-ins, bound to :class:`LiveServices`, which publish with boto3
to each function's ``EVENTS_ARN``), which is how its plumbing is tested.

Example
-------
>>> import helpers
>>> from helpers.capstone.designs import sns_fanout
>>> env = helpers.connect(quiet=True)
>>> sns_fanout(env)
>>> smoke_day(env, orders=5).ledger["shipped"]  # doctest: +ELLIPSIS
Smoke day on moto: 5 orders through ...
5
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..platform.errors import NotReadyError
from .chaos import CHAOS
from .discovery import Design, discover
from .engine import Day
from .pricing import (
    EVENTBRIDGE_CUSTOM_EVENTS_PER_MILLION,
    LAMBDA_GB_SECOND,
    LAMBDA_REQUESTS_PER_MILLION,
    SFN_STANDARD_PER_THOUSAND_TRANSITIONS,
    SNS_PUBLISH_PER_MILLION,
    SQS_FIFO_PER_MILLION,
    SQS_STANDARD_PER_MILLION,
)
from .runtime import bound
from .traffic import day

__all__ = ["SmokeResult", "LiveServices", "estimate", "smoke_day", "SMOKE_WAIT_SECONDS"]

#: How long the smoke day lets the pipeline run after the last order (shortened timers).
SMOKE_WAIT_SECONDS = 300


def estimate(design: Design, orders: int) -> float:
    """USD a smoke day of ``orders`` costs at list prices (requests made, no free tier)."""
    rec = Day(design, day(orders=orders, seconds=600.0, spike=None), chaos=CHAOS["calm"],
              seconds=600.0).run()
    r = rec.requests
    sqs = sum(n for (svc, item), n in r.items() if svc.startswith("sqs") and item != "messages received")
    return (sqs * max(SQS_STANDARD_PER_MILLION, SQS_FIFO_PER_MILLION) / 1e6
            + r["sns", "Publish"] * SNS_PUBLISH_PER_MILLION / 1e6
            + r["events", "PutEvents"] * EVENTBRIDGE_CUSTOM_EVENTS_PER_MILLION / 1e6
            + r["lambda", "Invoke"] * LAMBDA_REQUESTS_PER_MILLION / 1e6
            + r["lambda", "GB-seconds"] * LAMBDA_GB_SECOND
            + r["states-standard", "transitions"] * SFN_STANDARD_PER_THOUSAND_TRANSITIONS / 1e3)


@dataclass
class SmokeResult:
    """What the smoke day saw."""

    orders: int
    estimate_usd: float
    ledger: Counter = field(default_factory=Counter)
    torn_down: bool = False

    def __repr__(self) -> str:
        seen = ", ".join(f"{k} {n}" for k, n in sorted(self.ledger.items())) or "nothing recorded"
        return (f"Smoke day: {self.orders} orders (estimated ${self.estimate_usd:.4f}); {seen}; "
                f"torn down: {self.torn_down}")


class LiveServices:
    """The runtime on a real backend: ``publish`` makes the boto3 call to ``EVENTS_ARN``; the
    business effects are counted in a ledger."""

    def __init__(self, env: Any, design: Design, function: str, ledger: Counter) -> None:
        self.env, self.design, self.function, self.ledger = env, design, function, ledger
        self.seen: set[str] = set()

    def publish(self, event_type: str, detail: dict, *, group: str | None, dedup: str | None) -> None:
        fn = self.design.functions[self.function]
        arn = fn.destination
        if not arn:
            return
        body = json.dumps({**detail, "type": event_type})
        service = arn.split(":")[2]
        if service == "sqs":
            queue = next(q for q in self.design.queues.values() if q.arn == arn)
            extra = {"MessageGroupId": group, "MessageDeduplicationId": dedup or detail["order_id"]} \
                if queue.fifo else {}
            self.env.client("sqs").send_message(QueueUrl=queue.url, MessageBody=body, **extra)
        elif service == "sns":
            self.env.client("sns").publish(TopicArn=arn, Message=body, MessageAttributes={
                "type": {"DataType": "String", "StringValue": event_type}})
        elif service == "events":
            self.env.client("events").put_events(Entries=[{"EventBusName": arn, "Source": f"securecart.{self.function}",
                                                           "DetailType": event_type, "Detail": body}])
        self.ledger[f"published {event_type}"] += 1

    def charge(self, order: dict) -> str:
        if not isinstance(order.get("amount"), int | float):
            raise ValueError("amount is not a number")
        self.ledger["charged"] += 1
        return "paid"

    def refund(self, order: dict) -> None:
        self.ledger["refunded"] += 1

    def reserve(self, order: dict) -> dict:
        self.ledger["reserved"] += 1
        return {"reserved": True, "low": False, "stock": 100}

    def ship(self, order: dict) -> None:
        self.ledger["shipped"] += 1

    def notify(self, detail: dict) -> None:
        self.ledger["notified"] += 1

    def record(self, detail: dict) -> None:
        self.ledger[f"recorded by {self.function}"] += 1

    def start_restock(self, detail: dict) -> None:
        self.ledger["restocks"] += 1

    @contextlib.contextmanager
    def once(self, key: str) -> Any:
        first = key not in self.seen
        self.seen.add(key)
        yield first


def _bind(handler: Any, services: LiveServices) -> Any:
    def run(event: Any, context: Any) -> Any:
        with bound(services):
            return handler(event, context)
    return run


def smoke_day(env: Any, orders: int = 20, *, wait: float = SMOKE_WAIT_SECONDS) -> SmokeResult:
    """Send ``orders`` real orders through the design on ``env``: the cost first, teardown after."""
    design = discover(env)
    if "checkout" not in design.functions:
        raise NotReadyError("smoke_day sends orders to your `checkout` function, and this run has "
                            "none. Fix: deploy it first (step 1), then run the smoke day.")
    result = SmokeResult(orders, estimate(design, orders))
    print(f"Smoke day on {env.backend}: {orders} orders through {design.summary()}; "
          f"estimated cost ${result.estimate_usd:.4f} at list prices, then everything is torn down.")
    lam = env.client("lambda")
    originals = dict(env.emulation["lambda"].handlers) if env.local else {}
    try:
        if env.local:
            for name, fn in design.functions.items():
                services = LiveServices(env, design, name, result.ledger)
                env.emulation["lambda"].register(env.name(name), _bind(fn.handler, services))
        checkout = design.functions["checkout"].arn
        for order in day(seed=env.seed, orders=orders, seconds=60.0 * orders, spike=None)[:orders]:
            lam.invoke(FunctionName=checkout, Payload=json.dumps(order).encode())
        env.sleep(wait)
    finally:
        if env.local:
            env.emulation["lambda"].handlers.clear()
            env.emulation["lambda"].handlers.update(originals)
        env.teardown()
        result.torn_down = True
    return result
