"""Create SNS topics (standard or FIFO, with an optional message archive), validated first.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> status = create_topic(env, "order-status")
>>> print(status)
standard topic securecart-demo-order-status
>>> print(create_topic(env, "order-updates", fifo=True, content_based_dedup=True, archive_days=7))
FIFO topic securecart-demo-order-updates.fifo (content-based dedup, archive 7 days)
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..platform import limits
from ..platform.errors import InvalidParameterError, TopicNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Topic", "create_topic", "delete_topic", "require_topic", "topic_arn"]


@dataclass(frozen=True)
class Topic:
    """An SNS topic as :func:`create_topic` made it.

    Attributes
    ----------
    name, arn
        Full name (run prefix, ``.fifo`` for FIFO) and ARN.
    fifo
        Strict order per ``MessageGroupId``, 5-minute deduplication, SQS subscribers only.
    content_based_dedup
        FIFO only: the deduplication id defaults to the SHA-256 of the message.
    archive_days
        FIFO only: days the topic keeps every message for replay (``None``: no archive).
    """

    name: str
    arn: str
    fifo: bool = False
    content_based_dedup: bool = False
    archive_days: int | None = None

    def __str__(self) -> str:
        extras = []
        if self.content_based_dedup:
            extras.append("content-based dedup")
        if self.archive_days:
            extras.append(f"archive {self.archive_days} days")
        more = f" ({', '.join(extras)})" if extras else ""
        return f"{'FIFO' if self.fifo else 'standard'} topic {self.name}{more}"


def topic_arn(topic: Topic | str) -> str:
    """The ARN of a :class:`Topic` or of an ARN string."""
    return topic.arn if isinstance(topic, Topic) else str(topic)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidParameterError(
            f"{name}={value!r}: {name} is a yes/no option and takes True or False (a "
            f"non-empty string counts as True in Python). Fix: {name}=True or {name}=False.")
    return value


def create_topic(env: Environment, name: str, *, fifo: bool = False,
                 content_based_dedup: bool = False, archive_days: int | None = None) -> Topic:
    """Create (or return) a topic; every option is checked before anything is created.

    Parameters
    ----------
    name
        Short name (``"order-status"``); the run prefix is added, and ``.fifo`` for FIFO.
    fifo
        A FIFO topic: order per message group, deduplication, SQS subscribers only.
    content_based_dedup
        FIFO only: deduplicate on the SHA-256 of the message when no id is given.
    archive_days
        FIFO only: keep messages this many days (1-365) so subscribers can replay them.

    Raises
    ------
    InvalidParameterError
        A non-bool flag, an option a standard topic does not have, or archive days out of range.
    """
    fifo = _flag(fifo, "fifo")
    content_based_dedup = _flag(content_based_dedup, "content_based_dedup")
    if not isinstance(name, str) or not name.removesuffix(".fifo"):
        raise InvalidParameterError(
            f"name={name!r}: a topic's short name is a non-empty string (SNS: 1 to 256 "
            "letters, digits, hyphens and underscores). Fix: create_topic(env, 'order-status').")
    if name.endswith(".fifo") and not fifo:
        raise InvalidParameterError(
            f"name={name!r} with fifo=False: SNS keeps the suffix .fifo for FIFO topics (a "
            "standard topic's name cannot end in .fifo), so this would quietly make a standard "
            f"topic named {name[:-5]!r}. Fix: create_topic(env, {name[:-5]!r}, fifo=True).")
    if not fifo and (content_based_dedup or archive_days is not None):
        raise InvalidParameterError(
            f"Topic {name!r}: content-based deduplication and message archiving exist only on "
            "FIFO topics. Pass fifo=True, or drop content_based_dedup / archive_days.")
    if archive_days is not None and (not isinstance(archive_days, int) or isinstance(
            archive_days, bool) or not 1 <= archive_days <= limits.SNS_ARCHIVE_MAX_RETENTION_DAYS):
        raise InvalidParameterError(
            f"archive_days={archive_days!r}: a FIFO topic archives messages for 1 to "
            f"{limits.SNS_ARCHIVE_MAX_RETENTION_DAYS} days (ArchivePolicy MessageRetentionPeriod). "
            "Fix: archive_days=7, or leave it out for no archive.")
    base = name[:-5] if name.endswith(".fifo") else name
    full = f"{base}.fifo" if fifo else base
    attributes: dict[str, str] = {}
    if fifo:
        attributes["FifoTopic"] = "true"
        attributes["ContentBasedDeduplication"] = "true" if content_based_dedup else "false"
    if archive_days:
        attributes["ArchivePolicy"] = json.dumps({"MessageRetentionPeriod": str(archive_days)})
    arn = env.client("sns").create_topic(Name=full, Attributes=attributes)["TopicArn"]
    return Topic(arn.rsplit(":", 1)[-1], arn, fifo, content_based_dedup, archive_days)


def require_topic(env: Environment, topic: Topic | str) -> str:
    """The topic's ARN if it exists, else :class:`TopicNotFoundError` naming it."""
    arn = topic_arn(topic)
    try:
        env.client("sns").get_topic_attributes(TopicArn=arn)
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NotFound", "NotFoundException", "InvalidParameter"):
            raise TopicNotFoundError(
                f"Topic {arn} does not exist (deleted, or never created in this environment). "
                "Create it again with helpers.sns.create_topic(env, ...).") from None
        raise
    return arn


def delete_topic(env: Environment, topic: Topic | str) -> None:
    """Delete the topic and its subscriptions (idempotent, as DeleteTopic is)."""
    env.client("sns").delete_topic(TopicArn=topic_arn(topic))
