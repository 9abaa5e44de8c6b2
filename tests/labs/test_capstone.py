"""Notebook 08's grader: the monolith baseline, three right designs, the catalogue of wrong ones."""

from __future__ import annotations

import time

import pytest

from helpers import capstone as cap
from helpers.capstone.traffic import POISON_ORDER, day

FULL_DAY = 2_000


def test_the_day_has_repeat_customers_a_spike_and_a_poison_order():
    # GIVEN the seeded full day
    orders = day(seed=7, orders=FULL_DAY)
    # THEN it has at least 2,000 orders, customers ordering again, the spike and the poison
    assert len(orders) >= FULL_DAY
    customers = {o["customer_id"] for o in orders}
    assert len(customers) < len(orders) / 3
    spike = [o for o in orders if 64_800 <= o["placed_at"] < 65_700]
    assert len(spike) > 5 * 900 * FULL_DAY / 86_400
    assert any(o["order_id"] == POISON_ORDER and o["amount"] == "NaN" for o in orders)
    assert day(seed=7, orders=FULL_DAY) == orders


def test_monolith_baseline_fails_latency_notices_audit_and_alarms():
    # WHEN the monolith runs the full day
    card = cap.score(cap.run_monolith(day(orders=FULL_DAY)), "monolith")
    # THEN it fails on exactly what the migration fixes
    assert set(card.failed()) == {"checkout", "notify", "audit", "alarms"}
    assert card.failed()["checkout"] == "sync-call"


@pytest.mark.parametrize("name", sorted(cap.RIGHT_DESIGNS))
def test_right_design_passes_the_full_day_fast(env, name):
    # GIVEN a right design built on the backend
    cap.RIGHT_DESIGNS[name](env)
    # WHEN the grader discovers it and runs the full day under every failure
    start = time.perf_counter()
    card = cap.grade(env, orders=FULL_DAY, title=name)
    wall = time.perf_counter() - start
    # THEN every requirement passes, the poison order sits in the alarmed DLQ
    assert card.passed, card.text()
    assert card.record.accepted >= FULL_DAY
    assert any(POISON_ORDER == body.get("order_id") for _, body in card.record.dlq["orders-dlq.fifo"])
    # AND a day of simulated time takes well under 86 wall seconds
    assert card.record.end / wall >= 1_000


def test_grading_twice_gives_the_same_scorecard(env):
    cap.RIGHT_DESIGNS["sns"](env, fifo=False)
    assert cap.grade(env, orders=300).text() == cap.grade(env, orders=300).text()


@pytest.mark.parametrize("name", sorted(cap.WRONG_DESIGNS))
def test_wrong_design_fails_its_requirement_with_its_cause(env, name):
    # GIVEN a plausible wrong design
    build, knobs, requirement, cause = cap.WRONG_DESIGNS[name]
    build(env, **knobs)
    # WHEN graded
    card = cap.grade(env, orders=600, title=name)
    # THEN the requirement it breaks fails, naming the cause in the student's own resources
    assert card.failed().get(requirement) == cause, card.text()
    assert "`" in card.line(requirement).why or "rule" in card.line(requirement).why


def test_catalogue_is_at_least_twelve_wrong_designs():
    assert len(cap.WRONG_DESIGNS) >= 12
    assert len({(r, c) for _, _, r, c in cap.WRONG_DESIGNS.values()}) >= 12


def test_powertools_batch_processor_payments_pass_too(env):
    # GIVEN the SNS design whose payments handler uses Powertools' BatchProcessor
    cap.RIGHT_DESIGNS["sns"](env, payments=cap.services.payments_powertools)
    # WHEN graded under every failure
    card = cap.grade(env, orders=600)
    # THEN it passes: Powertools reads the grader's SQS events as Lambda's own
    assert card.passed, card.text()


def test_a_handler_that_always_raises_fails_without_crashing_the_grader(env):
    def broken(event, context):
        raise RuntimeError("bug")
    cap.RIGHT_DESIGNS["sns"](env, payments=broken)
    card = cap.grade(env, orders=200)
    line = card.line("dlq-only-poison")
    assert not card.passed and line.cause == "handler-fails" and "`payments`" in line.why


def test_the_one_check_api_reads_env_from_the_notebook():
    # GIVEN a notebook namespace with no environment yet
    from helpers import capstone as cap
    # WHEN the student runs a step's check before the connect cell
    verdict = eval('cap.check("step 1")', {"cap": cap})
    # THEN it says what to run first instead of crashing
    assert not verdict and "helpers.connect" in verdict.text()
    assert "helpers.connect" in eval('cap.hint("step 1")', {"cap": cap})
