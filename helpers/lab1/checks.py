"""Lab 1 exercise checks: each runs a scenario that tells the right answer from the wrong ones.

Every check returns a :class:`~helpers.course.checks.Verdict` (truthy on a pass, its repr the
text a student reads, ``cause`` a stable key) and keeps its hint tier in the environment's
:class:`~helpers.course.checks.HintBook` (:func:`helpers.lab1.exercises.book`).

=================  ==========================================================================
exercise           what the scenario does, and the wrong answers it catches
=================  ==========================================================================
1 maxReceiveCount  40 orders, a 35-s payment-provider outage on a 10-s visibility timeout
                   (every order fails 4 times, then succeeds) and 2 poison orders that must
                   reach the DLQ within 2 minutes: catches 1-4 (healthy orders parked) and
                   12 or more (poison cycles too long).
2 idempotency      30 payments on a standard queue with duplicates (emulated on moto),
                   crashes before delete, 6 producer resends (new messageId, same order_id)
                   and 3 provider time-outs: catches no idempotency, a messageId key, a key
                   payments share, a failure remembered as done, records kept only in memory.
3 visibility       6 payments (45 s, every third 60 s) on 8 consumers, one payment per
                   receive, a 0.5-s round trip per SQS call: a consumer is always free when
                   a payment reappears, so 45, 55, 59 and 60 s all charge twice; a crashed
                   consumer's payment must be retried within 10 minutes.
4 FIFO             60 payments of 6 customers, 6 resent, 3 consumers: catches a missing or
                   shared group, a group per order, a missing or changing deduplication id,
                   and a deduplication id payments share (customer_id: payments dropped).
=================  ==========================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..data import OrderGenerator
from ..platform import limits
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.idempotency import make_batch_handler, record_body
from ..sqs.producer import send_orders
from .common import PaymentGateway, TwoInstances, _amount, _dlq_order_ids, _fresh_queue, _run_index
from .exercises import EXERCISES, book, guard, stale

if TYPE_CHECKING:  # pragma: no cover
    from ..course.checks import Verdict
    from ..environment import Environment

__all__ = ["check_dlq_config", "check_idempotent_handler", "check_visibility_timeout",
           "check_fifo_group", "DLQ_CHECK_OUTAGE_SECONDS", "DLQ_CHECK_VISIBILITY_SECONDS",
           "DLQ_CHECK_POISON_DEADLINE_SECONDS", "VISIBILITY_CHECK_PROCESSING_SECONDS",
           "VISIBILITY_CHECK_SLOWEST_SECONDS", "VISIBILITY_CHECK_RECOVERY_SECONDS"]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- exercise 1 ---------------------------------------------------------------------------
#: The DLQ exercise's scenario: a payment-provider outage (transient) and poison orders.
DLQ_CHECK_OUTAGE_SECONDS = 35
DLQ_CHECK_VISIBILITY_SECONDS = 10
#: Poison orders must reach the DLQ within this many seconds (the on-call alarm watches it).
DLQ_CHECK_POISON_DEADLINE_SECONDS = 120


def check_dlq_config(env: Environment, max_receive_count: Any, *, seed: int = 7) -> Verdict:
    """Exercise 1: is ``max_receive_count`` a sound ``maxReceiveCount`` for a queue behind Lambda?

    40 orders through a queue with a 10-s visibility timeout and that redrive policy: the
    payment provider is down for the first 35 s (each order fails on its first 4 receives,
    then succeeds) and 2 orders are poison. Right: only the poison orders reach the DLQ, and
    within 2 minutes. The Lambda developer guide's rule: ``maxReceiveCount`` at least 5.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> check_dlq_config(env, 1).cause
    'too-low'
    >>> bool(check_dlq_config(env, 5))
    True
    >>> _ = env.teardown()
    """
    ex = EXERCISES["exercise 1"]
    blocked = guard(env, ex)
    if blocked is not None:
        return blocked
    hints = book(env)
    low, high = limits.SQS_MIN_MAX_RECEIVE_COUNT, limits.SQS_MAX_MAX_RECEIVE_COUNT
    if max_receive_count is None:
        return ex.fail(hints, "missing", "MAX_RECEIVE_COUNT is still None: set it to how many "
                       "receives an order gets before SQS moves it to the DLQ.", counts=False)
    if not _whole(max_receive_count):
        return ex.fail(hints, "not-a-count", f"MAX_RECEIVE_COUNT={max_receive_count!r} is not a "
                       f"whole number: maxReceiveCount counts receives ({low} to {high:,}).")
    n = max_receive_count
    if not low <= n <= high:
        return ex.fail(hints, "out-of-range", f"maxReceiveCount={n} is outside what SQS accepts "
                       f"in a RedrivePolicy ({low} to {high:,}).")
    batch = OrderGenerator(seed=seed).orders(40, customers=20)
    poison = {batch[5]["order_id"], batch[25]["order_id"]}
    for order in batch:
        if order["order_id"] in poison:
            order["currency"] = "EUR"
    vt = DLQ_CHECK_VISIBILITY_SECONDS
    queue = _fresh_queue(env, "check-dlq", max_receive_count=n, visibility_timeout=vt)
    gateway = PaymentGateway()
    started = env.clock.elapsed()

    def charge_payment(record: Any) -> None:
        order = record_body(record)
        if env.clock.elapsed() - started < DLQ_CHECK_OUTAGE_SECONDS:
            raise ConnectionError("payment provider unavailable (outage)")
        if order["currency"] != "USD":
            raise ValueError(f"unsupported currency {order['currency']!r}")
        gateway.charge(order["order_id"], _amount(order))

    send_orders(env, queue, batch)
    report = run_consumers(env, queue, make_batch_handler(charge_payment, idempotency=env),
                           workers=2, batch_size=10,
                           max_seconds=DLQ_CHECK_POISON_DEADLINE_SECONDS + 60)
    in_dlq = set(_dlq_order_ids(env, queue))
    healthy_in_dlq = sorted(in_dlq - poison)
    failures = math.ceil(DLQ_CHECK_OUTAGE_SECONDS / vt)
    outage = (f"a {DLQ_CHECK_OUTAGE_SECONDS}-s provider outage ({failures} failed receives per "
              f"order at a {vt}-s visibility timeout)")
    if healthy_in_dlq:
        return ex.fail(hints, "too-low", f"maxReceiveCount={n}: {len(healthy_in_dlq)} healthy "
                       f"orders ended in the DLQ (e.g. {healthy_in_dlq[0]}) after {outage}: SQS "
                       f"moved each when its receive count passed {n}, before the provider was back.")
    took = report.elapsed
    deadline = DLQ_CHECK_POISON_DEADLINE_SECONDS
    if poison - in_dlq and report.stopped == "max_seconds":
        return ex.fail(hints, "too-slow", f"maxReceiveCount={n}: after {took:.0f} s the 2 poison "
                       f"orders were still cycling (received every {vt} s, a consumer each time); "
                       f"the alarm wants them in the DLQ within {deadline} s.")
    if poison - in_dlq:
        return ex.fail(hints, "no-dlq", f"maxReceiveCount={n}: the poison orders "
                       f"{sorted(poison - in_dlq)} did not reach the DLQ.")
    if took > deadline:
        return ex.fail(hints, "too-slow", f"maxReceiveCount={n}: the 2 poison orders were received "
                       f"{n} times each and reached the DLQ only after {took:.0f} s (the alarm "
                       f"wants them within {deadline} s); every receive cost a consumer.")
    healthy = len(batch) - len(poison)
    return ex.ok(hints, f"maxReceiveCount={n}: the {len(poison)} poison orders reached the DLQ "
                 f"after {n} receives ({took:.0f} s at a {vt}-s visibility timeout, within "
                 f"{deadline} s), and the {healthy} healthy orders survived {outage}.")


# -- exercise 2 ---------------------------------------------------------------------------
#: Payments of the idempotency exercise, resent by the producer, and provider time-outs.
IDEMPOTENCY_CHECK_PAYMENTS = 30
IDEMPOTENCY_CHECK_RESENDS = 6
IDEMPOTENCY_CHECK_TIMEOUTS = 3


def _stored_records(env: Environment) -> int:
    """Items in the DynamoDB tables a handler may keep its idempotency records in.

    On moto every table of the account (a student's own table counts); on AWS only this run's
    tables, so the check never scans someone else's.
    """
    ddb = env.client("dynamodb")
    total = 0
    for page in ddb.get_paginator("list_tables").paginate():
        for table in page["TableNames"]:
            if not env.emulated and not table.startswith(env.prefix):
                continue
            for part in ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
                total += part["Count"]
    return total


def check_idempotent_handler(env: Environment, handler: Any, gateway: Any, *,
                             seed: int = 11) -> Verdict:
    """Exercise 2: does ``handler`` charge every payment exactly once?

    30 payments (new order ids on every call) on a standard queue with duplicates (20 %,
    emulated on moto) and consumers that crash before deleting (10 %); the producer resends 6
    payments (a new message, a new ``messageId``, the same ``order_id``) and the provider
    times out on the first charge of 3 payments. ``handler`` is called as Lambda calls it;
    ``gateway`` counts the charges.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> gateway = PaymentGateway(env)
    >>> charge = lambda r: gateway.charge(record_body(r)["order_id"], 1.0)
    >>> check_idempotent_handler(env, make_batch_handler(charge), gateway).cause
    'not-idempotent'
    >>> bool(check_idempotent_handler(env, make_batch_handler(charge, idempotency=env), gateway))
    True
    >>> _ = env.teardown()
    """
    ex = EXERCISES["exercise 2"]
    blocked = guard(env, ex)
    if blocked is not None:
        return blocked
    hints = book(env)
    if handler is None:
        return ex.fail(hints, "missing", "payment_handler is still None: write "
                       "payment_handler(event, context).", counts=False)
    if not callable(handler):
        return ex.fail(hints, "not-a-handler", f"payment_handler={handler!r} is not a function: "
                       "Lambda calls a handler as handler(event, context).")
    if not isinstance(gateway, PaymentGateway):
        return ex.blocked("no-gateway", "pass the PaymentGateway your handler charges: "
                          'helpers.lab1.check("exercise 2") finds `gateway` in the notebook.')
    old = stale(env, ex, {"gateway": gateway, "payment_handler": handler})
    if old is not None:
        return old
    per_run = IDEMPOTENCY_CHECK_PAYMENTS
    # The same 30 payments on every run; from the second run on, their ids carry the run number,
    # so what an earlier run stored (Powertools records, the student's own table) cannot decide
    # this one: the same answer gets the same verdict however often the cell runs.
    run = _run_index(env, "check-idempotent")
    payments = OrderGenerator(seed=seed).payments(per_run, customers=10)
    if run:
        for p in payments:
            p["order_id"] = f"{p['order_id']}-{run + 1}"
    resent = [p["order_id"] for p in payments[::per_run // IDEMPOTENCY_CHECK_RESENDS]]
    timeouts = {p["order_id"] for p in payments[2::per_run // IDEMPOTENCY_CHECK_TIMEOUTS]}
    scenario = Scenario(seed=seed, duplicate_rate=0.2, crash_before_delete=0.1)
    mark = env.log.mark()
    queue = _fresh_queue(env, "check-idempotent")
    gateway.reset()
    gateway.fail_once.update(timeouts)
    lambdas = TwoInstances(handler, gateway, probe=payments[1]["order_id"])
    stored_before = _stored_records(env)
    send_orders(env, queue, payments)
    send_orders(env, queue, [p for p in payments if p["order_id"] in resent])
    try:
        run_consumers(env, queue, lambdas, workers=2, batch_size=10, scenario=scenario)
    finally:
        gateway.on_charge = None
    frame = env.log.to_frame(mark)
    receives = frame[frame["action"] == "receive"]
    again = int(receives.duplicated("message_id").sum())
    twice = [p["order_id"] for p in payments if gateway.charges[p["order_id"]] > 1]
    never = [p["order_id"] for p in payments if gateway.charges[p["order_id"]] == 0]
    faults = (f"{scenario.describe(env).split(': ', 1)[1]}; {len(resent)} producer resends; "
              f"{len(timeouts)} provider time-outs")
    sequential = [o for o in twice if o != lambdas.probe or gateway.charges[o] > 2]
    if not sequential and lambdas.probe_charged_twice:
        return ex.fail(hints, "in-flight", f"payment {lambdas.probe} was charged twice: SQS delivered "
                       "it again while the first copy was still being charged (at-least-once "
                       "delivery, another Lambda instance), and the second copy found no record "
                       "yet. Record the payment as in progress before charging, atomically.")
    if twice and all(lambdas.charged_by[o] == {0, 1} for o in twice):
        return ex.fail(hints, "module-state", f"{len(twice)} of {len(payments)} payments were charged "
                       f"once by each of two Lambda instances (e.g. {twice[0]}): what one instance "
                       "remembered in its memory, the other never saw. Lambda runs many instances; "
                       "remember charges in a store they share.")
    if twice:
        extra = sum(gateway.charges[o] - 1 for o in twice)
        if set(twice) <= set(resent):
            return ex.fail(hints, "message-id-key", f"{len(twice)} of {len(payments)} payments were "
                           f"charged twice, all of them ones the producer resent (e.g. {twice[0]}); "
                           f"SQS's own {again} redeliveries were skipped. A resend is a new message "
                           "with a new messageId: the key must be the payment's own id.")
        return ex.fail(hints, "not-idempotent", f"{len(twice)} of {len(payments)} payments were "
                       f"charged more than once ({extra} extra charges, e.g. {twice[0]} "
                       f"{gateway.charges[twice[0]]} times): SQS delivered {again} payments again "
                       f"({faults}) and the handler charged each delivery.")
    if never:
        failed = frame[frame["action"] == "fail"]
        parked = set(_dlq_order_ids(env, queue)) & set(never)
        if 2 * len(parked) > len(never) or not (frame["action"] == "process").any():
            why = failed["detail"].dropna()
            why = f": {why.iloc[0]}" if len(why) else " (see batchItemFailures)"
            return ex.fail(hints, "handler-error", f"{len(never)} of {len(payments)} payments were "
                           f"never charged ({len(parked)} ended in the DLQ): the handler "
                           f"failed{why}")
        if set(never) <= timeouts:
            return ex.fail(hints, "failure-swallowed", f"{len(never)} of {len(payments)} payments "
                           f"were never charged (e.g. {never[0]}): their first charge timed out, "
                           "and the handler reported success (or remembered them as done), so "
                           "SQS never retried them.")
        return ex.fail(hints, "key-too-coarse", f"{len(never)} of {len(payments)} payments were "
                       f"never charged (e.g. {never[0]}): they were skipped as repeats of other "
                       "payments. The key must tell two payments apart.")
    stored = _stored_records(env) - stored_before
    if stored < len(payments):
        return ex.fail(hints, "not-persisted", f"each payment was charged once, but the DynamoDB "
                       f"tables gained {stored} records for {len(payments)} payments: what the "
                       "handler remembered lives in Python memory, gone when Lambda recycles the "
                       "instance (a deploy, a cold start) while SQS may still redeliver. Persist "
                       "one idempotency record per payment in a table.")
    return ex.ok(hints, f"{len(payments)} payments, {again} redeliveries by SQS ({faults}): "
                 "each payment was charged once, the timed-out ones on their retry.")


# -- exercise 3 ---------------------------------------------------------------------------
VISIBILITY_CHECK_PROCESSING_SECONDS = 45.0
VISIBILITY_CHECK_SLOWEST_SECONDS = 60.0
#: A crashed consumer's payment must be retried within this many seconds.
VISIBILITY_CHECK_RECOVERY_SECONDS = 600
#: The modelled round trip of each SQS call (the delete lands this long after processing).
VISIBILITY_CHECK_CALL_SECONDS = 0.5


@dataclass
class _Timed(Scenario):
    """The visibility check's faults: every third payment is slow; optionally one crash."""

    slow_every: int = 3
    crash_first: bool = False

    def processing_time(self, normal: float) -> float:
        self._calls = getattr(self, "_calls", 0) + 1
        return self.slow_seconds if self._calls % self.slow_every == 0 else normal

    def crashes(self) -> bool:
        first, self.crash_first = self.crash_first, False
        return first

    def reset(self) -> None:
        super().reset()
        self._calls = 0


def _visibility_scenario(env: Environment, timeout: int, *, payments: int, workers: int,
                         crash: bool, seed: int) -> tuple[PaymentGateway, Any, float]:
    orders = OrderGenerator(seed=seed).orders(payments, customers=payments)
    queue = _fresh_queue(env, "check-visibility", visibility_timeout=timeout, max_receive_count=10)
    gateway = PaymentGateway()
    charge = lambda record: gateway.charge(record_body(record)["order_id"], 1.0)  # noqa: E731
    send_orders(env, queue, orders)
    mark = env.log.mark()
    run_consumers(env, queue, make_batch_handler(charge), workers=workers, batch_size=1,
                  max_seconds=VISIBILITY_CHECK_RECOVERY_SECONDS + 120,
                  processing_seconds=VISIBILITY_CHECK_PROCESSING_SECONDS,
                  api_call_seconds=VISIBILITY_CHECK_CALL_SECONDS,
                  scenario=_Timed(seed=seed, slow_seconds=VISIBILITY_CHECK_SLOWEST_SECONDS,
                                  crash_first=crash))
    frame = env.log.to_frame(mark)
    received = frame[frame["action"] == "receive"]["time"]
    start = frame["time"].min() if len(frame) else 0.0
    retried = float(received.iloc[1] - start) if len(received) > 1 else math.inf
    return gateway, orders, retried


def check_visibility_timeout(env: Environment, visibility_timeout: Any, *, seed: int = 5) -> Verdict:
    """Exercise 3: does ``visibility_timeout`` stop double charges and still recover a crash?

    6 payments (45 s each, every third 60 s) on 8 consumers, one payment per receive, with a
    0.5-s round trip per SQS call, and a handler that is not idempotent: any payment that
    reappears before its delete lands is charged twice, because a consumer is always free.
    Then one payment whose consumer crashes before deleting must be retried within 10 minutes.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> check_visibility_timeout(env, 59).cause
    'too-short'
    >>> bool(check_visibility_timeout(env, 90))
    True
    >>> _ = env.teardown()
    """
    ex = EXERCISES["exercise 3"]
    blocked = guard(env, ex)
    if blocked is not None:
        return blocked
    hints = book(env)
    if visibility_timeout is None:
        return ex.fail(hints, "missing", "VISIBILITY_TIMEOUT is still None: set it in seconds.",
                       counts=False)
    if not _whole(visibility_timeout):
        return ex.fail(hints, "not-seconds", f"VISIBILITY_TIMEOUT={visibility_timeout!r} is not a "
                       "whole number of seconds (the VisibilityTimeout attribute is an integer).")
    t = visibility_timeout
    top = limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS
    if not 0 <= t <= top:
        return ex.fail(hints, "out-of-range", f"VISIBILITY_TIMEOUT={t} is outside what SQS accepts "
                       f"(0 to {top:,} s).")
    normal, slowest = VISIBILITY_CHECK_PROCESSING_SECONDS, VISIBILITY_CHECK_SLOWEST_SECONDS
    gateway, orders, _ = _visibility_scenario(env, t, payments=6, workers=8, crash=False, seed=seed)
    twice = gateway.charged_twice()
    if twice:
        return ex.fail(hints, "too-short", f"VisibilityTimeout={t} s: {len(twice)} of {len(orders)} "
                       f"payments were charged twice. Processing takes {normal:g} s (some "
                       f"{slowest:g} s, and the delete lands {VISIBILITY_CHECK_CALL_SECONDS:g} s "
                       "later); the payment reappeared first and a free consumer took it.")
    _, _, retried = _visibility_scenario(env, t, payments=1, workers=2, crash=True, seed=seed)
    limit = VISIBILITY_CHECK_RECOVERY_SECONDS
    if math.isinf(retried) or round(retried) > limit:
        return ex.fail(hints, "too-long", f"VisibilityTimeout={t} s: no double charge, but a "
                       f"crashed consumer's payment stayed hidden for {t:,} s and was retried only "
                       f"after {min(retried, t):,.0f} s (the shop wants a retry within {limit} s).")
    return ex.ok(hints, f"VisibilityTimeout={t} s: no payment was charged twice (processing "
                 f"{normal:g} s, slowest {slowest:g} s), and a crashed consumer's payment was "
                 f"retried after {retried:.0f} s.")


# -- exercise 4 ---------------------------------------------------------------------------
def _send_error(err: Any) -> tuple[str, str]:
    message = err.response.get("Error", {}).get("Message", str(err))
    cause = ("missing-group" if "MessageGroupId" in message else
             "missing-dedup" if "eduplication" in message else "rejected")
    return cause, message if message.endswith(".") else message + "."


def check_fifo_group(env: Environment, payment_message: Any, *, seed: int = 3) -> Verdict:
    """Exercise 4: do the FIFO send parameters keep order per customer and charge each payment once?

    ``payment_message(payment)`` returns the ``SendMessage`` parameters (without ``QueueUrl``)
    for one payment. 60 payments of 6 customers go to a FIFO queue, the first 6 are sent once
    more (a producer retry after a timeout), and 3 consumers process them.

    Example
    -------
    >>> import helpers, json
    >>> env = helpers.connect(quiet=True)
    >>> check_fifo_group(env, lambda p: {"MessageBody": json.dumps(p)}).cause
    'missing-group'
    >>> _ = env.teardown()
    """
    from botocore.exceptions import ClientError, ParamValidationError

    ex = EXERCISES["exercise 4"]
    blocked = guard(env, ex)
    if blocked is not None:
        return blocked
    hints = book(env)
    if payment_message is None or not callable(payment_message):
        return ex.fail(hints, "missing", "payment_message must be a function payment -> "
                       "SendMessage parameters.", counts=payment_message is not None)
    payments = OrderGenerator(seed=seed).payments(60, customers=6)
    try:
        params = [payment_message(dict(p)) for p in payments]
        retries = [payment_message(dict(p)) for p in payments[:6]]
    except Exception as exc:  # the student's code
        return ex.fail(hints, "raised", f"payment_message raised {type(exc).__name__}: {exc}")
    if not all(isinstance(p, dict) and isinstance(p.get("MessageBody"), str) for p in params):
        return ex.fail(hints, "no-body", "payment_message must return a dict with 'MessageBody' "
                       "(the payment as JSON text).")
    customers_of: dict[str, set[str]] = {}
    groups_of: dict[str, set[str]] = {}
    for payment, p in zip(payments, params, strict=True):
        group = str(p.get("MessageGroupId"))
        customers_of.setdefault(group, set()).add(payment["customer_id"])
        groups_of.setdefault(payment["customer_id"], set()).add(group)
    mark = env.log.mark()
    queue = _fresh_queue(env, "check-fifo", fifo=True)
    sqs = env.client("sqs")
    try:
        with env.acting("producer"):
            for p in [*params, *retries]:
                sqs.send_message(QueueUrl=queue.url, **p)
    except ClientError as err:
        cause, message = _send_error(err)
        return ex.fail(hints, cause, f"SQS rejected the send: {message}")
    except ParamValidationError as err:
        return ex.fail(hints, "bad-parameters", f"boto3 rejected the parameters: {err}")
    split = {c: g for c, g in groups_of.items() if len(g) > 1}
    if split:
        customer, groups = sorted(split.items())[0]
        return ex.fail(hints, "group-per-order", f"the payments of customer {customer} went to "
                       f"{len(groups)} message groups: FIFO keeps order only within a group, so "
                       "one customer's payments can be processed out of order.")
    shared = {g: c for g, c in customers_of.items() if len(c) > 1}
    if shared:
        group, customers = sorted(shared.items())[0]
        return ex.fail(hints, "shared-group", f"message group {group!r} holds the payments of "
                       f"{len(customers)} customers: SQS hands out one in-flight batch per group, "
                       "so unrelated customers wait on each other and extra consumers sit idle.")
    gateway = PaymentGateway()
    processed: list[tuple[str, int]] = []

    def charge_payment(record: Any) -> None:
        payment = record_body(record)
        processed.append((payment["customer_id"], payment["seq"]))
        gateway.charge(payment["order_id"], _amount(payment))

    run_consumers(env, queue, make_batch_handler(charge_payment), workers=3, batch_size=10,
                  processing_seconds=1.0)
    twice = gateway.charged_twice()
    if twice:
        return ex.fail(hints, "dedup-differs", f"{len(twice)} payments were charged twice after the "
                       "producer resent them: the two sends of one payment had different "
                       "deduplication ids, so SQS accepted both.")
    never = [p["order_id"] for p in payments if gateway.charges[p["order_id"]] == 0]
    if never:
        return ex.fail(hints, "dedup-too-coarse", f"{len(never)} of {len(payments)} real payments "
                       f"were never charged (e.g. {never[0]}): SQS dropped them as duplicates "
                       "because they shared a deduplication id with an earlier, different payment.")
    last: dict[str, int] = {}
    late = 0
    for customer, seq in processed:
        late += seq < last.get(customer, 0)
        last[customer] = max(seq, last.get(customer, 0))
    if late:
        return ex.fail(hints, "out-of-order", f"{late} payments were processed after a later "
                       "payment of the same customer.")
    dropped = env.log.counts(mark).get("deduplicate", 0) if env.emulated else len(retries)
    return ex.ok(hints, f"{len(payments)} payments of {len(groups_of)} customers in "
                 f"{len(customers_of)} groups, each customer's in order on 3 consumers; "
                 f"{dropped} resent payments dropped as duplicates; every payment charged once.")
