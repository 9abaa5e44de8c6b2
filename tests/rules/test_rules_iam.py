"""IAM's evaluation of resource policies (helpers.rules.iam): explicit deny, any allow, conditions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.platform.errors import InvalidPolicyDocumentError
from helpers.rules.iam import (
    ALLOW,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Request,
    arn_match,
    evaluate,
)

ACCOUNT = "123456789012"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:payments"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
OTHER_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders-copy"
FOREIGN_TOPIC = "arn:aws:sns:us-east-1:999999999999:orders"
SNS = {"Service": "sns.amazonaws.com"}


def send(source: str = TOPIC, principal: dict | None = None, **context: object) -> Request:
    return Request("sqs:SendMessage", QUEUE, SNS if principal is None else principal,
                   {"aws:SourceArn": source, **context})


def statement(effect: str = "Allow", **fields: object) -> dict:
    base = {"Effect": effect, "Principal": SNS, "Action": "sqs:SendMessage", "Resource": QUEUE}
    base.update(fields)
    return base


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


RIGHT = statement(Condition={"ArnEquals": {"aws:SourceArn": TOPIC}})


def test_the_right_queue_policy_allows_its_topic_and_no_other() -> None:
    # GIVEN the policy the course teaches WHEN its topic, another topic and another account's send
    verdicts = [evaluate(policy(RIGHT), send(s)).verdict for s in (TOPIC, OTHER_TOPIC, FOREIGN_TOPIC)]
    # THEN only its topic is allowed
    assert verdicts == [ALLOW, IMPLICIT_DENY, IMPLICIT_DENY]


def test_every_statement_counts_a_broad_allow_beside_the_fix_still_allows_any_topic() -> None:
    # GIVEN the fix plus a leftover Principal "*" statement
    broad = {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}
    # WHEN another topic sends
    decision = evaluate(policy(RIGHT, broad), send(OTHER_TOPIC))
    # THEN the broad statement (#2) allows it
    assert (decision.verdict, decision.statements) == (ALLOW, (1,))


def test_explicit_deny_wins_over_any_allow_in_any_order() -> None:
    # GIVEN an allow-all and a deny for one topic, in both orders
    allow_all = statement(Principal="*", Action="*", Resource="*")
    deny = statement("Deny", Sid="NoCopy", Condition={"ArnEquals": {"aws:SourceArn": OTHER_TOPIC}})
    for statements in ((allow_all, deny), (deny, allow_all)):
        # WHEN the denied topic sends THEN deny; the other topic is still allowed
        decision = evaluate(policy(*statements), send(OTHER_TOPIC))
        assert decision.verdict == EXPLICIT_DENY and decision.sids == ("NoCopy",)
        assert evaluate(policy(*statements), send(TOPIC)).verdict == ALLOW
    assert "explicitly denied by statement" in decision.explain()


def test_arn_not_equals_is_the_negation_not_arn_equals() -> None:
    # GIVEN a policy written with ArnNotEquals (the wrong idea: reads like ArnEquals)
    wrong = policy(statement(Condition={"ArnNotEquals": {"aws:SourceArn": TOPIC}}))
    # WHEN its own topic and another topic send
    # THEN it allows exactly the topics it meant to refuse
    assert evaluate(wrong, send(TOPIC)).verdict == IMPLICIT_DENY
    assert evaluate(wrong, send(OTHER_TOPIC)).verdict == ALLOW


def test_values_of_one_key_are_ored_keys_and_operators_are_anded() -> None:
    # GIVEN two topics listed under one key, and an account condition beside it
    two = statement(Condition={"ArnEquals": {"aws:SourceArn": [TOPIC, OTHER_TOPIC]},
                               "StringEquals": {"aws:SourceAccount": ACCOUNT}})
    # WHEN each topic sends with the right account, and one with a wrong account
    # THEN both topics pass (OR) and the account must also match (AND)
    assert evaluate(policy(two), send(TOPIC, **{"aws:SourceAccount": ACCOUNT})).allowed
    assert evaluate(policy(two), send(OTHER_TOPIC, **{"aws:SourceAccount": ACCOUNT})).allowed
    assert not evaluate(policy(two), send(TOPIC, **{"aws:SourceAccount": "999999999999"})).allowed


def test_negated_operator_with_several_values_refuses_every_listed_value() -> None:
    # GIVEN a Deny unless the source is one of two topics
    guard = statement("Deny", Principal="*", Condition={"ArnNotEquals": {"aws:SourceArn": [TOPIC, OTHER_TOPIC]}})
    both = policy(statement(Principal="*"), guard)
    # WHEN the two listed topics and a foreign one send THEN only the foreign one is denied
    assert [evaluate(both, send(s)).verdict for s in (TOPIC, OTHER_TOPIC, FOREIGN_TOPIC)] == [
        ALLOW, ALLOW, EXPLICIT_DENY]


def test_a_missing_key_fails_positive_operators_and_passes_negated_and_ifexists() -> None:
    # GIVEN a request with no aws:SourceArn (a direct send from a principal)
    direct = Request("sqs:SendMessage", QUEUE, SNS, {})
    # WHEN each operator kind is evaluated THEN AWS's missing-key rules hold
    assert not evaluate(policy(statement(Condition={"ArnEquals": {"aws:SourceArn": TOPIC}})), direct).allowed
    assert evaluate(policy(statement(Condition={"ArnNotEquals": {"aws:SourceArn": TOPIC}})), direct).allowed
    assert evaluate(policy(statement(Condition={"ArnEqualsIfExists": {"aws:SourceArn": TOPIC}})), direct).allowed
    assert evaluate(policy(statement(Condition={"Null": {"aws:SourceArn": "true"}})), direct).allowed
    assert not evaluate(policy(statement(Condition={"Null": {"aws:SourceArn": "true"}})), send()).allowed


def test_arn_like_compares_part_by_part_with_wildcards() -> None:
    # GIVEN wildcard ARNs WHEN matched THEN each of the six parts is compared on its own
    assert arn_match(f"arn:aws:sns:*:{ACCOUNT}:orders", TOPIC)
    assert not arn_match(f"arn:aws:sns:*:{ACCOUNT}:orders", FOREIGN_TOPIC)
    assert arn_match("arn:aws:sns:us-east-1:*:orders*", OTHER_TOPIC)
    assert not arn_match("arn:aws:sns:us-east-1:*", TOPIC)   # five parts never match six
    like = policy(statement(Condition={"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{ACCOUNT}:*"}}))
    assert evaluate(like, send(OTHER_TOPIC)).allowed and not evaluate(like, send(FOREIGN_TOPIC)).allowed


def test_principal_action_and_resource_elements() -> None:
    # GIVEN statements that name the wrong principal, action or resource
    # WHEN SNS sends THEN none of them applies; NotAction / NotResource / case-insensitive actions work
    assert not evaluate(policy(statement(Principal={"Service": "events.amazonaws.com"})), send()).allowed
    assert not evaluate(policy(statement(Action="sqs:ReceiveMessage")), send()).allowed
    assert not evaluate(policy(statement(Resource=QUEUE + "-dlq")), send()).allowed
    assert evaluate(policy(statement(Action="SQS:send*")), send()).allowed
    not_action = statement()
    not_action.pop("Action")
    not_action["NotAction"] = "sqs:DeleteMessage"
    assert evaluate(policy(not_action), send()).allowed
    not_resource = statement()
    not_resource.pop("Resource")
    not_resource["NotResource"] = QUEUE
    assert not evaluate(policy(not_resource), send()).allowed


def test_account_principal_names_every_principal_of_that_account() -> None:
    # GIVEN a policy for account 111122223333 WHEN one of its roles and a stranger ask
    account_policy = policy(statement(Principal={"AWS": "111122223333"}))
    role = {"AWS": "arn:aws:iam::111122223333:role/checkout"}
    stranger = {"AWS": "arn:aws:iam::444455556666:role/checkout"}
    # THEN only the account's role is allowed
    assert evaluate(account_policy, send(principal=role)).allowed
    assert not evaluate(account_policy, send(principal=stranger)).allowed


def test_multivalued_keys_for_any_and_for_all_values() -> None:
    # GIVEN a request carrying two tag keys
    request = Request("sqs:SendMessage", QUEUE, SNS, {"aws:TagKeys": ["team", "cost"]})
    any_team = policy(statement(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}))
    all_team = policy(statement(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}))
    # WHEN evaluated THEN any-of passes and all-of fails
    assert evaluate(any_team, request).allowed and not evaluate(all_team, request).allowed


def test_numeric_date_bool_and_ip_operators() -> None:
    # GIVEN a context with a number, a time, a flag and an address WHEN each operator is tested
    ctx = {"n": "5", "t": "2026-12-05T00:00:00Z", "b": "true", "ip": "10.0.0.7"}
    request = Request("sqs:SendMessage", QUEUE, SNS, ctx)
    passing = [{"NumericLessThan": {"n": "6"}}, {"DateGreaterThan": {"t": "2026-01-01T00:00:00Z"}},
               {"Bool": {"b": "true"}}, {"IpAddress": {"ip": "10.0.0.0/24"}}]
    failing = [{"NumericGreaterThanEquals": {"n": "6"}}, {"NotIpAddress": {"ip": "10.0.0.0/24"}}]
    # THEN each holds or fails as IAM decides
    assert all(evaluate(policy(statement(Condition=c)), request).allowed for c in passing)
    assert not any(evaluate(policy(statement(Condition=c)), request).allowed for c in failing)


def test_json_text_is_read_and_bad_documents_are_refused_in_aws_terms() -> None:
    # GIVEN the policy as JSON text, no policy, and three broken documents
    assert evaluate(json.dumps(policy(RIGHT)), send()).allowed
    assert evaluate(None, send()).verdict == IMPLICIT_DENY
    # WHEN the broken ones are evaluated THEN each error names its fault
    with pytest.raises(InvalidPolicyDocumentError, match="Statement"):
        evaluate({"Version": "2012-10-17"}, send())
    with pytest.raises(InvalidPolicyDocumentError, match='"Allow" or "Deny"'):
        evaluate(policy(statement("allow")), send())
    with pytest.raises(InvalidPolicyDocumentError, match="ArnEqual'"):
        evaluate(policy(statement(Condition={"ArnEqual": {"aws:SourceArn": TOPIC}})), send())
    with pytest.raises(InvalidPolicyDocumentError, match="not valid JSON"):
        evaluate("{", send())


_topics = st.sampled_from([TOPIC, OTHER_TOPIC, FOREIGN_TOPIC])
_effects = st.sampled_from(["Allow", "Deny"])
_statements = st.builds(
    lambda effect, principal, source, op: statement(
        effect, Principal=principal, Condition={op: {"aws:SourceArn": source}}),
    _effects, st.sampled_from(["*", SNS, {"Service": "events.amazonaws.com"}]), _topics,
    st.sampled_from(["ArnEquals", "ArnNotEquals", "ArnLike", "StringEquals"]))


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(_statements, min_size=1, max_size=5), _topics, st.randoms(use_true_random=False))
def test_property_verdict_is_order_free_and_deny_always_wins(statements, source, rnd) -> None:
    # GIVEN random statements WHEN evaluated in another order THEN the verdict is the same
    verdict = evaluate(policy(*statements), send(source)).verdict
    shuffled = list(statements)
    rnd.shuffle(shuffled)
    assert evaluate(policy(*shuffled), send(source)).verdict == verdict
    # AND a deny-everything statement added anywhere always wins
    deny_all = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
    assert evaluate(policy(*shuffled, deny_all), send(source)).verdict == EXPLICIT_DENY
    # AND the verdict is an allow exactly when some Allow applies and no Deny applies
    applies = [evaluate(policy(s), send(source)).verdict for s in statements]
    expected = (EXPLICIT_DENY if EXPLICIT_DENY in applies else ALLOW if ALLOW in applies else IMPLICIT_DENY)
    assert verdict == expected
