"""Queue settings checked against the SQS rules, before anything is created.

:func:`helpers.sqs.queues.create_queue` calls :func:`_validate` and :func:`_names` first, so a
bad value gets one clear error and nothing is half-created.

Example
-------
>>> _check_max_receive_count(5)
5
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..platform import limits
from ..platform.errors import InvalidNameError, InvalidParameterError, InvalidRedrivePolicyError
from .validation import whole_number

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__: list[str] = []

#: The suffix every FIFO queue name ends in.
FIFO_SUFFIX = ".fifo"
_DLQ_SUFFIX = "-dlq"


# -- validation ---------------------------------------------------------------------------
def _int(value: Any, what: str, error: type[Exception] = InvalidParameterError) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise error(f"{what} must be a whole number of seconds or a count, got {value!r}.")
    return int(value)


def _check_range(value: Any, low: int, high: int, what: str, rule: str, fix: str,
                 error: type[Exception] = InvalidParameterError) -> int:
    number = whole_number(value, what, error, rule=f"{rule} ({low} to {high})", fix=fix)
    if not low <= number <= high:
        raise error(f"{what}={value!r} is out of range: {rule} ({low} to {high}). Fix: {fix}")
    return number


def _check_max_receive_count(value: Any) -> int:
    return _check_range(
        value, limits.SQS_MIN_MAX_RECEIVE_COUNT, limits.SQS_MAX_MAX_RECEIVE_COUNT,
        "max_receive_count",
        "a redrive policy's maxReceiveCount is the number of receives before SQS moves a "
        "message to the DLQ, from "
        f"{limits.SQS_MIN_MAX_RECEIVE_COUNT} to {limits.SQS_MAX_MAX_RECEIVE_COUNT}",
        "use 3 to 5 (1 is allowed but discouraged: one slow consumer sends a good message "
        "to the DLQ), or dlq=False for no DLQ.",
        InvalidRedrivePolicyError,
    )


def _names(env: Environment, name: str, fifo: bool, dlq: bool) -> tuple[str, str | None]:
    if not isinstance(name, str) or not name:
        raise InvalidNameError(f"Queue name {name!r} is empty or not a string. Pass e.g. 'orders'.")
    if fifo and not name.endswith(FIFO_SUFFIX):
        name += FIFO_SUFFIX
    if not fifo and name.endswith(FIFO_SUFFIX):
        raise InvalidNameError(
            f"Queue name {name!r} ends in .fifo but fifo=False: SQS reserves the .fifo suffix "
            "for FIFO queues. Fix: pass fifo=True, or drop the suffix for a standard queue."
        )
    full = env.name(name, "sqs")
    if not dlq:
        return full, None
    stem = full[: -len(FIFO_SUFFIX)] if fifo else full
    dlq_full = stem + _DLQ_SUFFIX + (FIFO_SUFFIX if fifo else "")
    try:
        env.naming.check(dlq_full, "sqs")
    except InvalidNameError as err:
        raise InvalidNameError(
            f"The dead-letter queue of {name!r} would be named {dlq_full!r} "
            f"({len(dlq_full)} characters) and SQS queue names have at most "
            f"{limits.SQS_QUEUE_NAME_MAX_CHARS} characters, .fifo included. Fix: shorten "
            f"the queue name by {len(dlq_full) - limits.SQS_QUEUE_NAME_MAX_CHARS} characters."
        ) from err
    return full, dlq_full


def _validate(fifo: bool, dlq: bool, max_receive_count: Any, visibility_timeout: Any,
              delay_seconds: Any, retention_seconds: Any, content_based_dedup: bool) -> None:
    if dlq:
        _check_max_receive_count(max_receive_count)
    _check_range(visibility_timeout, 0, limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
                 "visibility_timeout",
                 "SQS hides a received message for 0 s to 12 hours",
                 "pick a value longer than your slowest processing (the default is "
                 f"{limits.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS} s).")
    delay = _check_range(delay_seconds, 0, limits.SQS_MAX_DELAY_SECONDS, "delay_seconds",
                         "a queue's DelaySeconds is 0 s to 15 minutes",
                         f"use 0 to {limits.SQS_MAX_DELAY_SECONDS}.")
    if fifo and delay:
        raise InvalidParameterError(
            f"delay_seconds={delay_seconds!r} on a FIFO queue: FIFO queues support a queue-level "
            "delay, but the course's FIFO queues keep 0 so that per-group order is easy to "
            "follow, and FIFO has no per-message delay. Fix: delay_seconds=0 for FIFO."
        )
    _check_range(retention_seconds, limits.SQS_MIN_RETENTION_SECONDS,
                 limits.SQS_MAX_RETENTION_SECONDS, "retention_seconds",
                 "SQS keeps messages from 60 s to 14 days",
                 f"use e.g. {limits.SQS_DEFAULT_RETENTION_SECONDS} (4 days, the default).")
    if content_based_dedup and not fifo:
        raise InvalidParameterError(
            "content_based_dedup=True on a standard queue: ContentBasedDeduplication is a FIFO "
            "attribute (standard queues do not deduplicate). Fix: pass fifo=True or drop it."
        )
