"""Plots of the checkout comparison: latency, failures, the outage timeline.

Part of :mod:`helpers.architecture` (notebook 01).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ..platform.errors import NotReadyError
from ..platform.plotting import new_figure
from .model import CALL_TIMEOUT_SECONDS, backlog

__all__ = ["plot_latency", "plot_failures", "plot_comparison", "plot_timeline"]
# -- plots ----------------------------------------------------------------------------------
_COLOURS = {"monolith": "tab:red", "event-driven": "tab:blue"}


def _require_comparison(summary: Any) -> None:
    if not isinstance(summary, pd.DataFrame) or "failed_share" not in summary:
        raise NotReadyError(
            "This plot needs the table compare_designs(env) returns. "
            "Run the `comparison = helpers.architecture.compare_designs(env)` cell first."
        )


def plot_latency(summary: pd.DataFrame, ax: Any = None) -> Figure:
    """95th-percentile checkout latency against payments latency, both designs (no outage).

    The call timeout (:data:`~helpers.architecture.model.CALL_TIMEOUT_SECONDS`) is drawn as a
    line: the monolith's latency stops growing there because slower payments calls fail, so
    each point is labelled with the share of checkouts that failed (the latency alone hides
    them).

    Example
    -------
    >>> import helpers
    >>> from helpers.architecture import compare_designs, simulate_checkout
    >>> env = helpers.connect(quiet=True)
    >>> fig = plot_latency(compare_designs(env, outages=(0,), orders=10))
    >>> fig.axes[0].get_xlabel()
    'median payments latency (s)'
    >>> [t.get_text() for t in fig.axes[0].texts][-1]
    'monolith: 80% failed'
    >>> _ = env.teardown()
    """
    _require_comparison(summary)
    fig, ax = new_figure(ax, (5.5, 3.6))
    calm = summary[summary["outage_s"] == 0]
    ax.axhline(CALL_TIMEOUT_SECONDS, color="0.4", linestyle="--", linewidth=1,
               label=f"call timeout ({CALL_TIMEOUT_SECONDS:g} s): slower calls fail")
    for design, part in calm.groupby("design", sort=False):
        ax.plot(part["payment_latency_s"], part["p95_latency_s"], "o-", label=design,
                color=_COLOURS[design])
        for x, y, share in zip(part["payment_latency_s"], part["p95_latency_s"],
                               part["failed_share"], strict=True):
            if share > 0:
                ax.annotate(f"{design}: {share:.0%} failed", (x, y), xytext=(-6, 8),
                            textcoords="offset points", ha="right", fontsize=8,
                            color=_COLOURS[design])
    ax.set_xlabel("median payments latency (s)")
    ax.set_ylabel("checkout latency, p95 (s)")
    ax.set_ylim(0, max(CALL_TIMEOUT_SECONDS, float(calm["p95_latency_s"].max())) * 1.3)
    ax.set_title("What the customer waits, and who fails")
    ax.legend(loc="center right", fontsize=8)
    return fig


def plot_failures(summary: pd.DataFrame, ax: Any = None) -> Figure:
    """Share of failed checkouts against the length of a payments outage, both designs.

    Example
    -------
    >>> import helpers
    >>> from helpers.architecture import compare_designs, simulate_checkout
    >>> env = helpers.connect(quiet=True)
    >>> fig = plot_failures(compare_designs(env, payment_latencies=(0.25,), orders=10))
    >>> fig.axes[0].get_ylabel()
    'failed checkouts (share)'
    >>> _ = env.teardown()
    """
    _require_comparison(summary)
    fig, ax = new_figure(ax, (5.5, 3.6))
    base = summary["payment_latency_s"].iloc[0]
    part = summary[summary["payment_latency_s"] == base]
    for design, rows in part.groupby("design", sort=False):
        ax.plot(rows["outage_s"], rows["failed_share"], "o-", label=design, color=_COLOURS[design])
    ax.set_xlabel("payments outage (s)")
    ax.set_ylabel("failed checkouts (share)")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Checkouts lost to a payments outage")
    ax.legend()
    return fig


def plot_comparison(summary: pd.DataFrame) -> Figure:
    """:func:`plot_latency` and :func:`plot_failures` side by side in one figure.

    Example
    -------
    >>> import helpers
    >>> from helpers.architecture import compare_designs, simulate_checkout
    >>> env = helpers.connect(quiet=True)
    >>> len(plot_comparison(compare_designs(env, orders=10)).axes)
    2
    >>> _ = env.teardown()
    """
    _require_comparison(summary)
    fig, (left, right) = new_figure(None, (11, 3.8), ncols=2)
    plot_latency(summary, left)
    plot_failures(summary, right)
    return fig


def plot_timeline(monolith: pd.DataFrame, event_driven: pd.DataFrame,
                  outage: tuple[float, float] | None = None, ax: Any = None) -> Figure:
    """Failed monolith checkouts and the event-driven backlog over one run's time.

    Example
    -------
    >>> import helpers
    >>> from helpers.architecture import compare_designs, simulate_checkout
    >>> env = helpers.connect(quiet=True)
    >>> mono = simulate_checkout(env, design="monolith", orders=20, outage=(5, 15))
    >>> evd = simulate_checkout(env, design="event-driven", orders=20, outage=(5, 15))
    >>> len(plot_timeline(mono, evd, outage=(5, 15)).axes[0].lines)
    2
    >>> _ = env.teardown()
    """
    for runs in (monolith, event_driven):
        if not isinstance(runs, pd.DataFrame) or "processed_at" not in runs:
            raise NotReadyError("plot_timeline needs two simulate_checkout(...) results: run "
                                "the cell that simulates the outage first.")
    fig, ax = new_figure(ax, (9, 3.6))
    if outage is not None:
        ax.axvspan(*outage, color="0.85", label="payments down")
    failed = monolith.sort_values("time")
    ax.step(failed["time"], (~failed["ok"].astype(bool)).cumsum(), where="post",
            color=_COLOURS["monolith"], label="monolith: failed checkouts (total)")
    queued = backlog(event_driven)
    ax.step(queued["time"], queued["backlog"], where="post", color=_COLOURS["event-driven"],
            label="event-driven: orders waiting in the queue")
    ax.set_xlabel("time since the first checkout (s, simulated clock)")
    ax.set_ylabel("orders")
    ax.set_title("A payments outage: lost checkouts vs a backlog that catches up")
    ax.legend(loc="upper left", fontsize=8)
    return fig


