"""Notebook 02's pieces around each service's boto3 calls: safe to run twice, real results."""

from __future__ import annotations

import json

import pytest

from helpers.choosing import services
from helpers.course import topology
from helpers.platform import limits


def test_service_table_lists_six_services():
    assert services.service_table().index.tolist() == [
        "SQS", "SNS", "EventBridge", "Step Functions", "Kinesis", "DynamoDB Streams"]


def test_service_table_states_the_corrected_facts():
    table = services.service_table()["delivery"]
    assert "any field" in table["EventBridge"] and "no order" in table["EventBridge"]
    assert "archive and replay" in table["SNS"]
    assert "365 days" in table["Kinesis"]
    assert "fair queues" in table["SQS"]


def test_payload_limits_say_what_changed_and_when():
    table = services.payload_limits()
    assert table.loc["EventBridge", "largest (bytes)"] == limits.EVENTBRIDGE_MAX_EVENT_BYTES
    assert table.loc["EventBridge", "since"] == "January 2026"
    assert table.loc["SQS", "since"] == "August 2025"
    assert table.loc["SNS", "largest (bytes)"] == 262_144 and table.loc["SNS", "since"] == "unchanged"


def test_topic_fan_out_with_a_filter_policy(env):
    # GIVEN a topic with a filtered and an unfiltered subscriber queue
    sns = env.client("sns")
    topic = sns.create_topic(Name="order-status")["TopicArn"]
    urls = {}
    for name, policy in (("notifications", {"status": ["shipped"]}), ("analytics", None)):
        urls[name], arn = services.queue_for(env, name, sender=topic)
        attrs = {"RawMessageDelivery": "true"}
        if policy:
            attrs["FilterPolicy"] = json.dumps(policy)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attrs)
    # WHEN three statuses are published
    for status in ("placed", "paid", "shipped"):
        sns.publish(TopicArn=topic, Message=json.dumps({"status": status}), MessageAttributes={
            "status": {"DataType": "String", "StringValue": status}})
    # THEN each queue got what its filter lets through, in order
    table = services.arrivals(env, urls)
    assert table["received"].to_dict() == {"notifications": "shipped",
                                           "analytics": "placed, paid, shipped"}
    assert table["messages"].to_dict() == {"notifications": 1, "analytics": 3}


def test_rule_matches_a_detail_field(env):
    # GIVEN a rule on detail.stock < 5 with a queue target
    events = env.client("events")
    bus = services.event_bus(env)
    pattern = {"detail-type": ["InventoryLow"], "detail": {"stock": [{"numeric": ["<", 5]}]}}
    rule = events.put_rule(Name="low", EventBusName=bus, EventPattern=json.dumps(pattern))
    url, arn = services.queue_for(env, "restock", sender=rule["RuleArn"])
    events.put_targets(Rule="low", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    # WHEN two InventoryLow events and an OrderPlaced event are put
    reply = events.put_events(Entries=[
        {"EventBusName": bus, "Source": "s", "DetailType": "InventoryLow",
         "Detail": json.dumps({"sku": "SKU-1", "stock": 3})},
        {"EventBusName": bus, "Source": "s", "DetailType": "InventoryLow",
         "Detail": json.dumps({"sku": "SKU-2", "stock": 12})},
        {"EventBusName": bus, "Source": "s", "DetailType": "OrderPlaced", "Detail": "{}"}])
    # THEN only the event whose detail matches arrives
    assert reply["FailedEntryCount"] == 0
    assert services.arrivals(env, {"restock": url}).loc["restock", "received"] == \
        "InventoryLow SKU-1 (stock 3)"


def test_fulfillment_execution_runs_both_steps(env):
    sfn = env.client("stepfunctions")
    machine = services.fulfillment_machine(env)
    assert services.fulfillment_machine(env) == machine  # created once
    name = services.execution_name(env, machine, "ord-00001")
    run = sfn.start_execution(stateMachineArn=machine, name=name, input='{"order_id": "ord-00001"}')
    done = services.wait_for_execution(env, run["executionArn"])
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"])["shipment"]["carrier"] == "SecureShip"
    assert services.execution_name(env, machine, "ord-00001") == "ord-00001-2"


def test_stream_keeps_each_partition_key_on_one_shard(env):
    kinesis = env.client("kinesis")
    services.clickstream_stream(env, shards=2)
    assert services.clickstream_stream(env)  # reused
    for n, customer in enumerate(["cus-003", "cus-002", "cus-003", "cus-001"] * 2, start=1):
        kinesis.put_record(StreamName="clickstream", PartitionKey=customer,
                           Data=json.dumps({"click": n}).encode())
    seen: dict[str, set[str]] = {}
    for shard in kinesis.list_shards(StreamName="clickstream")["Shards"]:
        it = kinesis.get_shard_iterator(StreamName="clickstream", ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        clicks = []
        for record in kinesis.get_records(ShardIterator=it)["Records"]:
            seen.setdefault(record["PartitionKey"], set()).add(shard["ShardId"])
            clicks.append(json.loads(record["Data"])["click"])
        assert clicks == sorted(clicks)
    assert all(len(shards) == 1 for shards in seen.values()) and len(seen) == 3


def test_order_status_changes_on_the_stream_and_the_pipe_is_drawn(env):
    # GIVEN the orders table with its stream, and a pipe to a notifications queue
    stream = services.order_table(env)
    _, queue = services.queue_for(env, "notifications")
    services.status_pipe(env, stream, queue)
    services.status_pipe(env, stream, queue)  # safe twice
    dynamodb = env.client("dynamodb")
    key = {"order_id": {"S": "ord-00001"}}
    # WHEN the order is placed and then shipped
    dynamodb.put_item(TableName="order-table", Item={**key, "status": {"S": "placed"}})
    dynamodb.update_item(TableName="order-table", Key=key, UpdateExpression="SET #s = :s",
                         ExpressionAttributeNames={"#s": "status"},
                         ExpressionAttributeValues={":s": {"S": "shipped"}})
    # THEN the stream holds both changes in order, and the topology has the promised edge
    assert services.stream_changes(env, stream).values.tolist() == [
        ["INSERT", "ord-00001", "-", "placed"], ["MODIFY", "ord-00001", "placed", "shipped"]]
    edges = topology.edge_table(topology.build_topology(env)).values.tolist()
    assert edges == [["order-table", "notifications", "pipe", "pipe (eventName: MODIFY)"]]
    # AND teardown deletes the pipe first
    assert env.teardown(quiet=True)[0].startswith("pipe ")


@pytest.mark.parametrize("backend", ["server"])
def test_pieces_on_the_server_backend(server_env, backend):
    machine = services.fulfillment_machine(server_env)
    run = server_env.client("stepfunctions").start_execution(
        stateMachineArn=machine, name="x", input="{}")
    assert services.wait_for_execution(server_env, run["executionArn"])["status"] == "SUCCEEDED"
    stream = services.order_table(server_env)
    server_env.client("dynamodb").put_item(TableName="order-table", Item={
        "order_id": {"S": "o"}, "status": {"S": "placed"}})
    assert services.stream_changes(server_env, stream)["event"].tolist() == ["INSERT"]
