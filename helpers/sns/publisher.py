"""Publish SecureCart events to a topic: attributes from the event, FIFO ids, batches of 10.

Subscribers filter on message attributes, so the publisher copies four fields of each event
into attributes: ``type`` and ``status`` (String), ``amount`` (Number) and ``region``
(String). On a FIFO topic it also sets the message group (by default the order id: each
order's updates in order) and, unless the topic deduplicates on content, the deduplication id.

Example
-------
>>> attributes_from_event({"type": "PaymentFailed", "status": "failed", "amount": 250.0})
{'type': {'DataType': 'String', 'StringValue': 'PaymentFailed'}, 'status': {'DataType': 'String', 'StringValue': 'failed'}, 'amount': {'DataType': 'Number', 'StringValue': '250.0'}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..emulation.sns.validation import check_publish_size
from ..platform import limits
from ..platform.errors import (
    InvalidParameterError,
    MessageTooLargeError,
    MissingDeduplicationIdError,
    MissingGroupIdError,
)
from ..platform.inputs import json_text
from ..rules.sns_sizes import topic_message_limit
from .propagation import warn_if_propagating
from .topics import Topic, require_topic
from .types import PublishedMessage

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["attributes_from_event", "build_message", "publish_event", "publish_events",
           "PublishReport", "ATTRIBUTE_FIELDS"]

#: Event fields copied into message attributes, with their SNS data type.
ATTRIBUTE_FIELDS = (("type", "String"), ("status", "String"), ("amount", "Number"),
                    ("region", "String"), ("customer_id", "String"))


def attributes_from_event(event: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The ``MessageAttributes`` of one event (only the fields it has)."""
    out = {}
    for name, kind in ATTRIBUTE_FIELDS:
        if event.get(name) is not None:
            out[name] = {"DataType": kind, "StringValue": str(event[name])}
    return out


def _topic_info(env: Environment, topic: Topic | str) -> tuple[str, bool, bool, int]:
    """ARN, FIFO, content-based dedup and ``MaximumMessageSize`` (read from the topic)."""
    arn = require_topic(env, topic)
    attrs = env.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    warn_if_propagating(env, arn)
    return (arn, str(attrs.get("FifoTopic", "false")).lower() == "true",
            str(attrs.get("ContentBasedDeduplication", "false")).lower() == "true",
            topic_message_limit(attrs))


def build_message(event: dict[str, Any], *, topic_arn: str, fifo: bool = False,
                  content_dedup: bool = False, group_by: str = "order_id",
                  dedup_by: str | None = "event_id", subject: str | None = None,
                  index: int = 0, max_bytes: int = limits.SNS_MAX_MESSAGE_BYTES) -> PublishedMessage:
    """The ``Publish`` parameters for one event, checked (size with attributes, FIFO ids).

    ``max_bytes`` is the topic's ``MaximumMessageSize`` (256 KiB unless the topic sets it).
    """
    if not isinstance(event, dict):
        raise InvalidParameterError(
            f"Event {index} is {type(event).__name__}, not a dict ({event!r:.60}): each event is "
            "published as a JSON object whose fields become message attributes. Fix: pass a "
            "list of event dicts, e.g. [{'order_id': 'ord-00001', ...}].")
    body = json_text(event, f"Event {index} ({event.get('order_id', '?')})",
                     rule="the message body is the event as JSON", sort_keys=True)
    message: PublishedMessage = {"TopicArn": topic_arn, "Message": body,
                                 "MessageAttributes": attributes_from_event(event)}
    if subject:
        message["Subject"] = subject
    size = check_publish_size(body, message["MessageAttributes"])
    if size > max_bytes:
        raise MessageTooLargeError(
            f"Event {index} ({event.get('order_id', '?')}) is {size:,} bytes with its attributes; "
            f"this topic's MaximumMessageSize is {max_bytes:,} bytes (attributes included; 256 KiB "
            f"unless set, at most {limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES:,}). Raise the topic's "
            "MaximumMessageSize, or publish a reference (an order id, an S3 key) instead.")
    if fifo:
        if event.get(group_by) is None:
            raise MissingGroupIdError(
                f"Event {index} has no {group_by!r} to use as MessageGroupId; a FIFO topic needs "
                "one on every message. Pass group_by= a field every event has.")
        message["MessageGroupId"] = str(event[group_by])
        if dedup_by and event.get(dedup_by) is not None:
            message["MessageDeduplicationId"] = str(event[dedup_by])
        elif not content_dedup:
            raise MissingDeduplicationIdError(
                f"Event {index} has no {dedup_by!r} for MessageDeduplicationId and the topic has "
                "no content-based deduplication. Give each event an id, or create the topic "
                "with content_based_dedup=True.")
    return message


def _batches(messages: list[PublishedMessage], max_bytes: int) -> list[tuple[int, list]]:
    """Consecutive batches of at most 10 whose sizes together fit ``max_bytes`` (PublishBatch)."""
    out: list[tuple[int, list]] = []
    start, chunk, total = 0, [], 0
    for i, message in enumerate(messages):
        size = check_publish_size(message["Message"], message["MessageAttributes"])
        if chunk and (len(chunk) == limits.SNS_MAX_BATCH_ENTRIES or total + size > max_bytes):
            out.append((start, chunk))
            start, chunk, total = i, [], 0
        chunk.append(message)
        total += size
    if chunk:
        out.append((start, chunk))
    return out


@dataclass
class PublishReport:
    """What :func:`publish_events` published: message ids in event order, and failures."""

    message_ids: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0

    def __repr__(self) -> str:
        return (f"published {len(self.message_ids)} events in {self.calls} calls, "
                f"{len(self.failed)} failed")


def publish_event(env: Environment, topic: Topic | str, event: dict[str, Any], **options: Any) -> str:
    """Publish one event (``Publish``); its message id. Options as :func:`build_message`."""
    arn, fifo, content, max_bytes = _topic_info(env, topic)
    message = build_message(event, topic_arn=arn, fifo=fifo, content_dedup=content,
                            max_bytes=max_bytes, **options)
    return env.client("sns").publish(**message)["MessageId"]


def publish_events(env: Environment, topic: Topic | str, events: list[dict[str, Any]], *,
                   batch: bool = True, **options: Any) -> PublishReport:
    """Publish events in order, ``PublishBatch`` of up to 10 (``batch=False``: one by one).

    Every event is checked before the first is sent, so a bad one sends nothing.
    """
    if not isinstance(events, list):
        raise InvalidParameterError(
            f"events={events!r:.60}: publish_events takes a list of event dicts, not a "
            f"{type(events).__name__}. Fix: publish_events(env, topic, [event, ...]) "
            "(publish_event for one).")
    if not isinstance(batch, bool):
        raise InvalidParameterError(f"batch={batch!r}: batch is a yes/no option (PublishBatch "
                                    "or one Publish per event). Fix: batch=True or batch=False.")
    arn, fifo, content, max_bytes = _topic_info(env, topic)
    messages = [build_message(e, topic_arn=arn, fifo=fifo, content_dedup=content, index=i,
                              max_bytes=max_bytes, **options)
                for i, e in enumerate(events)]
    sns, report = env.client("sns"), PublishReport()
    if not batch:
        for message in messages:
            report.message_ids.append(sns.publish(**message)["MessageId"])
            report.calls += 1
        return report
    for start, chunk in _batches(messages, max_bytes):
        entries = [{"Id": str(start + k), **{key: v for key, v in m.items() if key != "TopicArn"}}
                   for k, m in enumerate(chunk)]
        reply = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=entries)
        report.calls += 1
        ok = {int(r["Id"]): r["MessageId"] for r in reply.get("Successful", [])}
        for k, message in enumerate(chunk):
            if start + k in ok:
                report.message_ids.append(ok[start + k])
                env.log.record(service="sns", action="publish", resource=arn.rsplit(":", 1)[-1],
                               message_id=ok[start + k], group=message.get("MessageGroupId"),
                               detail="PublishBatch")
        report.failed += reply.get("Failed", [])
    return report
