"""Requests SQS refuses, refused in AWS's words: sizes, ids, queue types, attribute values.

Sources (AWS's texts): LocalStack's snapshot tests recorded against AWS
(``test_send_oversized_message``, ``test_send_message_with_updated_maximum_message_size``,
``test_send_message_batch_with_oversized_contents``, ``test_send_batch_message_size``,
``test_message_deduplication_id_invalid``,
``test_send_message_to_standard_queue_with_invalid_message_group_id``,
``test_send_empty_message``, ``test_create_standard_queue_with_fifo_attribute_raises_error``,
``test_set_unsupported_attribute_standard``, ``test_set_unsupported_attribute_fifo``,
``test_create_queue_with_different_attributes_raises_exception``) and Inqnuam/local-aws-sqs's
``create-queue.test.ts`` (a ``.fifo`` name without ``FifoQueue``; attribute values), and
SQS's answer in a deployment log from eu-west-1 for a ``MessageDeduplicationId`` sent to a
standard queue (Inqnuam words it differently; the log is what AWS said).

Example
-------
>>> try:
...     check_attribute_values({"VisibilityTimeout": "50000"})
... except Exception as err:
...     print(err.code, "|", err.message)
InvalidAttributeValue | Invalid value for the parameter VisibilityTimeout.
"""

from __future__ import annotations

import json
import re
from typing import Any
from unittest import mock

from moto.sqs import models as sqs_models
from moto.sqs.exceptions import (
    BatchEntryIdsNotDistinct,
    InvalidBatchEntryId,
    MissingParameter,
    QueueAlreadyExists,
    SQSException,
)
from moto.sqs.responses import SQSResponse

from ...platform import limits
from .common import (
    ID_PATTERN,
    attribute_value,
    batch_too_long,
    invalid,
    invalid_id,
    message_size,
    message_too_long,
    queue_attributes,
    too_many_entries,
    unknown_attribute,
)

__all__ = ["check_attribute_values", "validation_patches"]

_Backend = sqs_models.SQSBackend
#: Integer queue attributes and their AWS ranges (CreateQueue API reference).
RANGES = {
    "DelaySeconds": (0, limits.SQS_MAX_DELAY_SECONDS),
    "MaximumMessageSize": (limits.SQS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES, limits.SQS_MAX_MESSAGE_BYTES),
    "MessageRetentionPeriod": (limits.SQS_MIN_RETENTION_SECONDS, limits.SQS_MAX_RETENTION_SECONDS),
    "ReceiveMessageWaitTimeSeconds": (0, limits.SQS_MAX_WAIT_TIME_SECONDS),
    "VisibilityTimeout": (0, limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS),
}
_FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
_CONTENT = re.compile("^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")
_BAD_CHARACTERS = ("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                   "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")


def standard_dedup_id(dedup: str) -> SQSException:
    """A ``MessageDeduplicationId`` sent to a standard queue, in AWS's words.

    The text is SQS's answer recorded in a deployment log against eu-west-1 (a ``SendMessage``
    with FIFO-only ids to a standard queue): a group id is accepted there (fair queues), the
    deduplication id is not.
    """
    return invalid(f"Value {dedup} for parameter MessageDeduplicationId is invalid. Reason: The "
                   "request include parameter that is not valid for this queue type.")


def check_attribute_values(attributes: dict[str, Any]) -> None:
    """Integer attributes must be whole numbers in AWS's range (``InvalidAttributeValue``)."""
    for name, (low, high) in RANGES.items():
        if name in attributes:
            text = str(attributes[name])
            if not re.fullmatch(r"\d+", text) or not low <= int(text) <= high:
                raise attribute_value(name)


def _standard_rules(attributes: dict[str, Any]) -> None:
    for name in attributes:
        if name == "FifoQueue":
            raise unknown_attribute(name)
        if name == "ContentBasedDeduplication":
            raise unknown_attribute(name)
        if name in ("DeduplicationScope", "FifoThroughputLimit"):
            raise SQSException("InvalidAttributeName",
                               f"You can specify the {name} only when FifoQueue is set to true.")


def _normal(value: Any) -> Any:
    """JSON documents compared by content: ``3`` and ``"3"`` alike, key order ignored."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return str(value).lower()


def _same(name: str, have: Any, want: Any) -> bool:
    if name in ("RedrivePolicy", "RedriveAllowPolicy", "Policy"):
        try:
            return _normal(json.loads(have)) == _normal(json.loads(want) if isinstance(want, str) else want)
        except (TypeError, ValueError):
            return have == want
    return str(have).lower() == str(want).lower()


def validation_patches() -> list[Any]:
    """The patchers of this module."""
    orig_create = _Backend.create_queue
    orig_set = _Backend.set_queue_attributes
    orig_send = _Backend.send_message

    def create_queue(backend: Any, name: str, tags: dict | None = None, **attributes: Any) -> Any:
        attributes.pop("region", None)
        if name.endswith(".fifo"):
            fifo = attributes.get("FifoQueue")
            if fifo is None:
                raise invalid("Can only include alphanumeric characters, hyphens, or underscores. "
                              f"1 to {limits.SQS_QUEUE_NAME_MAX_CHARS} in length")
            if str(fifo).lower() != "true":
                raise unknown_attribute("FifoQueue")
        else:
            if str(attributes.get("FifoQueue", "")).lower() == "true":
                # A FIFO queue's name must carry the suffix; AWS names the rule, not the attribute.
                raise invalid("The name of a FIFO queue can only include alphanumeric characters, "
                              "hyphens, or underscores, must end with .fifo suffix and be 1 to "
                              f"{limits.SQS_QUEUE_NAME_MAX_CHARS} in length")
            _standard_rules(attributes)
        check_attribute_values(attributes)
        queue = backend.queues.get(name)
        if queue is not None and attributes:
            have = queue_attributes(queue, counts=False)
            for key, value in attributes.items():
                if key in have and not _same(key, have[key], value):
                    raise QueueAlreadyExists("A queue already exists with the same name and a "
                                             f"different value for attribute {key}")
                if key not in have and key == "RedriveAllowPolicy" and value:
                    raise QueueAlreadyExists("A queue already exists with the same name and a "
                                             f"different value for attribute {key}")
            if tags:
                queue.tags = tags
            return queue
        return orig_create(backend, name, tags, **attributes)

    def set_queue_attributes(backend: Any, queue_name: str, attributes: dict[str, Any]) -> Any:
        queue = backend.get_queue(queue_name)
        if queue.fifo_queue:
            if "FifoQueue" in attributes and str(attributes["FifoQueue"]).lower() != "true":
                raise SQSException("InvalidAttributeValue", "Invalid value for the parameter "
                                   "FifoQueue. Reason: Modifying queue type is not supported.")
        else:
            _standard_rules(attributes)
        check_attribute_values(attributes)
        return orig_set(backend, queue_name, attributes)

    def check_message(queue: Any, body: Any, attributes: Any, group: Any, dedup: Any,
                      batch: bool = False) -> None:
        if body is None or body == "":
            raise MissingParameter("MessageBody")
        if not _CONTENT.match(body):
            raise SQSException("InvalidMessageContents", _BAD_CHARACTERS)
        if group is not None and not ID_PATTERN.match(group):
            raise invalid_id(group, "MessageGroupId")
        if dedup is not None and not ID_PATTERN.match(dedup):
            raise invalid_id(dedup, "MessageDeduplicationId")
        if batch and dedup is not None and not queue.fifo_queue:  # batches come only from the API
            raise standard_dedup_id(dedup)
        maximum = queue.maximum_message_size
        if message_size(body, attributes) > maximum:
            if batch:  # AWS words a batch entry's failure differently
                raise invalid("One or more parameters cannot be validated. Reason: Message must "
                              f"be shorter than {maximum} bytes.")
            raise message_too_long(maximum)

    def send_message(backend: Any, queue_name: str, message_body: str,
                     message_attributes: dict | None = None, delay_seconds: Any = None,
                     deduplication_id: str | None = None, group_id: str | None = None,
                     system_attributes: dict | None = None, validate_group_id: bool = True) -> Any:
        queue = backend.get_queue(queue_name)
        check_message(queue, message_body, message_attributes, group_id, deduplication_id)
        return orig_send(backend, queue_name, message_body, message_attributes=message_attributes,
                         delay_seconds=delay_seconds, deduplication_id=deduplication_id,
                         group_id=group_id, system_attributes=system_attributes,
                         validate_group_id=validate_group_id)

    orig_response_send = SQSResponse.send_message

    def response_send_message(response: Any) -> Any:
        # At the API, not in check_message: SNS and EventBridge deliver through the backend's
        # send_message (moto's own SNS passes a FIFO topic's dedup id to any queue). A malformed
        # id is left to check_message, whose format error AWS gives first.
        dedup = response._get_param("MessageDeduplicationId")
        if dedup is not None and ID_PATTERN.match(dedup) and not response.sqs_backend.get_queue(
                response._get_queue_name()).fifo_queue:
            raise standard_dedup_id(dedup)
        return orig_response_send(response)

    def send_message_batch(backend: Any, queue_name: str, entries: dict[str, dict[str, Any]]) -> tuple:
        queue = backend.get_queue(queue_name)
        if len(entries) > limits.SQS_MAX_BATCH_ENTRIES:
            raise too_many_entries(len(entries))
        if any(not re.match(r"^[\w-]{1,80}$", e["Id"]) for e in entries.values()):
            raise InvalidBatchEntryId()
        seen: set[str] = set()
        for entry in entries.values():
            if entry["Id"] in seen:
                raise BatchEntryIdsNotDistinct(entry["Id"])
            seen.add(entry["Id"])
        total = sum(message_size(e.get("MessageBody"), e.get("MessageAttributes")) for e in entries.values())
        if total > limits.SQS_MAX_BATCH_PAYLOAD_BYTES:
            raise batch_too_long(total)
        for entry in entries.values():  # what fails the whole call on AWS (moto's checks)
            backend._validate_message(queue, "x",
                                      int(entry.get("DelaySeconds") or 0),
                                      entry.get("MessageDeduplicationId"), entry.get("MessageGroupId"))
        messages, failed = [], []
        for entry in entries.values():
            try:
                check_message(queue, entry.get("MessageBody"), entry.get("MessageAttributes"),
                              entry.get("MessageGroupId"), entry.get("MessageDeduplicationId"),
                              batch=True)
                message = orig_send(backend, queue_name, entry["MessageBody"],
                                    message_attributes=entry.get("MessageAttributes"),
                                    delay_seconds=entry.get("DelaySeconds"),
                                    group_id=entry.get("MessageGroupId"),
                                    deduplication_id=entry.get("MessageDeduplicationId"))
            except SQSException as err:
                failed.append({"Id": entry["Id"], "SenderFault": True, "Code": err.code,
                               "Message": err.message})
                continue
            message.user_id = entry["Id"]
            messages.append(message)
        return messages, failed

    return [
        mock.patch.object(_Backend, "create_queue", create_queue),
        mock.patch.object(_Backend, "set_queue_attributes", set_queue_attributes),
        mock.patch.object(_Backend, "send_message", send_message),
        mock.patch.object(_Backend, "send_message_batch", send_message_batch),
        mock.patch.object(SQSResponse, "send_message", response_send_message),
    ]
