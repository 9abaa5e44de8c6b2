"""SNS's message-size rules: a topic's ``MaximumMessageSize`` and what a large topic allows.

A topic takes messages (body plus attributes) up to its ``MaximumMessageSize`` attribute:
1,024 to 1,048,576 bytes, 262,144 (256 KiB) by default. A topic set above 256 KiB may have
at most 100 subscriptions, each an Amazon SQS, AWS Lambda or Amazon Data Firehose one; SNS
refuses the setting, or a later subscription, with ``InvalidParameter`` (SNS developer guide,
"Publishing large messages with Amazon SNS"; botocore's ``SetTopicAttributes`` and
``CreateTopic`` documentation; checked 2026-12-05). AWS documents the error code, not its
text: the messages below follow the shape of SNS's recorded attribute errors
(``Invalid parameter: <Attribute>: <reason>``) in the course's words.

Pure functions: the SNS stand-ins apply them inside moto, ``helpers.sns`` applies them before
a publish on every backend.

Example
-------
>>> topic_message_limit({"MaximumMessageSize": "1048576"}), topic_message_limit({})
(1048576, 262144)
>>> check_maximum_message_size("2000000", ["sqs"])
Traceback (most recent call last):
...
helpers.rules.sns_sizes.MessageSizeRuleError: MaximumMessageSize: 2000000 is not an integer from 1024 to 1048576 bytes
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..platform import limits

__all__ = ["MessageSizeRuleError", "topic_message_limit", "check_maximum_message_size",
           "check_large_topic_subscription", "LARGE_TOPIC_PROTOCOLS"]

#: Protocols a topic above 256 KiB may deliver to (``firehose`` is Amazon Data Firehose).
LARGE_TOPIC_PROTOCOLS = limits.SNS_LARGE_MESSAGE_PROTOCOLS


class MessageSizeRuleError(ValueError):
    """A ``MaximumMessageSize`` value or a subscription SNS refuses (``InvalidParameter``)."""


def _as_int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number


def topic_message_limit(attributes: Mapping[str, Any] | None) -> int:
    """The largest message, in bytes, a topic with these attributes takes (256 KiB default)."""
    number = _as_int((attributes or {}).get("MaximumMessageSize"))
    return number if number is not None else limits.SNS_MAX_MESSAGE_BYTES


def check_maximum_message_size(value: Any, protocols: Iterable[str]) -> int:
    """Validate a new ``MaximumMessageSize`` for a topic whose subscriptions use ``protocols``.

    Returns the size in bytes; raises :class:`MessageSizeRuleError` naming the rule.
    """
    number = _as_int(value)
    low, high = limits.SNS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES, limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES
    if number is None or not low <= number <= high:
        raise MessageSizeRuleError(
            f"MaximumMessageSize: {value} is not an integer from {low} to {high} bytes")
    if number > limits.SNS_MAX_MESSAGE_BYTES:
        protocols = list(protocols)
        others = sorted({p for p in protocols if p not in LARGE_TOPIC_PROTOCOLS})
        if others:
            raise MessageSizeRuleError(
                f"MaximumMessageSize: a topic above {limits.SNS_MAX_MESSAGE_BYTES} bytes supports "
                f"only {', '.join(LARGE_TOPIC_PROTOCOLS)} subscriptions; this topic has "
                f"{', '.join(others)}")
        if len(protocols) > limits.SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS:
            raise MessageSizeRuleError(
                f"MaximumMessageSize: a topic above {limits.SNS_MAX_MESSAGE_BYTES} bytes supports "
                f"at most {limits.SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS} subscriptions; this topic "
                f"has {len(protocols)}")
    return number


def check_large_topic_subscription(limit: int, protocol: str, existing: int) -> None:
    """Refuse a new subscription a topic with ``MaximumMessageSize`` = ``limit`` cannot take."""
    if limit <= limits.SNS_MAX_MESSAGE_BYTES:
        return
    if protocol not in LARGE_TOPIC_PROTOCOLS:
        raise MessageSizeRuleError(
            f"Protocol: the topic's MaximumMessageSize is {limit} bytes; above "
            f"{limits.SNS_MAX_MESSAGE_BYTES} bytes SNS delivers only to "
            f"{', '.join(LARGE_TOPIC_PROTOCOLS)}, not {protocol}")
    if existing >= limits.SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS:
        raise MessageSizeRuleError(
            f"TopicArn: the topic's MaximumMessageSize is {limit} bytes; above "
            f"{limits.SNS_MAX_MESSAGE_BYTES} bytes a topic takes at most "
            f"{limits.SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS} subscriptions")
