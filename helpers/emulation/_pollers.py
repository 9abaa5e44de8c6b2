"""Lambda event source mapping pollers on the simulated clock (SQS, Kinesis, DynamoDB Streams).

Each poller does what Lambda's poller does for one mapping, with the environment's own boto3
clients (so its receives and deletes show in ``env.log`` under the actor ``esm:<function>``):

SQS
    receives up to ``BatchSize`` messages (10 per ``ReceiveMessage``), waits up to
    ``MaximumBatchingWindowInSeconds`` for a full batch, invokes once per batch; a successful
    batch is deleted; with ``ReportBatchItemFailures`` only the ``batchItemFailures`` stay;
    an error leaves the whole batch to come back after its visibility timeout.
Kinesis and DynamoDB Streams
    per shard, in order, from ``StartingPosition``; an error retries the batch (the shard
    waits: AWS's default ``MaximumRetryAttempts`` is -1, until the record expires), with
    ``BisectBatchOnFunctionError`` split in halves; ``ReportBatchItemFailures`` resumes at the
    first failed sequence number; past ``MaximumRetryAttempts`` retries the batch is skipped.

Example
-------
>>> batches([1, 2, 3, 4, 5], 2)
[[1, 2], [3, 4], [5]]
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SqsPoller", "StreamPoller", "batches"]


def batches(items: list, size: int) -> list[list]:
    """``items`` in consecutive batches of at most ``size``."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def _failed_ids(result: Any) -> list[str] | None:
    if isinstance(result, dict) and isinstance(result.get("batchItemFailures"), list):
        return [f.get("itemIdentifier") for f in result["batchItemFailures"]]
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


@dataclass
class SqsPoller:
    """Lambda's poller of one SQS mapping."""

    mapping: dict[str, Any]
    invoke: Any
    env: Any
    window_start: float | None = None
    invocations: int = 0

    @property
    def url(self) -> str:
        arn = self.mapping["EventSourceArn"]
        _, _, _, region, account, name = arn.split(":")
        return self.env.client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def busy(self) -> bool:
        """True while the queue holds messages (visible or in flight)."""
        attrs = self.env.client("sqs").get_queue_attributes(QueueUrl=self.url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return any(int(v) for v in attrs.values())

    def visible(self) -> int:
        return int(self.env.client("sqs").get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"])

    def wake(self) -> float | None:
        """When the batching window of waiting messages closes."""
        window = self.mapping.get("MaximumBatchingWindowInSeconds") or 0
        return None if self.window_start is None else self.window_start + window

    def poll(self, now: float) -> int:
        """Invoke for every batch due at ``now``; how many invocations."""
        size = self.mapping.get("BatchSize") or 10
        window = self.mapping.get("MaximumBatchingWindowInSeconds") or 0
        done = 0
        while True:
            waiting = self.visible()
            if not waiting:
                self.window_start = None
                return done
            if self.window_start is None:
                self.window_start = now
            if waiting < size and now < self.window_start + window:
                return done
            self._invoke_batch(size)
            self.window_start = None
            done += 1

    def _invoke_batch(self, size: int) -> None:
        sqs, url, messages = self.env.client("sqs"), self.url, []
        while len(messages) < size:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, size - len(messages)),
                                      MessageAttributeNames=["All"]).get("Messages", [])
            if not got:
                break
            messages += got
        if not messages:
            return
        arn, region = self.mapping["EventSourceArn"], self.env.region
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": m.get("Attributes", {}), "messageAttributes": {
                        k: {"stringValue": v.get("StringValue"), "dataType": v["DataType"]}
                        for k, v in m.get("MessageAttributes", {}).items()},
                    "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": arn,
                    "awsRegion": region} for m in messages]
        self.invocations += 1
        try:
            result = self.invoke({"Records": records})
        except Exception:  # the batch returns after its visibility timeout
            return
        failed = _failed_ids(result) if "ReportBatchItemFailures" in (
            self.mapping.get("FunctionResponseTypes") or []) else None
        keep = set(failed or [])
        done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(messages) if m["MessageId"] not in keep]
        for chunk in batches(done, 10):
            sqs.delete_message_batch(QueueUrl=url, Entries=chunk)


@dataclass
class StreamPoller:
    """Lambda's poller of one Kinesis or DynamoDB Streams mapping (every shard, in order)."""

    mapping: dict[str, Any]
    invoke: Any
    env: Any
    kind: str  # "kinesis" or "dynamodb"
    positions: dict[str, str | None] = field(default_factory=dict)
    pending: dict[str, list[list[dict]]] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)
    invocations: int = 0

    def _client(self) -> Any:
        return self.env.client("kinesis" if self.kind == "kinesis" else "dynamodbstreams")

    def _shards(self) -> list[str]:
        arn = self.mapping["EventSourceArn"]
        if self.kind == "kinesis":
            return [s["ShardId"] for s in self._client().list_shards(StreamARN=arn)["Shards"]]
        return [s["ShardId"] for s in self._client().describe_stream(StreamArn=arn)[
            "StreamDescription"]["Shards"]]

    def _read(self, shard: str) -> list[dict]:
        arn, client = self.mapping["EventSourceArn"], self._client()
        position = self.positions.get(shard)
        key = "StreamARN" if self.kind == "kinesis" else "StreamArn"
        seq_key = "StartingSequenceNumber" if self.kind == "kinesis" else "SequenceNumber"
        if position is None:
            # LATEST was resolved when the mapping was created (positions of non-empty shards);
            # a shard still without a position had nothing before it, so read from its start.
            start = self.mapping.get("StartingPosition") or "TRIM_HORIZON"
            args = {"ShardIteratorType": "TRIM_HORIZON" if start == "LATEST" else start}
        else:
            args = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", seq_key: position}
        iterator = client.get_shard_iterator(**{key: arn}, ShardId=shard, **args)["ShardIterator"]
        extra = {"StreamARN": arn} if self.kind == "kinesis" else {}
        return client.get_records(ShardIterator=iterator, Limit=1000, **extra)["Records"]

    def busy(self) -> bool:
        """True while a batch waits for its retry."""
        return any(self.pending.values())

    def _event_record(self, shard: str, record: dict) -> dict:
        arn, region = self.mapping["EventSourceArn"], self.env.region
        if self.kind == "kinesis":
            return {"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": record["PartitionKey"],
                                "sequenceNumber": record["SequenceNumber"],
                                "data": base64.b64encode(record["Data"]).decode(),
                                "approximateArrivalTimestamp": _plain(record["ApproximateArrivalTimestamp"])},
                    "eventSource": "aws:kinesis", "eventVersion": "1.0",
                    "eventID": f"{shard}:{record['SequenceNumber']}", "eventName": "aws:kinesis:record",
                    "awsRegion": region, "eventSourceARN": arn}
        return {**_plain(record), "eventSourceARN": arn, "awsRegion": region}

    @staticmethod
    def _sequence(record: dict) -> str:
        return record["kinesis"]["sequenceNumber"] if "kinesis" in record else record["dynamodb"]["SequenceNumber"]

    def poll(self, now: float) -> int:
        """One pass over every shard; how many invocations."""
        done = 0
        for shard in self._shards():
            queue = self.pending.setdefault(shard, [])
            if not queue:
                fresh = [self._event_record(shard, r) for r in self._read(shard)]
                queue += batches(fresh, self.mapping.get("BatchSize") or 100)
            for _ in range(len(queue)):
                if not queue:
                    break
                done += 1
                if not self._invoke(shard, queue):
                    break  # the shard waits for its retry (next poll)
        return done

    def _invoke(self, shard: str, queue: list[list[dict]]) -> bool:
        batch = queue[0]
        self.invocations += 1
        try:
            result = self.invoke({"Records": batch})
            failed = _failed_ids(result) if "ReportBatchItemFailures" in (
                self.mapping.get("FunctionResponseTypes") or []) else None
        except Exception:
            return self._failure(shard, queue, batch, None)
        if failed:
            first = next((i for i, r in enumerate(batch) if self._sequence(r) in failed), 0)
            if first:
                self.positions[shard] = self._sequence(batch[first - 1])
            return self._failure(shard, queue, batch, first)
        queue.pop(0)
        self.positions[shard] = self._sequence(batch[-1])
        self.attempts.pop(shard, None)
        return True

    def _failure(self, shard: str, queue: list[list[dict]], batch: list[dict], first: int | None) -> bool:
        retries = self.mapping.get("MaximumRetryAttempts")
        retries = -1 if retries is None else retries
        self.attempts[shard] = self.attempts.get(shard, 0) + 1
        if first:  # partial batch response: retry from the first failed record
            queue[0] = batch[first:]
            return False
        if retries >= 0 and self.attempts[shard] > retries:
            self.skipped += queue.pop(0)
            self.positions[shard] = self._sequence(batch[-1])
            self.attempts.pop(shard, None)
            return True
        if self.mapping.get("BisectBatchOnFunctionError") and len(batch) > 1:
            half = len(batch) // 2
            queue[0:1] = [batch[:half], batch[half:]]
        return False
