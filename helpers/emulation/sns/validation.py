"""The SNS rules moto 5.2 does not check, in AWS's words: publish, subscribe, attributes.

Each function raises moto's own ``SNSInvalidParameter`` (code ``InvalidParameter``) or batch
exceptions, so a student's ``env.client("sns")`` call gets the ``ClientError`` AWS returns.
Messages come from AWS-recorded responses (LocalStack's snapshot tests of SNS, recorded
against AWS) where one exists; the few the course words itself say so in their docstring.

Example
-------
>>> check_publish_size("x" * 10, {"a": {"DataType": "String", "StringValue": "b"}})
18
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlparse

from moto.sns.exceptions import (
    BatchEntryIdsNotDistinct,
    SNSException,
    SNSInvalidParameter,
    TooManyEntriesInBatchRequest,
)

from ...platform import limits
from ...rules.filter_policies import SET_PREFIX, FilterPolicyError, validate_policy, validate_scope
from ...rules.sns_sizes import topic_message_limit
from .delivery import DeliveryPolicyError, validate_delivery_policy

__all__ = ["check_publish", "check_publish_size", "check_batch", "check_subscribe",
           "check_subscription_attribute", "FIFO_PROTOCOL_MESSAGE", "is_loopback_url",
           "SUBSCRIPTION_ATTRIBUTES", "topic_limit"]

#: Subscription attributes SetSubscriptionAttributes accepts (SNS API Reference).
SUBSCRIPTION_ATTRIBUTES = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope",
                           "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn",
                           "ReplayPolicy")
#: The course's wording (no AWS-recorded text was found) for a non-SQS endpoint on a FIFO topic.
FIFO_PROTOCOL_MESSAGE = ("Invalid parameter: Endpoint Reason: FIFO topics support only Amazon SQS "
                         "endpoints; protocol {protocol} is not supported")


def _size(value: Any) -> int:
    return len(value.encode()) if isinstance(value, str) else len(value or b"")


def check_publish_size(message: str, attributes: dict[str, Any] | None) -> int:
    """The bytes SNS counts for a publish: the body plus every attribute's name, type and value."""
    total = _size(message)
    for name, attr in (attributes or {}).items():
        total += _size(name) + sum(_size(v) for v in attr.values() if isinstance(v, (str, bytes)))
    return total


def topic_limit(topic: Any) -> int:
    """The topic's ``MaximumMessageSize`` in bytes (moto stores it as ``maximum_message_size``)."""
    if topic is None:
        return limits.SNS_MAX_MESSAGE_BYTES
    return topic_message_limit({"MaximumMessageSize": getattr(topic, "maximum_message_size", None)})


def check_publish(topic: Any, message: Any, attributes: dict[str, Any] | None, group_id: Any,
                  dedup_id: Any, wire_attributes: dict[str, Any] | None = None,
                  limit: int | None = None) -> None:
    """Empty message, size with attributes (the topic's ``MaximumMessageSize``), FIFO ids."""
    if not message:
        raise SNSInvalidParameter("Invalid parameter: Empty message")
    size = check_publish_size(message, wire_attributes if wire_attributes is not None else
                              {k: {"DataType": v.get("Type", ""), "Value": str(v.get("Value", ""))}
                               for k, v in (attributes or {}).items()})
    if size > (limit if limit is not None else topic_limit(topic)):
        raise SNSInvalidParameter("Invalid parameter: Message too long")
    if topic is None:
        return
    if topic.fifo_topic in (True, "true", "True"):
        if not group_id:
            raise SNSInvalidParameter(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        if not dedup_id and topic.content_based_deduplication not in (True, "true", "True"):
            raise SNSInvalidParameter(
                "Invalid parameter: The topic should either have ContentBasedDeduplication "
                "enabled or MessageDeduplicationId provided explicitly")


def check_batch(topic: Any, entries: list[dict[str, Any]]) -> None:
    """PublishBatch: at most 10 entries, distinct ids, FIFO ids, sizes within the topic's limit.

    Each entry, and the batch as a whole, must fit the topic's ``MaximumMessageSize`` (SNS API
    reference, PublishBatch); a batch over it is refused with ``BatchRequestTooLong``.
    """
    if len(entries) > limits.SNS_MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest
    ids = [e.get("Id") for e in entries]
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct
    if topic.fifo_topic in (True, "true", "True"):
        if not all(e.get("MessageGroupId") for e in entries):
            raise SNSInvalidParameter(
                "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
        if topic.content_based_deduplication not in (True, "true", "True") and not all(
                e.get("MessageDeduplicationId") for e in entries):
            raise SNSInvalidParameter(
                "Invalid parameter: The topic should either have ContentBasedDeduplication "
                "enabled or MessageDeduplicationId provided explicitly")
    limit, total = topic_limit(topic), 0
    for entry in entries:
        check_publish(None, entry.get("Message"), entry.get("MessageAttributes"), None, None,
                      limit=limit)
        total += check_publish_size(entry.get("Message") or "", _wire(entry.get("MessageAttributes")))
    if total > limit:
        raise BatchRequestTooLong(total, limit)


def _wire(attributes: dict[str, Any] | None) -> dict[str, Any]:
    return {k: {"DataType": v.get("Type", v.get("DataType", "")),
                "Value": str(v.get("Value", v.get("StringValue", "")))}
            for k, v in (attributes or {}).items()}


class BatchRequestTooLong(SNSException):
    """PublishBatch entries together larger than the topic's ``MaximumMessageSize``.

    Code and first sentence from SNS's API model (``BatchRequestTooLongException``).
    """

    code = "BatchRequestTooLong"

    def __init__(self, total: int, limit: int) -> None:
        super().__init__(f"The length of all the batch messages put together is more than the "
                         f"limit. ({total} bytes > {limit} bytes, the topic's MaximumMessageSize)")


def is_loopback_url(url: str) -> bool:
    """True for an http(s) URL whose host is this machine (127.0.0.0/8, ::1, localhost).

    Example
    -------
    >>> is_loopback_url("http://127.0.0.1:8080/hook"), is_loopback_url("https://example.com/")
    (True, False)
    """
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_subscribe(topic: Any, protocol: str, endpoint: str) -> None:
    """FIFO topics take only SQS endpoints; HTTP(S) endpoints only on loopback (on moto)."""
    if topic.fifo_topic in (True, "true", "True") and protocol != "sqs":
        raise SNSInvalidParameter(FIFO_PROTOCOL_MESSAGE.format(protocol=protocol))
    if protocol in ("http", "https"):
        if not str(endpoint).startswith(f"{protocol}://"):
            raise SNSInvalidParameter("Invalid parameter: Endpoint must match the specified protocol")
        if not is_loopback_url(endpoint):
            raise SNSInvalidParameter(
                f"Invalid parameter: Endpoint Reason: {endpoint} is not on this machine. On the "
                "local backend (emulated on moto) HTTP(S) subscriptions may only reach loopback "
                "(127.0.0.1); use a webhook the kernel started, or the aws backend.")


def _redrive(value: Any, prefix: str, topic: Any, sqs_backends: Any) -> None:
    try:
        policy = json.loads(value)
    except (TypeError, ValueError) as err:
        raise SNSInvalidParameter(f"{prefix}RedrivePolicy: failed to parse JSON. {err}") from None
    arn = policy.get("deadLetterTargetArn", "") if isinstance(policy, dict) else ""
    parts = str(arn).split(":")
    if len(parts) != 6 or parts[2] != "sqs":
        raise SNSInvalidParameter(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    if topic.fifo_topic in (True, "true", "True") and not parts[5].endswith(".fifo"):
        raise SNSInvalidParameter(f"{prefix}RedrivePolicy: must use a FIFO queue as DLQ for a "
                                  "FIFO Subscription to a FIFO Topic.")


def check_subscription_attribute(sub_topic: Any, name: str, value: Any, scope: str | None,
                                 prefix: str = SET_PREFIX, sqs_backends: Any = None) -> Any:
    """Validate one attribute; returns the parsed filter policy for ``FilterPolicy``."""
    if name not in SUBSCRIPTION_ATTRIBUTES:
        raise SNSInvalidParameter("Invalid parameter: AttributeName")
    try:
        if name == "FilterPolicyScope":
            return validate_scope(value, prefix)
        if name == "FilterPolicy":
            return validate_policy(value, scope or "MessageAttributes", prefix=prefix)
    except FilterPolicyError as err:
        raise SNSInvalidParameter(str(err)) from None
    if name == "RawMessageDelivery" and str(value).lower() not in ("true", "false"):
        raise SNSInvalidParameter(f"{prefix}RawMessageDelivery: Invalid value [{value}]. "
                                  "Must be true or false.")
    if name == "RedrivePolicy" and value:
        _redrive(value, prefix, sub_topic, sqs_backends)
    if name == "DeliveryPolicy" and value:
        try:
            validate_delivery_policy(json.loads(value))
        except (TypeError, ValueError, DeliveryPolicyError) as err:
            raise SNSInvalidParameter(f"{prefix}DeliveryPolicy: {err}") from None
    if name == "ReplayPolicy" and value:
        if sub_topic.fifo_topic not in (True, "true", "True") or not getattr(
                sub_topic, "archive_policy", None):
            raise SNSInvalidParameter(f"{prefix}ReplayPolicy: the topic has no ArchivePolicy "
                                      "(only FIFO topics archive messages)")
    return None
