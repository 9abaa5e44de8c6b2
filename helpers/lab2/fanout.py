"""Lab 2 experiments 1-3: fan-out, multi-protocol delivery, message filtering."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..sns.outbox import outbox
from ..sns.plots import delivery_matrix, plot_delivery_matrix
from ..sns.propagation import note_filter_change
from ..sns.publisher import publish_event, publish_events
from ..sns.subscriptions import subscribe_email, subscribe_sms
from ..sqs.plumbing import drain
from .common import (
    customers,
    fresh_name,
    fresh_queue_subscription,
    fresh_topic,
    labels_of,
    payment_events,
    status_events,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

__all__ = ["FanOutResult", "experiment_fanout", "OutboxResult", "experiment_multi_protocol",
           "FilteringResult", "experiment_filtering", "SECURITY_POLICY", "FRAUD_POLICY"]

#: The security team's filter: failed payments only (message attributes).
SECURITY_POLICY = {"status": ["failed"]}
#: The fraud team's filter: high-value orders, on the message body.
FRAUD_POLICY = {"amount": [{"numeric": [">=", 500]}]}


@dataclass(repr=False)
class FanOutResult:
    """Experiment 1: who received one event, by fan-out and by a point-to-point queue."""

    received: dict[str, int]
    point_to_point: dict[str, int]
    after_adding: dict[str, int]

    def __repr__(self) -> str:
        lines = ["Fan-out (1 OrderStatusChanged published to the topic):"]
        lines += [f"  {name:<24} received {n}" for name, n in self.received.items()]
        lines.append("Point-to-point (the same event sent to one Lab 1 queue, 3 competing consumers):")
        lines += [f"  {name:<24} received {n}" for name, n in self.point_to_point.items()]
        lines.append("A loyalty subscriber added; the publisher unchanged (1 more event published):")
        lines += [f"  {name:<24} received {n}" for name, n in self.after_adding.items()]
        return "\n".join(lines)


def experiment_fanout(env: Environment) -> FanOutResult:
    """One event to three subscriber queues; the same on one queue; then a fourth subscriber."""
    topic = fresh_topic(env, "order-status")
    names = ("customer-notifications", "analytics", "support")
    subs = [fresh_queue_subscription(env, topic, n, raw=True) for n in names]
    event = status_events(1)[1]
    publish_event(env, topic, event)
    received = {s.label: len(drain(env, s.queue_url, actor=s.label)) for s in subs}
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=fresh_name(env, "orders-p2p", "queue"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    p2p = {f"consumer-{k}": len(drain(env, url, actor=f"consumer-{k}")) for k in (1, 2, 3)}
    subs.append(fresh_queue_subscription(env, topic, "loyalty", raw=True))
    publish_event(env, topic, status_events(1)[2])
    after = {s.label: len(drain(env, s.queue_url, actor=s.label)) for s in subs}
    return FanOutResult(received, p2p, after)


@dataclass(repr=False)
class OutboxResult:
    """Experiment 2: the SMS confirmations and invoice e-mails, as the outbox recorded them."""

    table: pd.DataFrame

    def __repr__(self) -> str:
        counts = self.table.groupby("protocol").size().to_dict()
        return (f"{counts.get('sms', 0)} SMS and {counts.get('email', 0)} e-mails for "
                f"{self.table['recipient'].str.contains('@').sum()} customers "
                "(outbox: emulated on moto)")


def experiment_multi_protocol(env: Environment, n_customers: int = 3) -> OutboxResult:
    """An order confirmation by SMS and an invoice by e-mail for each of ``n_customers``.

    Each customer's subscriptions filter on ``customer_id``, so every customer gets only
    their own messages.
    """
    confirmations = fresh_topic(env, "order-confirmations")
    invoices = fresh_topic(env, "invoices")
    sns = env.client("sns")
    people = customers(n_customers)
    for person in people:
        policy = f'{{"customer_id": ["{person["customer_id"]}"]}}'
        for sub in (subscribe_sms(env, confirmations, person["phone"]),
                    subscribe_email(env, invoices, person["email"])):
            sns.set_subscription_attributes(SubscriptionArn=sub.arn, AttributeName="FilterPolicy",
                                            AttributeValue=policy)
            note_filter_change(env, sub.topic_arn)
    mark = len(outbox(env))
    for k, person in enumerate(people, start=1):
        order = {"type": "OrderPlaced", "order_id": f"ord-9{k:04d}",
                 "customer_id": person["customer_id"], "amount": 40.0 + 15 * k}
        sns.publish(TopicArn=confirmations.arn, MessageAttributes={"customer_id": {
            "DataType": "String", "StringValue": person["customer_id"]}},
            Message=f"SecureCart: order {order['order_id']} confirmed, ${order['amount']:.2f}.")
        publish_event(env, invoices, order, subject=f"Your SecureCart invoice {order['order_id']}")
    table = outbox(env).iloc[mark:].reset_index(drop=True)
    table["message"] = table["message"].str.slice(0, 60)
    return OutboxResult(table[["protocol", "recipient", "subject", "message", "source"]])


@dataclass(repr=False)
class FilteringResult:
    """Experiment 3: 100 payments through three subscriptions with different filters."""

    published: int
    failed: int
    high_value: int
    received: dict[str, int]
    matrix: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        noise = self.published - self.failed
        lines = [f"{self.published} payments published: {self.failed} failed, "
                 f"{self.high_value} of $500 or more"]
        lines += [f"  {name:<16} received {n:>3}" for name, n in self.received.items()]
        lines.append(f"Without its filter the security team would get {self.published} "
                     f"messages, {noise} of them noise ({noise / self.published:.0%}).")
        return "\n".join(lines)

    def figure(self) -> Figure:
        """The delivery matrix: each payment x each subscriber."""
        return plot_delivery_matrix(self.matrix, title="Payments x subscribers")


def experiment_filtering(env: Environment, payments: int = 100, failed: int = 8) -> FilteringResult:
    """Security (attribute filter), fraud (body filter) and analytics (everything)."""
    topic = fresh_topic(env, "payments")
    security = fresh_queue_subscription(env, topic, "security-alerts", raw=True,
                                        filter_policy=SECURITY_POLICY)
    fraud = fresh_queue_subscription(env, topic, "fraud", raw=True, filter_policy=FRAUD_POLICY,
                                     scope="MessageBody")
    analytics = fresh_queue_subscription(env, topic, "analytics", raw=True)
    events = payment_events(env, payments, failed=failed)
    mark = env.log.mark()
    publish_events(env, topic, events)
    received = {s.label: len(drain(env, s.queue_url, actor=s.label))
                for s in (security, fraud, analytics)}
    matrix = delivery_matrix(env.log.to_frame(mark), labels_of(security, fraud, analytics))
    return FilteringResult(len(events), sum(e["status"] == "failed" for e in events),
                           sum(e["amount"] >= 500 for e in events), received, matrix)
