"""Notebook 02: the AWS event services, what SecureCart uses each for, and each one live.

Every ``demo_*`` function creates what it needs (safe to run twice: it reuses what exists),
does one small thing with the real service API on the backend and returns a small, stable
result for the notebook to show. On moto, two things differ from AWS and are labelled where a
student sees them: Step Functions executions run only because the environment switches them
on (moto's ``execute_state_machine`` setting), and they run in a worker thread the demo waits
for in real time (a few milliseconds); DynamoDB Streams are reached with
``account_id_endpoint_mode="disabled"`` on the client (set by ``env.client``).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> demo_queue_order(env)["received order"]
'ord-00001'
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError

from ..data import OrderGenerator, load_catalogue, validate_event
from ..platform.errors import NotReadyError
from ..sqs.plumbing import allow_service_sends, drain, plain_queue, subscribe_queue

__all__ = [
    "SERVICE_TABLE",
    "FULFILLMENT_DEFINITION",
    "service_table",
    "demo_queue_order",
    "demo_broadcast_status",
    "demo_route_inventory_low",
    "demo_fulfillment_state_machine",
    "demo_clickstream",
    "demo_order_status_stream",
]

#: The six services: purpose, delivery model and SecureCart's use of each.
SERVICE_TABLE = (
    ("SQS", "queue: buffer work for one consumer group",
     "pull; at-least-once; FIFO: order per group",
     "orders queue to payments; DLQ for poison orders"),
    ("SNS", "topic: copy one message to many subscribers",
     "push; fan-out; filter policy per subscriber",
     "order-status to notifications and analytics"),
    ("EventBridge", "bus: route events by content with rules",
     "push; rules on source/detail-type; replay",
     "InventoryLow to restocking; new consumers"),
    ("Step Functions", "state machine: orchestrate steps",
     "one execution per order; full step history",
     "fulfillment: reserve stock, then ship"),
    ("Kinesis", "stream: ordered, replayable, high volume",
     "order per shard (partition key); 24 h",
     "clickstream of page views"),
    ("DynamoDB Streams", "change log of a table",
     "order per item; every change kept 24 h",
     "order status changes trigger notifications"),
)

#: The two-step fulfillment workflow (Amazon States Language): reserve stock, then ship.
FULFILLMENT_DEFINITION = {
    "Comment": "SecureCart fulfillment: reserve stock, then arrange shipment",
    "StartAt": "ReserveStock",
    "States": {
        "ReserveStock": {"Type": "Pass", "Result": {"reserved": True},
                         "ResultPath": "$.stock", "Next": "ArrangeShipment"},
        "ArrangeShipment": {"Type": "Pass", "Result": {"carrier": "SecureShip", "days": 2},
                            "ResultPath": "$.shipment", "End": True},
    },
}

#: A role ARN for the state machine (moto does not check it; on AWS pass a real role).
STATE_MACHINE_ROLE = "arn:aws:iam::{account}:role/securecart-stepfunctions"


def service_table() -> pd.DataFrame:
    """The six AWS event services as a table (purpose, delivery, SecureCart's use).

    Example
    -------
    >>> service_table().index.tolist()[:3]
    ['SQS', 'SNS', 'EventBridge']
    """
    frame = pd.DataFrame(SERVICE_TABLE, columns=["service", "purpose", "delivery",
                                                 "SecureCart uses it for"])
    return frame.set_index("service")


# -- shared pieces --------------------------------------------------------------------------
def _short(env: Any, name: str) -> str:
    return name.removeprefix(env.prefix)


def _first_order(env: Any) -> dict:
    return OrderGenerator(seed=env.seed).orders(1)[0]


# -- SQS --------------------------------------------------------------------------------
def demo_queue_order(env: Any) -> pd.Series:
    """SQS: the orders service queues an order; the payments worker takes it and deletes it.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> demo_queue_order(env)["messages left"]
    0
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    url, _ = plain_queue(env, "orders")
    order = _first_order(env)
    with env.acting("orders"):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(order))
    with env.acting("payments"):
        message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1,
                                      WaitTimeSeconds=0)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    body = json.loads(message["Body"])
    return pd.Series({
        "queue": _short(env, url.rsplit("/", 1)[-1]),
        "sent order": order["order_id"],
        "received order": body["order_id"],
        "total": body["total"],
        "receive count": int(message["Attributes"]["ApproximateReceiveCount"]),
        "messages left": int(left["Attributes"]["ApproximateNumberOfMessages"]),
    })


# -- SNS --------------------------------------------------------------------------------
def demo_broadcast_status(env: Any,
                          statuses: tuple[str, ...] = ("placed", "paid", "shipped")) -> pd.DataFrame:
    """SNS: one publish per status change reaches every subscriber whose filter matches.

    The ``order-status`` topic fans out to ``notifications`` (filter policy: status shipped
    or delivered) and ``analytics`` (no filter).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> demo_broadcast_status(env).loc["notifications", "received"]
    'shipped'
    >>> _ = env.teardown()
    """
    sns = env.client("sns")
    topic = sns.create_topic(Name="order-status")["TopicArn"]
    filters = {"notifications": {"status": ["shipped", "delivered"]}, "analytics": None}
    urls = {}
    for name, policy in filters.items():
        urls[name] = subscribe_queue(env, topic, name, filter_policy=policy)
    order = _first_order(env)
    for seq, status in enumerate(statuses, start=1):
        detail = validate_event("OrderStatusChanged", {
            "order_id": order["order_id"], "customer_id": order["customer_id"], "seq": seq,
            "status": status})
        with env.acting("orders"):
            sns.publish(TopicArn=topic, Message=json.dumps(detail), MessageAttributes={
                "status": {"DataType": "String", "StringValue": status}})
    rows = []
    for name, policy in filters.items():
        got = drain(env, urls[name], actor=name)
        rows.append((name, json.dumps(policy) if policy else "(none: everything)",
                     ", ".join(b["status"] for b in got) or "-"))
    return pd.DataFrame(rows, columns=["subscriber", "filter policy", "received"]).set_index("subscriber")


# -- EventBridge -------------------------------------------------------------------------
def demo_route_inventory_low(env: Any) -> pd.DataFrame:
    """EventBridge: a rule routes InventoryLow events (and nothing else) to restocking.

    The ``securecart`` bus has a rule ``inventory-low`` whose pattern matches
    ``detail-type: InventoryLow`` from ``securecart.inventory``; its target is the
    ``restock`` queue. Two events are put: an InventoryLow and an OrderPlaced.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> demo_route_inventory_low(env)["delivered to"].tolist()
    ['restock', '(no rule matched)']
    >>> _ = env.teardown()
    """
    events = env.client("events")
    bus = env.name("securecart", "events")
    if not any(b["Name"] == bus for b in events.list_event_buses(NamePrefix=bus)["EventBuses"]):
        events.create_event_bus(Name=bus)
    pattern = {"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]}
    rule_arn = events.put_rule(Name="inventory-low", EventBusName=bus,
                               EventPattern=json.dumps(pattern))["RuleArn"]
    url, arn = plain_queue(env, "restock")
    allow_service_sends(env, url, arn, source_arn=rule_arn, principal="events.amazonaws.com")
    events.put_targets(Rule="inventory-low", EventBusName=bus, Targets=[{"Id": "restock", "Arn": arn}])
    low = min(load_catalogue(), key=lambda p: (p["stock"] - p["restock_threshold"], p["sku"]))
    order = _first_order(env)
    entries = [
        ("securecart.inventory", "InventoryLow", validate_event("InventoryLow", {
            "sku": low["sku"], "stock": low["stock"], "restock_threshold": low["restock_threshold"]})),
        ("securecart.orders", "OrderPlaced", validate_event("OrderPlaced", order)),
    ]
    with env.acting("inventory"):
        reply = events.put_events(Entries=[
            {"Source": s, "DetailType": t, "Detail": json.dumps(d), "EventBusName": bus}
            for s, t, d in entries])
    if reply["FailedEntryCount"]:
        raise NotReadyError(f"PutEvents rejected {reply['FailedEntryCount']} of 2 entries: "
                            f"{reply['Entries']}")
    arrived = {b["detail-type"]: b for b in drain(env, url, actor="restocking")}
    rows = [(t, s, "restock" if t in arrived else "(no rule matched)") for s, t, _ in entries]
    return pd.DataFrame(rows, columns=["detail-type", "source", "delivered to"])


# -- Step Functions ---------------------------------------------------------------------
def _state_machine(env: Any) -> str:
    sfn = env.client("stepfunctions")
    name = env.name("fulfillment", "stepfunctions")
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                return machine["stateMachineArn"]
    return sfn.create_state_machine(
        name="fulfillment", definition=json.dumps(FULFILLMENT_DEFINITION),
        roleArn=STATE_MACHINE_ROLE.format(account=env.account or "123456789012"),
    )["stateMachineArn"]


def demo_fulfillment_state_machine(env: Any, *, max_wait_seconds: float = 30.0) -> dict[str, Any]:
    """Step Functions: run the two-step fulfillment workflow for one order.

    Parameters
    ----------
    env
        The environment. On moto, executions run because ``helpers.connect`` switches
        them on (emulated on moto: moto runs them in a worker thread; the demo waits for it
        in real time, milliseconds). On AWS it polls every second on the real clock.
    max_wait_seconds
        Give up waiting after this long (real seconds).

    Returns
    -------
    dict
        Status, the states entered in order, and the execution's output.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> demo_fulfillment_state_machine(env)["states"]
    'ReserveStock -> ArrangeShipment'
    >>> _ = env.teardown()
    """
    sfn = env.client("stepfunctions")
    machine = _state_machine(env)
    order = _first_order(env)
    runs = sfn.list_executions(stateMachineArn=machine)["executions"]
    name = f"{order['order_id']}-{len(runs) + 1}"  # execution names are unique per machine
    arn = sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps(
        {"order_id": order["order_id"], "total": order["total"]}))["executionArn"]
    deadline = time.monotonic() + max_wait_seconds
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        if env.local:
            time.sleep(0.005)  # moto's worker thread, not simulated time
        else:
            env.sleep(1)
    history = sfn.get_execution_history(executionArn=arn)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history
               if "stateEnteredEventDetails" in e]
    return {
        "state machine": _short(env, machine.rsplit(":", 1)[-1]),
        "status": described["status"],
        "states": " -> ".join(entered),
        "output": json.loads(described.get("output") or "null"),
    }


# -- Kinesis ----------------------------------------------------------------------------
def demo_clickstream(env: Any, *, clicks: int = 8, shards: int = 2) -> pd.DataFrame:
    """Kinesis: put clickstream records on a two-shard stream and read each shard back.

    The partition key is the customer id, so one customer's clicks land on one shard in
    order; the two shards are read independently.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> sorted(demo_clickstream(env)["shard"].unique().tolist())
    ['shardId-000000000000', 'shardId-000000000001']
    >>> _ = env.teardown()
    """
    kinesis = env.client("kinesis")
    try:
        kinesis.describe_stream_summary(StreamName="clickstream")
    except ClientError:
        kinesis.create_stream(StreamName="clickstream", ShardCount=shards)
        kinesis.get_waiter("stream_exists").wait(StreamName="clickstream")
    catalogue = load_catalogue()
    orders = OrderGenerator(seed=env.seed).orders(clicks, customers=3)
    first: dict[str, str] = {}
    with env.acting("web"):
        for k, order in enumerate(orders):
            page = catalogue[k % len(catalogue)]["sku"]
            reply = kinesis.put_record(
                StreamName="clickstream", PartitionKey=order["customer_id"],
                Data=json.dumps({"customer_id": order["customer_id"], "page": page, "n": k + 1}).encode())
            first.setdefault(reply["ShardId"], reply["SequenceNumber"])
    rows = []
    for shard in sorted(first):
        iterator = kinesis.get_shard_iterator(
            StreamName="clickstream", ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=first[shard])["ShardIterator"]
        for record in kinesis.get_records(ShardIterator=iterator, Limit=clicks)["Records"]:
            data = json.loads(record["Data"])
            rows.append((shard, record["PartitionKey"], data["n"], data["page"]))
    return pd.DataFrame(rows, columns=["shard", "partition key", "click", "page"])


# -- DynamoDB Streams -------------------------------------------------------------------
def demo_order_status_stream(env: Any, *, new_status: str = "shipped") -> pd.DataFrame:
    """DynamoDB Streams: change an order's status and read the change from the table's stream.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> demo_order_status_stream(env)[["event", "old status", "new status"]].values.tolist()
    [['MODIFY', 'placed', 'shipped']]
    >>> _ = env.teardown()
    """
    dynamodb, streams = env.client("dynamodb"), env.client("dynamodbstreams")
    try:
        table = dynamodb.describe_table(TableName="order-table")["Table"]
    except ClientError:
        dynamodb.create_table(
            TableName="order-table", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        dynamodb.get_waiter("table_exists").wait(TableName="order-table")
        table = dynamodb.describe_table(TableName="order-table")["Table"]
    order = _first_order(env)
    key = {"order_id": {"S": order["order_id"]}}
    dynamodb.put_item(TableName="order-table", Item={**key, "status": {"S": "placed"},
                                                     "total": {"N": str(order["total"])}})
    stream = table["LatestStreamArn"]
    shards = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"]
    iterators = [streams.get_shard_iterator(StreamArn=stream, ShardId=s["ShardId"],
                                            ShardIteratorType="LATEST")["ShardIterator"]
                 for s in shards]
    with env.acting("orders"):
        dynamodb.update_item(TableName="order-table", Key=key, UpdateExpression="SET #s = :s",
                             ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues={":s": {"S": new_status}})
    rows = []
    for iterator in iterators:
        for record in streams.get_records(ShardIterator=iterator)["Records"]:
            change = record["dynamodb"]
            old = change.get("OldImage", {}).get("status", {}).get("S", "-")
            new = change.get("NewImage", {}).get("status", {}).get("S", "-")
            rows.append((record["eventName"], change["Keys"]["order_id"]["S"], old, new,
                         change["StreamViewType"]))
    return pd.DataFrame(rows, columns=["event", "order_id", "old status", "new status", "view type"])
