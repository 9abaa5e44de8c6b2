"""Notebook 01: SecureCart's services, monolith vs event-driven checkout, best practices.

What runs where
---------------
* The **monolith** checkout is simulated call by call on ``env.clock``: orders calls payments
  calls inventory calls notifications, synchronously. Its latency is the sum of the calls and
  it fails when any call fails or outlasts :data:`CALL_TIMEOUT_SECONDS`.
* The **event-driven** checkout uses a REAL SQS queue on the backend: the orders service sends
  the order and returns (its latency is the enqueue time); a payments worker drains the queue
  on the simulated clock. While payments is down the worker's attempts fail, the messages
  come back after the visibility timeout (SQS's retry) and the backlog is processed after
  recovery.
* The call latencies are a model (seeded, log-normal around a median), not measurements:
  they are stated in :data:`CALL_LATENCY_SECONDS` and :data:`ENQUEUE_SECONDS`.

Example
-------
>>> import helpers
>>> from helpers import architecture
>>> env = helpers.connect(quiet=True)
>>> runs = architecture.simulate_checkout(env, design="monolith", orders=20, outage=(5, 15))
>>> float(runs["ok"].mean())
0.7
>>> _ = env.teardown()
"""

from __future__ import annotations

import heapq
import json
import math
import random
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError
from matplotlib.figure import Figure

from .data import OrderGenerator
from .errors import InvalidParameterError, NotReadyError
from .plotting import new_figure
from .sqs.plumbing import allow_service_sends, drain, plain_queue, subscribe_queue

__all__ = [
    "SERVICES",
    "ROLES",
    "DESIGNS",
    "CALL_LATENCY_SECONDS",
    "CALL_TIMEOUT_SECONDS",
    "ENQUEUE_SECONDS",
    "SIM_VISIBILITY_TIMEOUT_SECONDS",
    "services_table",
    "roles_table",
    "simulate_checkout",
    "summarize",
    "summary_table",
    "backlog",
    "compare_designs",
    "plot_latency",
    "plot_failures",
    "plot_comparison",
    "plot_timeline",
    "TARGET_DESIGN",
    "create_target_design",
    "demo_add_consumer",
    "demo_retries_and_dlq",
    "demo_trace",
]

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


def compare_designs(env: Any, *, payment_latencies: tuple[float, ...] = (0.25, 1.0, 2.0),
                    outages: tuple[float, ...] = (0, 20, 40), orders: int = 30,
                    interval: float = 2.0, outage_start: float = 10.0,
                    seed: int = 42) -> pd.DataFrame:
    """Both designs over a sweep of payment latencies (no outage) and outage lengths.

    Parameters
    ----------
    env
        The environment.
    payment_latencies
        Median payments latencies to try, in seconds (with no outage).
    outages
        Outage lengths to try, in seconds, starting ``outage_start`` seconds in (with the
        first payment latency).
    orders, interval, seed
        As for :func:`simulate_checkout`.

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

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> fig = plot_latency(compare_designs(env, outages=(0,), orders=10))
    >>> fig.axes[0].get_xlabel()
    'median payments latency (s)'
    >>> _ = env.teardown()
    """
    _require_comparison(summary)
    fig, ax = new_figure(ax, (5.5, 3.6))
    calm = summary[summary["outage_s"] == 0]
    for design, part in calm.groupby("design", sort=False):
        ax.plot(part["payment_latency_s"], part["p95_latency_s"], "o-", label=design,
                color=_COLOURS[design])
    ax.set_xlabel("median payments latency (s)")
    ax.set_ylabel("checkout latency, p95 (s)")
    ax.set_title("What the customer waits")
    ax.legend()
    return fig


def plot_failures(summary: pd.DataFrame, ax: Any = None) -> Figure:
    """Share of failed checkouts against the length of a payments outage, both designs.

    Example
    -------
    >>> import helpers
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


# -- the target design and the three best practices -----------------------------------------
#: SecureCart's target design: the resources :func:`create_target_design` creates.
TARGET_DESIGN = {
    "queues": ("orders", "orders-dlq", "notifications", "analytics", "restock"),
    "topic": "order-status",
    "bus": "securecart",
    "rules": {"inventory-low": ("InventoryLow", "restock")},
    "max_receive_count": 3,
}


def create_target_design(env: Any) -> dict[str, str]:
    """Create SecureCart's target design on the backend (safe to run twice).

    The orders queue with its DLQ (``maxReceiveCount`` 3), the ``order-status`` topic fanned
    out to the notifications queue (filter: shipped or delivered) and the analytics queue (no
    filter), and the ``securecart`` event bus whose ``inventory-low`` rule routes
    InventoryLow events to the restock queue.

    Returns
    -------
    dict
        Short name -> URL or ARN of each resource.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> sorted(create_target_design(env))[:3]
    ['analytics', 'bus', 'inventory-low']
    >>> _ = env.teardown()
    """
    sns, events = env.client("sns"), env.client("events")
    made: dict[str, str] = {}
    dlq_url, dlq_arn = plain_queue(env, "orders-dlq")
    made["orders-dlq"] = dlq_url
    redrive = {"deadLetterTargetArn": dlq_arn,
               "maxReceiveCount": str(TARGET_DESIGN["max_receive_count"])}
    made["orders"] = plain_queue(env, "orders", {"RedrivePolicy": json.dumps(redrive),
                                                 "VisibilityTimeout": "30"})[0]
    topic = sns.create_topic(Name=TARGET_DESIGN["topic"])["TopicArn"]
    made["topic"] = topic
    filters = {"notifications": {"status": ["shipped", "delivered"]}, "analytics": None}
    for name, policy in filters.items():
        made[name] = subscribe_queue(env, topic, name, filter_policy=policy)
    bus = env.name(TARGET_DESIGN["bus"], "events")
    if not any(b["Name"] == bus for b in events.list_event_buses(NamePrefix=bus)["EventBuses"]):
        events.create_event_bus(Name=bus)
    made["bus"] = bus
    for rule, (detail_type, target) in TARGET_DESIGN["rules"].items():
        url, arn = plain_queue(env, target)
        made[target] = url
        rule_arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
            {"source": ["securecart.inventory"], "detail-type": [detail_type]}))["RuleArn"]
        allow_service_sends(env, url, arn, source_arn=rule_arn, principal="events.amazonaws.com")
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": target, "Arn": arn}])
        made[rule] = rule_arn
    return made


def _url(env: Any, name: str) -> str:
    try:
        return env.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as err:
        raise NotReadyError(
            f"Queue {name!r} does not exist yet: it belongs to SecureCart's target design. "
            "Run the `helpers.architecture.create_target_design(env)` cell first."
        ) from err


def _publish_status(env: Any, topic: str, order: dict, status: str, seq: int) -> None:
    detail = {"order_id": order["order_id"], "customer_id": order["customer_id"], "seq": seq,
              "status": status}
    with env.acting("orders"):
        env.client("sns").publish(TopicArn=topic, Message=json.dumps(detail), MessageAttributes={
            "status": {"DataType": "String", "StringValue": status}})


def demo_add_consumer(env: Any) -> pd.DataFrame:
    """No direct calls: add a consumer (loyalty) without touching the producer (orders).

    Orders publishes three status changes to the ``order-status`` topic, the same call before
    and after a ``loyalty`` queue subscribes; the table shows who received which status.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = create_target_design(env)
    >>> demo_add_consumer(env).loc["loyalty", "after"]
    'paid, shipped, delivered'
    >>> _ = env.teardown()
    """
    topic = _topic_arn(env)
    order = OrderGenerator(seed=env.seed).orders(1)[0]
    queues = ("notifications", "analytics", "loyalty")
    table: dict[str, dict[str, str]] = {q: {} for q in queues}
    for phase in ("before", "after"):
        if phase == "after":
            subscribe_queue(env, topic, "loyalty")  # the producer's code is unchanged
        for seq, status in enumerate(("paid", "shipped", "delivered"), start=1):
            _publish_status(env, topic, order, status, seq)
        for q in queues:
            got = drain(env, _url(env, q), actor=q) if phase == "after" or q != "loyalty" else []
            table[q][phase] = ", ".join(b["status"] for b in got) or "-"
    return pd.DataFrame(table).T.rename_axis("consumer queue")


def _topic_arn(env: Any) -> str:
    name = env.name(TARGET_DESIGN["topic"], "sns")
    for page in env.client("sns").get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return topic["TopicArn"]
    raise NotReadyError(
        f"Topic {TARGET_DESIGN['topic']!r} does not exist yet: it belongs to SecureCart's target "
        "design. Run the `helpers.architecture.create_target_design(env)` cell first."
    )


def demo_retries_and_dlq(env: Any, *, orders: int = 4, poison: int = 2) -> pd.DataFrame:
    """Design for failure: retries through the visibility timeout, then the DLQ.

    ``orders`` orders go on the ``orders`` queue; the payments worker cannot parse order
    number ``poison`` (a poison message). Each failed receive comes back after the 30-second
    visibility timeout; after ``maxReceiveCount`` (3) receives SQS moves it to ``orders-dlq``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``env.log`` for this demo (time, actor, action, queue, order number
        ``seq``, receive count ``attempt``, outcome), ending with an operator reading the DLQ.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = create_target_design(env)
    >>> log = demo_retries_and_dlq(env)
    >>> log[log["action"] == "move-to-dlq"]["seq"].tolist()
    [2]
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    url, dlq = _url(env, "orders"), _url(env, "orders-dlq")
    visibility = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                     ["Attributes"]["VisibilityTimeout"])
    drain(env, dlq, actor="operator")
    mark = env.log.mark()
    start = env.clock.elapsed()
    for seq in range(1, orders + 1):
        body = {"order_id": f"ord-{seq:05d}", "seq": seq, "total": 10.0 * seq}
        if seq == poison:
            body["total"] = "ten dollars"  # the worker cannot charge this
        with env.acting("orders"):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    for _ in range(TARGET_DESIGN["max_receive_count"] + 1):
        with env.acting("payments"):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=0).get("Messages", [])
            for message in messages:
                body = json.loads(message["Body"])
                if isinstance(body["total"], float | int):
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                else:
                    env.log.record(service="payments", action="fail", resource="payments",
                                   seq=body["seq"], outcome="error:total is not a number",
                                   actor="payments")
        env.sleep(visibility + 1)  # after the visibility timeout a failed message is back
    drain(env, dlq, actor="operator")  # an operator inspects the DLQ
    frame = env.log.to_frame(mark)
    frame = frame[frame["action"].isin(["send", "receive", "delete", "fail", "move-to-dlq"])]
    seqs = frame.dropna(subset=["message_id", "seq"]).set_index("message_id")["seq"]
    seqs = seqs[~seqs.index.duplicated()]
    frame = frame.assign(time=(frame["time"] - start).round(1),
                         resource=frame["resource"].str.removeprefix(env.prefix),
                         seq=frame["seq"].fillna(frame["message_id"].map(seqs)).astype("Int64"),
                         actor=frame["actor"].fillna("SQS"))
    return frame[["time", "actor", "action", "resource", "seq", "attempt", "outcome"]].reset_index(drop=True)


def demo_trace(env: Any, *, order_seq: int = 7) -> pd.DataFrame:
    """Event logs for tracing: follow one order through topic, queues and consumers.

    Orders publishes the order's ``shipped`` status (``seq`` = ``order_seq``); the
    notifications and analytics workers receive and delete it; the trace is every row of
    ``env.log`` with that ``seq``, in time order.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = create_target_design(env)
    >>> demo_trace(env)["action"].tolist()
    ['publish', 'receive', 'delete', 'receive', 'delete']
    >>> _ = env.teardown()
    """
    topic = _topic_arn(env)
    order = OrderGenerator(seed=env.seed).orders(1)[0]
    mark = env.log.mark()
    start = env.clock.elapsed()
    _publish_status(env, topic, order, "shipped", order_seq)
    for name in ("notifications", "analytics"):
        env.sleep(0.5)
        drain(env, _url(env, name), actor=name)
    frame = env.log.to_frame(mark)
    frame = frame[frame["seq"] == order_seq]
    frame = frame.assign(time=(frame["time"] - start).round(1),
                         resource=frame["resource"].str.removeprefix(env.prefix))
    return frame[["time", "actor", "service", "action", "resource", "outcome"]].reset_index(drop=True)
