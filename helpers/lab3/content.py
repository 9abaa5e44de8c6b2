"""Lab 3 sections 3-4: content filtering with tested patterns, the input transformer, the schema registry.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> table = pattern_table(env)
>>> list(table.columns)[:2]
['event', 'high-value']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import events as eb
from ..platform.errors import SchemaValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["PATTERNS", "SAMPLES", "pattern_table", "NOTIFICATION_TRANSFORMER", "transformed_messages",
           "schema_story"]

#: The three content-filtering rules of section 3.
PATTERNS = {
    "high-value": {"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">=", 500]}]}},
    "us-east-1-only": {"detail-type": ["OrderPlaced"], "region": ["us-east-1"]},
    "not-test-traffic": {"source": [{"anything-but": {"prefix": "securecart.test"}}]},
}

#: Sample events (detail-type, detail, source, region) the patterns are tested against.
SAMPLES = [
    ("big order", "OrderPlaced", {"order_id": "ord-00001", "total": 812.4}, "securecart.orders", "us-east-1"),
    ("small order", "OrderPlaced", {"order_id": "ord-00002", "total": 18.3}, "securecart.orders", "us-east-1"),
    ("EU order", "OrderPlaced", {"order_id": "ord-00003", "total": 640.0}, "securecart.orders", "eu-west-1"),
    ("load test", "OrderPlaced", {"order_id": "ord-99999", "total": 999.0}, "securecart.test.load", "us-east-1"),
]

#: The customer-facing message of section 3 (exercise 2 writes one like it).
NOTIFICATION_TRANSFORMER = {
    "InputPathsMap": {"order": "$.detail.order_id", "total": "$.detail.total"},
    "InputTemplate": '{"message": "Thank you! Order <order> is confirmed.", "order_id": "<order>", "total": <total>}',
}


def pattern_table(env: Environment) -> pd.DataFrame:
    """``TestEventPattern`` of every pattern against every sample: the table to read before deploying."""
    rows = []
    for label, detail_type, detail, source, region in SAMPLES:
        event = eb.sample_event(env, detail_type, detail, source=source, region=region)
        rows.append({"event": label, **{name: eb.test_pattern(env, p, event) for name, p in PATTERNS.items()}})
    return pd.DataFrame(rows)


def transformed_messages(env: Environment, bus: eb.Bus, transformer: dict[str, Any],
                         orders: list[dict[str, Any]], name: str = "customer-messages") -> list[str]:
    """Route ``orders`` through a rule whose SQS target applies ``transformer``; the bodies received."""
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    rule = eb.create_rule(env, f"{name}-rule", {"detail-type": ["OrderPlaced"]}, bus)
    eb.add_targets(env, rule, [eb.target(env, "sqs", eb.queue_arn(env, url), id="customer", transformer=transformer)])
    eb.publish(env, [eb.entry("OrderPlaced", o, bus) for o in orders])
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        bodies += [m["Body"] for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    env.client("events").remove_targets(Rule=rule.name, EventBusName=bus.name, Ids=["customer"])
    env.client("events").delete_rule(Name=rule.name, EventBusName=bus.name)
    return bodies


def schema_story(env: Environment, bus: eb.Bus, order: dict[str, Any]) -> list[str]:
    """Register OrderPlaced v1, publish a valid and an invalid event, evolve to v2 (optional
    ``gift_message``) and read a v2 event with a v1 consumer; one line per step."""
    registry = eb.schema_registry(env)
    lines = [f"registered OrderPlaced version {registry.register('OrderPlaced')} in {registry.name}"]
    result = eb.publish(env, [eb.entry("OrderPlaced", order, bus)], registry=registry)
    lines.append(f"valid order {order['order_id']}: {result}")
    broken = {**order, "total": -5}
    try:
        eb.publish(env, [eb.entry("OrderPlaced", broken, bus)], registry=registry)
    except SchemaValidationError as error:
        lines.append(f"invalid order refused before sending: {error}".split(" Fix:")[0])
    v2 = json.loads(json.dumps(registry.schema("OrderPlaced")))
    v2["properties"]["gift_message"] = {"type": "string", "maxLength": 200}
    lines.append(f"registered OrderPlaced version {registry.register('OrderPlaced', v2)} "
                 "(new optional field gift_message)")
    gift = {**order, "gift_message": "Happy birthday!"}
    eb.publish(env, [eb.entry("OrderPlaced", gift, bus)], registry=registry)
    v1_fields = {k: gift[k] for k in registry.schema("OrderPlaced", "1")["required"]}
    lines.append(f"a v1 consumer reads the v2 event's required fields unchanged: {sorted(v1_fields)}")
    try:
        registry.validate("OrderPlaced", gift, version="1")
    except SchemaValidationError:
        lines.append("(v1 with additionalProperties false would refuse it: evolve consumers with tolerant readers)")
    lines.append(f"versions: {registry.versions('OrderPlaced')}")
    return lines
