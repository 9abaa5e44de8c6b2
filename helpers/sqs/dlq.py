"""Dead-letter queue tools: look inside without consuming, redrive, count.

:func:`inspect_dlq` reads every message of a DLQ and puts it back: it receives in pages with
a short visibility timeout (so that a page is not received twice) and then sets each
message's visibility back to 0 with ``ChangeMessageVisibilityBatch``, so the messages are
immediately available again, to a redrive or to another look. Each look counts as one
receive of the message in the DLQ (SQS counts every receive; a DLQ has no redrive policy of
its own, so nothing moves). On the simulated clock it then lets 1 ms pass, because moto makes
a message visible only strictly after its visibility deadline.

A FIFO DLQ cannot be read whole through the SQS API without consuming it: SQS locks a
message group while any of its messages is received, so the messages behind the first ten of
a group stay hidden (as in the SQS console's "poll for messages"). On the local backends
:func:`inspect_dlq` reads those from moto's own store, without receiving them (their receive
counts and visibility stay as they were), so the table holds the whole DLQ and
:func:`~helpers.sqs.invariants.check_delivery` reports no phantom loss. On AWS (and an
external endpoint) it warns and sets ``frame.attrs["complete"] = False``;
``frame.attrs["dlq_depth"]`` holds the true count.

The course's own inspection should not meet emulated delivery faults; the look through the
API and the read of moto's store make the table right even where it does (the store holds
each message once, whatever a faulty receive returned).

:func:`redrive` moves the DLQ's messages back to their source queue (or to ``destination``)
with ``StartMessageMoveTask`` and polls ``ListMessageMoveTasks`` until the task is done, as
the SQS console's "Start DLQ redrive" does. On moto the move task is emulated (moto lacks
it) and completes at once.

Example
-------
>>> import helpers
>>> from helpers.sqs import create_queue, dlq_depth
>>> env = helpers.connect(quiet=True)
>>> q = create_queue(env, "orders")
>>> dlq_depth(env, q)
0
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..platform import limits
from ..platform.errors import InvalidParameterError, QueueTypeMismatchError, RedriveFailedError
from .queues import OrderQueue, _attributes, _depth

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["inspect_dlq", "redrive", "dlq_depth", "DLQ_COLUMNS", "INSPECT_HIDE_SECONDS",
           "REDRIVE_POLL_SECONDS"]

#: Columns of :func:`inspect_dlq`.
DLQ_COLUMNS = ["message_id", "order_id", "group", "seq", "receive_count", "last_error", "body"]
#: Visibility timeout while paging through a DLQ, in seconds (set back to 0 afterwards).
INSPECT_HIDE_SECONDS = 30
#: Seconds between two ``ListMessageMoveTasks`` polls while a redrive runs.
REDRIVE_POLL_SECONDS = 5.0
_FINISHED = {"COMPLETED", "FAILED", "CANCELLED"}


def _dlq_of(env: Environment, queue: OrderQueue) -> tuple[str, str]:
    if not isinstance(queue, OrderQueue):
        raise InvalidParameterError(
            f"Expected the OrderQueue that create_queue returned, got {queue!r}. "
            "Fix: q = create_queue(env, 'orders'); inspect_dlq(env, q).")
    if not queue.dlq_url:
        raise InvalidParameterError(
            f"Queue {queue.name!r} has no dead-letter queue, so there is nothing to inspect or "
            "redrive. Fix: create_queue(env, name, dlq=True) or attach_dlq(env, ...).")
    return queue.dlq_url, queue.dlq_arn


def dlq_depth(env: Environment, queue: OrderQueue) -> int:
    """Messages in the queue's DLQ (visible, in flight and delayed together).

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, dlq_depth
    >>> env = helpers.connect(quiet=True)
    >>> dlq_depth(env, create_queue(env, "orders"))
    0
    >>> _ = env.teardown()
    """
    url, _ = _dlq_of(env, queue)
    return sum(_depth(env.client("sqs"), url))


def _last_errors(env: Environment, source: str) -> tuple[dict[str, str], dict[str, int]]:
    """From env.log: last fail text and receive count on ``source`` per message id."""
    errors: dict[str, str] = {}
    receives: dict[str, int] = {}
    frame = env.log.to_frame()
    if frame.empty:
        return errors, receives
    mine = frame[frame["resource"] == source]
    for row in mine[mine["action"] == "fail"].itertuples(index=False):
        text = row.outcome.removeprefix("error: ")
        errors[row.message_id] = f"{text}: {row.detail}" if isinstance(row.detail, str) and row.detail else text
    for message_id, count in mine[mine["action"] == "receive"]["message_id"].value_counts().items():
        receives[message_id] = int(count)
    return errors, receives


def inspect_dlq(env: Environment, queue: OrderQueue, *, limit: int | None = None) -> pd.DataFrame:
    """The messages in the queue's DLQ as a table, left in the DLQ.

    Parameters
    ----------
    env
        The course environment.
    queue
        The :class:`OrderQueue` whose DLQ to read.
    limit
        Read at most this many messages (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per message: ``message_id``, ``order_id``, ``group``, ``seq``,
        ``receive_count`` (receives on the source queue, from ``env.log``; from SQS's
        ``ApproximateReceiveCount`` when the log has none), ``last_error`` (the last ``fail``
        row of that message in ``env.log``) and ``body`` (the JSON text).
        ``attrs["complete"]`` is False when some messages could not be seen (FIFO group
        lock, or in flight elsewhere): a warning says so.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, inspect_dlq
    >>> env = helpers.connect(quiet=True)
    >>> list(inspect_dlq(env, create_queue(env, "orders")).columns)
    ['message_id', 'order_id', 'group', 'seq', 'receive_count', 'last_error', 'body']
    >>> _ = env.teardown()
    """
    url, _ = _dlq_of(env, queue)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidParameterError(
            f"inspect_dlq(limit={limit!r}): limit is how many DLQ messages to read, a whole "
            "number of at least 1 (None, the default, reads them all). Fix: drop limit, or "
            "pass e.g. limit=10.")
    sqs = env.client("sqs")
    messages: list[dict[str, Any]] = []
    with env.acting("dlq-inspector"), env.delivery.suspended():  # looking adds no duplicates
        while limit is None or len(messages) < limit:
            want = limits.SQS_MAX_BATCH_ENTRIES if limit is None else min(
                limits.SQS_MAX_BATCH_ENTRIES, limit - len(messages))
            page = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=want, WaitTimeSeconds=0,
                                       VisibilityTimeout=INSPECT_HIDE_SECONDS,
                                       MessageSystemAttributeNames=["All"]).get("Messages", [])
            if not page:
                break
            messages += page
        for i in range(0, len(messages), limits.SQS_MAX_BATCH_ENTRIES):
            chunk = messages[i:i + limits.SQS_MAX_BATCH_ENTRIES]
            sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for n, m in enumerate(chunk)])
    if messages and env.clock.simulated:
        env.clock.advance(_VISIBLE_AGAIN)
    depth = dlq_depth(env, queue)
    if len(messages) < depth and (limit is None or len(messages) < limit) and env.local:
        messages += _unseen_in_store(env, url, {m["MessageId"] for m in messages}, limit,
                                     len(messages))
    if len(messages) < depth and limit is None:
        warnings.warn(
            f"inspect_dlq saw {len(messages)} of the {depth} messages in {queue.dlq_name!r}: "
            + ("a FIFO queue locks a message group while any of its messages is received, so "
               "the messages behind the first ones of a group stay hidden until those are "
               "deleted. To list them all, consume the DLQ (run_consumers on queue.dlq_url) or "
               "redrive it." if queue.fifo else
               "some were in flight (received by another consumer). Try again later."),
            UserWarning, stacklevel=2)
    errors, receives = _last_errors(env, queue.name)
    rows = []
    for m in messages:
        try:
            order = json.loads(m["Body"])
        except ValueError:
            order = None
        order = order if isinstance(order, dict) else {}
        attrs = m.get("Attributes", {})
        count = receives.get(m["MessageId"])
        if count is None:  # this look counted one receive
            count = max(0, int(attrs.get("ApproximateReceiveCount", 1)) - 1)
        seq = order.get("seq")
        rows.append({
            "message_id": m["MessageId"],
            "order_id": order.get("order_id"),
            "group": attrs.get("MessageGroupId"),
            "seq": seq if isinstance(seq, int) else None,
            "receive_count": count,
            "last_error": errors.get(m["MessageId"]),
            "body": m["Body"],
        })
    frame = pd.DataFrame(rows, columns=DLQ_COLUMNS)
    frame["seq"] = frame["seq"].astype("Int64")
    frame["receive_count"] = frame["receive_count"].astype("Int64")
    frame.attrs["dlq_depth"] = depth
    frame.attrs["complete"] = len(messages) >= depth
    return frame


#: Simulated seconds :func:`inspect_dlq` lets pass so moto shows the messages again.
_VISIBLE_AGAIN = 0.001


def _unseen_in_store(env: Environment, url: str, seen: set[str], limit: int | None,
                     have: int) -> list[dict[str, Any]]:
    """Local backends: the DLQ messages the API could not show, read from moto's store.

    Nothing is received: receive counts, visibility and order stay as they were. The rows
    look like ``ReceiveMessage`` results (``Attributes`` with ``ApproximateReceiveCount`` + 1,
    as if this look had received them, so the table's columns mean the same for every row).
    """
    from moto.sqs.models import sqs_backends

    account, name = url.rstrip("/").split("/")[-2:]
    try:
        store = sqs_backends[account][env.region].queues[name]
    except KeyError:
        return []
    out: list[dict[str, Any]] = []
    for message in list(store._messages):
        if message.id in seen:
            continue
        if limit is not None and have + len(out) >= limit:
            break
        attrs = {"ApproximateReceiveCount": str(message.approximate_receive_count + 1)}
        if message.group_id is not None:
            attrs["MessageGroupId"] = message.group_id
        out.append({"MessageId": message.id, "Body": message.body, "Attributes": attrs})
    return out


def redrive(env: Environment, queue: OrderQueue, *, destination: OrderQueue | str | None = None,
            max_wait_seconds: float = 900) -> int:
    """Move every message of the queue's DLQ back to its source (or to ``destination``).

    Parameters
    ----------
    env
        The course environment.
    queue
        The :class:`OrderQueue` whose DLQ to empty.
    destination
        Another queue (``OrderQueue``, URL or ARN) to move the messages to instead.
    max_wait_seconds
        Give up waiting for the move task after this many clock seconds.

    Returns
    -------
    int
        Messages moved (``ApproximateNumberOfMessagesMoved`` of the task).

    Raises
    ------
    RedriveFailedError
        The task failed, was cancelled, or did not finish within ``max_wait_seconds``.

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, redrive
    >>> env = helpers.connect(quiet=True)
    >>> redrive(env, create_queue(env, "orders"))
    0
    >>> _ = env.teardown()
    """
    _, dlq_arn = _dlq_of(env, queue)
    sqs = env.client("sqs")
    params: dict[str, Any] = {"SourceArn": dlq_arn}
    if destination is not None:
        if isinstance(destination, OrderQueue):
            params["DestinationArn"] = destination.arn
            fifo = destination.fifo
        elif isinstance(destination, str) and destination.startswith("arn:"):
            params["DestinationArn"] = destination
            fifo = destination.endswith(".fifo")
        elif isinstance(destination, str):
            attrs = _attributes(sqs, destination, ["QueueArn", "FifoQueue"])
            params["DestinationArn"] = attrs["QueueArn"]
            fifo = attrs.get("FifoQueue") == "true"
        else:
            raise InvalidParameterError(
                f"redrive(destination={destination!r}): the destination is an OrderQueue, a "
                "queue URL or a queue ARN. Fix: redrive(env, q) for the source queue, or "
                "redrive(env, q, destination=other_queue).")
        if fifo != queue.fifo:
            kinds = {True: "FIFO", False: "standard"}
            name = params["DestinationArn"].rsplit(":", 1)[-1]
            raise QueueTypeMismatchError(
                f"Cannot redrive the {kinds[queue.fifo]} DLQ {queue.dlq_name!r} into the "
                f"{kinds[fifo]} queue {name!r}: SQS redrives only into a queue of the same "
                "type (a FIFO DLQ into a FIFO queue, a standard DLQ into a standard queue; "
                "messages of a standard queue have no MessageGroupId). Nothing was moved. "
                f"Fix: redrive into a {kinds[queue.fifo]} queue, e.g. redrive(env, q).")
    with env.acting("redrive"):
        sqs.start_message_move_task(**params)
        started = env.clock.elapsed()
        while True:
            tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"]
            task = tasks[0] if tasks else {"Status": "RUNNING"}
            if task["Status"] in _FINISHED:
                break
            if env.clock.elapsed() - started > max_wait_seconds:
                raise RedriveFailedError(
                    f"The redrive of {queue.dlq_name!r} did not finish within {max_wait_seconds:g} s "
                    f"(moved {task.get('ApproximateNumberOfMessagesMoved', 0)} so far); it goes on "
                    "in the background. Fix: check it with list_message_move_tasks, or wait longer.")
            env.sleep(REDRIVE_POLL_SECONDS)
    if task["Status"] != "COMPLETED":
        raise RedriveFailedError(
            f"The redrive of {queue.dlq_name!r} ended {task['Status']}: "
            f"{task.get('FailureReason', 'no reason given')} (moved "
            f"{task.get('ApproximateNumberOfMessagesMoved', 0)}). Fix: check that the "
            "destination exists and accepts this queue type, then call redrive again.")
    return int(task.get("ApproximateNumberOfMessagesMoved", 0))
