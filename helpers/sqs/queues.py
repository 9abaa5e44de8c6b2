"""Order queues: a source queue with its dead-letter queue, created in one validated step.

:func:`create_queue` checks every argument against the SQS rules *before* it creates
anything, creates the DLQ first (with a ``RedriveAllowPolicy`` that admits only this source),
then the source queue with its ``RedrivePolicy``. If the source still fails, the DLQ it just
made is deleted again: nothing is ever half-created. Running it again with the same
arguments returns the existing queue.

Naming: every name gets the run prefix (``securecart-<run>-``). A FIFO queue's name must end
in ``.fifo``; :func:`create_queue` adds the suffix when ``fifo=True`` and the name lacks it
(``"orders"`` becomes ``"orders.fifo"``), and refuses a ``.fifo`` name for a standard queue.
The DLQ of ``orders`` is ``orders-dlq``; of ``orders.fifo`` it is ``orders-dlq.fifo``.

Example
-------
>>> import helpers
>>> from helpers.sqs import create_queue, queue_depth
>>> env = helpers.connect(quiet=True)
>>> q = create_queue(env, "orders", max_receive_count=3)
>>> q.name, q.dlq_url.rsplit("/", 1)[-1], q.max_receive_count
('securecart-demo-orders', 'securecart-demo-orders-dlq', 3)
>>> queue_depth(env, q)
{'visible': 0, 'in_flight': 0, 'delayed': 0, 'dlq': 0}
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..platform import limits
from ..platform.errors import (
    InvalidRedrivePolicyError,
    QueueAlreadyExistsError,
    QueueNotFoundError,
    QueueTypeMismatchError,
)
from .queue_rules import (
    FIFO_SUFFIX,
    _check_max_receive_count,
    _names,
    _validate,
)
from .validation import check_flags

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["OrderQueue", "create_queue", "queue_depth", "attach_dlq", "delete_queue", "FIFO_SUFFIX"]

_MISSING = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


@dataclass(frozen=True)
class OrderQueue:
    """A source queue and its dead-letter queue, as :func:`create_queue` made them.

    Attributes
    ----------
    name, url, arn
        The source queue (full name with the run prefix).
    fifo
        True for a FIFO queue: strict order within a ``MessageGroupId``, one in-flight batch
        per group, 5-minute deduplication interval.
    dlq_url, dlq_arn
        The dead-letter queue, or ``None`` without one.
    max_receive_count
        Receives after which SQS moves a message to the DLQ (it moves on the next receive
        once the count *exceeds* this), or ``None`` without a DLQ.
    visibility_timeout
        Seconds a received message stays hidden from other consumers (default 30 s, range
        0 s - 12 h).
    content_based_dedup
        FIFO only: the deduplication id defaults to the SHA-256 of the body.

    Example
    -------
    >>> OrderQueue("q", "http://x/q", "arn:aws:sqs:r:1:q", False, None, None, None, 30).fifo
    False
    """

    name: str
    url: str
    arn: str
    fifo: bool
    dlq_url: str | None
    dlq_arn: str | None
    max_receive_count: int | None
    visibility_timeout: int
    content_based_dedup: bool = False

    @property
    def dlq_name(self) -> str | None:
        """The DLQ's full name, or ``None``."""
        return self.dlq_url.rsplit("/", 1)[-1] if self.dlq_url else None

    def __str__(self) -> str:
        kind = "FIFO" if self.fifo else "standard"
        dlq = (f", DLQ {self.dlq_name} after {self.max_receive_count} receives"
               if self.dlq_url else ", no DLQ")
        return f"{kind} queue {self.name} (visibility {self.visibility_timeout} s{dlq})"


# -- helpers ------------------------------------------------------------------------------
def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def _existing_url(sqs: Any, full_name: str) -> str | None:
    try:
        return sqs.get_queue_url(QueueName=full_name)["QueueUrl"]
    except ClientError as err:
        if _code(err) in _MISSING:
            return None
        raise


def _attributes(sqs: Any, url: str, names: list[str] | None = None) -> dict[str, str]:
    try:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names or ["All"])["Attributes"]
    except ClientError as err:
        if _code(err) in _MISSING:
            raise QueueNotFoundError(
                f"No queue at {url!r}: it does not exist (or was deleted). Fix: create it "
                "with create_queue(env, name) and pass the returned queue or its .url."
            ) from None
        raise


#: GetQueueAttributes' three message counts: visible, in flight (received, not yet deleted),
#: delayed.
_DEPTH = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed"]


def _counts(attrs: dict[str, str]) -> tuple[int, int, int]:
    """``(visible, in_flight, delayed)`` from a GetQueueAttributes answer."""
    return tuple(int(attrs.get(n, 0)) for n in _DEPTH)  # type: ignore[return-value]


def _depth(sqs: Any, url: str) -> tuple[int, int, int]:
    """``(visible, in_flight, delayed)`` of the queue at ``url`` (one API call)."""
    return _counts(_attributes(sqs, url, _DEPTH))


def _url(queue: OrderQueue | str) -> str:
    return queue.url if isinstance(queue, OrderQueue) else queue


def _arn_like(arn: str, name: str) -> str:
    return arn.rsplit(":", 1)[0] + ":" + name


def _differences(actual: dict[str, str], wanted: dict[str, str]) -> list[str]:
    out = []
    for key, value in wanted.items():
        have = actual.get(key)
        if key == "RedrivePolicy" and have:
            have_p, want_p = json.loads(have), json.loads(value)
            if (have_p.get("deadLetterTargetArn") == want_p["deadLetterTargetArn"]
                    and int(have_p.get("maxReceiveCount", -1)) == want_p["maxReceiveCount"]):
                continue
        elif have is not None and str(have).lower() == str(value).lower():
            continue
        elif have is None and key == "ContentBasedDeduplication" and value == "false":
            continue
        out.append(f"{key}: exists as {have!r}, asked for {value!r}")
    return out


# -- public API ---------------------------------------------------------------------------
def create_queue(
    env: Environment,
    name: str,
    *,
    fifo: bool = False,
    dlq: bool = True,
    max_receive_count: int = 3,
    visibility_timeout: int = limits.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    delay_seconds: int = 0,
    retention_seconds: int = limits.SQS_DEFAULT_RETENTION_SECONDS,
    content_based_dedup: bool = False,
    encrypted: bool = True,
) -> OrderQueue:
    """Create a source queue and (by default) its dead-letter queue, all validated first.

    Parameters
    ----------
    env
        The course environment.
    name
        Short name such as ``"orders"``; the run prefix is added, and ``.fifo`` when
        ``fifo=True`` (a standard queue may not end in ``.fifo``).
    fifo
        FIFO queue (and FIFO DLQ: a DLQ must be the same type as its source).
    dlq
        Create ``<name>-dlq`` and a redrive policy pointing at it.
    max_receive_count
        Receives before a message moves to the DLQ (1-1000; 3-5 is typical).
    visibility_timeout
        Seconds a received message stays hidden (0 s - 12 h; default 30 s).
    delay_seconds
        Delay before a new message becomes visible (0-900 s; must be 0 for FIFO here).
    retention_seconds
        How long SQS keeps a message (60 s - 14 days; default 4 days). The DLQ keeps its
        messages 14 days, because expiry counts from the *original* enqueue time.
    content_based_dedup
        FIFO only: deduplication id = SHA-256 of the body when none is sent.
    encrypted
        SQS managed server-side encryption (``SqsManagedSseEnabled``), on by default.

    Returns
    -------
    OrderQueue
        The existing queue when one with the same attributes exists (idempotent).

    Raises
    ------
    InvalidNameError
        A name SQS rejects (characters, length, ``.fifo`` misuse).
    InvalidRedrivePolicyError
        ``max_receive_count`` outside 1-1000.
    InvalidParameterError
        Visibility, delay or retention out of range; a delay or content-based
        deduplication on the wrong queue type.
    QueueAlreadyExistsError
        A queue of that name exists with other attributes.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue
    >>> env = helpers.connect(quiet=True)
    >>> q = create_queue(env, "orders", fifo=True)
    >>> q.name, q.fifo
    ('securecart-demo-orders.fifo', True)
    >>> create_queue(env, "orders", fifo=True) == q  # idempotent
    True
    >>> _ = env.teardown()
    """
    check_flags(fifo=fifo, dlq=dlq, content_based_dedup=content_based_dedup, encrypted=encrypted)
    full, dlq_full = _names(env, name, fifo, dlq)
    _validate(fifo, dlq, max_receive_count, visibility_timeout, delay_seconds, retention_seconds,
              content_based_dedup)
    sqs = env.client("sqs")

    sse = "true" if encrypted else "false"
    common: dict[str, str] = {"SqsManagedSseEnabled": sse}
    if fifo:
        common["FifoQueue"] = "true"
        common["ContentBasedDeduplication"] = "true" if content_based_dedup else "false"
    dlq_attrs = {**common, "MessageRetentionPeriod": str(limits.SQS_MAX_RETENTION_SECONDS)}
    source_attrs = {
        **common,
        "VisibilityTimeout": str(int(visibility_timeout)),
        "DelaySeconds": str(int(delay_seconds)),
        "MessageRetentionPeriod": str(int(retention_seconds)),
    }

    # Already there? Compare before touching anything.
    source_url = _existing_url(sqs, full)
    dlq_url = _existing_url(sqs, dlq_full) if dlq_full else None
    if source_url is not None:
        return _existing(env, sqs, full, source_url, dlq_url, dlq_full, source_attrs,
                         max_receive_count if dlq else None)

    created_dlq = False
    dlq_arn = None
    if dlq_full is not None:
        if dlq_url is None:
            dlq_url = sqs.create_queue(QueueName=dlq_full, Attributes=dlq_attrs)["QueueUrl"]
            created_dlq = True
        dlq_arn = _attributes(sqs, dlq_url, ["QueueArn"])["QueueArn"]
        source_arn = _arn_like(dlq_arn, full)
        source_attrs["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": int(max_receive_count)})
    try:
        if dlq_url is not None:
            sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": json.dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [source_arn]})})
        source_url = sqs.create_queue(QueueName=full, Attributes=source_attrs)["QueueUrl"]
        arn = _attributes(sqs, source_url, ["QueueArn"])["QueueArn"]
    except BaseException:
        if created_dlq:
            sqs.delete_queue(QueueUrl=dlq_url)
        raise
    return OrderQueue(
        name=full, url=source_url, arn=arn, fifo=fifo, dlq_url=dlq_url, dlq_arn=dlq_arn,
        max_receive_count=int(max_receive_count) if dlq else None,
        visibility_timeout=int(visibility_timeout), content_based_dedup=bool(content_based_dedup),
    )


def _existing(env: Environment, sqs: Any, full: str, url: str, dlq_url: str | None,
              dlq_full: str | None, wanted: dict[str, str], max_receive_count: int | None) -> OrderQueue:
    actual = _attributes(sqs, url)
    wanted = dict(wanted)
    if dlq_full is not None:
        if dlq_url is None:
            wanted["RedrivePolicy"] = f"(a DLQ named {dlq_full})"
        else:
            dlq_arn = _attributes(sqs, dlq_url, ["QueueArn"])["QueueArn"]
            wanted["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": int(max_receive_count)})
    elif actual.get("RedrivePolicy"):
        wanted["RedrivePolicy"] = "(none: dlq=False)"
    diffs = _differences(actual, wanted)
    if diffs:
        raise QueueAlreadyExistsError(
            f"Queue {full!r} already exists with other attributes ({'; '.join(diffs)}). "
            "SQS keeps a queue's name for its lifetime and CreateQueue with different "
            "attributes fails. Fix: delete it first with helpers.sqs.delete_queue(env, "
            f"{url!r}) (on AWS wait 60 s before reusing the name), or pick another name."
        )
    policy = json.loads(actual["RedrivePolicy"]) if actual.get("RedrivePolicy") else None
    return OrderQueue(
        name=full, url=url, arn=actual["QueueArn"], fifo=actual.get("FifoQueue") == "true",
        dlq_url=dlq_url if policy else None,
        dlq_arn=policy["deadLetterTargetArn"] if policy else None,
        max_receive_count=int(policy["maxReceiveCount"]) if policy else None,
        visibility_timeout=int(actual.get("VisibilityTimeout", 30)),
        content_based_dedup=actual.get("ContentBasedDeduplication") == "true",
    )


def queue_depth(env: Environment, queue: OrderQueue | str) -> dict[str, int]:
    """Approximate message counts of a queue and its DLQ (one or two API calls).

    Parameters
    ----------
    env
        The course environment.
    queue
        An :class:`OrderQueue` or a queue URL (then ``dlq`` is 0 unless it has a DLQ).

    Returns
    -------
    dict
        ``visible`` (waiting), ``in_flight`` (received, not yet deleted or visible again),
        ``delayed``, and ``dlq`` (every message in the DLQ). SQS calls these figures
        approximate; on moto they are exact.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, queue_depth
    >>> env = helpers.connect(quiet=True)
    >>> q = create_queue(env, "depth-demo")
    >>> _ = env.client("sqs").send_message(QueueUrl=q.url, MessageBody="{}")
    >>> queue_depth(env, q)["visible"]
    1
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    attrs = _attributes(sqs, _url(queue), [*_DEPTH, "RedrivePolicy"])
    dlq_url = queue.dlq_url if isinstance(queue, OrderQueue) else None
    if dlq_url is None and attrs.get("RedrivePolicy"):
        target = json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"]
        dlq_url = sqs.get_queue_url(QueueName=target.rsplit(":", 1)[-1])["QueueUrl"]
    visible, in_flight, delayed = _counts(attrs)
    dlq = sum(_depth(sqs, dlq_url)) if dlq_url is not None else 0
    return {"visible": visible, "in_flight": in_flight, "delayed": delayed, "dlq": dlq}


def attach_dlq(env: Environment, queue_url: OrderQueue | str, dlq_url: OrderQueue | str,
               max_receive_count: int) -> OrderQueue:
    """Make an existing queue the dead-letter queue of another existing queue.

    Sets the DLQ's ``RedriveAllowPolicy`` to admit the source (added to the sources it
    already admits), then the source's ``RedrivePolicy``. Everything is checked first.

    Parameters
    ----------
    env
        The course environment.
    queue_url
        The source queue (URL or :class:`OrderQueue`).
    dlq_url
        The queue that becomes its DLQ; it must be of the same type (FIFO <-> FIFO).
    max_receive_count
        Receives before a message moves (1-1000).

    Returns
    -------
    OrderQueue
        The source queue with its new DLQ.

    Raises
    ------
    InvalidRedrivePolicyError
        ``max_receive_count`` out of range, or the queue named as its own DLQ.
    QueueTypeMismatchError
        A FIFO queue with a standard DLQ or the other way round.
    QueueNotFoundError
        Either URL names no queue.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, attach_dlq
    >>> env = helpers.connect(quiet=True)
    >>> src = create_queue(env, "payments", dlq=False)
    >>> bin_ = create_queue(env, "payments-bin", dlq=False)
    >>> attach_dlq(env, src.url, bin_.url, max_receive_count=4).max_receive_count
    4
    >>> _ = env.teardown()
    """
    count = _check_max_receive_count(max_receive_count)
    sqs = env.client("sqs")
    source, target = _url(queue_url), _url(dlq_url)
    src = _attributes(sqs, source)
    dst = _attributes(sqs, target)
    if src["QueueArn"] == dst["QueueArn"]:
        raise InvalidRedrivePolicyError(
            f"Queue {src['QueueArn'].rsplit(':', 1)[-1]!r} cannot be its own dead-letter queue: "
            "messages would never leave it. Fix: create a separate queue (e.g. '<name>-dlq')."
        )
    src_fifo, dst_fifo = src.get("FifoQueue") == "true", dst.get("FifoQueue") == "true"
    if src_fifo != dst_fifo:
        kinds = {True: "FIFO", False: "standard"}
        raise QueueTypeMismatchError(
            f"Queue {src['QueueArn'].rsplit(':', 1)[-1]!r} is {kinds[src_fifo]} but the DLQ "
            f"{dst['QueueArn'].rsplit(':', 1)[-1]!r} is {kinds[dst_fifo]}: SQS requires a "
            "dead-letter queue of the same type as its source (FIFO <-> FIFO, standard <-> "
            f"standard). Fix: create a {kinds[src_fifo]} DLQ, e.g. create_queue(env, name, "
            f"fifo={src_fifo}, dlq=False), and attach that one."
        )
    allow = json.loads(dst["RedriveAllowPolicy"]) if dst.get("RedriveAllowPolicy") else None
    sources = list(allow.get("sourceQueueArns", [])) if allow and allow.get(
        "redrivePermission") == "byQueue" else []
    if src["QueueArn"] not in sources:
        sources.append(src["QueueArn"])
    if len(sources) > limits.SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES:
        raise InvalidRedrivePolicyError(
            f"The DLQ {dst['QueueArn']} would admit {len(sources)} source queues, and a byQueue "
            f"RedriveAllowPolicy names at most {limits.SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES}. "
            "Fix: give this source its own DLQ."
        )
    if not allow or allow.get("redrivePermission") != "allowAll":
        sqs.set_queue_attributes(QueueUrl=target, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": sources})})
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dst["QueueArn"], "maxReceiveCount": count})})
    return OrderQueue(
        name=src["QueueArn"].rsplit(":", 1)[-1], url=source, arn=src["QueueArn"], fifo=src_fifo,
        dlq_url=target, dlq_arn=dst["QueueArn"], max_receive_count=count,
        visibility_timeout=int(src.get("VisibilityTimeout", 30)),
        content_based_dedup=src.get("ContentBasedDeduplication") == "true",
    )


def delete_queue(env: Environment, queue: OrderQueue | str) -> list[str]:
    """Delete a queue and, for an :class:`OrderQueue`, its DLQ; missing queues are skipped.

    Returns the names deleted. On AWS a deleted queue's name can be reused after 60 s.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, delete_queue
    >>> env = helpers.connect(quiet=True)
    >>> [n.rsplit("-", 1)[-1] for n in delete_queue(env, create_queue(env, "tmp"))]
    ['tmp', 'dlq']
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    urls = [_url(queue)]
    if isinstance(queue, OrderQueue) and queue.dlq_url:
        urls.append(queue.dlq_url)
    deleted = []
    for url in urls:
        try:
            sqs.delete_queue(QueueUrl=url)
            deleted.append(url.rsplit("/", 1)[-1])
        except ClientError as err:
            if _code(err) not in _MISSING:
                raise
    return deleted
