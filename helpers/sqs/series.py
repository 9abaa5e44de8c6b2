"""The numbers behind Lab 1's plots, derived from ``env.log`` frames (no drawing here).

:mod:`helpers.sqs.plots` draws them; a notebook or test can read them directly.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"time": [0.0, 1.0], "service": "sqs", "action": ["send", "delete"],
...                       "resource": "securecart-demo-orders", "outcome": "ok"})
>>> short_name("securecart-demo-orders")
'orders'
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["short_name", "relative_time", "queue_depth_series", "dlq_depth_series",
           "throughput_series", "delivery_order", "visibility_timeline"]

_PREFIX = re.compile(r"^securecart-[a-z0-9]+-")
_DLQ_TARGET = re.compile(r"^to (\S+)")
_DLQ_SOURCE = re.compile(r"moved from (\S+)")


def short_name(resource: Any) -> str:
    """A queue name without the run prefix: ``'securecart-demo-orders'`` -> ``'orders'``.

    Example
    -------
    >>> short_name("securecart-lab1-payments.fifo")
    'payments.fifo'
    """
    return _PREFIX.sub("", str(resource)) if isinstance(resource, str) else "(none)"


def _frame(env_or_frame: Any) -> pd.DataFrame:
    if isinstance(env_or_frame, pd.DataFrame):
        return env_or_frame
    log = getattr(env_or_frame, "log", env_or_frame)
    return log.to_frame()


def relative_time(frame: pd.DataFrame) -> pd.Series:
    """Clock seconds since the first row of ``frame``.

    Example
    -------
    >>> relative_time(pd.DataFrame({"time": [5.0, 7.5]})).tolist()
    [0.0, 2.5]
    """
    if frame.empty:
        return frame["time"].astype(float)
    return frame["time"].astype(float) - float(frame["time"].min())


def _ok(frame: pd.DataFrame, action: str) -> pd.DataFrame:
    return frame[(frame["action"] == action) & ~frame["outcome"].astype(str).str.startswith("error")]


def queue_depth_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Messages in each queue (sent and not yet deleted) after every row, by queue.

    A send, an emulated duplicate copy and a redrive add one message; a delete and a move to
    the dead-letter queue take one away. Dead-letter queues are left to
    :func:`dlq_depth_series`.

    Returns
    -------
    DataFrame
        Columns ``time`` (seconds since the frame's first row), ``queue`` and ``depth``.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 1.0], "action": ["send", "delete"],
    ...                   "resource": ["q", "q"], "outcome": ["ok", "ok"], "detail": [None, None]})
    >>> queue_depth_series(f)["depth"].tolist()
    [1, 0]
    """
    frame = frame.assign(t=relative_time(frame))
    change = pd.Series(0, index=frame.index)
    for action, step in (("send", 1), ("duplicate", 1), ("redrive", 1), ("delete", -1),
                         ("move-to-dlq", -1)):
        change[_ok(frame, action).index] = step
    queues = set(_ok(frame, "send")["resource"].dropna())
    rows = frame[(change != 0) & frame["resource"].isin(queues)]
    out = pd.DataFrame({"time": rows["t"], "queue": rows["resource"].map(short_name),
                        "depth": change[rows.index]})
    out["depth"] = out.groupby("queue")["depth"].cumsum()
    return out.reset_index(drop=True)


def dlq_depth_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Messages in the dead-letter queues after every DLQ move, redrive or DLQ delete.

    Returns
    -------
    DataFrame
        Columns ``time`` (seconds since the frame's first row), ``queue`` (the DLQ) and
        ``depth``.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 2.0], "action": ["move-to-dlq", "redrive"],
    ...                   "resource": ["q", "q"], "outcome": ["ok", "ok"],
    ...                   "detail": ["to q-dlq (maxReceiveCount=3)", "moved from q-dlq"]})
    >>> dlq_depth_series(f)["depth"].tolist()
    [1, 0]
    """
    frame = frame.assign(t=relative_time(frame))
    moves = _ok(frame, "move-to-dlq")
    dlqs = moves["detail"].astype(str).str.extract(_DLQ_TARGET)[0]
    events = [pd.DataFrame({"time": moves["t"], "queue": dlqs, "step": 1})]
    redrives = _ok(frame, "redrive")
    events.append(pd.DataFrame({"time": redrives["t"],
                                "queue": redrives["detail"].astype(str).str.extract(_DLQ_SOURCE)[0],
                                "step": -1}))
    deletes = _ok(frame, "delete")
    known = set(dlqs.dropna())
    deletes = deletes[deletes["resource"].isin(known)]
    events.append(pd.DataFrame({"time": deletes["t"], "queue": deletes["resource"], "step": -1}))
    out = pd.concat([e for e in events if not e.empty] or [events[0]]).sort_index(kind="stable")
    out = out.dropna(subset=["queue"])
    out["queue"] = out["queue"].map(short_name)
    out["depth"] = out.groupby("queue")["step"].cumsum()
    return out[["time", "queue", "depth"]].reset_index(drop=True)


def throughput_series(frame: pd.DataFrame, *, bin_seconds: float | None = None,
                      action: str = "process") -> pd.DataFrame:
    """Messages per second each consumer processed, in bins of clock time.

    Parameters
    ----------
    frame
        A log frame; rows with ``action`` (default ``"process"``) and an actor named
        ``consumer-N`` count.
    bin_seconds
        Width of a bin; by default about a twentieth of the frame's span, rounded.

    Returns
    -------
    DataFrame
        Index: bin start (seconds since the frame's first row); one column per consumer.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 0.5, 1.0, 1.5], "action": ["process"] * 4,
    ...                   "actor": ["consumer-1"] * 4, "outcome": ["ok"] * 4})
    >>> throughput_series(f, bin_seconds=1.0)["consumer-1"].tolist()
    [3.0, 1.0]
    """
    t = relative_time(frame)
    done = frame[(frame["action"] == action)
                 & frame["actor"].astype(str).str.startswith("consumer")
                 & ~frame["outcome"].astype(str).str.startswith("error")]
    span = float(t.max()) if len(t) else 0.0
    width = bin_seconds or _nice_bin(span)
    bins = max(1, int(np.ceil(span / width - 1e-9)))
    table = {}
    consumers = sorted(done["actor"].unique(), key=_consumer_number)
    for actor in consumers:
        # bins are (start, end]: a message finished at 10.0 s counts in the first 10 s
        times = t[done.index[done["actor"] == actor]].to_numpy()
        index = np.clip(np.ceil(times / width - 1e-9).astype(int) - 1, 0, bins - 1)
        table[actor] = np.bincount(index, minlength=bins) / width
    return pd.DataFrame(table, index=pd.Index(np.arange(bins) * width, name="time"))


def _consumer_number(actor: str) -> tuple[int, str]:
    tail = actor.rsplit("-", 1)[-1]
    return (int(tail), actor) if tail.isdigit() else (10**6, actor)


def _nice_bin(span: float) -> float:
    if span <= 0:
        return 1.0
    raw = span / 20
    magnitude = 10 ** np.floor(np.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def delivery_order(frame: pd.DataFrame, *, action: str = "receive",
                   queue: str | None = None) -> pd.DataFrame:
    """Every delivery with its send and receive position in its message group.

    A delivery is a ``receive`` row (or ``action``). Within a message group (the ``group``
    column; ``"(no group)"`` when empty) the send position is the order's ``seq`` and the
    receive position counts deliveries of that group, duplicates included.

    - duplicate: the same message (group and ``seq``, or message id) was delivered before;
    - out of order: a first delivery whose ``seq`` is lower than one already delivered in
      its group (a later message overtook it).

    ``queue`` keeps only the deliveries of that queue (its name without the run prefix),
    e.g. to leave out a look into the DLQ.

    Returns
    -------
    DataFrame
        Columns ``queue``, ``group``, ``seq``, ``message_id``, ``time``, ``send_position``,
        ``receive_position``, ``duplicate``, ``out_of_order``.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0] * 3, "action": ["receive"] * 3, "resource": ["q"] * 3,
    ...                   "group": ["c1"] * 3, "seq": [2, 1, 1], "message_id": ["b", "a", "a"],
    ...                   "outcome": ["ok"] * 3})
    >>> delivery_order(f)[["out_of_order", "duplicate"]].values.tolist()
    [[False, False], [True, False], [False, True]]
    """
    rows = _ok(frame, action)
    if queue is not None:
        rows = rows[rows["resource"].map(short_name) == queue]
    out = pd.DataFrame({
        "queue": rows["resource"].map(short_name),
        "group": rows["group"].where(rows["group"].notna(), "(no group)").astype(str),
        "seq": rows["seq"],
        "message_id": rows["message_id"],
        "time": relative_time(frame)[rows.index],
    }).reset_index(drop=True)
    duplicate, late, send_pos = [], [], []
    seen: set[tuple] = set()
    highest: dict[tuple[str, str], int] = {}
    sends: dict[tuple[str, str], int] = {}
    for queue, group, seq, message_id in out[["queue", "group", "seq", "message_id"]].itertuples(index=False):
        known = not pd.isna(seq)
        key = (queue, group, int(seq)) if known else (queue, message_id)
        again = key in seen
        seen.add(key)
        duplicate.append(again)
        if known:
            position = int(seq)
        else:
            position = sends.setdefault((queue, group), 0) + (0 if again else 1)
            sends[(queue, group)] = position
        send_pos.append(position)
        top = highest.get((queue, group), 0)
        late.append(bool(known and not again and position < top))
        highest[(queue, group)] = max(top, position)
    out["send_position"] = send_pos
    out["receive_position"] = out.groupby(["queue", "group"]).cumcount() + 1
    out["duplicate"] = duplicate
    out["out_of_order"] = late
    return out


def visibility_timeline(frame: pd.DataFrame, *, timeout: float,
                        names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per message: each receive, each visibility expiry while in flight, each delete.

    Reads a run's ``receive``, ``process`` and ``delete`` rows (one queue, no heartbeat). A
    receive at ``t`` whose consumer has not deleted the message by ``t + timeout`` makes an
    ``expiry`` event: the message is visible again while still being processed. A delete is
    ``stale delete`` when another consumer received the message after this consumer did and
    before this delete: this consumer's receipt handle is no longer the newest one.

    Parameters
    ----------
    frame
        The run's slice of ``env.log``.
    timeout
        The visibility timeout of the receives, in seconds.
    names
        ``message_id -> label`` (e.g. the order id); default: ``m1``, ``m2``... in first-receive order.

    Returns
    -------
    DataFrame
        Columns ``message``, ``event`` (``receive``, ``receive again``, ``expiry``,
        ``delete``, ``stale delete``), ``time`` (since the frame's first row), ``actor``;
        sorted by message (first receive) and time.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 30.0, 45.0, 75.0], "resource": "q", "outcome": "ok",
    ...                   "action": ["receive", "receive", "delete", "delete"],
    ...                   "message_id": "a", "actor": ["c1", "c2", "c1", "c2"]})
    >>> visibility_timeline(f, timeout=30)[["event", "time"]].values.tolist()
    [['receive', 0.0], ['expiry', 30.0], ['receive again', 30.0], ['stale delete', 45.0], ['expiry', 60.0], ['delete', 75.0]]
    """
    rows = frame[frame["action"].isin(["receive", "delete"]) & (frame["outcome"] == "ok")]
    clock = relative_time(frame)
    events: list[dict[str, Any]] = []
    order: list[str] = []
    for message_id, group in rows.groupby("message_id", sort=False):
        group = group.assign(t=clock[group.index]).sort_values("t", kind="stable")
        receives = group[group["action"] == "receive"]
        deletes = group[group["action"] == "delete"]
        if receives.empty:
            continue
        label = (names or {}).get(str(message_id), f"m{len(order) + 1}")
        order.append(label)
        for i, (t, actor) in enumerate(zip(receives["t"], receives["actor"], strict=True)):
            events.append({"message": label, "event": "receive again" if i else "receive",
                           "time": float(t), "actor": actor})
            done = deletes[(deletes["actor"] == actor) & (deletes["t"] >= t)]["t"]
            if done.empty or float(done.iloc[0]) > t + timeout:
                events.append({"message": label, "event": "expiry", "time": float(t + timeout),
                               "actor": actor})
        for t, actor in zip(deletes["t"], deletes["actor"], strict=True):
            mine = receives[(receives["actor"] == actor) & (receives["t"] <= t)]["t"]
            since = float(mine.iloc[-1]) if len(mine) else -np.inf
            newer = receives[(receives["actor"] != actor) & (receives["t"] > since) & (receives["t"] <= t)]
            events.append({"message": label, "event": "stale delete" if len(newer) else "delete",
                           "time": float(t), "actor": actor})
    out = pd.DataFrame(events, columns=["message", "event", "time", "actor"])
    rank = {"expiry": 0, "receive": 1, "receive again": 1, "stale delete": 2, "delete": 2}
    out["_m"] = out["message"].map({m: i for i, m in enumerate(order)})
    out["_r"] = out["event"].map(rank)
    return out.sort_values(["_m", "time", "_r"], kind="stable").drop(columns=["_m", "_r"]).reset_index(drop=True)
