"""Pins Step Functions activities and the inline Map in the course's interpreter
(helpers/emulation/stepfunctions/activities.py, helpers/rules/asl.py), and that moto alone
lacks them.
"""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/r"


def _chat(activity_arn):
    return {"StartAt": "Greeting", "States": {
        "Greeting": {"Type": "Pass", "Parameters": {"message.$": "States.Format('Hello, {}!', $.name)"},
                     "Next": "GetInput"},
        "GetInput": {"Type": "Task", "Resource": activity_arn, "TimeoutSeconds": 300, "Next": "Choice",
                     "Parameters": {"message.$": "$.message", "actions.$": "States.Array('song', 'done')"}},
        "Choice": {"Type": "Choice", "Choices": [
            {"Variable": "$.action", "StringEquals": "song", "Next": "Song"},
            {"Variable": "$.action", "StringEquals": "done", "Next": "Done"}]},
        "Song": {"Type": "Pass", "Result": {"message": "la la"}, "Next": "GetInput"},
        "Done": {"Type": "Pass", "Result": {"message": "Thanks for chatting."}, "End": True}}}


MAP = {"StartAt": "Each", "States": {"Each": {
    "Type": "Map", "ItemsPath": "$.items", "End": True,
    "ItemSelector": {"sku.$": "$$.Map.Item.Value", "line.$": "$$.Map.Item.Index"},
    "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}


def test_an_activity_worker_loop_drives_the_execution(any_env):
    # GIVEN an activity and a state machine that asks it twice (AWS's ChatSFN example)
    sfn = any_env.client("stepfunctions")
    activity = sfn.create_activity(name="chat")["activityArn"]
    machine = sfn.create_state_machine(name="chat", definition=json.dumps(_chat(activity)),
                                       roleArn=ROLE)["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, input='{"name": "Ana"}')["executionArn"]
    # WHEN a worker takes each task and answers it, then polls the run with time.sleep
    seen, answers = [], iter(["song", "done"])
    action = None
    while action != "done":
        task = sfn.get_activity_task(activityArn=activity, workerName="w1")
        seen.append(json.loads(task["input"])["message"])
        action = next(answers)
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"action": action}))
    while (described := sfn.describe_execution(executionArn=run))["status"] == "RUNNING":
        time.sleep(1)
    # THEN the worker saw each prompt and the run succeeded with the last Pass's output
    assert seen == ["Hello, Ana!", "la la"]
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"message": "Thanks for chatting."})
    kinds = [e["type"] for e in sfn.get_execution_history(executionArn=run)["events"]]
    assert kinds.count("ActivityScheduled") == kinds.count("ActivityStarted") == kinds.count("ActivitySucceeded") == 2


def test_get_activity_task_waits_60_simulated_seconds_when_nothing_is_scheduled(any_env):
    # GIVEN an activity nobody schedules
    sfn = any_env.client("stepfunctions")
    activity = sfn.create_activity(name="idle")["activityArn"]
    before = any_env.clock.elapsed()
    # WHEN a worker polls it, and polls an activity that does not exist
    answer = sfn.get_activity_task(activityArn=activity)
    with pytest.raises(ClientError) as missing:
        sfn.get_activity_task(activityArn=activity + "-gone")
    # THEN AWS's long poll: no token after 60 s (simulated); an unknown activity is refused
    assert "taskToken" not in answer and any_env.clock.elapsed() - before == 60
    assert missing.value.response["Error"]["Code"] == "ActivityDoesNotExist"


def test_an_inline_map_runs_each_item(any_env):
    # GIVEN a Map over the order's items with an ItemSelector
    sfn = any_env.client("stepfunctions")
    machine = sfn.create_state_machine(name="map", definition=json.dumps(MAP), roleArn=ROLE)["stateMachineArn"]
    # WHEN it runs over three items
    run = sfn.start_execution(stateMachineArn=machine, input='{"items": ["a", "b", "c"]}')["executionArn"]
    described = sfn.describe_execution(executionArn=run)
    # THEN one result per item, in order, with the item and its index
    assert json.loads(described["output"]) == [{"sku": "a", "line": 0}, {"sku": "b", "line": 1},
                                               {"sku": "c", "line": 2}]
    kinds = [e["type"] for e in sfn.get_execution_history(executionArn=run)["events"]]
    assert kinds.count("MapIterationSucceeded") == 3 and "MapStateSucceeded" in kinds


def test_a_distributed_map_is_refused_at_create(any_env):
    sfn = any_env.client("stepfunctions")
    distributed = json.loads(json.dumps(MAP))
    distributed["States"]["Each"]["ItemReader"] = {"Resource": "arn:aws:states:::s3:getObject"}
    with pytest.raises(ClientError) as refused:
        sfn.create_state_machine(name="d", definition=json.dumps(distributed), roleArn=ROLE)
    assert refused.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "distributed Map" in refused.value.response["Error"]["Message"]
    assert sfn.list_state_machines()["stateMachines"] == []


@pytest.fixture
def bare(env):
    env.emulation["stepfunctions"].stop()
    return env


def test_moto_alone_has_no_get_activity_task(bare):
    sfn = bare.client("stepfunctions")
    activity = sfn.create_activity(name="chat")["activityArn"]
    with pytest.raises(NotImplementedError):
        sfn.get_activity_task(activityArn=activity)


def _one_task(activity_arn, **limits):
    return {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity_arn, "End": True,
                                                   **limits}}}


def _started(sfn, name, definition):
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                       roleArn=ROLE)["stateMachineArn"]
    return sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]


def test_an_activity_worker_reports_a_failure_with_its_error_and_cause(any_env):
    # GIVEN an execution waiting on an activity, and a worker that took its task
    sfn = any_env.client("stepfunctions")
    activity = sfn.create_activity(name="charge")["activityArn"]
    run = _started(sfn, "charge", _one_task(activity))
    token = sfn.get_activity_task(activityArn=activity, workerName="w1")["taskToken"]
    # WHEN the worker reports a failure
    sfn.send_task_failure(taskToken=token, error="Payments.Declined", cause="card expired")
    described = sfn.describe_execution(executionArn=run)
    with pytest.raises(ClientError) as again:  # a second answer to the closed task
        sfn.send_task_success(taskToken=token, output="{}")
    # THEN the execution fails with the worker's error and cause, and the history says so;
    # the closed task's token is refused in AWS's words
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED", "Payments.Declined", "card expired")
    assert again.value.response["Error"] == {
        "Code": "TaskTimedOut", "Message": "Task Timed Out: 'Provided task does not exist anymore'"}
    kinds = [e["type"] for e in sfn.get_execution_history(executionArn=run)["events"]]
    assert "ActivityFailed" in kinds and "ActivitySucceeded" not in kinds


def test_activity_heartbeats_keep_a_task_alive_and_a_missed_one_times_it_out(any_env):
    # GIVEN two executions on activities with a 30 s heartbeat, each task taken by a worker
    sfn = any_env.client("stepfunctions")
    activity = sfn.create_activity(name="pack")["activityArn"]
    limits = {"HeartbeatSeconds": 30, "TimeoutSeconds": 300}
    alive = _started(sfn, "pack-alive", _one_task(activity, **limits))
    kept = sfn.get_activity_task(activityArn=activity)["taskToken"]
    # WHEN one worker sends a heartbeat every 20 s for a minute, then succeeds
    for _ in range(3):
        time.sleep(20)
        sfn.send_task_heartbeat(taskToken=kept)
    sfn.send_task_success(taskToken=kept, output='{"packed": true}')
    silent = _started(sfn, "pack-silent", _one_task(activity, **limits))
    lost = sfn.get_activity_task(activityArn=activity)["taskToken"]
    # ... and the other goes silent for 40 s
    time.sleep(40)
    with pytest.raises(ClientError) as late:
        sfn.send_task_heartbeat(taskToken=lost)
    # THEN the first succeeded after 60 s; the second failed with States.HeartbeatTimeout and its
    # token is refused as timed out
    assert sfn.describe_execution(executionArn=alive)["status"] == "SUCCEEDED"
    failed = sfn.describe_execution(executionArn=silent)
    assert (failed["status"], failed["error"]) == ("FAILED", "States.HeartbeatTimeout")
    assert late.value.response["Error"]["Code"] == "TaskTimedOut"
