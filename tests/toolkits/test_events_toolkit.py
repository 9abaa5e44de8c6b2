"""helpers.events: one clear error per bad input (nothing half-created), batching and re-sends,
the schema registry, plots."""

from __future__ import annotations

import json

import pytest

import helpers.events as eb
from helpers.platform.errors import (
    EventTooLargeError,
    InvalidEventPatternError,
    InvalidParameterError,
    SchemaValidationError,
    TooManyEntriesError,
    UnknownTargetTypeError,
)


def _entry(i=0, bus="default"):
    return eb.entry("InventoryLow", {"sku": f"SKU-{i:04d}", "stock": 1, "restock_threshold": 5}, bus)


def test_invalid_pattern_json_is_one_clear_error_and_no_rule(env):
    with pytest.raises(InvalidEventPatternError, match=r'"detail-type" must be an object or an array.*Fix:'):
        eb.create_rule(env, "low", {"detail-type": "InventoryLow"})
    assert env.client("events").list_rules()["Rules"] == []


def test_unknown_target_type_is_one_clear_error(env):
    with pytest.raises(UnknownTargetTypeError, match="'s3'"):
        eb.target(env, "s3", "arn:aws:s3:::b")
    with pytest.raises(InvalidParameterError, match="not a sqs ARN"):
        eb.target(env, "sqs", "arn:aws:sns:us-east-1:123456789012:t")
    with pytest.raises(InvalidParameterError, match="MessageGroupId"):
        eb.target(env, "sqs", "arn:aws:sqs:us-east-1:123456789012:q.fifo")


def test_event_over_the_size_limit_is_refused_before_sending(env):
    big = eb.entry("OrderPlaced", {"x": "a" * 1_100_000})
    with pytest.raises(EventTooLargeError, match="1 MB since January 2026"):
        eb.publish(env, [big])
    assert env.log.to_frame().query("action == 'put-event'").empty


def test_eleven_entries_in_one_call_are_refused(env):
    with pytest.raises(TooManyEntriesError, match="at most 10"):
        eb.put_batch(env, [_entry(i) for i in range(11)])
    assert env.log.to_frame().query("action == 'put-event'").empty


def test_publish_batches_by_ten_and_resends_failed_entries(env):
    # GIVEN 25 good entries and one without Detail
    entries = [_entry(i) for i in range(25)] + [{"Source": "s", "DetailType": "d", "EventBusName": "default"}]
    # WHEN published
    result = eb.publish(env, entries, max_resends=2)
    # THEN 3 batches, the bad entry re-sent twice and reported failed with AWS's reason
    assert len(result.event_ids) == 25 and result.calls == 3 + 2 and result.resent == 2
    assert result.failed[0]["ErrorCode"] == "InvalidArgument"


def test_an_event_failing_its_schema_is_refused_naming_the_field(env):
    registry = eb.schema_registry(env)
    registry.register("InventoryLow")
    bad = eb.entry("InventoryLow", {"sku": "SKU-1", "stock": 1, "restock_threshold": 5})
    with pytest.raises(SchemaValidationError, match=r"\$\.sku"):
        eb.publish(env, [_entry(1), bad], registry=registry)
    assert env.log.to_frame().query("action == 'put-event'").empty  # nothing half-sent


def test_schema_versions_and_examples(env):
    registry = eb.schema_registry(env)
    assert registry.register("OrderPlaced") == "1"
    v2 = registry.schema("OrderPlaced")
    v2["properties"]["gift_message"] = {"type": "string"}
    assert registry.register("OrderPlaced", v2) == "2"
    assert registry.versions("OrderPlaced") == ["1", "2"]
    assert "gift_message" not in registry.schema("OrderPlaced", "1")["properties"]
    example = eb.example_from_schema(registry.schema("OrderPlaced"))
    assert registry.validate("OrderPlaced", example) == example


def test_plots_read_the_log(env):
    bus = eb.create_bus(env, "shop")
    url = env.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    rule = eb.create_rule(env, "low", {"detail-type": ["InventoryLow"]}, bus)
    eb.add_targets(env, rule, [eb.target(env, "sqs", eb.queue_arn(env, url))])
    eb.publish(env, [_entry(i, bus) for i in range(3)])
    frame = env.log.to_frame()
    routes = eb.plots.routes(frame)
    assert list(routes.event) == ["InventoryLow"] * 3 and set(routes.rule) == {rule.name}
    for fig in (eb.plots.routing_matrix(frame), eb.plots.events_per_rule(frame), eb.plots.retries_and_dlq(frame)):
        assert fig._repr_png_()[:4] == b"\x89PNG"


def test_cross_account_client_acts_in_that_account(env):
    security = eb.client_in_account(env, eb.SECURITY_ACCOUNT, "events")
    bus = eb.create_bus(env, "security", client=security)
    assert bus.account == eb.SECURITY_ACCOUNT and bus.name == f"{env.prefix}security"
    assert json.dumps(eb.bus_policy(env, bus, security)) == '{"Statement": []}'
