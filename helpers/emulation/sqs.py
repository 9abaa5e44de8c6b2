"""SQS behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Each stand-in below patches moto's SQS backend while a local environment is open (``moto``
and the in-process ``server`` backend share the same backend objects), so the helpers *and*
a student's own ``env.client("sqs")`` calls meet AWS's behaviour. On ``aws`` none of this is
installed: the real service does it.

Stand-ins (AWS behaviour copied -> what moto does without it)
--------------------------------------------------------------
1. Cheap clock and cheap attributes: moto's SQS reads the environment's simulated clock
   directly instead of building a datetime per message, and answers GetQueueAttributes (which
   moto also calls once per sent and received message) without counting the whole queue
   unless a count was asked for, and deletes in one pass that stops at the message. Same
   answers; a 2,000-message backlog drains about 100x faster than on plain moto
   (``make bench``).
2. FIFO deduplication interval: an id is remembered for 5 minutes even after the message was
   received and deleted -> moto only compares with messages still in the queue.
3. Long polling on the simulated clock: ``WaitTimeSeconds`` advances simulated time to the
   next moment a message becomes visible (or to the end of the wait) -> moto blocks real
   wall time, and hangs forever under a frozen clock.
4. At-least-once delivery and best-effort ordering for standard queues, driven by the
   environment's seeded delivery model (``env.delivery``) -> moto delivers strictly in send
   order with no duplicates. Each emulated duplicate is logged as ``duplicate`` with the
   outcome ``emulated on moto``.
5. ``RedriveAllowPolicy`` kept, returned and enforced when a queue names a DLQ; DLQ type must
   match the source (FIFO <-> FIFO); ``maxReceiveCount`` must be 1-1000 -> moto drops the
   allow policy and accepts a standard queue with a FIFO DLQ.
6. ``StartMessageMoveTask``, ``ListMessageMoveTasks``, ``CancelMessageMoveTask`` (DLQ redrive
   to the original source queue or a named destination) -> moto raises NotImplementedError.
   Emulated tasks complete at once (AWS runs them asynchronously: poll the task status).
7. DLQ moves are written to ``env.log`` as ``move-to-dlq`` (moto moves silently).
8. FIFO group order after a visibility timeout: messages whose timeout expired stop locking
   their group before a receive -> moto can deliver a later message of the group first.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.stand_ins.names()[0]
'cheap clock'
>>> _ = env.teardown()
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from unittest import mock

from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import (
    InvalidAttributeName,
    QueueDoesNotExist,
    ReceiptHandleIsInvalid,
    SQSException,
)
from moto.sqs.responses import SQSResponse
from moto.sqs.utils import generate_receipt_handle

from ..platform import limits
from ._base import _Patches

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["DeliveryModel", "SqsStandIns", "EMULATED"]

#: The outcome text every emulated row of ``env.log`` carries.
EMULATED = "emulated on moto"

_Queue = sqs_models.Queue
_Backend = sqs_models.SQSBackend
_Message = sqs_models.Message
_ALL_ATTRIBUTES = (*_Queue.BASE_ATTRIBUTES, *_Queue.FIFO_ATTRIBUTES, *_Queue.KMS_ATTRIBUTES)
_FIELD = {name: camelcase_to_underscores(name) for name in _ALL_ATTRIBUTES}
_COUNTS = frozenset({"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                     "ApproximateNumberOfMessagesNotVisible"})
_VALID_NAMES = frozenset({"All", *_ALL_ATTRIBUTES, "RedriveAllowPolicy"})


def queue_attributes(queue: Any, counts: bool = True) -> dict[str, Any]:
    """moto's ``Queue.attributes`` plus ``RedriveAllowPolicy``; counts only when asked."""
    result: dict[str, Any] = {}
    for name in _Queue.BASE_ATTRIBUTES:
        if counts or name not in _COUNTS:
            result[name] = getattr(queue, _FIELD[name])
    if queue.fifo_queue:
        for name in _Queue.FIFO_ATTRIBUTES:
            result[name] = getattr(queue, _FIELD[name])
    if queue.kms_master_key_id:
        for name in _Queue.KMS_ATTRIBUTES:
            result[name] = getattr(queue, _FIELD[name])
    if queue.policy:
        result["Policy"] = queue.policy
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy)
    allow = getattr(queue, "_sc_redrive_allow", None)
    if allow:
        result["RedriveAllowPolicy"] = json.dumps(allow)
    for key, value in result.items():
        if isinstance(value, bool):
            result[key] = str(value).lower()
    return result


@dataclass
class DeliveryModel:
    """How a standard queue departs from send order on moto (AWS promises neither).

    Parameters
    ----------
    duplicate_rate
        Probability that a received message is delivered once more later (at-least-once).
    reorder_rate
        Probability that two neighbouring messages swap places before a receive
        (best-effort ordering).

    The stand-in draws every choice from the environment's seeded random stream
    :attr:`STREAM`; :meth:`helpers.sqs.Scenario.activate` restarts it from the scenario's
    seed, so a repeated experiment repeats its duplicates and reordering.

    Example
    -------
    >>> DeliveryModel(duplicate_rate=0.05).active
    True
    """

    #: Name of the ``env.random`` stream the delivery stand-in draws from.
    STREAM: ClassVar[str] = "sqs-delivery"

    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0

    @property
    def active(self) -> bool:
        """True when any departure from send order is switched on."""
        return bool(self.duplicate_rate or self.reorder_rate)


def _arn_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _invalid(message: str) -> SQSException:
    return SQSException("InvalidParameterValue", message)


class SqsStandIns(_Patches):
    """Installs and removes the SQS stand-ins for one environment."""

    SERVICE = "sqs"
    NAMES = (
        "cheap clock",
        "FIFO deduplication interval",
        "long polling on the simulated clock",
        "at-least-once delivery and best-effort order",
        "RedriveAllowPolicy and DLQ rules",
        "message move tasks (DLQ redrive)",
        "DLQ moves in env.log",
        "FIFO group order after a visibility timeout",
    )

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self._dedup: dict[tuple, float] = {}
        self.origins: dict[str, str] = {}  # message id -> source queue ARN (set on DLQ move)
        self.tasks: dict[str, dict[str, Any]] = {}

    # -- lifecycle (start/stop in _Patches) --------------------------------------------
    def _patches(self) -> list[Any]:
        """Patches of moto's SQS backend (without the cheap-clock ones on a real clock)."""
        me = self
        clock = self.env.clock
        orig_unix_time = sqs_models.unix_time
        orig_add = _Queue.add_message
        orig_receive = _Backend.receive_message
        orig_set = _Queue._set_attributes

        def unix_time(dt: Any = None) -> float:
            return clock.time() if dt is None else orig_unix_time(dt)

        def unix_time_millis(dt: Any = None) -> float:
            return (clock.time() if dt is None else orig_unix_time(dt)) * 1000.0

        def add_message(queue: Any, message: Any) -> None:
            if me._is_duplicate_send(queue, message):
                return
            orig_add(queue, message)

        def receive_message(backend: Any, queue_name: str, count: int, wait: int,
                            visibility: int, attrs: list[str] | None = None) -> list[Any]:
            return me._receive(orig_receive, backend, queue_name, count, wait, visibility, attrs)

        def set_attributes(queue: Any, attributes: dict[str, Any], now: Any = None) -> None:
            attributes = dict(attributes)
            me._take_allow_policy(queue, attributes)
            me._check_redrive_policy(queue, attributes)
            orig_set(queue, attributes, now)

        def attributes(queue: Any) -> dict[str, Any]:
            # moto reads this on every send and receive: skip the O(queue) counts there.
            return queue_attributes(queue, counts=False)

        def get_queue_attributes(backend: Any, queue_name: str, names: list[str]) -> dict:
            queue = backend.get_queue(queue_name)
            names = list(names or [])
            if not names:
                return {}
            invalid = next((n for n in names if n not in _VALID_NAMES), None)
            if invalid is not None:
                raise InvalidAttributeName(invalid)
            full = queue_attributes(queue, counts="All" in names or bool(_COUNTS.intersection(names)))
            if "All" in names:
                return full
            return {n: full[n] for n in names if full.get(n) is not None}

        def visible(message: Any) -> bool:
            return clock.time() * 1000.0 > message.visible_at

        def delayed(message: Any) -> bool:
            return clock.time() * 1000.0 < message.delayed_until

        def messages(queue: Any) -> list[Any]:
            now = clock.time() * 1000.0
            return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]

        def start_message_move_task(response: Any) -> ActionResult:
            return ActionResult(me._start_task(
                response.sqs_backend,
                response._get_param("SourceArn"),
                response._get_param("DestinationArn"),
                response._get_param("MaxNumberOfMessagesPerSecond"),
            ))

        def list_message_move_tasks(response: Any) -> ActionResult:
            return ActionResult(me._list_tasks(
                response.sqs_backend,
                response._get_param("SourceArn"),
                int(response._get_param("MaxResults") or 1),
            ))

        def cancel_message_move_task(response: Any) -> ActionResult:
            return ActionResult(me._cancel_task(response._get_param("TaskHandle")))

        def delete_message(queue: Any, receipt_handle: str) -> None:
            # moto scans the whole queue twice per delete; received messages sit near the
            # front, so one pass that stops at the match answers the same, far faster.
            if receipt_handle in queue.deleted_messages:
                return
            for index, message in enumerate(queue._messages):
                if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
                    del queue._messages[index]
                    queue.pending_messages.discard(message)
                    queue.deleted_messages.update(message.all_receipt_handles)
                    return
            raise ReceiptHandleIsInvalid()

        def within_retention(backend: Any, queue_name: str, message: Any) -> bool:
            queue = backend.get_queue(queue_name)
            return queue.message_retention_period + message.sent_timestamp / 1000 > clock.time()

        patchers = [
            mock.patch.object(sqs_models, "unix_time", unix_time),
            mock.patch.object(sqs_models, "unix_time_millis", unix_time_millis),
            mock.patch.object(_Message, "visible", property(visible)),
            mock.patch.object(_Message, "delayed", property(delayed)),
            mock.patch.object(_Queue, "messages", property(messages)),
            mock.patch.object(_Queue, "delete_message", delete_message),
            mock.patch.object(_Backend, "is_message_valid_based_on_retention_period", within_retention),
            mock.patch.object(_Queue, "add_message", add_message),
            mock.patch.object(_Backend, "receive_message", receive_message),
            mock.patch.object(_Queue, "_set_attributes", set_attributes),
            mock.patch.object(_Queue, "attributes", property(attributes)),
            mock.patch.object(_Backend, "get_queue_attributes", get_queue_attributes),
            mock.patch.object(SQSResponse, "start_message_move_task",
                              start_message_move_task, create=True),
            mock.patch.object(SQSResponse, "list_message_move_tasks",
                              list_message_move_tasks, create=True),
            mock.patch.object(SQSResponse, "cancel_message_move_task",
                              cancel_message_move_task, create=True),
        ]
        return patchers if clock.simulated else patchers[7:]  # a real clock: no cheap clock

    # -- 2. FIFO deduplication interval ------------------------------------------------
    def _is_duplicate_send(self, queue: Any, message: Any) -> bool:
        if not queue.fifo_queue or not message.deduplication_id:
            return False
        scope = message.group_id if getattr(queue, "deduplication_scope", "") == "messageGroup" else None
        key = (queue.queue_arn, scope, message.deduplication_id)
        now = self.env.clock.time()
        seen = self._dedup.get(key)
        if seen is not None and now - seen < limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS:
            self.env.log.record(
                service="sqs", action="deduplicate", resource=queue.name,
                message_id=message.id, group=message.group_id, outcome=EMULATED,
                detail=f"deduplication id seen {now - seen:.0f} s ago (< 300 s): accepted, not delivered",
            )
            return True
        if len(self._dedup) > 50_000:  # forget ids older than the interval
            horizon = now - limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS
            self._dedup = {k: t for k, t in self._dedup.items() if t >= horizon}
        self._dedup[key] = now
        return False

    # -- 3, 4, 7, 8. receive -----------------------------------------------------------
    def _receive(self, orig: Any, backend: Any, queue_name: str, count: int, wait: int,
                 visibility: int, attrs: list[str] | None) -> list[Any]:
        queue = backend.get_queue(queue_name)
        delivery: DeliveryModel = self.env.delivery
        standard = not queue.fifo_queue
        if standard and delivery.reorder_rate:
            self._reorder(queue, count, delivery.reorder_rate)
        result = self._receive_once(orig, backend, queue, count, visibility, attrs)
        clock = self.env.clock
        if not result and wait and clock.simulated:
            deadline = clock.elapsed() + int(wait)
            while not result:
                ready = self._next_ready(queue)
                if ready is None or ready > deadline:
                    clock.advance_to(deadline)
                    break
                clock.advance_to(ready)
                result = self._receive_once(orig, backend, queue, count, visibility, attrs)
        if standard and delivery.duplicate_rate and result:
            self._duplicate(queue, result, visibility, delivery.duplicate_rate)
        return result

    def _receive_once(self, orig: Any, backend: Any, queue: Any, count: int, visibility: int,
                      attrs: list[str] | None) -> list[Any]:
        if queue.fifo_queue:
            # 8. A message whose visibility timeout expired is no longer in flight, so it no
            # longer locks its group. moto only unlocks it when its receive loop reaches it, and
            # until then delivers a *later* message of the group first (a3 before a1, a2).
            for message in [m for m in queue.pending_messages if m.visible]:
                queue.pending_messages.discard(message)
        policy = queue.redrive_policy if queue.dead_letter_queue is not None else None
        candidates = []
        if policy:
            limit = policy["maxReceiveCount"]
            candidates = [m for m in queue._messages if m.approximate_receive_count >= limit]
        result = orig(backend, queue.name, count, 0, visibility, attrs)
        if candidates:
            still_here = {id(m) for m in queue._messages}
            for message in candidates:
                if id(message) not in still_here:
                    self.origins[message.id] = queue.queue_arn
                    self.env.log.record(
                        service="sqs", action="move-to-dlq", resource=queue.name,
                        message_id=message.id, group=message.group_id,
                        attempt=message.approximate_receive_count,
                        detail=f"to {queue.dead_letter_queue.name} (maxReceiveCount={policy['maxReceiveCount']})",
                    )
        return result

    def _next_ready(self, queue: Any) -> float | None:
        """Elapsed clock seconds at which the next hidden or delayed message is ready."""
        now_ms = self.env.clock.time() * 1000.0
        times = [max(m.visible_at, m.delayed_until) for m in queue._messages]
        later = [t for t in times if t >= now_ms]
        if not later and not times:
            return None
        if not later:
            return None
        start_ms = (self.env.clock.time() - self.env.clock.elapsed()) * 1000.0
        return (min(later) - start_ms) / 1000.0 + 0.001

    def _reorder(self, queue: Any, count: int, rate: float) -> None:
        rng = self.env.random(DeliveryModel.STREAM)
        messages = queue._messages
        window = min(len(messages) - 1, 2 * max(count, 1))
        for i in range(window):
            if rng.random() < rate:
                messages[i], messages[i + 1] = messages[i + 1], messages[i]

    def _duplicate(self, queue: Any, result: list[Any], visibility: int, rate: float) -> None:
        rng = self.env.random(DeliveryModel.STREAM)
        by_handle = {m.receipt_handle: m for m in queue._messages}
        for received in result:
            if rng.random() >= rate:
                continue
            original = by_handle.get(received.receipt_handle)
            if original is None or getattr(original, "_sc_twin", False):
                continue  # a copy is not copied again
            twin = copy.deepcopy(original)
            twin.receipt_handle = generate_receipt_handle()
            twin._old_receipt_handles = []
            twin._sc_twin = True
            # The copy surfaces when the original's visibility timeout would end, whether
            # or not the original was deleted: exactly the case idempotency must handle.
            twin.visible_at = self.env.clock.time() * 1000.0 + (int(visibility) + rng.uniform(0, 5)) * 1000
            queue._messages.append(twin)
            self.env.log.record(
                service="sqs", action="duplicate", resource=queue.name, message_id=original.id,
                group=original.group_id, attempt=original.approximate_receive_count,
                outcome=EMULATED, detail="at-least-once: a second copy will be delivered",
            )

    # -- 5. RedriveAllowPolicy and DLQ rules --------------------------------------------
    def _take_allow_policy(self, queue: Any, attributes: dict[str, Any]) -> None:
        if "RedriveAllowPolicy" not in attributes:
            return
        raw = attributes.pop("RedriveAllowPolicy")
        if raw in (None, "", {}):
            queue._sc_redrive_allow = None
            return
        try:
            policy = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except (TypeError, ValueError):
            raise _invalid(
                f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
                "Redrive allow policy is not a dict or valid json."
            ) from None
        permission = policy.get("redrivePermission")
        sources = policy.get("sourceQueueArns")
        if permission not in ("allowAll", "denyAll", "byQueue"):
            raise _invalid(
                f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
                "redrivePermission must be one of allowAll, denyAll, byQueue."
            )
        if permission == "byQueue" and not (
            isinstance(sources, list) and 1 <= len(sources) <= limits.SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES
        ):
            raise _invalid(
                f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
                f"byQueue needs sourceQueueArns with 1 to {limits.SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES} queue ARNs."
            )
        if permission != "byQueue" and sources:
            raise _invalid(
                f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
                "sourceQueueArns is allowed only with redrivePermission byQueue."
            )
        queue._sc_redrive_allow = policy

    def _check_redrive_policy(self, queue: Any, attributes: dict[str, Any]) -> None:
        raw = attributes.get("RedrivePolicy")
        if raw in (None, "", {}) or _Queue._is_empty_redrive_policy(raw):
            return
        try:
            policy = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except (TypeError, ValueError):
            return  # moto answers this one in AWS's words
        count = policy.get("maxReceiveCount")
        try:
            count_ok = limits.SQS_MIN_MAX_RECEIVE_COUNT <= int(count) <= limits.SQS_MAX_MAX_RECEIVE_COUNT
        except (TypeError, ValueError):
            count_ok = False
        if not count_ok:
            raise _invalid(
                f"Value {raw} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                f"maxReceiveCount: {count}, valid values are from {limits.SQS_MIN_MAX_RECEIVE_COUNT} "
                f"to {limits.SQS_MAX_MAX_RECEIVE_COUNT} both inclusive."
            )
        target = policy.get("deadLetterTargetArn")
        backend = sqs_models.sqs_backends[queue.account_id][queue.region]
        dlq = next((q for q in backend.queues.values() if q.queue_arn == target), None)
        if dlq is None:
            return  # moto reports the missing DLQ
        source_fifo = str(attributes.get("FifoQueue", getattr(queue, "fifo_queue", False))).lower() == "true"
        if source_fifo != bool(dlq.fifo_queue):
            kind = "FIFO" if source_fifo else "standard"
            other = "FIFO" if dlq.fifo_queue else "standard"
            raise SQSException(
                "InvalidParameterCombination",
                f"Value {raw} for parameter RedrivePolicy is invalid. Reason: a {kind} queue "
                f"cannot use a {other} dead-letter queue; the DLQ must be the same type as the source.",
            )
        allow = getattr(dlq, "_sc_redrive_allow", None)
        source_arn = getattr(queue, "queue_arn", None)
        if allow and (
            allow["redrivePermission"] == "denyAll"
            or (allow["redrivePermission"] == "byQueue" and source_arn not in allow["sourceQueueArns"])
        ):
            raise _invalid(
                f"Value {raw} for parameter RedrivePolicy is invalid. Reason: Queue {source_arn} "
                f"is not allowed to use {target} as its dead-letter queue: the DLQ's "
                "RedriveAllowPolicy does not allow it."
            )

    # -- 6. message move tasks --------------------------------------------------------
    def _queue_by_arn(self, backend: Any, arn: str | None) -> Any:
        queue = next((q for q in backend.queues.values() if q.queue_arn == arn), None)
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    def _start_task(self, backend: Any, source_arn: str, destination_arn: str | None,
                    rate: Any) -> dict[str, Any]:
        dlq = self._queue_by_arn(backend, source_arn)
        if not backend.list_dead_letter_source_queues(dlq.name):
            raise _invalid(
                f"Value {source_arn} for parameter SourceArn is invalid. Reason: Source queue "
                "must be configured as a Dead Letter Queue."
            )
        if any(t["SourceArn"] == source_arn and t["Status"] == "RUNNING" for t in self.tasks.values()):
            raise _invalid(f"There is already a task running on {source_arn}.")
        destination = self._queue_by_arn(backend, destination_arn) if destination_arn else None
        handle = str(uuid.UUID(int=self.env.random("sqs-move-task").getrandbits(128)))
        started = int(self.env.clock.time() * 1000)
        moved = 0
        now_ms = self.env.clock.time() * 1000.0
        for message in list(dlq._messages):
            if message.visible_at > now_ms:
                continue  # in flight: AWS moves it once it is visible again
            # moto keeps a received message in pending_messages until its next receive pass,
            # even once its visibility timeout has expired: that is not "in flight".
            dlq.pending_messages.discard(message)
            target = destination or next(
                (q for q in backend.queues.values() if q.queue_arn == self.origins.get(message.id)), None
            )
            if target is None:
                target = backend.list_dead_letter_source_queues(dlq.name)[0]
            dlq._messages.remove(message)
            message.approximate_receive_count = 0
            message.approximate_first_receive_timestamp = None
            message.visible_at = 0
            message.delayed_until = 0
            target._messages.append(message)
            moved += 1
            self.env.log.record(
                service="sqs", action="redrive", resource=target.name, message_id=message.id,
                group=message.group_id, outcome=EMULATED, detail=f"moved from {dlq.name}",
            )
        self.tasks[handle] = {
            "TaskHandle": handle,
            "Status": "COMPLETED",
            "SourceArn": source_arn,
            "DestinationArn": destination_arn,
            "MaxNumberOfMessagesPerSecond": int(rate) if rate else None,
            "ApproximateNumberOfMessagesMoved": moved,
            "ApproximateNumberOfMessagesToMove": moved,
            "StartedTimestamp": started,
        }
        return {"TaskHandle": handle}

    def _list_tasks(self, backend: Any, source_arn: str, max_results: int) -> dict[str, Any]:
        self._queue_by_arn(backend, source_arn)
        found = [t for t in self.tasks.values() if t["SourceArn"] == source_arn]
        found.sort(key=lambda t: t["StartedTimestamp"], reverse=True)
        results = []
        for task in found[: max(1, min(max_results, 10))]:
            row = {k: v for k, v in task.items() if v is not None}
            if row["Status"] != "RUNNING":
                row.pop("TaskHandle", None)
            results.append(row)
        return {"Results": results}

    def _cancel_task(self, handle: str) -> dict[str, Any]:
        task = self.tasks.get(handle)
        if task is None or task["Status"] != "RUNNING":
            raise SQSException(
                "ResourceNotFoundException",
                f"Task {handle} does not exist or is not running (emulated tasks complete at once).",
            )
        task["Status"] = "CANCELLED"
        return {"ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"]}
