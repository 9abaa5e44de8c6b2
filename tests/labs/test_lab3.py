"""Lab 3 (notebook 05): the experiments' outcomes and the exercises' catalogues of wrong answers."""

from __future__ import annotations

import pytest

import helpers
import helpers.lab3 as lab3
from helpers.events import SECURITY_ACCOUNT


@pytest.fixture
def shop(env):
    return lab3.build_shop(env)


def test_restocking_emits_inventory_low_once_per_product_and_runs_the_workflow(env, shop):
    run = lab3.experiment_restocking(env, shop, orders=120)
    assert len(run.table) >= 3 and run.table.low_events.eq(1).all()
    assert run.low_events == len(run.table) == run.restocked_events == run.notifications
    frame = env.log.to_frame()
    executions = frame.query("service == 'stepfunctions' and action == 'start-execution'")
    assert len(executions) == run.low_events and set(executions.outcome) == {"SUCCEEDED"}
    restocked = run.table.dropna(subset=["restocked_at"])
    assert ((restocked.restocked_at - restocked.low_at) >= lab3.workflow.LEAD_TIME_SECONDS).all()


def test_pattern_table_tells_the_rules_apart(env):
    table = lab3.pattern_table(env).set_index("event")
    assert table.loc["big order"].all()
    assert not table.loc["small order", "high-value"] and not table.loc["EU order", "us-east-1-only"]
    assert not table.loc["load test", "not-test-traffic"]


def test_audit_reaches_only_the_security_account(env, shop):
    view = lab3.experiment_audit(env, shop)
    assert (view.sent, view.received) == (3, 3)
    assert view.accounts == [env.account] and view.third_account_error == "AccessDeniedException"
    assert view.bus.account == SECURITY_ACCOUNT


def test_failure_parks_in_the_dlq_and_the_replay_loses_nothing(env, shop):
    run = lab3.experiment_failure(env, shop)
    assert run.in_dlq > 0 and run.replayed == run.in_dlq
    assert run.delivered_first_try + run.delivered_after_retry + run.replayed == run.published
    assert run.invariant().startswith("✔") and run.dlq_attributes["ERROR_CODE"] == "CONNECTION_FAILURE"


def test_failure_recovers_by_replay_alone_so_no_event_is_processed_twice(env, shop):
    # GIVEN the outage experiment, which recovers by replay and leaves the DLQ as a record
    run = lab3.experiment_failure(env, shop)
    # THEN the restock consumer processed every published SKU exactly once
    assert sorted(run.processed) == [f"SKU-{i:04d}" for i in range(1, run.published + 1)]
    assert set(run.processed.values()) == {1} and run.processed_twice == 0
    # AND the DLQ's messages are still there to be seen, one row per parked event, with AWS's reason
    assert len(run.dlq_table) == run.in_dlq
    assert helpers.sqs.queue_depth(env, shop.dlq_url)["visible"] == run.in_dlq
    assert set(run.dlq_table.EXHAUSTED_RETRY_CONDITION) == {"MaximumEventAgeInSeconds"}
    # WHEN the DLQ is purged (the notebook's choice), THEN it ends empty
    env.client("sqs").purge_queue(QueueUrl=shop.dlq_url)
    assert helpers.sqs.queue_depth(env, shop.dlq_url)["visible"] == 0


# -- exercise 1: the InventoryLow pattern -------------------------------------------------------
RESTOCK_WRONG = [
    ({"detail-type": "InventoryLow"}, "invalid-pattern"),
    ({"detail-type": ["inventorylow"]}, "matches-nothing"),
    ({"detail": {"detail-type": ["InventoryLow"]}}, "matches-nothing"),
    ({"detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.inventory"]}, "too-broad"),
    ({"detail-type": [{"prefix": "Inventory"}]}, "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"prefix": "Inventory"}]}, "too-broad"),
]


@pytest.mark.parametrize("pattern, cause", RESTOCK_WRONG)
def test_restock_pattern_wrong_answers(env, pattern, cause):
    verdict = lab3.check_restock_pattern(env, pattern)
    assert not verdict and verdict.cause == cause


def test_restock_pattern_right_answer_and_missing(env):
    assert lab3.check_restock_pattern(env, lab3.RESTOCK_PATTERN)
    missing = lab3.check_restock_pattern(env, None)
    assert missing.cause == "missing" and missing.tier == 1


# -- exercise 2: the notification transformer --------------------------------------------------
PATHS = {"order": "$.detail.order_id", "total": "$.detail.total"}
TRANSFORMER_WRONG = [
    ({"InputPathsMap": {"order": "$.detail.order_id"},
      "InputTemplate": '{"message": "Order <order>", "order_id": "<order>", "total": <total>}'}, "refused"),
    ({"InputPathsMap": PATHS, "InputTemplate": '"Order <order> is confirmed"'}, "not-json"),
    ({"InputPathsMap": PATHS, "InputTemplate": '{"message": "Order <order>", "order_id": "<order>", '
                                               '"total": "<total>"}'}, "total-not-number"),
    ({"InputPathsMap": {"order": "$.order_id", "total": "$.detail.total"},
      "InputTemplate": '{"message": "Order <order>", "order_id": "<order>", "total": <total>}'}, "wrong-order-id"),
    ({"InputPathsMap": PATHS, "InputTemplate": '{"message": "Thanks!", "order_id": "<order>", "total": <total>}'},
     "no-message"),
    ({"InputPathsMap": PATHS, "InputTemplate": '{"message": "Order <order>", "total": <total>}'}, "wrong-order-id"),
]


@pytest.mark.parametrize("transformer, cause", TRANSFORMER_WRONG)
def test_transformer_wrong_answers(env, transformer, cause):
    verdict = lab3.check_notification_transformer(env, transformer)
    assert not verdict and verdict.cause == cause


def test_transformer_right_answer(env):
    assert lab3.check_notification_transformer(env, lab3.NOTIFICATION_TRANSFORMER)
    assert lab3.check_notification_transformer(env, None).cause == "missing"


# -- exercise 3: the cross-account audit route -------------------------------------------------
@pytest.fixture
def security_bus(env, shop):
    return lab3.experiment_audit(env, shop).bus


def _wrong_routes(env, bus):
    own = f"arn:aws:events:us-east-1:{env.account}:event-bus/{env.prefix}shop"
    queue = f"arn:aws:sqs:us-east-1:{SECURITY_ACCOUNT}:{env.prefix}audit-log"
    return [
        ({"pattern": {"detail-type": ["Audit"]}, "target_arn": bus.arn}, "matches-nothing"),
        ({"pattern": {"detail-type": [{"prefix": "audit"}]}, "target_arn": bus.arn}, "matches-nothing"),
        ({"pattern": {"source": ["securecart.audit"]}, "target_arn": bus.arn}, "too-broad"),
        ({"pattern": {"detail-type": ["AuditLogin"]}, "target_arn": bus.arn}, "misses-audit"),
        ({"pattern": {"detail-type": [{"prefix": "Audit"}]}, "target_arn": own}, "same-account"),
        ({"pattern": {"detail-type": [{"prefix": "Audit"}]}, "target_arn": queue}, "not-a-bus"),
        ({"pattern": {"detail-type": {"prefix": "Audit"}}, "target_arn": bus.arn}, "invalid-pattern"),
    ]


def test_audit_route_wrong_answers(env, security_bus):
    for route, cause in _wrong_routes(env, security_bus):
        verdict = lab3.check_audit_route(env, route)
        assert not verdict and verdict.cause == cause, (route, verdict)


def test_audit_route_right_answer_and_order(env, security_bus):
    right = {"pattern": lab3.AUDIT_PATTERN, "target_arn": security_bus.arn}
    assert lab3.check_audit_route(env, right)


def test_audit_route_checked_before_section_5_says_which_cell_to_run(env):
    route = {"pattern": lab3.AUDIT_PATTERN, "target_arn": "arn:aws:events:us-east-1:222222222222:event-bus/x"}
    before = lab3.check_audit_route(env, route)
    assert before.cause == "run-section-5" and "experiment_audit" in before.message


def test_hints_go_concept_api_answer(env):
    lab3.check_restock_pattern(env, {"detail-type": ["inventorylow"]})
    second = lab3.check_restock_pattern(env, {"detail-type": ["inventorylow"]})
    assert second.tier == 2 and "Hint 2/3 (API)" in second.text()
    assert lab3.hint(env, "exercise 1").startswith("Hint 3/3 (answer)")
