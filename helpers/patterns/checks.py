"""Notebook 09 exercises: the idempotency key, the outbox publisher, async error handling, the
workflow type. ``check(env, "exercise N", answer)`` runs a fresh scenario; ``hint(env, key)``.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> check(env, "exercise 4", {"fulfillment": "STANDARD", "click-enrichment": "EXPRESS"})
✔ exercise 4 (Standard or Express): fulfillment runs once per order and may wait a day (Standard, $89.90/month); click-enrichment is short and re-runnable (Express, $78.75/month instead of $5,999.90).
>>> _ = env.teardown()
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from typing import TYPE_CHECKING, Any

import jmespath
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent
from botocore.exceptions import ClientError

from ..course.checks import Exercise, HintBook, Hints, Verdict
from ..course.grading import Workbook, book_of
from ..course.workspace import MISSING, caller_namespace
from ..platform.errors import InvalidPolicyDocumentError
from ..rules.iam import Request, evaluate
from ..sns.lambdas import create_function
from ..sns.subscriptions import subscribe_lambda
from ..sqs import create_queue
from ..sqs.idempotency import persistence_layer
from ..stepfunctions import deploy_function
from . import access, invocation, outbox, workflows

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["check", "hint", "EXERCISES", "WORKBOOK", "check_idempotency_key", "check_outbox_publisher",
           "check_async_config", "check_workflow_types", "check_key_policy"]

_MODULE = "helpers.patterns"

EXERCISES = {
    "exercise 1": Exercise("exercise 1", "the idempotency key of an SNS-triggered handler", Hints(
        concept="The key must be the same for every copy of one order and differ between orders: an id the "
                "producer chose, not one SNS made for this publish.",
        api="IdempotencyConfig(event_key_jmespath=...) reads the Lambda event; the order is JSON text in "
            "Records[0].Sns.Message, and Powertools' powertools_json() parses it inside the expression.",
        answer='IDEMPOTENCY_KEY = "powertools_json(Records[0].Sns.Message).order_id"')),
    "exercise 2": Exercise("exercise 2", "the outbox publisher", Hints(
        concept="Only a new outbox item is an event: not the order's own item, not a status change, not the "
                "outbox clean-up.",
        api='A stream record has eventName ("INSERT", "MODIFY", "REMOVE") and dynamodb.NewImage; the outbox '
            'item\'s pk starts with "OUTBOX#" and holds detail_type and detail.',
        answer="return patterns.outbox.outbox_entry(record)  # read its source: INSERT + OUTBOX# -> "
               "{Source, DetailType, Detail}")),
    "exercise 3": Exercise("exercise 3", "asynchronous error handling of the receipts", Hints(
        concept="One retry rescues a passing timeout; a receipt that keeps failing must be kept for a person, "
                "not dropped, and must not be attempted more than twice (the provider bills each attempt).",
        api="PutFunctionEventInvokeConfig: MaximumRetryAttempts (0-2) and DestinationConfig "
            '{"OnFailure": {"Destination": <queue ARN>}}.',
        answer='{"MaximumRetryAttempts": 1, "DestinationConfig": {"OnFailure": {"Destination": '
               "FAILED_RECEIPTS_ARN}}}")),
    "exercise 4": Exercise("exercise 4", "Standard or Express", Hints(
        concept="Express is cheap for short, frequent, re-runnable work; anything that waits for people or "
                "must run exactly once is Standard.",
        api='Map each flow name to "STANDARD" or "EXPRESS" (CreateStateMachine\'s type).',
        answer='{"fulfillment": "STANDARD", "click-enrichment": "EXPRESS"}')),
    "exercise 5": Exercise("exercise 5", "the KMS key policy of an encrypted queue", Hints(
        concept="SNS and EventBridge encrypt into the queue with your key, so the key policy must let those "
                "services use it — only for your own topic and rule — and keep your account's admins.",
        api='A statement per service: "Principal": {"Service": "sns.amazonaws.com"}, "Action": '
            '["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*", "Condition": {"ArnEquals": '
            '{"aws:SourceArn": <topic ARN>}}; keep the "Enable IAM User Permissions" statement.',
        answer="KEY_POLICY = patterns.access.fixed_key_policy(env.account, [TOPIC_ARN], [RULE_ARN])")),
}


#: Every exercise's ✘ names the call that works in notebook 09: ``helpers.patterns.hint(...)``.
EXERCISES = {key: dataclasses.replace(ex, module=_MODULE) for key, ex in EXERCISES.items()}


def _book(env: Environment) -> HintBook:
    return book_of(env, _MODULE)


def _next(env: Environment, what: str) -> int:
    count = env.state.get(f"patterns-check-{what}", 0) + 1
    env.state[f"patterns-check-{what}"] = count
    return count


def _legacy_hint(env: Environment, key: str) -> str:
    """The next hint tier for ``key`` (``"exercise 1"`` ...)."""
    return EXERCISES[key].hint(_book(env))


# -- exercise 1 ---------------------------------------------------------------------------
def check_idempotency_key(env: Environment, key: Any) -> Verdict:
    """Exercise 1: SNS delivers ord-2 twice (same notification) and the producer re-sends ord-3
    (a new publish, new ``MessageId`` and ``sent_at``): one charge per order with ``key``?"""
    ex, book = EXERCISES["exercise 1"], _book(env)
    if not isinstance(key, str) or not key.strip():
        return ex.fail(book, "missing", "IDEMPOTENCY_KEY is not a JMESPath string yet.", counts=False)
    n = _next(env, "key")
    charges: list[str] = []
    seen: list[dict] = []
    try:
        jmespath.compile(key)
    except jmespath.exceptions.JMESPathError as err:
        return ex.fail(book, "invalid-jmespath", f"{key!r} is not a JMESPath expression: {err}"[:300])
    config = IdempotencyConfig(event_key_jmespath=key)

    @idempotent(config=config, persistence_store=persistence_layer(env))
    def handler(event: dict, context: Any) -> dict:
        order = json.loads(event["Records"][0]["Sns"]["Message"])
        charges.append(order["order_id"])
        return {"charged": order["order_id"]}

    def run(event: dict, context: Any) -> Any:
        seen.append(event)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return handler(event, context)

    try:
        arn = create_function(env, f"check-charge-{n}", run)
        sns = env.client("sns")
        topic = sns.create_topic(Name=f"check-payments-{n}")["TopicArn"]
        subscribe_lambda(env, topic, arn)
        for order, sent in (("ord-1", "10:00:00"), ("ord-2", "10:00:01"), ("ord-3", "10:00:02"),
                            ("ord-3", "10:00:31")):  # the last: the producer's resend after a timeout
            sns.publish(TopicArn=topic, Message=json.dumps({"order_id": f"{order}-{n}", "amount": 25,
                                                            "sent_at": sent}))
        again = next(e for e in seen if f"ord-2-{n}" in e["Records"][0]["Sns"]["Message"])
        env.client("lambda").invoke(FunctionName=arn, Payload=json.dumps(again))  # SNS: at least once
    except Exception as err:  # noqa: BLE001 - a bad key surfaces inside the handler
        return ex.fail(book, "error", f"the handler failed with this key: {type(err).__name__}: {err}"[:300])
    counts = {o.rsplit("-", 1)[0]: charges.count(o) for o in dict.fromkeys(charges)}
    total = len(charges)
    if total == 3 and set(counts) == {"ord-1", "ord-2", "ord-3"}:
        return ex.ok(book, "ord-2 delivered twice and ord-3 re-sent: each order charged once (3 charges).")
    if total < 3:
        return ex.fail(book, "too-broad", f"only {total} charge(s) for 3 orders: the key is the same for "
                       "different orders, so real orders were skipped.")
    twice = sorted(o for o, c in counts.items() if c > 1)
    if total == 5:
        return ex.fail(book, "no-key", "5 charges: nothing was deduplicated. The key found nothing in the event "
                       "(Powertools then runs every time) or it changes on every delivery.")
    if "MessageId" in key or "Timestamp" in key:
        return ex.fail(book, "transport-id", f"{total} charges; twice: {', '.join(twice)}. SNS's redelivery was "
                       "caught, the producer's resend was not: SNS makes a new MessageId for every publish.")
    return ex.fail(book, "changes-per-publish", f"{total} charges; twice: {', '.join(twice)}. The redelivery was "
                   "caught, the resend was not: the key includes something the producer changes on a resend "
                   "(sent_at).")


# -- exercise 2 ---------------------------------------------------------------------------
def check_outbox_publisher(env: Environment, to_entry: Any) -> Verdict:
    """Exercise 2: four orders through the outbox, one status change, one outbox clean-up;
    shipping must get exactly the four ``OrderPlaced`` events."""
    ex, book = EXERCISES["exercise 2"], _book(env)
    if not callable(to_entry):
        return ex.fail(book, "missing", "to_entry is not a function yet.", counts=False)
    n = _next(env, "outbox")
    errors: list[str] = []

    def safe(record: dict) -> Any:
        try:
            return to_entry(record)
        except Exception as err:  # noqa: BLE001 - reported in the verdict, never crashes the check
            errors.append(f"{record.get('eventName')}: {type(err).__name__}: {err}")
            return None

    shop = outbox.OrdersService.create(env, f"check-orders-{n}")
    shop.deploy_publisher(safe, name=f"check-publisher-{n}")
    orders = [f"ord-{k}" for k in range(1, 5)]
    for order in orders:
        shop.place_with_outbox(order)
    ddb = env.client("dynamodb")
    ddb.update_item(TableName=shop.table, Key={"pk": {"S": "ORDER#ord-1"}},
                    UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":s": {"S": "PAID"}})
    ddb.update_item(TableName=shop.table, Key={"pk": {"S": "OUTBOX#evt-ord-3"}},  # an operator's note
                    UpdateExpression="SET note = :n", ExpressionAttributeValues={":n": {"S": "checked"}})
    ddb.delete_item(TableName=shop.table, Key={"pk": {"S": "OUTBOX#evt-ord-2"}})
    run = shop.run_outbox([], wait=10)
    shipped = run.shipped
    if errors and not shipped:
        return ex.fail(book, "raises", f"your function raised on every record, e.g. {errors[0]}"[:300])
    if not shipped:
        return ex.fail(book, "publishes-nothing", "shipping got no event: return a PutEvents entry with Source, "
                       "DetailType and Detail for each new outbox item.")
    if sorted(o for o in shipped if o) == orders and len(shipped) == 4:
        return ex.ok(book, "the 4 orders reached shipping once each; the status change, the note on an "
                     "outbox item and the clean-up published nothing.")
    if None in shipped or len(shipped) > 4:
        twice = sorted({o for o in shipped if o and shipped.count(o) > 1})
        return ex.fail(book, "publishes-other-records", f"shipping got {len(shipped)} events for 4 orders "
                       f"({sum(o is None for o in shipped)} without an order_id; twice: {', '.join(twice) or 'none'}):"
                       " only INSERTs of OUTBOX# items are events."
                       + (f" Your function also raised: {errors[0]}" if errors else ""))
    return ex.fail(book, "wrong-events", f"shipping got orders {shipped}, expected {orders}.")


# -- exercise 3 ---------------------------------------------------------------------------
def check_async_config(env: Environment, config: Any) -> Verdict:
    """Exercise 3: with ``config`` as the receipt function's event invoke config, the flaky
    receipt must succeed, the broken one reach the failure queue after at most two attempts."""
    ex, book = EXERCISES["exercise 3"], _book(env)
    if not isinstance(config, dict):
        return ex.fail(book, "missing", "RECEIPT_CONFIG is not a dict of PutFunctionEventInvokeConfig "
                       "arguments yet.", counts=False)
    n = _next(env, "async")
    failed = create_queue(env, f"check-receipts-failed-{n}", dlq=False)
    answer = json.loads(json.dumps(config).replace("FAILED_RECEIPTS_ARN", failed.arn))
    runs: list[str] = []

    def handler(event: dict, context: Any) -> dict:
        order = event["order_id"]
        runs.append(order)
        if order == invocation.BROKEN or (order == invocation.FLAKY and runs.count(order) == 1):
            raise TimeoutError(f"mail provider timed out for {order}")
        return {"receipt": order}

    function = deploy_function(env, f"check-receipt-{n}", handler)
    lam = env.client("lambda")
    try:
        lam.put_function_event_invoke_config(FunctionName=function, **answer)
    except (ClientError, Exception) as err:  # noqa: BLE001 - AWS's or botocore's words
        return ex.fail(book, "invalid", f"PutFunctionEventInvokeConfig refused it: {err}"[:300])
    for order in (invocation.FLAKY, invocation.BROKEN):
        lam.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps({"order_id": order}))
    invocation.wait_for_retries(env)
    records = invocation.drain(env, failed.url)
    flaky_ok = runs.count(invocation.FLAKY) == 2
    broken_runs = runs.count(invocation.BROKEN)
    kept = [r["requestPayload"]["order_id"] for r in records]
    if not flaky_ok:
        return ex.fail(book, "no-retry", f"the passing timeout was never retried: {invocation.FLAKY}'s receipt "
                       "was not sent.")
    if broken_runs > 2:
        return ex.fail(book, "too-many-retries", f"the broken receipt was attempted {broken_runs} times "
                       "(the provider bills each).")
    if invocation.BROKEN not in kept:
        return ex.fail(book, "no-destination", f"the broken receipt failed {broken_runs} times and was dropped: "
                       "no OnFailure destination received it.")
    return ex.ok(book, f"{invocation.FLAKY} sent on its retry; {invocation.BROKEN} tried {broken_runs} times, then "
                 "its invocation record reached the failure queue.")


# -- exercise 4 ---------------------------------------------------------------------------
def check_workflow_types(env: Environment, choice: Any) -> Verdict:
    """Exercise 4: ``{"fulfillment": ..., "click-enrichment": ...}`` -> the right workflow types."""
    ex, book = EXERCISES["exercise 4"], _book(env)
    if not isinstance(choice, dict) or any(choice.get(f) is None for f in workflows.FLOWS):
        return ex.fail(book, "missing", 'WORKFLOW_TYPES needs a type for "fulfillment" and '
                       '"click-enrichment".', counts=False)
    kinds = {f: str(choice[f]).upper() for f in workflows.FLOWS}
    bad = [k for k in kinds.values() if k not in workflows.TYPES]
    if bad:
        return ex.fail(book, "unknown-type", f"{bad[0]!r} is not a workflow type: STANDARD or EXPRESS.")
    table = workflows.compare_flows()
    cost = {(f, k): table.loc[(f, k), "USD per month"] for f in workflows.FLOWS for k in workflows.TYPES}
    why = workflows.fits(kinds["fulfillment"], workflows.FLOWS["fulfillment"])
    if why:
        return ex.fail(book, "fulfillment-express", f"{why}.")
    if kinds["click-enrichment"] == "STANDARD":
        return ex.fail(book, "clicks-standard", f"click-enrichment on Standard costs "
                       f"${cost[('click-enrichment', 'STANDARD')]:,.2f}/month against "
                       f"${cost[('click-enrichment', 'EXPRESS')]:,.2f} on Express, for work that may safely re-run.")
    return ex.ok(book, f"fulfillment runs once per order and may wait a day (Standard, "
                 f"${cost[('fulfillment', 'STANDARD')]:,.2f}/month); click-enrichment is short and re-runnable "
                 f"(Express, ${cost[('click-enrichment', 'EXPRESS')]:,.2f}/month instead of "
                 f"${cost[('click-enrichment', 'STANDARD')]:,.2f}).")


# -- exercise 5 ---------------------------------------------------------------------------
def check_key_policy(env: Environment, policy: Any, *, key_arn: str = "", topic_arn: str = "",
                     rule_arn: str = "") -> Verdict:
    """Exercise 5: under ``policy``, may SNS (SecureCart's topic) and EventBridge (its rule) use
    the key, is another account's topic refused, and can the account still manage the key?"""
    ex, book = EXERCISES["exercise 5"], _book(env)
    if policy is None:
        return ex.fail(book, "missing", "KEY_POLICY is still None: write the key policy.", counts=False)
    account = env.account or "123456789012"
    key_arn = key_arn or f"arn:aws:kms:{env.region}:{account}:key/securecart-queue-key"
    topic_arn = topic_arn or f"arn:aws:sns:{env.region}:{account}:{env.name('orders', 'sns')}"
    rule_arn = rule_arn or f"arn:aws:events:{env.region}:{account}:rule/{env.name('orders', 'events')}"
    try:
        rows = access.decide(policy, key_arn, account, topic_arn, rule_arn)
        admin = evaluate(policy, Request("kms:PutKeyPolicy", key_arn, {"AWS": f"arn:aws:iam::{account}:root"}))
    except InvalidPolicyDocumentError as err:
        return ex.fail(book, "invalid", f"IAM would refuse the document: {err}"[:300])
    verdict = {r["request"]: r["verdict"] for r in rows}
    refused = [k for k, v in verdict.items() if "another account" not in k and v != "Allow"]
    foreign = [k for k, v in verdict.items() if "another account" in k and v == "Allow"]
    if not admin.allowed:
        return ex.fail(book, "locks-out-admins", "your account's root may no longer manage the key "
                       "(PutKeyPolicy refuses a policy that locks its caller out): keep the default statement.")
    if any(k.startswith("SNS") for k in refused):
        return ex.fail(book, "sns-refused", f"AWS would refuse {', '.join(k for k in refused if k.startswith('SNS'))}:"
                       " SNS cannot encrypt into the queue, and the messages vanish.")
    if refused:
        return ex.fail(book, "events-refused", f"AWS would refuse {', '.join(refused)}: EventBridge's deliveries fail.")
    if foreign:
        return ex.fail(book, "confused-deputy", f"AWS would also allow {foreign[0]}: any SNS topic anywhere could "
                       "use your key. Limit each statement to your own aws:SourceArn.")
    return ex.ok(book, "SNS and EventBridge may use the key for SecureCart's topic and rule; another account's "
                 "topic is refused; your admins keep control (as AWS would decide).")


_CHECKS = {"exercise 1": check_idempotency_key, "exercise 2": check_outbox_publisher,
           "exercise 3": check_async_config, "exercise 4": check_workflow_types, "exercise 5": check_key_policy}


def _key_policy_cell(env: Environment, policy: Any, key: Any, topic_arn: Any, rule_arn: Any) -> Verdict:
    """Exercise 5 as the notebook's cell states it: the policy and the section's key, topic, rule."""
    key_arn = key.get("Arn", "") if isinstance(key, dict) else ""
    return check_key_policy(env, policy, key_arn=key_arn, topic_arn=topic_arn, rule_arn=rule_arn)


#: Notebook 09's exercises with the names each check reads from the notebook.
WORKBOOK = Workbook(_MODULE, EXERCISES, {
    "exercise 1": (check_idempotency_key, (("IDEMPOTENCY_KEY", "Exercise 1's cell"),)),
    "exercise 2": (check_outbox_publisher, (("to_entry", "Exercise 2's cell"),)),
    "exercise 3": (check_async_config, (("RECEIPT_CONFIG", "Exercise 3's cell"),)),
    "exercise 4": (check_workflow_types, (("WORKFLOW_TYPES", "Exercise 4's cell"),)),
    "exercise 5": (_key_policy_cell, (("KEY_POLICY", "Exercise 5's cell"), ("key", "section 10's key cell"),
                                      ("orders_topic", "section 10's topic cell"),
                                      ("rule_arn", "section 10's rule cell"))),
})
_check, _hint = WORKBOOK.api()


def hint(*args: Any, **kwargs: Any) -> str:
    """``hint("exercise N")`` (the notebook's ``env``), or the older ``hint(env, "exercise N")``."""
    if args and not isinstance(args[0], str):
        return _legacy_hint(*args, **kwargs)
    return _hint(*args, env=caller_namespace().get("env", MISSING), **kwargs)


def check(*args: Any, **scenario: Any) -> Verdict:
    """``check("exercise N")`` reads the answer from the notebook, as in every lab; the older
    ``check(env, "exercise N", answer, **scenario)`` passes it (``scenario``: the exercise's ARNs).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> check(env, "exercise 4", None).cause
    'missing'
    >>> WORKFLOW_TYPES = None
    >>> check("exercise 4").cause
    'missing'
    >>> _ = env.teardown()
    """
    if args and isinstance(args[0], str):
        return _check(*args, namespace=caller_namespace(), **scenario)
    env, key, answer = args
    if key not in _CHECKS:
        raise KeyError(f"No {key!r} in notebook 09: the exercises are {', '.join(_CHECKS)}.")
    return _CHECKS[key](env, answer, **scenario)
