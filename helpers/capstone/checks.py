"""The capstone's checks: after each migration step the grader runs a day and the step's
requirements must hold (and the earlier steps' too: the system keeps working).

``check(env, "step 2")`` discovers the design, runs a seeded day with every failure and
returns a :class:`~helpers.course.checks.Verdict` whose cause is the first failed line's;
``hint(env, "step 2")`` gives the next tier of hint.

Example
-------
>>> sorted(STEPS)
['step 1', 'step 2', 'step 3', 'step 4']
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..course.checks import Exercise, HintBook, Hints, Verdict
from ..course.workspace import MISSING, caller_namespace
from .chaos import Chaos
from .discovery import discover
from .engine import Day
from .grader import REQUIREMENTS, Scorecard, score
from .traffic import day

__all__ = ["STEPS", "EXERCISES", "CHECK_ORDERS", "check", "hint"]

#: The orders of the day a step's check runs (a smaller day than the grader's full one).
CHECK_ORDERS = 400

#: The requirements each step adds.
STEPS = {
    "step 1": ("checkout", "lost", "dlq-only-poison", "twice", "order", "inflight"),
    "step 2": ("notify", "fanout", "security"),
    "step 3": ("restock",),
    "step 4": ("audit", "alarms"),
}

EXERCISES = {
    "step 1": Exercise("step 1", "orders queued in front of payments", Hints(
        concept="Checkout should only accept the order and queue it; payments reads the queue at "
                "its own pace. A customer's payments must stay in order, each order charged once, "
                "and an order that can never be charged must end somewhere you will see it.",
        api="create_queue(QueueName='...orders.fifo', Attributes={'FifoQueue': 'true', "
            "'RedrivePolicy': ..., 'VisibilityTimeout': '180'}); publish(..., group=customer id); "
            "once(order_id) in the handler; create_event_source_mapping(..., "
            "FunctionResponseTypes=['ReportBatchItemFailures']).",
        answer="helpers.capstone.designs.orders_front(env, events_arn=None) builds it; the "
               "instructor's cell above shows the boto3 calls.")),
    "step 2": Exercise("step 2", "order-status fan-out", Hints(
        concept="Each subscriber gets its own copy (its own queue), filtered to what it needs; "
                "security only hears about failed payments.",
        api="sns.create_topic; one queue per subscriber; sns.subscribe(Protocol='sqs', "
            "Attributes={'RawMessageDelivery': 'true', 'FilterPolicy': json.dumps({'type': [...]})}); "
            "set payments' EVENTS_ARN to the topic.",
        answer="See designs.sns_fanout: NEEDS lists each subscriber's event types.")),
    "step 3": Exercise("step 3", "fulfillment and restock", Hints(
        concept="Inventory, shipping, refunds and restock react to events (choreography), or a "
                "workflow calls them in turn (orchestration). Restock starts once per crossing.",
        api="Subscribe their queues with filters PaymentSucceeded / InventoryReserved / "
            "OutOfStock / InventoryLow, or an EventBridge rule starting a state machine.",
        answer="designs.sns_fanout (choreography) or designs.stepfunctions_fulfillment.")),
    "step 4": Exercise("step 4", "alarms and audit", Hints(
        concept="A DLQ nobody watches loses orders silently; the security team keeps its own "
                "copy of every event in its account.",
        api="cloudwatch.put_metric_alarm(Namespace='AWS/SQS', MetricName="
            "'ApproximateNumberOfMessagesVisible', Dimensions=[{'Name': 'QueueName', ...}]); "
            "a subscription or rule target whose ARN is in the security account.",
        answer="designs.dlq_alarm(env, name) for each DLQ; subscribe "
               "arn:aws:sqs:<region>:222222222222:securecart-audit.")),
}


#: Every step's ✘ names the call that works in the notebook: ``helpers.capstone.hint("step N")``.
EXERCISES = {key: dataclasses.replace(ex, module="helpers.capstone") for key, ex in EXERCISES.items()}


def _book(env: Any) -> HintBook:
    book = getattr(env, "_capstone_hints", None)
    if book is None:
        book = HintBook()
        env._capstone_hints = book
    return book


def _card(env: Any, orders: int, chaos: Chaos | None) -> Scorecard:
    rec = Day(discover(env), day(seed=env.seed, orders=orders), chaos=chaos, seed=env.seed).run()
    card = score(rec)
    card.record = rec
    return card


def _env_and_step(args: tuple[Any, ...]) -> tuple[Any, str]:
    """``("step N")`` with the notebook's ``env`` (as every lab's check reads it), or the older
    ``(env, "step N")``."""
    if len(args) == 1 and isinstance(args[0], str):
        return caller_namespace(3).get("env", MISSING), args[0]
    env, step = args
    return env, step


def check(*args: Any, orders: int = CHECK_ORDERS, chaos: Chaos | None = None) -> Verdict:
    """``check("step N")``: grade the design on the notebook's ``env`` for that step (and every
    step before it); ``check(env, "step N")`` names the environment."""
    env, step = _env_and_step(args)
    if step not in EXERCISES:
        return Exercise(step, "unknown step", Hints("", "", "")).blocked(
            "unknown-step", f"there is no {step!r}: use one of {', '.join(STEPS)}.")
    exercise = EXERCISES[step]
    if env is MISSING:
        return exercise.blocked("no-env", "run the `env = helpers.connect(...)` cell first.")
    if getattr(env, "closed", False):
        return exercise.blocked("closed", "the environment was torn down: run the "
                                "`env = helpers.connect(...)` cell again, then the steps.")
    keys = [k for s in STEPS if s <= step for k in STEPS[s]]
    card = _card(env, orders, chaos)
    if card.record.accepted == 0:
        return exercise.fail(_book(env), "no-checkout", "no order was accepted: deploy the `checkout` "
                             "function with your handler first.", counts=False)
    # Alarms come in step 4: until then an order in a DLQ counts as kept, alarm or not.
    failed = [card.line(k) for k in keys if not card.line(k).passed
              and not (step < "step 4" and card.line(k).cause == "missing-alarm")]
    met = len(keys) - len(failed)
    if not failed:
        return exercise.ok(_book(env), f"{met}/{len(keys)} requirements met over a day of "
                           f"{len(card.record.orders):,} orders with every failure.")
    first = failed[0]
    return exercise.fail(_book(env), first.cause or "failed",
                         f"{met}/{len(keys)} met; {REQUIREMENTS[first.key]}: {first.numbers}. "
                         f"Cause: {first.why}")


def hint(*args: Any) -> str:
    """``hint("step N")`` (or ``hint(env, "step N")``): the next tier of hint for that step."""
    env, step = _env_and_step(args)
    if env is MISSING:
        return "Run the `env = helpers.connect(...)` cell first."
    if step not in EXERCISES:
        return f"There is no {step!r}: use one of {', '.join(STEPS)}."
    return EXERCISES[step].hint(_book(env))
