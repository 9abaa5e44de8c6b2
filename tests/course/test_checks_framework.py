"""The check framework across notebooks 03-07: one API, hints that teach, crash-proof, re-runnable.

Each lab exposes ``check("exercise N")`` and ``hint("exercise N")``; a ✘ prints the exact hint
call that works; tiers 1-2 and the ✘ texts never contain the answer's distinguishing tokens;
an exception in the student's code is a ✘ naming it and its line, without climbing a tier;
the official answer passes three times in a row and after a new ``connect()``.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
import helpers.lab1
import helpers.lab2
import helpers.lab3
import helpers.observability_lab
import helpers.orchestration
from helpers.lab1.exercises import ANSWER_TOKENS as LAB1_TOKENS
from helpers.lab2.checks import ANSWER_TOKENS as LAB2_TOKENS
from helpers.lab3.checks import ANSWER_TOKENS as LAB3_TOKENS
from helpers.observability_lab.checks import ANSWER_TOKENS as NB07_TOKENS
from helpers.orchestration.checks import ANSWER_TOKENS as NB06_TOKENS
from helpers.sns import queue_policy

LABS = {
    "helpers.lab1": (helpers.lab1, helpers.lab1.exercises.WORKBOOK, LAB1_TOKENS),
    "helpers.lab2": (helpers.lab2, helpers.lab2.checks.WORKBOOK, LAB2_TOKENS),
    "helpers.lab3": (helpers.lab3, helpers.lab3.checks.WORKBOOK, LAB3_TOKENS),
    "helpers.orchestration": (helpers.orchestration, helpers.orchestration.checks.WORKBOOK, NB06_TOKENS),
    "helpers.observability_lab": (helpers.observability_lab, helpers.observability_lab.checks.WORKBOOK,
                                  NB07_TOKENS),
}
EXERCISES = [(lab, key) for lab, (_, wb, _) in LABS.items() for key in wb.exercises]


def no_leak(text: str, tokens) -> list[str]:
    """The answer tokens found in ``text`` (should be none)."""
    return [t for t in tokens if t in text]


def test_there_are_the_fifteen_exercises_of_notebooks_03_to_07():
    # 14, and Lab 3's Custom Event Bus exercise (an ordered subscriber)
    assert len(EXERCISES) == 15


@pytest.mark.parametrize("lab, key", EXERCISES)
def test_concept_and_api_hints_hold_none_of_the_answer(lab, key):
    # GIVEN an exercise's three hints
    _, workbook, tokens = LABS[lab]
    hints = workbook.exercises[key].hints
    # THEN tiers 1 and 2 contain no token of the answer, and tier 3 contains at least one
    assert not no_leak(hints.concept + hints.api, tokens[key]), (lab, key)
    assert any(t.strip('"') in hints.answer or t in hints.answer for t in tokens[key]), (lab, key)


@pytest.mark.parametrize("lab, key", EXERCISES)
def test_every_exercise_is_named_with_its_module_in_the_hint_line(lab, key):
    _, workbook, _ = LABS[lab]
    assert workbook.exercises[key].hint_call == f'{lab}.hint("{key}")'


def test_a_x_prints_the_hint_call_that_works_exactly_as_printed(env):
    # GIVEN a wrong filter policy checked through the new API
    ns = {"env": env, "helpers": helpers, "FILTER_POLICY": {"status": ["failed"]}}
    verdict = helpers.lab2.check("exercise 1", namespace=ns)
    # WHEN the student types the call the ✘ prints
    call = verdict.text().rsplit("call ", 1)[1].rstrip(".")
    shown = eval(call, ns)  # noqa: S307 - the printed call, run as a student would
    # THEN it is the next tier (the API hint), not a NameError
    assert call == 'helpers.lab2.hint("exercise 1")'
    assert str(shown).startswith("Hint 2/3 (API) for exercise 1")
    assert not no_leak(verdict.text(), LAB2_TOKENS["exercise 1"])


def test_new_api_is_green_and_red_old_calls_stay_plain(env):
    # GIVEN the same right answer through check("exercise 1") and the old check_* call
    right = {"status": ["failed"], "amount": [{"numeric": [">", 100]}]}
    new = helpers.lab2.check("exercise 1", namespace={"env": env, "FILTER_POLICY": right})
    old = helpers.lab2.check_failed_payments_filter(env, right)
    wrong = helpers.lab2.check("exercise 1", namespace={"env": env, "FILTER_POLICY": {"status": ["x"]}})
    # THEN the new one renders ✔ green / ✘ red with the same text; the old one plain
    assert "#1a7f37" in new._repr_html_() and "#cf222e" in wrong._repr_html_()
    assert new._repr_markdown_().startswith("**✔**") and new.text() == old.text()
    assert old._repr_html_() is None and old._repr_markdown_() is None


@pytest.mark.parametrize("lab", list(LABS))
def test_old_hint_calls_still_work(env, lab):
    module, workbook, _ = LABS[lab]
    key = next(iter(workbook.exercises))
    old = {"helpers.lab1": lambda: module.hint(key, env=env), "helpers.observability_lab": lambda: module.hint(env)}
    text = old.get(lab, lambda: module.hint(env, key))()
    assert str(text).startswith("Hint 1/3 (concept)")


def test_a_check_without_its_cell_or_connect_names_what_to_run(run_id):
    env = helpers.connect(run=run_id, quiet=True)
    try:
        missing = helpers.orchestration.check("exercise 3", namespace={"env": env})
        assert missing.cause == "cell-not-run" and "`resume`" in missing.message
    finally:
        env.teardown()
    closed = helpers.lab3.check("exercise 1", namespace={"env": env, "RESTOCK_PATTERN": {}})
    assert closed.cause == "environment-closed" and "helpers.connect" in closed.message


# -- crash-proof ------------------------------------------------------------------------------------
def test_an_exception_in_the_students_code_is_a_x_with_its_line_and_no_tier_climb(env):
    # GIVEN a policy function with a typo (a KeyError in the student's own code)
    def fixed_policy(queue_arn, topic_arn):
        names = {"queue": queue_arn}
        return queue_policy(names["queue"], names["topic"])
    # WHEN it is checked twice
    first = helpers.lab2.check("exercise 3", namespace={"env": env, "fixed_policy": fixed_policy})
    second = helpers.lab2.check("exercise 3", namespace={"env": env, "fixed_policy": fixed_policy})
    # THEN each is a ✘ naming the exception, the line of the cell and a likely cause, at tier 1
    assert first.cause == second.cause == "raised"
    assert "KeyError: 'topic'" in first.message and 'names["topic"]' in first.message
    assert "Likely cause" in first.message and "Traceback" not in first.text()
    assert (first.tier, second.tier) == (1, 1)


def test_answers_that_crashed_the_old_checks_get_a_verdict(env):
    # a correct ReturnSubscriptionArn=True, a policy as JSON text: ✔
    def subscription(topic_arn, queue_arn):
        return {"TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn,
                "Attributes": {"RawMessageDelivery": "true"}, "ReturnSubscriptionArn": True}
    assert helpers.lab2.check_raw_analytics(env, subscription)
    assert helpers.lab2.check_queue_policy_fix(env, lambda q, t: json.dumps(queue_policy(q, t)))
    # MaxAttempts inside a Catch: a ✘, not an ASL parser traceback
    bad_catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock",
                  "MaxAttempts": 2}]
    verdict = helpers.orchestration.checks.check_refund_catch(env, bad_catch)
    assert not verdict and verdict.cause in ("invalid-definition", "raised")
    # an InputTemplate written as a dict: a ✘
    transformer = {"InputPathsMap": {"order": "$.detail.order_id"}, "InputTemplate": {"order": "<order>"}}
    verdict = helpers.lab3.check_notification_transformer(env, transformer)
    assert not verdict and verdict.cause in ("bad-shape", "refused")


def test_starters_fail_like_starters(env):
    # GIVEN notebook 06 exercise 3's starter (a function that returns None)
    def resume(checkpoint):
        return None
    verdict = helpers.orchestration.checks.check_resume(env, resume)
    # THEN it says what to write, at the concept hint, without a botocore error
    assert verdict.cause == "returns-none" and "GetShardIterator" in verdict.message
    assert "TypeError" not in verdict.text() and verdict.tier == 1


def test_notebook_06_catch_on_one_error_name_is_rejected(env):
    one = [{"ErrorEquals": ["ShippingUnavailable"], "ResultPath": "$.error", "Next": "ReleaseStock"}]
    verdict = helpers.orchestration.checks.check_refund_catch(env, one)
    assert verdict.cause == "catches-one-error"
    assert not no_leak(verdict.text(), NB06_TOKENS["exercise 1"])


# -- safe to re-run ------------------------------------------------------------------------------------
RIGHT_CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}]


def _resume(checkpoint):
    if checkpoint is None:
        return {"ShardIteratorType": "TRIM_HORIZON"}
    return {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": checkpoint}


OFFICIAL = {
    ("helpers.lab2", "exercise 1"): lambda env: {"status": ["failed"], "amount": [{"numeric": [">", 100]}]},
    ("helpers.lab2", "exercise 3"): lambda env: queue_policy,
    ("helpers.lab3", "exercise 1"): lambda env: {"source": ["securecart.inventory"],
                                                 "detail-type": ["InventoryLow"]},
    ("helpers.orchestration", "exercise 1"): lambda env: RIGHT_CATCH,
    ("helpers.orchestration", "exercise 3"): lambda env: _resume,
}


@pytest.mark.parametrize("lab, key", list(OFFICIAL))
def test_the_official_answer_passes_three_times_in_a_row_and_after_reconnect(lab, key, run_id):
    _, workbook, _ = LABS[lab]
    func, needs = workbook.checks[key]
    for attempt in range(2):
        env = helpers.connect(run=f"{run_id}{attempt}", quiet=True)
        try:
            verdicts = [func(env, OFFICIAL[lab, key](env)) for _ in range(3 if attempt == 0 else 1)]
        finally:
            env.teardown()
        assert all(verdicts), verdicts
        assert len({v.text() for v in verdicts}) == 1  # the same words every run


# -- IAM-graded queue policy: every statement counts ---------------------------------------------------
@pytest.mark.parametrize("name, make, cause", [
    ("broad statement left beside the fix",
     lambda q, t: {"Version": "2012-10-17", "Statement": queue_policy(q, t)["Statement"] + [
         {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}, "extra-statement"),
    ("ArnNotEquals read as ArnEquals",
     lambda q, t: {"Version": "2012-10-17", "Statement": [{**queue_policy(q, t)["Statement"][0],
                   "Condition": {"ArnNotEquals": {"aws:SourceArn": t}}}]}, "negated-condition"),
    ("topics by prefix", lambda q, t: {"Version": "2012-10-17", "Statement": [{**queue_policy(q, t)["Statement"][0],
     "Condition": {"ArnLike": {"aws:SourceArn": t + "*"}}}]}, "wildcard-source"),
    ("a Deny that matches the topic", lambda q, t: {"Version": "2012-10-17", "Statement": queue_policy(q, t)[
     "Statement"] + [{"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": q}]},
     "denied"),
    ("that Deny beside a Deny of every other sender (negated, not the cause)", lambda q, t: {
     "Version": "2012-10-17", "Statement": queue_policy(q, t)["Statement"] + [
         {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": q,
          "Condition": {"ArnNotEquals": {"aws:SourceArn": t}}},
         {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": q}]}, "denied"),
])
def test_queue_policy_is_graded_by_iam_evaluation(env, name, make, cause):
    verdict = helpers.lab2.check_queue_policy_fix(env, make)
    assert not verdict and verdict.cause == cause, (name, verdict)
    assert not no_leak(verdict.text(), LAB2_TOKENS["exercise 3"]), name


@pytest.mark.parametrize("name, make", [
    ("statement with a Sid and a list action", lambda q, t: {"Version": "2012-10-17", "Statement": [
        {**queue_policy(q, t)["Statement"][0], "Sid": "AlertsOnly", "Action": ["sqs:SendMessage"]}]}),
    ("ArnLike without a wildcard", lambda q, t: {"Version": "2012-10-17", "Statement": [
        {**queue_policy(q, t)["Statement"][0], "Condition": {"ArnLike": {"aws:SourceArn": t}}}]}),
    ("JSON text", lambda q, t: json.dumps(queue_policy(q, t))),
])
def test_queue_policy_right_answers_written_differently_pass(env, name, make):
    assert helpers.lab2.check_queue_policy_fix(env, make), name


# -- property tests: right answers from the specification pass, breaking mutations fail ----------------
_SETTINGS = settings(max_examples=4, derandomize=True, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_RIGHT_AMOUNTS = st.sampled_from([[{"numeric": [">", 100]}], [{"numeric": [">", 100.0]}],
                                  [{"numeric": [">", 100, "<=", 1_000_000_000]}]])
_BREAKING = st.sampled_from([
    {"status": [{"prefix": "fail"}], "amount": [{"numeric": [">", 100]}]},
    {"status": [{"anything-but": ["authorized"]}], "amount": [{"numeric": [">", 100]}]},
    {"status": ["failed"], "amount": [{"numeric": [">", 100.5]}]},
    {"status": ["failed"], "amount": [{"numeric": [">=", 100.001]}]},
    {"status": ["failed", "refunded"], "amount": [{"numeric": [">", 100]}]},
])


@_SETTINGS
@given(amount=_RIGHT_AMOUNTS, breaking=_BREAKING)
def test_property_filter_right_forms_pass_and_mutations_fail(env, amount, breaking):
    assert helpers.lab2.check_failed_payments_filter(env, {"status": ["failed"], "amount": amount})
    assert not helpers.lab2.check_failed_payments_filter(env, breaking)


@settings(max_examples=2, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(wrap=st.sampled_from([str, str.upper, lambda c: f"customer#{c}"]),
       breaking=st.sampled_from([lambda c: "all", lambda c: c["product"], lambda c: str(c["click"])]))
def test_property_partition_key_right_forms_pass_and_mutations_fail(env, wrap, breaking):
    assert helpers.orchestration.checks.check_partition_key(env, lambda c: wrap(c["customer"]))
    assert not helpers.orchestration.checks.check_partition_key(env, breaking)


_SOURCES = st.sampled_from(["securecart.inventory-replica", "securecart.test", "Securecart.Inventory"])


@_SETTINGS
@given(extra_key=st.booleans(), source=_SOURCES)
def test_property_restock_pattern_right_forms_pass_and_look_alikes_fail(env, extra_key, source):
    right = {"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]}
    if extra_key:
        right["detail"] = {"sku": [{"exists": True}]}
    assert helpers.lab3.check_restock_pattern(env, right)
    wrong = {"source": ["securecart.inventory", source], "detail-type": ["InventoryLow"]}
    assert helpers.lab3.check_restock_pattern(env, wrong).cause in ("any-source", "too-broad")
