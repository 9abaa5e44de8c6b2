"""Property tests for the exercise checks that had only catalogues of known answers.

For each check: right answers generated from the exercise's specification (its hints and
docstring: other names, key orders, optional harmless parts) always pass; mutations of a right
answer that break the specification always fail, with the cause the mutation stands for; and
the official answer passes three times in a row in one environment, with the same words.
Examples are few and derandomized (each check runs a real scenario on moto).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
import helpers.lab2
import helpers.lab3
import helpers.orchestration
from helpers import events as eb
from helpers.orchestration import checks as nb06
from helpers.orchestration import fulfillment
from helpers.orchestration.status import resume_from
from helpers.patterns import access, outbox
from helpers.patterns import check as nb09_check


def _settings(n: int = 4) -> settings:
    return settings(max_examples=n, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _passes(verdict) -> None:
    assert verdict and verdict.cause is None, verdict.text()


def _fails(verdict, cause: str) -> None:
    assert not verdict and verdict.cause == cause, (cause, verdict.text())


# -- Lab 2 exercise 2: the raw-delivery analytics subscriber -----------------------------------------
#: Subscribe parameters beside the required ones that change nothing the analytics queue receives.
_HARMLESS_SUBSCRIBE = st.sampled_from([
    {}, {"ReturnSubscriptionArn": True}, {"ReturnSubscriptionArn": False},
])
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
    def mutate(params, topic_arn, queue_arn):
        return {**params, "Attributes": {**params["Attributes"], **changes}}
    return mutate


def _replace(key, value):
    def mutate(params, topic_arn, queue_arn):
        return {**params, key: value(topic_arn, queue_arn) if callable(value) else value}
    return mutate


#: (name, mutation of the right parameters, the cause it stands for).
_RAW_MUTATIONS = st.sampled_from([
    ("no attributes", lambda p, t, q: {k: v for k, v in p.items() if k != "Attributes"}, "envelope"),
    ("raw delivery off", _attributes(RawMessageDelivery="false"), "envelope"),
    ("a boolean, not a string", _attributes(RawMessageDelivery=True), "not-a-string"),
    ("not a boolean word", _attributes(RawMessageDelivery="yes"), "invalid-attribute"),
    ("the queue URL", _replace("Endpoint", lambda t, q: "https://sqs.us-east-1.amazonaws.com/"
                               f"{q.split(':')[4]}/{q.rsplit(':', 1)[-1]}"), "queue-url-not-arn"),
    ("another queue", _replace("Endpoint", lambda t, q: q + "-other"), "wrong-endpoint"),
    ("another protocol", _replace("Protocol", "lambda"), "wrong-protocol"),
    ("a filter that drops updates", _attributes(FilterPolicy='{"status": ["shipped"]}',
                                                FilterPolicyScope="MessageBody"), "filtered"),
])


@_settings(5)
@given(right=_raw_subscriptions(), mutation=_RAW_MUTATIONS)
def test_property_raw_subscription_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a right subscription written one of many ways, and one breaking mutation of it
    name, mutate, cause = mutation
    # WHEN both are checked THEN the right one passes and the mutation fails with its cause
    _passes(helpers.lab2.check_raw_analytics(env, right))
    _fails(helpers.lab2.check_raw_analytics(env, lambda t, q: mutate(right(t, q), t, q)), cause)


def test_raw_subscription_returned_as_a_list_is_not_a_dict(env):
    _fails(helpers.lab2.check_raw_analytics(env, lambda t, q: [t, "sqs", q]), "not-a-dict")


# -- Lab 2 exercise 3: the least-privilege queue policy ----------------------------------------------
#: Statements that change nothing for the alerts topic nor for anyone else's sends.
_HARMLESS_STATEMENTS = st.sampled_from([
    [],
    [{"Sid": "NoOneDeletes", "Effect": "Deny", "Principal": "*", "Action": "sqs:DeleteQueue",
      "Resource": "*"}],
    [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["sqs:PurgeQueue", "sqs:SetQueueAttributes"],
      "Resource": "*"}],
])


@st.composite
def _queue_policies(draw):
    """``fixed_policy(queue_arn, topic_arn)``: Allow SNS to SendMessage to this queue, for this topic."""
    sid = draw(st.sampled_from([None, "AlertsTopicOnly", "1"]))
    action = draw(st.sampled_from(["sqs:SendMessage", ["sqs:SendMessage"]]))
    principal = draw(st.sampled_from([{"Service": "sns.amazonaws.com"}, {"Service": ["sns.amazonaws.com"]}]))
    operator = draw(st.sampled_from(["ArnEquals", "ArnLike"]))
    source_as_list = draw(st.booleans())
    same_account = draw(st.booleans())
    extra = draw(_HARMLESS_STATEMENTS)
    as_text = draw(st.booleans())

    def fixed_policy(queue_arn, topic_arn):
        condition = {operator: {"aws:SourceArn": [topic_arn] if source_as_list else topic_arn}}
        if same_account:
            condition["StringEquals"] = {"aws:SourceAccount": topic_arn.split(":")[4]}
        statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": queue_arn,
                     "Condition": condition}
        if sid:
            statement = {"Sid": sid, **statement}
        policy = {"Version": "2012-10-17", "Statement": [statement, *extra]}
        return json.dumps(policy) if as_text else policy
    fixed_policy.__qualname__ = (f"fixed_policy(sid={sid}, {action}, {principal}, {operator}, "
                                 f"list={source_as_list}, account={same_account}, +{len(extra)}, text={as_text})")
    return fixed_policy


def _statement(change):
    """A mutation of the Allow statement (the first) of a right policy."""
    def mutate(policy, queue_arn, topic_arn):
        first, *rest = policy["Statement"]
        return {**policy, "Statement": [change(dict(first), queue_arn, topic_arn), *rest]}
    return mutate


def _condition(operator, source):
    return _statement(lambda s, q, t: {**s, "Condition": {operator: {"aws:SourceArn": source(t)}}})


_POLICY_MUTATIONS = st.sampled_from([
    ("a broad statement beside the fix", lambda p, q, t: {**p, "Statement": [*p["Statement"], {
        "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}, "extra-statement"),
    ("ArnNotEquals", _condition("ArnNotEquals", lambda t: t), "negated-condition"),
    ("a wildcard in the topic's name", _condition("ArnLike", lambda t: t + "*"), "wildcard-source"),
    ("every topic", _condition("ArnLike", lambda t: "arn:aws:sns:*:*:*"), "wildcard-source"),
    ("no condition", _statement(lambda s, q, t: {k: v for k, v in s.items() if k != "Condition"}),
     "no-source-condition"),
    ("anyone", _statement(lambda s, q, t: {**s, "Principal": "*"}), "any-principal"),
    ("every SQS action", _statement(lambda s, q, t: {**s, "Action": "sqs:*"}), "broad-action"),
    ("every resource", _statement(lambda s, q, t: {**s, "Resource": "*"}), "wrong-resource"),
    ("another topic", _condition("ArnEquals", lambda t: t + "-other"), "other-topic"),
    ("another service", _statement(lambda s, q, t: {**s, "Principal": {"Service": "events.amazonaws.com"}}),
     "wrong-principal"),
    ("a Deny that matches the topic", lambda p, q, t: {**p, "Statement": [*p["Statement"], {
        "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": q}]}, "denied"),
])


def _as_dict(policy):
    return json.loads(policy) if isinstance(policy, str) else policy


@_settings(6)
@given(right=_queue_policies(), mutation=_POLICY_MUTATIONS)
def test_property_queue_policy_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a least-privilege policy written one of many ways, and one breaking mutation of it
    name, mutate, cause = mutation
    # WHEN both are graded THEN the right one passes and the mutation fails with its cause
    _passes(helpers.lab2.check_queue_policy_fix(env, right))
    _fails(helpers.lab2.check_queue_policy_fix(env, lambda q, t: mutate(_as_dict(right(q, t)), q, t)), cause)


# -- Lab 3 exercise 2: the notification's input transformer ------------------------------------------
_ORDER_NAMES = st.sampled_from(["order", "id", "o", "orderId", "order_id", "ref"])
_TOTAL_NAMES = st.sampled_from(["total", "amount", "t", "sum", "price_usd"])
_MESSAGES = st.sampled_from(["Order <o> is confirmed", "Thank you! Order <o> is confirmed.",
                             "<o> confirmed", "Thanks! <o> ($<t>) is confirmed"])
#: Template keys beside the three the customer's app reads: ignored by it.
_EXTRA_KEYS = st.sampled_from([{}, {"when": ("$.time", '"<when>"')}, {"kind": ("$.detail-type", '"<kind>"')},
                               {"shop": (None, '"SecureCart"')}])


@st.composite
def _transformers(draw):
    """An InputTransformer whose output is a JSON object: message (naming the order), order_id
    (the order's id as text) and total (the order's total as a number)."""
    o, t = draw(_ORDER_NAMES), draw(_TOTAL_NAMES.filter(lambda name: True))
    if o == t:  # pragma: no cover - the lists share no name
        t += "2"
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
    def mutate(tr):
        return {**tr, "InputTemplate": edit(tr["InputTemplate"], *_names(tr))}
    return mutate


def _path(which, path):
    def mutate(tr):
        name = _names(tr)[which]
        return {**tr, "InputPathsMap": {**tr["InputPathsMap"], name: path}}
    return mutate


def _retemplate(fields):
    """A template with only ``fields`` (name -> text with {o}/{t} for the placeholders)."""
    def edit(template, o, t):
        return "{" + ", ".join(f'"{k}": {v.format(o=f"<{o}>", t=f"<{t}>")}' for k, v in fields.items()) + "}"
    return _template(edit)


_TRANSFORMER_MUTATIONS = st.sampled_from([
    ("total in quotes", _template(lambda s, o, t: s.replace(f": <{t}>", f': "<{t}>"')), "total-not-number"),
    ("a total path that finds nothing", _path(1, "$.detail.amount"), "wrong-total-path"),
    ("the order id outside detail", _path(0, "$.order_id"), "wrong-order-id"),
    ("the total from the order id", _path(1, "$.detail.order_id"), "wrong-total"),
    ("a total written in", _retemplate({"message": '"Order {o} is confirmed"', "order_id": '"{o}"',
                                        "total": "42.5"}), "wrong-total"),
    ("no message", _retemplate({"order_id": '"{o}"', "total": "{t}"}), "no-message"),
    ("a message without the order", _retemplate({"message": '"Your order is confirmed"',
                                                 "order_id": '"{o}"', "total": "{t}"}), "no-message"),
    ("plain text", _template(lambda s, o, t: f"Order <{o}> is confirmed, total <{t}>"), "not-json"),
    ("paths as JSON text", lambda tr: {**tr, "InputPathsMap": json.dumps(tr["InputPathsMap"])}, "refused"),
])


@_settings(6)
@given(right=_transformers(), mutation=_TRANSFORMER_MUTATIONS)
def test_property_transformer_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a right transformer (any placeholder names, key order, extra keys) and a mutation of it
    name, mutate, cause = mutation
    # WHEN both are checked THEN the right one passes and the mutation fails with its cause
    _passes(helpers.lab3.check_notification_transformer(env, right))
    _fails(helpers.lab3.check_notification_transformer(env, mutate(right)), cause)


# -- Lab 3 exercise 3: the cross-account audit route -------------------------------------------------
@pytest.fixture
def security(env):
    """Section 5's security bus (the check needs it)."""
    shop = helpers.lab3.build_shop(env)
    return env, helpers.lab3.experiment_audit(env, shop).bus.arn


#: detail-type conditions that match exactly the types starting with "Audit" (case-sensitive).
_AUDIT_TYPES = st.sampled_from([
    [{"prefix": "Audit"}], [{"wildcard": "Audit*"}], [{"prefix": "Audit"}, "AuditLogin"],
    [{"prefix": "Audit"}, {"wildcard": "Audit*"}], [{"prefix": "AuditL"}, {"prefix": "Audit"}],
])


@st.composite
def _audit_routes(draw):
    types = draw(_AUDIT_TYPES)
    own_account = draw(st.booleans())  # the audit events are SecureCart's own

    def route(env, arn):
        pattern = {"detail-type": types, **({"account": [env.account]} if own_account else {})}
        return {"pattern": pattern, "target_arn": arn}
    route.__qualname__ = f"route({types}, own_account={own_account})"
    return route


def _pattern(detail_types):
    return lambda r: {**r, "pattern": {"detail-type": detail_types}}


def _arn(edit):
    return lambda r: {**r, "target_arn": edit(r["target_arn"])}


_ROUTE_MUTATIONS = st.sampled_from([
    ("today's audit types by name", _pattern(["AuditLogin", "AuditRefundApproved"]), "misses-audit"),
    ("a suffix", _pattern([{"suffix": "Login"}]), "misses-audit"),
    ("every audit source", lambda r: {**r, "pattern": {"source": ["securecart.audit"]}}, "too-broad"),
    ("Audit anywhere in the name", _pattern([{"wildcard": "*Audit*"}]), "too-broad"),
    ("any case", _pattern([{"prefix": {"equals-ignore-case": "audit"}}]), "too-broad"),
    ("anything but today's others", _pattern([{"anything-but": ["Heartbeat", "OrderPlaced"]}]), "too-broad"),
    ("lower case", _pattern([{"prefix": "audit"}]), "matches-nothing"),
    ("a typo in the bus name", _arn(lambda a: a + "-typo"), "matches-nothing"),
    ("the security account's queue", _arn(lambda a: a.replace(":events:", ":sqs:").replace("event-bus/", "")),
     "not-a-bus"),
    ("SecureCart's own account", _arn(lambda a: a.replace(eb.SECURITY_ACCOUNT, "123456789012")), "same-account"),
    ("not a list", _pattern({"prefix": "Audit"}), "invalid-pattern"),
])


@_settings(6)
@given(right=_audit_routes(), mutation=_ROUTE_MUTATIONS)
def test_property_audit_route_right_forms_pass_and_mutations_fail(security, right, mutation):
    # GIVEN section 5's security bus, a right route written one of many ways and a mutation of it
    env, arn = security
    name, mutate, cause = mutation
    # WHEN both are checked THEN the right one passes and the mutation fails with its cause
    _passes(helpers.lab3.check_audit_route(env, right(env, arn)))
    _fails(helpers.lab3.check_audit_route(env, mutate(right(env, arn))), cause)


# -- Lab 3 exercise 4: the Custom Event Bus ordered subscriber ---------------------------------------
#: Retries that outlast the 120-s outage whatever the jitter: delays double from 1 s to a 60-s
#: cap, at least halved by jitter (0.5+1+2+4+8+16+30+30+30 s > 120 s after 9 retries), and the
#: retry after the outage comes at most 60 s after it (an event age of 180 s).
_ENOUGH_RETRIES, _ENOUGH_AGE = st.integers(12, 185), st.integers(240, 86_400)


@st.composite
def _subscribers(draw):
    policy = {"MaxRetryAttempts": draw(_ENOUGH_RETRIES), "MaxEventAgeInSeconds": draw(_ENOUGH_AGE)}
    if draw(st.booleans()):
        policy["RetryStrategy"] = "ALL"
    extra = draw(st.sampled_from([{}, {"Description": "orders, in order per customer"}]))
    order = draw(st.permutations(["Type", "RetryPolicy", *extra]))
    values = {"Type": "FIFO", "RetryPolicy": policy, **extra}
    return {k: values[k] for k in order}


def _retry(**changes):
    return lambda s: {**s, "RetryPolicy": {**s["RetryPolicy"], **changes}}


_SUBSCRIBER_MUTATIONS = st.sampled_from([
    ("unordered", lambda s: {**s, "Type": "UNORDERED"}, "unordered"),
    ("the default retries", lambda s: {k: v for k, v in s.items() if k != "RetryPolicy"}, "gave-up"),
    ("too few retries", _retry(MaxRetryAttempts=4), "gave-up"),
    ("no retry", _retry(MaxRetryAttempts=0), "gave-up"),
    ("events too young to outlast it", _retry(MaxEventAgeInSeconds=90), "gave-up"),
    ("over the retries' range", _retry(MaxRetryAttempts=186), "refused"),
    ("over the age's range", _retry(MaxEventAgeInSeconds=86_401), "refused"),
    ("a type in lower case", lambda s: {**s, "Type": "fifo"}, "refused"),
    ("a misspelt key", lambda s: {("Typ" if k == "Type" else k): v for k, v in s.items()}, "refused"),
])


@_settings(5)
@given(right=_subscribers(), mutation=_SUBSCRIBER_MUTATIONS)
def test_property_ordered_subscriber_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a FIFO subscriber whose retries outlast the outage, and a breaking mutation of it
    name, mutate, cause = mutation
    # WHEN both run through the outage THEN the right one passes and the mutation fails with its cause
    _passes(helpers.lab3.check_ordered_subscriber(env, right))
    _fails(helpers.lab3.check_ordered_subscriber(env, mutate(right)), cause)


# -- Notebook 06 exercise 1: the refund Catch --------------------------------------------------------
#: ErrorEquals lists that catch every failure of the Ship state: its errors, the unplanned ones
#: and its timeout (States.TaskFailed matches every error name except States.Timeout).
_CATCH_ALL = st.sampled_from([["States.ALL"], ["States.TaskFailed", "States.Timeout"],
                              ["States.Timeout", "States.TaskFailed"]])
_RESULT_PATHS = st.sampled_from(["$.error", "$.failure", "$.errors.ship", "$.ship_error"])


@st.composite
def _ship_catches(draw):
    """A Catch that sends every shipping failure to ReleaseStock (then the refund) and keeps the order."""
    catch_all = {"ErrorEquals": draw(_CATCH_ALL), "ResultPath": draw(_RESULT_PATHS), "Next": "ReleaseStock"}
    order = draw(st.permutations(list(catch_all)))
    catchers = [{k: catch_all[k] for k in order}]
    if draw(st.booleans()):  # a specific catcher first, to the same compensation
        catchers.insert(0, {"ErrorEquals": ["ShippingUnavailable"], "ResultPath": draw(_RESULT_PATHS),
                            "Next": "ReleaseStock"})
    return catchers


def _every_catcher(change):
    return lambda catchers: [change(dict(c)) for c in catchers]


def _last_catcher_errors(errors):
    return lambda catchers: [*catchers[:-1], {**catchers[-1], "ErrorEquals": errors}]


_CATCH_MUTATIONS = st.sampled_from([
    ("no ResultPath", _every_catcher(lambda c: {k: v for k, v in c.items() if k != "ResultPath"}), "lost-input"),
    ("the error replaces the order", _every_catcher(lambda c: {**c, "ResultPath": "$"}), "lost-input"),
    ("straight to the refund", _every_catcher(lambda c: {**c, "Next": "RefundPayment"}), "stock-kept"),
    ("straight to the failure", _every_catcher(lambda c: {**c, "Next": "OrderFailed"}), "skips-refund"),
    ("only the known error", _last_catcher_errors(["ShippingUnavailable"]), "catches-one-error"),
    ("no Catch", lambda catchers: [], "not-caught"),
])

#: main's check injects a shipment that times out (States.Timeout) once the carrier hangs.
_TIMEOUT_INJECTED = hasattr(fulfillment, "CARRIER_HANG_SECONDS")
_NO_TIMEOUT = "the check does not inject a shipment timeout yet (merge main: 'ship-hangs')"


@_settings(5)
@given(right=_ship_catches(), mutation=_CATCH_MUTATIONS)
def test_property_refund_catch_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a Catch that compensates every shipping failure, and a breaking mutation of it
    name, mutate, cause = mutation
    # WHEN both run the failing, the good and the crashing orders THEN right passes, the mutation fails
    _passes(nb06.check_refund_catch(env, right))
    _fails(nb06.check_refund_catch(env, mutate(right)), cause)


@pytest.mark.skipif(not _TIMEOUT_INJECTED, reason=_NO_TIMEOUT)
@_settings(4)
@given(right=_ship_catches(), errors=st.sampled_from([["States.TaskFailed"], ["ShippingUnavailable", "RuntimeError"],
                                                      ["RuntimeError", "ShippingUnavailable", "States.TaskFailed"]]))
def test_property_refund_catch_that_misses_the_timeout_fails(env, right, errors):
    # GIVEN a right Catch whose general catcher names task failures only (not States.Timeout)
    wrong = _last_catcher_errors(errors)(right)
    # WHEN the shipment times out THEN the order stays charged: misses-timeout
    _fails(nb06.check_refund_catch(env, wrong), "misses-timeout")


# -- Notebook 06 exercise 3: resume from the checkpoint ----------------------------------------------
_NO_CHECKPOINT = st.sampled_from([("is None", lambda c: c is None), ("falsy", lambda c: not c),
                                  ("not a string", lambda c: not isinstance(c, str))])
_BUILD = st.sampled_from([("literal", lambda **kw: kw), ("dict()", lambda **kw: dict(**kw)),
                          ("reversed keys", lambda **kw: dict(reversed(list(kw.items()))))])


@st.composite
def _resumes(draw):
    """``resume(checkpoint)``: the oldest record kept when there is none, else right after it."""
    (_, fresh), (_, build) = draw(_NO_CHECKPOINT), draw(_BUILD)

    def resume(checkpoint=None):
        if fresh(checkpoint):
            return build(ShardIteratorType="TRIM_HORIZON")
        return build(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=checkpoint)
    return resume


def _after(answer):
    """A mutation of what ``resume`` returns once there is a checkpoint."""
    return lambda right: lambda c: right(c) if c is None else answer(c)


_RESUME_MUTATIONS = st.sampled_from([
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
])


@_settings(5)
@given(right=_resumes(), mutation=_RESUME_MUTATIONS)
def test_property_resume_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a right resume written one of many ways, and a breaking mutation of it
    name, mutate, cause = mutation
    # WHEN the consumer restarts with each THEN the right one passes and the mutation fails with its cause
    _passes(nb06.check_resume(env, right))
    _fails(nb06.check_resume(env, mutate(right)), cause)


# -- Notebook 09 exercise 1: the idempotency key -----------------------------------------------------
#: JMESPath expressions for the producer's order id inside the SNS message (the same on every copy).
_RIGHT_KEYS = st.sampled_from([
    "powertools_json(Records[0].Sns.Message).order_id",
    "powertools_json( Records[0].Sns.Message ).order_id",
    "Records[0].Sns.Message | powertools_json(@).order_id",
    "powertools_json(Records[0].Sns.Message).[order_id]",
    "powertools_json(Records[0].Sns.Message).{order: order_id}",
    "Records[0].Sns | powertools_json(Message).order_id",
])
_WRONG_KEYS = st.sampled_from([
    ("SNS's message id", "Records[0].Sns.MessageId", "transport-id"),
    ("the whole message", "Records[0].Sns.Message", "changes-per-publish"),
    ("the order and when it was sent", "powertools_json(Records[0].Sns.Message).[order_id, sent_at]",
     "changes-per-publish"),
    ("the same for every order", "Records[0].EventSource", "too-broad"),
    ("the amount", "powertools_json(Records[0].Sns.Message).amount", "too-broad"),
    ("a key in camel case", "powertools_json(Records[0].Sns.Message).orderId", "no-key"),
    ("not parsed", "Records[0].Sns.Message.order_id", "no-key"),
    ("not JMESPath", "powertools_json(Records[0].Sns.Message", "invalid-jmespath"),
])


@_settings(6)
@given(right=_RIGHT_KEYS, wrong=_WRONG_KEYS)
def test_property_idempotency_key_right_forms_pass_and_wrong_keys_fail(env, right, wrong):
    # GIVEN a key that reads the producer's order id, and a key that breaks the specification
    name, key, cause = wrong
    # WHEN SNS redelivers and the producer resends THEN the right key charges once per order
    _passes(nb09_check(env, "exercise 1", right))
    _fails(nb09_check(env, "exercise 1", key), cause)


# -- Notebook 09 exercise 2: the outbox publisher ----------------------------------------------------
_INSERTED = st.sampled_from([lambda r: r.get("eventName") == "INSERT", lambda r: r["eventName"] in ("INSERT",),
                             lambda r: r.get("eventName") not in ("MODIFY", "REMOVE")])
_OUTBOX_ITEM = st.sampled_from([lambda pk: pk.startswith("OUTBOX#"), lambda pk: pk.split("#", 1)[0] == "OUTBOX",
                                lambda pk: pk[:7] == "OUTBOX#"])


@st.composite
def _publishers(draw):
    """``to_entry(record)``: a PutEvents entry for a new outbox item, None for any other record."""
    inserted, outbox_item = draw(_INSERTED), draw(_OUTBOX_ITEM)
    detail_as_is = draw(st.booleans())

    def to_entry(record):
        image = record.get("dynamodb", {}).get("NewImage", {})
        if not inserted(record) or not outbox_item(image.get("pk", {}).get("S", "")):
            return None
        detail = image["detail"]["S"] if detail_as_is else json.dumps(json.loads(image["detail"]["S"]))
        return {"Source": outbox.SOURCE, "DetailType": image["detail_type"]["S"], "Detail": detail}
    return to_entry


_PUBLISHER_MUTATIONS = st.sampled_from([
    ("every change of an outbox item", lambda right: lambda r: right({**r, "eventName": "INSERT"}),
     "publishes-other-records"),
    ("every new item", lambda right: lambda r: right({**r, "dynamodb": {**r.get("dynamodb", {}), "NewImage": {
        **r.get("dynamodb", {}).get("NewImage", {}), "pk": {"S": "OUTBOX#any"},
        "detail_type": {"S": "OrderPlaced"}, "detail": {"S": "{}"}}}}), "publishes-other-records"),
    ("nothing", lambda right: lambda r: None, "publishes-nothing"),
    ("raises", lambda right: lambda r: r["dynamodb"]["NewImage"]["nothing"]["S"], "raises"),
])


@_settings(4)
@given(right=_publishers(), mutation=_PUBLISHER_MUTATIONS)
def test_property_outbox_publisher_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a publisher that turns only new outbox items into events, and a breaking mutation of it
    name, mutate, cause = mutation
    # WHEN four orders, a status change, a note and a clean-up go through the stream
    # THEN the right one passes and the mutation fails with its cause
    _passes(nb09_check(env, "exercise 2", right))
    _fails(nb09_check(env, "exercise 2", mutate(right)), cause)


# -- Notebook 09 exercise 3: asynchronous error handling ---------------------------------------------
_ON_FAILURE = {"OnFailure": {"Destination": "FAILED_RECEIPTS_ARN"}}


@st.composite
def _receipt_configs(draw):
    """One retry (a passing timeout), the failures kept on the failure queue; the first retry
    comes after about a minute, so an event age, if set, must allow it."""
    config = {"MaximumRetryAttempts": 1, "DestinationConfig": _ON_FAILURE}
    age = draw(st.one_of(st.none(), st.integers(180, 21_600)))
    if age is not None:
        config["MaximumEventAgeInSeconds"] = age
    order = draw(st.permutations(list(config)))
    return {k: config[k] for k in order}


_CONFIG_MUTATIONS = st.sampled_from([
    ("no retry", lambda c: {**c, "MaximumRetryAttempts": 0}, "no-retry"),
    ("two retries", lambda c: {**c, "MaximumRetryAttempts": 2}, "too-many-retries"),
    ("no destination", lambda c: {k: v for k, v in c.items() if k != "DestinationConfig"}, "no-destination"),
    ("a destination on success only", lambda c: {**c, "DestinationConfig": {"OnSuccess": _ON_FAILURE["OnFailure"]}},
     "no-destination"),
    ("out of range", lambda c: {**c, "MaximumRetryAttempts": 5}, "invalid"),
])


@_settings(5)
@given(right=_receipt_configs(), mutation=_CONFIG_MUTATIONS)
def test_property_receipt_config_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a right event invoke config, and a breaking mutation of it
    name, mutate, cause = mutation
    # WHEN a flaky and a broken receipt are sent THEN the right one passes, the mutation fails
    _passes(nb09_check(env, "exercise 3", right))
    _fails(nb09_check(env, "exercise 3", mutate(right)), cause)


# -- Notebook 09 exercise 4: Standard or Express -----------------------------------------------------
_SPELLINGS = st.sampled_from([str.upper, str.lower, str.capitalize])


@_settings(6)
@given(spell=_SPELLINGS, other=_SPELLINGS, reverse=st.booleans(),
       wrong=st.sampled_from([(("EXPRESS", "EXPRESS"), "fulfillment-express"),
                              (("EXPRESS", "STANDARD"), "fulfillment-express"),
                              (("STANDARD", "STANDARD"), "clicks-standard"),
                              (("STANDARD", "LAMBDA"), "unknown-type"), (("SYNC", "EXPRESS"), "unknown-type")]))
def test_property_workflow_types_right_forms_pass_and_wrong_choices_fail(env, spell, other, reverse, wrong):
    # GIVEN fulfillment on Standard and click-enrichment on Express, in any case and key order
    items = [("fulfillment", spell("STANDARD")), ("click-enrichment", other("EXPRESS"))]
    right = dict(reversed(items) if reverse else items)
    (fulfil, clicks), cause = wrong
    # THEN it passes; any other choice fails with its cause
    _passes(nb09_check(env, "exercise 4", right))
    _fails(nb09_check(env, "exercise 4", {"fulfillment": spell(fulfil), "click-enrichment": other(clicks)}), cause)


# -- Notebook 09 exercise 5: the KMS key policy ------------------------------------------------------
def _arns(env):
    account = env.account
    return (account, f"arn:aws:sns:{env.region}:{account}:{env.name('orders', 'sns')}",
            f"arn:aws:events:{env.region}:{account}:rule/{env.name('orders', 'events')}")


@st.composite
def _key_policies(draw):
    """The account's root keeps kms:*; SNS and EventBridge may GenerateDataKey and Decrypt, each
    only for SecureCart's own topic / rule (aws:SourceArn)."""
    actions = draw(st.sampled_from([["kms:GenerateDataKey*", "kms:Decrypt"], ["kms:Decrypt", "kms:GenerateDataKey"],
                                    ["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"]]))
    operator = draw(st.sampled_from(["ArnEquals", "ArnLike"]))
    combined = draw(st.booleans())  # one statement for both services, or one each
    root_as = draw(st.sampled_from(["root", "account"]))
    shuffle = draw(st.permutations([0, 1, 2]))

    def policy(account, topic, rule):
        root = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root" if root_as == "root" else account}}

        def allow(services, sources):
            return {"Effect": "Allow", "Principal": {"Service": services}, "Action": actions, "Resource": "*",
                    "Condition": {operator: {"aws:SourceArn": sources}}}
        services = ([allow(["sns.amazonaws.com", "events.amazonaws.com"], [topic, rule])] if combined else
                    [allow("sns.amazonaws.com", topic), allow("events.amazonaws.com", rule)])
        statements = [root, *services]
        return {"Version": "2012-10-17",
                "Statement": [statements[i] for i in shuffle if i < len(statements)]}
    return policy


def _drop(predicate):
    return lambda p: {**p, "Statement": [s for s in p["Statement"] if not predicate(s)]}


def _services(change):
    return lambda p: {**p, "Statement": [change(dict(s)) if "Service" in s["Principal"] else s
                                         for s in p["Statement"]]}


_KEY_MUTATIONS = st.sampled_from([
    ("no root statement", _drop(lambda s: "AWS" in s["Principal"]), "locks-out-admins"),
    ("no service statement", _drop(lambda s: "Service" in s["Principal"]), "sns-refused"),
    ("Decrypt only", _services(lambda s: {**s, "Action": ["kms:Decrypt"]}), "sns-refused"),
    ("no condition", _services(lambda s: {k: v for k, v in s.items() if k != "Condition"}), "confused-deputy"),
    ("any topic", _services(lambda s: {**s, "Condition": {"ArnLike": {"aws:SourceArn": [
        "arn:aws:sns:*:*:*", *[a for a in s["Condition"][next(iter(s["Condition"]))]["aws:SourceArn"]
                               if ":events:" in a]]}}}), "confused-deputy"),
    ("a misspelt effect", _services(lambda s: {**s, "Effect": "Permit"}), "invalid"),
])


@_settings(6)
@given(right=_key_policies(), mutation=_KEY_MUTATIONS)
def test_property_key_policy_right_forms_pass_and_mutations_fail(env, right, mutation):
    # GIVEN a right key policy written one of many ways, and a breaking mutation of it
    name, mutate, cause = mutation
    policy = right(*_arns(env))
    # WHEN IAM decides each request THEN the right one passes and the mutation fails with its cause
    _passes(nb09_check(env, "exercise 5", policy))
    _fails(nb09_check(env, "exercise 5", mutate(policy)), cause)


def test_key_policy_with_only_eventbridge_refused(env):
    policy = access.fixed_key_policy(*[[a] if i else a for i, a in enumerate(_arns(env))])
    wrong = _drop(lambda s: s.get("Sid") == "AllowEventBridgeRules")(policy)
    _fails(nb09_check(env, "exercise 5", wrong), "events-refused")


# -- the official answers: the same ✔ three times in a row ---------------------------------------------
def _raw_official(t, q):
    return {"TopicArn": t, "Protocol": "sqs", "Endpoint": q, "Attributes": {"RawMessageDelivery": "true"}}


OFFICIAL = {
    "lab2 exercise 2": lambda env: (helpers.lab2.check_raw_analytics, _raw_official),
    "lab3 exercise 2": lambda env: (helpers.lab3.check_notification_transformer, helpers.lab3.NOTIFICATION_TRANSFORMER),
    "lab3 exercise 3": lambda env: (helpers.lab3.check_audit_route, {
        "pattern": helpers.lab3.AUDIT_PATTERN, "target_arn": helpers.lab3.experiment_audit(
            env, helpers.lab3.build_shop(env)).bus.arn}),
    "lab3 exercise 4": lambda env: (helpers.lab3.check_ordered_subscriber, helpers.lab3.ANSWER_4),
    "nb06 exercise 2": lambda env: (nb06.check_partition_key, lambda click: click["customer"]),
    "nb09 exercise 1": lambda env: (lambda e, a: nb09_check(e, "exercise 1", a),
                                    "powertools_json(Records[0].Sns.Message).order_id"),
    "nb09 exercise 2": lambda env: (lambda e, a: nb09_check(e, "exercise 2", a), outbox.outbox_entry),
    "nb09 exercise 3": lambda env: (lambda e, a: nb09_check(e, "exercise 3", a),
                                    {"MaximumRetryAttempts": 1, "DestinationConfig": _ON_FAILURE}),
    "nb09 exercise 4": lambda env: (lambda e, a: nb09_check(e, "exercise 4", a),
                                    {"fulfillment": "STANDARD", "click-enrichment": "EXPRESS"}),
    "nb09 exercise 5": lambda env: (lambda e, a: nb09_check(e, "exercise 5", a), access.fixed_key_policy(
        *[[a] if i else a for i, a in enumerate(_arns(env))])),
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
    # GIVEN a hot key and the right key, each checked three times in one environment
    for key in (lambda c: c["product"], lambda c: c["customer"]):
        verdicts = [nb06.check_partition_key(env, key) for _ in range(3)]
        # THEN the check's clicks are the same every run, and so are its numbers
        assert len({v.message for v in verdicts}) == 1, verdicts


def test_resume_from_is_the_official_answer(env):
    # the course's own resume_from passes, as the generated forms do
    _passes(nb06.check_resume(env, resume_from))
