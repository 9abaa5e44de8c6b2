"""RedriveAllowPolicy kept, returned and enforced; DLQ type and ``maxReceiveCount`` rules.

moto drops ``RedriveAllowPolicy`` and accepts a standard queue with a FIFO DLQ (and the
reverse) and any ``maxReceiveCount``. AWS: the DLQ must be the same type as its source,
``maxReceiveCount`` is 1-1000, and a DLQ's allow policy decides which sources may use it.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> "RedriveAllowPolicy and DLQ rules" in env.stand_ins.names()
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from moto.sqs import models as sqs_models
from moto.sqs.exceptions import SQSException

from ...platform import limits
from .common import backend_of, invalid, queue_by_arn

__all__ = ["take_allow_policy", "check_redrive_policy", "redrive_patches"]

_Queue = sqs_models.Queue


def take_allow_policy(queue: Any, attributes: dict[str, Any]) -> None:
    """Pop ``RedriveAllowPolicy`` from ``attributes``, check it, keep it on the queue."""
    if "RedriveAllowPolicy" not in attributes:
        return
    raw = attributes.pop("RedriveAllowPolicy")
    if raw in (None, "", {}):
        queue._sc_redrive_allow = None
        return
    try:
        policy = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (TypeError, ValueError):
        raise invalid(
            f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
            "Redrive allow policy is not a dict or valid json."
        ) from None
    permission = policy.get("redrivePermission")
    sources = policy.get("sourceQueueArns")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid(
            f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
            "redrivePermission must be one of allowAll, denyAll, byQueue."
        )
    if permission == "byQueue" and not (
        isinstance(sources, list) and 1 <= len(sources) <= limits.SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES
    ):
        raise invalid(
            f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
            f"byQueue needs sourceQueueArns with 1 to {limits.SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES} queue ARNs."
        )
    if permission != "byQueue" and sources:
        raise invalid(
            f"Value {raw} for parameter RedriveAllowPolicy is invalid. Reason: "
            "sourceQueueArns is allowed only with redrivePermission byQueue."
        )
    queue._sc_redrive_allow = policy

def check_redrive_policy(queue: Any, attributes: dict[str, Any]) -> None:
    """AWS's rules for a RedrivePolicy moto does not check."""
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
        raise invalid(
            f"Value {raw} for parameter RedrivePolicy is invalid. Reason: Invalid value for "
            f"maxReceiveCount: {count}, valid values are from {limits.SQS_MIN_MAX_RECEIVE_COUNT} "
            f"to {limits.SQS_MAX_MAX_RECEIVE_COUNT} both inclusive."
        )
    target = policy.get("deadLetterTargetArn")
    dlq = queue_by_arn(backend_of(queue), target)
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
        raise invalid(
            f"Value {raw} for parameter RedrivePolicy is invalid. Reason: Queue {source_arn} "
            f"is not allowed to use {target} as its dead-letter queue: the DLQ's "
            "RedriveAllowPolicy does not allow it."
        )


def redrive_patches() -> list[Any]:
    """The patchers of this module."""
    orig_set = _Queue._set_attributes

    def set_attributes(queue: Any, attributes: dict[str, Any], now: Any = None) -> None:
        attributes = dict(attributes)
        take_allow_policy(queue, attributes)
        check_redrive_policy(queue, attributes)
        orig_set(queue, attributes, now)

    return [mock.patch.object(_Queue, "_set_attributes", set_attributes)]
