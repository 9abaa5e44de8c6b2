"""A small Amazon States Language interpreter on the simulated clock (the Step Functions stand-in).

It runs the states the course teaches (Pass, Task, Choice, Wait, Parallel, Succeed, Fail) with
``InputPath``/``Parameters``/``ResultSelector``/``ResultPath``/``OutputPath``, ``Retry`` (interval,
backoff rate, max attempts, max delay) and ``Catch``, and Task resources for Lambda (function
ARN or ``arn:aws:states:::lambda:invoke``), ``sqs:sendMessage`` and ``sns:publish``, each also as
``.waitForTaskToken`` with ``HeartbeatSeconds``/``TimeoutSeconds``.

An execution is a generator: it pauses at a ``Wait``, a retry's backoff or a task token, and
:meth:`Run.advance` resumes it once the clock has reached the pause (or the token arrived).
Nothing sleeps. Parallel branches run one after another (AWS runs them concurrently; their
results are the same, in branch order). Map and JSONata are not supported (the run fails with
``States.Runtime`` saying so).

Example
-------
>>> run = Run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "Next": "D"},
...           "D": {"Type": "Pass", "Result": {"ok": True}, "End": True}}},
...           {"order": 1}, services=None, now=0.0, context={})
>>> run.status, run.advance(59.0), run.status
('RUNNING', None, 'RUNNING')
>>> _ = run.advance(60.0); run.status, run.output
('SUCCEEDED', {'ok': True})
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

from .asl_intrinsics import IntrinsicError, evaluate, is_intrinsic

__all__ = ["Run", "Failure", "Pause", "Services", "json_path", "set_path"]

_PATH = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\['([^']+)'\]")


class Failure(Exception):
    """An ASL error (``error`` such as ``States.TaskFailed``) with its ``cause``."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass
class Pause:
    """Where an execution waits: until a time, or for a task token (with its deadlines)."""

    until: float | None = None
    token: str | None = None
    heartbeat: float | None = None
    heartbeat_deadline: float | None = None
    timeout_deadline: float | None = None


class Services(Protocol):  # pragma: no cover - the stand-in supplies it
    """What Task states call."""

    def invoke(self, function: str, payload: Any) -> Any: ...

    def send_message(self, queue_url: str, body: str, attributes: dict | None) -> dict: ...

    def publish(self, topic_arn: str, message: str, subject: str | None) -> dict: ...


def json_path(data: Any, path: str, context: dict | None = None) -> Any:
    """The value at a JSONPath (``$``, ``$.a.b``, ``$.a[0]``, ``$$.Task.Token``).

    Example
    -------
    >>> json_path({"order": {"items": [{"sku": "A"}]}}, "$.order.items[0].sku")
    'A'
    """
    if path.startswith("$$"):
        data, path = context or {}, path[1:]
    if not path.startswith("$"):
        raise Failure("States.Runtime", f"Invalid path {path!r}: a path starts with '$'.")
    value = data
    for key, index, quoted in _PATH.findall(path[1:]):
        try:
            value = value[int(index)] if index else value[key or quoted]
        except (KeyError, IndexError, TypeError):
            raise Failure("States.Runtime", f"The JSONPath '{path}' could not be found in the "
                          f"input '{json.dumps(data, default=str)}'") from None
    return value


def set_path(data: Any, path: str | None, value: Any) -> Any:
    """``data`` with ``value`` placed at a ResultPath (``None`` discards, ``$`` replaces)."""
    if path is None:
        return data
    if path == "$":
        return value
    out = copy.deepcopy(data) if isinstance(data, dict) else {}
    keys = [k or q for k, _, q in _PATH.findall(path[1:])]
    node = out
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return out


def _parameters(template: Any, data: Any, context: dict) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$") and is_intrinsic(value):
                try:
                    out[key[:-2]] = evaluate(value, lambda path: json_path(data, path, context))
                except IntrinsicError as err:
                    raise Failure("States.Runtime", str(err)) from None
            elif key.endswith(".$"):
                out[key[:-2]] = json_path(data, value, context)
            else:
                out[key] = _parameters(value, data, context)
        return out
    if isinstance(template, list):
        return [_parameters(v, data, context) for v in template]
    return template


_OPS = {
    "StringEquals": lambda a, b: isinstance(a, str) and a == b,
    "NumericEquals": lambda a, b: _num(a) and a == b,
    "NumericLessThan": lambda a, b: _num(a) and a < b,
    "NumericLessThanEquals": lambda a, b: _num(a) and a <= b,
    "NumericGreaterThan": lambda a, b: _num(a) and a > b,
    "NumericGreaterThanEquals": lambda a, b: _num(a) and a >= b,
    "BooleanEquals": lambda a, b: isinstance(a, bool) and a == b,
}


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _matches(rule: dict, data: Any, context: dict) -> bool:
    if "And" in rule:
        return all(_matches(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(_matches(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not _matches(rule["Not"], data, context)
    try:
        value = json_path(data, rule["Variable"], context)
        present = True
    except Failure:
        value, present = None, False
    if "IsPresent" in rule:
        return present == rule["IsPresent"]
    if not present:
        raise Failure("States.Runtime", f"Invalid path '{rule['Variable']}': the choice state's "
                      "condition path references an undefined value.")
    for op, test in _OPS.items():
        if op in rule:
            return bool(test(value, rule[op]))
        if op + "Path" in rule:
            return bool(test(value, json_path(data, rule[op + "Path"], context)))
    raise Failure("States.Runtime", f"Unsupported choice rule {json.dumps(rule)} (stand-in).")


def _error_matches(names: list[str], error: str) -> bool:
    if error in names:
        return True
    # States.ALL matches every error but States.Runtime (AWS); TaskFailed every error but timeouts.
    if "States.ALL" in names and error != "States.Runtime":
        return True
    return "States.TaskFailed" in names and error not in ("States.Timeout", "States.HeartbeatTimeout",
                                                          "States.Runtime")


class Run:
    """One execution of a definition; :meth:`advance` moves it to the clock's ``now``.

    Attributes
    ----------
    status
        ``RUNNING``, ``SUCCEEDED`` or ``FAILED``.
    events
        The execution history, AWS's event types and details, in order.
    output, error, cause
        Set when the run ends.
    """

    def __init__(self, definition: dict, data: Any, *, services: Any, now: float,
                 context: dict) -> None:
        self.services = services
        self.context = context
        self.t = now
        self.status = "RUNNING"
        self.events: list[dict[str, Any]] = []
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.stop_t: float | None = None
        self.pause: Pause | None = None
        self.tokens_seen: set[str] = set()
        self._gen = self._execution(definition, data)
        self._step(lambda: next(self._gen))

    # -- driving ----------------------------------------------------------------------
    def _step(self, resume: Any) -> None:
        try:
            self.pause = resume()
        except StopIteration:
            self.pause = None

    def advance(self, now: float) -> None:
        """Resume every pause the clock has passed (waits, backoffs, token deadlines)."""
        while self.status == "RUNNING" and self.pause is not None:
            pause = self.pause
            if pause.until is not None:
                if now < pause.until:
                    return None
                self.t = max(self.t, pause.until)
                self._step(lambda: self._gen.send(None))
                continue
            deadlines = [d for d in (pause.heartbeat_deadline, pause.timeout_deadline) if d is not None]
            if not deadlines or now < min(deadlines):
                return None
            self.t = min(deadlines)
            if pause.heartbeat_deadline is not None and self.t == pause.heartbeat_deadline:
                failure = Failure("States.HeartbeatTimeout", "")
            else:
                failure = Failure("States.Timeout", "")
            self._step(lambda f=failure: self._gen.throw(f))
        return None

    def resolve(self, token: str, now: float, *, output: Any = None,
                failure: Failure | None = None) -> None:
        """Deliver ``SendTaskSuccess`` (``output``) or ``SendTaskFailure`` for ``token``."""
        self.t = max(self.t, now)
        if failure is not None:
            self._step(lambda: self._gen.throw(failure))
        else:
            self._step(lambda: self._gen.send(output))

    def abort(self, now: float) -> None:
        """``StopExecution``: the run ends ``ABORTED``."""
        if self.status == "RUNNING":
            self.t = max(self.t, now)
            self.status, self.stop_t, self.pause = "ABORTED", self.t, None
            self._event("ExecutionAborted", "executionAbortedEventDetails")
            self._gen.close()

    def heartbeat(self, now: float) -> None:
        """``SendTaskHeartbeat``: the heartbeat deadline starts again from ``now``."""
        if self.pause is not None and self.pause.heartbeat is not None:
            self.pause.heartbeat_deadline = now + self.pause.heartbeat

    def waiting_token(self) -> str | None:
        """The task token this run waits for, if any."""
        return self.pause.token if self.status == "RUNNING" and self.pause else None

    # -- history ----------------------------------------------------------------------
    def _event(self, kind: str, details_key: str | None = None, **details: Any) -> None:
        event: dict[str, Any] = {"timestamp": self.t, "type": kind, "id": len(self.events) + 1,
                                 "previousEventId": len(self.events)}
        if details_key:
            event[details_key] = {k: v for k, v in details.items() if v is not None}
        self.events.append(event)

    @staticmethod
    def _dump(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))

    # -- execution --------------------------------------------------------------------
    def _execution(self, definition: dict, data: Any) -> Generator[Pause, Any, None]:
        self._event("ExecutionStarted", "executionStartedEventDetails", input=self._dump(data),
                    roleArn=self.context.get("roleArn"))
        try:
            self.output = yield from self._machine(definition, data)
        except Failure as failure:
            self.status, self.error, self.cause = "FAILED", failure.error, failure.cause
            self._event("ExecutionFailed", "executionFailedEventDetails", error=failure.error,
                        cause=failure.cause)
        else:
            self.status = "SUCCEEDED"
            self._event("ExecutionSucceeded", "executionSucceededEventDetails",
                        output=self._dump(self.output))
        self.stop_t = self.t

    def _machine(self, definition: dict, data: Any) -> Generator[Pause, Any, Any]:
        states, name = definition["States"], definition["StartAt"]
        while True:
            data, name = yield from self._state(name, states[name], data)
            if name is None:
                return data

    def _state(self, name: str, state: dict, data: Any) -> Generator[Pause, Any, tuple[Any, Any]]:
        kind = state["Type"]
        self._event(f"{kind}StateEntered", "stateEnteredEventDetails", name=name,
                    input=self._dump(data))
        ctx = {**self.context, "State": {"Name": name}}
        raw = data
        if kind in ("Fail", "Succeed", "Choice"):
            effective = data
        else:
            effective = data if "InputPath" not in state else (
                json_path(data, state["InputPath"], ctx) if state["InputPath"] else {})
            if "Parameters" in state and kind != "Task":  # a Task applies them (task token)
                effective = _parameters(state["Parameters"], effective, ctx)
        next_name = state.get("Next")
        try:
            if kind == "Fail":
                raise Failure(state.get("Error", "States.Fail"), state.get("Cause", ""))
            if kind == "Choice":
                next_name = next((c["Next"] for c in state["Choices"] if _matches(c, data, ctx)),
                                 state.get("Default"))
                if next_name is None:
                    raise Failure("States.NoChoiceMatched", f"No Matches! input: {self._dump(data)}")
                result, out = data, data
            elif kind == "Succeed":
                out = data
            elif kind == "Wait":
                seconds = state.get("Seconds")
                if "SecondsPath" in state:
                    seconds = json_path(data, state["SecondsPath"], ctx)
                yield Pause(until=self.t + float(seconds or 0))
                out = self._output(state, raw, effective, ctx)
            elif kind == "Pass":
                out = self._output(state, raw, state.get("Result", effective), ctx)
            elif kind in ("Task", "Parallel"):
                result = yield from self._retrying(name, state, effective, ctx)
                out = self._output(state, raw, result, ctx)
            else:
                raise Failure("States.Runtime", f"State {name!r}: Type {kind!r} is not supported "
                              "by the course's Step Functions stand-in (emulated on moto).")
        except Failure as failure:
            catcher = next((c for c in state.get("Catch", [])
                            if _error_matches(c["ErrorEquals"], failure.error)), None)
            if catcher is None or kind == "Fail":
                raise
            out = set_path(raw, catcher.get("ResultPath", "$"),
                           {"Error": failure.error, "Cause": failure.cause})
            next_name = catcher["Next"]
        self._event(f"{kind}StateExited", "stateExitedEventDetails", name=name,
                    output=self._dump(out))
        if state.get("End") or kind == "Succeed":
            next_name = None
        return out, next_name

    def _output(self, state: dict, raw: Any, result: Any, ctx: dict) -> Any:
        if "ResultSelector" in state:
            result = _parameters(state["ResultSelector"], result, ctx)
        out = set_path(raw, state.get("ResultPath", "$"), result)
        if "OutputPath" in state:
            out = json_path(out, state["OutputPath"], ctx) if state["OutputPath"] else {}
        return out

    def _retrying(self, name: str, state: dict, data: Any, ctx: dict) -> Generator[Pause, Any, Any]:
        attempts: dict[int, int] = {}
        while True:
            try:
                if state["Type"] == "Parallel":
                    return (yield from self._parallel(state, data))
                return (yield from self._task(state, data, ctx))
            except Failure as failure:
                index = next((i for i, r in enumerate(state.get("Retry", []))
                              if _error_matches(r["ErrorEquals"], failure.error)), None)
                if index is None:
                    raise
                rule = state["Retry"][index]
                done = attempts.get(index, 0)
                if done >= rule.get("MaxAttempts", 3):
                    raise
                delay = rule.get("IntervalSeconds", 1) * rule.get("BackoffRate", 2.0) ** done
                if "MaxDelaySeconds" in rule:
                    delay = min(delay, rule["MaxDelaySeconds"])
                attempts[index] = done + 1
                yield Pause(until=self.t + delay)

    def _parallel(self, state: dict, data: Any) -> Generator[Pause, Any, Any]:
        self._event("ParallelStateStarted")
        results = []
        try:
            for branch in state["Branches"]:
                results.append((yield from self._machine(branch, data)))
        except Failure:
            self._event("ParallelStateFailed")
            raise
        self._event("ParallelStateSucceeded")
        return results

    def _task(self, state: dict, data: Any, ctx: dict) -> Generator[Pause, Any, Any]:
        resource = state["Resource"]
        wait = resource.endswith(".waitForTaskToken")
        base = resource.removesuffix(".waitForTaskToken")
        token = None
        if wait:
            token = self.services.new_token() if hasattr(self.services, "new_token") else uuid.uuid4().hex
            ctx = {**ctx, "Task": {"Token": token}}
            self.tokens_seen.add(token)
        if "Parameters" in state:
            data = _parameters(state["Parameters"], data, ctx)
        kind, short = self._resource_kind(base)
        heartbeat = state.get("HeartbeatSeconds")
        self._event("TaskScheduled", "taskScheduledEventDetails", resourceType=kind,
                    resource=short, region=self.context.get("region", "us-east-1"),
                    parameters=self._dump(data), heartbeatInSeconds=heartbeat,
                    timeoutInSeconds=state.get("TimeoutSeconds"))
        self._event("TaskStarted", "taskStartedEventDetails", resourceType=kind, resource=short)
        try:
            result = self._call(kind, base, data)
            if wait:
                start = self.t
                result = yield Pause(
                    token=token, heartbeat=heartbeat,
                    heartbeat_deadline=start + heartbeat if heartbeat else None,
                    timeout_deadline=start + state["TimeoutSeconds"] if "TimeoutSeconds" in state else None)
                self.pause = None
        except Failure as failure:
            if failure.error in ("States.Timeout", "States.HeartbeatTimeout"):
                self._event("TaskTimedOut", "taskTimedOutEventDetails", resourceType=kind,
                            resource=short, error=failure.error, cause=failure.cause)
            else:
                self._event("TaskFailed", "taskFailedEventDetails", resourceType=kind,
                            resource=short, error=failure.error, cause=failure.cause)
            raise
        if isinstance(result, str) and wait:
            result = json.loads(result)
        self._event("TaskSucceeded", "taskSucceededEventDetails", resourceType=kind,
                    resource=short, output=self._dump(result))
        return result

    @staticmethod
    def _resource_kind(resource: str) -> tuple[str, str]:
        if resource.startswith("arn:aws:lambda:"):
            return "lambda", resource.rsplit(":", 1)[-1]
        parts = resource.split(":")
        service, action = parts[5] if len(parts) > 5 else "", parts[6] if len(parts) > 6 else ""
        return service, action

    def _call(self, kind: str, resource: str, data: Any) -> Any:
        if resource.startswith("arn:aws:lambda:"):
            return self.services.invoke(resource, data)
        if kind == "lambda" and resource.endswith(":invoke"):
            payload = self.services.invoke(data["FunctionName"], data.get("Payload", {}))
            return {"ExecutedVersion": "$LATEST", "Payload": payload, "StatusCode": 200}
        if kind == "sqs" and resource.endswith(":sendMessage"):
            body = data["MessageBody"]
            body = body if isinstance(body, str) else self._dump(body)
            return self.services.send_message(data["QueueUrl"], body, data.get("MessageAttributes"))
        if kind == "sns" and resource.endswith(":publish"):
            message = data["Message"]
            message = message if isinstance(message, str) else self._dump(message)
            return self.services.publish(data["TopicArn"], message, data.get("Subject"))
        raise Failure("States.Runtime", f"Resource {resource!r} is not supported by the course's "
                      "Step Functions stand-in (emulated on moto).")
