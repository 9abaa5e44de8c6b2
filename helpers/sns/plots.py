"""Plots of SNS deliveries from ``env.log``: who got what, when, how fast, and the retries.

Every SNS row the stand-in writes names the subscriber (``resource``: the queue, function,
address or webhook), the message id and the outcome; the publish rows name the topic. From
those:

:func:`delivery_matrix`          messages x subscribers: delivered, filtered out, failed, DLQ
:func:`plot_delivery_matrix`     that table as a coloured grid
:func:`plot_deliveries_over_time` cumulative deliveries per subscriber on the clock
:func:`plot_fanout_latency`      seconds from publish to each delivery, per subscriber
:func:`plot_retry_timeline`      every attempt to a failing endpoint, then the DLQ move

Example
-------
>>> f = pd.DataFrame({"time": [0.0, 0.0, 0.0], "service": ["sns"] * 3,
...                   "action": ["publish", "deliver", "filter-drop"],
...                   "resource": ["t", "alerts", "fraud"], "message_id": ["m1"] * 3,
...                   "attempt": [None, 1, None], "outcome": ["ok", "ok", "ok"],
...                   "detail": [None, "from t via sqs", None]})
>>> delivery_matrix(f).to_dict("index")
{'m1': {'alerts': 'delivered', 'fraud': 'filtered out'}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from ..platform.plotting import new_figure

__all__ = ["delivery_matrix", "plot_delivery_matrix", "plot_deliveries_over_time",
           "plot_fanout_latency", "plot_retry_timeline", "sns_rows", "STATES"]

#: Cell states of the delivery matrix, in colour order.
STATES = ("delivered", "filtered out", "failed, retrying", "in the DLQ", "dropped")
_COLOURS = ("#2ca02c", "#d9d9d9", "#ff7f0e", "#1f77b4", "#d62728")


def _frame(env_or_frame: Any) -> pd.DataFrame:
    return env_or_frame.log.to_frame() if hasattr(env_or_frame, "log") else env_or_frame


def sns_rows(env_or_frame: Any, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The SNS rows, ``resource`` renamed through ``labels`` (full name -> short label)."""
    frame = _frame(env_or_frame)
    rows = frame[frame["service"] == "sns"].copy()
    if labels:
        rows["resource"] = rows["resource"].map(lambda r: labels.get(r, r))
    return rows


def _state(actions: list[str], outcomes: list[str]) -> str:
    if "move-to-dlq" in actions:
        return "in the DLQ"
    if "drop" in actions:
        return "dropped"
    for action, outcome in zip(actions, outcomes, strict=True):
        if action == "deliver" and str(outcome).startswith("ok"):
            return "delivered"
    if "filter-drop" in actions:
        return "filtered out"
    return "failed, retrying"


def delivery_matrix(env_or_frame: Any, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Messages (rows, publish order) x subscribers (columns): each cell one of :data:`STATES`.

    ``move-to-dlq`` rows name the DLQ, not the subscriber: the subscriber's failed
    ``deliver`` row carries the message id, so the DLQ move is attributed through it.
    """
    rows = sns_rows(env_or_frame, labels)
    rows = rows[rows["message_id"].notna()]
    per: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    dlq_of: dict[str, str] = {}
    for r in rows.itertuples():
        if r.action in ("deliver", "filter-drop", "drop"):
            acts, outs = per.setdefault((r.message_id, r.resource), ([], []))
            acts.append(r.action)
            outs.append(str(r.outcome))
            if r.action == "deliver" and str(r.outcome).startswith("failed"):
                dlq_of[r.message_id] = r.resource
        elif r.action == "move-to-dlq":
            sub = str(r.detail).split(":", 1)[0] if r.detail else None
            target = next((res for (mid, res) in per if mid == r.message_id and sub and
                           sub.endswith(res)), dlq_of.get(r.message_id))
            if target:
                per[(r.message_id, target)][0].append("move-to-dlq")
                per[(r.message_id, target)][1].append("ok")
    order = list(dict.fromkeys(rows["message_id"]))
    subs = list(dict.fromkeys(res for (_, res) in per))
    table = pd.DataFrame(index=pd.Index(order, name=None), columns=subs, dtype=object)
    for (mid, res), (acts, outs) in per.items():
        table.loc[mid, res] = _state(acts, outs)
    return table.fillna("—")


def plot_delivery_matrix(matrix: pd.DataFrame, ax: Any = None, *, title: str = "Who got what"):
    """The delivery matrix as a grid: one row per message, one column per subscriber."""
    fig, ax = new_figure(ax, (7, max(2.5, min(6.0, 0.12 * len(matrix) + 1.5))))
    codes = matrix.map(lambda s: STATES.index(s) if s in STATES else np.nan).to_numpy(dtype=float)
    ax.imshow(codes, aspect="auto", interpolation="nearest",
              cmap=ListedColormap(_COLOURS), vmin=-0.5, vmax=len(STATES) - 0.5)
    ax.set_xticks(range(len(matrix.columns)), list(matrix.columns), rotation=20, ha="right")
    ax.set_ylabel(f"message (1-{len(matrix)}, publish order)")
    ax.set_yticks([])
    present = [s for s in STATES if (matrix == s).to_numpy().any()]
    for state in present:
        ax.bar(0, 0, color=_COLOURS[STATES.index(state)], label=state)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.set_title(title)
    return fig


def plot_deliveries_over_time(env_or_frame: Any, ax: Any = None, *,
                              labels: Mapping[str, str] | None = None):
    """Cumulative deliveries per subscriber against clock time, redriven ones included.

    A message a reprocessor took from the subscription DLQ and delivered (a ``redrive`` row)
    counts as delivered, drawn with an ``x``: SNS itself gave up on it.
    """
    rows = sns_rows(env_or_frame, labels)
    ok = rows[((rows["action"] == "deliver") & rows["outcome"].astype(str).str.startswith("ok"))
              | (rows["action"] == "redrive")]
    fig, ax = new_figure(ax, (8, 3.5))
    start = float(rows["time"].min()) if len(rows) else 0.0
    end = float(ok["time"].max()) - start if len(ok) else 0.0
    for res, group in ok.groupby("resource", sort=False):
        times = (group["time"] - start).to_numpy()
        counts = np.arange(1, len(times) + 1)
        line, = ax.step([0.0, *times, end], [0, *counts, counts[-1]], where="post", label=str(res))
        redriven = (group["action"] == "redrive").to_numpy()
        if redriven.any():
            ax.scatter(times[redriven], counts[redriven], marker="x", color=line.get_color(),
                       zorder=3, label=f"{res}: redriven from its DLQ by your reprocessor")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title="Deliveries per subscriber (redriven ones included)", xlabel="clock time (s)",
           ylabel="messages delivered")
    ax.grid(True, alpha=0.3)
    if len(ok):
        ax.legend(loc="lower right", fontsize="small")
    return fig


def _latencies(rows: pd.DataFrame) -> pd.DataFrame:
    published = rows[rows["action"] == "publish"].drop_duplicates("message_id").set_index(
        "message_id")["time"]
    ok = rows[(rows["action"] == "deliver") & rows["outcome"].astype(str).str.startswith("ok")]
    ok = ok[ok["message_id"].isin(published.index)]
    return pd.DataFrame({"subscriber": ok["resource"].to_numpy(),
                         "latency": (ok["time"].to_numpy() - published[ok["message_id"]].to_numpy())})


def plot_fanout_latency(env_or_frame: Any, ax: Any = None, *,
                        labels: Mapping[str, str] | None = None):
    """Seconds from publish to delivery, per subscriber (simulated clock: 0 unless retried)."""
    table = _latencies(sns_rows(env_or_frame, labels))
    fig, ax = new_figure(ax, (8, 3.2))
    subs = list(dict.fromkeys(table["subscriber"]))
    for i, sub in enumerate(subs):
        values = table.loc[table["subscriber"] == sub, "latency"].to_numpy()
        ax.scatter(values, np.full(len(values), i), alpha=0.6, s=18)
        ax.annotate(f"max {values.max():,.0f} s", (values.max(), i), xytext=(6, 6),
                    textcoords="offset points", fontsize="small")
    ax.set_yticks(range(len(subs)), subs)
    ax.set(title="Fan-out latency: publish to delivery", xlabel="seconds after publish")
    ax.grid(True, axis="x", alpha=0.3)
    return fig


def plot_retry_timeline(env_or_frame: Any, subscriber: str, ax: Any = None, *,
                        labels: Mapping[str, str] | None = None):
    """Each delivery attempt to ``subscriber`` (failed x / delivered o) and the DLQ moves."""
    rows = sns_rows(env_or_frame, labels)
    mine = rows[(rows["resource"] == subscriber) & (rows["action"] == "deliver") &
                rows["attempt"].notna()]
    fig, ax = new_figure(ax, (8, 3.2))
    start = float(rows["time"].min()) if len(rows) else 0.0
    failed = mine[mine["outcome"].astype(str).str.startswith("failed")]
    good = mine[mine["outcome"].astype(str).str.startswith("ok")]
    ax.scatter(failed["time"] - start, failed["attempt"], marker="x", color="#d62728",
               label="attempt failed")
    ax.scatter(good["time"] - start, good["attempt"], marker="o", color="#2ca02c", label="delivered")
    moved = rows[(rows["action"] == "move-to-dlq") & rows["message_id"].isin(failed["message_id"])]
    for t in moved["time"] - start:
        ax.axvline(t, color="#1f77b4", linestyle="--", alpha=0.6)
    if len(moved):
        ax.plot([], [], color="#1f77b4", linestyle="--", label=f"to the DLQ ({len(moved)})")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=f"Delivery attempts to {subscriber}", xlabel="clock time (s)", ylabel="attempt")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return fig
