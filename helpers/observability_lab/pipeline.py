"""Notebook 07's SecureCart pipeline: checkout -> orders queue -> payment -> event bus ->
inventory queue -> inventory -> notification, every hop logged, traced and measured.

Every handler is Lambda-shaped with Powertools (``BatchProcessor`` +
``process_partial_response`` for the SQS batches, ``Logger`` with the order's correlation id);
the consumers are :func:`helpers.sqs.run_consumers`. A seeded day of orders runs through it:
a few cards are declined (payment fails them; they end in the *orders* DLQ, never charged) and
one product's stock record is corrupt, so the inventory step fails every order that contains
it *after* payment charged the customer: the incident the notebook solves.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> pipe = build_pipeline(env)
>>> day = run_day(env, pipe, orders=12, minutes=2, drain_minutes=4)
>>> day.accepted, len(day.charged) >= len(day.shipped)
(12, True)
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from ..data import OrderGenerator, load_catalogue
from ..observability.logs import LogSink, log_group_name, service_logger, ship
from ..observability.metrics import put_metric
from ..observability.traces import TraceWriter
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.plumbing import allow_service_sends, subscribe_queue
from ..sqs.queues import OrderQueue, create_queue

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Pipeline", "DayRun", "build_pipeline", "run_day", "SERVICES", "BUSINESS_NAMESPACE",
           "last_day"]

#: The functions of the pipeline, each with its Powertools Logger and log group.
SERVICES = ("checkout", "payment", "inventory", "notification")
#: Where the pipeline's own business metrics go (``PutMetricData``).
BUSINESS_NAMESPACE = "SecureCart/Orders"
VISIBILITY_SECONDS = 20
#: Receives before the DLQ: at least 5 for a queue behind Lambda (Lambda developer guide,
#: "Using Lambda with Amazon SQS").
MAX_RECEIVE_COUNT = 5
_DECLINED_TOKEN = "tok_declined"
_DAYS: weakref.WeakKeyDictionary[Any, DayRun] = weakref.WeakKeyDictionary()


class PaymentDeclinedError(Exception):
    """The card issuer declined the charge (the payment handler fails the record)."""


class StockRecordError(Exception):
    """A product's stock record cannot be read (the inventory handler fails the record)."""


@dataclass
class Pipeline:
    """The resources and functions of one SecureCart pipeline."""

    env: Environment
    orders: OrderQueue
    inventory: OrderQueue
    bus: str
    oncall_topic: str
    oncall_inbox: str
    notifications_topic: str
    loggers: dict[str, tuple[Logger, LogSink]]
    tracer: TraceWriter
    stock: dict[str, dict[str, Any]]
    charged: Counter[str] = field(default_factory=Counter)
    shipped: set[str] = field(default_factory=set)

    @property
    def queues(self) -> dict[str, str]:
        """``label -> queue name`` of the four queues an operator watches."""
        return {"orders": self.orders.name, "orders-dlq": self.orders.dlq_name or "",
                "inventory": self.inventory.name, "inventory-dlq": self.inventory.dlq_name or ""}

    @property
    def log_groups(self) -> list[str]:
        """The log group of every function, in pipeline order."""
        return [log_group_name(self.env, s) for s in SERVICES]

    def __repr__(self) -> str:
        hops = "checkout -> orders queue -> payment -> event bus -> inventory queue -> inventory -> notification"
        return (f"SecureCart pipeline: {hops}\n  queues: "
                + ", ".join(n.removeprefix(self.env.prefix) for n in self.queues.values())
                + f"\n  on-call topic: {self.oncall_topic.rsplit(':', 1)[-1]} -> queue "
                + self.oncall_inbox.rsplit("/", 1)[-1])


def build_pipeline(env: Environment) -> Pipeline:
    """Create the queues (with DLQs), the event bus and rule, the on-call and notification topics."""
    orders = create_queue(env, "orders", max_receive_count=MAX_RECEIVE_COUNT,
                          visibility_timeout=VISIBILITY_SECONDS)
    inventory = create_queue(env, "inventory", max_receive_count=MAX_RECEIVE_COUNT,
                             visibility_timeout=VISIBILITY_SECONDS)
    events, sns = env.client("events"), env.client("sns")
    bus = env.name("orders-bus", "events")
    if not [b for b in events.list_event_buses(NamePrefix=bus)["EventBuses"] if b["Name"] == bus]:
        events.create_event_bus(Name=bus)
    rule_arn = events.put_rule(Name="order-paid", EventBusName=bus, EventPattern=json.dumps(
        {"source": ["securecart.payment"], "detail-type": ["OrderPaid"]}))["RuleArn"]
    events.put_targets(Rule="order-paid", EventBusName=bus,
                       Targets=[{"Id": "inventory-queue", "Arn": inventory.arn}])
    allow_service_sends(env, inventory.url, inventory.arn, source_arn=rule_arn,
                        principal="events.amazonaws.com")
    oncall = sns.create_topic(Name="oncall")["TopicArn"]
    inbox = subscribe_queue(env, oncall, "oncall-inbox")
    notifications = sns.create_topic(Name="shipping-notifications")["TopicArn"]
    stock = {p["sku"]: {"on_hand": int(p["stock"])} for p in load_catalogue()}
    loggers = {s: service_logger(env, s) for s in SERVICES}
    return Pipeline(env, orders, inventory, bus, oncall, inbox, notifications, loggers,
                    TraceWriter(env), stock)


# -- the handlers -------------------------------------------------------------------------------
def _latency(env: Environment, low: float, high: float) -> float:
    return round(env.random("latency").uniform(low, high), 3)


def _payment_handler(pipe: Pipeline) -> Any:
    env, (logger, _) = pipe.env, pipe.loggers["payment"]
    processor = BatchProcessor(event_type=EventType.SQS)
    position = [0]

    def record_handler(record: SQSRecord) -> None:
        order = record.json_body
        logger.append_keys(correlation_id=order["correlation_id"], order_id=order["order_id"],
                           trace_id=order["trace_id"])
        start = max(env.clock.elapsed(), order["accepted_at"]) + position[0] * 0.5
        position[0] += 1
        tracer = pipe.tracer
        tracer.segment(order["trace_id"], "orders-queue", order["accepted_at"], start,
                       parent_id=order["segment_id"], annotations={"order_id": order["order_id"]})
        if pipe.charged[order["order_id"]]:
            logger.info("duplicate delivery: already charged", extra={"receive_count": record.attributes.approximate_receive_count})
            return
        slow = env.random("slow-provider").random() < 0.08
        end = start + (_latency(env, 1.8, 2.6) if slow else _latency(env, 0.12, 0.45))
        if order.get("payment_token") == _DECLINED_TOKEN:
            reason = "card declined by issuer (do_not_honor)"
            logger.error("payment declined", extra={"error": reason})
            tracer.segment(order["trace_id"], "payment", start, end, parent_id=order["segment_id"],
                           error=reason, annotations={"order_id": order["order_id"]})
            raise PaymentDeclinedError(reason)
        pipe.charged[order["order_id"]] += 1
        logger.info("payment charged", extra={"amount": order["total"], "currency": order["currency"]})
        seg = tracer.segment(order["trace_id"], "payment", start, end, parent_id=order["segment_id"],
                             annotations={"order_id": order["order_id"]})
        detail = {k: order[k] for k in ("order_id", "customer_id", "items", "total", "correlation_id",
                                         "trace_id")}
        detail.update(paid_at=end, segment_id=seg)
        bus_seg = tracer.segment(order["trace_id"], "order-bus", end, end + 0.02, parent_id=seg,
                                 annotations={"order_id": order["order_id"]})
        detail["bus_segment_id"] = bus_seg
        env.client("events").put_events(Entries=[{
            "Source": "securecart.payment", "DetailType": "OrderPaid", "EventBusName": pipe.bus,
            "Detail": json.dumps(detail)}])

    def handler(event: dict, context: Any) -> Any:
        position[0] = 0
        return process_partial_response(event=event, record_handler=record_handler,
                                        processor=processor, context=context)

    return handler


def _inventory_handler(pipe: Pipeline) -> Any:
    env, (logger, _) = pipe.env, pipe.loggers["inventory"]
    notify_logger = pipe.loggers["notification"][0]
    processor = BatchProcessor(event_type=EventType.SQS)
    position = [0]

    def record_handler(record: SQSRecord) -> None:
        detail = record.json_body["detail"]  # the EventBridge event the rule delivered
        keys = {"correlation_id": detail["correlation_id"], "order_id": detail["order_id"],
                "trace_id": detail["trace_id"]}
        logger.append_keys(**keys)
        start = max(env.clock.elapsed(), detail["paid_at"] + 0.02) + position[0] * 0.2
        position[0] += 1
        tracer, trace = pipe.tracer, detail["trace_id"]
        tracer.segment(trace, "inventory-queue", detail["paid_at"] + 0.02, start,
                       parent_id=detail["bus_segment_id"], annotations={"order_id": detail["order_id"]})
        if detail["order_id"] in pipe.shipped:
            logger.info("duplicate delivery: already reserved")
            return
        end = start + _latency(env, 0.04, 0.12)
        for item in detail["items"]:
            on_hand = pipe.stock[item["sku"]]["on_hand"]
            if not isinstance(on_hand, int):
                reason = f"stock record of {item['sku']} is unreadable: on_hand={on_hand!r} is not a number"
                logger.error("stock reservation failed", extra={"error": reason, "sku": item["sku"],
                                                                "receive_count": record.attributes.approximate_receive_count})
                tracer.segment(trace, "inventory", start, end, parent_id=detail["segment_id"],
                               error=reason, annotations={"order_id": detail["order_id"]})
                raise StockRecordError(reason)
        for item in detail["items"]:
            pipe.stock[item["sku"]]["on_hand"] -= item["qty"]
        logger.info("stock reserved", extra={"skus": [i["sku"] for i in detail["items"]]})
        seg = tracer.segment(trace, "inventory", start, end, parent_id=detail["segment_id"],
                             annotations={"order_id": detail["order_id"]})
        notify_logger.append_keys(**keys)
        env.client("sns").publish(TopicArn=pipe.notifications_topic, Subject="Your order has shipped",
                                  Message=json.dumps({"order_id": detail["order_id"], "status": "shipped"}))
        notify_logger.info("shipping notification sent")
        tracer.segment(trace, "notification", end, end + _latency(env, 0.02, 0.06), parent_id=seg,
                       annotations={"order_id": detail["order_id"]})
        pipe.shipped.add(detail["order_id"])

    def handler(event: dict, context: Any) -> Any:
        position[0] = 0
        return process_partial_response(event=event, record_handler=record_handler,
                                        processor=processor, context=context)

    return handler


# -- a day of orders ------------------------------------------------------------------------------
@dataclass
class DayRun:
    """What a day of orders did (the student reads metrics, alarms, logs and traces, not this)."""

    pipeline: Pipeline
    orders: list[dict[str, Any]]
    minutes: int
    poison_sku: str
    declined: list[str]
    accepted: int = 0
    start: float = 0.0
    end: float = 0.0
    log_mark: int = 0

    @property
    def charged(self) -> list[str]:
        """Order ids charged (once each)."""
        return sorted(self.pipeline.charged)

    @property
    def shipped(self) -> list[str]:
        """Order ids whose shipping notification went out."""
        return sorted(self.pipeline.shipped)

    def __repr__(self) -> str:
        return (f"A day at SecureCart: {self.accepted} orders accepted over {self.minutes} minutes "
                f"(clock {self.start / 60:.0f}-{self.end / 60:.0f} min); the pipeline ran until "
                "every queue was empty or parked in a DLQ.")


def _pick_poison(orders: list[dict[str, Any]]) -> str:
    counts = Counter(i["sku"] for o in orders for i in o["items"])
    fitting = sorted(s for s, n in counts.items() if 4 <= n <= 6)
    return fitting[0] if fitting else min(counts, key=lambda s: (counts[s], s))


def _checkout(pipe: Pipeline, wave: list[dict[str, Any]]) -> None:
    env, (logger, _) = pipe.env, pipe.loggers["checkout"]
    rng = env.random("correlation")
    bodies = []
    for order in wave:
        trace = pipe.tracer.new_trace()
        cid = f"req-{rng.getrandbits(48):012x}"
        now = env.clock.elapsed()
        done = now + _latency(env, 0.03, 0.08)
        seg = pipe.tracer.segment(trace, "checkout", now, done, annotations={"order_id": order["order_id"]})
        logger.append_keys(correlation_id=cid, order_id=order["order_id"], trace_id=trace)
        logger.info("order accepted", extra={"total": order["total"], "items": len(order["items"])})
        bodies.append({**order, "correlation_id": cid, "trace_id": trace, "segment_id": seg,
                       "accepted_at": done})
    env.client("sqs").send_message_batch(QueueUrl=pipe.orders.url, Entries=[
        {"Id": str(i), "MessageBody": json.dumps(b)} for i, b in enumerate(bodies)]) if bodies else None


def _flush(pipe: Pipeline) -> None:
    for service, (_, sink) in pipe.loggers.items():
        if sink.events:
            ship(pipe.env, service, sink)
    pipe.tracer.flush()


def run_day(env: Environment, pipe: Pipeline, *, orders: int | None = None, minutes: int | None = None,
            drain_minutes: int | None = None, seed: int = 7, duplicate_rate: float = 0.05) -> DayRun:
    """Run a seeded day: ``orders`` over ``minutes`` minutes, then drain; returns a :class:`DayRun`.

    Each minute the checkout accepts its share of orders, the payment consumers (2 workers)
    run for up to 8 s and the inventory consumer for up to 25 s, logs are shipped to CloudWatch Logs,
    segments to X-Ray and the minute's business counts to ``SecureCart/Orders``. Standard
    queues deliver some messages twice (emulated on moto). On the local backends the clock
    starts each run on a minute boundary. Sizes: 60 orders over 10 minutes and 6 minutes of
    draining; in the short scenario 20 orders over 4 minutes and 4 of draining.
    """
    orders = env.sized(orders, full=60, short=20)
    minutes = env.sized(minutes, full=10, short=4)
    drain_minutes = env.sized(drain_minutes, full=6, short=4)
    generated = OrderGenerator(seed=seed).orders(orders)
    rng = env.random(f"declines-{seed}")
    declined = sorted(rng.sample([o["order_id"] for o in generated], max(1, orders // 20)))
    for order in generated:
        order["payment_token"] = _DECLINED_TOKEN if order["order_id"] in declined else "tok_visa"
    poison = _pick_poison(generated)
    pipe.stock[poison]["on_hand"] = "n/a"
    if env.clock.simulated:
        env.clock.advance_to((int(env.clock.elapsed() // 60) + 1) * 60)
    day = DayRun(pipe, generated, minutes, poison, declined, start=env.clock.elapsed(),
                 log_mark=env.log.mark())
    scenario = Scenario(seed=seed, duplicate_rate=duplicate_rate)
    pay, stock = _payment_handler(pipe), _inventory_handler(pipe)
    per = -(-orders // minutes)
    shipped_before, charged_before = len(pipe.shipped), sum(pipe.charged.values())
    for minute in range(minutes + drain_minutes):
        wave = generated[minute * per:(minute + 1) * per] if minute < minutes else []
        _checkout(pipe, wave)
        day.accepted += len(wave)
        run_consumers(env, pipe.orders, pay, workers=2, processing_seconds=0.5, scenario=scenario,
                      max_seconds=8, function_name=f"{env.prefix}payment")
        run_consumers(env, pipe.inventory, stock, workers=1, processing_seconds=0.2,
                      scenario=scenario, max_seconds=25, function_name=f"{env.prefix}inventory")
        _flush(pipe)
        now = env.clock.now()
        charged, shipped = sum(pipe.charged.values()), len(pipe.shipped)
        stamp = now.replace(second=0, microsecond=0)
        for name, value in (("OrdersAccepted", len(wave)), ("OrdersCharged", charged - charged_before),
                            ("OrdersShipped", shipped - shipped_before)):
            put_metric(env, BUSINESS_NAMESPACE, name, value, timestamp=stamp)
        charged_before, shipped_before = charged, shipped
        env.clock.advance_to(day.start + (minute + 1) * 60)
    day.end = env.clock.elapsed()
    _DAYS[env] = day
    return day


def last_day(env: Environment) -> DayRun | None:
    """The environment's last :func:`run_day` (``None`` before the first)."""
    return _DAYS.get(env)
