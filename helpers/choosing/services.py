"""Notebook 02: the AWS event services, what SecureCart uses each for, and the pieces around
each service's live boto3 calls.

The notebook makes each service's concept call itself (``send_message``, ``subscribe`` and
``publish``, ``put_rule`` and ``put_events``, ``start_execution``, ``put_record`` and
``get_records``, ``update_item``); the functions here create what surrounds those calls (queues
with the policy that lets a topic or rule send to them, the bus, the state machine, the
stream, the table, the pipe), each safe to run twice, and read results back as small tables.

On moto, two things differ from AWS and are labelled where a student sees them: Step
Functions executions run only because the environment switches them on (moto's
``execute_state_machine`` setting), in a worker thread :func:`wait_for_execution` waits for in
real time (milliseconds); EventBridge Pipes are control plane only on moto (the pipe exists
and is drawn; moto does not run it). DynamoDB Streams are reached with
``account_id_endpoint_mode="disabled"`` on the client (set by ``env.client``).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> url, arn = queue_for(env, "inbox")
>>> arn.rsplit(":", 1)[-1]
'securecart-demo-inbox'
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError

from ..data import OrderGenerator
from ..platform import limits
from ..platform.clock import real_sleep
from ..platform.errors import NotReadyError
from ..sqs.plumbing import allow_service_sends, drain, plain_queue

__all__ = [
    "SERVICE_TABLE",
    "PAYLOAD_LIMITS",
    "FULFILLMENT_DEFINITION",
    "ROLE_ARN",
    "service_table",
    "payload_limits",
    "first_order",
    "queue_for",
    "arrivals",
    "event_bus",
    "fulfillment_machine",
    "execution_name",
    "wait_for_execution",
    "clickstream_stream",
    "order_table",
    "stream_changes",
    "status_pipe",
]

#: The six services: purpose, delivery model and SecureCart's use of each.
SERVICE_TABLE = (
    ("SQS", "queue: buffer work for one consumer group",
     "pull; at-least-once, best-effort order; FIFO: order per group; fair queues even out "
     "tenants",
     "orders queue to payments; DLQ for poison orders"),
    ("SNS", "topic: copy one message to many subscribers",
     "push; fan-out; filter policy per subscriber; FIFO topics: order, archive and replay",
     "order-status to notifications and analytics"),
    ("EventBridge", "bus: route events by content (two buses)",
     "Custom Event Bus - Classic (rules, targets): push; rules match any field (detail too); "
     "at-least-once, no order; replay from an archive. Custom Event Bus (subscribers): FIFO "
     "order per event group, deduplication at publish, every event retained 1-365 days; a new "
     "subscriber starts in the past",
     "InventoryLow to restocking (Classic); per-customer order events (Custom)"),
    ("Step Functions", "state machine: orchestrate steps",
     "one execution per order; full step history",
     "fulfillment: reserve stock, then ship"),
    ("Kinesis", "stream: ordered, replayable, high volume",
     "order per shard (partition key); kept 24 h by default, up to 365 days",
     "clickstream of page views"),
    ("DynamoDB Streams", "change log of a table",
     "order per item; every change kept 24 h",
     "order status changes trigger notifications"),
)

#: Largest payload per service: (service, what, bytes, since, before, source).
PAYLOAD_LIMITS = (
    ("SQS", "message, attributes included", limits.SQS_MAX_MESSAGE_BYTES, "August 2025",
     "256 KiB", "AWS What's New: Amazon SQS increases maximum message payload size to 1 MiB"),
    ("EventBridge", "PutEvents call (all its entries)", limits.EVENTBRIDGE_MAX_EVENT_BYTES,
     "January 2026", "256 KB", "AWS Compute Blog: More room to build (payloads up to 1 MB)"),
    ("Lambda", "asynchronous invocation payload", limits.LAMBDA_MAX_ASYNC_PAYLOAD_BYTES,
     "January 2026", "256 KB", "AWS Compute Blog: More room to build; Lambda API: Invoke"),
    ("SNS", "message, attributes included", limits.SNS_MAX_MESSAGE_BYTES, "unchanged", "-",
     "SNS developer guide: quotas"),
)

#: A role ARN for the state machine and the pipe (moto does not check it; on AWS pass a real
#: role that Step Functions / EventBridge Pipes may assume).
ROLE_ARN = "arn:aws:iam::{account}:role/securecart-{service}"

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


def payload_limits() -> pd.DataFrame:
    """Largest payload of SQS, EventBridge, asynchronous Lambda and SNS: what changed, when.

    Example
    -------
    >>> int(payload_limits().loc["SNS", "largest (bytes)"])
    262144
    """
    frame = pd.DataFrame(PAYLOAD_LIMITS, columns=["service", "what", "largest (bytes)", "since",
                                                  "before", "source"])
    return frame.set_index("service")


# -- shared pieces --------------------------------------------------------------------------
def _role(env: Any, service: str) -> str:
    return ROLE_ARN.format(account=env.account or "123456789012", service=service)


def first_order(env: Any) -> dict:
    """SecureCart's first (seeded) order, the one every demo of notebook 02 uses.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> first_order(env)["order_id"]
    'ord-00001'
    >>> _ = env.teardown()
    """
    return OrderGenerator(seed=env.seed).orders(1)[0]


# -- queues that receive from a topic or a rule ------------------------------------------
def queue_for(env: Any, name: str, sender: str | None = None) -> tuple[str, str]:
    """The queue ``name`` (created once) and, with ``sender``, the policy that lets it send.

    Parameters
    ----------
    env
        The environment.
    name
        The queue's short name.
    sender
        The ARN of the SNS topic or EventBridge rule that sends to the queue (on AWS neither
        can deliver without this queue policy), or ``None``.

    Returns
    -------
    tuple
        ``(queue_url, queue_arn)``.

    Example
    -------
    >>> import helpers, json
    >>> env = helpers.connect(quiet=True)
    >>> topic = env.client("sns").create_topic(Name="status")["TopicArn"]
    >>> url, arn = queue_for(env, "shipping", sender=topic)
    >>> policy = env.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    >>> json.loads(policy["Attributes"]["Policy"])["Statement"][0]["Principal"]
    {'Service': 'sns.amazonaws.com'}
    >>> _ = env.teardown()
    """
    url, arn = plain_queue(env, name)
    if sender is not None:
        service = sender.split(":")[2]
        allow_service_sends(env, url, arn, source_arn=sender,
                            principal=f"{'events' if service == 'events' else 'sns'}.amazonaws.com")
    return url, arn


def _describe(body: dict) -> str:
    if "detail-type" in body:  # an EventBridge event
        detail = body.get("detail", {})
        extra = f" {detail['sku']} (stock {detail['stock']})" if "sku" in detail else ""
        return f"{body['detail-type']}{extra}"
    return str(body.get("status") or body.get("order_id") or body)


def arrivals(env: Any, queues: dict[str, str]) -> pd.DataFrame:
    """What each queue received: receive (long polling) and delete everything visible.

    Parameters
    ----------
    queues
        Short name -> queue URL.

    Returns
    -------
    pandas.DataFrame
        One row per queue: how many messages and what they were (a status, or an event's
        detail-type), in the order received.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> url, _ = queue_for(env, "inbox")
    >>> _ = env.client("sqs").send_message(QueueUrl=url, MessageBody='{"status": "paid"}')
    >>> arrivals(env, {"inbox": url}).loc["inbox", "received"]
    'paid'
    >>> _ = env.teardown()
    """
    rows = []
    for name, url in queues.items():
        got = drain(env, url, actor=name)
        rows.append((name, len(got), ", ".join(_describe(b) for b in got) or "-"))
    return pd.DataFrame(rows, columns=["queue", "messages", "received"]).set_index("queue")


# -- EventBridge -------------------------------------------------------------------------
def event_bus(env: Any, name: str = "securecart") -> str:
    """The custom event bus ``name`` (created once); returns its ARN.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> event_bus(env) == event_bus(env)
    True
    >>> _ = env.teardown()
    """
    events = env.client("events")
    full = env.name(name, "events")
    try:
        return events.describe_event_bus(Name=full)["Arn"]
    except ClientError:
        return events.create_event_bus(Name=full)["EventBusArn"]


# -- Step Functions ---------------------------------------------------------------------
def fulfillment_machine(env: Any) -> str:
    """The ``fulfillment`` state machine (:data:`FULFILLMENT_DEFINITION`, created once); its ARN.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> fulfillment_machine(env).rsplit(":", 1)[-1]
    'securecart-demo-fulfillment'
    >>> _ = env.teardown()
    """
    sfn = env.client("stepfunctions")
    name = env.name("fulfillment", "stepfunctions")
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                return machine["stateMachineArn"]
    return sfn.create_state_machine(name="fulfillment", definition=json.dumps(FULFILLMENT_DEFINITION),
                                    roleArn=_role(env, "stepfunctions"))["stateMachineArn"]


def execution_name(env: Any, machine: str, order_id: str) -> str:
    """A name for the next execution of ``machine`` for ``order_id`` (names are unique per machine).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> execution_name(env, fulfillment_machine(env), "ord-00001")
    'ord-00001-1'
    >>> _ = env.teardown()
    """
    runs = env.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    return f"{order_id}-{len(runs) + 1}"


def wait_for_execution(env: Any, execution_arn: str, *, max_wait_seconds: float = 30.0) -> dict:
    """``describe_execution`` until the execution is no longer RUNNING; returns the description.

    On moto the execution runs in moto's worker thread (emulated on moto: the environment
    switches execution on), so this waits in real time, milliseconds; on AWS it polls every
    second.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> sfn = env.client("stepfunctions")
    >>> run = sfn.start_execution(stateMachineArn=fulfillment_machine(env), name="x", input="{}")
    >>> wait_for_execution(env, run["executionArn"])["status"]
    'SUCCEEDED'
    >>> _ = env.teardown()
    """
    sfn = env.client("stepfunctions")
    deadline = time.monotonic() + max_wait_seconds
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            raise NotReadyError(f"Execution {execution_arn} still RUNNING after "
                                f"{max_wait_seconds:.0f} s: run this cell again to wait longer.")
        if env.local:
            real_sleep(0.005)  # moto's worker thread, not simulated time
        else:
            env.sleep(1)


# -- Kinesis ----------------------------------------------------------------------------
def clickstream_stream(env: Any, *, shards: int = 2, name: str = "clickstream") -> str:
    """The Kinesis stream ``name`` with ``shards`` shards (created once, waited for); its ARN.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> clickstream_stream(env).rsplit("/", 1)[-1]
    'securecart-demo-clickstream'
    >>> _ = env.teardown()
    """
    kinesis = env.client("kinesis")
    try:
        return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    except ClientError:
        kinesis.create_stream(StreamName=name, ShardCount=shards)
        kinesis.get_waiter("stream_exists").wait(StreamName=name)
        return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


# -- DynamoDB Streams -------------------------------------------------------------------
def order_table(env: Any, name: str = "order-table") -> str:
    """The orders table with a ``NEW_AND_OLD_IMAGES`` stream (created once); the stream's ARN.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> ":table/securecart-demo-order-table/stream/" in order_table(env)
    True
    >>> _ = env.teardown()
    """
    dynamodb = env.client("dynamodb")
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except ClientError:
        dynamodb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        table = dynamodb.describe_table(TableName=name)["Table"]
    return table["LatestStreamArn"]


def stream_changes(env: Any, stream_arn: str) -> pd.DataFrame:
    """Every change on the table's stream, read shard by shard from the oldest record.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> stream = order_table(env)
    >>> _ = env.client("dynamodb").put_item(TableName="order-table", Item={
    ...     "order_id": {"S": "ord-1"}, "status": {"S": "placed"}})
    >>> stream_changes(env, stream)[["event", "new status"]].values.tolist()
    [['INSERT', 'placed']]
    >>> _ = env.teardown()
    """
    streams = env.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    rows = []
    for shard in shards:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for record in streams.get_records(ShardIterator=iterator)["Records"]:
            change = record["dynamodb"]
            old = change.get("OldImage", {}).get("status", {}).get("S", "-")
            new = change.get("NewImage", {}).get("status", {}).get("S", "-")
            rows.append((record["eventName"], change["Keys"]["order_id"]["S"], old, new))
    return pd.DataFrame(rows, columns=["event", "order_id", "old status", "new status"])


def status_pipe(env: Any, stream_arn: str, queue_arn: str, *,
                name: str = "status-to-notifications") -> str:
    """An EventBridge pipe from the table's stream to a queue, for MODIFY records (created once).

    The pipe is ``pipes.create_pipe(Source=stream_arn, Target=queue_arn, ...)`` with the
    filter ``{"eventName": ["MODIFY"]}``: every status change of an order reaches the queue.
    On moto, Pipes are control plane only: the pipe exists (and the topology draws it), but
    moto does not run it. Returns the pipe's ARN.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _, queue = queue_for(env, "notifications")
    >>> status_pipe(env, order_table(env), queue).rsplit("/", 1)[-1]
    'securecart-demo-status-to-notifications'
    >>> _ = env.teardown()
    """
    pipes = env.client("pipes")
    try:
        return pipes.describe_pipe(Name=name)["Arn"]
    except ClientError:
        return pipes.create_pipe(
            Name=name, RoleArn=_role(env, "pipes"), Source=stream_arn, Target=queue_arn,
            SourceParameters={
                "DynamoDBStreamParameters": {"StartingPosition": "LATEST"},
                "FilterCriteria": {"Filters": [{"Pattern": json.dumps({"eventName": ["MODIFY"]})}]},
            })["Arn"]
