"""Receipt handles as AWS treats them: DeleteMessage, ChangeMessageVisibility, their batches.

AWS's texts (LocalStack snapshots ``test_fifo_delete_after_visibility_timeout``,
``test_delete_message_batch_with_too_large_batch``,
``test_change_message_visibility_batch_with_too_large_batch``; LocalStack's provider, whose
tests assert ``... Reason: Message does not exist or is not available for visibility timeout
change.`` against AWS; Inqnuam/local-aws-sqs ``change-message-visibility.test.ts`` for the
range):

- a FIFO ``DeleteMessage`` whose handle's visibility timeout expired (or was superseded by a
  newer receive) fails: ``InvalidParameterValue`` "... Reason: The receipt handle has expired."
- ``ChangeMessageVisibility`` on a deleted message: ``InvalidParameterValue`` "Value <handle>
  for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available
  for visibility timeout change."; a malformed handle: ``ReceiptHandleIsInvalid`` 'The input
  receipt handle "<handle>" is not a valid receipt handle.'
- ``ChangeMessageVisibility(..., 0)`` makes the message visible at once, also under the
  frozen simulated clock (moto needs the clock to move past "now").
- ``VisibilityTimeout`` outside 0-43200: "Value <n> for parameter VisibilityTimeout is
  invalid. Reason: Must be between 0 and 43200." (moto: "Invalid request, maximum ...").
- ``DeleteMessageBatch`` / ``ChangeMessageVisibilityBatch`` with more than 10 entries:
  ``TooManyEntriesInBatchRequest``; a failing entry fails alone, in ``Failed``.

Example
-------
>>> err = HandleInvalid("abc"); err.code, err.message
('ReceiptHandleIsInvalid', 'The input receipt handle "abc" is not a valid receipt handle.')
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from moto.sqs import models as sqs_models
from moto.sqs.exceptions import ReceiptHandleIsInvalid, SQSException
from moto.sqs.responses import SQSResponse

from ...platform import limits
from .common import HANDLE_PATTERN, invalid, too_many_entries

__all__ = ["HandleInvalid", "handle_patches"]

_Queue = sqs_models.Queue
_Backend = sqs_models.SQSBackend


class HandleInvalid(ReceiptHandleIsInvalid):
    """moto's ReceiptHandleIsInvalid (its batches catch it) with AWS's text."""

    def __init__(self, handle: str) -> None:
        SQSException.__init__(self, "ReceiptHandleIsInvalid",
                              f'The input receipt handle "{handle}" is not a valid receipt handle.')


def _range(value: Any) -> int:
    top = limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not 0 <= number <= top:
        raise invalid(f"Value {value} for parameter VisibilityTimeout is invalid. Reason: Must be "
                      f"between 0 and {top}.")
    return number


def _per_entry(entries: list[dict[str, Any]], action: Any) -> tuple[list[str], list[dict[str, Any]]]:
    success, failed = [], []
    for entry in entries:
        try:
            action(entry)
            success.append(entry["Id"])
        except SQSException as err:
            failed.append({"Id": entry["Id"], "SenderFault": True, "Code": err.code,
                           "Message": err.message})
    return success, failed


def handle_patches(clock: Any) -> list[Any]:
    """The patchers of this module."""
    orig_delete_batch = SQSResponse.delete_message_batch
    orig_change_batch = SQSResponse.change_message_visibility_batch

    def delete_message(queue: Any, handle: str) -> None:
        # moto scans the whole queue twice per delete; received messages sit near the
        # front, so one pass that stops at the match answers the same, far faster.
        if handle in queue.deleted_messages:
            return
        for index, message in enumerate(queue._messages):
            if message.receipt_handle == handle or handle in message._old_receipt_handles:
                if queue.fifo_queue and (message.receipt_handle != handle
                                         or clock.time() * 1000.0 > message.visible_at):
                    raise invalid(f"Value {handle} for parameter ReceiptHandle is invalid. "
                                  "Reason: The receipt handle has expired.")
                del queue._messages[index]
                queue.pending_messages.discard(message)
                queue.deleted_messages.update(message.all_receipt_handles)
                return
        raise HandleInvalid(handle)

    def change_message_visibility(backend: Any, queue_name: str, receipt_handle: str,
                                  visibility_timeout: Any) -> None:
        queue = backend.get_queue(queue_name)
        seconds = _range(visibility_timeout)
        if not HANDLE_PATTERN.match(receipt_handle or ""):
            raise HandleInvalid(receipt_handle)
        now = clock.time() * 1000.0
        for message in queue._messages:
            if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
                if now + seconds * 1000 - message.sent_timestamp > limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS * 1000:
                    raise invalid(f"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: "
                                  "Total VisibilityTimeout for the message is beyond the limit "
                                  f"[{limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} seconds]")
                # 0 ends the timeout now: visible at once, also while the clock stands still.
                message.visible_at = now - 1 if seconds == 0 else now + seconds * 1000
                if seconds == 0:
                    queue.pending_messages.discard(message)
                return
        raise invalid(f"Value {receipt_handle} for parameter ReceiptHandle is invalid. Reason: "
                      "Message does not exist or is not available for visibility timeout change.")

    def change_message_visibility_batch(backend: Any, queue_name: str,
                                        entries: list[dict[str, Any]]) -> tuple[list, list]:
        return _per_entry(entries, lambda e: change_message_visibility(
            backend, queue_name, e["ReceiptHandle"], e.get("VisibilityTimeout")))

    def delete_message_batch(backend: Any, queue_name: str,
                             entries: list[dict[str, Any]]) -> tuple[list, list]:
        queue = backend.get_queue(queue_name)
        return _per_entry(entries, lambda e: delete_message(queue, e["ReceiptHandle"]))

    def response_change_visibility(response: Any) -> Any:
        _range(response._get_param("VisibilityTimeout"))
        response.sqs_backend.change_message_visibility(
            response._get_queue_name(), response._get_param("ReceiptHandle"),
            response._get_param("VisibilityTimeout"))
        from moto.core.responses import EmptyResult
        return EmptyResult()

    def response_delete_batch(response: Any) -> Any:
        entries = response._get_param("Entries", []) or []
        if len(entries) > limits.SQS_MAX_BATCH_ENTRIES:
            raise too_many_entries(len(entries))
        return orig_delete_batch(response)

    def response_change_batch(response: Any) -> Any:
        entries = response._get_param("Entries", []) or []
        if len(entries) > limits.SQS_MAX_BATCH_ENTRIES:
            raise too_many_entries(len(entries))
        return orig_change_batch(response)

    return [
        mock.patch.object(_Queue, "delete_message", delete_message),
        mock.patch.object(_Backend, "change_message_visibility", change_message_visibility),
        mock.patch.object(_Backend, "change_message_visibility_batch", change_message_visibility_batch),
        mock.patch.object(_Backend, "delete_message_batch", delete_message_batch),
        mock.patch.object(SQSResponse, "change_message_visibility", response_change_visibility),
        mock.patch.object(SQSResponse, "delete_message_batch", response_delete_batch),
        mock.patch.object(SQSResponse, "change_message_visibility_batch", response_change_batch),
    ]
