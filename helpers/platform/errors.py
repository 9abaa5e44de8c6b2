"""The one base error of the helpers and one subclass per failure mode.

Every message names the value that was wrong, the AWS (or course) rule it broke, and the fix.

Example
-------
>>> from helpers.platform.errors import SecureCartError, UnknownBackendError
>>> issubclass(UnknownBackendError, SecureCartError)
True
"""

from __future__ import annotations

__all__ = [
    "SecureCartError",
    "UnknownBackendError",
    "UnknownScenarioError",
    "CredentialsMissingError",
    "InvalidNameError",
    "EnvironmentClosedError",
    "NetworkBlockedError",
    "InvalidParameterError",
    "MessageTooLargeError",
    "MissingGroupIdError",
    "InvalidRedrivePolicyError",
    "QueueTypeMismatchError",
    "DataValidationError",
    "NotReadyError",
    "QueueAlreadyExistsError",
    "QueueNotFoundError",
    "MissingDeduplicationIdError",
    "SendFailedError",
    "RedriveFailedError",
    "IdempotencyInProgressError",
    "GroupBlockedError",
    "HandlerResponseError",
    "InvalidEventPatternError",
    "UnknownTargetTypeError",
    "EventTooLargeError",
    "TooManyEntriesError",
    "SchemaValidationError",
    "PublishFailedError",
    "InvalidStateMachineError",
    "StreamNotFoundError",
    "NoCheckpointError",
    # Lab 2 (SNS)
    "TopicNotFoundError",
    "InvalidFilterPolicyError",
    "InvalidEndpointError",
    "ProtocolNotSupportedError",
    "InvalidQueuePolicyError",
]


class SecureCartError(Exception):
    """Base error of every failure the course helpers raise on purpose.

    In a notebook, IPython shows an exception through its ``_render_traceback_()`` when it
    has one: a course error is then its one line (name and message, which says what to run
    or change), not a 40-line traceback through the helpers.

    Example
    -------
    >>> EnvironmentClosedError("run the connect cell")._render_traceback_()
    ['EnvironmentClosedError: run the connect cell']
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class UnknownBackendError(SecureCartError, ValueError):
    """The backend name is not one of moto, server, aws."""


class UnknownScenarioError(SecureCartError, ValueError):
    """The scenario name is not one of full, short."""


class CredentialsMissingError(SecureCartError):
    """The aws backend was asked for but no AWS credentials were found."""


class InvalidNameError(SecureCartError, ValueError):
    """A resource name AWS would reject."""


class EnvironmentClosedError(SecureCartError, RuntimeError):
    """A call on an environment after ``teardown()``."""


class NetworkBlockedError(SecureCartError, ConnectionError):
    """A connection outside loopback from the local (moto) backend."""


class InvalidParameterError(SecureCartError, ValueError):
    """A parameter value AWS would reject."""


class MessageTooLargeError(InvalidParameterError):
    """A message body over the service's size limit."""


class MissingGroupIdError(InvalidParameterError):
    """A FIFO send without a MessageGroupId."""


class InvalidRedrivePolicyError(InvalidParameterError):
    """A redrive policy AWS would reject (maxReceiveCount out of range, unknown DLQ)."""


class QueueTypeMismatchError(InvalidParameterError):
    """A dead-letter queue of the other type (FIFO source needs a FIFO DLQ and back)."""


class DataValidationError(SecureCartError, ValueError):
    """A data file or event that does not match its JSON Schema."""


class NotReadyError(SecureCartError, RuntimeError):
    """A cell was run before the cell it depends on; the message names which to run."""


class QueueAlreadyExistsError(SecureCartError, ValueError):
    """A queue of that name exists with attributes other than the ones asked for."""


class QueueNotFoundError(SecureCartError, LookupError):
    """A queue URL or ARN that names no existing queue."""


class MissingDeduplicationIdError(InvalidParameterError):
    """A FIFO send with neither a MessageDeduplicationId nor content-based deduplication."""


class SendFailedError(SecureCartError, RuntimeError):
    """Batch entries SQS still rejected after the bounded retries."""


class RedriveFailedError(SecureCartError, RuntimeError):
    """A DLQ redrive (message move task) that failed, was cancelled or did not finish in time."""


class IdempotencyInProgressError(SecureCartError, RuntimeError):
    """A record whose idempotency key another worker is processing right now (retry later)."""


class GroupBlockedError(SecureCartError, RuntimeError):
    """A FIFO record left unprocessed because an earlier record of its group failed."""


class HandlerResponseError(SecureCartError, ValueError):
    """A batch handler returned something other than None or a valid batchItemFailures."""


# -- EventBridge (Lab 3) -----------------------------------------------------------------
class InvalidEventPatternError(InvalidParameterError):
    """An event pattern EventBridge refuses (AWS's InvalidEventPatternException reason)."""


class UnknownTargetTypeError(InvalidParameterError):
    """A rule target of a kind the helpers do not know."""


class EventTooLargeError(InvalidParameterError):
    """PutEvents entries over EventBridge's size limit."""


class TooManyEntriesError(InvalidParameterError):
    """More than 10 entries in one PutEvents call."""


class SchemaValidationError(InvalidParameterError):
    """An event that fails its registered schema (the message names the field)."""


class PublishFailedError(SecureCartError, RuntimeError):
    """PutEvents entries still failing after every re-send."""
# --- nb06 ----------------------------------------------------------------------------
class InvalidStateMachineError(InvalidParameterError):
    """A state machine definition Step Functions would reject (names the state and the rule)."""


class StreamNotFoundError(SecureCartError, LookupError):
    """A Kinesis stream (or DynamoDB stream) that does not exist (deleted, or never created)."""


class NoCheckpointError(SecureCartError, LookupError):
    """A consumer asked to resume from a checkpoint that was never written."""
# --- observability (notebook 07) -----------------------------------------------------------
class InvalidAlarmError(InvalidParameterError):
    """An alarm definition CloudWatch would refuse (M > N, unknown missing-data treatment...)."""


__all__ += ["InvalidAlarmError"]
# -- Lab 2 (SNS) ---------------------------------------------------------------------------
class TopicNotFoundError(SecureCartError, LookupError):
    """An SNS topic ARN that names no existing topic (deleted, or never created)."""


class InvalidFilterPolicyError(InvalidParameterError):
    """A filter policy SNS would refuse (the message quotes AWS's ``InvalidParameter`` text)."""


class InvalidEndpointError(InvalidParameterError):
    """An e-mail address, phone number or URL SNS cannot subscribe."""


class ProtocolNotSupportedError(InvalidParameterError):
    """A protocol the topic does not take (a FIFO topic delivers only to SQS queues)."""


class InvalidQueuePolicyError(InvalidParameterError):
    """A queue policy that is not a JSON policy document."""
# -- safety and reliability -----------------------------------------------------------------
__all__ += ["ProfileNotFoundError", "QueueDeletedRecentlyError", "InvalidMessageBodyError",
            "InvalidGroupIdError"]


class ProfileNotFoundError(CredentialsMissingError, LookupError):
    """The aws backend was asked for with AWS_PROFILE naming a profile that does not exist."""


class QueueDeletedRecentlyError(SecureCartError, RuntimeError):
    """A queue name reused within 60 seconds of deleting that queue (AWS refuses it)."""


class InvalidMessageBodyError(InvalidParameterError):
    """A message body SQS rejects: empty, or with characters outside the allowed set."""


class InvalidGroupIdError(InvalidParameterError):
    """A MessageGroupId or MessageDeduplicationId SQS rejects (length, characters)."""
# -- IAM policy evaluation ---------------------------------------------------------------------
__all__ += ["InvalidPolicyDocumentError"]


class InvalidPolicyDocumentError(InvalidParameterError):
    """A policy document IAM would refuse (no Statement, an Effect other than Allow/Deny, an unknown operator)."""
