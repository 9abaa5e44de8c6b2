"""Lab 2 shared pieces: SecureCart's events, fresh resource names, hints, the result base."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..course.checks import HintBook
from ..course.grading import book_of
from ..data import OrderGenerator, load_customers
from ..sns.subscriptions import Subscription, subscribe_queue
from ..sns.topics import Topic, create_topic

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["REGIONS", "status_events", "payment_events", "fresh_topic", "fresh_queue_subscription",
           "hint_book", "customers", "fresh_name", "labels_of", "STATUSES"]

#: The AWS Regions SecureCart's orders come from (a message attribute subscribers filter on).
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
#: An order's statuses, in the order its life produces them.
STATUSES = ("created", "paid", "shipped")


def customers(n: int = 3) -> list[dict[str, Any]]:
    """The first ``n`` fictional customers (phones in the reserved 555-01xx range)."""
    return load_customers()[:n]


def status_events(orders: int = 4, *, seed: int = 11) -> list[dict[str, Any]]:
    """``OrderStatusChanged`` events: created, paid, shipped for each order, interleaved."""
    batch = OrderGenerator(seed=seed).orders(orders)
    events = []
    for status in STATUSES:
        for k, order in enumerate(batch):
            events.append({"type": "OrderStatusChanged", "event_id": f"{order['order_id']}-{status}",
                           "order_id": order["order_id"], "customer_id": order["customer_id"],
                           "status": status, "amount": order["total"],
                           "region": REGIONS[k % len(REGIONS)]})
    return events


def payment_events(env: Environment, n: int = 100, *, failed: int = 8,
                   seed: int = 5) -> list[dict[str, Any]]:
    """``n`` payment events, exactly ``failed`` of them failed (seeded positions)."""
    batch = OrderGenerator(seed=seed).payments(n)
    rng = env.random(f"lab2-payments-{seed}")
    bad = set(rng.sample(range(n), failed))
    return [{"type": "PaymentFailed" if i in bad else "PaymentAuthorized",
             "event_id": f"pay-{p['order_id']}", "order_id": p["order_id"],
             "customer_id": p["customer_id"], "status": "failed" if i in bad else "authorized",
             "amount": p["amount"], "region": REGIONS[rng.randrange(len(REGIONS))]}
            for i, p in enumerate(batch)]


def _taken(env: Environment, kind: str) -> set[str]:
    return {ident.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for ident in env.resources.of(kind)}


def fresh_name(env: Environment, base: str, kind: str, suffix: str = "") -> str:
    """``base`` or ``base-2``... : a name this environment has not used (a re-run starts empty)."""
    taken, n = _taken(env, kind), 1
    while env.name(f"{base}{'' if n == 1 else f'-{n}'}{suffix}", "sns" if kind == "topic"
                   else "sqs") in taken:
        n += 1
    return base if n == 1 else f"{base}-{n}"


def fresh_topic(env: Environment, base: str, **options: Any) -> Topic:
    """A new topic named ``base`` (``base-2`` when this environment already has one)."""
    return create_topic(env, fresh_name(env, base, "topic", ".fifo" if options.get("fifo") else ""),
                        **options)


def fresh_queue_subscription(env: Environment, topic: Topic, base: str,
                             **options: Any) -> Subscription:
    """``subscribe_queue`` with a queue name this environment has not used; label ``base``."""
    fifo = options.get("fifo")
    fifo = topic.fifo if fifo is None else fifo
    sub = subscribe_queue(env, topic, fresh_name(env, base, "queue", ".fifo" if fifo else ""),
                          **options)
    return Subscription(base, *(getattr(sub, f) for f in (
        "arn", "topic_arn", "protocol", "endpoint", "queue_url", "dlq_url", "raw",
        "filter_policy", "scope")))


def hint_book(env: Environment) -> HintBook:
    """This environment's hint tiers for Lab 2's exercises (a fresh connect starts again)."""
    return book_of(env, "helpers.lab2")


def labels_of(*subs: Subscription) -> dict[str, str]:
    """Full resource names (as ``env.log`` has them) -> the subscriptions' short labels."""
    out = {}
    for sub in subs:
        out[sub.endpoint.rsplit(":", 1)[-1].rsplit("/", 1)[-1]] = sub.label
        if sub.dlq_url:
            out[sub.dlq_url.rsplit("/", 1)[-1]] = f"{sub.label}-dlq"
    return out
