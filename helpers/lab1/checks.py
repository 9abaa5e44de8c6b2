"""Lab 1 exercise checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..data import OrderGenerator
from ..platform import limits
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.idempotency import IdempotencyStore, make_batch_handler, record_body
from ..sqs.producer import send_orders

if TYPE_CHECKING:  # pragma: no cover

    from ..environment import Environment

from .common import PaymentGateway, _amount, _dlq_order_ids, _fresh_queue, _run_index
from .failures import _visibility_run

__all__ = ["check_dlq_config", "check_idempotent_handler", "check_visibility_timeout", "check_fifo_group"]

# -- exercises ---------------------------------------------------------------------------
def _verdict(passed: bool, message: str) -> bool:
    print(("✔ " if passed else "✘ ") + message)
    return passed


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)



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


