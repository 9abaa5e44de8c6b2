"""Lab 2 experiments 4-5: an SNS -> Lambda handler, and ordered status updates with FIFO."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source

from ..sns.lambdas import create_function
from ..sns.outbox import outbox
from ..sns.publisher import publish_events
from ..sns.subscriptions import subscribe_lambda
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.idempotency import make_batch_handler
from .common import STATUSES, fresh_queue_subscription, fresh_topic, payment_events, status_events

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["make_alert_handler", "LambdaResult", "experiment_lambda", "OrderingResult",
           "experiment_ordering", "out_of_order"]


def make_alert_handler(alerts: list[dict[str, Any]], log: io.StringIO | None = None):
    """A Powertools Lambda handler: each failed-payment event becomes a security alert record.

    ``alerts`` is where the records go (a DynamoDB table in production); ``log`` receives
    Powertools' structured JSON log lines.
    """
    logger = Logger(service="security-alerts", stream=log or io.StringIO())

    @event_source(data_class=SNSEvent)
    def handler(event: SNSEvent, context: Any) -> dict[str, int]:
        for record in event.records:
            payment = json.loads(record.sns.message)
            alert = {"alert_id": f"alert-{payment['order_id']}", "order_id": payment["order_id"],
                     "customer_id": payment["customer_id"], "amount": payment["amount"],
                     "region": payment["region"], "sns_message_id": record.sns.message_id}
            alerts.append(alert)
            logger.info("security alert written", extra={"alert_id": alert["alert_id"]})
        return {"alerts": len(event.records)}

    return handler


@dataclass(repr=False)
class LambdaResult:
    """Experiment 4: failed payments turned into alert records by a Lambda subscriber."""

    published: int
    invocations: int
    alerts: pd.DataFrame
    event_keys: list[str]

    def __repr__(self) -> str:
        return (f"{self.published} payments published; the filter let {self.invocations} through: "
                f"{self.invocations} invocations (one record each) wrote {len(self.alerts)} alerts "
                f"(Lambda run in-process: emulated on moto)\n"
                f"SNS record keys: {', '.join(self.event_keys)}")


def experiment_lambda(env: Environment, payments: int = 100) -> LambdaResult:
    """100 payments to a topic with a Lambda subscriber filtered to failed payments."""
    topic = fresh_topic(env, "payment-events")
    alerts: list[dict[str, Any]] = []
    events_seen: list[dict[str, Any]] = []
    log = io.StringIO()
    inner = make_alert_handler(alerts, log)

    def handler(event: dict[str, Any], context: Any) -> Any:
        events_seen.append(event)
        return inner(event, context)

    arn = create_function(env, "security-alert-writer", handler)
    subscribe_lambda(env, topic, arn, filter_policy={"status": ["failed"]})
    mark = len(outbox(env, "lambda"))
    publish_events(env, topic, payment_events(env, payments))
    invocations = len(outbox(env, "lambda")) - mark
    keys = sorted(events_seen[0]["Records"][0]["Sns"]) if events_seen else []
    table = pd.DataFrame(alerts, columns=["alert_id", "order_id", "customer_id", "amount", "region"])
    return LambdaResult(payments, invocations, table, keys)


def out_of_order(received: list[dict[str, Any]]) -> int:
    """Status updates that arrived after a later status of the same order (or twice)."""
    last: dict[str, int] = {}
    bad = 0
    for event in received:
        rank = STATUSES.index(event["status"])
        if rank <= last.get(event["order_id"], -1):
            bad += 1
        last[event["order_id"]] = max(rank, last.get(event["order_id"], -1))
    return bad


@dataclass(repr=False)
class OrderingResult:
    """Experiment 5: status updates per order through FIFO and standard paths."""

    published: int
    republished: int
    received: dict[str, int]
    out_of_order: dict[str, int]
    sequences: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def __repr__(self) -> str:
        lines = [f"{self.published} status updates published to each topic (created, paid, "
                 f"shipped for {self.published // 3} orders), then {self.republished} of them "
                 "re-published (same event ids)"]
        for path, n in self.received.items():
            lines.append(f"  {path:<34} received {n:>2}, out of order or repeated: "
                         f"{self.out_of_order[path]}")
        return "\n".join(lines)


def experiment_ordering(env: Environment, orders: int = 4, *, seed: int = 3) -> OrderingResult:
    """FIFO topic -> FIFO queue and -> standard queue; standard topic -> standard queue.

    The standard queue's best-effort order and duplicates are emulated on moto
    (:class:`~helpers.sqs.Scenario`); the FIFO topic deduplicates a re-publish before fan-out.
    """
    events = status_events(orders)
    fifo_topic = fresh_topic(env, "order-updates", fifo=True)
    std_topic = fresh_topic(env, "order-updates-std")
    paths = {"FIFO topic -> FIFO queue": fresh_queue_subscription(env, fifo_topic, "fulfilment",
                                                                  raw=True),
             "FIFO topic -> standard queue": fresh_queue_subscription(env, fifo_topic, "analytics",
                                                                      raw=True, fifo=False),
             "standard topic -> standard queue": fresh_queue_subscription(env, std_topic,
                                                                          "fulfilment-std", raw=True)}
    publish_events(env, fifo_topic, events)
    publish_events(env, std_topic, events)
    again = events[:3]
    publish_events(env, fifo_topic, again)
    publish_events(env, std_topic, again)
    received: dict[str, list[dict[str, Any]]] = {}
    scenarios = {"FIFO topic -> FIFO queue": None,
                 "FIFO topic -> standard queue": Scenario(seed=seed, reorder_rate=0.3),
                 "standard topic -> standard queue": Scenario(seed=seed, reorder_rate=0.3)}
    for path, sub in paths.items():
        got: list[dict[str, Any]] = []
        handler = make_batch_handler(lambda record, got=got: got.append(json.loads(record["body"])))
        run_consumers(env, sub.queue_url, handler, workers=2, batch_size=3,
                      scenario=scenarios[path], function_name=sub.label)
        received[path] = got
    sequences = {path: _sequences(got) for path, got in received.items()}
    return OrderingResult(len(events), len(again), {p: len(g) for p, g in received.items()},
                          {p: out_of_order(g) for p, g in received.items()}, sequences)


def _sequences(received: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for event in received:
        out[event["order_id"]].append(event["status"])
    return dict(out)
