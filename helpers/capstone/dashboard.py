"""The day on a dashboard: orders through each service, queue and DLQ depths, latency monolith
vs design, and a panel to replay the day with another failure mix.

Example
-------
>>> from helpers.capstone.monolith import run_monolith
>>> from helpers.capstone.traffic import day
>>> rec = run_monolith(day(orders=200))
>>> plot_latency(rec, rec).axes[0].get_xlabel()
'checkout latency (s, log scale)'
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..course.panels import Panel
from ..platform.plotting import new_figure
from .chaos import CHAOS
from .engine import Day, DayRecord
from .grader import score
from .traffic import day

__all__ = ["plot_throughput", "plot_depths", "plot_latency", "replay", "BIN_SECONDS"]

#: Width of a time bin on the dashboard, seconds.
BIN_SECONDS = 900
_HOUR = 3_600.0


def _shade(ax: Any, rec: DayRecord) -> None:
    c = rec.chaos
    for label, window, colour in (("payments down", c.payment_outage, "#e74c3c"),
                                  ("payments slow", c.slow_consumer, "#f39c12"),
                                  ("notifications down", c.subscriber_down, "#8e44ad"),
                                  ("10x spike", c.spike, "#3498db")):
        if window:
            ax.axvspan(window[0] / _HOUR, window[1] / _HOUR, color=colour, alpha=0.15, label=label)


def plot_throughput(rec: DayRecord, ax: Any = None, services: tuple[str, ...] = (
        "payments", "inventory", "shipping", "notifications", "analytics", "restock")) -> Figure:
    """Messages each service handled per 15 minutes over the day, failure windows shaded."""
    fig, ax = new_figure(ax, (10.0, 3.6))
    bins = np.arange(0, rec.end + BIN_SECONDS, BIN_SECONDS)
    for name in services:
        calls = rec.invocations.get(name, [])
        if not calls:
            continue
        t = np.array([c[0] for c in calls])
        w = np.array([c[1] for c in calls])
        counts, _ = np.histogram(t, bins=bins, weights=w)
        ax.step(bins[:-1] / _HOUR, counts, where="post", label=name, lw=1.2)
    _shade(ax, rec)
    ax.set_xlabel("hour of the day (simulated clock)")
    ax.set_ylabel(f"messages per {BIN_SECONDS // 60} min")
    ax.set_title("Orders through each service")
    ax.set_xlim(0, rec.end / _HOUR)
    ax.legend(loc="upper left", fontsize=7, ncol=2, frameon=False)
    return fig


def plot_depths(rec: DayRecord, ax: Any = None) -> Figure:
    """Messages waiting in each queue (solid, sampled every 5 min) and held in each DLQ
    (dashed: DLQs keep what they receive until someone redrives it)."""
    fig, ax = new_figure(ax, (10.0, 3.4))
    dlqs = rec.design.dlqs()
    for name, points in sorted(rec.depth.items()):
        if name in dlqs or not any(n for _, n in points):
            continue
        ax.plot([p[0] / _HOUR for p in points], [p[1] for p in points], lw=1.1, label=name)
    for name, items in sorted(rec.dlq.items()):
        times = sorted(t / _HOUR for t, _ in items)
        ax.step([0.0, *times, rec.end / _HOUR], [0, *range(1, len(times) + 1), len(times)],
                where="post", ls="--", lw=1.6, label=f"{name} (DLQ)")
    _shade(ax, rec)
    ax.set_xlabel("hour of the day (simulated clock)")
    ax.set_ylabel("messages")
    ax.set_title("Queue depths (sampled every 5 min) and DLQ contents (dashed)")
    ax.set_xlim(0, rec.end / _HOUR)
    ax.legend(loc="upper left", fontsize=7, ncol=3, frameon=False)
    return fig


def _notify_delays(rec: DayRecord) -> list[float]:
    """Seconds from each order's placement to the customer's first e-mail about it."""
    first: dict[str, float] = {}
    for t, o, _ in rec.notices:
        first[o] = min(t, first.get(o, t))
    return [t - rec.orders[o]["placed_at"] for o, t in first.items()]


def plot_latency(monolith: DayRecord, design: DayRecord, ax: Any = None) -> Figure:
    """Checkout latency and time-to-notice, monolith vs design (histograms, log scale)."""
    if ax is None:
        fig, axes = new_figure(size=(10.0, 3.4), ncols=2)
    else:
        fig, axes = ax.figure, [ax, ax.twinx()]
    for a, label, getter in ((axes[0], "checkout latency (s, log scale)",
                              lambda r: list(r.checkout_latency.values())),
                             (axes[1], "order placed -> customer e-mailed (s, log scale)", _notify_delays)):
        series = {"monolith": getter(monolith), "your design": getter(design)}
        low = max(1e-3, min((min(v) for v in series.values() if v), default=1e-2))
        high = max((max(v) for v in series.values() if v), default=1.0)
        bins = np.logspace(np.log10(low), np.log10(max(high, low * 10)), 40)
        for (name, values), colour in zip(series.items(), ("#c0392b", "#2471a3"), strict=True):
            if values:
                a.hist(np.clip(values, low, None), bins=bins, alpha=0.6, color=colour,
                       label=f"{name} (p95 {np.percentile(values, 95):.2f} s)")
        a.set_xscale("log")
        a.set_xlabel(label)
        a.set_ylabel("orders")
        a.legend(fontsize=7, frameon=False)
    axes[0].set_title("Checkout: monolith vs your design")
    axes[1].set_title("Time until the customer hears")
    return fig


class _Replay(Panel):
    TEXT = "Capstone replay: pick a failure mix and press Replay (needs a live kernel)."


def replay(design: Any, *, orders: int = 600, seed: int = 7) -> Any:
    """A panel: choose a failure mix from :data:`~helpers.capstone.chaos.CHAOS`, replay the day
    through ``design`` (from :func:`~helpers.capstone.discovery.discover`) and see its
    scorecard and throughput. Nothing runs before the first press."""
    import ipywidgets as w
    from IPython.display import display

    mix = w.Dropdown(options=list(CHAOS), value="everything", description="failures")
    size = w.IntSlider(value=orders, min=100, max=3_000, step=100, description="orders")
    button = w.Button(description="Replay", button_style="primary")
    out = w.Output()

    def run(_: Any = None) -> Any:
        with out:
            out.clear_output(wait=True)
            rec = Day(design, day(seed=seed, orders=size.value), chaos=CHAOS[mix.value], seed=seed).run()
            display(plot_throughput(rec))
            print(score(rec, f"replay: {mix.value}").text())
        return rec

    button.on_click(run)
    panel = _Replay(w.VBox([w.HBox([mix, size, button]), out]))
    panel.run = run
    return panel


_ = defaultdict
