"""The dual write and the transactional outbox: an order stored must never lose its event.

The orders service writes the order to DynamoDB and then publishes ``OrderPlaced`` to
EventBridge: two writes to two services, with no transaction around them (the *dual write*).
A crash, a deploy or a throttle between the two leaves the order stored and the event lost:
shipping never hears of it, and no retry will, because the caller already got its answer.

The outbox writes the event *in the same* ``TransactWriteItems`` as the order (an item
``OUTBOX#<event_id>`` next to ``ORDER#<order_id>``): both or neither. A publisher reads the
table's DynamoDB stream (a Lambda event source mapping) and turns each new outbox item into a
``PutEvents`` entry. The stream delivers each change at least once, in order per item, so the
publisher may publish an event twice after a crash: consumers stay idempotent (the event's
``event_id`` is the key).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> shop = OrdersService.create(env, "demo-orders", crash_after_write={"ord-2"})
>>> run = shop.run_dual_write(["ord-1", "ord-2", "ord-3"])
>>> run.stored, run.delivered, run.lost
(3, 2, ['ord-2'])
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..events import create_bus, create_rule
from ..sqs import create_queue
from ..stepfunctions import deploy_function

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["OrdersService", "OutboxRun", "ServiceCrashed", "outbox_entry", "order_items",
           "SOURCE", "DETAIL_TYPE"]

#: The event the orders service publishes.
SOURCE, DETAIL_TYPE = "securecart.orders", "OrderPlaced"


class ServiceCrashed(RuntimeError):
    """The orders service died between its two writes (the injected fault)."""


def order_items(table: str, order_id: str, event_id: str) -> list[dict[str, Any]]:
    """The two ``TransactWriteItems`` puts: the order and its outbox event, both or neither.

    Example
    -------
    >>> [i["Put"]["Item"]["pk"]["S"] for i in order_items("orders", "ord-1", "evt-1")]
    ['ORDER#ord-1', 'OUTBOX#evt-1']
    """
    event = {"event_id": event_id, "order_id": order_id}
    return [
        {"Put": {"TableName": table, "Item": {"pk": {"S": f"ORDER#{order_id}"},
                                              "status": {"S": "PLACED"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": f"OUTBOX#{event_id}"},
                                              "detail_type": {"S": DETAIL_TYPE},
                                              "detail": {"S": json.dumps(event)}}}},
    ]


def outbox_entry(record: dict[str, Any]) -> dict[str, Any] | None:
    """The reference publisher: a DynamoDB stream record -> one ``PutEvents`` entry (or None).

    Only a new outbox item (``INSERT`` of ``OUTBOX#...``) is an event; the order's own item,
    a status change (``MODIFY``) and the outbox clean-up (``REMOVE``) are not.

    Example
    -------
    >>> rec = {"eventName": "INSERT", "dynamodb": {"NewImage": {"pk": {"S": "OUTBOX#e1"},
    ...        "detail_type": {"S": "OrderPlaced"}, "detail": {"S": '{"order_id": "ord-1"}'}}}}
    >>> outbox_entry(rec)["DetailType"]
    'OrderPlaced'
    >>> outbox_entry({**rec, "eventName": "REMOVE"}) is None
    True
    """
    image = record.get("dynamodb", {}).get("NewImage", {})
    if record.get("eventName") != "INSERT" or not image.get("pk", {}).get("S", "").startswith("OUTBOX#"):
        return None
    return {"Source": SOURCE, "DetailType": image["detail_type"]["S"], "Detail": image["detail"]["S"]}


@dataclass
class OutboxRun:
    """What one run of the orders service left behind.

    Attributes
    ----------
    stored
        Orders in the table.
    delivered
        ``OrderPlaced`` messages that reached shipping's queue (duplicates included).
    shipped
        ``order_id`` of each message at shipping, in arrival order.
    lost
        Orders stored whose event never reached shipping.
    """

    approach: str
    stored: int
    delivered: int
    shipped: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    @property
    def duplicates(self) -> list[str]:
        """Orders whose event reached shipping more than once."""
        return sorted({o for o in self.shipped if self.shipped.count(o) > 1})

    def __repr__(self) -> str:
        return (f"{self.approach}: {self.stored} orders stored, {self.delivered} events at shipping; "
                f"lost: {self.lost or 'none'}; twice: {self.duplicates or 'none'}")


@dataclass
class OrdersService:
    """The orders table (with a stream), the orders bus, and shipping's queue behind a rule."""

    env: Environment
    table: str
    stream_arn: str
    bus: str
    queue_url: str
    crash_after_write: set[str] = field(default_factory=set)
    publisher_crashes: int = 0
    mappings: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, env: Environment, name: str = "orders", *,
               crash_after_write: set[str] | None = None) -> OrdersService:
        """The table ``pk`` with a ``NEW_IMAGE`` stream, a bus, and a rule to shipping's queue."""
        ddb = env.client("dynamodb")
        table = ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
        bus = create_bus(env, name)
        queue = create_queue(env, f"{name}-shipping", dlq=False)
        rule = create_rule(env, f"{name}-to-shipping", {"source": [SOURCE], "detail-type": [DETAIL_TYPE]},
                           bus=bus.name)
        env.client("events").put_targets(Rule=rule.name, EventBusName=bus.name,
                                         Targets=[{"Id": "shipping", "Arn": queue.arn}])
        return cls(env, table["TableName"], table["LatestStreamArn"], bus.name, queue.url,
                   set(crash_after_write or ()))

    # -- the dual write ---------------------------------------------------------------
    def place_dual_write(self, order_id: str) -> None:
        """Write the order, then publish: a crash in between loses the event."""
        self.env.client("dynamodb").put_item(TableName=self.table, Item={
            "pk": {"S": f"ORDER#{order_id}"}, "status": {"S": "PLACED"}})
        if order_id in self.crash_after_write:
            raise ServiceCrashed(f"orders service crashed after storing {order_id}")
        self.env.client("events").put_events(Entries=[{
            "EventBusName": self.bus, "Source": SOURCE, "DetailType": DETAIL_TYPE,
            "Detail": json.dumps({"event_id": f"evt-{order_id}", "order_id": order_id})}])

    def run_dual_write(self, orders: list[str]) -> OutboxRun:
        """Place ``orders`` with the dual write (crashes swallowed, as a caller's 500)."""
        for order in orders:
            try:
                self.place_dual_write(order)
            except ServiceCrashed:
                pass
        return self.outcome("dual write", orders)

    # -- the outbox -------------------------------------------------------------------
    def place_with_outbox(self, order_id: str) -> None:
        """One ``TransactWriteItems``: the order and its outbox event; then the crash changes nothing."""
        self.env.client("dynamodb").transact_write_items(
            TransactItems=order_items(self.table, order_id, f"evt-{order_id}"))
        if order_id in self.crash_after_write:
            raise ServiceCrashed(f"orders service crashed after storing {order_id}")

    def deploy_publisher(self, to_entry: Callable[[dict], dict | None] = outbox_entry, *,
                         name: str = "outbox-publisher") -> str:
        """A Lambda function on the table's stream that publishes each outbox item; its UUID.

        ``publisher_crashes`` > 0 makes the first invocations fail after publishing (before the
        poller's checkpoint moves), so the stream hands the same records again.
        """
        service = self

        def handler(event: dict, context: Any) -> dict:
            entries = [e for e in (to_entry(r) for r in event["Records"]) if e is not None]
            for entry in entries:
                service.env.client("events").put_events(Entries=[{**entry, "EventBusName": service.bus}])
            if service.publisher_crashes > 0:
                service.publisher_crashes -= 1
                raise ServiceCrashed("publisher crashed after PutEvents, before returning")
            return {"published": len(entries)}

        function = deploy_function(self.env, name, handler)
        uuid = self.env.client("lambda").create_event_source_mapping(
            FunctionName=function, EventSourceArn=self.stream_arn, StartingPosition="TRIM_HORIZON",
            BatchSize=10)["UUID"]
        self.mappings.append(uuid)
        return uuid

    def run_outbox(self, orders: list[str], *, wait: float = 10.0) -> OutboxRun:
        """Place ``orders`` with the outbox, let the stream's publisher run, read the outcome."""
        for order in orders:
            try:
                self.place_with_outbox(order)
            except ServiceCrashed:
                pass
        self.env.sleep(wait)
        for uuid in self.mappings:  # the publisher's work is done: stop polling the stream
            self.env.client("lambda").delete_event_source_mapping(UUID=uuid)
        self.mappings.clear()
        return self.outcome("outbox", orders)

    # -- what shipping saw ------------------------------------------------------------
    def outcome(self, approach: str, orders: list[str]) -> OutboxRun:
        """Count the orders stored and drain shipping's queue."""
        ddb, sqs = self.env.client("dynamodb"), self.env.client("sqs")
        stored = [o for o in orders if "Item" in ddb.get_item(TableName=self.table, Key={"pk": {"S": f"ORDER#{o}"}})]
        shipped = []
        while batch := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                detail = json.loads(message["Body"]).get("detail", {})
                shipped.append(detail.get("order_id"))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return OutboxRun(approach, len(stored), len(shipped), shipped,
                         [o for o in stored if o not in shipped])
