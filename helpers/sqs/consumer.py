"""The course's stand-in for Lambda's SQS event source mapping: consumers on a queue.

:func:`run_consumers` polls a queue with ``workers`` consumers, hands each batch to a
Lambda-shaped handler (``handler(event, context)`` with a real SQS event), deletes the
records that succeeded and leaves the failed ones to come back after the visibility timeout,
exactly as an event source mapping with ``ReportBatchItemFailures`` does. It is a stand-in
because moto's own mapping needs Docker to run a function and ignores partial batch
responses (it deletes nothing it is told failed, and sends one record per invoke).

On the local backends (moto, in-process server)
    Workers are *virtual*: a discrete-event loop on the simulated clock, no threads (moto's
    SQS is not thread-safe). Each worker polls (``ReceiveMessage`` with ``WaitTimeSeconds=0``),
    "processes" each record for ``processing_seconds`` of simulated time, then deletes what
    succeeded with one ``DeleteMessageBatch``. The loop always jumps the clock to the next
    worker event, so a run of hundreds of messages takes milliseconds of wall time. An idle
    worker polls again as soon as something can have changed: another worker finished a
    batch, a visibility timeout it knows about expires, or ``poll_interval`` seconds passed
    (for messages it cannot know about: delays, emulated duplicates). Nothing sleeps.
    SQS calls are free unless ``api_call_seconds`` models their network round trip: then
    each receive, batch delete and heartbeat costs its worker that much simulated time.
On AWS and external endpoints
    One real thread per worker, long polling (``WaitTimeSeconds`` up to 20), the same handler
    contract, faults and report; processing time is really slept.

Faults (:class:`helpers.sqs.Scenario`): a worker that crashes skips its deletes and restarts
after ``restart_seconds``; slow messages take ``slow_seconds``; poison orders fail every time
(they are not handed to the handler: they fail as a handler would); no worker polls during
an outage. With ``heartbeat=True`` a worker whose batch outlasts the visibility timeout
extends it (``ChangeMessageVisibilityBatch``, by one timeout) whenever 5 s of it are left:
the fix the lab teaches.

Every record gets a ``process`` row (outcome ``ok``) or a ``fail`` row (outcome
``"error: <reason>"``, detail the exception text) in ``env.log`` with actor ``consumer-N``,
next to the receive/delete rows the recorder writes; a crash writes a ``crash`` row.

Example
-------
>>> import helpers
>>> from helpers.sqs import create_queue, send_orders, run_consumers, make_batch_handler
>>> env = helpers.connect(quiet=True)
>>> q = create_queue(env, "orders")
>>> orders = [{"order_id": f"ord-{i}", "customer_id": "c", "seq": i} for i in range(1, 21)]
>>> _ = send_orders(env, q, orders)
>>> report = run_consumers(env, q, make_batch_handler(lambda r: None), workers=2,
...                        processing_seconds=0.5)
>>> report.processed, report.deleted, report.elapsed
(20, 20, 5.0)
>>> _ = env.teardown()
"""

from __future__ import annotations

import heapq
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..platform import limits
from ..platform.errors import GroupBlockedError, HandlerResponseError, InvalidParameterError
from .faults import Scenario
from .queues import OrderQueue, _attributes, _depth
from .types import LambdaContext, SQSEvent, SQSRecord
from .validation import batch_item_failures

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment
    from .types import Handler

__all__ = ["ConsumerReport", "run_consumers", "build_event", "POLL_INTERVAL_SECONDS",
           "RESTART_SECONDS", "HEARTBEAT_MARGIN_SECONDS"]

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
            for it in items:
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


def _failed_ids(response: Any, batch_ids: set[str]) -> list[str]:
    """Message ids a handler response reports as failed (Lambda's rules)."""
    if response is None:
        return []
    if not isinstance(response, dict):
        raise HandlerResponseError(
            f"handler returned {type(response).__name__} {response!r}; Lambda expects None or "
            "{'batchItemFailures': [{'itemIdentifier': messageId}, ...]} and treats anything "
            "else as a failure of the whole batch.")
    failures = response.get("batchItemFailures")
    if failures is None:
        return []
    out = []
    for entry in failures:
        ident = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not ident or ident not in batch_ids:
            raise HandlerResponseError(
                f"batchItemFailures entry {entry!r} names no message of this batch; Lambda "
                "treats a missing, empty or unknown itemIdentifier as a failure of the whole "
                "batch. Fix: return {'itemIdentifier': record['messageId']}.")
        out.append(ident)
    return out


# -- the simulated runner -------------------------------------------------------------------
def _simulate(run: _Run, *, workers: int, max_seconds: float, stop_when_empty: bool,
              poll_interval: float, restart_seconds: float, api_call_seconds: float,
              bar: Any) -> ConsumerReport:
    env, clock, scenario = run.env, run.env.clock, run.scenario
    start = run.start
    # Each SQS call takes effect when it is made and costs its worker ``api_call_seconds``
    # (the round trip) before the worker can do anything else.
    call = api_call_seconds
    free_at = [start] * workers  # when each worker's last SQS call has returned
    deleted_by = start  # when the last DeleteMessageBatch returned
    deadline = start + max_seconds
    events: list[tuple[float, int, int, str, Any]] = []
    counter = 0
    token = [0] * workers  # the live poll event of each worker
    busy: list[_Batch | None] = [None] * workers
    hidden: dict[str, float] = {}  # receipt handle -> clock time it becomes visible again

    def push(at: float, worker: int, kind: str, payload: Any = None) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(events, (at, counter, worker, kind, payload))

    def poll_at(at: float, worker: int) -> None:
        token[worker] += 1
        push(at, worker, "poll", token[worker])

    def wake_idle(now: float) -> None:
        for w in range(workers):
            at = max(now, free_at[w])
            if busy[w] is None and wakeable[w] and pending_poll[w] > at:
                pending_poll[w] = at
                poll_at(at, w)

    pending_poll = [start] * workers
    wakeable = [True] * workers  # False while restarting after a crash or in an outage
    for w in range(workers):
        poll_at(start, w)

    stopped = "max_seconds"
    last = start
    while events:
        at, _, w, kind, payload = heapq.heappop(events)
        if kind == "poll" and payload != token[w]:
            continue  # superseded by an earlier wake-up
        if at > deadline:
            break
        clock.advance_to(at)
        now = max(at, clock.elapsed())
        last = now
        if kind == "poll":
            since = now - start
            if scenario.in_outage(since):
                nxt = start + scenario.outage[1]
                pending_poll[w], wakeable[w] = nxt, False
                poll_at(nxt, w)
                continue
            wakeable[w] = True
            with env.acting(run.names[w]):
                messages = run.receive()
            free_at[w] = now + call
            if messages:
                if len(messages) == run.batch_size:
                    wake_idle(now)  # there may be more: the long poll of the others returns
                run.received(w, len(messages))
                batch = run.prepare(w, messages, now)
                batch.started = t = now + call  # processing starts when the receive returns
                busy[w] = batch
                pending_poll[w] = _NEVER
                for m in messages:
                    hidden[m["ReceiptHandle"]] = now + run.vt
                # A heartbeat extends the visibility (counted from the receive) every
                # beat_every seconds while the batch outlasts the timeout; its call pauses
                # the processing for one round trip.
                beats = run.heartbeat and run.vt > 0 and (
                    call + sum(it.duration for it in batch.items) > run.vt)
                beat = now + run.beat_every
                for it in batch.items:
                    t += it.duration
                    while beats and beat < t:
                        push(beat, w, "beat", batch)
                        beat += run.beat_every
                        t += call
                    push(t, w, "done", (batch, it))
                batch.ends = t
                push(t, w, "end", batch)
                continue
            # Nothing received. With no batch in progress, the queue may be drained: check.
            anyone_busy = any(b is not None for b in busy)
            depth = None if anyone_busy else run.depth()
            if depth == (0, 0, 0):
                if stop_when_empty:
                    stopped = "empty"
                    last = max(now, deleted_by)
                    break
                clock.advance_to(deadline)  # nothing can ever arrive: idle to the end
                last = deadline
                break
            # One idle worker watches the queue; the others wait until a full batch or (FIFO)
            # a deleted batch says there may be more to take.
            if any(o != w and busy[o] is None and wakeable[o] and pending_poll[o] != _NEVER
                   for o in range(workers)):
                pending_poll[w] = _NEVER
                token[w] += 1
                continue
            visible, in_flight, delayed = depth if depth is not None else run.depth()
            for handle in [h for h, v in hidden.items() if v <= now]:
                del hidden[handle]
            candidates = [v + _EPSILON for v in hidden.values()]
            unknown = in_flight + delayed > len(hidden) or (visible and not run.fifo)
            if unknown or (not candidates and not anyone_busy):
                candidates.append(now + poll_interval)
            if not candidates:  # only the busy workers can change anything; they poll next
                pending_poll[w] = _NEVER
                token[w] += 1
                continue
            nxt = max(min(candidates), free_at[w])
            pending_poll[w] = nxt
            poll_at(nxt, w)
        elif kind == "done":
            batch, it = payload
            run.settle(batch, it)
        elif kind == "beat":
            batch = payload
            if busy[w] is batch:
                run.beat(batch, now)
                for it in batch.items:
                    hidden[it.record["receiptHandle"]] = now + run.vt
        elif kind == "end":
            batch = payload
            calls = run.report.sqs_calls
            deleted = run.finish(batch)
            free_at[w] = now + call * (run.report.sqs_calls - calls)
            if bar is not None and deleted:
                bar.update(deleted)
            busy[w] = None
            if not batch.crash:
                for it in batch.items:
                    if it.ok:
                        hidden.pop(it.record["receiptHandle"], None)
                deleted_by = max(deleted_by, free_at[w])
                pending_poll[w], wakeable[w] = free_at[w], True
            else:
                pending_poll[w], wakeable[w] = now + restart_seconds, False
            poll_at(pending_poll[w], w)
            if run.fifo and deleted:
                wake_idle(now)  # deletes unlock FIFO groups
    return run.close(last - start, stopped)


# -- the threaded runner (AWS, external endpoints) ---------------------------------------------
def _threads(run: _Run, *, workers: int, max_seconds: float, stop_when_empty: bool,
             restart_seconds: float, wait_seconds: int, bar: Any) -> ConsumerReport:
    env, clock, scenario = run.env, run.env.clock, run.scenario
    start = run.start
    stop = threading.Event()
    busy = [False] * workers
    stopped = ["max_seconds"]
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        name = run.names[w]
        try:
            while not stop.is_set():
                since = clock.elapsed() - start
                remaining = max_seconds - since
                if remaining <= 0:
                    return
                if scenario.in_outage(since):
                    time.sleep(min(scenario.outage[1] - since, remaining))
                    continue
                with env.acting(name):
                    messages = run.receive(wait=int(min(wait_seconds, max(1, remaining))))
                if not messages:
                    if stop_when_empty and not any(busy) and sum(run.depth()) == 0:
                        stopped[0] = "empty"
                        stop.set()
                    continue
                busy[w] = True
                try:
                    run.received(w, len(messages))
                    received_at = clock.elapsed()
                    batch = run.prepare(w, messages, received_at)
                    last_beat = received_at
                    for it in batch.items:
                        left = it.duration
                        while left > 0:
                            chunk = left
                            if run.heartbeat and run.vt > 0:
                                chunk = min(left, last_beat + run.beat_every - clock.elapsed())
                                if chunk <= 0:
                                    last_beat = clock.elapsed()
                                    run.beat(batch, last_beat)
                                    continue
                            time.sleep(chunk)
                            left -= chunk
                        run.settle(batch, it)
                    deleted = run.finish(batch)
                    if bar is not None and deleted:
                        bar.update(deleted)
                finally:
                    busy[w] = False
                if batch.crash:
                    time.sleep(restart_seconds)
        except BaseException as exc:  # surfaced in the caller's thread
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=worker, args=(w,), name=run.names[w], daemon=True)
               for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return run.close(clock.elapsed() - start, stopped[0])


# -- public entry point -------------------------------------------------------------------------
def _check(value: Any, name: str, low: float, high: float | None, kind: type = float) -> None:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and (
        kind is float or isinstance(value, int))
    if ok:
        ok = value >= low and (high is None or value <= high)
    if not ok:
        upper = f" and <= {high:g}" if high is not None else ""
        raise InvalidParameterError(
            f"{name}={value!r} must be {'an int' if kind is int else 'a number'} >= {low:g}{upper}.")


def run_consumers(
    env: Environment,
    queue: OrderQueue | str,
    handler: Handler,
    *,
    workers: int = 1,
    batch_size: int = limits.SQS_MAX_BATCH_ENTRIES,
    visibility_timeout: int | None = None,
    processing_seconds: float = 0.0,
    scenario: Scenario | None = None,
    heartbeat: bool = False,
    max_seconds: float = 3600,
    stop_when_empty: bool = True,
    progress: bool = False,
    poll_interval: float = POLL_INTERVAL_SECONDS,
    restart_seconds: float = RESTART_SECONDS,
    function_name: str = "order-processor",
    wait_seconds: int = limits.SQS_MAX_WAIT_TIME_SECONDS,
    api_call_seconds: float = 0.0,
) -> ConsumerReport:
    """Consume a queue with ``workers`` consumers calling a Lambda-shaped batch handler.

    Parameters
    ----------
    env
        The course environment.
    queue
        An :class:`OrderQueue` or a queue URL.
    handler
        ``handler(event, context) -> None | {"batchItemFailures": [...]}``; raising fails
        the whole batch. :func:`make_batch_handler` builds one from a per-record function.
    workers
        Concurrent consumers (virtual on the local backends, threads on AWS).
    batch_size
        Records per invocation, 1-10 (one ``ReceiveMessage`` per batch).
    visibility_timeout
        Passed on each receive; ``None`` uses the queue's own.
    processing_seconds
        Clock seconds one record takes (simulated on the local backends).
    scenario
        Faults to apply (:class:`Scenario`); its delivery faults are active for the run.
    heartbeat
        Extend the visibility of a batch that outlasts the timeout, by one timeout, whenever
        ``HEARTBEAT_MARGIN_SECONDS`` (5 s) of it are left (half the timeout if shorter).
    max_seconds
        Stop after this many clock seconds.
    stop_when_empty
        Stop once the queue has nothing visible, in flight or delayed.
    progress
        Show a tqdm progress bar of deleted messages.
    poll_interval
        Seconds between polls of an idle worker that knows of nothing coming (simulated).
    restart_seconds
        Seconds a crashed worker takes to come back.
    function_name
        ``context.function_name`` seen by the handler.
    wait_seconds
        Threaded runner only (AWS): ``WaitTimeSeconds`` of each long poll (1-20). The run
        notices an empty queue after one empty long poll.
    api_call_seconds
        Simulated runner only: a model of the network round trip. Every SQS call a virtual
        worker makes (``ReceiveMessage``, ``DeleteMessageBatch``, a heartbeat's
        ``ChangeMessageVisibilityBatch``) costs that worker this many simulated seconds, so
        fewer, bigger batches finish sooner. The default 0 makes calls free (batching then
        shows only in ``sqs_calls``). Ignored on AWS, where every call takes its real time.

    Returns
    -------
    ConsumerReport

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, send_orders, run_consumers, make_batch_handler
    >>> env = helpers.connect(quiet=True)
    >>> q = create_queue(env, "orders.fifo", fifo=True)
    >>> _ = send_orders(env, q, [{"order_id": f"o{i}", "customer_id": "c", "seq": i}
    ...                          for i in range(1, 6)])
    >>> run_consumers(env, q, make_batch_handler(lambda r: None)).processed_ids
    ['o1', 'o2', 'o3', 'o4', 'o5']
    >>> _ = env.teardown()
    """
    if not callable(handler):
        raise InvalidParameterError(
            f"handler={handler!r} is not callable. Pass handler(event, context), e.g. "
            "make_batch_handler(process).")
    _check(workers, "workers", 1, 1000, int)
    _check(batch_size, "batch_size", 1, limits.SQS_MAX_BATCH_ENTRIES, int)
    if visibility_timeout is not None:
        _check(visibility_timeout, "visibility_timeout", 0,
               limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, int)
    _check(processing_seconds, "processing_seconds", 0, None)
    _check(max_seconds, "max_seconds", 0, None)
    _check(poll_interval, "poll_interval", 0.001, None)
    _check(restart_seconds, "restart_seconds", 0, None)
    _check(wait_seconds, "wait_seconds", 1, limits.SQS_MAX_WAIT_TIME_SECONDS, int)
    _check(api_call_seconds, "api_call_seconds", 0, None)
    if scenario is None:
        scenario = Scenario()
    elif not isinstance(scenario, Scenario):
        raise InvalidParameterError(f"scenario={scenario!r} must be a helpers.sqs.Scenario or None.")
    scenario.reset()
    run = _Run(env, queue, handler, workers=workers, batch_size=batch_size,
               visibility_timeout=visibility_timeout, processing_seconds=float(processing_seconds),
               scenario=scenario, heartbeat=heartbeat, function_name=function_name)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(run.depth()), desc=f"consuming {run.name}", unit="msg")
    try:
        with scenario.activate(env):
            if env.clock.simulated:
                return _simulate(run, workers=workers, max_seconds=float(max_seconds),
                                 stop_when_empty=stop_when_empty, poll_interval=float(poll_interval),
                                 restart_seconds=float(restart_seconds),
                                 api_call_seconds=float(api_call_seconds), bar=bar)
            return _threads(run, workers=workers, max_seconds=float(max_seconds),
                            stop_when_empty=stop_when_empty, restart_seconds=float(restart_seconds),
                            wait_seconds=wait_seconds, bar=bar)
    finally:
        if bar is not None:
            bar.close()
