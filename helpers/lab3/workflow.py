"""Lab 3 sections 1-2: SecureCart's shop bus and the restocking workflow on it.

Inventory publishes ``InventoryLow`` when a product falls to its threshold (once per product
until it is restocked); a rule routes it to the restock queue and to the restock state machine
(reserve supplier stock -> create purchase order -> notify). The workflow's result is published
as ``InventoryRestocked``; a rule sends that to the notifications topic (SNS -> SQS). Stock
comes back after the supplier's lead time.

On moto the state machine's steps are Pass states (moto's engine cannot call services on the
server backend's port) and the driver publishes the ``Notify`` step's result; on AWS the same
definition works, and a production workflow would use the ``events:putEvents`` task instead.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> shop = build_shop(env)
>>> run = experiment_restocking(env, shop, orders=60)
>>> run.low_events == len(run.table)
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import events as eb
from ..data import OrderGenerator, load_catalogue

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Shop", "build_shop", "experiment_restocking", "RestockRun", "RESTOCK_PATTERN",
           "ORDER_INTERVAL_SECONDS", "LEAD_TIME_SECONDS", "RESTOCK_UNITS", "state_machine_definition"]

#: The rule pattern of the restocking workflow (exercise 1 writes it).
RESTOCK_PATTERN = {"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]}
#: Seconds between two orders of the restocking run.
ORDER_INTERVAL_SECONDS = 12
#: Supplier lead time: seconds from InventoryLow to stock back on the shelf.
LEAD_TIME_SECONDS = 900
#: Units a purchase order adds.
RESTOCK_UNITS = 40


def state_machine_definition() -> str:
    """The restock workflow: reserve supplier stock -> create purchase order -> notify."""
    return json.dumps({
        "Comment": "SecureCart restocking", "StartAt": "ReserveSupplierStock",
        "States": {
            "ReserveSupplierStock": {"Type": "Pass", "Parameters": {"sku.$": "$.detail.sku",
                                     "units": RESTOCK_UNITS, "supplier": "acme-supply"},
                                     "ResultPath": "$.reservation", "Next": "CreatePurchaseOrder"},
            "CreatePurchaseOrder": {"Type": "Pass", "Parameters": {"po.$": "States.Format('po-{}', $.detail.sku)"},
                                    "ResultPath": "$.purchase_order", "Next": "Notify"},
            "Notify": {"Type": "Pass", "Parameters": {"sku.$": "$.detail.sku", "units.$": "$.reservation.units",
                                                      "purchase_order.$": "$.purchase_order.po"}, "End": True},
        },
    })


@dataclass
class Shop:
    """The resources of the lab: the bus, queues, the state machine, the topic and the rules."""

    bus: eb.Bus
    restock_url: str
    restock_arn: str
    dlq_url: str
    dlq_arn: str
    notify_url: str
    topic_arn: str
    machine_arn: str
    rules: dict[str, eb.Rule] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"shop bus {self.bus.name}: rules {', '.join(sorted(self.rules))}; restock queue, "
                "restock workflow (Step Functions), notifications topic")


def _queue(env: Environment, name: str) -> tuple[str, str]:
    url = env.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, eb.queue_arn(env, url)


def build_shop(env: Environment) -> Shop:
    """Create the bus, the restock queue (with its DLQ), the workflow, the topic and two rules."""
    bus = eb.create_bus(env, "shop")
    restock_url, restock_arn = _queue(env, "restock")
    dlq_url, dlq_arn = _queue(env, "restock-dlq")
    notify_url, notify_arn = _queue(env, "notifications")
    sns = env.client("sns")
    topic = sns.create_topic(Name="restock-notices")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=notify_arn, Attributes={"RawMessageDelivery": "true"})
    machine = env.client("stepfunctions").create_state_machine(
        name="restock-workflow", definition=state_machine_definition(),
        roleArn=f"arn:aws:iam::{env.account or '123456789012'}:role/securecart-restock")["stateMachineArn"]
    shop = Shop(bus, restock_url, restock_arn, dlq_url, dlq_arn, notify_url, topic, machine)
    low = eb.create_rule(env, "inventory-low", RESTOCK_PATTERN, bus)
    eb.add_targets(env, low, [
        eb.target(env, "sqs", restock_arn, id="restock-queue", dlq_arn=dlq_arn),
        eb.target(env, "stepfunctions", machine, id="restock-workflow"),
    ])
    restocked = eb.create_rule(env, "restocked", {"detail-type": ["InventoryRestocked"]}, bus)
    eb.add_targets(env, restocked, [eb.target(env, "sns", topic, id="notices")])
    shop.rules = {"inventory-low": low, "restocked": restocked}
    return shop


@dataclass
class RestockRun:
    """Result of the restocking run: one row per product that ran low, and the stock history."""

    orders: int
    low_events: int
    restocked_events: int
    notifications: int
    table: pd.DataFrame
    levels: pd.DataFrame
    frame: pd.DataFrame

    def __repr__(self) -> str:
        once = "exactly once" if self.table.low_events.eq(1).all() else "more than once (bug)"
        return (f"{self.orders} orders: {len(self.table)} products fell to their threshold and each "
                f"emitted InventoryLow {once}; {self.restocked_events} restock workflows published "
                f"InventoryRestocked; {self.notifications} notifications reached the queue via SNS")

    def figure(self, sku: str | None = None, ax: Any = None) -> Any:
        """Stock of one product (the first restocked one) with its InventoryLow and restock points."""
        done = self.table.dropna(subset=["restocked_at"])
        if sku is None:
            # The restocked product whose drain to the threshold is longest, so it shows.
            pool = done if len(done) else self.table
            first = self.levels.sort_values("time").groupby("sku").stock.first()
            sku = max(pool.sku, key=lambda s: first.get(s, 0) - int(pool.set_index("sku").threshold[s]))
        row = self.table.set_index("sku").loc[sku]
        points = pd.DataFrame([
            {"time": row.low_at, "label": "InventoryLow", "color": "red"},
            {"time": row.restocked_at, "label": "stock back", "color": "green"},
        ])
        levels = self.levels[self.levels.sku == sku]
        return eb.plots.stock_timeline(levels, points, int(row.threshold),
                                       f"{sku}: stock over time (restocking workflow)", ax=ax)


def _drain(env: Environment, url: str) -> list[dict[str, Any]]:
    sqs, out = env.client("sqs"), []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return out
        out += [json.loads(m["Body"]) for m in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for i, m in enumerate(messages)])


def _finish_workflows(env: Environment, shop: Shop, seen: set[str]) -> list[dict[str, Any]]:
    sfn = env.client("stepfunctions")
    done = []
    for execution in sfn.list_executions(stateMachineArn=shop.machine_arn)["executions"]:
        if execution["executionArn"] in seen or execution["status"] != "SUCCEEDED":
            continue
        seen.add(execution["executionArn"])
        done.append(json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["output"]))
    return done


def experiment_restocking(env: Environment, shop: Shop, orders: int | None = None, seed: int = 42) -> RestockRun:
    """Run ``orders`` orders, one every 12 s, against the catalogue's stock (see module docstring).

    ``orders`` defaults to 300 (an hour of clock time); 100 in the short scenario, where
    products still fall to their thresholds and the first restocks arrive.
    """
    orders = env.sized(orders, full=300, short=100)
    catalogue = {p["sku"]: dict(p) for p in load_catalogue()}
    low_at: dict[str, float] = {}
    restock_due: dict[str, float] = {}
    rows, seen, published = [], set(), {"low": 0, "restocked": 0}
    levels = [{"time": 0.0, "sku": sku, "stock": p["stock"]} for sku, p in catalogue.items()]
    start = env.clock.elapsed()
    for order in OrderGenerator(seed).orders(orders):
        now = env.clock.elapsed()
        for sku, due in list(restock_due.items()):
            if due <= now:
                catalogue[sku]["stock"] += RESTOCK_UNITS
                levels.append({"time": due - start, "sku": sku, "stock": catalogue[sku]["stock"]})
                rows.append({"sku": sku, "restocked_at": due - start})
                del restock_due[sku]
        for item in order["items"]:
            product = catalogue[item["sku"]]
            product["stock"] = max(0, product["stock"] - item["qty"])
            levels.append({"time": now - start, "sku": item["sku"], "stock": product["stock"]})
            if product["stock"] <= product["restock_threshold"] and item["sku"] not in low_at:
                low_at[item["sku"]] = now
                eb.publish(env, [eb.entry("InventoryLow", {"sku": item["sku"], "stock": product["stock"],
                                                           "restock_threshold": product["restock_threshold"]},
                                          shop.bus)])
                published["low"] += 1
                rows.append({"sku": item["sku"], "low_at": now - start, "threshold": product["restock_threshold"]})
                for result in _finish_workflows(env, shop, seen):
                    eb.publish(env, [eb.entry("InventoryRestocked", result, shop.bus)])
                    published["restocked"] += 1
                    restock_due[result["sku"]] = now + LEAD_TIME_SECONDS
        eb.wait(env, ORDER_INTERVAL_SECONDS)
    events = pd.DataFrame(rows, columns=["sku", "low_at", "restocked_at", "threshold"])
    table = (events.groupby("sku").agg(low_at=("low_at", "min"), restocked_at=("restocked_at", "min"),
                                       threshold=("threshold", "max"), low_events=("low_at", "count"))
             .reset_index().astype({"threshold": int}))
    notices = _drain(env, shop.notify_url)
    _drain(env, shop.restock_url)
    return RestockRun(orders, published["low"], published["restocked"], len(notices), table,
                      pd.DataFrame(levels), env.log.to_frame())
