"""Step Functions activities on the simulated clock, and what the course's interpreter refuses.

An activity Task (``"Resource": "arn:aws:states:...:activity:NAME"``) is scheduled when the
execution reaches it; a worker's ``GetActivityTask`` takes the oldest scheduled task of that
activity (``taskToken`` and ``input``) and the execution waits for ``SendTaskSuccess`` /
``SendTaskFailure`` / ``SendTaskHeartbeat`` with the token, as on AWS. With nothing scheduled,
``GetActivityTask`` long-polls up to 60 s (AWS's wait) on the simulated clock, stopping as soon
as an execution schedules a task, and answers without a token if none came; the ``poll-activity``
row in ``env.log`` says how far time moved. moto alone has no ``GetActivityTask``.

What the interpreter does not run (a distributed Map, JSONata) is refused at
``CreateStateMachine`` with ``InvalidDefinition`` naming the state, rather than accepted and
failed later.

Example
-------
>>> unsupported({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemReader": {},
...              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
...              "End": True}}})[0][0]
'SCHEMA_VALIDATION_FAILED'
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.stepfunctions.responses import StepFunctionResponse

from ...platform import limits
from ..sqs import EMULATED

__all__ = ["Activities", "activity_patches", "unsupported"]

_DISTRIBUTED = ("ItemReader", "ResultWriter", "ItemBatcher")


def unsupported(definition: Any, where: str = "") -> list[tuple[str, str, str]]:
    """The states the course's interpreter cannot run, as ``(code, state, message)``."""
    out: list[tuple[str, str, str]] = []
    if not isinstance(definition, dict):
        return out
    if definition.get("QueryLanguage") == "JSONata":
        out.append(("SCHEMA_VALIDATION_FAILED", "", "JSONata is not run by the course's Step "
                    f"Functions stand-in ({EMULATED}); use JSONPath at {where or '/'}QueryLanguage"))
    for name, state in (definition.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        at = f"{where}/States/{name}"
        mode = (state.get("ItemProcessor") or {}).get("ProcessorConfig", {}).get("Mode")
        if state.get("Type") == "Map" and (mode == "DISTRIBUTED" or any(k in state for k in _DISTRIBUTED)):
            out.append(("SCHEMA_VALIDATION_FAILED", name, "A distributed Map is not run by the "
                        f"course's Step Functions stand-in ({EMULATED}); use an inline Map at {at}"))
        if state.get("QueryLanguage") == "JSONata":
            out.append(("SCHEMA_VALIDATION_FAILED", name, "JSONata is not run by the course's Step "
                        f"Functions stand-in ({EMULATED}); use JSONPath at {at}/QueryLanguage"))
        for i, branch in enumerate(state.get("Branches", [])):
            out += unsupported(branch, f"{at}/Branches[{i}]")
        for field in ("ItemProcessor", "Iterator"):
            out += unsupported(state.get(field), f"{at}/{field}")
    return out


class Activities:
    """The scheduled activity tasks of one environment, oldest first per activity."""

    def __init__(self, group: Any) -> None:
        self.group = group
        self.pending: dict[str, deque[tuple[str, str]]] = {}

    def schedule(self, activity_arn: str, token: str, data: str) -> None:
        """An execution reached an activity Task: a worker may now take it."""
        self.pending.setdefault(activity_arn, deque()).append((token, data))

    def take(self, activity_arn: str, worker: str | None) -> dict[str, str] | None:
        """The oldest task of ``activity_arn`` still waited for (its run marked started)."""
        queue = self.pending.get(activity_arn)
        while queue:
            token, data = queue.popleft()
            run = next((e.run for e in self.group.executions if e.run.waiting_token() == token), None)
            if run is not None:  # an aborted or timed-out run's task is gone
                run.activity_started(worker, self.group.env.clock.time())
                return {"taskToken": token, "input": data}
        return None

    def poll(self, activity_arn: str, worker: str | None) -> dict[str, str]:
        """``GetActivityTask``: a task now, or after waiting on the simulated clock."""
        group, env = self.group, self.group.env
        clock = env.clock
        with group._lock:
            group.catch_up()
            task = self.take(activity_arn, worker)
        if task is not None:
            return task
        if env.backend == "moto" and threading.current_thread() is not group.owner:
            return {}  # only the connect() thread moves time (as SQS long polls)
        start, end = clock.time(), clock.time() + limits.SFN_ACTIVITY_POLL_SECONDS
        while task is None and clock.time() < end:
            wake = group.next_wake()
            clock.advance((end if wake is None or not clock.time() < wake < end else wake) - clock.time())
            with group._lock:
                task = self.take(activity_arn, worker)
        env.log.record(service="stepfunctions", action="poll-activity",
                       resource=activity_arn.rsplit(":", 1)[-1], outcome=EMULATED,
                       detail=f"simulated clock +{clock.time() - start:g} s in one GetActivityTask: "
                              f"{'a task' if task else 'no task'}")
        return task or {}


def activity_patches(activities: Activities) -> list[Any]:
    """``GetActivityTask`` (moto has none)."""

    def get_activity_task(response: Any) -> ActionResult:
        arn = response._get_param("activityArn")
        response.stepfunction_backend.describe_activity(arn)  # ActivityDoesNotExist, as AWS
        return ActionResult(activities.poll(arn, response._get_param("workerName")))

    return [mock.patch.object(StepFunctionResponse, "get_activity_task", get_activity_task,
                              create=True)]
