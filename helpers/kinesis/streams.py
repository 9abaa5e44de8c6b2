"""Kinesis streams: create one, put records with bounded retries of throttled entries.

Example
-------
>>> import helpers
>>> from helpers.kinesis import create_stream, put_records
>>> env = helpers.connect(quiet=True)
>>> stream = create_stream(env, "clicks", shards=2)
>>> put_records(env, stream, [{"customer": "c1", "seq": 1}], key=lambda r: r["customer"]).sent
1
>>> _ = env.teardown()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..platform import limits
from ..platform.errors import InvalidParameterError, StreamNotFoundError
from ..platform.inputs import count, finite, json_text

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["create_stream", "put_records", "PutReport", "delete_stream"]


@dataclass
class PutReport:
    """What :func:`put_records` did: records sent, throttled entries retried, per shard."""

    sent: int = 0
    throttled: int = 0
    calls: int = 0
    gave_up: int = 0
    per_shard: Counter = field(default_factory=Counter)
    throttled_per_shard: Counter = field(default_factory=Counter)


def create_stream(env: Environment, name: str, *, shards: int = 4) -> str:
    """Create stream ``name`` with ``shards`` shards (provisioned), wait until ACTIVE; its name."""
    shards = count(shards, "shards", minimum=1, rule="CreateStream's ShardCount",
                   fix="shards=1 or more (each shard takes 1 MB/s or 1,000 records/s)")
    kinesis = env.client("kinesis")
    full = env.name(name, "kinesis")
    try:
        kinesis.create_stream(StreamName=name, ShardCount=shards)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
    kinesis.get_waiter("stream_exists").wait(StreamName=full, WaiterConfig={"Delay": 1})
    return full


def delete_stream(env: Environment, stream: str) -> None:
    """Delete ``stream`` (its records go with it)."""
    env.client("kinesis").delete_stream(StreamName=stream, EnforceConsumerDeletion=True)


def _not_found(stream: str, err: ClientError) -> StreamNotFoundError:
    return StreamNotFoundError(
        f"Cannot put to stream {stream!r}: Kinesis says {err.response['Error']['Message']!r} "
        "(ResourceNotFoundException: the stream was deleted or never created, and a deleted "
        "stream's records are gone). Fix: create_stream(env, ...) again and put to the new one.")


def put_records(env: Environment, stream: str, records: list[dict], *, key: Callable[[dict], Any],
                retries: int = 5, backoff: float = 1.0) -> PutReport:
    """``PutRecords`` in batches of 500, partition key ``key(record)``; throttled entries
    (``ProvisionedThroughputExceededException``) are re-sent after ``backoff`` s, doubling.

    Raises
    ------
    StreamNotFoundError
        The stream does not exist (deleted).
    InvalidParameterError
        ``key`` returned something that is not a non-empty string of at most 256 characters.
    """
    retries = count(retries, "retries", rule="the number of re-sends of a throttled record")
    backoff = finite(backoff, "backoff", rule="the first wait before a re-send, in seconds",
                     fix="pass 0 or more seconds, e.g. backoff=1.0")
    if backoff < 0:
        raise InvalidParameterError(f"backoff={backoff!r}: a wait cannot be negative. "
                                    "Fix: pass 0 or more seconds, e.g. backoff=1.0.")
    if not isinstance(records, list | tuple):
        raise InvalidParameterError(f"records={records!r}: put_records takes a list of record "
                                    "dicts. Fix: put_records(env, stream, [record, ...], key=...).")
    kinesis = env.client("kinesis")
    report = PutReport()
    entries = []
    for record in records:
        pk = key(record)
        if not isinstance(pk, str) or not 1 <= len(pk) <= 256:
            raise InvalidParameterError(
                f"Partition key {pk!r} for {record!r}: Kinesis needs a string of 1 to 256 "
                "characters. Fix: return e.g. str(record['customer_id']).")
        data = json_text(record, f"Record {pk!r}", rule="a record's Data is the record as JSON")
        entries.append({"Data": data.encode(), "PartitionKey": pk})
    step = limits.KINESIS_MAX_PUT_RECORDS_ENTRIES
    for start in range(0, len(entries), step):
        pending, delay = entries[start:start + step], backoff
        for attempt in range(retries + 1):
            try:
                answer = kinesis.put_records(StreamName=stream, Records=pending)
            except ClientError as err:
                if err.response["Error"]["Code"] == "ResourceNotFoundException":
                    raise _not_found(stream, err) from None
                raise
            report.calls += 1
            retry = []
            for entry, result in zip(pending, answer["Records"], strict=True):
                if "ErrorCode" in result:
                    report.throttled += 1
                    shard = result.get("ErrorMessage", "").split(" ")[4:5]
                    report.throttled_per_shard[shard[0] if shard else "?"] += 1
                    retry.append(entry)
                else:
                    report.sent += 1
                    report.per_shard[result["ShardId"]] += 1
            pending = retry
            if not pending:
                break
            if attempt < retries:
                env.sleep(delay)
                delay *= 2
        report.gave_up += len(pending)
    return report
