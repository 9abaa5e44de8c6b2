"""Step Functions behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

moto executes state machines (with its ``execute_state_machine`` flag) in a worker thread that
sleeps real wall time in ``Wait`` states and retry backoffs and calls SQS/SNS task integrations
over HTTP on ``localhost:$MOTO_PORT`` (5000 unless set; the server backend sets it). On the
local backends the course replaces that engine: every ``StartExecution`` runs through the
course's interpreter (:mod:`helpers.rules.asl`) on the simulated clock, in-process, and
``DescribeExecution``, ``GetExecutionHistory``, ``SendTask*`` and ``env.sleep`` move it on.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
``Wait`` states and ``Retry`` backoff  worker thread sleeps real wall  paused on the simulated clock;
(IntervalSeconds x BackoffRate^n)      time (a 1-hour Wait is still    ``env.sleep`` resumes them; history
take time on the workflow's clock      RUNNING after env.sleep(3600))  timestamps are simulated time
``.waitForTaskToken``: pauses until    callback pool on the worker     pauses; ``SendTaskSuccess`` resumes
``SendTaskSuccess``/``Failure`` with   thread, heartbeat on real time; with the output, ``Failure`` with
the token; ``HeartbeatSeconds``        ``SendTaskFailure`` drops the   error *and* cause;
missed -> ``States.HeartbeatTimeout``  cause                           ``States.HeartbeatTimeout`` on the
                                                                       simulated clock
Lambda tasks run the function          needs Docker                    the registered Python handler
                                                                       (:mod:`helpers.emulation.awslambda`)
SQS / SNS task integrations            boto3 over HTTP to              moto's backends in-process (both
                                       ``localhost:$MOTO_PORT``        local backends), on the clock
``CreateStateMachine`` rejects a       accepts it; the execution       ``InvalidDefinition`` with AWS's
``Next`` that names no state, a state  fails (or hangs) later          code and path, e.g.
without ``Next``/``End``, a Task                                       ``MISSING_TRANSITION_TARGET``
without ``Resource``
activities: ``GetActivityTask`` hands  no ``GetActivityTask`` (HTML    scheduled tasks taken oldest first;
a worker the token and input; the      500 on ``server``)              a 60 s long poll on the simulated
execution waits for ``SendTask*``                                      clock (``activities``)
an inline ``Map`` runs its             accepted, then the run fails    one iteration after another, results
``ItemProcessor`` per item                                             in order, AWS's Map events
=====================================  ==============================  ==================================

Parallel branches and Map iterations run one after another (same results, in order). A
distributed Map and JSONata are refused at ``CreateStateMachine`` (``InvalidDefinition``
naming the state) rather than accepted and failed later.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["stepfunctions"].names()[0]
'Wait and Retry backoff on the simulated clock'
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any
from unittest import mock

from moto.awslambda.models import lambda_backends
from moto.core.exceptions import ServiceException
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.stepfunctions.exceptions import InvalidExecutionInput
from moto.stepfunctions.responses import StepFunctionResponse

from ...rules.asl import Failure, Run
from ...rules.asl_definitions import aws_message, problems
from .._base import _Patches, short_name
from .._lazy import LazyPatch, factory
from ..awslambda import HandlerError
from ..sqs import EMULATED
from .activities import Activities, activity_patches, unsupported

__all__ = ["StepFunctionsStandIns", "CourseExecution"]

#: moto's executing backend (seconds to import: patched when moto first loads it).
_PARSER = "moto.stepfunctions.parser.models"


class _Error(ServiceException):
    """A Step Functions error; its code's HTTP status comes from AWS's service model."""


class InvalidDefinition(_Error):
    code = "InvalidDefinition"


class InvalidToken(_Error):
    code = "InvalidToken"


class TaskTimedOut(_Error):
    code = "TaskTimedOut"


class InvalidOutput(_Error):
    code = "InvalidOutput"


def _stamp(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


class CourseExecution:
    """An execution run by the stand-in, with the attributes moto's responses read."""

    def __init__(self, arn: str, name: str, state_machine_arn: str, data: str, run: Run) -> None:
        self.execution_arn = arn
        self.name = name
        self.state_machine_arn = state_machine_arn
        self.execution_input = data
        self.run = run
        self.start_date = _stamp(run.events[0]["timestamp"])
        self.output_details = {"included": True}
        self.map_run_arn = None

    @property
    def status(self) -> str:
        return self.run.status

    @property
    def output(self) -> str | None:
        return json.dumps(self.run.output) if self.run.status == "SUCCEEDED" else None

    @property
    def error(self) -> str | None:
        return self.run.error

    @property
    def cause(self) -> str | None:
        return self.run.cause

    @property
    def stop_date(self) -> dt.datetime | None:
        return _stamp(self.run.stop_t) if self.run.stop_t is not None else None

    def history(self) -> list[dict[str, Any]]:
        """The events with datetime timestamps (as the API returns them)."""
        return [{**e, "timestamp": _stamp(e["timestamp"])} for e in self.run.events]


class _Services:
    """What the interpreter's Task states call: moto's backends, in-process."""

    def __init__(self, group: StepFunctionsStandIns, account: str, region: str) -> None:
        self.group, self.account, self.region = group, account, region

    def now(self) -> float:
        """The simulated time (a Task's ``TimeoutSeconds`` counts on it)."""
        return self.group.env.clock.time()

    def new_token(self) -> str:
        return f"{self.group.env.random('stepfunctions-task-tokens').getrandbits(128):032x}"

    def invoke(self, function: str, payload: Any) -> Any:
        backend = lambda_backends[self.account][self.region]
        try:
            backend.get_function(function)
        except Exception:
            raise Failure("Lambda.ResourceNotFoundException",
                          f"Function not found: {function}") from None
        try:
            return self.group.env.emulation["lambda"].run(function, self.region, self.account, payload)
        except HandlerError as err:
            raise Failure(err.error_type, json.dumps(err.payload)) from None

    def send_message(self, queue_url: str, body: str, attributes: dict | None) -> dict:
        message = sqs_backends[self.account][self.region].send_message(
            short_name(queue_url), body, message_attributes=attributes or {})
        self.group.env.log.record(service="sqs", action="send", resource=short_name(queue_url),
                                  message_id=message.id, actor="stepfunctions", outcome=EMULATED)
        return {"MessageId": message.id, "MD5OfMessageBody": message.body_md5}

    def publish(self, topic_arn: str, message: str, subject: str | None) -> dict:
        message_id = sns_backends[self.account][self.region].publish(message, arn=topic_arn,
                                                                     subject=subject)
        return {"MessageId": message_id}

    def schedule_activity(self, activity_arn: str, token: str, data: str) -> None:
        self.group.activities.schedule(activity_arn, token, data)


class StepFunctionsStandIns(_Patches):
    """Installs and removes the Step Functions stand-ins; holds the executions it runs."""

    SERVICE = "stepfunctions"
    NAMES = ("Wait and Retry backoff on the simulated clock", "task-token callbacks and heartbeats",
             "Lambda tasks run the registered handler", "SQS/SNS tasks in-process",
             "definition rules (InvalidDefinition)", "activities (GetActivityTask)",
             "inline Map")

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.executions: list[CourseExecution] = []
        self._lock = threading.RLock()
        self.owner = threading.current_thread()
        self.activities = Activities(self)

    def catch_up(self) -> None:
        """Resume every execution the simulated clock has passed."""
        with self._lock:
            now = self.env.clock.time()
            for execution in self.executions:
                execution.run.advance(now)

    def next_wake(self) -> float | None:
        """The earliest moment a running execution resumes on its own (or None)."""
        times = []
        for execution in self.executions:
            pause = execution.run.pause if execution.run.status == "RUNNING" else None
            if pause is not None:
                times += [t for t in (pause.until, pause.heartbeat_deadline, pause.timeout_deadline)
                          if t is not None]
        return min(times) if times else None

    def _find_token(self, token: str) -> CourseExecution:
        self.catch_up()
        for execution in self.executions:
            if execution.run.waiting_token() == token:
                return execution
        for execution in self.executions:
            # A token whose task closed (answered, timed out, or its execution ended): AWS
            # answers TaskTimedOut with this text either way (recorded in SDK error logs
            # against AWS; the API reference: "expired or ... already been closed").
            if token in execution.run.tokens_seen:
                raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
        raise InvalidToken(f"Invalid token: {token[:40]}")

    def _patches(self) -> list[Any]:
        """Patches of moto's Step Functions parser backend and one response."""
        group = self
        orig: dict[str, Any] = {}  # moto's own methods, read when the backend module loads

        def check(definition: str | None) -> None:
            if definition is None:
                return
            try:
                parsed = json.loads(definition)
            except ValueError as err:
                raise InvalidDefinition(aws_message("INVALID_JSON_DESCRIPTION", str(err))) from None
            found = problems(parsed) or unsupported(parsed)
            if found:
                raise InvalidDefinition(aws_message(found[0][0], found[0][2]))

        def create_state_machine(backend: Any, name: str, definition: str, *args: Any, **kw: Any) -> Any:
            check(definition)
            return orig["create_state_machine"](backend, name, definition, *args, **kw)

        def update_state_machine(backend: Any, arn: str, definition: Any = None, *args: Any, **kw: Any) -> Any:
            check(definition)
            return orig["update_state_machine"](backend, arn, definition, *args, **kw)

        def start_execution(backend: Any, state_machine_arn: str, name: Any = None,
                            execution_input: Any = None, trace_header: Any = None) -> Any:
            machine = backend.describe_state_machine(state_machine_arn)
            data = execution_input if execution_input is not None else "{}"
            if name is None:
                name = f"{group.env.random('stepfunctions-execution-names').getrandbits(128):032x}"
            existing = machine._handle_name_input_idempotency(name, data)
            if existing is not None:
                return existing
            try:
                parsed = json.loads(data)
            except ValueError as err:
                raise InvalidExecutionInput(str(err)) from None
            arn = (f"arn:{backend.partition}:states:{backend.region_name}:{backend.account_id}:"
                   f"execution:{machine.name}:{name}")
            context = {"Execution": {"Id": arn, "Name": name, "Input": parsed,
                                     "StartTime": group.env.clock.now().isoformat()},
                       "StateMachine": {"Id": machine.arn, "Name": machine.name},
                       "roleArn": machine.roleArn, "region": backend.region_name}
            with group._lock:
                run = Run(json.loads(machine.definition), parsed, now=group.env.clock.time(),
                          services=_Services(group, backend.account_id, backend.region_name),
                          context=context)
                execution = CourseExecution(arn, name, machine.arn, data, run)
                machine.executions.append(execution)
                group.executions.append(execution)
            group.env.log.record(service="stepfunctions", action="execution", resource=machine.name,
                                 message_id=name, outcome=f"{run.status}: {EMULATED}")
            return execution

        def describe_execution(backend: Any, execution_arn: str) -> Any:
            group.catch_up()
            return orig["describe_execution"](backend, execution_arn)

        def list_executions(backend: Any, *args: Any, **kw: Any) -> Any:
            group.catch_up()
            return orig["list_executions"](backend, *args, **kw)

        def get_execution_history(backend: Any, execution_arn: str) -> Any:
            execution = describe_execution(backend, execution_arn)
            if isinstance(execution, CourseExecution):
                return {"events": execution.history()}
            return orig["get_execution_history"](backend, execution_arn)

        def stop_execution(backend: Any, execution_arn: str, *args: Any, **kw: Any) -> Any:
            execution = describe_execution(backend, execution_arn)
            if not isinstance(execution, CourseExecution):
                return orig["stop_execution"](backend, execution_arn, *args, **kw)
            with group._lock:
                execution.run.abort(group.env.clock.time())
            return execution

        def send_task_success(backend: Any, task_token: str, outcome: str) -> None:
            with group._lock:
                try:
                    output = json.loads(outcome)
                except (TypeError, ValueError):
                    raise InvalidOutput(f"Invalid output: {outcome!r} is not JSON") from None
                group._find_token(task_token).run.resolve(task_token, group.env.clock.time(),
                                                          output=output)

        def send_task_failure(backend: Any, task_token: str, error: Any = None, cause: Any = None) -> None:
            with group._lock:
                group._find_token(task_token).run.resolve(
                    task_token, group.env.clock.time(), failure=Failure(error or "", cause or ""))

        def send_task_heartbeat(backend: Any, task_token: str) -> None:
            with group._lock:
                group._find_token(task_token).run.heartbeat(group.env.clock.time())

        def response_send_task_failure(response: Any) -> Any:
            from moto.core.responses import EmptyResult
            response.stepfunction_backend.send_task_failure(
                response._get_param("taskToken"), error=response._get_param("error"),
                cause=response._get_param("cause"))
            return EmptyResult()

        clock = self.env.clock
        orig_advance = clock.advance

        def advance(seconds: float) -> None:
            # Stop at each moment an execution resumes, so its tasks run at their own time.
            try:
                target = clock.time() + float(seconds)
            except (TypeError, ValueError):
                target = float("nan")
            if not target >= clock.time():
                return orig_advance(seconds)  # raises the clock's own error
            while (wake := group.next_wake()) is not None and clock.time() < wake <= target:
                orig_advance(wake - clock.time())
                group.catch_up()
            orig_advance(max(0.0, target - clock.time()))
            group.catch_up()
            return None

        patched = {"create_state_machine": create_state_machine,
                   "update_state_machine": update_state_machine,
                   "start_execution": start_execution, "describe_execution": describe_execution,
                   "list_executions": list_executions, "get_execution_history": get_execution_history,
                   "stop_execution": stop_execution, "send_task_success": send_task_success,
                   "send_task_failure": send_task_failure, "send_task_heartbeat": send_task_heartbeat}
        def lazy(name: str, wrapper: Any) -> LazyPatch:
            def make(owner: Any) -> Any:
                orig[name] = getattr(owner, name)
                return wrapper
            return LazyPatch(_PARSER, f"StepFunctionsParserBackend.{name}", factory(make))

        patches: list[Any] = [lazy(key, value) for key, value in patched.items()]
        patches.append(mock.patch.object(StepFunctionResponse, "send_task_failure",
                                         response_send_task_failure))
        patches.append(mock.patch.object(clock, "advance", advance))
        return patches + activity_patches(self.activities)
