"""Lab 1 experiment 7: payments scale on their own; the checkout keeps its rate.

The queue decouples the two services: the checkout accepts orders at its own rate whatever
the payment side does, and the payment side is scaled alone. :func:`experiment_independent_scaling`
runs the same checkout (one order a second) against 1, 2 and 4 payment consumers and
measures the backlog (orders waiting in the queue) and the time to drain it.

The checkout's rate is modelled on the simulated clock with ``DelaySeconds``: all orders
are sent at the start, order *i* with a delay of *i* / rate seconds, so it becomes visible
to the consumers at the second the checkout would have sent it (a delayed message is
invisible to every consumer until then, as a later send would be). The backlog counts only
the orders that have arrived: arrived - deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..course.results import ManyRuns
from ..data import OrderGenerator
from ..platform import limits
from ..platform.errors import InvalidParameterError
from ..platform.plotting import new_figure
from ..sqs.consumer import run_consumers
from ..sqs.plots_timelines import plot_backlog
from .common import PaymentGateway, _fresh_queue, _invariant, _payment_handler

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

__all__ = ["ScalingResult", "experiment_independent_scaling"]


@dataclass(repr=False)
class ScalingResult(ManyRuns):
    """Backlog and time to drain per number of payment consumers.

    Attributes
    ----------
    table
        One row per run: ``consumers``, ``orders``, ``checkout_rate`` (orders/s, the same in
        every run), ``checkout_seconds`` (when the last order arrived), ``peak_backlog``
        (most orders waiting at once), ``drained_at`` (clock seconds until the last payment)
        and ``drain_after_checkout`` (seconds the backlog outlived the checkout).
    backlogs
        Per number of consumers: ``time`` and ``backlog`` (orders arrived, not yet deleted).
    invariants
        Per number of consumers, the delivery invariant.
    processing_seconds
        Seconds of payment processing per order.
    """

    table: pd.DataFrame
    backlogs: dict[int, pd.DataFrame]
    invariants: dict[int, Any]
    processing_seconds: float

    def summary(self) -> str:
        first = self.table.iloc[0]
        shown = self.table[["consumers", "checkout_rate", "peak_backlog", "drained_at",
                            "drain_after_checkout"]].rename(columns={
            "checkout_rate": "checkout orders/s", "peak_backlog": "peak backlog",
            "drained_at": "drained at (s)", "drain_after_checkout": "after checkout (s)"})
        ok = all(str(inv).startswith("✔") for inv in self.invariants.values())
        return "\n".join([
            f"Checkout: {int(first['orders'])} orders at {first['checkout_rate']:g} per second "
            f"(last one at {first['checkout_seconds']:g} s) in every run; payments take "
            f"{self.processing_seconds:g} s each.",
            shown.to_string(index=False),
            f"Every run: {'✔' if ok else '✘'} every order charged once, none lost "
            f"({len(self.invariants)} runs checked).",
        ])

    def figure(self) -> Figure:
        """Backlog over clock time, one line per number of payment consumers."""
        fig, ax = new_figure(size=(8, 3.8))
        checkout = float(self.table["checkout_seconds"].iloc[0])
        for consumers, backlog in self.backlogs.items():
            plot_backlog(backlog, ax=ax, label=f"{consumers} payment consumer{'s' if consumers > 1 else ''}")
        ax.axvline(checkout, color="grey", linestyle=":")
        ax.annotate("checkout's last order", (checkout, 0), textcoords="offset points",
                    xytext=(4, 4), fontsize="small", color="grey")
        ax.set_title(f"Payments scaled alone; checkout stays at "
                     f"{float(self.table['checkout_rate'].iloc[0]):g} order/s")
        return fig


def _send_at_rate(env: Environment, url: str, batch: list[dict], rate: float) -> list[float]:
    """Send every order now, order i delayed by i / rate seconds; returns the arrival times."""
    sqs = env.client("sqs")
    arrivals = [int(i / rate) for i in range(len(batch))]
    if arrivals and arrivals[-1] > limits.SQS_MAX_DELAY_SECONDS:
        raise InvalidParameterError(
            f"{len(batch)} orders at {rate:g}/s take {arrivals[-1]} s: SQS delays a message at "
            f"most {limits.SQS_MAX_DELAY_SECONDS} s (DelaySeconds). Send fewer orders or raise the rate.")
    start = env.clock.elapsed()
    for i in range(0, len(batch), limits.SQS_MAX_BATCH_ENTRIES):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": json.dumps(order), "DelaySeconds": arrivals[i + n]}
            for n, order in enumerate(batch[i:i + limits.SQS_MAX_BATCH_ENTRIES])])
    return [start + a for a in arrivals]


def _backlog(arrivals: list[float], frame: pd.DataFrame, queue: str, start: float) -> pd.DataFrame:
    deletes = frame[(frame["action"] == "delete") & (frame["outcome"] == "ok")
                    & (frame["resource"] == queue)]["time"].astype(float).sort_values()
    times = np.unique(np.concatenate([np.asarray(arrivals, float), deletes.to_numpy()]))
    arrived = np.searchsorted(np.sort(arrivals), times, side="right")
    gone = np.searchsorted(deletes.to_numpy(), times, side="right")
    return pd.DataFrame({"time": times - start, "backlog": arrived - gone})


def experiment_independent_scaling(env: Environment, *, consumers: Iterable[int] = (1, 2, 4),
                                   orders: int | None = None, checkout_rate: float = 1.0,
                                   processing_seconds: float = 2.5,
                                   seed: int = 42) -> ScalingResult:
    """The same checkout (``checkout_rate`` orders/s) against 1, 2 and 4 payment consumers.

    ``orders`` orders are checked out: 40, in the short scenario 16.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> t = experiment_independent_scaling(env, consumers=(1, 4), orders=20).table
    >>> t[["consumers", "peak_backlog"]].values.tolist()
    [[1, 13], [4, 3]]
    >>> _ = env.teardown()
    """
    if not isinstance(checkout_rate, int | float) or isinstance(checkout_rate, bool) or checkout_rate <= 0:
        raise InvalidParameterError(f"checkout_rate={checkout_rate!r} must be a number of orders per second > 0.")
    orders = env.sized(orders, full=40, short=16)
    batch = OrderGenerator(seed=seed).orders(orders, customers=20)
    rows, backlogs, invariants, frames = [], {}, {}, {}
    for workers in [int(c) for c in consumers]:
        mark = env.log.mark()
        queue = _fresh_queue(env, "payments-scaling")
        gateway = PaymentGateway()
        start = env.clock.elapsed()
        arrivals = _send_at_rate(env, queue.url, batch, float(checkout_rate))
        run_consumers(env, queue, _payment_handler(env, gateway, idempotent=False), workers=workers, batch_size=1,
                      processing_seconds=processing_seconds)
        frame = env.log.to_frame(mark)
        backlog = _backlog(arrivals, frame, queue.name, start)
        checkout_seconds = float(arrivals[-1] - start)
        drained = float(backlog["time"].iloc[-1])
        rows.append({"consumers": workers, "orders": len(batch), "checkout_rate": float(checkout_rate),
                     "checkout_seconds": checkout_seconds, "peak_backlog": int(backlog["backlog"].max()),
                     "drained_at": round(drained, 1),
                     "drain_after_checkout": round(drained - checkout_seconds, 1)})
        backlogs[workers] = backlog
        invariants[workers] = _invariant(env, queue, [o["order_id"] for o in batch], gateway)
        frames[workers] = frame
    return ScalingResult(table=pd.DataFrame(rows), backlogs=backlogs, invariants=invariants,
                         frames=frames, processing_seconds=float(processing_seconds))
