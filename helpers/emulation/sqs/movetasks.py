"""Message move tasks (DLQ redrive) that run asynchronously on the simulated clock.

moto raises NotImplementedError for ``StartMessageMoveTask``, ``ListMessageMoveTasks`` and
``CancelMessageMoveTask``. As on AWS, a started task is ``RUNNING`` and moves messages at
``MaxNumberOfMessagesPerSecond`` (500/s when not given: AWS's top rate) as simulated time
passes, so ``ListMessageMoveTasks`` shows its progress and ``CancelMessageMoveTask`` can stop
it. One task per source at a time. The task handle is AWS's: base64 of the JSON
``{"taskId": ..., "sourceArn": ...}``. Errors in AWS's codes and words (LocalStack's
``test_sqs_move_task.snapshot.json``, recorded against AWS on 30-04-2024): a source that is
no DLQ, a missing source or destination (``ResourceNotFoundException``), a second task, an
invalid handle, an unknown task. Progress is computed lazily, on the next SQS call that can
see it (a receive, GetQueueAttributes, or a move-task call).

Example
-------
>>> handle = encode_handle("1234", "arn:aws:sqs:us-east-1:123456789012:dlq")
>>> decode_handle(handle)
('1234', 'arn:aws:sqs:us-east-1:123456789012:dlq')
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.sqs.exceptions import SQSException
from moto.sqs.responses import SQSResponse

from ...platform import limits
from .common import EMULATED, invalid, queue_by_arn

__all__ = ["MoveTasks", "encode_handle", "decode_handle", "task_patches"]


def encode_handle(task_id: str, source_arn: str) -> str:
    """AWS's task handle: base64 of ``{"taskId":...,"sourceArn":...}``."""
    doc = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(doc.encode("utf-8")).decode("ascii")


def decode_handle(handle: Any) -> tuple[str, str]:
    """``(task_id, source_arn)``; ``InvalidParameterValue`` when it is no task handle."""
    try:
        doc = json.loads(base64.b64decode(str(handle), validate=True))
        return str(doc["taskId"]), str(doc["sourceArn"])
    except (ValueError, TypeError, KeyError):
        raise invalid("Value for parameter TaskHandle is invalid.") from None


def _not_found(parameter: str) -> SQSException:
    return SQSException("ResourceNotFoundException",
                        f"The resource that you specified for the {parameter} parameter doesn't exist.")


_PUBLIC = ("ApproximateNumberOfMessagesMoved", "ApproximateNumberOfMessagesToMove",
           "DestinationArn", "FailureReason", "MaxNumberOfMessagesPerSecond", "SourceArn",
           "StartedTimestamp", "Status", "TaskHandle")


class MoveTasks:
    """The move tasks of one environment."""

    def __init__(self, stand_ins: Any) -> None:
        self.me = stand_ins
        self.env = stand_ins.env
        self.tasks: dict[str, dict[str, Any]] = {}

    def values(self) -> list[dict[str, Any]]:
        """Every task (a dict per task, as ListMessageMoveTasks shows it plus private keys)."""
        return list(self.tasks.values())

    # -- the API ---------------------------------------------------------------------------
    def start(self, backend: Any, source_arn: str, destination_arn: str | None, rate: Any) -> dict:
        self.tick(backend)
        dlq = queue_by_arn(backend, source_arn)
        if dlq is None:
            raise _not_found("SourceArn")
        if not backend.list_dead_letter_source_queues(dlq.name):
            raise invalid("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn and queue_by_arn(backend, destination_arn) is None:
            raise _not_found("DestinationArn")
        if any(t["SourceArn"] == source_arn and t["Status"] == "RUNNING" for t in self.tasks.values()):
            raise invalid("There is already a task running. Only one active task is allowed for a "
                          "source queue arn at a given time.")
        task_id = str(uuid.UUID(int=self.env.random("sqs-move-task").getrandbits(128)))
        task: dict[str, Any] = {
            "TaskHandle": encode_handle(task_id, source_arn), "Status": "RUNNING",
            "SourceArn": source_arn, "ApproximateNumberOfMessagesMoved": 0,
            "ApproximateNumberOfMessagesToMove": len(dlq._messages),
            "StartedTimestamp": int(self.env.clock.time() * 1000),
            "_started": self.env.clock.time(),
            "_rate": min(int(rate), limits.SQS_MAX_MOVE_TASK_MESSAGES_PER_SECOND) if rate
            else limits.SQS_MAX_MOVE_TASK_MESSAGES_PER_SECOND,
        }
        if destination_arn:
            task["DestinationArn"] = destination_arn
        if rate:
            task["MaxNumberOfMessagesPerSecond"] = int(rate)
        self.tasks[task_id] = task
        self.tick(backend)
        return {"TaskHandle": task["TaskHandle"]}

    def list(self, backend: Any, source_arn: str, max_results: int) -> dict:
        self.tick(backend)
        if queue_by_arn(backend, source_arn) is None:
            raise _not_found("SourceArn")
        found = sorted((t for t in self.tasks.values() if t["SourceArn"] == source_arn),
                       key=lambda t: t["StartedTimestamp"], reverse=True)
        results = []
        for task in found[: max(1, min(int(max_results or 1), 10))]:
            row = {k: task[k] for k in _PUBLIC if k in task}
            if row["Status"] != "RUNNING":
                row.pop("TaskHandle")
            results.append(row)
        return {"Results": results}

    def cancel(self, backend: Any, handle: Any) -> dict:
        task_id, source_arn = decode_handle(handle)
        self.tick(backend)
        if queue_by_arn(backend, source_arn) is None:
            raise _not_found("SourceArn")
        task = self.tasks.get(task_id)
        if task is None or task["Status"] != "RUNNING":  # only active tasks can be cancelled
            raise SQSException("ResourceNotFoundException", "Task does not exist.")
        task["Status"] = "CANCELLED"
        return {"ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"]}

    # -- progress on the simulated clock -----------------------------------------------------
    def tick(self, backend: Any) -> None:
        """Move what every RUNNING task should have moved by now (cheap when none runs)."""
        if not self.tasks:
            return
        for task in self.tasks.values():
            if task["Status"] == "RUNNING":
                self._advance(backend, task)

    def _advance(self, backend: Any, task: dict[str, Any]) -> None:
        now = self.env.clock.time()
        dlq = queue_by_arn(backend, task["SourceArn"])
        destination = queue_by_arn(backend, task.get("DestinationArn")) if task.get("DestinationArn") else None
        if dlq is None or (task.get("DestinationArn") and destination is None):
            task["Status"], task["FailureReason"] = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
            return
        due = min(task["ApproximateNumberOfMessagesToMove"],
                  int((now - task["_started"]) * task["_rate"] + 1e-9))
        now_ms = now * 1000.0
        while task["ApproximateNumberOfMessagesMoved"] < due:
            message = next((m for m in dlq._messages if now_ms > m.visible_at), None)
            if message is None:
                break  # the rest is in flight: moved once visible again
            target = destination or queue_by_arn(backend, getattr(message, "_sc_dlq_source", None)
                                                 or self.me.origins.get(message.id))
            if target is None:
                sources = backend.list_dead_letter_source_queues(dlq.name)
                if not sources:
                    task["Status"], task["FailureReason"] = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
                    return
                target = sources[0]
            dlq._messages.remove(message)
            dlq.pending_messages.discard(message)
            message.approximate_receive_count = 0
            message.approximate_first_receive_timestamp = None
            message.visible_at = 0
            message.delayed_until = 0
            message._sc_dlq_source = None
            target._messages.append(message)
            task["ApproximateNumberOfMessagesMoved"] += 1
            self.env.log.record(
                service="sqs", action="redrive", resource=target.name, message_id=message.id,
                group=message.group_id, outcome=EMULATED, detail=f"moved from {dlq.name}",
            )
        if task["ApproximateNumberOfMessagesMoved"] >= task["ApproximateNumberOfMessagesToMove"]:
            task["Status"] = "COMPLETED"


def task_patches(tasks: MoveTasks) -> list[Any]:
    """The patchers of this module (the three actions, and progress on GetQueueAttributes)."""
    orig_get = SQSResponse.get_queue_attributes

    def start_message_move_task(response: Any) -> ActionResult:
        return ActionResult(tasks.start(
            response.sqs_backend, response._get_param("SourceArn"),
            response._get_param("DestinationArn"), response._get_param("MaxNumberOfMessagesPerSecond")))

    def list_message_move_tasks(response: Any) -> ActionResult:
        return ActionResult(tasks.list(response.sqs_backend, response._get_param("SourceArn"),
                                       response._get_param("MaxResults") or 1))

    def cancel_message_move_task(response: Any) -> ActionResult:
        return ActionResult(tasks.cancel(response.sqs_backend, response._get_param("TaskHandle")))

    def get_queue_attributes(response: Any) -> Any:
        tasks.tick(response.sqs_backend)
        return orig_get(response)

    return [
        mock.patch.object(SQSResponse, "start_message_move_task", start_message_move_task, create=True),
        mock.patch.object(SQSResponse, "list_message_move_tasks", list_message_move_tasks, create=True),
        mock.patch.object(SQSResponse, "cancel_message_move_task", cancel_message_move_task, create=True),
        mock.patch.object(SQSResponse, "get_queue_attributes", get_queue_attributes),
    ]
