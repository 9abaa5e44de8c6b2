"""Pins of the SNS and EventBridge routing stand-ins (helpers/emulation/sns/, events/)."""

from __future__ import annotations

import json

import boto3
import moto
import pytest


def _queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _depth(sqs, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_sns_deliveries_and_filter_drops_are_logged(env):
    # GIVEN a topic with one filtered SQS subscription
    sns, sqs = env.client("sns"), env.client("sqs")
    topic = sns.create_topic(Name="status")["TopicArn"]
    url = sqs.create_queue(QueueName="emails")["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(sqs, url),
                  Attributes={"FilterPolicy": json.dumps({"status": ["shipped"]})})
    # WHEN one matching and one non-matching status are published
    for status in ("shipped", "paid"):
        sns.publish(TopicArn=topic, Message=status,
                    MessageAttributes={"status": {"DataType": "String", "StringValue": status}})
    # THEN one deliver and one filter-drop row name the queue, and only one message arrived
    frame = env.log.to_frame()
    rows = frame[frame.action.isin(["deliver", "filter-drop"])]
    assert list(rows.action) == ["deliver", "filter-drop"]
    assert set(rows.resource) == {f"{env.prefix}emails"}
    assert '{"status": ["shipped"]}' in rows.detail.iloc[1]
    assert _depth(sqs, url) == 1


@pytest.mark.parametrize("enabled", [True, False])
def test_eventbridge_routes_are_logged_and_disabled_rules_deliver_nothing(env, enabled):
    # GIVEN a rule for InventoryLow with an SQS target, enabled or disabled
    events, sqs = env.client("events"), env.client("sqs")
    url = sqs.create_queue(QueueName="restock")["QueueUrl"]
    events.put_rule(Name="low", EventPattern=json.dumps({"detail-type": ["InventoryLow"]}),
                    State="ENABLED" if enabled else "DISABLED")
    events.put_targets(Rule="low", Targets=[{"Id": "restock", "Arn": _queue_arn(sqs, url)}])
    # WHEN an InventoryLow event is put
    events.put_events(Entries=[{"Source": "securecart.inventory", "DetailType": "InventoryLow",
                                "Detail": json.dumps({"sku": "SKU-0008"})}])
    # THEN an enabled rule routes it (one route row, one message); a disabled one does not
    routes = env.log.to_frame().query("action == 'route'")
    assert len(routes) == 1
    if enabled:
        assert routes.outcome.iloc[0] == "ok" and _depth(sqs, url) == 1
    else:
        assert routes.outcome.iloc[0] == "skipped: rule disabled" and _depth(sqs, url) == 0


def test_moto_alone_still_delivers_through_a_disabled_rule():
    # GIVEN plain moto, no helpers: a DISABLED rule with an SQS target
    with moto.mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="restock")["QueueUrl"]
        events.put_rule(Name="low", EventPattern=json.dumps({"detail-type": ["InventoryLow"]}),
                        State="DISABLED")
        events.put_targets(Rule="low", Targets=[{"Id": "r", "Arn": _queue_arn(sqs, url)}])
        # WHEN an event matches it
        events.put_events(Entries=[{"Source": "s", "DetailType": "InventoryLow", "Detail": "{}"}])
        # THEN moto delivers anyway (AWS does not): when this fails, moto fixed it and the
        # stand-in can go
        assert _depth(sqs, url) == 1
