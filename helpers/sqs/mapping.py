"""The event source mapping's batch logic: Lambda events, the handler call, outcomes, the report.

:mod:`helpers.sqs.consumer` runs consumers; this module holds what one batch goes through, as
Lambda's SQS event source mapping with ``ReportBatchItemFailures`` does it: build the real
Lambda SQS event and context, call ``handler(event, context)``, read its
``batchItemFailures``, delete what succeeded, leave the rest to come back. Both runners
(:mod:`helpers.sqs.runners`) share it.

Example
-------
>>> m = {"MessageId": "m1", "ReceiptHandle": "h", "Body": "{}", "MD5OfBody": "x",
...      "Attributes": {"ApproximateReceiveCount": "1"}}
>>> build_event([m], "arn:aws:sqs:us-east-1:1:q", "us-east-1")["Records"][0]["eventSource"]
'aws:sqs'
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..platform import limits
from ..platform.errors import GroupBlockedError, HandlerResponseError
from .faults import Scenario
from .queues import OrderQueue, _attributes, _depth
from .types import LambdaContext, SQSEvent, SQSRecord

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment
    from .types import Handler

from .validation import batch_item_failures

__all__ = ["ConsumerReport", "build_event", "POLL_INTERVAL_SECONDS", "RESTART_SECONDS",
           "HEARTBEAT_MARGIN_SECONDS"]

#: Simulated seconds between polls of an idle worker that knows of nothing coming.
POLL_INTERVAL_SECONDS = 1.0
#: Simulated seconds a crashed worker takes to come back.
RESTART_SECONDS = 1.0
#: Seconds of visibility left when a heartbeat extends it (half the timeout if shorter).
HEARTBEAT_MARGIN_SECONDS = 5.0
#: moto makes a message visible strictly *after* its visibility timeout: wake 1 ms later.
_EPSILON = 0.001
_NEVER = float("inf")
_RECORD_ATTRIBUTES = ("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                      "ApproximateFirstReceiveTimestamp", "MessageGroupId",
                      "MessageDeduplicationId", "SequenceNumber")


@dataclass
class ConsumerReport:
    """What a consumer run did.

    Attributes
    ----------
    processed
        Records the handler processed successfully, repeats included.
    failed
        Records that failed (raised, reported in ``batchItemFailures``, poison, or skipped
        behind a failed record of their FIFO group), repeats included.
    deleted
        Messages deleted from the queue.
    receives
        Messages received (every delivery counts).
    duplicates
        Successful processings of an order (or message) already processed in this run.
    workers
        Consumers that ran.
    elapsed
        Clock seconds the run took (simulated on the local backends).
    throughput
        ``deleted / elapsed``, messages per second.
    per_worker
        ``"consumer-N" -> {"batches", "receives", "processed", "failed", "deleted",
        "crashes", "heartbeats"}``.
    processed_ids
        ``order_id`` (the message id when the body has none) of every successful processing,
        in processing order, repeats included: pass it to :func:`check_delivery`.
    crashes, heartbeats, batches
        Totals over the workers.
    sqs_calls
        SQS API calls the workers made: every ``ReceiveMessage`` (empty ones included), every
        ``DeleteMessageBatch`` and every heartbeat's ``ChangeMessageVisibilityBatch``.
    stopped
        ``"empty"`` (queue drained) or ``"max_seconds"``.

    Example
    -------
    >>> str(ConsumerReport(processed=10, deleted=10, elapsed=2.0, throughput=5.0))
    '1 worker: 10 processed (0 duplicates), 0 failed, 10 deleted in 2.0 s (5.0 msg/s)'
    """

    processed: int = 0
    failed: int = 0
    deleted: int = 0
    receives: int = 0
    duplicates: int = 0
    workers: int = 1
    elapsed: float = 0.0
    throughput: float = 0.0
    per_worker: dict[str, dict[str, int]] = field(default_factory=dict)
    processed_ids: list[str] = field(default_factory=list)
    crashes: int = 0
    heartbeats: int = 0
    batches: int = 0
    sqs_calls: int = 0
    stopped: str = ""

    def __str__(self) -> str:
        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        extra = "".join([f", {self.crashes} crashes" if self.crashes else "",
                         f", {self.heartbeats} heartbeats" if self.heartbeats else ""])
        return (f"{workers}: {self.processed} processed ({self.duplicates} duplicates), "
                f"{self.failed} failed, {self.deleted} deleted in {self.elapsed:.1f} s "
                f"({self.throughput:.1f} msg/s){extra}")


# -- event building ---------------------------------------------------------------------------
def _lambda_message_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in (attributes or {}).items():
        item: dict[str, Any] = {"stringListValues": [], "binaryListValues": [],
                                "dataType": value.get("DataType", "String")}
        if "StringValue" in value:
            item["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            item["binaryValue"] = value["BinaryValue"]
        out[name] = item
    return out


def build_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> SQSEvent:
    """The Lambda SQS event for ``messages`` as ``ReceiveMessage`` returned them.

    Example
    -------
    >>> m = {"MessageId": "m1", "ReceiptHandle": "h", "Body": "{}", "MD5OfBody": "x",
    ...      "Attributes": {"ApproximateReceiveCount": "1"}}
    >>> build_event([m], "arn:aws:sqs:us-east-1:1:q", "us-east-1")["Records"][0]["eventSource"]
    'aws:sqs'
    """
    records: list[SQSRecord] = []
    for m in messages:
        attrs = m.get("Attributes", {})
        records.append({
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": {k: attrs[k] for k in _RECORD_ATTRIBUTES if k in attrs},  # type: ignore[typeddict-item]
            "messageAttributes": _lambda_message_attributes(m.get("MessageAttributes", {})),
            "md5OfBody": m.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        })
    return {"Records": records}


def _decode(body: str) -> Any:
    try:
        return json.loads(body)
    except (TypeError, ValueError):
        return None


# -- one batch ----------------------------------------------------------------------------
@dataclass
class _Item:
    record: SQSRecord
    order: Any
    key: str
    group: str | None
    seq: int | None
    attempt: int | None
    duration: float
    ok: bool = True
    reason: str = ""
    detail: str | None = None


@dataclass
class _Batch:
    worker: int
    items: list[_Item]
    started: float
    crash: bool
    ends: float = 0.0
    beats: list[float] = field(default_factory=list)


class _Run:
    """State and per-batch logic shared by the simulated and the threaded runner."""

    def __init__(self, env: Environment, queue: OrderQueue | str, handler: Handler, *,
                 workers: int, batch_size: int, visibility_timeout: int | None,
                 processing_seconds: float, scenario: Scenario, heartbeat: bool,
                 function_name: str) -> None:
        self.env = env
        self.sqs = env.client("sqs")
        self.handler = handler
        self.scenario = scenario
        self.batch_size = batch_size
        self.processing_seconds = processing_seconds
        self.heartbeat = heartbeat
        self.function_name = function_name
        url = queue.url if isinstance(queue, OrderQueue) else queue
        # One call: the queue's own visibility timeout may have been changed since creation.
        attrs = _attributes(self.sqs, url, ["QueueArn", "FifoQueue", "VisibilityTimeout"])
        self.url, self.arn = url, attrs["QueueArn"]
        self.fifo = attrs.get("FifoQueue") == "true"
        self.name = self.arn.rsplit(":", 1)[-1]
        self.explicit_vt = visibility_timeout
        if visibility_timeout is None:
            visibility_timeout = int(attrs.get("VisibilityTimeout",
                                               limits.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS))
        self.vt = int(visibility_timeout)
        #: Heartbeat period: extend when HEARTBEAT_MARGIN_SECONDS of visibility are left
        #: (half the timeout when that is shorter).
        self.beat_every = self.vt - min(HEARTBEAT_MARGIN_SECONDS, self.vt / 2)
        self.names = [f"consumer-{i + 1}" for i in range(workers)]
        self.report = ConsumerReport(workers=workers, per_worker={
            n: {"batches": 0, "receives": 0, "processed": 0, "failed": 0, "deleted": 0,
                "crashes": 0, "heartbeats": 0} for n in self.names})
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.start = env.clock.elapsed()
        self.request_ids = env.random("lambda-request-ids")

    # -- SQS calls ----------------------------------------------------------------------
    def receive(self, wait: int = 0) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "QueueUrl": self.url, "MaxNumberOfMessages": self.batch_size, "WaitTimeSeconds": wait,
            "MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]}
        if self.explicit_vt is not None:
            params["VisibilityTimeout"] = self.vt
        self._count_call()
        return self.sqs.receive_message(**params).get("Messages", [])

    def _count_call(self) -> None:
        with self.lock:
            self.report.sqs_calls += 1

    def depth(self) -> tuple[int, int, int]:
        return _depth(self.sqs, self.url)

    def _per_entry(self, call: Any, items: list[_Item], **entry: Any) -> int:
        """``call`` (a ``...Batch`` API) on the items' receipt handles, 10 per call: successes."""
        done = 0
        for i in range(0, len(items), limits.SQS_MAX_BATCH_ENTRIES):
            chunk = items[i:i + limits.SQS_MAX_BATCH_ENTRIES]
            self._count_call()
            response = call(QueueUrl=self.url, Entries=[
                {"Id": str(n), "ReceiptHandle": it.record["receiptHandle"], **entry}
                for n, it in enumerate(chunk)])
            done += len(response.get("Successful", []))
        return done

    def delete(self, items: list[_Item]) -> int:
        return self._per_entry(self.sqs.delete_message_batch, items)

    def extend(self, items: list[_Item]) -> int:
        return self._per_entry(self.sqs.change_message_visibility_batch, items,
                               VisibilityTimeout=self.vt)

    # -- the handler --------------------------------------------------------------------
    def prepare(self, worker: int, messages: list[dict[str, Any]], now: float) -> _Batch:
        """Build the event, apply poison faults, call the handler, settle each record."""
        event = build_event(messages, self.arn, self.env.region)
        items = []
        for record in event["Records"]:
            order = _decode(record["body"])
            seq = order.get("seq") if isinstance(order, dict) else None
            count = record["attributes"].get("ApproximateReceiveCount")
            key = order.get("order_id") if isinstance(order, dict) else None
            items.append(_Item(
                record=record, order=order, key=str(key) if key is not None else record["messageId"],
                group=record["attributes"].get("MessageGroupId"),
                seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
                attempt=int(count) if count else None,
                duration=self.scenario.processing_time(self.processing_seconds)))
        crash = self.scenario.crashes()
        blocked: set[str] = set()
        to_handler = []
        for it in items:
            if self.fifo and it.group in blocked:
                self._fail(it, GroupBlockedError(
                    f"not processed: an earlier message of group {it.group!r} failed in this batch"))
            elif self.scenario.is_poison(it.order):
                self._fail(it, None, "poison message",
                           f"order {it.key} always fails (scenario poison)")
                if self.fifo and it.group is not None:
                    blocked.add(it.group)
            else:
                to_handler.append(it)
        if to_handler:
            self._call_handler(to_handler, now)
        if self.fifo:
            failed_groups: set[str] = set()
            for it in items:
                if it.group is None:
                    continue
                if it.ok and it.group in failed_groups:
                    self._fail(it, GroupBlockedError(
                        f"not deleted: an earlier message of group {it.group!r} failed in this "
                        "batch (FIFO order; the handler processed it anyway)"))
                if not it.ok:
                    failed_groups.add(it.group)
        return _Batch(worker=worker, items=items, started=now, crash=crash)

    @staticmethod
    def _fail(it: _Item, exc: BaseException | None, reason: str = "", detail: str | None = None) -> None:
        it.ok = False
        if exc is not None:
            it.reason = reason or type(exc).__name__
            it.detail = str(exc)
        else:
            it.reason, it.detail = reason, detail

    def _call_handler(self, items: list[_Item], now: float) -> None:
        event: SQSEvent = {"Records": [it.record for it in items]}
        request_id = str(uuid.UUID(int=self.request_ids.getrandbits(128)))
        context = LambdaContext(function_name=self.function_name, aws_request_id=request_id,
                                deadline=now + self.vt, clock=self.env.clock,
                                timeout_seconds=float(self.vt),
                                invoked_function_arn=f"arn:aws:lambda:{self.env.region}:"
                                                     f"{self.env.account}:function:{self.function_name}")
        try:
            response = self.handler(event, context)
        except Exception as exc:  # a raising handler fails the whole batch, as in Lambda
            # Powertools raises BatchProcessingError when every record failed; the course's
            # BatchHandler still knows each record's own exception.
            errors = getattr(self.handler, "errors", None) or {}
            for it in items:
                own = errors.get(it.record["messageId"])
                if isinstance(own, BaseException):
                    self._fail(it, own)
                else:
                    self._fail(it, exc, f"{type(exc).__name__} (whole batch failed)")
            return
        ids = {it.record["messageId"]: it for it in items}
        try:
            failed = batch_item_failures(response, set(ids), run=self)
        except HandlerResponseError as exc:
            for it in items:
                self._fail(it, exc)
            return
        errors = getattr(self.handler, "errors", None) or {}
        for message_id in failed:
            err = errors.get(message_id)
            if isinstance(err, BaseException):
                self._fail(ids[message_id], err)
            else:
                self._fail(ids[message_id], None, "reported in batchItemFailures",
                           str(err) if err is not None else None)

    # -- outcomes -----------------------------------------------------------------------
    def settle(self, batch: _Batch, it: _Item) -> None:
        """Log the record's outcome and count it (called when its processing ends)."""
        name = self.names[batch.worker]
        stats = self.report.per_worker[name]
        with self.lock:
            if it.ok:
                self.report.processed += 1
                stats["processed"] += 1
                if self.seen[it.key]:
                    self.report.duplicates += 1
                self.seen[it.key] += 1
                self.report.processed_ids.append(it.key)
            else:
                self.report.failed += 1
                stats["failed"] += 1
        self.env.log.record(
            service="sqs", action="process" if it.ok else "fail", resource=self.name,
            message_id=it.record["messageId"], group=it.group, seq=it.seq, attempt=it.attempt,
            outcome="ok" if it.ok else f"error: {it.reason}", actor=name, detail=it.detail)

    def finish(self, batch: _Batch) -> int:
        """Delete the successes (or crash): returns how many were deleted."""
        name = self.names[batch.worker]
        stats = self.report.per_worker[name]
        if batch.crash:
            with self.lock:
                self.report.crashes += 1
                stats["crashes"] += 1
            self.env.log.record(
                service="sqs", action="crash", resource=self.name, actor=name,
                outcome="error: crashed before delete",
                detail=f"worker died after processing {len(batch.items)} messages, before "
                       "deleting them: they come back after the visibility timeout")
            return 0
        ok = [it for it in batch.items if it.ok]
        with self.env.acting(name):
            deleted = self.delete(ok) if ok else 0
        with self.lock:
            self.report.deleted += deleted
            stats["deleted"] += deleted
        return deleted

    def received(self, worker: int, count: int) -> None:
        stats = self.report.per_worker[self.names[worker]]
        with self.lock:
            self.report.receives += count
            self.report.batches += 1
            stats["receives"] += count
            stats["batches"] += 1

    def beat(self, batch: _Batch, now: float) -> None:
        """Heartbeat: extend the visibility of the batch's records still to be deleted."""
        name = self.names[batch.worker]
        elapsed = now - batch.started
        live, done = [], 0.0
        for it in batch.items:
            done += it.duration
            if it.ok or done > elapsed:
                live.append(it)
        if not live:
            return
        with self.env.acting(name):
            self.extend(live)
        with self.lock:
            self.report.heartbeats += 1
            self.report.per_worker[name]["heartbeats"] += 1

    def close(self, elapsed: float, stopped: str) -> ConsumerReport:
        self.report.elapsed = round(elapsed, 6)
        self.report.throughput = self.report.deleted / elapsed if elapsed > 0 else 0.0
        self.report.stopped = stopped
        return self.report

