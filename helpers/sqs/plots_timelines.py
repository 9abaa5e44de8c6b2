"""Lab 1's newer plots: the visibility timeline, extra charges, backlog, per-customer order.

Same contract as :mod:`helpers.sqs.plots` (an optional ``ax``, the figure returned, integer
ticks for counts); kept apart so each module stays short.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..platform.plotting import new_figure
from .plots import _ORANGE, _RED, DUPLICATE, OUT_OF_ORDER, _counts, _finish
from .series import delivery_order

__all__ = ["TIMELINE_MARKERS", "plot_visibility_timeline", "plot_extra_charges", "plot_backlog",
           "plot_customer_order"]


#: How :func:`plot_visibility_timeline` draws each event: (marker, colour, size).
TIMELINE_MARKERS = {
    "receive": ("o", "#1f77b4", 30),
    "expiry": ("|", _RED, 120),
    "receive again": ("o", _RED, 40),
    "delete": ("x", "#2ca02c", 40),
    "stale delete": ("x", _ORANGE, 60),
}


def plot_visibility_timeline(timeline: pd.DataFrame, ax: Axes | None = None, *,
                             title: str = "Visibility timeline") -> Figure:
    """One row per message: receive, visibility expiry, second receive, (stale) delete.

    Parameters
    ----------
    timeline
        :func:`helpers.sqs.series.visibility_timeline`'s frame.
    ax
        Draw into this axes instead of a new 8 x 4 inch figure.
    title
        The axes' title.

    Example
    -------
    >>> t = pd.DataFrame({"message": ["a", "a", "a"], "event": ["receive", "expiry", "delete"],
    ...                   "time": [0.0, 30.0, 45.0], "actor": "c1"})
    >>> sorted(c.get_gid() for c in plot_visibility_timeline(t).axes[0].collections)
    ['delete', 'expiry', 'receive']
    """
    fig, ax = new_figure(ax, (8, 4))
    messages = list(dict.fromkeys(timeline["message"]))
    row = {m: i for i, m in enumerate(messages)}
    for m, events in timeline.groupby("message", sort=False):
        ax.plot([events["time"].min(), events["time"].max()], [row[m]] * 2, color="grey",
                linewidth=0.8, zorder=1)
    for event, (marker, colour, size) in TIMELINE_MARKERS.items():
        part = timeline[timeline["event"] == event]
        if len(part):
            ax.scatter(part["time"], part["message"].map(row), marker=marker, color=colour,
                       s=size, label=f"{event} ({len(part)})", gid=event, zorder=2)
    ax.set_yticks(range(len(messages)), messages)
    ax.invert_yaxis()
    _finish(ax, title, "clock time (s)", "message", legend=False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return fig


def plot_extra_charges(table: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Extra charges and orders charged more than once, per number of consumers, as bars.

    Parameters
    ----------
    table
        One row per run with columns ``consumers``, ``extra_charges`` (charges beyond one
        per order) and ``charged_twice`` (orders charged more than once).
    ax
        Draw into this axes instead of a new 6 x 3.5 inch figure.

    Example
    -------
    >>> t = pd.DataFrame({"consumers": [1, 4], "extra_charges": [0, 5], "charged_twice": [0, 3]})
    >>> [int(p.get_height()) for p in plot_extra_charges(t).axes[0].patches]
    [0, 5, 0, 3]
    """
    fig, ax = new_figure(ax, (6, 3.5))
    x = list(range(len(table)))
    width = 0.38
    extra = table["extra_charges"].astype(int).tolist()
    twice = table["charged_twice"].astype(int).tolist()
    left = ax.bar([i - width / 2 for i in x], extra, width, color=_RED, label="extra charges")
    right = ax.bar([i + width / 2 for i in x], twice, width, color=_ORANGE,
                   label="orders charged more than once")
    ax.bar_label(left, padding=2)
    ax.bar_label(right, padding=2)
    ax.set_xticks(x, [str(int(c)) for c in table["consumers"]])
    ax.set_ylim(0, max([*extra, *twice, 1]) * 1.25)
    _finish(ax, "Extra charges vs consumers", "consumers", "count")
    _counts(ax)
    ax.grid(False, axis="x")
    return fig


def plot_backlog(backlog: pd.DataFrame, ax: Axes | None = None, *, label: str | None = None) -> Figure:
    """Orders waiting in a queue over clock time, as a step line.

    Parameters
    ----------
    backlog
        Columns ``time`` (clock seconds) and ``backlog`` (orders arrived, not yet deleted).
    ax
        Draw into this axes instead of a new 8 x 3.5 inch figure (one line per call).
    label
        The line's legend label.

    Example
    -------
    >>> b = pd.DataFrame({"time": [0.0, 1.0, 2.5], "backlog": [1, 2, 0]})
    >>> plot_backlog(b, label="1 consumer").axes[0].get_lines()[0].get_label()
    '1 consumer'
    """
    fig, ax = new_figure(ax, (8, 3.5))
    ax.step(backlog["time"], backlog["backlog"], where="post", label=label)
    _finish(ax, "Backlog", "clock time (s)", "orders not yet paid")
    ax.set_ylim(bottom=0)
    _counts(ax)
    return fig


def plot_customer_order(frame: pd.DataFrame, ax: Axes | None = None, *, queue: str | None = None,
                        title: str = "Per-customer delivery order") -> Figure:
    """One row per customer, a dot per delivery at its position in the queue's delivery order.

    Read a row left to right: a customer's payments as the consumers got them. A red cross
    marks an **out-of-order** payment: the one *overtaken*, delivered after a later payment
    of the same customer; its label ``#3 after #5`` names both (payment numbers are the
    customer's send order, ``seq``). An orange ring marks a duplicate (delivered again).

    Parameters
    ----------
    frame
        A run's slice of ``env.log`` (its ``receive`` rows are the deliveries).
    ax
        Draw into this axes instead of a new 10 x 5 inch figure.
    queue
        Count only this queue's deliveries (its name without the run prefix).
    title
        The axes' title; the counts are added to it.

    Example
    -------
    >>> f = pd.DataFrame({"time": [0.0] * 3, "action": ["receive"] * 3, "resource": ["q"] * 3,
    ...                   "group": ["c1", "c1", "c2"], "seq": [2, 1, 1], "message_id": ["b", "a", "c"],
    ...                   "outcome": ["ok"] * 3})
    >>> ax = plot_customer_order(f).axes[0]
    >>> ax.get_title(), [t.get_text() for t in ax.texts]
    ('Per-customer delivery order: 1 out of order, 0 duplicates', ['#1 after #2'])
    """
    fig, ax = new_figure(ax, (10, 5))
    order = delivery_order(frame, queue=queue)
    order["position"] = range(1, len(order) + 1)
    groups = sorted(order["group"].unique())
    row = {g: i for i, g in enumerate(groups)}
    order["row"] = order["group"].map(row)
    for _g, rows in order.groupby("group", sort=False):
        ax.plot(rows["position"], rows["row"], color="#1f77b4", alpha=0.35, linewidth=0.8,
                marker="o", markersize=3)
    late = order[order["out_of_order"]]
    again = order[order["duplicate"]]
    ax.scatter(late["position"], late["row"], marker="x", s=70, color=_RED, zorder=3,
               gid=OUT_OF_ORDER, label=f"out of order: delivered after a later payment ({len(late)})")
    ax.scatter(again["position"], again["row"], marker="o", s=70, facecolors="none",
               edgecolors=_ORANGE, linewidths=1.5, zorder=3, gid=DUPLICATE,
               label=f"duplicate: delivered again ({len(again)})")
    for _, r in late.iterrows():
        before = order[(order["group"] == r["group"]) & (order["position"] < r["position"])]
        ax.annotate(f"#{int(r['seq'])} after #{int(before['seq'].max())}", (r["position"], r["row"]),
                    textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7, color=_RED)
    ax.set_yticks(range(len(groups)), groups, fontsize=7)
    ax.set_ylim(len(groups) - 0.5, -0.8)
    _finish(ax, f"{title}: {len(late)} out of order, {len(again)} duplicates",
            "delivery position in the queue", "customer (message group)", legend=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    _counts(ax, "x")
    return fig
