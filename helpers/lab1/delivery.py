"""Lab 1 experiments 1-3: asynchronous checkout, standard against FIFO ordering, FIFO deduplication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data import OrderGenerator
from ..emulation import EMULATED
from ..platform import limits
from ..platform.plotting import new_figure
from ..sqs import plots as sqs_plots
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.plots_timelines import plot_customer_order
from ..sqs.producer import send_orders
from ..sqs.queues import queue_depth

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

from ..course.results import ManyRuns, OneRun, labelled
from .common import (
    PaymentGateway,
    _fmt_rate,
    _fresh_queue,
    _invariant,
    _payment_handler,
    _queue_labels,
)

__all__ = ["CheckoutResult", "OrderingResult", "DeduplicationResult", "experiment_async_checkout", "experiment_ordering", "experiment_deduplication"]

# -- experiment 1: asynchronous checkout -------------------------------------------------
@dataclass(repr=False)
class CheckoutResult(OneRun):
    """What :func:`experiment_async_checkout` measured.

    Attributes
    ----------
    orders
        Orders the checkout accepted.
    checkout_seconds
        Clock seconds the checkout needed to accept all of them (it only sends to SQS).
    waiting_after_checkout
        Messages in the queue right after the checkout returned.
    drain_seconds
        Clock seconds until the payment consumer had processed every order.
    processing_seconds, workers
        The payment consumer: seconds per payment and workers.
    throughput
        Payments processed per second.
    invariant
        :func:`helpers.sqs.invariants.check_delivery` after the run.
    frame
        The experiment's slice of ``env.log``.
    """

    orders: int
    checkout_seconds: float
    waiting_after_checkout: int
    drain_seconds: float
    processing_seconds: float
    workers: int
    throughput: float
    invariant: Any

    @property
    def synchronous_wait_seconds(self) -> float:
        """How long the last customer would wait if checkout called payment validation inline."""
        return self.orders * self.processing_seconds

    def summary(self) -> str:
        return "\n".join([
            f"Checkout accepted {self.orders} orders in {self.checkout_seconds:.1f} s of clock time: "
            "each customer got an answer at once.",
            f"Right after checkout {self.waiting_after_checkout} orders were waiting in the queue.",
            f"The payment consumer ({self.workers} worker, {self.processing_seconds:g} s per payment) "
            f"drained the queue in {self.drain_seconds:.0f} s ({_fmt_rate(self.throughput)} payments/s).",
            f"Had checkout waited on payment validation, the last customer would have waited "
            f"{self.synchronous_wait_seconds:.0f} s.",
            str(self.invariant),
        ])

    def figure(self) -> Figure:
        """Queue depth (top) and payments processed per second (bottom) over clock time."""
        fig, (top, bottom) = new_figure(size=(8, 6), nrows=2, sharex=True)
        frame = self.labelled_frame()
        sqs_plots.plot_queue_depth(frame, ax=top)
        sqs_plots.plot_throughput(frame, ax=bottom)
        top.set_title("Checkout queues orders at once; the payment consumer drains them")
        top.set_xlabel("")
        return fig


def experiment_async_checkout(env: Environment, *, orders: int | None = None, customers: int = 20,
                              processing_seconds: float = 2.0, workers: int = 1,
                              seed: int = 42) -> CheckoutResult:
    """Queue orders instead of waiting on payment validation.

    The checkout sends every order to a standard queue and returns; a payment consumer that
    needs ``processing_seconds`` per payment drains the queue on the clock.

    Parameters
    ----------
    env
        The course environment.
    orders, customers
        How many orders (60; 12 in the short scenario), from how many customers (seeded by
        ``seed``).
    processing_seconds
        Seconds the payment consumer needs per payment.
    workers
        Payment consumers.
    seed
        Seed of the orders.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_async_checkout(env, orders=10)
    >>> result.waiting_after_checkout, result.drain_seconds
    (10, 20.0)
    >>> _ = env.teardown()
    """
    orders = env.sized(orders, full=60, short=12)
    mark = env.log.mark()
    queue = _fresh_queue(env, "checkout")
    batch = OrderGenerator(seed=seed).orders(orders, customers=customers)
    gateway = PaymentGateway()
    started = env.clock.elapsed()
    send_orders(env, queue, batch, actor="checkout")
    checkout_seconds = env.clock.elapsed() - started
    waiting = queue_depth(env, queue)["visible"]
    report = run_consumers(env, queue, _payment_handler(env, gateway), workers=workers, batch_size=10,
                           processing_seconds=processing_seconds)
    frame = env.log.to_frame(mark)
    done = frame[frame["action"] == "process"]
    drain = float(done["time"].max() - started) if len(done) else 0.0
    return CheckoutResult(
        orders=len(batch), checkout_seconds=checkout_seconds, waiting_after_checkout=waiting,
        drain_seconds=drain, processing_seconds=processing_seconds, workers=workers,
        throughput=len(done) / drain if drain else float(report.throughput),
        invariant=_invariant(env, queue, [o["order_id"] for o in batch], gateway),
        frame=frame, labels=_queue_labels(queue, "orders"),
    )


# -- experiment 2: standard vs FIFO ordering ---------------------------------------------
@dataclass(repr=False)
class OrderingResult(ManyRuns):
    """What :func:`experiment_ordering` measured, per queue (``"standard"``, ``"FIFO"``).

    Attributes
    ----------
    payments, customers
        The payments sent to each queue and the customers (message groups) they belong to.
    deliveries, out_of_order, duplicates
        Per queue: receives, payments delivered after a later payment of the same customer
        (the overtaken ones: the payments the figure marks), and second deliveries of a payment.
    charged_twice
        Per queue: payments the (idempotent) handler charged more than once (0 is right).
    scenario
        The standard queue's delivery faults, as text (emulated on moto).
    invariants
        Per queue: the delivery invariant.
    frames
        Per queue: the slice of ``env.log``.
    """

    payments: int
    customers: int
    deliveries: dict[str, int]
    out_of_order: dict[str, int]
    duplicates: dict[str, int]
    charged_twice: dict[str, int]
    scenario: str
    invariants: dict[str, Any]

    def summary(self) -> str:
        lines = [f"{self.payments} payments for {self.customers} customers, sent in the same "
                 "order to a standard and a FIFO queue (MessageGroupId = customer_id)."]
        for label in self.deliveries:
            lines.append(f"{label:<8}: {self.deliveries[label]:>3} deliveries, "
                         f"{self.out_of_order[label]:>2} out of order (after a later payment "
                         "of the customer), "
                         f"{self.duplicates[label]:>2} duplicates")
        lines.append(f"standard delivery faults: {self.scenario}")
        lines.append("The idempotent payment handler charged each payment once on both queues."
                     if not any(self.charged_twice.values()) else
                     f"Charged twice: {self.charged_twice}")
        lines += [f"{label:<8}: {inv}" for label, inv in self.invariants.items()]
        return "\n".join(lines)

    def figure(self) -> Figure:
        """One row per customer, a dot per delivery: standard (top) and FIFO (bottom)."""
        fig, (top, bottom) = new_figure(size=(10, 9), nrows=2, sharex=True)
        for ax, label in ((top, "standard"), (bottom, "FIFO")):
            plot_customer_order(self.frames[label], ax=ax, queue=_QUEUE_OF[label],
                                          title=f"{label} queue")
        top.set_xlabel("")
        fig.suptitle("Per-customer order of payments: standard vs FIFO queue")
        return fig


_QUEUE_OF = {"standard": "payments-standard", "FIFO": "payments-fifo"}


def experiment_ordering(env: Environment, *, payments: int | None = None, customers: int | None = None,
                        workers: int = 2, batch_size: int = 10, reorder_rate: float = 0.5,
                        duplicate_rate: float = 0.05, seed: int = 42) -> OrderingResult:
    """Standard vs FIFO ordering for payments: the same payments through both queues.

    The standard queue runs under a :class:`~helpers.sqs.faults.Scenario` with
    ``reorder_rate`` and ``duplicate_rate`` (at-least-once, best-effort order: emulated on
    moto, real SQS's own behaviour on AWS). The FIFO queue groups by ``customer_id``.
    ``payments`` from ``customers``: 200 from 20, in the short scenario 40 from 5.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_ordering(env, payments=40, customers=4)
    >>> result.out_of_order["FIFO"], result.duplicates["FIFO"]
    (0, 0)
    >>> _ = env.teardown()
    """
    payments = env.sized(payments, full=200, short=40)
    customers = env.sized(customers, full=20, short=5)
    batch = OrderGenerator(seed=seed).payments(payments, customers=customers)
    scenario = Scenario(seed=seed, reorder_rate=reorder_rate, duplicate_rate=duplicate_rate)
    frames, invariants, charged_twice = {}, {}, {}
    for label, fifo in (("standard", False), ("FIFO", True)):
        mark = env.log.mark()
        queue = _fresh_queue(env, "payments", fifo=fifo)
        gateway = PaymentGateway()
        send_orders(env, queue, batch)
        run_consumers(env, queue, _payment_handler(env, gateway), workers=workers, batch_size=batch_size,
                      scenario=None if fifo else scenario)
        frames[label] = labelled(env.log.to_frame(mark), _queue_labels(queue, _QUEUE_OF[label]))
        invariants[label] = _invariant(env, queue, [p["order_id"] for p in batch], gateway)
        charged_twice[label] = len(gateway.charged_twice())
    order = {label: sqs_plots.delivery_order(f, queue=_QUEUE_OF[label]) for label, f in frames.items()}
    return OrderingResult(
        payments=len(batch), customers=len({p["customer_id"] for p in batch}),
        deliveries={k: len(v) for k, v in order.items()},
        out_of_order={k: int(v["out_of_order"].sum()) for k, v in order.items()},
        duplicates={k: int(v["duplicate"].sum()) for k, v in order.items()},
        charged_twice=charged_twice, scenario=scenario.describe(env), invariants=invariants,
        frames=frames,
    )


# -- experiment 3: FIFO deduplication ----------------------------------------------------
@dataclass(repr=False)
class DeduplicationResult(OneRun):
    """What :func:`experiment_deduplication` saw: one row per send.

    Attributes
    ----------
    table
        Columns ``clock_s`` (seconds after the first send), ``order_id``, ``note``,
        ``delivered`` (messages the consumer then received) and ``charged`` (charges the
        idempotent handler made).
    invariant
        The delivery invariant over the distinct orders.
    frame
        The experiment's slice of ``env.log``.
    """

    table: pd.DataFrame
    invariant: Any
    emulated: bool

    def summary(self) -> str:
        window = limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS
        lines = [f"FIFO queue, MessageDeduplicationId = order_id, deduplication interval {window} s "
                 f"({window // 60} minutes).",
                 self.table.to_string(index=False)]
        if self.emulated:
            lines.append(f"(remembering a deleted message's id for {window // 60} minutes is "
                         f"{EMULATED}; moto alone forgets it on delete)")
        lines.append(str(self.invariant))
        return "\n".join(lines)

    def figure(self) -> Figure:
        """Sends and deliveries of the payment on the clock."""
        fig, ax = new_figure(size=(8, 2.8))
        table = self.table
        delivered = table["delivered"] > 0
        ax.scatter(table.loc[delivered, "clock_s"], [1] * delivered.sum(), marker="o", s=80,
                   color="#2ca02c", label="sent and delivered")
        ax.scatter(table.loc[~delivered, "clock_s"], [1] * (~delivered).sum(), marker="x", s=80,
                   color="#d62728", label="sent, dropped as a duplicate")
        window = limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS
        first = table["order_id"].iloc[0]
        for start in table.loc[delivered & (table["order_id"] == first), "clock_s"]:
            ax.axvspan(start, start + window, color="#1f77b4", alpha=0.1)
        for x, note in zip(table["clock_s"], table["order_id"], strict=True):
            ax.annotate(note, (x, 1), textcoords="offset points", xytext=(0, 10), ha="center",
                        fontsize="small")
        ax.set_yticks([])
        ax.set_ylim(0.5, 1.6)
        ax.set_title(f"FIFO deduplication: shaded = the {window // 60}-minute interval from the accepted send of {first}")
        ax.set_xlabel("clock time since the first send (s)")
        ax.legend(loc="lower right", fontsize="small")
        return fig


def experiment_deduplication(env: Environment, *, seed: int = 42) -> DeduplicationResult:
    """Send the same payment again inside and after the 5-minute deduplication interval.

    A payment is sent, processed and deleted; sent again 60 s later (dropped: the id is
    remembered even after delete), once more after 6 minutes (a new message: the interval
    passed; the idempotent handler does not charge again), and another payment of the same
    customer is sent at 120 s (a different id: delivered).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> experiment_deduplication(env).table["delivered"].tolist()
    [1, 0, 1, 1]
    >>> _ = env.teardown()
    """
    mark = env.log.mark()
    queue = _fresh_queue(env, "dedup", fifo=True)
    first, other = OrderGenerator(seed=seed).payments(2, customers=1)
    gateway = PaymentGateway()
    handler = _payment_handler(env, gateway)
    plan = [(0.0, first, "first send"),
            (60.0, first, "same payment again after 60 s"),
            (120.0, other, "another payment of the same customer"),
            (360.0, first, "same payment again after 6 minutes")]
    start = env.clock.elapsed()
    rows = []
    for at, payment, note in plan:
        env.sleep(max(0.0, start + at - env.clock.elapsed()))
        before = len(gateway.charged())
        sent_mark = env.log.mark()
        sent_at = env.clock.elapsed() - start
        send_orders(env, queue, [payment])
        run_consumers(env, queue, handler, workers=1, batch_size=10)
        delivered = int((env.log.to_frame(sent_mark)["action"] == "receive").sum())
        rows.append({"clock_s": int(round(sent_at)), "order_id": payment["order_id"], "note": note,
                     "delivered": delivered, "charged": len(gateway.charged()) - before})
    return DeduplicationResult(
        table=pd.DataFrame(rows),
        invariant=_invariant(env, queue, [first["order_id"], other["order_id"]], gateway),
        emulated=env.emulated, frame=env.log.to_frame(mark),
    )


