"""Telling the customer after an asynchronous checkout: status polling, a notification, and the
order that would otherwise stay "accepted" forever.

The checkout answers ``202 Accepted`` with the order id and a status URL as soon as the order
is stored and queued. Payment and stock checks run later (a Lambda function on the orders
queue). The customer learns the outcome in one of two ways:

* **polling**: the page asks ``GET /orders/{id}`` (a DynamoDB ``GetItem``) every few seconds,
  backing off, until the status is final;
* **a notification**: the worker publishes the final status to an SNS topic (e-mail, SMS,
  a WebSocket push) and the page stops asking.

The failure case: a worker that crashes on an order never writes a final status. Without a
DLQ handler that marks the order ``FAILED`` and tells the customer, the page polls until it
gives up and the customer is left with "still processing".

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> shop = Checkout.create(env, "demo-checkout")
>>> shop.checkout("ord-1")["statusCode"]
202
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..sqs import create_queue
from ..stepfunctions import deploy_function
from .invocation import drain

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Checkout", "PollLog", "FINAL", "DECLINED", "CRASHES"]

#: Statuses after which the customer's page stops polling.
FINAL = ("CONFIRMED", "DECLINED", "FAILED")
#: The order whose card is declined (a business failure: the worker writes DECLINED).
DECLINED = "ord-503"
#: The order the worker crashes on every time (a bug: only the DLQ handler can tell the customer).
CRASHES = "ord-504"


@dataclass
class PollLog:
    """Every poll of every order: ``time`` (s after checkout), ``order_id``, ``status``."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """The polls as a table."""
        return pd.DataFrame(self.rows)

    def outcome(self) -> pd.DataFrame:
        """Per order: the last status the customer saw, when, and after how many polls."""
        frame = self.frame()
        last = frame.groupby("order_id").agg(status=("status", "last"), seen_at=("time", "last"),
                                             polls=("time", "size"))
        return last


@dataclass
class Checkout:
    """The orders table, the orders queue (with a DLQ), the worker, and the notification topic."""

    env: Environment
    table: str
    queue: Any
    topic_arn: str
    notifications_url: str
    mappings: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, env: Environment, name: str = "checkout", *, dlq_handler: bool = True) -> Checkout:
        """Create the pieces and deploy the worker (and, with ``dlq_handler``, the DLQ's handler)."""
        ddb = env.client("dynamodb")
        table = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                 AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                                 KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}])
        queue = create_queue(env, f"{name}-orders", max_receive_count=2, visibility_timeout=5, delay_seconds=2)
        sns = env.client("sns")
        topic = sns.create_topic(Name=f"{name}-customer-updates")["TopicArn"]
        notes = create_queue(env, f"{name}-customer-inbox", dlq=False)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=notes.arn, Attributes={"RawMessageDelivery": "true"})
        shop = cls(env, table["TableDescription"]["TableName"], queue, topic, notes.url)
        lam = env.client("lambda")
        worker = deploy_function(env, f"{name}-worker", shop._worker)
        shop.mappings.append(lam.create_event_source_mapping(FunctionName=worker, EventSourceArn=queue.arn,
                                                             BatchSize=1)["UUID"])
        if dlq_handler:
            parked = deploy_function(env, f"{name}-dlq", shop._parked)
            dlq_arn = env.client("sqs").get_queue_attributes(
                QueueUrl=queue.dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            shop.mappings.append(lam.create_event_source_mapping(FunctionName=parked, EventSourceArn=dlq_arn,
                                                                 BatchSize=1)["UUID"])
        return shop

    # -- the service ------------------------------------------------------------------
    def checkout(self, order_id: str) -> dict[str, Any]:
        """Store the order as ACCEPTED, queue it, answer 202 with where to ask for the status."""
        self._set(order_id, "ACCEPTED")
        self.env.client("sqs").send_message(QueueUrl=self.queue.url, MessageBody=json.dumps({"order_id": order_id}))
        return {"statusCode": 202, "body": {"order_id": order_id, "status": "ACCEPTED",
                                            "status_url": f"/orders/{order_id}"}}

    def status(self, order_id: str) -> str:
        """``GET /orders/{id}``: the order's status (a strongly consistent GetItem)."""
        item = self.env.client("dynamodb").get_item(TableName=self.table, Key={"order_id": {"S": order_id}},
                                                    ConsistentRead=True)["Item"]
        return item["status"]["S"]

    def _set(self, order_id: str, status: str, reason: str = "") -> None:
        self.env.client("dynamodb").put_item(TableName=self.table, Item={
            "order_id": {"S": order_id}, "status": {"S": status}, "reason": {"S": reason}})

    def _notify(self, order_id: str, status: str, reason: str) -> None:
        self.env.client("sns").publish(TopicArn=self.topic_arn, Message=json.dumps(
            {"order_id": order_id, "status": status, "reason": reason}))

    def _worker(self, event: dict, context: Any) -> None:
        for record in event["Records"]:
            order = json.loads(record["body"])["order_id"]
            if order == CRASHES:
                raise KeyError("shipping_address")  # a bug on this order's data
            status, reason = (("DECLINED", "card declined") if order == DECLINED else ("CONFIRMED", ""))
            self._set(order, status, reason)
            self._notify(order, status, reason)

    def _parked(self, event: dict, context: Any) -> None:
        for record in event["Records"]:
            order = json.loads(record["body"])["order_id"]
            reason = "we could not process your order; you have not been charged"
            self._set(order, "FAILED", reason)
            self._notify(order, "FAILED", reason)

    # -- the customer -----------------------------------------------------------------
    def poll(self, orders: list[str], *, first: float = 1.0, factor: float = 2.0, cap: float = 8.0,
             give_up: float = 60.0) -> PollLog:
        """Each order's page polls its status: after ``first`` s, then ``factor`` times longer
        (at most ``cap``), until a final status or ``give_up`` seconds."""
        log = PollLog()
        start = self.env.clock.elapsed()
        due = {order: first for order in orders}
        wait = dict(due)
        while due:
            now = self.env.clock.elapsed() - start
            for order in [o for o, t in due.items() if t <= now]:
                status = self.status(order)
                log.rows.append({"time": round(now, 1), "order_id": order, "status": status})
                if status in FINAL or now >= give_up:
                    due.pop(order)
                else:
                    wait[order] = min(wait[order] * factor, cap)
                    due[order] = now + wait[order]
            if due:
                self.env.sleep(max(0.0, min(due.values()) - (self.env.clock.elapsed() - start)))
        for uuid in self.mappings:  # every page has its answer: stop the workers' polling
            self.env.client("lambda").delete_event_source_mapping(UUID=uuid)
        self.mappings.clear()
        return log

    def notifications(self) -> list[dict[str, Any]]:
        """The status messages the customers received (the SNS topic's inbox queue)."""
        return drain(self.env, self.notifications_url)
