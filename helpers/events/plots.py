"""Plots of EventBridge runs, read from ``env.log``: routing matrix, events per rule, retries and DLQ.

Each takes an optional ``ax`` and returns the figure (PNG in the notebook).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> routing_matrix(env.log.to_frame()).__class__.__name__
'CourseFigure'
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..platform.plotting import new_figure

__all__ = ["routes", "routing_matrix", "events_per_rule", "retries_and_dlq", "stock_timeline"]


def routes(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``route`` rows as event type, rule and target columns."""
    rows = frame[(frame.service == "events") & (frame.action == "route") & (frame.outcome == "ok")].copy()
    parts = rows.detail.fillna("").str.extract(r"rule (?P<rule>\S+): (?P<event>.*)")
    rows["rule"], rows["event"] = parts["rule"], parts["event"]
    rows["target"] = rows.resource
    return rows


def _short(name: Any) -> str:
    return str(name).split("-", 2)[-1] if str(name).startswith("securecart-") else str(name)


def routing_matrix(frame: pd.DataFrame, ax: Any = None) -> Any:
    """Events (rows) × rule → target (columns): how many events each route carried."""
    fig, ax = new_figure(ax, size=(8, 3.5))
    rows = routes(frame)
    if rows.empty:
        ax.text(0.5, 0.5, "no routes yet", ha="center", va="center")
        return fig
    rows["route"] = rows.rule.map(_short) + " → " + rows.target.map(_short)
    table = rows.pivot_table(index="event", columns="route", values="time", aggfunc="count", fill_value=0)
    ax.imshow(table.values, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(table.index)), table.index, fontsize=8)
    top = max(1, int(table.values.max()))
    for (i, j), value in pd.DataFrame(table.values).stack().items():
        ax.text(j, i, str(value), ha="center", va="center", fontsize=9,
                color="white" if value > top / 2 else "black")
    ax.set_title("Routing matrix: events delivered per rule → target")
    return fig


def events_per_rule(frame: pd.DataFrame, bin_seconds: float = 60.0, ax: Any = None) -> Any:
    """Matched events per rule as a rate (events per minute) in each time bin, empty bins
    included; one bar per rule in each bin, side by side, so no rule hides another."""
    fig, ax = new_figure(ax, size=(8, 3))
    rows = routes(frame).drop_duplicates(["message_id", "rule"])
    if rows.empty:
        ax.text(0.5, 0.5, "no routes yet", ha="center", va="center")
        return fig
    bins = (rows.time // bin_seconds).astype(int)
    every = range(0, int(bins.max()) + 1)
    rules = sorted(rows.rule.unique())
    width = 1.0 / (len(rules) + 1)
    for index, rule in enumerate(rules):
        counts = bins[rows.rule == rule].value_counts().reindex(every, fill_value=0).sort_index()
        rate = counts.values / (bin_seconds / 60)
        left = [(b + index * width) * bin_seconds / 60 for b in counts.index]
        ax.bar(left, rate, width=width * bin_seconds / 60, align="edge", label=_short(rule))
    ax.set_xlabel("clock time (min)")
    ax.set_ylabel(f"events per minute\n(each {bin_seconds / 60:g}-min bin)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Events matched per rule over time (a rate; empty bins show as gaps at 0)")
    return fig


def retries_and_dlq(frame: pd.DataFrame, ax: Any = None) -> Any:
    """Failed attempts, late deliveries (after a retry) and DLQ arrivals over clock time."""
    fig, ax = new_figure(ax, size=(8, 3))
    events = frame[frame.service == "events"]
    series = {
        "failed attempts": events[events.action == "attempt-failed"],
        "delivered after a retry": events[(events.action == "deliver") & (events.attempt > 1)],
        "sent to the DLQ": events[events.action == "dead-letter"],
        "delivered by a replay": events[(events.action == "deliver")
                                        & events.detail.fillna("").str.contains("(replay ", regex=False)],
    }
    for (label, rows), marker in zip(series.items(), ("x", "o", "s", "^"), strict=True):
        if not rows.empty:
            ax.plot(rows.time / 60, range(1, len(rows) + 1), marker=marker, linestyle="-", label=label,
                    markersize=3)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("clock time (min)")
    ax.set_ylabel("cumulative count")
    if any(not rows.empty for rows in series.values()):
        ax.legend(fontsize=8)
    ax.set_title("Target retries and dead-letter arrivals (emulated on moto)")
    return fig


def stock_timeline(levels: pd.DataFrame, restocks: pd.DataFrame, threshold: int, title: str,
                   ax: Any = None) -> Any:
    """Stock of one product over time, its threshold, the InventoryLow and restock points."""
    fig, ax = new_figure(ax, size=(8, 3))
    ax.step(levels.time / 60, levels.stock, where="post", label="stock")
    ax.axhline(threshold, color="grey", linestyle="--", label="restock threshold")
    for _, row in restocks.iterrows():
        ax.axvline(row.time / 60, color=row.color, linestyle=":", linewidth=1)
        ax.annotate(row.label, (row.time / 60, ax.get_ylim()[1] * 0.9), fontsize=7, rotation=90, va="top")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("clock time (min)")
    ax.set_ylabel("units in stock")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title)
    return fig
