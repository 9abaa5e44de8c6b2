"""Plots of Lab 1 (SQS order processing), all drawn from ``env.log`` frames.

Every function takes a frame of :meth:`helpers.EventLog.to_frame` (or a small table an
experiment built from one), an optional matplotlib ``ax``, sets the figure's size when it
makes the figure, and returns the :class:`~matplotlib.figure.Figure`. Figures come from
:func:`helpers.platform.plotting.new_figure` (never ``pyplot``), so a notebook cell shows a plot exactly
once: as the cell's value, rendered as PNG. Times are seconds on the environment's clock since the
first row of the frame (simulated on moto, so the plots are the same on every run).

Functions
---------
plot_queue_depth
    Messages in each queue (sent, not yet deleted) over clock time.
plot_throughput
    Messages processed per second by each consumer over clock time.
plot_dlq_depth
    Messages in the dead-letter queue over clock time.
plot_ordering
    Receive position against send position per message group, queues side by side, with
    out-of-order and duplicate deliveries marked (:func:`delivery_order` gives the numbers).
plot_duplicates_vs_visibility
    Duplicate processing per visibility-timeout setting.
plot_throughput_grid
    Throughput against consumers, one line per batch size.

Example
-------
>>> import helpers
>>> from helpers.sqs.plots import plot_queue_depth
>>> env = helpers.connect(quiet=True)
>>> sqs = env.client("sqs")
>>> url = sqs.create_queue(QueueName="plots-demo")["QueueUrl"]
>>> _ = sqs.send_message(QueueUrl=url, MessageBody='{"order_id": "o-1", "seq": 1}')
>>> fig = plot_queue_depth(env)
>>> fig.axes[0].get_title()
'Messages waiting in the queue'
>>> _ = env.teardown()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..platform.plotting import CourseFigure, new_figure
from .series import (
    _frame,
    _ok,
    delivery_order,
    dlq_depth_series,
    queue_depth_series,
    relative_time,
    short_name,
    throughput_series,
)

__all__ = [
    "CourseFigure",  # from helpers.platform.plotting, kept here for older imports
    "new_figure",  # from helpers.platform.plotting, kept here for older imports
    "short_name",
    "relative_time",
    "queue_depth_series",
    "dlq_depth_series",
    "throughput_series",
    "delivery_order",
    "plot_queue_depth",
    "plot_throughput",
    "plot_dlq_depth",
    "plot_ordering",
    "plot_duplicates_vs_visibility",
    "plot_throughput_grid",
    "OUT_OF_ORDER",
    "DUPLICATE",
]

#: ``gid`` of the scatter that marks out-of-order deliveries in :func:`plot_ordering`.
OUT_OF_ORDER = "out-of-order"
#: ``gid`` of the scatter that marks duplicate deliveries in :func:`plot_ordering`.
DUPLICATE = "duplicate"

_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
_RED = "#d62728"
_ORANGE = "#ff7f0e"


# -- plots ------------------------------------------------------------------------------
def _counts(ax: Axes, *axes: str) -> None:
    """Integer ticks on the axes that count messages."""
    for name in axes or ("y",):
        getattr(ax, f"{name}axis").set_major_locator(MaxNLocator(integer=True))


def _finish(ax: Axes, title: str, xlabel: str, ylabel: str, legend: bool = True) -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small")


def plot_queue_depth(env_or_frame: Any, ax: Axes | None = None, *, show_sent: bool = True) -> Figure:
    """Messages waiting in each queue over clock time (sent, not yet deleted).

    Parameters
    ----------
    env_or_frame
        An environment (its whole log) or a frame of ``env.log.to_frame(since)``.
    ax
        Draw into this axes instead of a new 8 x 3.5 inch figure.
    show_sent
        Also draw the running count of orders sent (what the checkout accepted).

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 1.0], "action": ["send", "delete"],
    ...                   "resource": ["q", "q"], "outcome": ["ok", "ok"], "detail": [None, None]})
    >>> plot_queue_depth(f).axes[0].get_ylabel()
    'messages'
    """
    frame = _frame(env_or_frame)
    fig, ax = new_figure(ax, (8, 3.5))
    series = queue_depth_series(frame)
    end = float(relative_time(frame).max()) if len(frame) else 0.0
    for i, (queue, rows) in enumerate(series.groupby("queue", sort=False)):
        colour = _COLOURS[i % len(_COLOURS)]
        ax.step(rows["time"], rows["depth"], where="post", color=colour, label=f"waiting in {queue}")
        if show_sent:
            sent = _ok(frame, "send")
            sent = sent[sent["resource"].map(short_name) == queue]
            times = [*relative_time(frame)[sent.index], end]
            ax.step(times, [*range(1, len(sent) + 1), len(sent)], where="post", color=colour,
                    linestyle="--", alpha=0.7, label=f"sent to {queue} (accepted)")
    _finish(ax, "Messages waiting in the queue", "clock time since start (s)", "messages")
    ax.set_ylim(bottom=0)
    _counts(ax)
    return fig


def plot_throughput(frame: pd.DataFrame, ax: Axes | None = None, *,
                    bin_seconds: float | None = None) -> Figure:
    """Messages processed per second by each consumer over clock time, and their total.

    Parameters
    ----------
    frame
        A log frame with ``process`` rows by actors ``consumer-1``, ``consumer-2``, ...
    ax
        Draw into this axes instead of a new 8 x 3.5 inch figure.
    bin_seconds
        Width of the time bins (default: about a twentieth of the run).

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 0.5, 1.5], "action": ["process"] * 3,
    ...                   "actor": ["consumer-1"] * 3, "outcome": ["ok"] * 3})
    >>> len(plot_throughput(f, bin_seconds=1.0).axes[0].patches)
    1
    """
    fig, ax = new_figure(ax, (8, 3.5))
    table = throughput_series(frame, bin_seconds=bin_seconds)
    width = float(table.index[1] - table.index[0]) if len(table.index) > 1 else (bin_seconds or 1.0)
    edges = [*table.index, float(table.index[-1]) + width] if len(table.index) else [0.0, width]
    for i, actor in enumerate(table.columns):
        ax.stairs(table[actor].to_numpy(), edges, color=_COLOURS[i % len(_COLOURS)], label=actor)
    if len(table.columns) > 1:
        ax.stairs(table.sum(axis=1).to_numpy(), edges, color="black", linewidth=2,
                  label="all consumers")
    _finish(ax, "Throughput per consumer", "clock time since start (s)", "messages processed per second")
    ax.set_ylim(bottom=0)
    return fig


def plot_dlq_depth(frame: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Messages in the dead-letter queue over clock time (moves in, redrives and deletes out).

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0, 2.0], "action": ["move-to-dlq", "redrive"],
    ...                   "resource": ["q", "q"], "outcome": ["ok", "ok"],
    ...                   "detail": ["to q-dlq (maxReceiveCount=3)", "moved from q-dlq"]})
    >>> plot_dlq_depth(f).axes[0].get_title()
    'Messages in the dead-letter queue'
    """
    fig, ax = new_figure(ax, (8, 3.5))
    series = dlq_depth_series(frame)
    end = float(relative_time(frame).max()) if len(frame) else 0.0
    for i, (queue, rows) in enumerate(series.groupby("queue", sort=False)):
        times = [0.0, *rows["time"], end]
        depths = [0, *rows["depth"], int(rows["depth"].iloc[-1])]
        ax.step(times, depths, where="post", color=_COLOURS[(i + 3) % len(_COLOURS)], label=queue)
    if series.empty:
        ax.text(0.5, 0.5, "no message reached a dead-letter queue", ha="center", va="center",
                transform=ax.transAxes)
    _finish(ax, "Messages in the dead-letter queue", "clock time since start (s)", "messages")
    ax.set_ylim(bottom=0)
    _counts(ax)
    return fig


def plot_ordering(frames: Mapping[str, pd.DataFrame], axes: Sequence[Axes] | None = None, *,
                  action: str = "receive", queues: Mapping[str, str] | None = None) -> Figure:
    """Receive position against send position per message group, one panel per queue.

    In each panel every message group (customer) is a faint line; deliveries in send order
    sit on the diagonal. Out-of-order deliveries are marked with a red cross and duplicate
    deliveries with an orange circle; the title counts both.

    Parameters
    ----------
    frames
        ``{label: frame}``, e.g. ``{"standard": f1, "FIFO": f2}``; one panel each, in order.
    axes
        Draw into these axes (one per frame) instead of a new figure 5.5 inches wide per panel.
    action
        Which rows are deliveries (default ``receive``).
    queues
        ``{label: queue name}``: count only that queue's deliveries in the panel ``label``.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0] * 2, "action": ["receive"] * 2, "resource": ["q"] * 2,
    ...                   "group": ["c1"] * 2, "seq": [2, 1], "message_id": ["b", "a"],
    ...                   "outcome": ["ok"] * 2})
    >>> plot_ordering({"standard": f}).axes[0].get_title()
    'standard: 1 out of order, 0 duplicates'
    """
    if axes is None:
        fig, _ = new_figure(size=(5.5 * len(frames), 4.5), ncols=len(frames))
        axes = fig.axes
    else:
        fig = axes[0].figure
    for ax, (label, frame) in zip(axes, frames.items(), strict=True):
        order = delivery_order(frame, action=action, queue=(queues or {}).get(label))
        for _group, rows in order.groupby("group", sort=False):
            ax.plot(rows["send_position"], rows["receive_position"], color="#1f77b4", alpha=0.25,
                    linewidth=1, marker=".", markersize=4)
        top = int(max(order["send_position"].max(), order["receive_position"].max())) if len(order) else 1
        ax.plot([1, top], [1, top], color="grey", linestyle=":", label="send order")
        late = order[order["out_of_order"]]
        again = order[order["duplicate"]]
        ax.scatter(late["send_position"], late["receive_position"], marker="x", s=60, color=_RED,
                   zorder=3, gid=OUT_OF_ORDER,
                   label=f"out of order: overtaken by a later payment ({len(late)})")
        ax.scatter(again["send_position"], again["receive_position"], marker="o", s=70,
                   facecolors="none", edgecolors=_ORANGE, linewidths=1.5, zorder=3, gid=DUPLICATE,
                   label=f"duplicate: delivered again ({len(again)})")
        groups = order["group"].nunique()
        ax.set_xlim(0.5, top + 0.5)
        ax.set_ylim(0.5, top + 0.5)
        _finish(ax, f"{label}: {len(late)} out of order, {len(again)} duplicates",
                f"send position in its group ({groups} groups)", "receive position in its group")
        ax.legend(loc="upper left", fontsize="small")
        _counts(ax, "x", "y")
    return fig


def _setting_labels(table: pd.DataFrame) -> list[str]:
    if "setting" in table:
        return [str(s) for s in table["setting"]]
    return [f"{int(v)} s" for v in table["visibility_timeout"]]


def plot_duplicates_vs_visibility(table: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Duplicate processing per visibility-timeout setting, as bars.

    Parameters
    ----------
    table
        One row per setting with columns ``visibility_timeout`` and ``duplicates``; optional
        ``setting`` (bar label, e.g. ``"30 s + heartbeat"``) and ``processing_seconds``.
    ax
        Draw into this axes instead of a new 7 x 3.5 inch figure.

    Example
    -------
    >>> t = pd.DataFrame({"visibility_timeout": [10, 60], "duplicates": [40, 0]})
    >>> len(plot_duplicates_vs_visibility(t).axes[0].patches)
    2
    """
    fig, ax = new_figure(ax, (7, 3.5))
    labels = _setting_labels(table)
    values = table["duplicates"].astype(int).tolist()
    colours = [_RED if v else "#2ca02c" for v in values]
    bars = ax.bar(labels, values, color=colours)
    ax.bar_label(bars, labels=[str(v) for v in values], padding=2)
    title = "Duplicate processing vs visibility timeout"
    if "processing_seconds" in table and len(table):
        title += f" (processing takes {float(table['processing_seconds'].iloc[0]):g} s)"
    _finish(ax, title, "visibility timeout", "orders processed more than once", legend=False)
    ax.set_ylim(0, max([*values, 1]) * 1.2)
    _counts(ax)
    ax.grid(True, axis="y", alpha=0.3)
    ax.grid(False, axis="x")
    return fig


def plot_throughput_grid(table: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Throughput against the number of consumers, one line per batch size.

    Parameters
    ----------
    table
        Columns ``consumers``, ``batch_size`` and ``throughput`` (messages per second);
        optional ``sqs_calls`` (SQS API calls per run), shown in the legend.
    ax
        Draw into this axes instead of a new 7 x 4 inch figure.

    Example
    -------
    >>> t = pd.DataFrame({"consumers": [1, 2, 1, 2], "batch_size": [1, 1, 10, 10],
    ...                   "throughput": [1.0, 2.0, 5.0, 9.5]})
    >>> len(plot_throughput_grid(t).axes[0].lines)  # 2 batch sizes, each with its linear reference
    4
    """
    fig, ax = new_figure(ax, (7, 4))
    top = table.groupby("consumers")["throughput"].max().to_dict()
    for i, (batch, rows) in enumerate(table.groupby("batch_size")):
        rows = rows.sort_values("consumers")
        label = f"batch size {int(batch)}"
        if "sqs_calls" in rows:
            low, high = int(rows["sqs_calls"].min()), int(rows["sqs_calls"].max())
            label += f": {low if low == high else f'{low}-{high}'} SQS calls per run"
        ax.plot(rows["consumers"], rows["throughput"], marker="o", color=_COLOURS[i % len(_COLOURS)],
                label=label)
        for x, y in zip(rows["consumers"], rows["throughput"], strict=True):
            below = y < top.get(x, y)  # the lower of two lines: its number goes underneath
            ax.annotate(f"{y:.1f}", (x, y), textcoords="offset points",
                        xytext=(0, -12 if below else 6), ha="center", fontsize="small")
    consumers = sorted(table["consumers"].unique())
    for i, (_batch, rows) in enumerate(table.groupby("batch_size")):
        rows = rows.sort_values("consumers")
        first = rows.iloc[0]
        per = first["throughput"] / first["consumers"]
        ax.plot(consumers, [per * c for c in consumers], color=_COLOURS[i % len(_COLOURS)],
                linestyle=":", alpha=0.6,
                label="linear scaling (n x one consumer)" if i == 0 else None)
    ax.set_xticks(consumers, [str(int(c)) for c in consumers])
    ax.set_xlim(0, max(consumers) + 0.5)
    ax.text(0.99, 0.02, "below the dotted line: consumers wait for work (the queue runs dry)",
            transform=ax.transAxes, ha="right", va="bottom", fontsize="small", color="grey")
    _finish(ax, "Throughput vs consumers and batch size", "consumers (workers)",
            "messages processed per second")
    ax.set_ylim(bottom=0)
    return fig

