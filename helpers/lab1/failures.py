"""Lab 1 experiments 4-6: poison messages and the DLQ, the visibility timeout, throughput.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data import OrderGenerator
from ..platform.plotting import new_figure
from ..sqs import plots as sqs_plots
from ..sqs.consumer import run_consumers
from ..sqs.dlq import inspect_dlq, redrive
from ..sqs.faults import Scenario
from ..sqs.idempotency import make_batch_handler, record_body
from ..sqs.producer import send_orders
from ..sqs.queues import queue_depth

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

from ..course.results import ManyRuns, OneRun
from .common import (
    PaymentGateway,
    _amount,
    _dlq_order_ids,
    _fresh_queue,
    _invariant,
    _payment_handler,
    _queue_labels,
)

__all__ = ["PoisonResult", "VisibilityResult", "ThroughputResult", "experiment_poison", "experiment_visibility", "experiment_throughput", "THROUGHPUT_API_CALL_SECONDS"]

# -- experiment 4: poison messages and the DLQ -------------------------------------------
@dataclass(repr=False)
class PoisonResult(OneRun):
    """What :func:`experiment_poison` measured before and after the fix and redrive.

    Attributes
    ----------
    orders
        Orders sent.
    poison
        The orders the buggy handler could not process (sorted ids).
    max_receive_count
        The queue's redrive policy.
    receives_per_poison
        Receives of each poison order before SQS moved it (``order_id -> receives``).
    dlq_after_first_run
        Messages in the DLQ after the buggy run.
    dlq_table
        What :func:`helpers.sqs.dlq.inspect_dlq` showed then (order, receive count, error).
    redriven
        Messages the redrive moved back to the source queue.
    dlq_after_redrive
        Messages in the DLQ at the end (0).
    invariant_before, invariant_after
        The delivery invariant after the buggy run and after the fixed run.
    frame
        The experiment's slice of ``env.log``.
    """

    orders: int
    poison: list[str]
    max_receive_count: int
    receives_per_poison: dict[str, int]
    dlq_after_first_run: int
    dlq_table: pd.DataFrame
    redriven: int
    dlq_after_redrive: int
    invariant_before: Any
    invariant_after: Any
    fixed_at: float

    def summary(self) -> str:
        receives = ", ".join(f"{k}: {v}" for k, v in self.receives_per_poison.items())
        return "\n".join([
            f"Buggy handler (rejects EUR payments), maxReceiveCount={self.max_receive_count}: "
            f"{len(self.poison)} poison orders of {self.orders}.",
            f"Receives before the move to the DLQ: {receives}.",
            f"DLQ after the buggy run: {self.dlq_after_first_run} messages.",
            f"  {self.invariant_before}",
            f"{self.fixed_at:.0f} s in: fixed handler deployed, DLQ redriven: "
            f"{self.redriven} messages moved back and processed; DLQ now {self.dlq_after_redrive}.",
            f"  {self.invariant_after}",
        ])

    def figure(self) -> Figure:
        """DLQ depth (top) and the source queue's depth (bottom) over clock time."""
        fig, (top, bottom) = new_figure(size=(8, 6), nrows=2, sharex=True)
        frame = self.labelled_frame()
        sqs_plots.plot_dlq_depth(frame, ax=top)
        sqs_plots.plot_queue_depth(frame, ax=bottom, show_sent=False)
        top.set_xlabel("")
        top.axvline(self.fixed_at, color="grey", linestyle=":")
        top.annotate("fix deployed, DLQ redriven", (self.fixed_at, 0), textcoords="offset points",
                     xytext=(-4, 4), ha="right", fontsize="small", color="grey")
        return fig


def _currency_handler(env: Environment, gateway: PaymentGateway, currencies: set[str]) -> Callable:
    def charge_payment(record: dict[str, Any]) -> None:
        order = record_body(record)
        if order.get("currency") not in currencies:
            raise ValueError(f"unsupported currency {order.get('currency')!r}")
        gateway.charge(order["order_id"], _amount(order))
    return make_batch_handler(charge_payment, idempotency=env)


def experiment_poison(env: Environment, *, orders: int | None = None, poison: int = 3,
                      max_receive_count: int | None = None, visibility_timeout: int | None = None,
                      processing_seconds: float = 0.5, fix_after: float | None = None,
                      seed: int = 42) -> PoisonResult:
    """Poison orders to the DLQ, inspect, fix the handler, redrive: nothing lost.

    ``poison`` of the orders are in EUR, which the first (buggy) payment handler rejects; each
    is received ``max_receive_count`` times and then moved to the DLQ. ``fix_after`` clock
    seconds after the start (default: a minute after the last move) the fixed handler (it
    accepts EUR) is deployed, the DLQ is
    redriven to the source queue and drained. Sizes: 40 orders, ``max_receive_count`` 5 and a
    30-second ``visibility_timeout``; in the short scenario 12 orders, 3 receives and 10 s.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_poison(env, orders=10, poison=2)
    >>> result.dlq_after_first_run, result.dlq_after_redrive
    (2, 0)
    >>> _ = env.teardown()
    """
    orders = env.sized(orders, full=40, short=12)
    max_receive_count = env.sized(max_receive_count, full=5, short=3)
    visibility_timeout = env.sized(visibility_timeout, full=30, short=10)
    mark = env.log.mark()
    queue = _fresh_queue(env, "poison-orders", max_receive_count=max_receive_count,
                         visibility_timeout=visibility_timeout)
    batch = OrderGenerator(seed=seed).orders(orders, customers=20)
    step = max(1, orders // max(poison, 1))
    poisoned = {batch[i]["order_id"] for i in range(step // 2, orders, step)[:poison]}
    for order in batch:
        if order["order_id"] in poisoned:
            order["currency"] = "EUR"
    gateway = PaymentGateway()
    started = env.clock.elapsed()
    sent = send_orders(env, queue, batch)
    run_consumers(env, queue, _currency_handler(env, gateway, {"USD"}), workers=1, batch_size=10,
                  processing_seconds=processing_seconds)
    table = inspect_dlq(env, queue)
    dlq_ids = [str(x) for x in table["order_id"]]
    before = _invariant(env, queue, [o["order_id"] for o in batch], gateway, dlq=dlq_ids)
    frame = env.log.to_frame(mark)
    message_ids = {v: k for k, v in sent.message_ids.items()}
    on_source = frame[(frame["action"] == "receive") & (frame["resource"] == queue.name)]
    receives = on_source["message_id"].map(message_ids)
    counts = receives[receives.isin(poisoned)].value_counts()
    if fix_after is None:  # someone reads the DLQ and deploys the fix a minute after the last move
        fix_after = (env.clock.elapsed() - started + 60.0) if env.clock.simulated else 0.0
    env.sleep(max(0.0, started + fix_after - env.clock.elapsed()))  # read the DLQ, fix, deploy
    fixed_at = env.clock.elapsed() - started
    moved = redrive(env, queue)
    run_consumers(env, queue, _currency_handler(env, gateway, {"USD", "EUR"}), workers=1, batch_size=10,
                  processing_seconds=processing_seconds)
    after = _invariant(env, queue, [o["order_id"] for o in batch], gateway)
    show = [c for c in ("order_id", "receive_count", "last_error") if c in table.columns]
    return PoisonResult(
        orders=len(batch), poison=sorted(poisoned), max_receive_count=max_receive_count,
        receives_per_poison={k: int(counts.get(k, 0)) for k in sorted(poisoned)},
        dlq_after_first_run=len(dlq_ids),
        dlq_table=table[show].sort_values("order_id").reset_index(drop=True),
        redriven=int(moved), dlq_after_redrive=queue_depth(env, queue)["dlq"],
        invariant_before=before, invariant_after=after, fixed_at=fixed_at,
        frame=env.log.to_frame(mark),
        labels=_queue_labels(queue, "orders"),
    )


# -- experiment 5: visibility timeout ----------------------------------------------------
@dataclass(repr=False)
class VisibilityResult(ManyRuns):
    """Duplicates per visibility timeout (:func:`experiment_visibility`).

    Attributes
    ----------
    table
        One row per setting: ``setting``, ``visibility_timeout``, ``heartbeat``,
        ``processing_seconds``, ``processed``, ``duplicates`` (orders processed more than
        once) and ``dlq``.
    invariants
        The delivery invariant per setting.
    frames
        Per setting, the slice of ``env.log``.
    """

    table: pd.DataFrame
    invariants: dict[str, Any]

    def summary(self) -> str:
        first = self.table.iloc[0]
        lines = [f"Processing takes {first['processing_seconds']:g} s per order (a quarter of the "
                 f"orders {first['slow_seconds']:g} s); {first['workers']} consumers take one "
                 "order each; the handler is NOT idempotent.",
                 self.table[["setting", "processed", "duplicates", "dlq"]].rename(columns={
                     "processed": "charges", "duplicates": "orders charged twice",
                     "dlq": "in DLQ"}).to_string(index=False)]
        lines += [f"{setting:<16}: {inv}" for setting, inv in self.invariants.items()]
        return "\n".join(lines)

    def figure(self) -> Figure:
        """Duplicates per setting."""
        return sqs_plots.plot_duplicates_vs_visibility(self.table)


def _visibility_run(env: Environment, *, orders: list[dict], timeout: int, heartbeat: bool,
                    processing_seconds: float, workers: int, scenario: Scenario | None,
                    base: str) -> tuple[dict[str, Any], Any, pd.DataFrame]:
    mark = env.log.mark()
    queue = _fresh_queue(env, base, visibility_timeout=timeout, max_receive_count=10)
    gateway = PaymentGateway()
    send_orders(env, queue, orders)
    run_consumers(env, queue, _payment_handler(env, gateway, idempotent=False), workers=workers,
                  batch_size=1, processing_seconds=processing_seconds, heartbeat=heartbeat,
                  scenario=scenario)
    invariant = _invariant(env, queue, [o["order_id"] for o in orders], gateway)
    row = {"visibility_timeout": timeout, "heartbeat": heartbeat,
           "processing_seconds": processing_seconds, "processed": len(gateway.charged()),
           "duplicates": len(gateway.charged_twice()), "dlq": len(_dlq_order_ids(env, queue))}
    return row, invariant, env.log.to_frame(mark)


def experiment_visibility(env: Environment, *, processing_seconds: float | None = None,
                          slow_rate: float = 0.25, slow_seconds: float | None = None,
                          timeouts: Iterable[int] | None = None, heartbeat_timeout: int | None = None,
                          orders: int | None = None, workers: int = 4, seed: int = 42) -> VisibilityResult:
    """Processing that takes 45 s against visibility timeouts of 10, 30 and 60 s, then a heartbeat.

    Four consumers take one order each; an order takes ``processing_seconds`` (a quarter of
    them ``slow_seconds``). A deliberately *not* idempotent payment handler shows every
    duplicate: while a consumer is still processing, the order becomes visible again and
    another consumer charges it again. The heartbeat run extends the visibility every half
    timeout while processing. The short scenario divides every duration by three (15 s of
    processing, 18 s slow, timeouts of 3, 10 and 20 s, heartbeat at 10 s) and runs 8 orders.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_visibility(env, timeouts=(10, 60))
    >>> result.table["duplicates"].tolist()
    [3, 0, 0]
    >>> _ = env.teardown()
    """
    processing_seconds = env.sized(processing_seconds, full=45.0, short=15.0)
    slow_seconds = env.sized(slow_seconds, full=55.0, short=18.0)
    timeouts = env.sized(timeouts, full=(10, 30, 60), short=(3, 10, 20))
    heartbeat_timeout = env.sized(heartbeat_timeout, full=30, short=10)
    orders = env.sized(orders, full=12, short=8)
    batch = OrderGenerator(seed=seed).orders(orders, customers=min(orders, 20))
    rows, invariants, frames = [], {}, {}
    settings = [(int(t), False) for t in timeouts] + [(int(heartbeat_timeout), True)]
    for timeout, heartbeat in settings:
        label = f"{timeout} s + heartbeat" if heartbeat else f"{timeout} s"
        row, invariant, frame = _visibility_run(
            env, orders=batch, timeout=timeout, heartbeat=heartbeat,
            processing_seconds=processing_seconds, workers=workers,
            scenario=Scenario(seed=seed, slow_rate=slow_rate, slow_seconds=slow_seconds),
            base="visibility")
        rows.append({"setting": label, **row, "slow_seconds": slow_seconds, "workers": workers})
        invariants[label] = invariant
        frames[label] = frame
    return VisibilityResult(table=pd.DataFrame(rows), invariants=invariants, frames=frames)


# -- experiment 6: throughput ------------------------------------------------------------
@dataclass(repr=False)
class ThroughputResult(ManyRuns):
    """Throughput per number of consumers and batch size (:func:`experiment_throughput`).

    Attributes
    ----------
    table
        ``consumers``, ``batch_size``, ``processed``, ``receives`` (messages received),
        ``batches`` (handler calls: one receive and one delete call each), ``sqs_calls``
        (every ReceiveMessage, empty ones included, and DeleteMessageBatch), ``elapsed_s``
        and ``throughput`` (messages per clock second).
    processing_seconds
        Seconds of processing per order.
    api_call_seconds
        The modelled round trip of one SQS call on the simulated clock (``None`` on AWS,
        where every call takes its real time).
    frames
        Per ``(consumers, batch_size)``, the slice of ``env.log``.
    """

    table: pd.DataFrame
    invariants: dict[tuple[int, int], Any]
    processing_seconds: float
    api_call_seconds: float | None = None

    @property
    def call_cost(self) -> str:
        """How SQS calls were timed, for the summary and the plot."""
        if self.api_call_seconds is None:
            return "SQS calls took their real round trip"
        return (f"a modelled {self.api_call_seconds * 1000:g} ms round trip per SQS call; "
                "on AWS you measure the real one")

    def summary(self) -> str:
        pivot = self.table.pivot(index="consumers", columns="batch_size",
                                 values=["throughput", "sqs_calls"])
        pivot.columns = [f"{'msg/s' if what == 'throughput' else 'SQS calls'}, batch {size}"
                         for what, size in pivot.columns]
        pivot = pivot.astype({c: int for c in pivot.columns if c.startswith("SQS")})
        ok = all(str(inv).startswith("✔") for inv in self.invariants.values())
        orders = int(self.table["processed"].iloc[0])
        return "\n".join([
            f"{orders} orders, {self.processing_seconds:g} s of processing each, "
            f"{self.call_cost}.",
            "Messages processed per second of clock time, and SQS calls per run (each batch is "
            "one ReceiveMessage and one DeleteMessageBatch, plus a last empty receive):",
            pivot.round(1).to_string(),
            f"Every run: {'✔' if ok else '✘'} every order charged once, none lost "
            f"({len(self.invariants)} runs checked).",
        ])

    def figure(self) -> Figure:
        """Throughput against consumers, one line per batch size (SQS calls in the legend)."""
        fig = sqs_plots.plot_throughput_grid(self.table)
        fig.axes[0].set_title(f"Throughput vs consumers and batch size\n({self.call_cost})",
                              fontsize="medium")
        return fig


#: Experiment 6's model of one SQS call's round trip on the simulated clock, in seconds (a
#: same-region call takes milliseconds to tens of milliseconds; on AWS the real one applies).
THROUGHPUT_API_CALL_SECONDS = 0.02


def experiment_throughput(env: Environment, *, orders: int | None = None,
                          consumers: Iterable[int] | None = None,
                          batch_sizes: Iterable[int] = (1, 10), processing_seconds: float = 0.1,
                          api_call_seconds: float = THROUGHPUT_API_CALL_SECONDS,
                          seed: int = 42, progress: bool | None = None) -> ThroughputResult:
    """Throughput for every combination of consumers and batch size.

    Each batch costs one ``ReceiveMessage`` and one ``DeleteMessageBatch``: with batches of
    10 a tenth of the calls, and of their round trips.

    Parameters
    ----------
    orders, processing_seconds
        Orders per run (seeded by ``seed``; 80, 40 in the short scenario) and seconds of
        processing per order.
    consumers, batch_sizes
        The grid: one run per combination (consumers 1, 2, 4, 8, 16; 1, 2, 4 in the short
        scenario).
    api_call_seconds
        The modelled round trip of each SQS call on the simulated clock (see
        :func:`helpers.sqs.run_consumers`); ignored on AWS, where calls take their real time.
    progress
        Show a progress bar over the runs; by default only where runs take real time (AWS).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> t = experiment_throughput(env, orders=20, consumers=(1, 2), batch_sizes=(10,)).table
    >>> bool(t["throughput"].iloc[1] > t["throughput"].iloc[0])
    True
    >>> _ = env.teardown()
    """
    orders = env.sized(orders, full=80, short=40)
    consumers = env.sized(consumers, full=(1, 2, 4, 8, 16), short=(1, 2, 4))
    batch = OrderGenerator(seed=seed).orders(orders, customers=20)
    combos = [(int(c), int(b)) for b in batch_sizes for c in consumers]
    show = (not env.clock.simulated) if progress is None else progress
    rows, invariants, frames = [], {}, {}
    for workers, size in _progress(combos, show, "throughput runs"):
        mark = env.log.mark()
        queue = _fresh_queue(env, "throughput")
        gateway = PaymentGateway()
        send_orders(env, queue, batch)
        report = run_consumers(env, queue, _payment_handler(env, gateway), workers=workers,
                               batch_size=size, processing_seconds=processing_seconds,
                               api_call_seconds=api_call_seconds)
        frame = env.log.to_frame(mark)
        rows.append({"consumers": workers, "batch_size": size, "processed": int(report.processed),
                     "receives": int(report.receives), "batches": int(report.batches),
                     "sqs_calls": int(report.sqs_calls),
                     "elapsed_s": round(float(report.elapsed), 2),
                     "throughput": round(float(report.throughput), 2)})
        invariants[(workers, size)] = _invariant(env, queue, [o["order_id"] for o in batch], gateway)
        frames[(workers, size)] = frame
    return ThroughputResult(table=pd.DataFrame(rows), invariants=invariants,
                            processing_seconds=processing_seconds,
                            api_call_seconds=api_call_seconds if env.clock.simulated else None,
                            frames=frames)


def _progress(items: list, show: bool, what: str) -> Iterable:
    if not show:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=what)


