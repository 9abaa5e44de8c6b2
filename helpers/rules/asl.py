"""A small Amazon States Language interpreter on the simulated clock (the Step Functions stand-in).

It runs the states the course teaches (Pass, Task, Choice, Wait, Parallel, Map, Succeed, Fail) with
``InputPath``/``Parameters``/``ResultSelector``/``ResultPath``/``OutputPath``, ``Retry`` (interval,
backoff rate, max attempts, max delay) and ``Catch``, and Task resources for Lambda (function
ARN or ``arn:aws:states:::lambda:invoke``), ``sqs:sendMessage`` and ``sns:publish``, each also as
``.waitForTaskToken`` with ``HeartbeatSeconds``/``TimeoutSeconds``, ``TimeoutSeconds`` on a
synchronous call too (when the services can tell the time, a call that took longer fails with
``States.Timeout``, whatever it returned or raised), and activities (a Task whose
``Resource`` is an activity ARN waits until a worker's ``GetActivityTask`` takes it and
``SendTaskSuccess`` / ``SendTaskFailure`` answers; heartbeats count from the moment it is taken).

An execution is a generator: it pauses at a ``Wait``, a retry's backoff or a task token, and
:meth:`Run.advance` resumes it once the clock has reached the pause (or the token arrived).
Nothing sleeps. Parallel branches and Map iterations run one after another (AWS runs them
concurrently; their results are the same, in order). An inline ``Map`` takes ``ItemsPath``,
``ItemSelector`` (or ``Parameters``) with ``$$.Map.Item``, and ``ItemProcessor`` (or
``Iterator``); a distributed Map (``ItemReader``, ``ResultWriter``) and JSONata are refused at
``CreateStateMachine`` by :mod:`.asl_definitions`.

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

import json
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Protocol

from .asl_paths import Failure, json_path, parameters, set_path

__all__ = ["Run", "Failure", "Pause", "Services", "json_path", "set_path"]

@dataclass
class Pause:
    """Where an execution waits: until a time, or for a task token (with its deadlines)."""

    until: float | None = None
    token: str | None = None
    heartbeat: float | None = None
    heartbeat_deadline: float | None = None
    timeout_deadline: float | None = None


class Services(Protocol):  # pragma: no cover - the stand-in supplies it
    def schedule_activity(self, activity_arn: str, token: str, data: str) -> None: ...

    """What Task states call."""

    def invoke(self, function: str, payload: Any) -> Any: ...

    def send_message(self, queue_url: str, body: str, attributes: dict | None) -> dict: ...

    def publish(self, topic_arn: str, message: str, subject: str | None) -> dict: ...

    # Optional: ``now() -> float``, the simulated time, so a synchronous call can time out.


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
            # A Task applies them itself (task token), a Map to each item.
            if "Parameters" in state and kind not in ("Task", "Map"):
                effective = parameters(state["Parameters"], effective, ctx)
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
            elif kind in ("Task", "Parallel", "Map"):
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
            result = parameters(state["ResultSelector"], result, ctx)
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
                if state["Type"] == "Map":
                    return (yield from self._map(state, data, ctx))
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

    def _map(self, state: dict, data: Any, ctx: dict) -> Generator[Pause, Any, Any]:
        items = json_path(data, state.get("ItemsPath", "$"), ctx)
        if not isinstance(items, list):
            raise Failure("States.Runtime", "Map state input at ItemsPath is not an array: "
                          f"{self._dump(items)}")
        # CreateStateMachine refused a Map without one, so a definition is always there.
        processor: dict = state.get("ItemProcessor") or state.get("Iterator") or {}
        selector = state.get("ItemSelector", state.get("Parameters"))
        self._event("MapStateStarted", "mapStateStartedEventDetails", length=len(items))
        results = []
        for index, item in enumerate(items):
            item_ctx = {**ctx, "Map": {"Item": {"Index": index, "Value": item}}}
            item_input = parameters(selector, data, item_ctx) if selector is not None else item
            details = {"name": ctx["State"]["Name"], "index": index}
            self._event("MapIterationStarted", "mapIterationStartedEventDetails", **details)
            try:
                results.append((yield from self._machine(processor, item_input)))
            except Failure:
                self._event("MapIterationFailed", "mapIterationFailedEventDetails", **details)
                self._event("MapStateFailed")
                raise
            self._event("MapIterationSucceeded", "mapIterationSucceededEventDetails", **details)
        self._event("MapStateSucceeded")
        return results

    def _activity(self, state: dict, data: Any, ctx: dict) -> Generator[Pause, Any, Any]:
        resource = state["Resource"]
        token = self.services.new_token()
        self.tokens_seen.add(token)
        if "Parameters" in state:
            data = parameters(state["Parameters"], data, ctx)
        heartbeat = state.get("HeartbeatSeconds")
        self._event("ActivityScheduled", "activityScheduledEventDetails", resource=resource,
                    input=self._dump(data), heartbeatInSeconds=heartbeat,
                    timeoutInSeconds=state.get("TimeoutSeconds"))
        self.services.schedule_activity(resource, token, self._dump(data))
        try:
            result = yield Pause(token=token, heartbeat=heartbeat, timeout_deadline=(
                self.t + state["TimeoutSeconds"] if "TimeoutSeconds" in state else None))
            self.pause = None
        except Failure as failure:
            timed_out = failure.error in ("States.Timeout", "States.HeartbeatTimeout")
            self._event("ActivityTimedOut" if timed_out else "ActivityFailed",
                        "activityTimedOutEventDetails" if timed_out else "activityFailedEventDetails",
                        error=failure.error, cause=failure.cause)
            raise
        result = json.loads(result) if isinstance(result, str) else result
        self._event("ActivitySucceeded", "activitySucceededEventDetails", output=self._dump(result))
        return result

    def activity_started(self, worker: str | None, now: float) -> None:
        """A worker's ``GetActivityTask`` took this run's activity task: heartbeats count now."""
        self.t = max(self.t, now)
        self._event("ActivityStarted", "activityStartedEventDetails", workerName=worker)
        if self.pause is not None and self.pause.heartbeat:
            self.pause.heartbeat_deadline = now + self.pause.heartbeat

    def _task(self, state: dict, data: Any, ctx: dict) -> Generator[Pause, Any, Any]:
        resource = state["Resource"]
        if ":activity:" in resource:
            return (yield from self._activity(state, data, ctx))
        wait = resource.endswith(".waitForTaskToken")
        base = resource.removesuffix(".waitForTaskToken")
        token = None
        if wait:
            token = self.services.new_token() if hasattr(self.services, "new_token") else uuid.uuid4().hex
            ctx = {**ctx, "Task": {"Token": token}}
            self.tokens_seen.add(token)
        if "Parameters" in state:
            data = parameters(state["Parameters"], data, ctx)
        kind, short = self._resource_kind(base)
        heartbeat = state.get("HeartbeatSeconds")
        self._event("TaskScheduled", "taskScheduledEventDetails", resourceType=kind,
                    resource=short, region=self.context.get("region", "us-east-1"),
                    parameters=self._dump(data), heartbeatInSeconds=heartbeat,
                    timeoutInSeconds=state.get("TimeoutSeconds"))
        self._event("TaskStarted", "taskStartedEventDetails", resourceType=kind, resource=short)
        try:
            result = self._timed_call(kind, base, data, state.get("TimeoutSeconds"))
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

    def _timed_call(self, kind: str, resource: str, data: Any, timeout: float | None) -> Any:
        """The call; past ``timeout`` (seconds on the services' clock) Step Functions stops
        waiting and the task fails with ``States.Timeout``, whatever the call did after."""
        now = getattr(self.services, "now", None)
        if timeout is None or now is None:
            return self._call(kind, resource, data)
        started = now()
        try:
            result = self._call(kind, resource, data)
        except Failure:
            if now() - started <= timeout:
                raise
        else:
            if now() - started <= timeout:
                return result
        self.t = max(self.t, started + timeout)
        raise Failure("States.Timeout", "")

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
