"""Lab 1 experiment 5b: the visibility-timeout timeline, swept over the number of consumers.

Why were only *some* orders charged twice in experiment 5? A message whose visibility
timeout expires while its consumer is still working is charged again only if another
consumer is free to receive it before the first one deletes it. :func:`experiment_visibility_timeline`
shows each message's receive, expiry, second receive and the stale delete (the first
consumer deleting with a receipt handle that is no longer the newest), for 1, 2 and 4
consumers on the same orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..course.results import ManyRuns
from ..data import OrderGenerator
from ..platform.plotting import new_figure
from ..sqs import plots_timelines as sqs_plots
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.producer import send_orders
from ..sqs.series import visibility_timeline
from .common import PaymentGateway, _fresh_queue, _invariant, _payment_handler

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

__all__ = ["VisibilityTimelineResult", "experiment_visibility_timeline"]


@dataclass(repr=False)
class VisibilityTimelineResult(ManyRuns):
    """Charges and the per-message timeline per number of consumers.

    Attributes
    ----------
    table
        One row per run: ``consumers``, ``orders``, ``charges``, ``extra_charges`` (charges
        beyond one per order), ``charged_twice`` (orders charged more than once),
        ``second_receives`` (receives after the first, per message) and ``stale_deletes``.
    timelines
        Per number of consumers, :func:`helpers.sqs.series.visibility_timeline` (messages
        named by order id).
    invariants
        Per number of consumers, the delivery invariant.
    visibility_timeout, processing_seconds, slow_seconds
        The run's settings.
    """

    table: pd.DataFrame
    timelines: dict[int, pd.DataFrame]
    invariants: dict[int, Any]
    visibility_timeout: int
    processing_seconds: float
    slow_seconds: float

    def summary(self) -> str:
        shown = self.table.rename(columns={
            "extra_charges": "extra charges", "charged_twice": "orders charged >1",
            "second_receives": "receives again", "stale_deletes": "stale deletes"})
        lines = [f"Visibility timeout {self.visibility_timeout} s; processing "
                 f"{self.processing_seconds:g} s per order (some {self.slow_seconds:g} s); "
                 "one order per receive; the handler is NOT idempotent.",
                 shown.drop(columns=["orders"]).to_string(index=False)]
        lines += [f"{c} consumer{'s' if c > 1 else ''}: {inv}" for c, inv in self.invariants.items()]
        return "\n".join(lines)

    def figure(self, consumers: int | None = None) -> Figure:
        """The timeline for ``consumers`` (default: the most) and extra charges per sweep."""
        shown = max(self.timelines) if consumers is None else int(consumers)
        fig, (left, right) = new_figure(size=(12, 4.5), ncols=2)
        sqs_plots.plot_visibility_timeline(
            self.timelines[shown], ax=left,
            title=f"{shown} consumers, visibility timeout {self.visibility_timeout} s")
        sqs_plots.plot_extra_charges(self.table, ax=right)
        fig.set_layout_engine("constrained", w_pad=0.1)
        return fig


def experiment_visibility_timeline(env: Environment, *, consumers: Iterable[int] = (1, 2, 4),
                                   orders: int | None = None, visibility_timeout: int | None = None,
                                   processing_seconds: float | None = None, slow_rate: float = 0.5,
                                   slow_seconds: float | None = None, seed: int = 42) -> VisibilityTimelineResult:
    """The same orders with 1, 2 and 4 consumers: which expired messages get charged again.

    Every order takes longer than the visibility timeout. With one consumer nobody is free to
    receive an expired message, so the consumer deletes it with its (still newest) handle: no
    extra charge. With more consumers, a free consumer receives the expired message and
    charges it again; the first consumer's later delete is stale. Sizes: 8 orders of 45 s
    (55 s slow) against a 10-second timeout; the short scenario runs 4 orders of 15 s (18 s)
    against 3 s.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_visibility_timeline(env, consumers=(1, 4))
    >>> result.table[["consumers", "extra_charges", "charged_twice"]].values.tolist()
    [[1, 0, 0], [4, 6, 5]]
    >>> _ = env.teardown()
    """
    orders = env.sized(orders, full=8, short=4)
    visibility_timeout = env.sized(visibility_timeout, full=10, short=3)
    processing_seconds = env.sized(processing_seconds, full=45.0, short=15.0)
    slow_seconds = env.sized(slow_seconds, full=55.0, short=18.0)
    batch = OrderGenerator(seed=seed).orders(orders, customers=min(orders, 20))
    rows, timelines, invariants, frames = [], {}, {}, {}
    for workers in [int(c) for c in consumers]:
        mark = env.log.mark()
        queue = _fresh_queue(env, "visibility-timeline", visibility_timeout=visibility_timeout,
                             max_receive_count=10)
        gateway = PaymentGateway()
        sent = send_orders(env, queue, batch)
        run_consumers(env, queue, _payment_handler(env, gateway, idempotent=False), workers=workers,
                      batch_size=1, processing_seconds=processing_seconds,
                      scenario=Scenario(seed=seed, slow_rate=slow_rate, slow_seconds=slow_seconds))
        frame = env.log.to_frame(mark)
        names = {mid: oid for oid, mid in sent.message_ids.items()}
        timeline = visibility_timeline(frame[frame["resource"] == queue.name],
                                       timeout=visibility_timeout, names=names)
        charges = len(gateway.charged())
        rows.append({"consumers": workers, "orders": len(batch), "charges": charges,
                     "extra_charges": charges - len(gateway.charges),
                     "charged_twice": len(gateway.charged_twice()),
                     "second_receives": int((timeline["event"] == "receive again").sum()),
                     "stale_deletes": int((timeline["event"] == "stale delete").sum())})
        timelines[workers] = timeline
        invariants[workers] = _invariant(env, queue, [o["order_id"] for o in batch], gateway)
        frames[workers] = frame
    return VisibilityTimelineResult(
        table=pd.DataFrame(rows), timelines=timelines, invariants=invariants, frames=frames,
        visibility_timeout=int(visibility_timeout), processing_seconds=float(processing_seconds),
        slow_seconds=float(slow_seconds))
