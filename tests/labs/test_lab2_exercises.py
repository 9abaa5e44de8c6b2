"""Lab 2 exercise checks: each right answer passes; each known-wrong answer gets ✘ with its cause."""

from __future__ import annotations

import pytest

from helpers import lab2
from helpers.sns import queue_policy

RIGHT_FILTER = {"status": ["failed"], "amount": [{"numeric": [">", 100]}]}

WRONG_FILTERS = [
    (None, "not-set"),
    ({"status": "failed"}, "invalid-policy"),
    ({"status": ["failed"]}, "no-amount"),
    ({"amount": [{"numeric": [">", 100]}]}, "no-status"),
    ({"status": ["failed"], "amount": [{"numeric": [">=", 100]}]}, "boundary"),
    ({"status": ["failed"], "amount": [100]}, "exact-number"),
    ({"status": ["failed"], "amount": [">100"]}, "matches-nothing"),
    ({"status": ["Failed"], "amount": [{"numeric": [">", 100]}]}, "matches-nothing"),
    ({"status": ["failed"], "amount": [{"numeric": [">", 1000]}]}, "threshold"),
    ({"$or": [{"status": ["failed"]}, {"amount": [{"numeric": [">", 100]}]}]}, "or-instead-of-and"),
    ({"status": ["failed"], "amount": [{"numerc": [">", 100]}]}, "invalid-policy"),
]


def test_filter_exercise_right_answer_passes(env):
    verdict = lab2.check_failed_payments_filter(env, RIGHT_FILTER)
    assert verdict and verdict.cause is None


@pytest.mark.parametrize("policy, cause", WRONG_FILTERS)
def test_filter_exercise_wrong_answers(env, policy, cause):
    verdict = lab2.check_failed_payments_filter(env, policy)
    assert not verdict and verdict.cause == cause
    assert not [t for t in lab2.checks.ANSWER_TOKENS["exercise 1"] if t in verdict.text()]


def _params(**overrides):
    def make(topic_arn, queue_arn):
        base = {"TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn,
                "Attributes": {"RawMessageDelivery": "true"}}
        for key, value in overrides.items():
            if value is _DROP:
                base.pop(key)
            else:
                base[key] = value(topic_arn, queue_arn) if callable(value) else value
        return base
    return make


_DROP = object()

WRONG_SUBSCRIPTIONS = [
    (None, "not-set"),
    (_params(Attributes=_DROP), "envelope"),
    (_params(Attributes={"RawMessageDelivery": "false"}), "envelope"),
    (_params(Attributes={"RawMessageDelivery": True}), "not-a-string"),
    (_params(Attributes={"RawMessageDelivery": "yes"}), "invalid-attribute"),
    (_params(Endpoint=lambda t, q: "https://sqs.us-east-1.amazonaws.com/123456789012/"
                                   + q.rsplit(":", 1)[-1]), "queue-url-not-arn"),
    (_params(Endpoint=lambda t, q: q + "-other"), "wrong-endpoint"),
    (_params(Attributes={"RawMessageDelivery": "true",
                         "FilterPolicy": '{"status": ["shipped"]}'}), "filtered"),
    (lambda t, q: [t, q], "not-a-dict"),
    (_params(Protocol="lambda"), "wrong-protocol"),
]


def test_raw_exercise_runs_on_a_topic_of_its_own(env):
    # GIVEN no section 1 run WHEN the right answer is checked THEN it passes on the check's topic
    assert lab2.check_raw_analytics(env, _params())
    # AND a topic ARN hard-coded from elsewhere fails
    verdict = lab2.check_raw_analytics(env, _params(TopicArn=lambda t, q: t.rsplit(":", 1)[0] + ":other"))
    assert not verdict


def test_raw_exercise_right_answer_passes(env):
    lab2.experiment_fanout(env)
    verdict = lab2.check_raw_analytics(env, _params())
    assert verdict and "3 of 3" in verdict.message


@pytest.mark.parametrize("answer, cause", WRONG_SUBSCRIPTIONS)
def test_raw_exercise_wrong_answers(env, answer, cause):
    lab2.experiment_fanout(env)
    verdict = lab2.check_raw_analytics(env, answer)
    assert not verdict and verdict.cause == cause
    assert not [t for t in lab2.checks.ANSWER_TOKENS["exercise 2"] if t in verdict.text()]


def _policy(**statement):
    def make(queue_arn, topic_arn):
        st = queue_policy(queue_arn, topic_arn)["Statement"][0]
        for key, value in statement.items():
            if value is _DROP:
                st.pop(key)
            else:
                st[key] = value(queue_arn, topic_arn) if callable(value) else value
        return {"Version": "2012-10-17", "Statement": [st]}
    return make


WRONG_POLICIES = [
    (None, "not-set"),
    (lambda q, t: lab2.checks.OVER_BROAD_POLICY, "any-principal"),
    (_policy(Principal="*"), "any-principal"),
    (_policy(Condition=_DROP), "no-source-condition"),
    (_policy(Action="sqs:*"), "broad-action"),
    (_policy(Resource="*"), "wrong-resource"),
    (_policy(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}), "wildcard-source"),
    (_policy(Condition=lambda q, t: {"ArnEquals": {"aws:SourceArn": t + "-other"}}), "other-topic"),
    (_policy(Principal={"Service": "events.amazonaws.com"}), "wrong-principal"),
    (lambda q, t: "{not json", "not-json"),
]


def test_policy_exercise_right_answer_passes(env):
    verdict = lab2.check_queue_policy_fix(env, queue_policy)
    assert verdict and "refused" in verdict.message


@pytest.mark.parametrize("answer, cause", WRONG_POLICIES)
def test_policy_exercise_wrong_answers(env, answer, cause):
    verdict = lab2.check_queue_policy_fix(env, answer)
    assert not verdict and verdict.cause == cause
    assert not [t for t in lab2.checks.ANSWER_TOKENS["exercise 3"] if t in verdict.text()]


def test_hints_go_concept_api_answer_and_restart_per_environment(env):
    first = lab2.check_failed_payments_filter(env, {"status": ["failed"]})
    second = lab2.check_failed_payments_filter(env, {"status": ["failed"]})
    assert (first.tier, second.tier) == (1, 2)
    assert "Hint 3/3 (answer)" in lab2.hint(env, "exercise 1")
    assert lab2.check_failed_payments_filter(env, RIGHT_FILTER)
    assert lab2.check_failed_payments_filter(env, {"status": ["failed"]}).tier == 1


# -- right answers written differently ------------------------------------------------------------
@pytest.mark.parametrize("policy", [
    RIGHT_FILTER,
    {"amount": [{"numeric": [">", 100]}], "status": ["failed"]},
    {"status": ["failed", "failed"], "amount": [{"numeric": [">", 100.0]}]},
    {"status": ["failed"], "amount": [{"numeric": [">", 1e2]}]},
])
def test_filter_exercise_right_answers_written_differently(env, policy):
    assert lab2.check_failed_payments_filter(env, policy), policy


@pytest.mark.parametrize("answer", [
    _params(),
    _params(ReturnSubscriptionArn=True),
    lambda t, q: {"Endpoint": q, "Attributes": {"RawMessageDelivery": "true"}, "Protocol": "sqs", "TopicArn": t},
    _params(Attributes={"RawMessageDelivery": "true", "FilterPolicy": '{"status": [{"exists": true}]}',
                        "FilterPolicyScope": "MessageBody"}),
])
def test_raw_exercise_right_answers_written_differently(env, answer):
    lab2.experiment_fanout(env)
    assert lab2.check_raw_analytics(env, answer)


@pytest.mark.parametrize("answer", [
    queue_policy,
    _policy(Action=["sqs:SendMessage"]),
    _policy(Principal={"Service": ["sns.amazonaws.com"]}),
    _policy(Condition=lambda q, t: {"ArnLike": {"aws:SourceArn": t}}),
    # the fix plus a Deny of every sender but the topic (a negated operator: it spares the topic)
    lambda q, t: {"Version": "2012-10-17", "Statement": [*queue_policy(q, t)["Statement"], {
        "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": q,
        "Condition": {"ArnNotEquals": {"aws:SourceArn": t}}}]},
])
def test_policy_exercise_right_answers_written_differently(env, answer):
    assert lab2.check_queue_policy_fix(env, answer)
