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
