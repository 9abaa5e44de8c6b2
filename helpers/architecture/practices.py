"""The target design and the three best practices, each a short run on the backend.

Part of :mod:`helpers.architecture` (notebook 01).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError

from ..data import OrderGenerator
from ..platform.errors import NotReadyError
from ..sqs.plumbing import allow_service_sends, drain, plain_queue, subscribe_queue

__all__ = ["TARGET_DESIGN", "create_target_design", "demo_add_consumer", "demo_retries_and_dlq", "demo_trace"]
# -- the target design and the three best practices -----------------------------------------
#: SecureCart's target design: the resources :func:`create_target_design` creates.
TARGET_DESIGN = {
    "queues": ("orders", "orders-dlq", "notifications", "analytics", "restock"),
    "topic": "order-status",
    "bus": "securecart",
    "rules": {"inventory-low": ("InventoryLow", "restock")},
    "max_receive_count": 3,
}


def create_target_design(env: Any) -> dict[str, str]:
    """Create SecureCart's target design on the backend (safe to run twice).

    The orders queue with its DLQ (``maxReceiveCount`` 3), the ``order-status`` topic fanned
    out to the notifications queue (filter: shipped or delivered) and the analytics queue (no
    filter), and the ``securecart`` event bus whose ``inventory-low`` rule routes
    InventoryLow events to the restock queue.

    Returns
    -------
    dict
        Short name -> URL or ARN of each resource.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> sorted(create_target_design(env))[:3]
    ['analytics', 'bus', 'inventory-low']
    >>> _ = env.teardown()
    """
    sns, events = env.client("sns"), env.client("events")
    made: dict[str, str] = {}
    dlq_url, dlq_arn = plain_queue(env, "orders-dlq")
    made["orders-dlq"] = dlq_url
    redrive = {"deadLetterTargetArn": dlq_arn,
               "maxReceiveCount": str(TARGET_DESIGN["max_receive_count"])}
    made["orders"] = plain_queue(env, "orders", {"RedrivePolicy": json.dumps(redrive),
                                                 "VisibilityTimeout": "30"})[0]
    topic = sns.create_topic(Name=TARGET_DESIGN["topic"])["TopicArn"]
    made["topic"] = topic
    filters = {"notifications": {"status": ["shipped", "delivered"]}, "analytics": None}
    for name, policy in filters.items():
        made[name] = subscribe_queue(env, topic, name, filter_policy=policy)
    bus = env.name(TARGET_DESIGN["bus"], "events")
    if not any(b["Name"] == bus for b in events.list_event_buses(NamePrefix=bus)["EventBuses"]):
        events.create_event_bus(Name=bus)
    made["bus"] = bus
    for rule, (detail_type, target) in TARGET_DESIGN["rules"].items():
        url, arn = plain_queue(env, target)
        made[target] = url
        rule_arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
            {"source": ["securecart.inventory"], "detail-type": [detail_type]}))["RuleArn"]
        allow_service_sends(env, url, arn, source_arn=rule_arn, principal="events.amazonaws.com")
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": target, "Arn": arn}])
        made[rule] = rule_arn
    return made


def _url(env: Any, name: str) -> str:
    try:
        return env.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as err:
        raise NotReadyError(
            f"Queue {name!r} does not exist yet: it belongs to SecureCart's target design. "
            "Run the `helpers.architecture.create_target_design(env)` cell first."
        ) from err


def _publish_status(env: Any, topic: str, order: dict, status: str, seq: int) -> None:
    detail = {"order_id": order["order_id"], "customer_id": order["customer_id"], "seq": seq,
              "status": status}
    with env.acting("orders"):
        env.client("sns").publish(TopicArn=topic, Message=json.dumps(detail), MessageAttributes={
            "status": {"DataType": "String", "StringValue": status}})


def demo_add_consumer(env: Any) -> pd.DataFrame:
    """No direct calls: add a consumer (loyalty) without touching the producer (orders).

    Orders publishes three status changes to the ``order-status`` topic, the same call before
    and after a ``loyalty`` queue subscribes; the table shows who received which status.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = create_target_design(env)
    >>> demo_add_consumer(env).loc["loyalty", "after"]
    'paid, shipped, delivered'
    >>> _ = env.teardown()
    """
    topic = _topic_arn(env)
    order = OrderGenerator(seed=env.seed).orders(1)[0]
    queues = ("notifications", "analytics", "loyalty")
    table: dict[str, dict[str, str]] = {q: {} for q in queues}
    for phase in ("before", "after"):
        if phase == "after":
            subscribe_queue(env, topic, "loyalty")  # the producer's code is unchanged
        for seq, status in enumerate(("paid", "shipped", "delivered"), start=1):
            _publish_status(env, topic, order, status, seq)
        for q in queues:
            got = drain(env, _url(env, q), actor=q) if phase == "after" or q != "loyalty" else []
            table[q][phase] = ", ".join(b["status"] for b in got) or "-"
    return pd.DataFrame(table).T.rename_axis("consumer queue")


def _topic_arn(env: Any) -> str:
    name = env.name(TARGET_DESIGN["topic"], "sns")
    for page in env.client("sns").get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return topic["TopicArn"]
    raise NotReadyError(
        f"Topic {TARGET_DESIGN['topic']!r} does not exist yet: it belongs to SecureCart's target "
        "design. Run the `helpers.architecture.create_target_design(env)` cell first."
    )


def demo_retries_and_dlq(env: Any, *, orders: int = 4, poison: int = 2) -> pd.DataFrame:
    """Design for failure: retries through the visibility timeout, then the DLQ.

    ``orders`` orders go on the ``orders`` queue; the payments worker cannot parse order
    number ``poison`` (a poison message). Each failed receive comes back after the 30-second
    visibility timeout; after ``maxReceiveCount`` (3) receives SQS moves it to ``orders-dlq``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``env.log`` for this demo (time, actor, action, queue, order number
        ``seq``, receive count ``attempt``, outcome), ending with an operator reading the DLQ.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = create_target_design(env)
    >>> log = demo_retries_and_dlq(env)
    >>> log[log["action"] == "move-to-dlq"]["seq"].tolist()
    [2]
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    url, dlq = _url(env, "orders"), _url(env, "orders-dlq")
    visibility = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                     ["Attributes"]["VisibilityTimeout"])
    drain(env, dlq, actor="operator")
    mark = env.log.mark()
    start = env.clock.elapsed()
    for seq in range(1, orders + 1):
        body = {"order_id": f"ord-{seq:05d}", "seq": seq, "total": 10.0 * seq}
        if seq == poison:
            body["total"] = "ten dollars"  # the worker cannot charge this
        with env.acting("orders"):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    for _ in range(TARGET_DESIGN["max_receive_count"] + 1):
        with env.acting("payments"):
            # A long poll: a short poll may return nothing from a small queue on AWS.
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", [])
            for message in messages:
                body = json.loads(message["Body"])
                if isinstance(body["total"], float | int):
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                else:
                    env.log.record(service="payments", action="fail", resource="payments",
                                   seq=body["seq"], outcome="error:total is not a number",
                                   actor="payments")
        env.sleep(visibility + 1)  # after the visibility timeout a failed message is back
    drain(env, dlq, actor="operator")  # an operator inspects the DLQ
    frame = env.log.to_frame(mark)
    frame = frame[frame["action"].isin(["send", "receive", "delete", "fail", "move-to-dlq"])]
    seqs = frame.dropna(subset=["message_id", "seq"]).set_index("message_id")["seq"]
    seqs = seqs[~seqs.index.duplicated()]
    frame = frame.assign(time=(frame["time"] - start).round(1),
                         resource=frame["resource"].str.removeprefix(env.prefix),
                         seq=frame["seq"].fillna(frame["message_id"].map(seqs)).astype("Int64"),
                         actor=frame["actor"].fillna("SQS"))
    return frame[["time", "actor", "action", "resource", "seq", "attempt", "outcome"]].reset_index(drop=True)


def demo_trace(env: Any, *, order_seq: int = 7) -> pd.DataFrame:
    """Event logs for tracing: follow one order through topic, queues and consumers.

    Orders publishes the order's ``shipped`` status (``seq`` = ``order_seq``); the
    notifications and analytics workers receive and delete it; the trace is every row of
    ``env.log`` with that ``seq``, in time order.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = create_target_design(env)
    >>> demo_trace(env)["action"].tolist()
    ['publish', 'receive', 'delete', 'receive', 'delete']
    >>> _ = env.teardown()
    """
    topic = _topic_arn(env)
    order = OrderGenerator(seed=env.seed).orders(1)[0]
    mark = env.log.mark()
    start = env.clock.elapsed()
    _publish_status(env, topic, order, "shipped", order_seq)
    for name in ("notifications", "analytics"):
        env.sleep(0.5)
        drain(env, _url(env, name), actor=name)
    frame = env.log.to_frame(mark)
    frame = frame[frame["seq"] == order_seq]
    frame = frame.assign(time=(frame["time"] - start).round(1),
                         resource=frame["resource"].str.removeprefix(env.prefix))
    return frame[["time", "actor", "service", "action", "resource", "outcome"]].reset_index(drop=True)
