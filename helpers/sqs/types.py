"""The Lambda wire shapes of an SQS event source, and a small Lambda context object.

A handler written against these shapes runs unchanged in AWS Lambda behind an SQS event
source mapping: it receives an :class:`SQSEvent`, returns ``None`` (every record succeeded)
or a :class:`PartialBatchResponse` naming the records that failed (the mapping must have
``ReportBatchItemFailures`` switched on for Lambda to honour it; the course's consumer always
does).

Example
-------
>>> from helpers.sqs.types import LambdaContext
>>> ctx = LambdaContext(function_name="order-processor", aws_request_id="r-1")
>>> ctx.get_remaining_time_in_millis() > 0
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypeAlias, TypedDict

__all__ = [
    "SQSRecordAttributes",
    "SQSMessageAttribute",
    "SQSRecord",
    "SQSEvent",
    "BatchItemFailure",
    "PartialBatchResponse",
    "Handler",
    "LambdaContext",
]


class SQSRecordAttributes(TypedDict):
    """System attributes of one record (all values are strings, as Lambda sends them)."""

    ApproximateReceiveCount: str
    SentTimestamp: str
    SenderId: str
    ApproximateFirstReceiveTimestamp: str
    MessageGroupId: NotRequired[str]
    MessageDeduplicationId: NotRequired[str]
    SequenceNumber: NotRequired[str]


class SQSMessageAttribute(TypedDict):
    """One message attribute in Lambda's camel-case spelling."""

    stringValue: NotRequired[str]
    binaryValue: NotRequired[str]
    stringListValues: list[str]
    binaryListValues: list[str]
    dataType: str


class SQSRecord(TypedDict):
    """One SQS message as Lambda hands it to a function."""

    messageId: str
    receiptHandle: str
    body: str
    attributes: SQSRecordAttributes
    messageAttributes: dict[str, SQSMessageAttribute]
    md5OfBody: str
    eventSource: Literal["aws:sqs"]
    eventSourceARN: str
    awsRegion: str


class SQSEvent(TypedDict):
    """The event of one invocation: up to ``batch_size`` records."""

    Records: list[SQSRecord]


class BatchItemFailure(TypedDict):
    """One failed record: its ``messageId``."""

    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    """What a handler returns to report some records as failed (the others are deleted)."""

    batchItemFailures: list[BatchItemFailure]


#: A Lambda-shaped batch handler: ``handler(event, context) -> PartialBatchResponse | None``.
#: Raising fails the whole batch.
Handler: TypeAlias = Callable[[SQSEvent, Any], "PartialBatchResponse | dict | None"]


@dataclass
class LambdaContext:
    """The parts of Lambda's context object a course handler uses.

    Parameters
    ----------
    function_name
        Name of the (simulated) function.
    aws_request_id
        Id of this invocation.
    deadline
        Clock time (``env.clock.elapsed()`` seconds) at which the invocation times out.
    clock
        Anything with ``elapsed()``; ``None`` means the remaining time stays at the full
        timeout.
    timeout_seconds
        The function timeout, used when there is no clock.

    Example
    -------
    >>> LambdaContext("f", "r-1", timeout_seconds=3).get_remaining_time_in_millis()
    3000
    """

    function_name: str
    aws_request_id: str
    deadline: float = 0.0
    clock: Any = None
    timeout_seconds: float = 30.0
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = ""
    log_group_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation would time out (never negative)."""
        if self.clock is None:
            return int(self.timeout_seconds * 1000)
        return max(0, int((self.deadline - self.clock.elapsed()) * 1000))
