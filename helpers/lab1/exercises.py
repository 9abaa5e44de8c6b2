"""Lab 1's four exercises: their hints, the hint book per environment, and ``check``/``hint``.

A notebook check cell reads ``helpers.lab1.check("exercise 3")``: it finds ``env`` and the
names the exercise needs (``VISIBILITY_TIMEOUT``) in the notebook, says which cell to run
when one is missing or the environment was torn down (one line, no traceback), and otherwise
runs the exercise's check (:mod:`helpers.lab1.checks`). ``helpers.lab1.hint("exercise 3")``
shows the next hint tier; the answer comes only at the third.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> print(hint("exercise 1", env=env))
Hint 1/3 (concept) for exercise 1: A redrive policy is for messages that can never succeed...
>>> _ = env.teardown()
>>> from helpers.lab1 import check
>>> check("exercise 1", namespace={"env": env, "MAX_RECEIVE_COUNT": 5})
✘ exercise 1 (maxReceiveCount): the environment was torn down (by the notebook's last cell). Run the `env = helpers.connect(...)` cell, then this cell again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..course.checks import Exercise, HintBook, Hints, Verdict
from ..course.grading import HintText, Workbook, book_of
from ..course.workspace import MISSING, caller_namespace, reachable, stale_names

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

#: Per exercise, fragments of the answer that no concept/API hint and no ✘ may contain.
ANSWER_TOKENS = {
    "exercise 1": ("at least 5", '"maxReceiveCount": "5"', "MAX_RECEIVE_COUNT = 5"),
    "exercise 2": ('event_key_jmespath="order_id"', "IdempotencyConfig(event_key_jmespath=\"order_id"),
    "exercise 3": ('"90"', "= 90"),
    "exercise 4": ('MessageGroupId=payment["customer_id"]', 'MessageDeduplicationId=payment["order_id"]'),
}

__all__ = ["ANSWER_TOKENS", "EXERCISES", "NEEDS", "WORKBOOK", "book", "guard", "stale", "hint", "HintText", "exercise"]

_MODULE = "helpers.lab1"

EXERCISES: dict[str, Exercise] = {
    "exercise 1": Exercise("exercise 1", "maxReceiveCount", Hints(
        concept="A redrive policy is for messages that can never succeed. A transient failure "
                "(a provider outage, a throttled Lambda) also costs a receive each time: leave "
                "room for those, and no more room than the poison needs.",
        api="sqs.set_queue_attributes(QueueUrl=..., Attributes={\"RedrivePolicy\": <JSON text>}) "
            "with deadLetterTargetArn and maxReceiveCount; the Lambda developer guide gives a "
            "minimum maxReceiveCount for a queue behind Lambda: look it up, and compare it with "
            "the failed receives an outage costs.",
        answer="sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={\"RedrivePolicy\": "
               "json.dumps({\"deadLetterTargetArn\": dlq_arn, \"maxReceiveCount\": \"5\"})})  "
               "# MAX_RECEIVE_COUNT = 5"), module=_MODULE),
    "exercise 2": Exercise("exercise 2", "idempotent payment handler", Hints(
        concept="A payment can arrive twice: SQS redelivers the same message, and a producer "
                "that timed out sends the same payment again as a new message. Remember which "
                "payments were charged, by something that identifies the payment itself, and "
                "only once the charge succeeded.",
        api="Powertools: idempotent_function(data_keyword_argument=..., config="
            "IdempotencyConfig(event_key_jmespath=...), persistence_store="
            "DynamoDBPersistenceLayer(table_name=helpers.sqs.idempotency_table(env), "
            "boto3_client=env.client(\"dynamodb\"))) around the charge, called from the "
            "record handler of process_partial_response.",
        answer="@idempotent_function(data_keyword_argument=\"payment\", config="
               "IdempotencyConfig(event_key_jmespath=\"order_id\"), persistence_store=persistence) "
               "on charge(payment); record_handler calls charge(payment=json.loads(record.body)); "
               "let exceptions propagate so a failed charge is retried."), module=_MODULE),
    "exercise 3": Exercise("exercise 3", "visibility timeout", Hints(
        concept="While a consumer works on a message, SQS hides it for the visibility "
                "timeout. If the work (and the delete) is not done by then, the message "
                "reappears and a free consumer takes it: a second charge. A crashed consumer's "
                "message also stays hidden that long.",
        api="sqs.set_queue_attributes(QueueUrl=..., Attributes={\"VisibilityTimeout\": <seconds "
            "as a string, 0 to 43,200>}); ChangeMessageVisibility extends one message (a heartbeat). "
            "Compare it with the slowest processing time plus the delete, not the average.",
        answer="sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={\"VisibilityTimeout\": "
               "\"90\"})  # above the slowest 60 s with a margin"), module=_MODULE),
    "exercise 4": Exercise("exercise 4", "FIFO send parameters", Hints(
        concept="A FIFO queue keeps order within a message group and processes groups in "
                "parallel; it drops a message whose deduplication id it saw in the last 5 "
                "minutes. One group per thing whose order matters; one deduplication id per "
                "payment, the same on every resend.",
        api="SendMessage(QueueUrl, MessageBody, MessageGroupId=..., MessageDeduplicationId=...): "
            "which field of the payment is the same for all payments of one customer, and which "
            "is different for every payment but the same when it is resent?",
        answer="MessageGroupId=payment[\"customer_id\"], "
               "MessageDeduplicationId=payment[\"order_id\"]"), module=_MODULE),
}

#: Per exercise: the names its check reads from the notebook, and the cell that defines them.
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "exercise 1": (("configure_dlq|MAX_RECEIVE_COUNT", "Exercise 1's cell"),),
    "exercise 2": (("gateway", "the cell `gateway = helpers.lab1.PaymentGateway(env)`"),
                   ("payment_handler", "Exercise 2's cell")),
    "exercise 3": (("set_visibility_timeout|VISIBILITY_TIMEOUT", "Exercise 3's cell"),),
    "exercise 4": (("payment_message", "Exercise 4's cell"),),
}

#: Lab 1's exercises with their checks (registered by :mod:`helpers.lab1.checks`).
WORKBOOK = Workbook(_MODULE, EXERCISES, {})


def book(env: Environment) -> HintBook:
    """This environment's hint book (a fresh ``connect()`` starts at the concept hints)."""
    return book_of(env, _MODULE)


def guard(env: Any, ex: Exercise) -> Verdict | None:
    """A one-line ✘ when ``env`` is not an open environment, else ``None``."""
    return WORKBOOK.guard(env, ex)


def stale(env: Environment, ex: Exercise, objects: dict[str, Any]) -> Verdict | None:
    """A one-line ✘ naming the first object (or object a handler uses) of an earlier connect()."""
    found = dict(objects)
    for obj in objects.values():
        if callable(obj):
            found.update(reachable(obj))
    names = stale_names(env, found)
    if not names:
        return None
    return ex.blocked("stale", f"`{names[0]}` was made for an earlier `helpers.connect()`: re-run "
                      f"the cell that creates `{names[0]}` (and the cells after it that use it), "
                      "then this cell.")


def exercise(key: str) -> Exercise:
    """The exercise named ``key`` (``"exercise 3"``); one clear error for an unknown key."""
    return WORKBOOK.exercise(key)


def hint(key: str, *, env: Any = None) -> HintText:
    """The next hint tier of exercise ``key`` (the answer only at the third).

    ``env`` defaults to the notebook's ``env``; the hint book belongs to it.
    """
    return WORKBOOK.hint(key, env=caller_namespace().get("env", MISSING) if env is None else env)
