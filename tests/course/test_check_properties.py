"""Property tests for the exercise checks that had only catalogues of known answers.

For each check: right answers generated from the exercise's specification (its hints and
docstring: other names, key orders, optional harmless parts) always pass; every mutation of a
right answer that breaks the specification fails, with the cause the mutation stands for (every
mutation runs on each right answer hypothesis draws); and
the official answer passes three times in a row in one environment, with the same words.
Examples are few and derandomized: each check runs a real scenario on moto.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
import helpers.lab2
import helpers.lab3
import helpers.orchestration
from helpers import events as eb
from helpers.orchestration import checks as nb06
from helpers.orchestration.status import resume_from
from helpers.patterns import access, outbox
from helpers.patterns import check as nb09_check

#: (what the mutation does, the mutation: right answer -> wrong answer, the cause it stands for)
Mutation = tuple[str, Callable[[Any], Any], str]


def _settings(n: int) -> settings:
    return settings(max_examples=n, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _passes(verdict) -> None:
    assert verdict and verdict.cause is None, verdict.text()


def _fails(verdict, cause: str, name: str = "") -> None:
    assert not verdict and verdict.cause == cause, (name, cause, verdict.text())


def property_test(check: Callable[[Any, Any], Any], rights: st.SearchStrategy, mutations: list[Mutation],
                  examples: int = 5) -> Callable[..., None]:
    """A test: every drawn right answer passes ``check``; every mutation of it fails with its cause."""
    @_settings(examples)
    @given(right=rights)
    def test(env, right):
        # GIVEN a right answer drawn from the specification
        # WHEN it and each breaking mutation of it are checked in the same environment
        # THEN the right one passes; each mutation fails with the cause it stands for
        _passes(check(env, right))
        for name, mutate, cause in mutations:
            _fails(check(env, mutate(right)), cause, name)
    return test


def _around(edit: Callable[..., Any]) -> Callable[[Any], Any]:
    """A mutation of what an answer function returns: ``edit(result, *args)``."""
    return lambda right: lambda *args: edit(right(*args), *args)


# -- Lab 2 exercise 2: the raw-delivery analytics subscriber -----------------------------------------
#: Subscribe parameters beside the required ones that change nothing the analytics queue receives.
_HARMLESS_SUBSCRIBE = st.sampled_from([{}, {"ReturnSubscriptionArn": True}, {"ReturnSubscriptionArn": False}])
_HARMLESS_ATTRIBUTES = st.sampled_from([
    {}, {"FilterPolicy": '{"status": [{"exists": true}]}', "FilterPolicyScope": "MessageBody"},
    {"FilterPolicy": '{"status": ["created", "paid", "shipped"]}', "FilterPolicyScope": "MessageBody"},
])


@st.composite
def _raw_subscriptions(draw):
    """``subscription(topic_arn, queue_arn)``: Protocol sqs, the queue's ARN, raw delivery on."""
    order = draw(st.permutations(["TopicArn", "Protocol", "Endpoint", "Attributes"]))
    extra, attributes = draw(_HARMLESS_SUBSCRIBE), draw(_HARMLESS_ATTRIBUTES)

    def subscription(topic_arn, queue_arn):
        values = {"TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn,
                  "Attributes": {"RawMessageDelivery": "true", **attributes}}
        return {**{k: values[k] for k in order}, **extra}
    subscription.__qualname__ = f"subscription({order}, {extra}, {attributes})"
    return subscription


def _attributes(**changes):
    return _around(lambda p, t, q: {**p, "Attributes": {**p["Attributes"], **changes}})


def _param(key, value):
    return _around(lambda p, t, q: {**p, key: value(t, q) if callable(value) else value})


RAW_MUTATIONS: list[Mutation] = [
    ("no attributes", _around(lambda p, t, q: {k: v for k, v in p.items() if k != "Attributes"}), "envelope"),
    ("raw delivery off", _attributes(RawMessageDelivery="false"), "envelope"),
    ("a boolean, not a string", _attributes(RawMessageDelivery=True), "not-a-string"),
    ("not a boolean word", _attributes(RawMessageDelivery="yes"), "invalid-attribute"),
    ("the queue URL", _param("Endpoint", lambda t, q: "https://sqs.us-east-1.amazonaws.com/"
                             f"{q.split(':')[4]}/{q.rsplit(':', 1)[-1]}"), "queue-url-not-arn"),
    ("another queue", _param("Endpoint", lambda t, q: q + "-other"), "wrong-endpoint"),
    ("another protocol", _param("Protocol", "lambda"), "wrong-protocol"),
    ("a filter that drops updates", _attributes(FilterPolicy='{"status": ["shipped"]}',
                                                FilterPolicyScope="MessageBody"), "filtered"),
    ("a list, not the parameters", _around(lambda p, t, q: list(p.values())), "not-a-dict"),
]

test_property_raw_subscription = property_test(helpers.lab2.check_raw_analytics, _raw_subscriptions(),
                                               RAW_MUTATIONS)


# -- Lab 2 exercise 3: the least-privilege queue policy ----------------------------------------------
#: Statements that change nothing for the alerts topic, nor let anyone else send.
_HARMLESS_STATEMENTS = st.sampled_from([
    lambda q, t: [],
    lambda q, t: [{"Sid": "NoOneDeletes", "Effect": "Deny", "Principal": "*", "Action": "sqs:DeleteQueue",
                   "Resource": "*"}],
    lambda q, t: [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["sqs:PurgeQueue",
                   "sqs:SetQueueAttributes"], "Resource": "*"}],
    lambda q, t: [{"Sid": "OnlyTheAlertsTopic", "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage",
                   "Resource": q, "Condition": {"ArnNotEquals": {"aws:SourceArn": t}}}],
])


@st.composite
def _queue_policies(draw):
    """``fixed_policy(queue_arn, topic_arn)``: Allow SNS to SendMessage to this queue, for this topic."""
    sid = draw(st.sampled_from([None, "AlertsTopicOnly", "1"]))
    action = draw(st.sampled_from(["sqs:SendMessage", ["sqs:SendMessage"]]))
    principal = draw(st.sampled_from([{"Service": "sns.amazonaws.com"}, {"Service": ["sns.amazonaws.com"]}]))
    operator = draw(st.sampled_from(["ArnEquals", "ArnLike", "StringEquals"]))
    source_as_list, same_account, as_text = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    extra = draw(_HARMLESS_STATEMENTS)

    def fixed_policy(queue_arn, topic_arn):
        condition = {operator: {"aws:SourceArn": [topic_arn] if source_as_list else topic_arn}}
        if same_account:
            condition["StringEquals"] = {**condition.get("StringEquals", {}),
                                         "aws:SourceAccount": topic_arn.split(":")[4]}
        statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": queue_arn,
                     "Condition": condition, **({"Sid": sid} if sid else {})}
        policy = {"Version": "2012-10-17", "Statement": [statement, *extra(queue_arn, topic_arn)]}
        return json.dumps(policy) if as_text else policy
    fixed_policy.__qualname__ = (f"fixed_policy(sid={sid}, {action}, {principal}, {operator}, list="
                                 f"{source_as_list}, account={same_account}, text={as_text})")
    return fixed_policy


def _policy(edit):
    """A mutation of a right policy (given as a dict even when the answer returns JSON text)."""
    return _around(lambda p, q, t: edit(json.loads(p) if isinstance(p, str) else p, q, t))


def _allow(change):
    """A mutation of the Allow statement (the first) of a right policy."""
    return _policy(lambda p, q, t: {**p, "Statement": [change(dict(p["Statement"][0]), q, t), *p["Statement"][1:]]})


def _source(operator, source):
    return _allow(lambda s, q, t: {**s, "Condition": {operator: {"aws:SourceArn": source(t)}}})


POLICY_MUTATIONS: list[Mutation] = [
    ("a broad statement beside the fix", _policy(lambda p, q, t: {**p, "Statement": [*p["Statement"], {
        "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}), "extra-statement"),
    ("ArnNotEquals", _source("ArnNotEquals", lambda t: t), "negated-condition"),
    ("a wildcard after the topic's name", _source("ArnLike", lambda t: t + "*"), "wildcard-source"),
    ("every topic", _source("ArnLike", lambda t: "arn:aws:sns:*:*:*"), "wildcard-source"),
    ("no condition", _allow(lambda s, q, t: {k: v for k, v in s.items() if k != "Condition"}),
     "no-source-condition"),
    ("anyone", _allow(lambda s, q, t: {**s, "Principal": "*"}), "any-principal"),
    ("every SQS action", _allow(lambda s, q, t: {**s, "Action": "sqs:*"}), "broad-action"),
    ("every resource", _allow(lambda s, q, t: {**s, "Resource": "*"}), "wrong-resource"),
    ("another topic", _source("ArnEquals", lambda t: t + "-other"), "other-topic"),
    ("another service", _allow(lambda s, q, t: {**s, "Principal": {"Service": "events.amazonaws.com"}}),
     "wrong-principal"),
    ("a Deny that matches the topic", _policy(lambda p, q, t: {**p, "Statement": [*p["Statement"], {
        "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": q}]}), "denied"),
]

test_property_queue_policy = property_test(helpers.lab2.check_queue_policy_fix, _queue_policies(),
                                           POLICY_MUTATIONS)


# -- Lab 3 exercise 2: the notification's input transformer ------------------------------------------
_ORDER_NAMES = st.sampled_from(["order", "id", "o", "orderId", "order_id", "ref"])
_TOTAL_NAMES = st.sampled_from(["total", "amount", "t", "sum", "price_usd"])
_MESSAGES = st.sampled_from(["Order <o> is confirmed", "Thank you! Order <o> is confirmed.",
                             "<o> confirmed", "Thanks! <o> ($<t>) is confirmed"])
#: Template keys beside the three the customer's app reads (it ignores them): name -> (path, value).
_EXTRA_KEYS = st.sampled_from([{}, {"when": ("$.time", '"<when>"')}, {"kind": ("$.detail-type", '"<kind>"')},
                               {"shop": (None, '"SecureCart"')}])


@st.composite
def _transformers(draw):
    """An InputTransformer whose output is a JSON object: message (naming the order), order_id
    (the order's id as text) and total (the order's total as a number)."""
    o, t = draw(_ORDER_NAMES), draw(_TOTAL_NAMES)
    message = draw(_MESSAGES).replace("<o>", f"<{o}>").replace("<t>", f"<{t}>")
    # a string placeholder outside quotes is inserted as a JSON string (AWS: "Transforming input")
    order_id = draw(st.sampled_from([f'"<{o}>"', f"<{o}>"]))
    extra = draw(_EXTRA_KEYS)
    fields = {"message": f'"{message}"', "order_id": order_id, "total": f"<{t}>",
              **{k: v[1] for k, v in extra.items()}}
    keys = draw(st.permutations(list(fields)))
    sep = draw(st.sampled_from([", ", ",\n  "]))
    paths = {o: "$.detail.order_id", t: "$.detail.total", **{k: v[0] for k, v in extra.items() if v[0]}}
    return {"InputPathsMap": paths, "InputTemplate": "{" + sep.join(f'"{k}": {fields[k]}' for k in keys) + "}"}


def _names(transformer):
    by_path = {v: k for k, v in transformer["InputPathsMap"].items()}
    return by_path["$.detail.order_id"], by_path["$.detail.total"]


def _template(edit):
    return lambda tr: {**tr, "InputTemplate": edit(tr["InputTemplate"], *_names(tr))}


def _path(which, path):
    return lambda tr: {**tr, "InputPathsMap": {**tr["InputPathsMap"], _names(tr)[which]: path}}


def _only(**fields):
    """A template with only ``fields`` (each a text with {o} / {t} for the placeholders)."""
    return _template(lambda s, o, t: "{" + ", ".join(f'"{k}": {v.format(o=f"<{o}>", t=f"<{t}>")}'
                                                     for k, v in fields.items()) + "}")


TRANSFORMER_MUTATIONS: list[Mutation] = [
    ("total in quotes", _template(lambda s, o, t: s.replace(f": <{t}>", f': "<{t}>"')), "total-not-number"),
    ("a total path that finds nothing", _path(1, "$.detail.amount"), "wrong-total-path"),
    ("the order id outside detail", _path(0, "$.order_id"), "wrong-order-id"),
    ("the total from the order id", _path(1, "$.detail.order_id"), "wrong-total"),
    ("a total written in", _only(message='"Order {o} is confirmed"', order_id='"{o}"', total="42.5"), "wrong-total"),
    ("no message", _only(order_id='"{o}"', total="{t}"), "no-message"),
    ("a message without the order", _only(message='"Your order is confirmed"', order_id='"{o}"', total="{t}"),
     "no-message"),
    ("plain text", _template(lambda s, o, t: f"Order <{o}> is confirmed, total <{t}>"), "not-json"),
    ("paths as JSON text", lambda tr: {**tr, "InputPathsMap": json.dumps(tr["InputPathsMap"])}, "refused"),
]

test_property_transformer = property_test(helpers.lab3.check_notification_transformer, _transformers(),
                                          TRANSFORMER_MUTATIONS)


# -- Lab 3 exercise 3: the cross-account audit route -------------------------------------------------
def _security_bus(env) -> str:
    """Section 5's security bus (the check needs it), built once per environment."""
    if "props-security-bus" not in env.state:
        shop = helpers.lab3.build_shop(env)
        env.state["props-security-bus"] = helpers.lab3.experiment_audit(env, shop).bus.arn
    return env.state["props-security-bus"]


def _check_route(env, route):
    """``route(env, security_bus_arn)`` -> AUDIT_ROUTE, checked."""
    return helpers.lab3.check_audit_route(env, route(env, _security_bus(env)))


#: detail-type conditions that match exactly the types starting with "Audit" (case-sensitive).
_AUDIT_TYPES = st.sampled_from([
    [{"prefix": "Audit"}], [{"wildcard": "Audit*"}], [{"prefix": "Audit"}, "AuditLogin"],
    [{"prefix": "Audit"}, {"wildcard": "Audit*"}], [{"prefix": "AuditL"}, {"prefix": "Audit"}],
])


@st.composite
def _audit_routes(draw):
    types, own_account = draw(_AUDIT_TYPES), draw(st.booleans())  # the audit events are SecureCart's own

    def route(env, arn):
        return {"pattern": {"detail-type": types, **({"account": [env.account]} if own_account else {})},
                "target_arn": arn}
    route.__qualname__ = f"route({types}, own_account={own_account})"
    return route


def _types(detail_types):
    return _around(lambda r, env, arn: {**r, "pattern": {"detail-type": detail_types}})


def _target(edit):
    return _around(lambda r, env, arn: {**r, "target_arn": edit(r["target_arn"])})


ROUTE_MUTATIONS: list[Mutation] = [
    ("today's audit types by name", _types(["AuditLogin", "AuditRefundApproved"]), "misses-audit"),
    ("a suffix", _types([{"suffix": "Login"}]), "misses-audit"),
    ("every audit source", _around(lambda r, env, arn: {**r, "pattern": {"source": ["securecart.audit"]}}),
     "too-broad"),
    ("Audit anywhere in the name", _types([{"wildcard": "*Audit*"}]), "too-broad"),
    ("any case", _types([{"prefix": {"equals-ignore-case": "audit"}}]), "too-broad"),
    ("anything but today's others", _types([{"anything-but": ["Heartbeat", "OrderPlaced"]}]), "too-broad"),
    ("lower case", _types([{"prefix": "audit"}]), "matches-nothing"),
    ("a typo in the bus name", _target(lambda a: a + "-typo"), "matches-nothing"),
    ("the security account's queue", _target(lambda a: a.replace(":events:", ":sqs:").replace("event-bus/", "")),
     "not-a-bus"),
    ("SecureCart's own account", _target(lambda a: a.replace(eb.SECURITY_ACCOUNT, "123456789012")),
     "same-account"),
    ("a matcher outside a list", _types({"prefix": "Audit"}), "invalid-pattern"),
]

test_property_audit_route = property_test(_check_route, _audit_routes(), ROUTE_MUTATIONS)


# -- Lab 3 exercise 4: the Custom Event Bus ordered subscriber ---------------------------------------
#: Retries that outlast the 120-s outage whatever the jitter: delays double from 1 s to a 60-s
#: cap, at worst halved (0.5+1+2+4+8+16+30+30+30 s > 120 s after 9 retries), and the retry
#: after the outage comes at most 60 s after it (an event age of 180 s).
_ENOUGH_RETRIES, _ENOUGH_AGE = st.integers(12, 185), st.integers(240, 86_400)


@st.composite
def _subscribers(draw):
    policy = {"MaxRetryAttempts": draw(_ENOUGH_RETRIES), "MaxEventAgeInSeconds": draw(_ENOUGH_AGE),
              **draw(st.sampled_from([{}, {"RetryStrategy": "ALL"}]))}
    extra = draw(st.sampled_from([{}, {"Description": "orders, in order per customer"}]))
    values = {"Type": "FIFO", "RetryPolicy": policy, **extra}
    return {k: values[k] for k in draw(st.permutations(list(values)))}


def _retry(**changes):
    return lambda s: {**s, "RetryPolicy": {**s["RetryPolicy"], **changes}}


SUBSCRIBER_MUTATIONS: list[Mutation] = [
    ("unordered", lambda s: {**s, "Type": "UNORDERED"}, "unordered"),
    ("the default retries", lambda s: {k: v for k, v in s.items() if k != "RetryPolicy"}, "gave-up"),
    ("too few retries", _retry(MaxRetryAttempts=4), "gave-up"),
    ("no retry", _retry(MaxRetryAttempts=0), "gave-up"),
    ("events too young to outlast it", _retry(MaxEventAgeInSeconds=90), "gave-up"),
    ("over the retries' range", _retry(MaxRetryAttempts=186), "refused"),
    ("over the age's range", _retry(MaxEventAgeInSeconds=86_401), "refused"),
    ("a type in lower case", lambda s: {**s, "Type": "fifo"}, "refused"),
    ("a misspelt key", lambda s: {("Typ" if k == "Type" else k): v for k, v in s.items()}, "refused"),
    ("the settings as JSON text", json.dumps, "not-a-dict"),
]

test_property_ordered_subscriber = property_test(helpers.lab3.check_ordered_subscriber, _subscribers(),
                                                 SUBSCRIBER_MUTATIONS, examples=3)


# -- Notebook 06 exercise 1: the refund Catch --------------------------------------------------------
#: ErrorEquals lists that catch every failure of the Ship state: its errors, the unplanned ones
#: and its timeout (States.TaskFailed matches every error name except States.Timeout).
_CATCH_ALL = st.sampled_from([["States.ALL"], ["States.TaskFailed", "States.Timeout"],
                              ["States.Timeout", "States.TaskFailed"]])
_RESULT_PATHS = st.sampled_from(["$.error", "$.failure", "$.errors.ship", "$.ship_error"])


@st.composite
def _ship_catches(draw):
    """A Catch that sends every shipping failure to ReleaseStock (then the refund), the order kept."""
    catch_all = {"ErrorEquals": draw(_CATCH_ALL), "ResultPath": draw(_RESULT_PATHS), "Next": "ReleaseStock"}
    catchers = [{k: catch_all[k] for k in draw(st.permutations(list(catch_all)))}]
    if draw(st.booleans()):  # a specific catcher first, to the same compensation
        catchers.insert(0, {"ErrorEquals": ["ShippingUnavailable"], "ResultPath": draw(_RESULT_PATHS),
                            "Next": "ReleaseStock"})
    return catchers


def _every_catcher(change):
    return lambda catchers: [change(dict(c)) for c in catchers]


def _general_catcher_errors(errors):
    return lambda catchers: [*catchers[:-1], {**catchers[-1], "ErrorEquals": errors}]


CATCH_MUTATIONS: list[Mutation] = [
    ("no ResultPath", _every_catcher(lambda c: {k: v for k, v in c.items() if k != "ResultPath"}), "lost-input"),
    ("the error replaces the order", _every_catcher(lambda c: {**c, "ResultPath": "$"}), "lost-input"),
    ("straight to the refund", _every_catcher(lambda c: {**c, "Next": "RefundPayment"}), "stock-kept"),
    ("straight to the failure", _every_catcher(lambda c: {**c, "Next": "OrderFailed"}), "skips-refund"),
    ("only the known error", _general_catcher_errors(["ShippingUnavailable"]), "catches-one-error"),
    ("no Catch", lambda catchers: [], "not-caught"),
    ("a catcher, not a list", lambda catchers: catchers[-1], "not-a-list"),
]
#: Catchers of task failures only: the shipment that times out (States.Timeout) stays charged.
TIMEOUT_MUTATIONS: list[Mutation] = [
    ("task failures only", _general_catcher_errors(["States.TaskFailed"]), "misses-timeout"),
    ("the errors seen so far", _general_catcher_errors(["ShippingUnavailable", "RuntimeError"]), "misses-timeout"),
    ("named errors and task failures", _general_catcher_errors(["RuntimeError", "States.TaskFailed"]),
     "misses-timeout"),
]

test_property_refund_catch = property_test(nb06.check_refund_catch, _ship_catches(), CATCH_MUTATIONS)
test_property_refund_catch_misses_timeout = property_test(nb06.check_refund_catch, _ship_catches(), TIMEOUT_MUTATIONS,
                                                          examples=4)


# -- Notebook 06 exercise 3: resume from the checkpoint ----------------------------------------------
_NO_CHECKPOINT = st.sampled_from([lambda c: c is None, lambda c: not c, lambda c: not isinstance(c, str)])
_BUILD = st.sampled_from([lambda **kw: kw, lambda **kw: dict(**kw), lambda **kw: dict(reversed(list(kw.items())))])


@st.composite
def _resumes(draw):
    """``resume(checkpoint)``: the oldest record kept when there is none, else right after it."""
    fresh, build = draw(_NO_CHECKPOINT), draw(_BUILD)

    def resume(checkpoint=None):
        if fresh(checkpoint):
            return build(ShardIteratorType="TRIM_HORIZON")
        return build(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=checkpoint)
    return resume


def _after(answer):
    """A mutation of what ``resume`` returns once there is a checkpoint."""
    return lambda right: lambda c: right(c) if c is None else answer(c)


RESUME_MUTATIONS: list[Mutation] = [
    ("only new records at the start", lambda right: lambda c: {"ShardIteratorType": "LATEST"} if c is None
     else right(c), "misses"),
    ("only new records after a restart", _after(lambda c: {"ShardIteratorType": "LATEST"}), "misses"),
    ("from the oldest every time", _after(lambda c: {"ShardIteratorType": "TRIM_HORIZON"}), "duplicates"),
    ("at the checkpoint", _after(lambda c: {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": c}),
     "duplicates"),
    ("a type in lower case", _after(lambda c: {"ShardIteratorType": "after_sequence_number",
                                               "SequenceNumber": c}), "crashes"),
    ("another parameter's name", _after(lambda c: {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                                   "StartingSequenceNumber": c}), "crashes"),
    ("nothing returned", _after(lambda c: None), "returns-none"),
    ("the type alone", _after(lambda c: "AFTER_SEQUENCE_NUMBER"), "not-a-dict"),
    ("no argument", lambda right: lambda: right(None), "wrong-signature"),
]

test_property_resume = property_test(nb06.check_resume, _resumes(), RESUME_MUTATIONS)


# -- Notebook 09 exercise 1: the idempotency key -----------------------------------------------------
def _nb09(key: str) -> Callable[[Any, Any], Any]:
    return lambda env, answer: nb09_check(env, key, answer)


#: JMESPath expressions for the producer's order id inside the SNS message (the same on every copy).
_RIGHT_KEYS = st.sampled_from([
    "powertools_json(Records[0].Sns.Message).order_id",
    "powertools_json( Records[0].Sns.Message ).order_id",
    "Records[0].Sns.Message | powertools_json(@).order_id",
    "powertools_json(Records[0].Sns.Message).[order_id]",
    "powertools_json(Records[0].Sns.Message).{order: order_id}",
    "Records[0].Sns | powertools_json(Message).order_id",
])
KEY_MUTATIONS: list[Mutation] = [
    ("SNS's message id", lambda k: "Records[0].Sns.MessageId", "transport-id"),
    ("the whole message", lambda k: "Records[0].Sns.Message", "changes-per-publish"),
    ("and when it was sent", lambda k: k.replace("order_id", "[order_id, sent_at]").replace(".[[", ".[")
     .replace("]]", "]"), "changes-per-publish"),
    ("the same for every order", lambda k: "Records[0].EventSource", "too-broad"),
    ("the amount", lambda k: k.replace("order_id", "amount"), "too-broad"),
    ("camel case", lambda k: k.replace("order_id", "orderId"), "no-key"),
    ("not parsed", lambda k: "Records[0].Sns.Message.order_id", "no-key"),
    ("a parenthesis missing", lambda k: k.replace(")", "", 1), "invalid-jmespath"),
]

test_property_idempotency_key = property_test(_nb09("exercise 1"), _RIGHT_KEYS, KEY_MUTATIONS)


# -- Notebook 09 exercise 2: the outbox publisher ----------------------------------------------------
_INSERTED = st.sampled_from([lambda r: r.get("eventName") == "INSERT", lambda r: r["eventName"] in ("INSERT",),
                             lambda r: r.get("eventName") not in ("MODIFY", "REMOVE")])
_OUTBOX_ITEM = st.sampled_from([lambda pk: pk.startswith("OUTBOX#"), lambda pk: pk.split("#", 1)[0] == "OUTBOX",
                                lambda pk: pk[:7] == "OUTBOX#"])


@st.composite
def _publishers(draw):
    """``to_entry(record)``: a PutEvents entry for a new outbox item, None for any other record."""
    inserted, outbox_item, detail_as_is = draw(_INSERTED), draw(_OUTBOX_ITEM), draw(st.booleans())

    def to_entry(record):
        image = record.get("dynamodb", {}).get("NewImage", {})
        if not inserted(record) or not outbox_item(image.get("pk", {}).get("S", "")):
            return None
        detail = image["detail"]["S"] if detail_as_is else json.dumps(json.loads(image["detail"]["S"]))
        return {"Source": outbox.SOURCE, "DetailType": image["detail_type"]["S"], "Detail": detail}
    return to_entry


def _record(edit):
    """A mutation that hands the right publisher an edited record."""
    return lambda right: lambda r: right(edit(r))


PUBLISHER_MUTATIONS: list[Mutation] = [
    ("every change of an outbox item", _record(lambda r: {**r, "eventName": "INSERT"}), "publishes-other-records"),
    ("every new item", _record(lambda r: {**r, "dynamodb": {"NewImage": {
        **r.get("dynamodb", {}).get("NewImage", {}), "pk": {"S": "OUTBOX#any"},
        "detail_type": {"S": "OrderPlaced"}, "detail": {"S": "{}"}}}}), "publishes-other-records"),
    ("nothing", lambda right: lambda r: None, "publishes-nothing"),
    ("a field that is not there", _record(lambda r: r["dynamodb"]["NewImage"]["nothing"]), "raises"),
]

test_property_outbox_publisher = property_test(_nb09("exercise 2"), _publishers(), PUBLISHER_MUTATIONS)


# -- Notebook 09 exercise 3: asynchronous error handling ---------------------------------------------
_ON_FAILURE = {"OnFailure": {"Destination": "FAILED_RECEIPTS_ARN"}}


@st.composite
def _receipt_configs(draw):
    """One retry (a passing timeout), the failures kept on the failure queue; the retry comes
    about a minute later, so an event age, if set, must allow it."""
    config = {"MaximumRetryAttempts": 1, "DestinationConfig": _ON_FAILURE}
    age = draw(st.one_of(st.none(), st.integers(180, 21_600)))
    if age is not None:
        config["MaximumEventAgeInSeconds"] = age
    return {k: config[k] for k in draw(st.permutations(list(config)))}


CONFIG_MUTATIONS: list[Mutation] = [
    ("no retry", lambda c: {**c, "MaximumRetryAttempts": 0}, "no-retry"),
    ("two retries", lambda c: {**c, "MaximumRetryAttempts": 2}, "too-many-retries"),
    ("no destination", lambda c: {k: v for k, v in c.items() if k != "DestinationConfig"}, "no-destination"),
    ("a destination on success", lambda c: {**c, "DestinationConfig": {"OnSuccess": _ON_FAILURE["OnFailure"]}},
     "no-destination"),
    ("out of range", lambda c: {**c, "MaximumRetryAttempts": 5}, "invalid"),
]

test_property_receipt_config = property_test(_nb09("exercise 3"), _receipt_configs(), CONFIG_MUTATIONS)


# -- Notebook 09 exercise 4: Standard or Express -----------------------------------------------------
_SPELLINGS = st.sampled_from([str.upper, str.lower, str.capitalize])


@st.composite
def _workflow_types(draw):
    """fulfillment on Standard, click-enrichment on Express, in any case and key order."""
    items = [("fulfillment", draw(_SPELLINGS)("STANDARD")), ("click-enrichment", draw(_SPELLINGS)("EXPRESS"))]
    return dict(reversed(items) if draw(st.booleans()) else items)


def _types_like(fulfil, clicks):
    """The choice ``(fulfil, clicks)`` written in the right answer's case."""
    def like(old, new):
        return new if old.isupper() else new.lower() if old.islower() else new.capitalize()
    return lambda r: {"fulfillment": like(r["fulfillment"], fulfil),
                      "click-enrichment": like(r["click-enrichment"], clicks)}


TYPE_MUTATIONS: list[Mutation] = [
    ("both Express", _types_like("EXPRESS", "EXPRESS"), "fulfillment-express"),
    ("swapped", _types_like("EXPRESS", "STANDARD"), "fulfillment-express"),
    ("both Standard", _types_like("STANDARD", "STANDARD"), "clicks-standard"),
    ("not a workflow type", _types_like("STANDARD", "LAMBDA"), "unknown-type"),
    ("one flow left out", lambda r: {"fulfillment": r["fulfillment"]}, "missing"),
]

test_property_workflow_types = property_test(_nb09("exercise 4"), _workflow_types(), TYPE_MUTATIONS, examples=6)


# -- Notebook 09 exercise 5: the KMS key policy ------------------------------------------------------
def _arns(env):
    account = env.account
    return (account, f"arn:aws:sns:{env.region}:{account}:{env.name('orders', 'sns')}",
            f"arn:aws:events:{env.region}:{account}:rule/{env.name('orders', 'events')}")


def _check_key_policy(env, policy):
    """``policy(account, topic_arn, rule_arn)`` -> KEY_POLICY, checked."""
    return nb09_check(env, "exercise 5", policy(*_arns(env)))


@st.composite
def _key_policies(draw):
    """The account's root keeps kms:*; SNS and EventBridge may GenerateDataKey and Decrypt, each
    only for SecureCart's own topic / rule (aws:SourceArn)."""
    actions = draw(st.sampled_from([["kms:GenerateDataKey*", "kms:Decrypt"], ["kms:Decrypt", "kms:GenerateDataKey"],
                                    ["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"]]))
    operator, combined = draw(st.sampled_from(["ArnEquals", "ArnLike"])), draw(st.booleans())
    root_as = draw(st.sampled_from(["root", "account"]))
    order = draw(st.permutations([0, 1, 2]))

    def policy(account, topic, rule):
        root = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root" if root_as == "root" else account}}

        def allow(services, sources):
            return {"Effect": "Allow", "Principal": {"Service": services}, "Action": actions, "Resource": "*",
                    "Condition": {operator: {"aws:SourceArn": sources}}}
        services = ([allow(["sns.amazonaws.com", "events.amazonaws.com"], [topic, rule])] if combined else
                    [allow("sns.amazonaws.com", topic), allow("events.amazonaws.com", rule)])
        statements = [root, *services]
        return {"Version": "2012-10-17", "Statement": [statements[i] for i in order if i < len(statements)]}
    return policy


def _statements(edit):
    return _around(lambda p, *arns: {**p, "Statement": edit(p["Statement"], *arns)})


def _services(change):
    return _statements(lambda sts, *arns: [change(dict(s), *arns) if "Service" in s["Principal"] else s
                                           for s in sts])


KEY_POLICY_MUTATIONS: list[Mutation] = [
    ("no root statement", _statements(lambda sts, *a: [s for s in sts if "AWS" not in s["Principal"]]),
     "locks-out-admins"),
    ("no service statement", _statements(lambda sts, *a: [s for s in sts if "Service" not in s["Principal"]]),
     "sns-refused"),
    ("Decrypt only", _services(lambda s, *a: {**s, "Action": ["kms:Decrypt"]}), "sns-refused"),
    ("EventBridge's rule left out", _services(lambda s, account, topic, rule: {
        **s, "Principal": {"Service": "sns.amazonaws.com"}, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}),
     "events-refused"),
    ("no condition", _services(lambda s, *a: {k: v for k, v in s.items() if k != "Condition"}), "confused-deputy"),
    ("any topic", _services(lambda s, account, topic, rule: {**s, "Condition": {"ArnLike": {
        "aws:SourceArn": ["arn:aws:sns:*:*:*", rule]}}}), "confused-deputy"),
    ("a misspelt effect", _services(lambda s, *a: {**s, "Effect": "Permit"}), "invalid"),
]

test_property_key_policy = property_test(_check_key_policy, _key_policies(), KEY_POLICY_MUTATIONS)


# -- the official answers: the same ✔ three times in a row ---------------------------------------------
def _key_policy_answer(env):
    account, topic, rule = _arns(env)
    return access.fixed_key_policy(account, [topic], [rule])


OFFICIAL = {
    "lab2 exercise 2": lambda env: (helpers.lab2.check_raw_analytics, lambda t, q: {
        "TopicArn": t, "Protocol": "sqs", "Endpoint": q, "Attributes": {"RawMessageDelivery": "true"}}),
    "lab3 exercise 2": lambda env: (helpers.lab3.check_notification_transformer, helpers.lab3.NOTIFICATION_TRANSFORMER),
    "lab3 exercise 3": lambda env: (helpers.lab3.check_audit_route, {
        "pattern": helpers.lab3.AUDIT_PATTERN, "target_arn": _security_bus(env)}),
    "lab3 exercise 4": lambda env: (helpers.lab3.check_ordered_subscriber, helpers.lab3.ANSWER_4),
    "nb06 exercise 2": lambda env: (nb06.check_partition_key, lambda click: click["customer"]),
    "nb09 exercise 1": lambda env: (_nb09("exercise 1"), "powertools_json(Records[0].Sns.Message).order_id"),
    "nb09 exercise 2": lambda env: (_nb09("exercise 2"), outbox.outbox_entry),
    "nb09 exercise 3": lambda env: (_nb09("exercise 3"), {"MaximumRetryAttempts": 1, "DestinationConfig": _ON_FAILURE}),
    "nb09 exercise 4": lambda env: (_nb09("exercise 4"), {"fulfillment": "STANDARD", "click-enrichment": "EXPRESS"}),
    "nb09 exercise 5": lambda env: (_nb09("exercise 5"), _key_policy_answer(env)),
}


@pytest.mark.parametrize("exercise", list(OFFICIAL))
def test_the_official_answer_passes_three_times_in_a_row(env, exercise):
    # GIVEN the official answer of an exercise
    check, answer = OFFICIAL[exercise](env)
    # WHEN it is checked three times in one environment
    verdicts = [check(env, answer) for _ in range(3)]
    # THEN each is a ✔ with the same words
    assert all(verdicts), verdicts
    assert len({v.text() for v in verdicts}) == 1, verdicts


def test_partition_key_verdicts_keep_their_words_on_a_re_run(env):
    # GIVEN a hot key checked three times in one environment
    # (the right key: the official answer's test above)
    verdicts = [nb06.check_partition_key(env, lambda c: c["product"]) for _ in range(3)]
    # THEN the check's clicks are the same every run, and so are its numbers
    assert verdicts[0].cause == "hot-shard" and len({v.message for v in verdicts}) == 1, verdicts


def test_resume_from_passes_like_the_generated_forms(env):
    _passes(nb06.check_resume(env, resume_from))
