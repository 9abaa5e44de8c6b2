"""Notebook 06 · DynamoDB Streams: order status changes become customer notifications.

Example
-------
>>> import helpers
>>> from helpers.orchestration.status import OrderStatusFeed
>>> env = helpers.connect(quiet=True)
>>> feed = OrderStatusFeed.create(env)
>>> feed.set_status("ord-1", "created"); feed.set_status("ord-1", "paid")
>>> [r["new"] for r in feed.consume()]
['created', 'paid']
>>> _ = env.teardown()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["OrderStatusFeed", "resume_from"]


def resume_from(checkpoint: str | None) -> dict[str, str]:
    """GetShardIterator arguments of DynamoDB Streams: after the checkpoint, else the oldest."""
    if checkpoint is None:
        return {"ShardIteratorType": "TRIM_HORIZON"}
    return {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": checkpoint}


@dataclass
class OrderStatusFeed:
    """An Orders table with a stream (NEW_AND_OLD_IMAGES) and a consumer that notifies customers
    through an SNS topic, keeping one checkpoint (sequence number) per stream shard."""

    env: Environment
    table: str
    stream_arn: str
    topic_arn: str
    checkpoints: dict[str, str] = field(default_factory=dict)
    notified: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def create(cls, env: Environment, name: str = "orders") -> OrderStatusFeed:
        """The table (key ``order_id``) with its stream, and the customer-notifications topic."""
        ddb = env.client("dynamodb")
        created = ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        topic = env.client("sns").create_topic(Name=f"{name}-status-notifications")["TopicArn"]
        return cls(env, created["TableDescription"]["TableName"],
                   created["TableDescription"]["LatestStreamArn"], topic)

    def set_status(self, order_id: str, status: str) -> None:
        """Write the order's new status (one stream record per change)."""
        self.env.client("dynamodb").put_item(TableName=self.table, Item={
            "order_id": {"S": order_id}, "status": {"S": status}})

    def records(self, start: Callable[[str | None], dict] = resume_from,
                *, move: bool = True) -> list[dict[str, Any]]:
        """Stream records after each shard's checkpoint (``start(checkpoint)`` gives the
        iterator arguments), as rows: order, old and new status, sequence number."""
        streams = self.env.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        out = []
        for shard in shards:
            shard_id = shard["ShardId"]
            iterator = streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id,
                                                  **start(self.checkpoints.get(shard_id)))["ShardIterator"]
            page = streams.get_records(ShardIterator=iterator)
            for record in page["Records"]:
                change = record["dynamodb"]
                old = change.get("OldImage", {}).get("status", {}).get("S")
                out.append({"order_id": change["Keys"]["order_id"]["S"], "event": record["eventName"],
                            "old": old, "new": change.get("NewImage", {}).get("status", {}).get("S"),
                            "sequence": change["SequenceNumber"], "shard": shard_id})
                if move:
                    self.checkpoints[shard_id] = change["SequenceNumber"]
        return out

    def consume(self, start: Callable[[str | None], dict] = resume_from) -> list[dict[str, Any]]:
        """Read new records and publish one customer notification per status change."""
        sns = self.env.client("sns")
        rows = self.records(start)
        for row in rows:
            sns.publish(TopicArn=self.topic_arn, Subject=f"Order {row['order_id']}",
                        Message=f"Your order {row['order_id']} is now {row['new']}.")
            self.notified.append((row["order_id"], row["new"]))
        return rows
