"""SecureCart's services and the checkout simulation: monolith against event-driven, on the clock.

Part of :mod:`helpers.architecture` (notebook 01).
"""

from __future__ import annotations

import heapq
import json
import math
import random
from typing import Any

import pandas as pd

from ..data import OrderGenerator
from ..platform.errors import InvalidParameterError, NotReadyError

__all__ = ["SERVICES", "ROLES", "DESIGNS", "CALL_LATENCY_SECONDS", "CALL_TIMEOUT_SECONDS", "ENQUEUE_SECONDS", "SIM_VISIBILITY_TIMEOUT_SECONDS", "services_table", "roles_table", "simulate_checkout", "summarize", "summary_table", "backlog", "compare_designs"]

#: SecureCart's four services, in the order a checkout reaches them.
SERVICES = ("orders", "payments", "inventory", "notifications")

#: The three roles of an event-driven architecture, with SecureCart's members of each.
ROLES = {
    "event producer": ("publishes what happened", "orders, inventory"),
    "event router": ("carries events to consumers", "SQS, SNS, EventBridge"),
    "event consumer": ("reacts in its own time", "payments, inventory, notifications"),
}

#: The two checkout designs :func:`simulate_checkout` runs.
DESIGNS = ("monolith", "event-driven")

#: Median latency of one synchronous call to each service, in seconds (a model; payments is
#: set per run). Each call is drawn log-normally around its median (sigma
#: :data:`LATENCY_SIGMA`).
CALL_LATENCY_SECONDS = {"orders": 0.05, "payments": 0.25, "inventory": 0.08, "notifications": 0.12}
#: Spread of the log-normal call latencies (sigma of the underlying normal).
LATENCY_SIGMA = 0.5
#: A caller gives up on a call after this many seconds (the call then counts as failed). A
#: service that is down usually answers nothing, so its callers wait this long.
CALL_TIMEOUT_SECONDS = 2.0
#: Time to put one message on an SQS queue, in seconds (a model of a same-region send).
ENQUEUE_SECONDS = 0.02
#: Visibility timeout of the simulation's queue, in seconds: a message the worker failed on
#: comes back this long after it was received (SQS's default is 30 s).
SIM_VISIBILITY_TIMEOUT_SECONDS = 20
#: An idle payments worker polls again after this many seconds (a batch window, as Lambda's
#: ``MaximumBatchingWindowInSeconds``), or earlier when a failed message becomes visible again;
#: after a non-empty batch it polls again at once.
BATCH_WINDOW_SECONDS = 5.0
#: The payments worker handles up to this many messages of one receive in parallel.
WORKER_BATCH = 10
#: Simulated seconds after the last checkout after which an unfinished drain gives up.
DRAIN_LIMIT_SECONDS = 3600.0

_SIM_QUEUE = "sim-checkout"


# -- tables ---------------------------------------------------------------------------------
def services_table() -> pd.DataFrame:
    """SecureCart's four services: what each owns, produces and consumes.

    Example
    -------
    >>> services_table().index.tolist()
    ['orders', 'payments', 'inventory', 'notifications']
    """
    rows = [
        ("orders", "takes the checkout, owns the order", "OrderPlaced, OrderStatusChanged", "-"),
        ("payments", "charges the card", "PaymentAuthorized, PaymentFailed", "OrderPlaced"),
        ("inventory", "reserves stock, watches levels", "InventoryReserved, InventoryLow",
         "PaymentAuthorized"),
        ("notifications", "emails and texts the customer", "-", "OrderStatusChanged"),
    ]
    frame = pd.DataFrame(rows, columns=["service", "job", "produces", "consumes"])
    return frame.set_index("service")


def roles_table() -> pd.DataFrame:
    """The three roles (producer, router, consumer) and who plays them at SecureCart.

    Example
    -------
    >>> roles_table().index.tolist()
    ['event producer', 'event router', 'event consumer']
    """
    rows = [(role, does, who) for role, (does, who) in ROLES.items()]
    return pd.DataFrame(rows, columns=["role", "does", "at SecureCart"]).set_index("role")


# -- the simulation -------------------------------------------------------------------------
def _draw(rng: random.Random, median: float) -> float:
    return median * math.exp(rng.gauss(0.0, LATENCY_SIGMA))


def _check(design: str, orders: int, interval: float, payment_latency: float,
           outage: tuple[float, float] | None) -> None:
    if design not in DESIGNS:
        raise InvalidParameterError(
            f"Unknown design {design!r}: the simulation runs one of {', '.join(DESIGNS)}. "
            "Fix: design='monolith' or design='event-driven'."
        )
    if not isinstance(orders, int) or orders < 1:
        raise InvalidParameterError(f"orders={orders!r}: pass a whole number of checkouts >= 1.")
    if not interval > 0 or not payment_latency > 0:
        raise InvalidParameterError(
            f"interval={interval!r}, payment_latency={payment_latency!r}: both are seconds > 0."
        )
    if outage is not None and not (len(outage) == 2 and 0 <= outage[0] <= outage[1]):
        raise InvalidParameterError(
            f"outage={outage!r}: pass (start, end) in seconds since the first checkout, "
            "start <= end, or None for no outage."
        )


def _down(outage: tuple[float, float] | None, t: float) -> bool:
    return outage is not None and outage[0] <= t < outage[1]


def _payment_call(seed: int, order: int, attempt: int, median: float,
                  outage: tuple[float, float] | None, t: float) -> tuple[float, str | None]:
    """(seconds the call takes, error or None) for one payments call at time ``t``."""
    if _down(outage, t):
        return CALL_TIMEOUT_SECONDS, "payments down"
    took = _draw(random.Random(f"{seed}:pay:{order}:{attempt}"), median)
    if took > CALL_TIMEOUT_SECONDS:
        return CALL_TIMEOUT_SECONDS, "payments timed out"
    return took, None


def simulate_checkout(env: Any, *, design: str, orders: int = 40, interval: float = 1.5,
                      payment_latency: float = CALL_LATENCY_SECONDS["payments"],
                      outage: tuple[float, float] | None = None, seed: int = 42) -> pd.DataFrame:
    """Run ``orders`` checkouts, one every ``interval`` seconds, through one design.

    Parameters
    ----------
    env
        The environment (its clock moves; the event-driven design uses a real SQS queue,
        ``sim-checkout``, created for the run and deleted after it).
    design
        ``"monolith"`` (synchronous chain) or ``"event-driven"`` (queue and return).
    orders, interval
        How many checkouts, and the seconds between two of them.
    payment_latency
        Median seconds of one payments call (log-normal around it; above
        :data:`CALL_TIMEOUT_SECONDS` the call times out).
    outage
        ``(start, end)`` seconds after the first checkout during which payments is down,
        or ``None``.
    seed
        Seeds the call latencies; both designs see the same draws for the same order.

    Returns
    -------
    pandas.DataFrame
        One row per checkout: ``design``, ``order_id``, ``time`` (s after the first
        checkout), ``latency`` (s the customer waited), ``ok`` (checkout accepted),
        ``error``, ``processed_at`` (s when payment was taken; NaN if never) and
        ``attempts`` (payments calls made for it).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> runs = simulate_checkout(env, design="event-driven", orders=10, outage=(0, 30))
    >>> bool(runs["ok"].all()), float(runs["processed_at"].min()) >= 30
    (True, True)
    >>> _ = env.teardown()
    """
    _check(design, orders, interval, payment_latency, outage)
    batch = OrderGenerator(seed=seed).orders(orders)
    start = env.clock.elapsed()
    if design == "monolith":
        frame = _run_monolith(env, batch, interval, payment_latency, outage, seed, start)
    else:
        frame = _run_event_driven(env, batch, interval, payment_latency, outage, seed, start)
    frame.insert(0, "design", design)
    return frame


def _run_monolith(env: Any, batch: list[dict], interval: float, median: float,
                  outage: tuple[float, float] | None, seed: int, start: float) -> pd.DataFrame:
    rows = []
    for i, order in enumerate(batch):
        t = i * interval
        env.clock.advance_to(start + t)
        rng = random.Random(f"{seed}:chain:{i}")
        spent = _draw(rng, CALL_LATENCY_SECONDS["orders"])
        error = None
        for service in SERVICES[1:]:
            if service == "payments":
                took, error = _payment_call(seed, i, 1, median, outage, t + spent)
            else:
                took = _draw(rng, CALL_LATENCY_SECONDS[service])
            spent += took
            env.log.record(service=service, action="invoke", resource=service,
                           message_id=order["order_id"], outcome=f"error:{error}" if error else "ok",
                           actor="monolith", time=start + t + spent)
            if error:
                break
        rows.append((order["order_id"], t, round(spent, 4), error is None, error,
                     round(t + spent, 4) if error is None else math.nan, 1))
    env.clock.advance_to(start + rows[-1][1] + rows[-1][2])
    return pd.DataFrame(rows, columns=["order_id", "time", "latency", "ok", "error",
                                       "processed_at", "attempts"])


def _run_event_driven(env: Any, batch: list[dict], interval: float, median: float,
                      outage: tuple[float, float] | None, seed: int, start: float) -> pd.DataFrame:
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=_SIM_QUEUE, Attributes={
        "VisibilityTimeout": str(SIM_VISIBILITY_TIMEOUT_SECONDS)})["QueueUrl"]
    try:
        return _drive(env, sqs, url, batch, interval, median, outage, seed, start)
    finally:
        sqs.delete_queue(QueueUrl=url)


def _drive(env: Any, sqs: Any, url: str, batch: list[dict], interval: float, median: float,
           outage: tuple[float, float] | None, seed: int, start: float) -> pd.DataFrame:
    n = len(batch)
    index = {order["order_id"]: i for i, order in enumerate(batch)}
    sent: dict[int, tuple[float, bool, str | None]] = {}
    processed: dict[int, float] = {}
    attempts = [0] * n
    # (time, kind order: arrivals before polls at the same instant, payload)
    events: list[tuple[float, int, int, Any]] = [(i * interval, 0, i, None) for i in range(n)]
    events.append((0.0, 1, 0, None))
    heapq.heapify(events)
    back: list[float] = []  # when messages the worker failed on become visible again

    limit = (n - 1) * interval + DRAIN_LIMIT_SECONDS
    while events:
        t, kind, i, payload = heapq.heappop(events)
        if t > limit:
            break
        env.clock.advance_to(start + t)
        if kind == 0:  # a customer checks out: the orders service queues the order, returns
            with env.acting("orders"):
                reply = sqs.send_message(QueueUrl=url, MessageBody=json.dumps(batch[i]))
            took = _draw(random.Random(f"{seed}:chain:{i}"), CALL_LATENCY_SECONDS["orders"])
            sent[i] = (t, "MessageId" in reply, round(took + ENQUEUE_SECONDS, 4))
        elif kind == 1:  # the payments worker polls
            with env.acting("payments"):
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=WORKER_BATCH,
                                               WaitTimeSeconds=0).get("Messages", [])
            if not messages:  # idle: wait for the batch window (or a message coming back)
                if len(processed) < n:
                    wake = [w for w in back if w > t] + [t + BATCH_WINDOW_SECONDS]
                    heapq.heappush(events, (round(min(wake), 6), 1, 0, None))
                continue
            done, slowest = [], 0.0
            for message in messages:
                i_msg = index[json.loads(message["Body"])["order_id"]]
                if i_msg in processed:  # a duplicate delivery: already paid, just delete
                    done.append(message)
                    continue
                attempts[i_msg] += 1
                took, error = _payment_call(seed, i_msg, attempts[i_msg], median, outage, t)
                slowest = max(slowest, took)
                if error is None:
                    processed[i_msg] = round(t + took, 4)
                    done.append(message)
                else:
                    back.append(round(t + SIM_VISIBILITY_TIMEOUT_SECONDS + 0.01, 6))
                    env.log.record(service="payments", action="fail", resource="payments",
                                   message_id=batch[i_msg]["order_id"], outcome=f"error:{error}",
                                   actor="payments", time=start + t + took)
            heapq.heappush(events, (round(t + slowest, 6), 2, 0, done))
        else:  # the batch is finished: delete what was paid, poll again
            if payload:
                with env.acting("payments"):
                    sqs.delete_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]}
                        for k, m in enumerate(payload)])
            heapq.heappush(events, (t, 1, 0, None))
    rows = [(batch[i]["order_id"], sent[i][0], sent[i][2], sent[i][1], None,
             processed.get(i, math.nan), attempts[i]) for i in range(n)]
    return pd.DataFrame(rows, columns=["order_id", "time", "latency", "ok", "error",
                                       "processed_at", "attempts"])


def summarize(runs: pd.DataFrame) -> dict[str, Any]:
    """Failure share, latency percentiles and catch-up figures of one :func:`simulate_checkout`.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> summarize(simulate_checkout(env, design="monolith", orders=10))["failed_share"]
    0.0
    >>> _ = env.teardown()
    """
    ok = runs["ok"].astype(bool)
    return {
        "design": runs["design"].iloc[0],
        "checkouts": len(runs),
        "failed_share": round(float(1 - ok.mean()), 3),
        "p50_latency_s": round(float(runs["latency"].quantile(0.5)), 3),
        "p95_latency_s": round(float(runs["latency"].quantile(0.95)), 3),
        "paid_share": round(float(runs["processed_at"].notna().mean()), 3),
        "max_backlog": int(backlog(runs)["backlog"].max()),
        "last_paid_s": round(float(runs["processed_at"].max()), 1),
    }


def summary_table(*runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`summarize` of several runs, one row each, indexed by design.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> runs = [simulate_checkout(env, design=d, orders=5) for d in DESIGNS]
    >>> summary_table(*runs).index.tolist()
    ['monolith', 'event-driven']
    >>> _ = env.teardown()
    """
    for frame in runs:
        if not isinstance(frame, pd.DataFrame) or "processed_at" not in frame:
            raise NotReadyError("summary_table needs simulate_checkout(...) results: run the "
                                "cell that simulates the checkouts first.")
    return pd.DataFrame([summarize(frame) for frame in runs]).set_index("design")


def backlog(runs: pd.DataFrame, step: float = 1.0) -> pd.DataFrame:
    """Accepted checkouts not yet paid, every ``step`` seconds (0 for the monolith).

    Example
    -------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"time": [0.0, 1.0], "ok": [True, True], "processed_at": [5.0, 5.0]})
    >>> int(backlog(runs)["backlog"].max())
    2
    """
    end = float(pd.concat([runs["time"], runs["processed_at"]]).max())
    times = [round(k * step, 6) for k in range(int(end / step) + 2)]
    accepted = runs[runs["ok"].astype(bool)]
    paid = accepted["processed_at"].fillna(math.inf)
    counts = [int(((accepted["time"] <= t) & (paid > t)).sum()) for t in times]
    return pd.DataFrame({"time": times, "backlog": counts})


def compare_designs(env: Any, *, payment_latencies: tuple[float, ...] | None = None,
                    outages: tuple[float, ...] | None = None, orders: int | None = None,
                    interval: float = 2.0, outage_start: float = 10.0,
                    seed: int = 42) -> pd.DataFrame:
    """Both designs over a sweep of payment latencies (no outage) and outage lengths.

    Parameters
    ----------
    env
        The environment.
    payment_latencies
        Median payments latencies to try, in seconds (with no outage): 0.25, 1 and 2; in the
        short scenario 0.25 and 1.
    outages
        Outage lengths to try, in seconds, starting ``outage_start`` seconds in (with the
        first payment latency): 20 and 40; in the short scenario 10 and 20.
    orders, interval, seed
        As for :func:`simulate_checkout` (30 orders; 15 in the short scenario).

    Returns
    -------
    pandas.DataFrame
        One row per design and scenario: ``payment_latency_s``, ``outage_s`` and the
        figures of :func:`summarize`.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> table = compare_designs(env, payment_latencies=(0.25,), outages=(0, 20), orders=20)
    >>> table.groupby("design")["failed_share"].max().to_dict()
    {'event-driven': 0.0, 'monolith': 0.5}
    >>> _ = env.teardown()
    """
    payment_latencies = env.sized(payment_latencies, full=(0.25, 1.0, 2.0), short=(0.25, 1.0))
    outages = env.sized(outages, full=(0, 20, 40), short=(0, 10, 20))
    orders = env.sized(orders, full=30, short=15)
    scenarios = [(lat, 0.0) for lat in payment_latencies]
    scenarios += [(payment_latencies[0], float(o)) for o in outages if o]
    rows = []
    for latency, length in scenarios:
        outage = (outage_start, outage_start + length) if length else None
        for design in DESIGNS:
            runs = simulate_checkout(env, design=design, orders=orders, interval=interval,
                                     payment_latency=latency, outage=outage, seed=seed)
            rows.append({"payment_latency_s": latency, "outage_s": length, **summarize(runs)})
    frame = pd.DataFrame(rows)
    cols = ["design", "payment_latency_s", "outage_s"]
    return frame[cols + [c for c in frame.columns if c not in cols]]


