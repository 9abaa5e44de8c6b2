"""Lab 3 section 7 (Classic and the Custom Event Bus side by side) and exercise 4's check."""

from __future__ import annotations

import pytest

import helpers.lab3 as lab3


def test_side_by_side_fifo_keeps_every_customer_in_order_classic_does_not(env):
    # GIVEN the same per-customer orders on both buses under one 120-s outage
    run = lab3.experiment_side_by_side(env)
    # THEN the FIFO subscriber delivered every event in order, once; the Classic target did not keep order
    assert run.in_order("custom") == 4 and run.lost("custom") == 0
    assert run.in_order("classic") < 4 and run.lost("classic") == 0
    assert not run.arrivals("custom").duplicated(["customer", "step"]).any()


def test_default_retries_do_not_outlast_the_outage(env):
    run = lab3.experiment_side_by_side(env, customers=2, steps=3, settings={"Type": "FIFO"})
    assert run.lost("custom") > 0


@pytest.mark.parametrize("settings, cause", [
    (None, "missing"),
    ("FIFO", "not-a-dict"),
    ({"Type": "FIFO"}, "gave-up"),
    ({"Type": "UNORDERED", "RetryPolicy": {"MaxRetryAttempts": 20, "MaxEventAgeInSeconds": 900}}, "unordered"),
    ({"Type": "FIFO", "RetryPolicy": {"MaxRetryAttempts": 300}}, "refused"),
    ({"Typ": "FIFO"}, "refused"),
])
def test_exercise_4_names_the_cause(env, settings, cause):
    verdict = lab3.check_ordered_subscriber(env, settings)
    assert not verdict and verdict.cause == cause


def test_exercise_4_passes_the_answer_and_gives_the_same_verdict_twice(env):
    first = lab3.check_ordered_subscriber(env, lab3.ANSWER_4)
    second = lab3.check_ordered_subscriber(env, lab3.ANSWER_4)
    assert first and second and first.message == second.message


def test_exercise_4_leaves_no_bus_behind_so_a_sixth_check_still_passes(env):
    # GIVEN one environment (an account holds at most 5 Custom Event Buses)
    buses = lambda: env.client("eventbridgev2").list_event_buses().get("EventBuses", [])  # noqa: E731
    before = len(buses())
    # WHEN a refused answer and then the right one are checked six times each
    verdicts = []
    for _ in range(6):
        verdicts.append(lab3.check_ordered_subscriber(env, {"Type": "FIFO", "RetryPolicy": {"MaxRetryAttempts": 300}}))
        verdicts.append(lab3.check_ordered_subscriber(env, lab3.ANSWER_4))
    # THEN every verdict is the same as the first time, and no bus of the check is left
    assert [v.cause for v in verdicts] == ["refused", None] * 6
    assert len(buses()) == before
