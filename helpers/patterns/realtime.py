"""Kinesis in real time: a Lambda event source mapping on the clickstream, and ``IteratorAge``.

A mapping reads each shard in order and invokes the function with up to ``BatchSize``
records. While the function fails, the shard *waits*: its records keep arriving and the
mapping's ``IteratorAge`` (how old the last record of a batch is when the function gets it)
rises — the number to alarm on for a stream consumer. The mapping's settings decide what a
failure costs:

* ``MaximumRetryAttempts`` (-1 = until the record expires) and ``MaximumRecordAgeInSeconds``
  bound the retries; past them the batch is skipped (to an on-failure destination if set);
* ``BisectBatchOnFunctionError`` splits a failing batch in halves, isolating a poison record;
* ``ReportBatchItemFailures`` lets the function return the first failed sequence number, so
  the records before it are not retried.

On-demand streams scale their shards by themselves (billed per GB); provisioned streams have
the shards you set (1 MB/s or 1,000 records/s in per shard); enhanced fan-out gives each
registered consumer its own 2 MB/s per shard pipe instead of sharing the shard's read limit.
On moto the mapping's poller runs on the simulated clock (:mod:`helpers.emulation._pollers`).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> run = clickstream_outage(env, seconds=40, outage=(10, 20))
>>> int(run.invocations["iterator_age"].max()) >= 10
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..stepfunctions import deploy_function

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["StreamRun", "clickstream_outage", "poison_record", "POISON"]

#: The malformed click the poison-record experiment puts in the stream.
POISON = "click-0013"


@dataclass
class StreamRun:
    """Every invocation of the mapping: ``time``, ``records``, ``iterator_age`` (s), ``outcome``."""

    invocations: pd.DataFrame
    mapping: dict[str, Any]
    processed: int
    skipped: int
    handled: int = 0

    def __repr__(self) -> str:
        frame = self.invocations
        failed = int((frame["outcome"] != "ok").sum())
        return (f"{len(frame)} invocations ({failed} failed), {self.processed} records processed, "
                f"{self.skipped} skipped; highest IteratorAge {frame['iterator_age'].max():.0f} s")


def _stream(env: Environment, name: str) -> tuple[str, str]:
    kinesis = env.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return name, arn


def _run(env: Environment, name: str, handler: Any, mapping: dict[str, Any], clicks: list[list[dict]]) -> StreamRun:
    """Deploy ``handler`` on a new one-shard stream with ``mapping``; put ``clicks[t]`` each second."""
    stream, arn = _stream(env, env.name(name, "kinesis"))
    function = deploy_function(env, name, handler.__call__)
    lam = env.client("lambda")
    created = lam.create_event_source_mapping(FunctionName=function, EventSourceArn=arn,
                                              StartingPosition="TRIM_HORIZON", **mapping)
    kinesis = env.client("kinesis")
    for second in clicks:
        if second:
            kinesis.put_records(StreamName=stream, Records=[
                {"PartitionKey": c["customer"], "Data": json.dumps(c).encode()} for c in second])
        env.sleep(1)
    env.sleep(10)
    lam.delete_event_source_mapping(UUID=created["UUID"])
    kinesis.delete_stream(StreamName=stream)
    settings = {k: created.get(k) for k in ("BatchSize", "MaximumRetryAttempts", "BisectBatchOnFunctionError",
                                             "FunctionResponseTypes")}
    return StreamRun(pd.DataFrame(handler.rows), settings, handler.processed, handler.skipped(clicks),
                     handler.handled)


class _Consumer:
    """The clickstream function: records each invocation; fails while down or on poison."""

    def __init__(self, env: Environment, *, down: tuple[float, float] | None = None, partial: bool = False) -> None:
        self.env, self.down, self.partial = env, down, partial
        self.rows: list[dict[str, Any]] = []
        self.done: set[str] = set()
        self.handled = 0
        self.start = env.clock.time()

    @property
    def processed(self) -> int:
        return len(self.done)

    def skipped(self, clicks: list[list[dict]]) -> int:
        return sum(1 for second in clicks for c in second if c["click"] not in self.done)

    def __call__(self, event: dict, context: Any) -> dict:
        now = self.env.clock.time()
        records = event["Records"]
        age = now - float(records[-1]["kinesis"]["approximateArrivalTimestamp"])
        row = {"time": round(now - self.start, 1), "records": len(records), "iterator_age": round(age, 1)}
        if self.down and self.down[0] <= now - self.start < self.down[1]:
            self.rows.append({**row, "outcome": "downstream down"})
            raise ConnectionError("analytics store unavailable")
        for record in records:
            click = json.loads(base64.b64decode(record["kinesis"]["data"]))
            if click.get("malformed"):
                self.rows.append({**row, "outcome": "poison"})
                if self.partial:
                    return {"batchItemFailures": [{"itemIdentifier": record["kinesis"]["sequenceNumber"]}]}
                raise ValueError(f"malformed click {POISON}")
            self.done.add(click["click"])
            self.handled += 1
        self.rows.append({**row, "outcome": "ok"})
        return {"batchItemFailures": []}


def _clicks(seconds: int, rate: int, poison: str | None = None) -> list[list[dict]]:
    out, n = [], 0
    for _second in range(seconds):
        batch = []
        for _ in range(rate):
            n += 1
            click = {"click": f"click-{n:04d}", "customer": f"cus-{n % 7:03d}", "product": f"sku-{n % 11:02d}"}
            batch.append({**click, "malformed": True} if click["click"] == poison else click)
        out.append(batch)
    return out


def clickstream_outage(env: Environment, *, seconds: int = 90, rate: int = 5, outage: tuple[int, int] = (20, 50),
                       name: str = "clickstream-consumer") -> StreamRun:
    """``rate`` clicks a second for ``seconds``; the consumer's downstream is down during ``outage``."""
    consumer = _Consumer(env, down=outage)
    return _run(env, name, consumer, {"BatchSize": 100}, _clicks(seconds, rate))


def poison_record(env: Environment, *, bisect: bool, partial: bool, retries: int = 2,
                  name: str = "clickstream-poison") -> StreamRun:
    """40 clicks in one second, one malformed; the mapping's retry settings decide the cost."""
    mapping: dict[str, Any] = {"BatchSize": 20, "MaximumRetryAttempts": retries,
                               "BisectBatchOnFunctionError": bisect}
    if partial:
        mapping["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    suffix = f"{'b' if bisect else ''}{'p' if partial else ''}" or "plain"
    return _run(env, f"{name}-{suffix}", _Consumer(env, partial=partial), mapping, _clicks(1, 40, POISON))
