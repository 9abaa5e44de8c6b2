"""Plots of the production patterns: duplicates per source, the outbox, Lambda's async runs.

Each takes an optional ``ax`` and returns the figure (PNG in the notebook).

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"handler runs": [4], "side effects (naive)": [4],
...                       "side effects (idempotent)": [3]}, index=["SNS -> Lambda"])
>>> plot_duplicates(frame).__class__.__name__
'CourseFigure'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..platform.plotting import new_figure

__all__ = ["plot_duplicates", "plot_outbox", "plot_async_runs", "plot_polls", "plot_iterator_age", "plot_revenue",
           "plot_event_metrics"]


def plot_duplicates(frame: pd.DataFrame, orders: int = 3, ax: Any = None) -> Any:
    """Per source: handler runs, side effects without and with idempotency (one line per order)."""
    fig, ax = new_figure(ax, size=(8.5, 3.6))
    columns = ["handler runs", "side effects (naive)", "side effects (idempotent)"]
    colors = ["#9e9e9e", "#d62728", "#2ca02c"]
    x = np.arange(len(frame.index))
    for n, (column, color) in enumerate(zip(columns, colors, strict=True)):
        bars = ax.bar(x + (n - 1) * 0.27, frame[column], width=0.27, color=color, label=column)
        ax.bar_label(bars, fontsize=8)
    ax.axhline(orders, color="black", linestyle="--", linewidth=1, label=f"{orders} orders: the right count")
    ax.set_xticks(x, frame.index)
    ax.set_ylabel("count")
    ax.set_ylim(0, frame[columns].to_numpy().max() + 1.5)
    ax.set_title("Every source delivers twice sometimes; idempotency keeps one side effect per order")
    ax.legend(fontsize=8, loc="upper left", ncols=4)
    return fig


def plot_outbox(runs: list[Any], ax: Any = None) -> Any:
    """Per approach: orders stored, events at shipping, orders lost, orders delivered twice."""
    fig, ax = new_figure(ax, size=(8, 3.4))
    labels = [r.approach for r in runs]
    series = {"orders stored": ([r.stored for r in runs], "#1f77b4"),
              "events at shipping": ([r.delivered for r in runs], "#9467bd"),
              "orders lost": ([len(r.lost) for r in runs], "#d62728"),
              "orders delivered twice": ([len(r.duplicates) for r in runs], "#ff7f0e")}
    x = np.arange(len(runs))
    for n, (label, (values, color)) in enumerate(series.items()):
        bars = ax.bar(x + (n - 1.5) * 0.2, values, width=0.2, color=color, label=label)
        ax.bar_label(bars, fontsize=8)
    ax.set_xticks(x, labels)
    ax.set_ylabel("count")
    ax.set_ylim(0, max(max(v) for v, _ in series.values()) + 3)
    ax.set_title("Dual write loses an event; the outbox never does (and may deliver twice)")
    ax.legend(fontsize=8, ncols=4, loc="upper left")
    return fig


def plot_async_runs(runs: pd.DataFrame, ax: Any = None) -> Any:
    """Each asynchronous run on the clock: one row per order (invocation order), ✔ ok / ✘ error."""
    fig, ax = new_figure(ax, size=(8, 3.4))
    orders = list(dict.fromkeys(runs["order_id"]))
    y = {order: len(orders) - 1 - n for n, order in enumerate(orders)}
    for outcome, marker, color in (("ok", "o", "#2ca02c"), ("error", "X", "#d62728")):
        rows = runs[runs["outcome"] == outcome]
        ax.scatter(rows["time"], rows["order_id"].map(y), marker=marker, s=70, color=color,
                   label=f"run {outcome}", zorder=3)
    for order in orders:
        times = runs[runs["order_id"] == order]["time"]
        ax.plot(times, [y[order]] * len(times), color="#bbbbbb", zorder=1)
    done = runs[runs["outcome"] == "ok"].reset_index(drop=True)
    for n, row in done.iterrows():
        ax.annotate(f"#{n + 1} done", (row["time"], y[row["order_id"]]), textcoords="offset points",
                    xytext=(8, 4), fontsize=8)
    failed = runs[runs["outcome"] == "error"].groupby("order_id")["time"].max()
    for order, time in failed.items():
        if order not in set(done["order_id"]):
            ax.annotate("retries spent → OnFailure", (time, y[order]), textcoords="offset points",
                        xytext=(8, 4), fontsize=8, color="#d62728")
    ax.set_yticks(list(y.values()), list(y.keys()))
    ax.set_xlabel("seconds after the six Invoke calls (simulated clock)")
    ax.set_xlim(-10, max(runs["time"].max() + 110, 240))
    ax.set_title("Lambda async: a retry 1 min, then 2 min later; completion order ≠ invocation order")
    ax.legend(fontsize=8, loc="lower right")
    return fig


_STATUS_COLORS = {"ACCEPTED": "#9e9e9e", "CONFIRMED": "#2ca02c", "DECLINED": "#ff7f0e", "FAILED": "#d62728"}


def plot_polls(logs: dict[str, pd.DataFrame], ax: Any = None) -> Any:
    """One panel per run: each order's polls on the clock, coloured by the status the page saw."""
    fig, axes = new_figure(ax, size=(9.5, 3.8), ncols=len(logs))
    axes = np.atleast_1d(axes)
    right = max(frame["time"].max() for frame in logs.values()) + 22
    for panel, (title, frame) in zip(axes, logs.items(), strict=False):
        orders = sorted(frame["order_id"].unique())
        y = {order: len(orders) - 1 - n for n, order in enumerate(orders)}
        for status, color in _STATUS_COLORS.items():
            rows = frame[frame["status"] == status]
            panel.scatter(rows["time"], rows["order_id"].map(y), color=color, s=30, label=status, zorder=3)
        for order in orders:
            last = frame[frame["order_id"] == order].iloc[-1]
            text = last["status"] + (" (gave up)" if last["status"] not in ("CONFIRMED", "DECLINED", "FAILED")
                                     else "")
            panel.annotate(text, (last["time"], y[order]), textcoords="offset points", xytext=(6, -3),
                           fontsize=8, color=_STATUS_COLORS.get(last["status"], "black"))
        panel.set_yticks(list(y.values()), list(y.keys()))
        panel.set_xlim(-2, right)
        panel.set_xlabel("seconds after checkout")
        panel.set_title(title, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=len(labels))
    fig.suptitle("What each customer's page saw while polling GET /orders/{id}")
    return fig


def plot_iterator_age(frame: pd.DataFrame, outage: tuple[float, float] | None = None, ax: Any = None) -> Any:
    """``IteratorAge`` of each invocation over time, failed invocations marked, the outage shaded."""
    fig, ax = new_figure(ax, size=(8.5, 3.4))
    if outage:
        ax.axvspan(*outage, color="#d62728", alpha=0.12, label="downstream down")
    ok = frame[frame["outcome"] == "ok"]
    bad = frame[frame["outcome"] != "ok"]
    ax.plot(ok["time"], ok["iterator_age"], "o", color="#1f77b4", markersize=4, label="invocation ok")
    ax.plot(bad["time"], bad["iterator_age"], "x", color="#d62728", markersize=5, label="invocation failed")
    ax.set_xlabel("seconds (simulated clock)")
    ax.set_ylabel("IteratorAge (s)")
    ax.set_title("IteratorAge rises while the consumer cannot keep up, falls once it catches up")
    ax.legend(fontsize=8, loc="upper right")
    return fig


def plot_revenue(frame: pd.DataFrame, ax: Any = None) -> Any:
    """Revenue per day, stacked by region (a query result with ``dt``, ``region``, ``revenue``)."""
    fig, ax = new_figure(ax, size=(7.5, 3.4))
    table = frame.pivot_table(index="dt", columns="region", values="revenue", aggfunc="sum", fill_value=0)
    bottom = np.zeros(len(table))
    for region in table.columns:
        ax.bar(table.index, table[region], bottom=bottom, label=region)
        bottom += table[region].to_numpy()
    for x, total in zip(table.index, bottom, strict=True):
        ax.text(x, total, f"${total:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("revenue (USD)")
    ax.set_ylim(0, bottom.max() * 1.3)
    ax.set_title("Revenue per day and region (SQL over the S3 event log; DuckDB standing in for Athena)",
                 fontsize=10)
    ax.legend(fontsize=8, loc="upper center", ncols=3)
    return fig


def plot_event_metrics(frame: pd.DataFrame, ax: Any = None) -> Any:
    """A rule's ``AWS/Events`` counts per minute, the deploy alarm's minutes shaded, pages marked."""
    fig, ax = new_figure(ax, size=(8.5, 3.4))
    deploying = frame.index[frame["deploy alarm"] == "ALARM"]
    if len(deploying):
        ax.axvspan(deploying.min() - 0.5, deploying.max() + 0.5, color="#7f7f7f", alpha=0.15,
                   label="deploy alarm in ALARM")
    styles = {"Invocations": ("o-", "#1f77b4"), "FailedInvocations": ("s--", "#d62728"),
              "InvocationsSentToDLQ": ("x:", "#ff7f0e")}
    for metric, (style, color) in styles.items():
        ax.plot(frame.index, frame[metric], style, color=color, label=metric)
    paged = frame.index[frame["page"] == "ALARM"]
    if len(paged):
        ax.axvline(paged.min(), color="#9467bd", linewidth=2, label="composite alarm pages on-call")
    ax.set_xlabel("minute (simulated clock)")
    ax.set_ylabel("count per minute (Sum)")
    ax.set_ylim(bottom=0, top=frame[list(styles)].to_numpy().max() * 1.6 + 1)
    ax.set_title("Deliveries fail from minute 3; on-call is paged only once the deploy is over")
    ax.legend(fontsize=8, loc="upper left", ncol=2)
    return fig
