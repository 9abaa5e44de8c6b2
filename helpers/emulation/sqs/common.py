"""What every SQS stand-in shares: the label, the delivery model, AWS's error texts.

The error texts below are AWS's, character for character, as recorded against real SQS by
LocalStack's snapshot tests (``tests/aws/services/sqs/test_sqs.snapshot.json`` and
``test_sqs_move_task.snapshot.json``) and by Inqnuam/local-aws-sqs's tests; each function
names its source.

Example
-------
>>> invalid_id("", "MessageGroupId").message
'Value  for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.'
>>> with DeliveryModel(duplicate_rate=0.5).suspended() as model:
...     model.active
False
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from moto.core.utils import camelcase_to_underscores
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import SQSException

from ...platform import limits

__all__ = [
    "EMULATED", "DeliveryModel", "queue_attributes", "invalid", "invalid_id", "not_valid_handle",
    "too_many_entries", "message_too_long", "batch_too_long", "attribute_value", "unknown_attribute",
    "queue_by_arn", "backend_of", "message_size", "ID_PATTERN", "HANDLE_PATTERN",
]

#: The outcome text every emulated row of ``env.log`` carries.
EMULATED = "emulated on moto"

_Queue = sqs_models.Queue
_ALL_ATTRIBUTES = (*_Queue.BASE_ATTRIBUTES, *_Queue.FIFO_ATTRIBUTES, *_Queue.KMS_ATTRIBUTES)
FIELD = {name: camelcase_to_underscores(name) for name in _ALL_ATTRIBUTES}
COUNTS = frozenset({"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
                    "ApproximateNumberOfMessagesNotVisible"})
VALID_NAMES = frozenset({"All", *_ALL_ATTRIBUTES, "RedriveAllowPolicy"})
#: MessageGroupId / MessageDeduplicationId: 1-128 letters, digits and punctuation (AWS).
ID_PATTERN = re.compile("^[!-~]{1,%d}$" % limits.SQS_MAX_GROUP_ID_CHARS)  # noqa: UP031
#: The shape of the receipt handles moto makes (185 lowercase letters).
HANDLE_PATTERN = re.compile(r"^[a-z]{185}$")


def queue_attributes(queue: Any, counts: bool = True) -> dict[str, Any]:
    """moto's ``Queue.attributes`` plus ``RedriveAllowPolicy``; counts only when asked."""
    result: dict[str, Any] = {}
    for name in _Queue.BASE_ATTRIBUTES:
        if counts or name not in COUNTS:
            result[name] = getattr(queue, FIELD[name])
    if queue.fifo_queue:
        for name in _Queue.FIFO_ATTRIBUTES:
            result[name] = getattr(queue, FIELD[name])
    if queue.kms_master_key_id:
        for name in _Queue.KMS_ATTRIBUTES:
            result[name] = getattr(queue, FIELD[name])
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
    seed, so a repeated experiment repeats its duplicates and reordering. The course's own
    inspection calls (``inspect_dlq``) run inside :meth:`suspended`, so looking never adds
    duplicates.

    Example
    -------
    >>> DeliveryModel(duplicate_rate=0.05).active
    True
    """

    #: Name of the ``env.random`` stream the delivery stand-in draws from.
    STREAM: ClassVar[str] = "sqs-delivery"

    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0
    _paused: int = field(default=0, init=False, repr=False, compare=False)

    @property
    def active(self) -> bool:
        """True when any departure from send order is switched on (and not suspended)."""
        return bool(self.duplicate_rate or self.reorder_rate) and not self._paused

    @contextlib.contextmanager
    def suspended(self) -> Iterator[DeliveryModel]:
        """No emulated duplicates or reordering inside the block (nests).

        Example
        -------
        >>> model = DeliveryModel(reorder_rate=1.0)
        >>> with model.suspended():
        ...     model.active
        False
        >>> model.active
        True
        """
        self._paused += 1
        try:
            yield self
        finally:
            self._paused -= 1


# -- AWS's error texts ---------------------------------------------------------------------
def invalid(message: str) -> SQSException:
    """``InvalidParameterValue`` with ``message``."""
    return SQSException("InvalidParameterValue", message)


def invalid_id(value: str, parameter: str) -> SQSException:
    """A bad MessageGroupId / MessageDeduplicationId (LocalStack snapshot,
    ``test_message_deduplication_id_invalid``, ``..._invalid_message_group_id``)."""
    return invalid(f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can "
                   "only include alphanumeric and punctuation characters. 1 to 128 in length.")


def not_valid_handle(handle: str) -> SQSException:
    """A receipt handle that is not one (LocalStack provider and moto's DeleteMessageBatch)."""
    return SQSException("ReceiptHandleIsInvalid",
                        f'The input receipt handle "{handle}" is not a valid receipt handle.')


def too_many_entries(number: int) -> SQSException:
    """LocalStack snapshot ``test_delete_message_batch_with_too_large_batch``."""
    return SQSException("TooManyEntriesInBatchRequest",
                        f"Maximum number of entries per request are "
                        f"{limits.SQS_MAX_BATCH_ENTRIES}. You have sent {number}.")


def message_too_long(maximum: int) -> SQSException:
    """LocalStack snapshot ``test_send_oversized_message`` (1048576 since August 2025)."""
    return invalid(f"One or more parameters are invalid. Reason: Message must be shorter than "
                   f"{maximum} bytes.")


def batch_too_long(length: int) -> SQSException:
    """LocalStack snapshot ``test_send_message_batch_with_oversized_contents``."""
    return SQSException("BatchRequestTooLong",
                        f"Batch requests cannot be longer than {limits.SQS_MAX_BATCH_PAYLOAD_BYTES} "
                        f"bytes. You have sent {length} bytes.")


def attribute_value(name: str) -> SQSException:
    """``InvalidAttributeValue`` for a queue attribute out of range (Inqnuam/local-aws-sqs
    ``create-queue.test.ts``; moto's own text for MaximumMessageSize)."""
    return SQSException("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


def unknown_attribute(name: str) -> SQSException:
    """LocalStack snapshot ``test_set_unsupported_attribute_standard``."""
    return SQSException("InvalidAttributeName", f"Unknown Attribute {name}.")


# -- lookups ---------------------------------------------------------------------------------
def backend_of(queue: Any) -> Any:
    """The moto SQS backend that holds ``queue``."""
    return sqs_models.sqs_backends[queue.account_id][queue.region]


def queue_by_arn(backend: Any, arn: str | None) -> Any | None:
    """The queue with this ARN, or None."""
    return next((q for q in backend.queues.values() if q.queue_arn == arn), None)


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    return len(str(value).encode("utf-8"))


def message_size(body: str | None, attributes: dict[str, Any] | None) -> int:
    """Bytes SQS counts against the size limit: the body plus each attribute's name, type
    and value (SQS developer guide, "Message attributes")."""
    total = _size(body or "")
    for name, attr in (attributes or {}).items():
        total += _size(name)
        for value in attr.values():
            total += _size(value)
    return total
