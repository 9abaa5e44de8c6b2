"""Lab 1 · SQS order processing: the experiments, the exercise checks and the panel.

``notebooks/03_lab1_sqs_order_processing.ipynb`` calls one function per experiment; each
creates its own queues (a fresh name on every run, so a cell re-run does the same thing
twice), runs producers and consumers on the environment's clock, and returns a small result:
the numbers, ``frame`` (its slice of ``env.log``), ``figure()`` and a deterministic text
summary (its ``repr``) that ends with the delivery invariant: every order sent is processed
exactly once or sits in the DLQ, none lost.

Experiments
-----------
experiment_async_checkout
    The checkout queues orders and answers at once; a slow payment consumer drains the queue.
experiment_ordering
    The same payments through a standard and a FIFO queue: per-customer order and duplicates.
experiment_deduplication
    The same payment sent again inside and after the 5-minute FIFO deduplication interval.
experiment_poison
    Poison orders reach the DLQ after ``maxReceiveCount`` receives; inspect, fix, redrive.
experiment_visibility
    45-second processing against visibility timeouts of 10, 30 and 60 s, then a heartbeat.
experiment_throughput
    Consumers 1/2/4/8 x batch size 1/10, with a modelled 20 ms round trip per SQS call.

Exercises (each prints ``✔ ...`` or ``✘ ...: <what is wrong, how to fix it>`` and returns a bool)
-------------------------------------------------------------------------------------------------
check_dlq_config, check_idempotent_handler, check_visibility_timeout, check_fifo_group.
Solution cells of the notebook are tagged ``solution`` and keep the student's starting code in
their metadata (``"starter"``); :func:`blank_solutions` makes the student version.

Example
-------
>>> import helpers
>>> from helpers import lab1
>>> env = helpers.connect(quiet=True)
>>> passed = lab1.check_dlq_config(env, 3)  # doctest: +ELLIPSIS
✔ maxReceiveCount=3: the 2 poison orders reached the DLQ after 3 receives each ...
>>> _ = env.teardown()
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import limits, sqs_plots
from .data import OrderGenerator
from .emulation import EMULATED
from .errors import InvalidParameterError, NotReadyError
from .plotting import new_figure
from .sqs.consumer import run_consumers
from .sqs.dlq import inspect_dlq, redrive
from .sqs.faults import Scenario
from .sqs.idempotency import IdempotencyStore, make_batch_handler, record_body
from .sqs.invariants import check_delivery
from .sqs.producer import send_orders
from .sqs.queues import OrderQueue, create_queue, queue_depth

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .environment import Environment

__all__ = [
    "PaymentGateway",
    "CheckoutResult",
    "OrderingResult",
    "DeduplicationResult",
    "PoisonResult",
    "VisibilityResult",
    "ThroughputResult",
    "PanelResult",
    "experiment_async_checkout",
    "experiment_ordering",
    "experiment_deduplication",
    "experiment_poison",
    "experiment_visibility",
    "experiment_throughput",
    "check_dlq_config",
    "check_idempotent_handler",
    "check_visibility_timeout",
    "check_fifo_group",
    "run_panel_experiment",
    "panel",
    "blank_solutions",
    "PANEL_DEFAULTS",
    "THROUGHPUT_API_CALL_SECONDS",
    "SOLUTION_TAG",
    "STARTER_KEY",
]


# -- shared pieces ------------------------------------------------------------------------
class PaymentGateway:
    """A stand-in payment provider that remembers every charge: the side effect to protect.

    Example
    -------
    >>> gateway = PaymentGateway()
    >>> gateway.charge("ord-00001", 12.5); gateway.charge("ord-00001", 12.5)
    >>> gateway.charged_twice()
    ['ord-00001']
    """

    def __init__(self) -> None:
        self.charges: Counter[str] = Counter()

    def charge(self, order_id: str, amount: float) -> None:
        """Charge ``amount`` for ``order_id`` (a real provider would move money here)."""
        self.charges[str(order_id)] += 1

    def charged(self) -> list[str]:
        """Every charge's order id, repeated as often as it was charged."""
        return list(self.charges.elements())

    def charged_twice(self) -> list[str]:
        """Order ids charged more than once, sorted."""
        return sorted(k for k, v in self.charges.items() if v > 1)

    def reset(self) -> None:
        """Forget every charge."""
        self.charges.clear()

    def __repr__(self) -> str:
        return (f"PaymentGateway({sum(self.charges.values())} charges for {len(self.charges)} "
                f"orders, {len(self.charged_twice())} charged twice)")


def _amount(order: dict[str, Any]) -> float:
    return float(order.get("amount", order.get("total", 0.0)))


def _charging(gateway: PaymentGateway) -> Callable[[dict[str, Any]], None]:
    def charge_payment(record: dict[str, Any]) -> None:
        order = record_body(record)
        gateway.charge(order["order_id"], _amount(order))
    return charge_payment


def _payment_handler(gateway: PaymentGateway, *, idempotent: bool = True) -> Callable:
    """The course's payment handler: charge each order (once, with an idempotency store)."""
    store = IdempotencyStore() if idempotent else None
    return make_batch_handler(_charging(gateway), store=store)


def _fresh_queue(env: Environment, base: str, **options: Any) -> OrderQueue:
    """``create_queue`` under a name this environment has not used yet (``base``, ``base-2``...).

    A re-run of an experiment then starts from an empty queue without purging (on AWS a
    purge takes up to 60 s and a deleted name is blocked for 60 s).
    """
    n = _run_index(env, base, bool(options.get("fifo")))
    return create_queue(env, base if n == 0 else f"{base}-{n + 1}", **options)


def _labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The frame with full queue names replaced by stable labels (same plot on every run)."""
    if not labels:
        return frame
    names = sorted(labels, key=len, reverse=True)
    out = frame.copy()
    out["resource"] = out["resource"].replace(labels)
    detail = out["detail"].astype("object")
    for name in names:
        detail = detail.where(detail.isna(), detail.astype(str).str.replace(name, labels[name], regex=False))
    out["detail"] = detail
    return out


def _queue_labels(queue: OrderQueue, label: str) -> dict[str, str]:
    labels = {queue.name: label}
    if queue.dlq_name:
        labels[queue.dlq_name] = f"{label}-dlq"
    return labels


def _dlq_order_ids(env: Environment, queue: OrderQueue) -> list[str]:
    if not queue.dlq_url:
        return []
    table = inspect_dlq(env, queue)
    return [str(x) for x in table["order_id"]] if len(table) else []


def _invariant(env: Environment, queue: OrderQueue, sent: Iterable[str], gateway: PaymentGateway,
               dlq: list[str] | None = None) -> Any:
    return check_delivery(env, list(sent), processed_order_ids=gateway.charged(),
                          dlq_order_ids=_dlq_order_ids(env, queue) if dlq is None else dlq)


def _fmt_rate(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


class _Result:
    """Base of the experiment results: ``repr`` is the summary, ``figure()`` the plot."""

    def summary(self) -> str:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def figure(self) -> Figure:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()


@dataclass(repr=False)
class _OneRun(_Result):
    """A result of one run: ``frame`` is its slice of ``env.log``; ``labels`` name its queues.

    Both fields are keyword-only, so each result lists its numbers first.
    """

    frame: pd.DataFrame = field(repr=False, kw_only=True)
    labels: dict[str, str] = field(default_factory=dict, repr=False, kw_only=True)

    def labelled_frame(self) -> pd.DataFrame:
        """``frame`` with the run's queue names replaced by ``labels`` (same plot every run)."""
        return _labelled(self.frame, self.labels)


@dataclass(repr=False)
class _ManyRuns(_Result):
    """A result of several runs: ``frames`` per run (keyword-only), ``frame`` all of them."""

    frames: dict[Any, pd.DataFrame] = field(repr=False, kw_only=True)

    @property
    def frame(self) -> pd.DataFrame:
        """Every run's rows, in run order."""
        return pd.concat(self.frames.values(), ignore_index=True)


# -- experiment 1: asynchronous checkout -------------------------------------------------
@dataclass(repr=False)
class CheckoutResult(_OneRun):
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


def experiment_async_checkout(env: Environment, *, orders: int = 60, customers: int = 20,
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
        How many orders, from how many customers (seeded by ``seed``).
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
    mark = env.log.mark()
    queue = _fresh_queue(env, "checkout")
    batch = OrderGenerator(seed=seed).orders(orders, customers=customers)
    gateway = PaymentGateway()
    started = env.clock.elapsed()
    send_orders(env, queue, batch, actor="checkout")
    checkout_seconds = env.clock.elapsed() - started
    waiting = queue_depth(env, queue)["visible"]
    report = run_consumers(env, queue, _payment_handler(gateway), workers=workers, batch_size=10,
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
class OrderingResult(_ManyRuns):
    """What :func:`experiment_ordering` measured, per queue (``"standard"``, ``"FIFO"``).

    Attributes
    ----------
    payments, customers
        The payments sent to each queue and the customers (message groups) they belong to.
    deliveries, out_of_order, duplicates
        Per queue: receives, receives that overtook an earlier payment of the same customer,
        and second deliveries of a payment.
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
                         f"{self.out_of_order[label]:>2} out of order, "
                         f"{self.duplicates[label]:>2} duplicates")
        lines.append(f"standard delivery faults: {self.scenario}")
        lines.append("The idempotent payment handler charged each payment once on both queues."
                     if not any(self.charged_twice.values()) else
                     f"Charged twice: {self.charged_twice}")
        lines += [f"{label:<8}: {inv}" for label, inv in self.invariants.items()]
        return "\n".join(lines)

    def figure(self) -> Figure:
        """Receive against send position per customer, standard and FIFO side by side."""
        fig = sqs_plots.plot_ordering(self.frames, queues=_QUEUE_OF)
        fig.suptitle("Per-customer order of payments: standard vs FIFO queue")
        return fig


_QUEUE_OF = {"standard": "payments-standard", "FIFO": "payments-fifo"}


def experiment_ordering(env: Environment, *, payments: int = 200, customers: int = 20,
                        workers: int = 2, batch_size: int = 10, reorder_rate: float = 0.5,
                        duplicate_rate: float = 0.05, seed: int = 42) -> OrderingResult:
    """Standard vs FIFO ordering for payments: the same payments through both queues.

    The standard queue runs under a :class:`~helpers.sqs.faults.Scenario` with
    ``reorder_rate`` and ``duplicate_rate`` (at-least-once, best-effort order: emulated on
    moto, real SQS's own behaviour on AWS). The FIFO queue groups by ``customer_id``.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_ordering(env, payments=40, customers=4)
    >>> result.out_of_order["FIFO"], result.duplicates["FIFO"]
    (0, 0)
    >>> _ = env.teardown()
    """
    batch = OrderGenerator(seed=seed).payments(payments, customers=customers)
    scenario = Scenario(seed=seed, reorder_rate=reorder_rate, duplicate_rate=duplicate_rate)
    frames, invariants, charged_twice = {}, {}, {}
    for label, fifo in (("standard", False), ("FIFO", True)):
        mark = env.log.mark()
        queue = _fresh_queue(env, "payments", fifo=fifo)
        gateway = PaymentGateway()
        send_orders(env, queue, batch)
        run_consumers(env, queue, _payment_handler(gateway), workers=workers, batch_size=batch_size,
                      scenario=None if fifo else scenario)
        frames[label] = _labelled(env.log.to_frame(mark), _queue_labels(queue, _QUEUE_OF[label]))
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
class DeduplicationResult(_OneRun):
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
        ax.set_title(f"FIFO deduplication: shaded = the {window // 60}-minute interval after {first} was delivered")
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
    handler = _payment_handler(gateway)
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


# -- experiment 4: poison messages and the DLQ -------------------------------------------
@dataclass(repr=False)
class PoisonResult(_OneRun):
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
            f"{self.fixed_at / 60:.0f} minutes in: fixed handler deployed, DLQ redriven: "
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


def _currency_handler(gateway: PaymentGateway, currencies: set[str]) -> Callable:
    def charge_payment(record: dict[str, Any]) -> None:
        order = record_body(record)
        if order.get("currency") not in currencies:
            raise ValueError(f"unsupported currency {order.get('currency')!r}")
        gateway.charge(order["order_id"], _amount(order))
    return make_batch_handler(charge_payment, store=IdempotencyStore())


def experiment_poison(env: Environment, *, orders: int = 40, poison: int = 3,
                      max_receive_count: int = 3, visibility_timeout: int = 30,
                      processing_seconds: float = 0.5, fix_after: float | None = None,
                      seed: int = 42) -> PoisonResult:
    """Poison orders to the DLQ, inspect, fix the handler, redrive: nothing lost.

    ``poison`` of the orders are in EUR, which the first (buggy) payment handler rejects; each
    is received ``max_receive_count`` times and then moved to the DLQ. ``fix_after`` clock
    seconds after the start the fixed handler (it accepts EUR) is deployed, the DLQ is
    redriven to the source queue and drained.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_poison(env, orders=10, poison=2)
    >>> result.dlq_after_first_run, result.dlq_after_redrive
    (2, 0)
    >>> _ = env.teardown()
    """
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
    run_consumers(env, queue, _currency_handler(gateway, {"USD"}), workers=1, batch_size=10,
                  processing_seconds=processing_seconds)
    table = inspect_dlq(env, queue)
    dlq_ids = [str(x) for x in table["order_id"]]
    before = _invariant(env, queue, [o["order_id"] for o in batch], gateway, dlq=dlq_ids)
    frame = env.log.to_frame(mark)
    message_ids = {v: k for k, v in sent.message_ids.items()}
    on_source = frame[(frame["action"] == "receive") & (frame["resource"] == queue.name)]
    receives = on_source["message_id"].map(message_ids)
    counts = receives[receives.isin(poisoned)].value_counts()
    if fix_after is None:
        fix_after = 600.0 if env.clock.simulated else 0.0
    env.sleep(max(0.0, started + fix_after - env.clock.elapsed()))  # read the DLQ, fix, deploy
    fixed_at = env.clock.elapsed() - started
    moved = redrive(env, queue)
    run_consumers(env, queue, _currency_handler(gateway, {"USD", "EUR"}), workers=1, batch_size=10,
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
class VisibilityResult(_ManyRuns):
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
    run_consumers(env, queue, _payment_handler(gateway, idempotent=False), workers=workers,
                  batch_size=1, processing_seconds=processing_seconds, heartbeat=heartbeat,
                  scenario=scenario)
    invariant = _invariant(env, queue, [o["order_id"] for o in orders], gateway)
    row = {"visibility_timeout": timeout, "heartbeat": heartbeat,
           "processing_seconds": processing_seconds, "processed": len(gateway.charged()),
           "duplicates": len(gateway.charged_twice()), "dlq": len(_dlq_order_ids(env, queue))}
    return row, invariant, env.log.to_frame(mark)


def experiment_visibility(env: Environment, *, processing_seconds: float = 45.0,
                          slow_rate: float = 0.25, slow_seconds: float = 55.0,
                          timeouts: Iterable[int] = (10, 30, 60), heartbeat_timeout: int = 30,
                          orders: int = 12, workers: int = 4, seed: int = 42) -> VisibilityResult:
    """Processing that takes 45 s against visibility timeouts of 10, 30 and 60 s, then a heartbeat.

    Four consumers take one order each; an order takes ``processing_seconds`` (a quarter of
    them ``slow_seconds``). A deliberately *not* idempotent payment handler shows every
    duplicate: while a consumer is still processing, the order becomes visible again and
    another consumer charges it again. The heartbeat run extends the visibility every half
    timeout while processing.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = experiment_visibility(env, timeouts=(10, 60))
    >>> result.table["duplicates"].tolist()
    [3, 0, 0]
    >>> _ = env.teardown()
    """
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
class ThroughputResult(_ManyRuns):
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
            f"Every run: {'✔' if ok else '✘'} every order processed exactly once, none lost "
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


def experiment_throughput(env: Environment, *, orders: int = 80,
                          consumers: Iterable[int] = (1, 2, 4, 8),
                          batch_sizes: Iterable[int] = (1, 10), processing_seconds: float = 0.1,
                          api_call_seconds: float = THROUGHPUT_API_CALL_SECONDS,
                          seed: int = 42, progress: bool | None = None) -> ThroughputResult:
    """Throughput for every combination of consumers and batch size.

    Each batch costs one ``ReceiveMessage`` and one ``DeleteMessageBatch``: with batches of
    10 a tenth of the calls, and of their round trips.

    Parameters
    ----------
    orders, processing_seconds
        Orders per run (seeded by ``seed``) and seconds of processing per order.
    consumers, batch_sizes
        The grid: one run per combination.
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
    batch = OrderGenerator(seed=seed).orders(orders, customers=20)
    combos = [(int(c), int(b)) for b in batch_sizes for c in consumers]
    show = (not env.clock.simulated) if progress is None else progress
    rows, invariants, frames = [], {}, {}
    for workers, size in _progress(combos, show, "throughput runs"):
        mark = env.log.mark()
        queue = _fresh_queue(env, "throughput")
        gateway = PaymentGateway()
        send_orders(env, queue, batch)
        report = run_consumers(env, queue, _payment_handler(gateway), workers=workers,
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


# -- exercises ---------------------------------------------------------------------------
def _verdict(passed: bool, message: str) -> bool:
    print(("✔ " if passed else "✘ ") + message)
    return passed


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _run_index(env: Environment, base: str, fifo: bool = False) -> int:
    """How many queues named ``base`` (``base-2``...) this environment made already."""
    suffix = ".fifo" if fifo else ""
    existing = {url.rsplit("/", 1)[-1] for url in env.resources.of("queue")}
    n = 0
    while env.name(f"{base}{'' if n == 0 else f'-{n + 1}'}{suffix}") in existing:
        n += 1
    return n


#: The DLQ exercise's scenario: a payment-provider outage (transient) and poison orders.
DLQ_CHECK_OUTAGE_SECONDS = 15
DLQ_CHECK_VISIBILITY_SECONDS = 10
#: Largest maxReceiveCount the DLQ exercise accepts (more keeps poison cycling for long).
DLQ_CHECK_MAX_SENSIBLE = 10


def check_dlq_config(env: Environment, max_receive_count: Any, *, seed: int = 7) -> bool:
    """Exercise 1: is ``max_receive_count`` a sensible ``maxReceiveCount`` for the orders queue?

    Runs 40 orders through a queue with that redrive policy: the payment provider is down for
    the first 15 s (every order fails twice, then succeeds) and 2 orders are poison. A good
    value sends exactly the poison orders to the DLQ, and them quickly.

    Returns
    -------
    bool
        True when it passes; a ``✔``/``✘`` line is printed either way.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> check_dlq_config(env, 1)  # doctest: +ELLIPSIS
    ✘ maxReceiveCount=1: 38 healthy orders ended in the DLQ...
    False
    >>> _ = env.teardown()
    """
    name = "MAX_RECEIVE_COUNT"
    low, high = limits.SQS_MIN_MAX_RECEIVE_COUNT, limits.SQS_MAX_MAX_RECEIVE_COUNT
    if max_receive_count is None:
        return _verdict(False, f"{name} is still None: set it to how many times SQS may hand an "
                               "order to a consumer before it moves the order to the DLQ.")
    if not _whole(max_receive_count):
        return _verdict(False, f"{name}={max_receive_count!r} is not a whole number: "
                               f"maxReceiveCount is a count of receives ({low} to {high:,}).")
    n = max_receive_count
    if not low <= n <= high:
        return _verdict(False, f"maxReceiveCount={n} is outside what SQS accepts ({low} to {high:,} "
                               "in a RedrivePolicy). Pick a small number of retries, e.g. 3 to 5.")
    if n > DLQ_CHECK_MAX_SENSIBLE:
        minutes = n * limits.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS / 60
        return _verdict(False, f"maxReceiveCount={n}: a poison order would be received {n} times "
                               f"(about {minutes:.0f} minutes at the default 30-s visibility timeout) "
                               "before it reaches the DLQ, costing a consumer each time. Keep enough "
                               "retries for transient failures but few: 3 to 5.")
    batch = OrderGenerator(seed=seed).orders(40, customers=20)
    poison = {batch[5]["order_id"], batch[25]["order_id"]}
    for order in batch:
        if order["order_id"] in poison:
            order["currency"] = "EUR"
    queue = _fresh_queue(env, "check-dlq", max_receive_count=n,
                         visibility_timeout=DLQ_CHECK_VISIBILITY_SECONDS)
    gateway = PaymentGateway()
    started = env.clock.elapsed()

    def charge_payment(record: dict[str, Any]) -> None:
        order = record_body(record)
        if env.clock.elapsed() - started < DLQ_CHECK_OUTAGE_SECONDS:
            raise ConnectionError("payment provider unavailable (outage)")
        if order["currency"] != "USD":
            raise ValueError(f"unsupported currency {order['currency']!r}")
        gateway.charge(order["order_id"], _amount(order))

    send_orders(env, queue, batch)
    run_consumers(env, queue, make_batch_handler(charge_payment, store=IdempotencyStore()),
                  workers=2, batch_size=10)
    in_dlq = set(_dlq_order_ids(env, queue))
    healthy_in_dlq = sorted(in_dlq - poison)
    outage = f"a {DLQ_CHECK_OUTAGE_SECONDS}-s payment-provider outage"
    if healthy_in_dlq:
        return _verdict(False, f"maxReceiveCount={n}: {len(healthy_in_dlq)} healthy orders ended in the "
                               f"DLQ (e.g. {healthy_in_dlq[0]}): each failed twice during {outage} "
                               f"and SQS moved it when its receive count passed {n}. A transient "
                               "failure needs room to retry (AWS discourages maxReceiveCount=1): "
                               "use 3 to 5.")
    if poison - in_dlq:
        return _verdict(False, f"maxReceiveCount={n}: the poison orders {sorted(poison - in_dlq)} did "
                               "not reach the DLQ. Check that the queue has a redrive policy.")
    healthy = len(batch) - len(poison)
    seconds = n * DLQ_CHECK_VISIBILITY_SECONDS
    return _verdict(True, f"maxReceiveCount={n}: the {len(poison)} poison orders reached the DLQ after "
                          f"{n} receives each (about {seconds} s at a {DLQ_CHECK_VISIBILITY_SECONDS}-s "
                          f"visibility timeout), and the {healthy} healthy orders hit by {outage} "
                          "were all processed (none in the DLQ).")


def check_idempotent_handler(env: Environment, handler: Any, gateway: Any, *, seed: int = 11) -> bool:
    """Exercise 2: does ``handler`` charge every payment exactly once under duplicates?

    Sends 30 payments (new order ids on every call) through a standard queue with emulated
    duplicates (20 %) and consumers that crash before deleting (10 %), calls ``handler`` as
    Lambda would, and counts the charges ``gateway`` received.

    Example
    -------
    >>> import helpers, json
    >>> from helpers.sqs import make_batch_handler
    >>> env = helpers.connect(quiet=True)
    >>> gateway = PaymentGateway()
    >>> def charge(record):
    ...     p = json.loads(record["body"])
    ...     gateway.charge(p["order_id"], p["amount"])
    >>> check_idempotent_handler(env, make_batch_handler(charge), gateway)  # doctest: +ELLIPSIS
    ✘ ... payments were charged more than once...
    False
    >>> _ = env.teardown()
    """
    if handler is None:
        return _verdict(False, "the handler is still None: define payment_handler(event, context).")
    if not callable(handler):
        return _verdict(False, f"{handler!r} is not a function: a Lambda handler is called as "
                               "handler(event, context).")
    if not isinstance(gateway, PaymentGateway):
        return _verdict(False, "pass the PaymentGateway your handler charges: "
                               "check_idempotent_handler(env, payment_handler, gateway).")
    per_run = 30
    index = _run_index(env, "check-idempotent")
    generator = OrderGenerator(seed=seed)
    generator.payments(per_run * index, customers=10)
    payments = generator.payments(per_run, customers=10)
    scenario = Scenario(seed=seed, duplicate_rate=0.2, crash_before_delete=0.1)
    mark = env.log.mark()
    queue = _fresh_queue(env, "check-idempotent")
    gateway.reset()
    send_orders(env, queue, payments)
    run_consumers(env, queue, handler, workers=2, batch_size=10, scenario=scenario)
    frame = env.log.to_frame(mark)
    receives = frame[frame["action"] == "receive"]
    again = int(receives.duplicated("message_id").sum())
    twice = [p["order_id"] for p in payments if gateway.charges[p["order_id"]] > 1]
    never = [p["order_id"] for p in payments if gateway.charges[p["order_id"]] == 0]
    faults = scenario.describe(env).split(": ", 1)[1]
    if twice:
        return _verdict(False, f"{len(twice)} of {len(payments)} payments were charged more than once "
                               f"(e.g. {twice[0]}, {gateway.charges[twice[0]]} times). SQS delivered "
                               f"{again} payments again ({faults}) and the handler charged each "
                               "delivery. Fix: remember the order_id of every charged payment and skip "
                               "it on a second delivery: decorate the per-record function with "
                               "@helpers.sqs.idempotent(store), store = helpers.sqs.IdempotencyStore().")
    if never:
        failed = frame[frame["action"] == "fail"]["detail"].dropna()
        why = f" The handler failed: {failed.iloc[0]}." if len(failed) else ""
        return _verdict(False, f"{len(never)} of {len(payments)} payments were never charged (e.g. "
                               f"{never[0]}).{why} The handler must call gateway.charge(order_id, "
                               "amount) once for each payment.")
    return _verdict(True, f"{len(payments)} payments, {again} of them delivered more than once "
                          f"({faults}): each was charged exactly once.")


#: The visibility exercise: normal and slowest processing time, in seconds.
VISIBILITY_CHECK_PROCESSING_SECONDS = 45.0
VISIBILITY_CHECK_SLOWEST_SECONDS = 60.0
#: Largest visibility timeout the exercise accepts: a crashed consumer's orders stay hidden
#: that long.
VISIBILITY_CHECK_MAX_SECONDS = 600


def check_visibility_timeout(env: Environment, visibility_timeout: Any, *, seed: int = 5) -> bool:
    """Exercise 3: does ``visibility_timeout`` remove duplicate processing?

    Twelve orders, four consumers, one order per receive; processing takes 45 s and a quarter
    of the orders take 60 s. The handler is not idempotent, so every early reappearance shows
    as an order charged twice.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> check_visibility_timeout(env, 30)  # doctest: +ELLIPSIS
    ✘ VISIBILITY_TIMEOUT=30 s: ... orders were charged twice...
    False
    >>> _ = env.teardown()
    """
    name = "VISIBILITY_TIMEOUT"
    top = limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS
    if visibility_timeout is None:
        return _verdict(False, f"{name} is still None: set it to the seconds a received order stays "
                               "hidden from other consumers.")
    if not _whole(visibility_timeout):
        return _verdict(False, f"{name}={visibility_timeout!r} is not a whole number of seconds.")
    t = visibility_timeout
    if not 0 <= t <= top:
        return _verdict(False, f"{name}={t} s is outside what SQS accepts: 0 s to {top:,} s (12 hours).")
    slowest = VISIBILITY_CHECK_SLOWEST_SECONDS
    if t > VISIBILITY_CHECK_MAX_SECONDS:
        return _verdict(False, f"{name}={t} s removes duplicates, but an order whose consumer crashes "
                               f"stays invisible for {t / 60:.0f} minutes before anyone retries it. "
                               f"Stay a little above the slowest processing time ({slowest:g} s), "
                               "e.g. 90 s, or extend the visibility with a heartbeat.")
    scenario = Scenario(seed=seed, slow_rate=0.25, slow_seconds=slowest)
    orders = OrderGenerator(seed=seed).orders(12, customers=12)
    row, _, _ = _visibility_run(env, orders=orders, timeout=t, heartbeat=False,
                                processing_seconds=VISIBILITY_CHECK_PROCESSING_SECONDS, workers=4,
                                scenario=scenario, base="check-visibility")
    normal = VISIBILITY_CHECK_PROCESSING_SECONDS
    if row["duplicates"]:
        return _verdict(False, f"{name}={t} s: {row['duplicates']} of {len(orders)} orders were charged "
                               f"twice. Processing takes {normal:g} s (some {slowest:g} s); when the "
                               "timeout ends first, SQS hands the order to another consumer while the "
                               f"first is still working. Fix: a timeout above {slowest:g} s with a "
                               "margin (e.g. 90 s), or a heartbeat that extends it.")
    return _verdict(True, f"{name}={t} s: no order was charged twice (processing {normal:g} s, "
                          f"slowest {slowest:g} s), and a crashed consumer's order comes back after "
                          f"{t} s.")


def check_fifo_group(env: Environment, payment_message: Any, *, seed: int = 3) -> bool:
    """Exercise 4: do the student's FIFO send parameters keep each customer's payments in order?

    ``payment_message(payment)`` returns the ``SendMessage`` parameters (without ``QueueUrl``)
    for one payment. 60 payments of 6 customers are sent to a FIFO queue, the first 6 sent
    once more (a producer retry after a timeout), and 3 consumers process them.

    Example
    -------
    >>> import helpers, json
    >>> env = helpers.connect(quiet=True)
    >>> check_fifo_group(env, lambda p: {"MessageBody": json.dumps(p)})  # doctest: +ELLIPSIS
    ✘ SQS rejected the send: ...MessageGroupId...
    False
    >>> _ = env.teardown()
    """
    from botocore.exceptions import ClientError, ParamValidationError

    if payment_message is None or not callable(payment_message):
        return _verdict(False, "payment_message must be a function payment -> SendMessage parameters "
                               "(MessageBody, MessageGroupId, MessageDeduplicationId).")
    payments = OrderGenerator(seed=seed).payments(60, customers=6)
    try:
        params = [payment_message(dict(p)) for p in payments]
    except Exception as exc:  # the student's code
        return _verdict(False, f"payment_message raised {type(exc).__name__}: {exc}")
    if not all(isinstance(p, dict) and isinstance(p.get("MessageBody"), str) for p in params):
        return _verdict(False, "payment_message must return a dict with at least 'MessageBody' (the "
                               "payment as JSON text: json.dumps(payment)).")
    customers_of: dict[str, set[str]] = {}
    groups_of: dict[str, set[str]] = {}
    for payment, p in zip(payments, params, strict=True):
        group = str(p.get("MessageGroupId"))
        customers_of.setdefault(group, set()).add(payment["customer_id"])
        groups_of.setdefault(payment["customer_id"], set()).add(group)
    mark = env.log.mark()
    queue = _fresh_queue(env, "check-fifo", fifo=True)
    sqs = env.client("sqs")
    retries = [payment_message(dict(p)) for p in payments[:6]]
    try:
        with env.acting("producer"):
            for p in [*params, *retries]:
                sqs.send_message(QueueUrl=queue.url, **p)
    except ClientError as err:
        message = err.response.get("Error", {}).get("Message", str(err))
        if "MessageGroupId" in message or "MessageGroupId" in str(err):
            fix = ("every message sent to a FIFO queue needs a MessageGroupId: SQS keeps order "
                   "within a group. Use MessageGroupId=payment['customer_id'].")
        elif "Deduplication" in message:
            fix = ("a FIFO queue without content-based deduplication needs a "
                   "MessageDeduplicationId: use payment['order_id'], the same for every retry.")
        else:
            fix = "read the AWS error and the SendMessage reference."
        message = message if message.endswith(".") else message + "."
        return _verdict(False, f"SQS rejected the send: {message} Fix: {fix}")
    except ParamValidationError as err:
        return _verdict(False, f"boto3 rejected the parameters: {err}")
    split = {c: g for c, g in groups_of.items() if len(g) > 1}
    if split:
        customer, groups = sorted(split.items())[0]
        return _verdict(False, f"the payments of one customer went to {len(groups)} message groups "
                               f"({customer}): FIFO keeps order only within a group, so a customer's "
                               "payments can be processed out of order. Use "
                               "MessageGroupId=payment['customer_id'].")
    shared = {g: c for g, c in customers_of.items() if len(c) > 1}
    if shared:
        group, customers = sorted(shared.items())[0]
        return _verdict(False, f"message group {group!r} holds the payments of {len(customers)} "
                               "customers: SQS hands out one in-flight batch per group, so unrelated "
                               "customers wait on each other and extra consumers sit idle. Use "
                               "MessageGroupId=payment['customer_id'].")
    gateway = PaymentGateway()
    processed: list[tuple[str, int]] = []

    def charge_payment(record: dict[str, Any]) -> None:
        payment = record_body(record)
        processed.append((payment["customer_id"], payment["seq"]))
        gateway.charge(payment["order_id"], _amount(payment))

    run_consumers(env, queue, make_batch_handler(charge_payment), workers=3, batch_size=10,
                  processing_seconds=1.0)
    twice = gateway.charged_twice()
    if twice:
        return _verdict(False, f"{len(twice)} payments were charged twice after the producer retried "
                               "their send: the deduplication id differed between the two sends. Use "
                               "MessageDeduplicationId=payment['order_id'] (same payment, same id) so "
                               "SQS drops the retry within 5 minutes.")
    last: dict[str, int] = {}
    late = 0
    for customer, seq in processed:
        late += seq < last.get(customer, 0)
        last[customer] = max(seq, last.get(customer, 0))
    if late:
        return _verdict(False, f"{late} payments were processed after a later payment of the same "
                               "customer. Use MessageGroupId=payment['customer_id'].")
    dropped = env.log.counts(mark).get("deduplicate", 0) if env.emulated else len(retries)
    return _verdict(True, f"MessageGroupId = customer: {len(payments)} payments of {len(groups_of)} "
                          f"customers in {len(customers_of)} groups, each customer's payments "
                          f"processed in order by 3 consumers; {dropped} retried sends dropped as "
                          "duplicates.")


# -- the panel ---------------------------------------------------------------------------
#: The panel's starting settings (also what the notebook's static run shows).
PANEL_DEFAULTS: dict[str, Any] = {
    "poison_rate": 0.03,
    "crash_rate": 0.05,
    "duplicate_rate": 0.05,
    "slow_rate": 0.05,
    "consumers": 2,
    "batch_size": 10,
    "visibility_timeout": 30,
    "seed": 0,
}
#: Seconds one order normally takes in the panel's consumer, and a slow one.
PANEL_PROCESSING_SECONDS = 2.0
PANEL_SLOW_SECONDS = 45.0


@dataclass(repr=False)
class PanelResult(_OneRun):
    """One run of the panel's experiment (:func:`run_panel_experiment`)."""

    settings: dict[str, Any]
    orders: int
    poison: int
    scenario: str
    report: Any
    charged_twice: int
    dlq: int
    invariant: Any

    def summary(self) -> str:
        s = self.settings
        return "\n".join([
            f"{self.orders} orders ({self.poison} poison), {s['consumers']} consumers, batch "
            f"{s['batch_size']}, visibility timeout {s['visibility_timeout']} s, seed {s['seed']}",
            self.scenario,
            f"consumers: {self.report}",
            f"DLQ: {self.dlq} messages; charged twice: {self.charged_twice} (idempotent handler)",
            str(self.invariant),
        ])

    def figure(self) -> Figure:
        """Queue depth, throughput per consumer, DLQ depth and per-customer order, 2 x 2."""
        fig, axes = new_figure(size=(12, 8), nrows=2, ncols=2)
        frame = self.labelled_frame()
        sqs_plots.plot_queue_depth(frame, ax=axes[0][0])
        sqs_plots.plot_throughput(frame, ax=axes[0][1])
        sqs_plots.plot_dlq_depth(frame, ax=axes[1][0])
        sqs_plots.plot_ordering({"orders (standard queue)": frame}, axes=[axes[1][1]],
                                queues={"orders (standard queue)": "orders"})
        return fig


def run_panel_experiment(env: Environment, *, orders: int = 120, progress: bool = False,
                         **settings: Any) -> PanelResult:
    """The panel's experiment without widgets: orders through a faulty standard queue.

    Parameters
    ----------
    settings
        Any of :data:`PANEL_DEFAULTS`: ``poison_rate``, ``crash_rate``, ``duplicate_rate``,
        ``slow_rate`` (a slow order takes 45 s), ``consumers``, ``batch_size``,
        ``visibility_timeout``, ``seed``.
    orders
        Orders from 20 customers.
    progress
        Show a progress bar of processed messages.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = run_panel_experiment(env, orders=30, seed=1)
    >>> str(result.invariant).startswith("✔")
    True
    >>> _ = env.teardown()
    """
    unknown = set(settings) - set(PANEL_DEFAULTS)
    if unknown:
        raise InvalidParameterError(
            f"Unknown panel setting(s) {sorted(unknown)}; the panel has {sorted(PANEL_DEFAULTS)}.")
    s = {**PANEL_DEFAULTS, **settings}
    batch = OrderGenerator(seed=s["seed"]).orders(orders, customers=20)
    pick = random.Random(f"panel-poison:{s['seed']}")
    poison = {o["order_id"] for o in batch if pick.random() < s["poison_rate"]}
    scenario = Scenario(seed=s["seed"], crash_before_delete=s["crash_rate"], slow_rate=s["slow_rate"],
                        slow_seconds=PANEL_SLOW_SECONDS, poison=poison or None,
                        duplicate_rate=s["duplicate_rate"], reorder_rate=0.1)
    mark = env.log.mark()
    queue = _fresh_queue(env, "panel", visibility_timeout=int(s["visibility_timeout"]),
                         max_receive_count=3)
    gateway = PaymentGateway()
    send_orders(env, queue, batch)
    report = run_consumers(env, queue, _payment_handler(gateway), workers=int(s["consumers"]),
                           batch_size=int(s["batch_size"]), scenario=scenario,
                           processing_seconds=PANEL_PROCESSING_SECONDS, progress=progress)
    dlq = _dlq_order_ids(env, queue)
    return PanelResult(
        settings=s, orders=len(batch), poison=len(poison), scenario=scenario.describe(env),
        report=report, charged_twice=len(gateway.charged_twice()), dlq=len(dlq),
        invariant=_invariant(env, queue, [o["order_id"] for o in batch], gateway, dlq=dlq),
        frame=env.log.to_frame(mark), labels=_queue_labels(queue, "orders"),
    )


class _Panel:
    """The widget box, shown with a short fixed text for notebook tests."""

    TEXT = "Lab 1 panel: move the sliders and press Run (needs a live kernel)."

    def __init__(self, box: Any, run: Callable[[], PanelResult | None]) -> None:
        self.box = box
        self.run = run

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.box._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = self.TEXT
        return bundle

    def __repr__(self) -> str:
        return self.TEXT


def panel(env: Environment, *, static: bool = False, **settings: Any) -> Any:
    """Sliders for the failure rates, consumers, batch size, visibility timeout and seed.

    The button runs :func:`run_panel_experiment` with the sliders' values and draws its
    figure and summary below them (nothing runs before the first press, so the cell's own
    output is only the widgets). With ``static=True`` (or without ipywidgets) it returns one
    :class:`PanelResult` instead.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> panel(env, static=True, orders=20).settings["consumers"]
    2
    >>> _ = env.teardown()
    """
    try:
        import ipywidgets as w
    except ImportError:  # pragma: no cover - ipywidgets is a course dependency
        static = True
    orders = settings.pop("orders", 120)
    if static:
        return run_panel_experiment(env, orders=orders, **settings)
    s = {**PANEL_DEFAULTS, **settings}
    style = {"description_width": "150px"}
    layout = w.Layout(width="420px")

    def rate(key: str, text: str, top: float) -> Any:
        return w.FloatSlider(value=s[key], min=0.0, max=top, step=0.01, description=text,
                             readout_format=".0%", style=style, layout=layout)

    controls = {
        "poison_rate": rate("poison_rate", "poison orders", 0.2),
        "crash_rate": rate("crash_rate", "crash before delete", 0.5),
        "duplicate_rate": rate("duplicate_rate", "duplicates", 0.5),
        "slow_rate": rate("slow_rate", f"slow ({PANEL_SLOW_SECONDS:g} s) orders", 0.5),
        "consumers": w.IntSlider(value=s["consumers"], min=1, max=8, description="consumers",
                                 style=style, layout=layout),
        "batch_size": w.IntSlider(value=s["batch_size"], min=1, max=limits.SQS_MAX_BATCH_ENTRIES,
                                  description="batch size", style=style, layout=layout),
        "visibility_timeout": w.IntSlider(value=s["visibility_timeout"], min=5, max=120, step=5,
                                          description="visibility timeout (s)", style=style,
                                          layout=layout),
        "seed": w.IntText(value=s["seed"], description="seed", style=style, layout=layout),
    }
    button = w.Button(description="Run experiment", button_style="primary")
    out = w.Output()
    last: list[PanelResult] = []

    def rerun(_: Any = None) -> PanelResult | None:
        from IPython.display import display

        values = {k: c.value for k, c in controls.items()}
        with out:
            out.clear_output(wait=True)
            result = run_panel_experiment(env, orders=orders, progress=True, **values)
            display(result.figure())
            print(result)
        last[:] = [result]
        return result

    button.on_click(rerun)
    box = w.VBox([w.HTML("<b>Lab 1 · order processing under failures</b>"),
                  w.HBox([w.VBox(list(controls.values())[:4]), w.VBox(list(controls.values())[4:])]),
                  button, out])
    return _Panel(box, rerun)


# -- the student version -----------------------------------------------------------------
#: Cell tag of the solution cells and the metadata key of their starting code.
SOLUTION_TAG = "solution"
STARTER_KEY = "starter"


def blank_solutions(notebook: Any) -> Any:
    """The student version of a notebook: each ``solution`` cell replaced by its starter code.

    Parameters
    ----------
    notebook
        An ``nbformat`` notebook (or its dict); it is not changed.

    Returns
    -------
    A copy whose cells tagged ``solution`` hold ``metadata["starter"]`` and no outputs.

    Raises
    ------
    NotReadyError
        A solution cell without starter code.

    Example
    -------
    >>> nb = {"cells": [{"cell_type": "code", "source": "X = 3", "outputs": [],
    ...                  "metadata": {"tags": ["solution"], "starter": "X = None  # TODO"}}]}
    >>> blank_solutions(nb)["cells"][0]["source"]
    'X = None  # TODO'
    """
    out = copy.deepcopy(notebook)
    for index, cell in enumerate(out["cells"]):
        meta = cell.get("metadata", {})
        if SOLUTION_TAG not in meta.get("tags", []):
            continue
        if STARTER_KEY not in meta:
            raise NotReadyError(
                f"Solution cell {index} has no starter code in its metadata ({STARTER_KEY!r}): "
                "add the code a student starts from.")
        cell["source"] = meta[STARTER_KEY]
        cell["outputs"] = []
        cell["execution_count"] = None
    return out
