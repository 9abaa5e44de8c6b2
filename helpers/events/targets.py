"""Rule targets of every kind the course uses, with retry policies and dead-letter queues.

``target(env, kind, arn, ...)`` builds one ``PutTargets`` entry; kinds: ``sqs`` (FIFO needs a
``group``: ``SqsParameters.MessageGroupId``), ``sns``, ``lambda``, ``stepfunctions``, ``bus``,
``api``. On moto a Lambda target calls a Python handler registered with :func:`register_handler`
(moto runs Lambda code only in Docker; emulated on moto).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> target(env, "sqs", "arn:aws:sqs:us-east-1:123456789012:restock.fifo", group="restock")["SqsParameters"]
{'MessageGroupId': 'restock'}
>>> target(env, "s3", "arn:aws:s3:::bucket")
Traceback (most recent call last):
...
helpers.platform.errors.UnknownTargetTypeError: Unknown target kind 's3': the course's rules deliver to sqs, sns, lambda, stepfunctions, bus, api. Fix: pass one of them with the target's ARN.
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..platform import limits
from ..platform.errors import InvalidParameterError, NotReadyError, UnknownTargetTypeError
from ..platform.inputs import count

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["KINDS", "target", "add_targets", "register_handler", "queue_arn"]

#: Target kinds and the ARN service each must name.
KINDS = {"sqs": "sqs", "sns": "sns", "lambda": "lambda", "stepfunctions": "states", "bus": "events",
         "api": "events"}


def queue_arn(env: Environment, url: str) -> str:
    """The ARN of the queue at ``url``."""
    return env.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def target(env: Environment, kind: str, arn: str, *, id: str | None = None, group: str | None = None,
           dlq_arn: str | None = None, max_retries: int | None = None, max_age_seconds: int | None = None,
           input_path: str | None = None, input: str | None = None,
           transformer: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ``PutTargets`` entry for a target of ``kind`` at ``arn``."""
    if kind not in KINDS:
        raise UnknownTargetTypeError(
            f"Unknown target kind {kind!r}: the course's rules deliver to {', '.join(KINDS)}. "
            "Fix: pass one of them with the target's ARN.")
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    if service != KINDS[kind]:
        raise InvalidParameterError(
            f"Target ARN {arn!r} is not a {kind} ARN (its service must be {KINDS[kind]!r}). "
            "Fix: pass the ARN of the resource itself, e.g. the queue's QueueArn.")
    entry: dict[str, Any] = {"Id": id or f"{kind}-{arn.rsplit(':', 1)[-1].rsplit('/', 1)[-1]}"[:64], "Arn": arn}
    if group is not None:
        entry["SqsParameters"] = {"MessageGroupId": group}
    elif kind == "sqs" and arn.endswith(".fifo"):
        raise InvalidParameterError(
            f"Target {arn} is a FIFO queue: EventBridge needs SqsParameters.MessageGroupId for it. "
            "Fix: pass group='...' (e.g. the product or customer id field's constant).")
    if dlq_arn:
        entry["DeadLetterConfig"] = {"Arn": dlq_arn}
    if max_retries is not None:
        max_retries = count(max_retries, "max_retries", maximum=limits.EVENTBRIDGE_MAX_RETRY_ATTEMPTS,
                            rule="RetryPolicy.MaximumRetryAttempts", fix="max_retries=3")
    if max_age_seconds is not None:
        max_age_seconds = count(max_age_seconds, "max_age_seconds",
                                minimum=limits.EVENTBRIDGE_MIN_EVENT_AGE_SECONDS,
                                maximum=limits.EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS,
                                rule="RetryPolicy.MaximumEventAgeInSeconds", fix="max_age_seconds=3600")
    policy = {k: v for k, v in (("MaximumRetryAttempts", max_retries),
                                ("MaximumEventAgeInSeconds", max_age_seconds)) if v is not None}
    if policy:
        entry["RetryPolicy"] = policy
    for key, value in (("InputPath", input_path), ("Input", input), ("InputTransformer", transformer)):
        if value is not None:
            entry[key] = value
    return entry


def add_targets(env: Environment, rule: Any, targets: list[dict[str, Any]], client: Any = None) -> None:
    """``PutTargets`` for ``rule`` (a :class:`Rule`); any failed entry raises."""
    events = client or env.client("events")
    answer = events.put_targets(Rule=rule.name, EventBusName=rule.bus, Targets=targets)
    if answer.get("FailedEntryCount"):
        raise InvalidParameterError(f"PutTargets refused: {answer['FailedEntries']}")


def register_handler(env: Environment, name: str, handler: Any) -> str:
    """Make ``handler(event, context)`` the Lambda function ``name`` for EventBridge targets; its ARN.

    moto only (emulated on moto): on AWS deploy a real function and use its ARN.
    """
    if not env.local:
        raise NotReadyError(
            f"register_handler({name!r}) runs Python handlers on moto only: on {env.backend} "
            "EventBridge invokes a real Lambda function. Fix: deploy the function and pass its ARN.")
    full = env.name(name, "stepfunctions")
    env.emulation["lambda"].register(full, handler)
    return f"arn:aws:lambda:{env.region}:{env.account}:function:{full}"
