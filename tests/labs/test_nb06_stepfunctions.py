"""Step Functions stand-in, the fulfillment definition's paths, and plain moto's lacks."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from helpers.emulation import EMULATED
from helpers.orchestration import Fulfillment
from helpers.platform.errors import InvalidStateMachineError
from helpers.stepfunctions import (
    create_state_machine,
    deploy_function,
    history_frame,
    run_execution,
    validate_definition,
)

WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}




@pytest.mark.parametrize("fault, status, error, charged", [
    (None, "SUCCEEDED", None, 40),
    ("flaky-payment", "SUCCEEDED", None, 40),
    ("declined", "FAILED", "PaymentFailed", 0),
    ("out-of-stock", "FAILED", "OrderFailed", 0),
    ("ship-fails", "FAILED", "OrderFailed", 0),
    ("ship-crashes", "FAILED", "OrderFailed", 0),
    ("ship-hangs", "FAILED", "OrderFailed", 0),
])
def test_every_fulfillment_path_ends_with_the_right_money(env, fault, status, error, charged):
    # GIVEN the fulfillment workflow
    flow = Fulfillment.deploy(env)
    order = {"order_id": "ord-1", "amount": 40, **({"fault": fault} if fault else {})}
    # WHEN one order runs
    result = flow.run(order)
    # THEN it ends as the saga says, and nobody is charged for a failed order
    assert (result["status"], result.get("error")) == (status, error)
    assert flow.services.balance("ord-1") == charged


def test_failed_shipment_releases_stock_then_refunds(env):
    # GIVEN / WHEN a shipment failure
    flow = Fulfillment.deploy(env)
    result = flow.run({"order_id": "ord-2", "amount": 80, "fault": "ship-fails"})
    # THEN the compensation ran in order
    frame = history_frame(env, result["executionArn"])
    entered = list(frame.loc[frame["event"].str.endswith("StateEntered"), "state"])
    assert entered[-3:] == ["ReleaseStock", "RefundPayment", "OrderFailed"]
    assert "ord-2" not in flow.services.reserved


def test_manual_review_above_threshold_waits_for_the_token(env):
    # GIVEN an order over $500
    flow = Fulfillment.deploy(env)
    sfn = env.client("stepfunctions")
    result = flow.run({"order_id": "ord-big", "amount": 900})
    assert result["status"] == "RUNNING"
    # WHEN the reviewer answers
    sfn.send_task_success(taskToken=flow.review_token(), output='{"ok": true}')
    # THEN it completes
    assert sfn.describe_execution(executionArn=result["executionArn"])["status"] == "SUCCEEDED"


def test_retry_backoff_runs_on_the_simulated_clock(any_env):
    # GIVEN the flaky payment (fails twice, Retry 2 s x 2)
    flow = Fulfillment.deploy(any_env)
    result = flow.run({"order_id": "ord-3", "amount": 10, "fault": "flaky-payment"})
    # THEN attempts at 0, 2 and 6 s, and the run is logged as emulated
    frame = history_frame(any_env, result["executionArn"])
    assert list(frame.loc[frame["event"] == "TaskScheduled"].query("state == 'ChargePayment'")["t"]) == [0, 2, 6]
    log = any_env.log.to_frame()
    runs = log[(log["service"] == "stepfunctions") & (log["action"] == "execution")]
    assert list(runs["outcome"]) == [f"RUNNING: {EMULATED}"]


def test_wait_state_follows_env_sleep(any_env):
    # GIVEN a one-hour Wait
    sfn = any_env.client("stepfunctions")
    arn = create_state_machine(any_env, "wait", WAIT)
    ex = sfn.start_execution(stateMachineArn=arn, name="w", input="{}")["executionArn"]
    # WHEN / THEN
    any_env.sleep(3599)
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    any_env.sleep(1)
    assert sfn.describe_execution(executionArn=ex)["status"] == "SUCCEEDED"


def test_heartbeat_timeout_and_failure_cause(any_env):
    # GIVEN the payment callback with a 60-s heartbeat
    from helpers.sqs import create_queue
    from helpers.stepfunctions import callback_definition, start_execution
    queue = create_queue(any_env, "cb", dlq=False)
    arn = create_state_machine(any_env, "cb", callback_definition(queue.url, 60))
    sfn, sqs = any_env.client("stepfunctions"), any_env.client("sqs")
    a = start_execution(any_env, arn, {"order": "a"}, name="a")
    b = start_execution(any_env, arn, {"order": "b"}, name="b")
    tokens = [json.loads(m["Body"])["token"] for m in
              sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=2)["Messages"]]
    # WHEN a fails with a cause and b stays silent
    sfn.send_task_failure(taskToken=tokens[0], error="PaymentDeclined", cause="no funds")
    any_env.sleep(61)
    # THEN the error and cause reach the history; b timed out on the simulated clock
    events = sfn.get_execution_history(executionArn=a)["events"]
    failed = [e for e in events if e["type"] == "TaskFailed"][0]["taskFailedEventDetails"]
    assert (failed["error"], failed["cause"]) == ("PaymentDeclined", "no funds")
    timed = [e for e in sfn.get_execution_history(executionArn=b)["events"] if e["type"] == "TaskTimedOut"]
    assert timed[0]["taskTimedOutEventDetails"]["error"] == "States.HeartbeatTimeout"
    with pytest.raises(ClientError, match="TaskTimedOut"):
        sfn.send_task_success(taskToken=tokens[1], output="{}")
    with pytest.raises(ClientError, match="InvalidToken"):
        sfn.send_task_success(taskToken="nonsense", output="{}")


def test_invalid_definition_names_state_and_rule(env):
    # GIVEN a Next that names no state
    bad = {"StartAt": "Charge", "States": {"Charge": {"Type": "Pass", "Next": "Ship"}}}
    # WHEN / THEN the toolkit's error and the stand-in's InvalidDefinition
    with pytest.raises(InvalidStateMachineError, match=r"State 'Charge' breaks the rule MISSING_TRANSITION_TARGET"):
        validate_definition(bad)
    with pytest.raises(ClientError, match=r"InvalidDefinition.*Missing 'Next' target: Ship at /States/Charge/Next"):
        env.client("stepfunctions").create_state_machine(
            name="bad", definition=json.dumps(bad), roleArn="arn:aws:iam::123456789012:role/r")
    assert env.client("stepfunctions").list_state_machines()["stateMachines"] == []


@pytest.mark.parametrize("state, fragment", [
    ({"Type": "Task", "End": True}, "'Resource' should be non-null"),
    ({"Type": "Pass"}, "'Next' or 'End' is required"),
    ({"Type": "Bogus", "End": True}, "'Type' should be one of"),
    ({"Type": "Pass", "End": True, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}, "States.ALL must appear alone"),
])
def test_schema_rules(state, fragment):
    with pytest.raises(InvalidStateMachineError, match=fragment):
        validate_definition({"StartAt": "A", "States": {"A": state}})


# --- plain moto lacks each ----------------------------------------------------------------
@pytest.fixture
def bare(env):
    env.emulation["stepfunctions"].stop()
    return env


def test_moto_alone_accepts_a_missing_transition_target(bare):
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}
    arn = bare.client("stepfunctions").create_state_machine(
        name="bad", definition=json.dumps(bad), roleArn="arn:aws:iam::123456789012:role/r")
    assert arn["stateMachineArn"]


def test_moto_alone_wait_ignores_the_simulated_clock(bare):
    # GIVEN moto's engine and a one-hour Wait
    sfn = bare.client("stepfunctions")
    arn = sfn.create_state_machine(name="w", definition=json.dumps(WAIT),
                                   roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, name="w", input="{}")["executionArn"]
    # WHEN the simulated hour passes THEN moto's worker thread is still sleeping
    bare.sleep(3600)
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    # (moto's StopExecution crashes on this run; its daemon thread is left to its real wait)


def test_moto_alone_heartbeat_ignores_the_simulated_clock(bare):
    # GIVEN moto's engine and a callback task with a 60-s heartbeat
    from helpers.sqs import create_queue
    from helpers.stepfunctions import callback_definition
    queue = create_queue(bare, "cb", dlq=False)
    sfn = bare.client("stepfunctions")
    arn = sfn.create_state_machine(name="cb", definition=json.dumps(callback_definition(queue.url, 60)),
                                   roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, name="cb", input='{"order": "o"}')["executionArn"]
    # WHEN two simulated minutes pass without a heartbeat
    bare.sleep(120)
    # THEN moto still waits (AWS fails the task with States.HeartbeatTimeout after 60 s)
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"


@pytest.mark.parametrize("takes, status, error", [(19, "SUCCEEDED", None), (25, "FAILED", "States.Timeout")])
def test_a_lambda_task_past_its_timeout_seconds_fails_with_states_timeout(env, takes, status, error):
    # GIVEN a Lambda Task with TimeoutSeconds 20 whose function takes `takes` seconds
    arn = deploy_function(env, "slow", lambda event, context: env.sleep(takes) or {"done": True})
    machine = create_state_machine(env, "slow", {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": arn, "TimeoutSeconds": 20, "End": True}}})
    # WHEN it runs
    result = run_execution(env, machine, {}, name="one")
    # THEN within the timeout it succeeds; past it, Step Functions stopped waiting at 20 s with
    # States.Timeout (a TaskTimedOut event, not TaskFailed), whatever the function did later
    assert (result["status"], result.get("error")) == (status, error)
    events = env.client("stepfunctions").get_execution_history(executionArn=result["executionArn"])["events"]
    kinds = [e["type"] for e in events]
    assert ("TaskTimedOut" in kinds) == (error is not None) and "TaskFailed" not in kinds
    if error:
        seconds = (events[-1]["timestamp"] - events[0]["timestamp"]).total_seconds()
        assert seconds == pytest.approx(20)
