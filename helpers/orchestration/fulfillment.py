"""Notebook 06 · the order-fulfillment workflow: its services, faults and experiments.

Example
-------
>>> import helpers
>>> from helpers.orchestration import Fulfillment
>>> env = helpers.connect(quiet=True)
>>> flow = Fulfillment.deploy(env)
>>> flow.run({"order_id": "ord-1", "amount": 40})["status"]
'SUCCEEDED'
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..sqs.queues import create_queue
from ..stepfunctions import (
    FUNCTIONS,
    create_state_machine,
    deploy_function,
    fulfillment_definition,
    history_frame,
    run_execution,
    timeline,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Fulfillment", "Services", "CARRIER_HANG_SECONDS", "PaymentProviderUnavailable", "PaymentDeclined",
           "ShippingUnavailable", "InvalidOrder", "OutOfStock"]


#: How long the carrier takes to answer an order with the ``"ship-hangs"`` fault (seconds): past
#: the Ship state's TimeoutSeconds, so Step Functions gives up first (States.Timeout).
CARRIER_HANG_SECONDS = 25


class PaymentProviderUnavailable(Exception):
    """The payment provider did not answer (transient: retry)."""


class PaymentDeclined(Exception):
    """The card was declined (final)."""


class ShippingUnavailable(Exception):
    """The carrier refused the shipment."""


class OutOfStock(Exception):
    """Not enough stock to reserve."""


class InvalidOrder(Exception):
    """The order failed validation."""


@dataclass
class Services:
    """SecureCart's payment, inventory and shipping services, with the faults an order asks for.

    An order's ``fault`` field: ``"flaky-payment"`` (provider down for 2 attempts),
    ``"declined"``, ``"out-of-stock"``, ``"ship-fails"``, ``"ship-crashes"`` (an error nobody
    planned for), ``"ship-hangs"`` (the carrier answers only after
    :data:`CARRIER_HANG_SECONDS`, past the Ship state's ``TimeoutSeconds``). ``wait`` lets
    time pass (the environment's ``sleep``: the simulated clock on moto).
    """

    wait: Any = None

    ledger: list[tuple[str, str, float]] = field(default_factory=list)
    reserved: dict[str, int] = field(default_factory=dict)
    shipped: list[str] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)

    def balance(self, order_id: str) -> float:
        """Charged minus refunded for one order."""
        return sum(a if kind == "charge" else -a for kind, o, a in self.ledger if o == order_id)

    def handlers(self) -> dict[str, Any]:
        """The Lambda handler of each workflow step."""
        def order(event: dict) -> dict:
            return event["order"]

        def validate(event: dict, context: Any) -> dict:
            if order(event).get("amount", 0) <= 0:
                raise InvalidOrder(f"amount must be positive: {order(event).get('amount')}")
            return {"valid": True}

        def charge(event: dict, context: Any) -> dict:
            o = order(event)
            n = self.attempts[o["order_id"]] = self.attempts.get(o["order_id"], 0) + 1
            if o.get("fault") == "flaky-payment" and n <= 2:
                raise PaymentProviderUnavailable(f"provider timeout (attempt {n})")
            if o.get("fault") == "declined":
                raise PaymentDeclined("card declined")
            self.ledger.append(("charge", o["order_id"], o["amount"]))
            return {"charged": o["amount"], "attempts": n}

        def reserve(event: dict, context: Any) -> dict:
            o = order(event)
            if o.get("fault") == "out-of-stock":
                raise OutOfStock("sku sold out")
            self.reserved[o["order_id"]] = 1
            return {"reserved": 1}

        def ship(event: dict, context: Any) -> dict:
            o = order(event)
            if o.get("fault") == "ship-fails":
                raise ShippingUnavailable("carrier refused the parcel")
            if o.get("fault") == "ship-crashes":  # an error nobody planned for
                raise RuntimeError("label printer crashed")
            if o.get("fault") == "ship-hangs" and self.wait is not None:
                self.wait(CARRIER_HANG_SECONDS)
                raise ShippingUnavailable("the carrier answered too late")
            self.shipped.append(o["order_id"])
            return {"tracking": f"trk-{o['order_id']}"}

        def release(event: dict, context: Any) -> dict:
            self.reserved.pop(order(event)["order_id"], None)
            return {"released": 1}

        def refund(event: dict, context: Any) -> dict:
            o = order(event)
            self.ledger.append(("refund", o["order_id"], o["amount"]))
            return {"refunded": o["amount"]}

        return {"validate": validate, "charge": charge, "reserve": reserve, "ship": ship,
                "release": release, "refund": refund}


@dataclass
class Fulfillment:
    """The deployed workflow: its state machine, services, notification topic and queues."""

    env: Environment
    machine_arn: str
    services: Services
    functions: dict[str, str]
    topic_arn: str
    notifications_url: str
    review_url: str
    runs: int = 0

    @classmethod
    def deploy(cls, env: Environment, *, ship_catch: Any = "default", name: str = "fulfillment") -> Fulfillment:
        """Deploy the functions, the topic (-> a notifications queue), the review queue and
        the state machine (``ship_catch`` as in :func:`fulfillment_definition`)."""
        services = Services(wait=env.sleep)
        handlers = services.handlers()
        functions = {n: deploy_function(env, f"{name}-{n}", handlers[n]) for n in FUNCTIONS}
        sns = env.client("sns")
        topic = sns.create_topic(Name=f"{name}-customer-notifications")["TopicArn"]
        notifications = create_queue(env, f"{name}-notifications", dlq=False)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=notifications.arn,
                      Attributes={"RawMessageDelivery": "true"})
        review = create_queue(env, f"{name}-review", dlq=False)
        definition = fulfillment_definition(functions, topic, review.url, ship_catch=ship_catch)
        arn = create_state_machine(env, name, definition)
        return cls(env, arn, services, functions, topic, notifications.url, review.url)

    def run(self, order: dict, *, name: str | None = None) -> dict:
        """One execution for ``order`` (waits for it, except at a manual review)."""
        self.runs += 1
        name = name or f"{order['order_id']}-{self.runs}"
        return run_execution(self.env, self.machine_arn, {"order": order}, name=name)

    def history(self, execution_arn: str) -> Any:
        """The execution history as a table."""
        return history_frame(self.env, execution_arn)

    def timeline(self, execution_arn: str, *, ax: Any = None) -> Any:
        """The execution's states over time."""
        return timeline(self.history(execution_arn), ax=ax, title=execution_arn.rsplit(":", 1)[-1])

    def review_token(self) -> str:
        """The task token of the oldest order waiting for review (from the review queue)."""
        sqs = self.env.client("sqs")
        message = sqs.receive_message(QueueUrl=self.review_url, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=self.review_url, ReceiptHandle=message["ReceiptHandle"])
        return json.loads(message["Body"])["token"]

    def notifications(self) -> list[dict]:
        """Customer notifications delivered so far (drained from the queue)."""
        sqs, out = self.env.client("sqs"), []
        while True:
            got = sqs.receive_message(QueueUrl=self.notifications_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for message in got:
                out.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.notifications_url, ReceiptHandle=message["ReceiptHandle"])

