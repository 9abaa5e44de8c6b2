"""Lambda's asynchronous invocation (helpers.emulation.awslambda.asynchronous), on both backends.

GIVEN a function whose handler fails, WHEN it is invoked with ``InvocationType="Event"``, THEN
Lambda answers 202 at once, runs it later, retries twice (1 min, 2 min), honours the event
invoke config and sends the invocation record to the destinations.
"""

from __future__ import annotations

import json

import pytest

import helpers
from helpers.stepfunctions import deploy_function


def _function(env, fail_times: int):
    runs: list[float] = []

    def handler(event, context):
        runs.append(env.clock.elapsed())
        if len(runs) <= fail_times:
            raise TimeoutError("receipt service timed out")
        return {"ok": event["order_id"]}

    return deploy_function(env, "async-fn", handler), runs


def _bodies(env, queue):
    messages = env.client("sqs").receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_event_invoke_answers_202_and_runs_when_the_clock_moves(any_env):
    # GIVEN a function that succeeds
    arn, runs = _function(any_env, 0)
    # WHEN it is invoked asynchronously
    answer = any_env.client("lambda").invoke(FunctionName=arn, InvocationType="Event",
                                             Payload=json.dumps({"order_id": "ord-1"}))
    # THEN 202, no payload, and it has not run yet; it runs once time passes
    assert answer["StatusCode"] == 202 and answer["Payload"].read() == b""
    assert runs == []
    any_env.sleep(1)
    assert runs == [0.0]


def test_a_failing_function_is_retried_twice_then_sent_to_on_failure(any_env):
    # GIVEN a function that always fails, with an on-failure queue
    arn, runs = _function(any_env, 99)
    failures = helpers.sqs.create_queue(any_env, "async-failures", dlq=False)
    lam = any_env.client("lambda")
    lam.put_function_event_invoke_config(FunctionName=arn, DestinationConfig={
        "OnFailure": {"Destination": failures.arn}})
    # WHEN it is invoked asynchronously and ten minutes pass
    lam.invoke(FunctionName=arn, InvocationType="Event", Payload=json.dumps({"order_id": "ord-1"}))
    any_env.sleep(600)
    # THEN three runs: at once, 1 min later, 2 min after that; the record names the condition
    assert runs == [0.0, 60.0, 180.0]
    [record] = _bodies(any_env, failures)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"order_id": "ord-1"}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "TimeoutError"


@pytest.mark.parametrize(("config", "runs_expected", "condition"), [
    ({"MaximumRetryAttempts": 0}, [0.0], "RetriesExhausted"),
    ({"MaximumRetryAttempts": 1}, [0.0, 60.0], "RetriesExhausted"),
    ({"MaximumEventAgeInSeconds": 60}, [0.0, 60.0], "EventAgeExceeded"),
])
def test_event_invoke_config_limits_retries_and_age(env, config, runs_expected, condition):
    # GIVEN an always-failing function with a stricter event invoke config
    arn, runs = _function(env, 99)
    failures = helpers.sqs.create_queue(env, "async-failures", dlq=False)
    env.client("lambda").put_function_event_invoke_config(
        FunctionName=arn, **config, DestinationConfig={"OnFailure": {"Destination": failures.arn}})
    # WHEN invoked asynchronously
    env.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=b'{"order_id": "o"}')
    env.sleep(600)
    # THEN it stops as configured and the record says why
    assert runs == runs_expected
    assert [r["requestContext"]["condition"] for r in _bodies(env, failures)] == [condition]


def test_success_after_a_retry_goes_to_on_success(any_env):
    # GIVEN a function that fails once, with an on-success queue
    arn, runs = _function(any_env, 1)
    done = helpers.sqs.create_queue(any_env, "async-done", dlq=False)
    any_env.client("lambda").put_function_event_invoke_config(FunctionName=arn, DestinationConfig={
        "OnSuccess": {"Destination": done.arn}})
    # WHEN invoked asynchronously
    any_env.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=b'{"order_id": "o"}')
    any_env.sleep(120)
    # THEN the second run succeeded and its result is in the record
    [record] = _bodies(any_env, done)
    assert runs == [0.0, 60.0]
    assert record["requestContext"] | {"requestId": None} == {
        "requestId": None, "functionArn": f"{arn}:$LATEST", "condition": "Success", "approximateInvokeCount": 2}
    assert record["responsePayload"] == {"ok": "o"}


def test_moto_alone_runs_an_event_invoke_at_once_without_retries(env):
    # GIVEN moto with only the async stand-in removed (the handler still runs in-process)
    env.emulation["lambda-async"].stop()
    arn, runs = _function(env, 99)
    # WHEN a failing function is invoked asynchronously and time passes
    answer = env.client("lambda").invoke(FunctionName=arn, InvocationType="Event", Payload=b'{"order_id": "o"}')
    env.sleep(600)
    # THEN moto ran it inside the call, returned its error as the payload, and never retried
    assert answer["StatusCode"] == 202
    assert b"TimeoutError" in answer["Payload"].read()
    assert runs == [0.0]
