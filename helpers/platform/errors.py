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
]


class SecureCartError(Exception):
    """Base error of every failure the course helpers raise on purpose."""


class UnknownBackendError(SecureCartError, ValueError):
    """The backend name is not one of moto, server, aws."""


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


# -- safety and reliability (issue 15) ------------------------------------------------------
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
