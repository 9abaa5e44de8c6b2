"""Deploy the workflow's functions, create a state machine, run executions, read their history.

Example
-------
>>> import helpers
>>> from helpers.stepfunctions import create_state_machine, run_execution
>>> env = helpers.connect(quiet=True)
>>> arn = create_state_machine(env, "hello", {"StartAt": "W", "States": {
...     "W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
>>> run_execution(env, arn, {}, name="one")["status"]
'SUCCEEDED'
>>> env.clock.elapsed()
3600.0
>>> _ = env.teardown()
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..platform import limits
from ..platform.errors import InvalidParameterError
from ..platform.inputs import finite, json_text
from .definitions import validate_definition

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["deploy_function", "create_state_machine", "start_execution", "check_execution_name", "wait_for_execution",
           "run_execution", "history_frame", "ROLE_NAME"]

#: The execution role the course's functions and state machines use.
ROLE_NAME = "workflow-role"
_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}}]}


def _role(env: Environment) -> str:
    iam = env.client("iam")
    name = env.name(ROLE_NAME)
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"]


def _stub_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    raise NotImplementedError\n")
    return buffer.getvalue()


def deploy_function(env: Environment, name: str, handler: Any) -> str:
    """Create Lambda function ``name`` running the Python ``handler``; returns its ARN.

    On moto the handler runs in the kernel (emulated on moto). On ``aws`` the course does not
    package kernel functions: deploy the handler with your usual tooling and pass its ARN.
    """
    if not env.local:
        raise InvalidParameterError(
            f"deploy_function({name!r}) runs a kernel function, which only the local backends can "
            "do. Fix: on aws deploy the handler with SAM/CDK and use its function ARN.")
    lam = env.client("lambda")
    full = env.name(name)
    try:
        arn = lam.get_function(FunctionName=full)["Configuration"]["FunctionArn"]
    except lam.exceptions.ResourceNotFoundException:
        arn = lam.create_function(FunctionName=full, Runtime="python3.12", Role=_role(env),
                                  Handler="handler.handler", Code={"ZipFile": _stub_zip()},
                                  Timeout=30)["FunctionArn"]
    env.emulation["lambda"].register(full, handler)
    return arn


def create_state_machine(env: Environment, name: str, definition: Any) -> str:
    """Validate ``definition`` (one clear error) and create or update the state machine."""
    definition = validate_definition(definition)
    sfn = env.client("stepfunctions")
    full = env.name(name, "stepfunctions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine["name"] == full:
            sfn.update_state_machine(stateMachineArn=machine["stateMachineArn"],
                                     definition=json.dumps(definition))
            return machine["stateMachineArn"]
    return sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                    roleArn=_role(env))["stateMachineArn"]


#: What StartExecution refuses in a name (its API reference: white space, brackets, wildcards,
#: special characters, control characters).
_NAME_REFUSED = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def check_execution_name(name: Any) -> str:
    """``name`` when StartExecution would accept it; else one clear error.

    Example
    -------
    >>> check_execution_name("order-00001")
    'order-00001'
    """
    bad = _NAME_REFUSED.search(name) if isinstance(name, str) else None
    if isinstance(name, str) and 1 <= len(name) <= limits.SFN_MAX_EXECUTION_NAME_CHARS and not bad:
        return name
    why = (f"its character {bad.group()!r} at position {bad.start()}" if bad
           else f"a {type(name).__name__}" if not isinstance(name, str) else f"{len(name)} characters")
    raise InvalidParameterError(
        f"name={name!r} has {why}: a Step Functions execution name is 1 to "
        f"{limits.SFN_MAX_EXECUTION_NAME_CHARS} characters without white space, brackets "
        "< > { } [ ], wildcards ? *, the characters \" # % \\ ^ | ~ ` $ & , ; : / or control "
        "characters (StartExecution). Fix: letters, digits, - and _, e.g. name='order-00001'.")


def start_execution(env: Environment, machine_arn: str, data: Any, *, name: str) -> str:
    """Start one execution named ``name`` with input ``data``; returns its ARN."""
    name = check_execution_name(name)
    text = json_text(data, "The execution input", rule="an execution's input is JSON")
    return env.client("stepfunctions").start_execution(
        stateMachineArn=machine_arn, name=name, input=text)["executionArn"]


def wait_for_execution(env: Environment, execution_arn: str, *, step: float = 1.0,
                       limit: float = 86_400) -> dict:
    """Let time pass until the execution ends (or ``limit`` seconds); its description.

    On moto the clock jumps to the next moment the execution resumes; on AWS this polls.
    A run waiting for a task token stays ``RUNNING`` until someone calls ``SendTask*``.
    """
    step = finite(step, "step", rule="the seconds between two looks at the execution",
                  fix="step=1.0 (more than 0)")
    limit = finite(limit, "limit", rule="the longest wait in seconds", fix="limit=86400")
    if step <= 0 or limit < 0:
        raise InvalidParameterError(f"step={step!r}, limit={limit!r}: time only moves forward "
                                    "(step > 0, limit >= 0). Fix: step=1.0, limit=86400.")
    sfn = env.client("stepfunctions")
    waited = 0.0
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        pause = _pause(env, execution_arn)
        if described["status"] != "RUNNING" or waited >= limit or pause == "token":
            return described
        delay = step if pause is None else max(pause, 0.0)
        env.sleep(delay or step)
        waited += delay or step


def _pause(env: Environment, execution_arn: str) -> float | str | None:
    group = env.emulation.get("stepfunctions")
    if group is None:
        return None
    for execution in group.executions:
        if execution.execution_arn == execution_arn and execution.run.pause is not None:
            pause = execution.run.pause
            return "token" if pause.token else pause.until - env.clock.time()
    return None


def run_execution(env: Environment, machine_arn: str, data: Any, *, name: str) -> dict:
    """Start an execution and wait for it to end; its description."""
    return wait_for_execution(env, start_execution(env, machine_arn, data, name=name))


def history_frame(env: Environment, execution_arn: str) -> pd.DataFrame:
    """The execution history as a table: seconds since start, event, state, detail."""
    events = env.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]
    start = events[0]["timestamp"] if events else None
    rows, state, parallel = [], None, []
    for event in events:
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        state = details.get("name", state)
        if event["type"] == "ParallelStateEntered":
            parallel.append(state)
        elif event["type"].startswith("ParallelState") and parallel:
            state = parallel[-1]
            if event["type"] == "ParallelStateExited":
                parallel.pop()
        detail = details.get("error") or details.get("resource") or ""
        rows.append({"t": (event["timestamp"] - start).total_seconds(), "event": event["type"],
                     "state": state if "State" in event["type"] or "Task" in event["type"] else "",
                     "detail": detail})
    return pd.DataFrame(rows, columns=["t", "event", "state", "detail"])
