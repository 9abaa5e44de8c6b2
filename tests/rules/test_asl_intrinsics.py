"""Intrinsic functions in the Step Functions stand-in (helpers/rules/asl_intrinsics.py)."""

from __future__ import annotations

import json

DEFINITION = {
    "StartAt": "Name",
    "States": {"Name": {"Type": "Pass", "End": True, "Parameters": {
        "po.$": "States.Format('po-{}', $.sku)",
        "count.$": "States.ArrayLength(States.Array($.sku, 'x'))",
        "raw.$": "States.JsonToString($.qty)"}}},
}


def _run(env, definition, data):
    sfn = env.client("stepfunctions")
    arn = sfn.create_state_machine(name="intrinsics", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="one", input=json.dumps(data))
    env.sleep(1)
    return sfn.describe_execution(executionArn=execution["executionArn"])


def test_intrinsic_functions_are_evaluated(env):
    # GIVEN a Pass state whose Parameters call intrinsic functions
    # WHEN it runs
    described = _run(env, DEFINITION, {"sku": "SKU-7", "qty": {"n": 3}})
    # THEN each call's value is in the output
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"po": "po-SKU-7", "count": 2, "raw": '{"n":3}'}


def test_an_unsupported_intrinsic_fails_the_execution_naming_it(env):
    # GIVEN a definition calling a function the interpreter does not implement
    definition = {"StartAt": "H", "States": {"H": {"Type": "Pass", "End": True, "Parameters": {
        "h.$": "States.Hash($.sku, 'SHA-256')"}}}}
    # WHEN it runs / THEN the execution fails with States.Runtime naming the function
    described = _run(env, definition, {"sku": "SKU-7"})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime" and "States.Hash" in described["cause"]
