"""Step Functions in the grader's day: a state machine's Task, Choice, Pass, Retry and Catch,
run on the day's clock (each Lambda task is an invocation of the student's function).

Example
-------
>>> _path({"detail": {"reserved": True}}, "$.detail.reserved")
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["Workflows"]


class Workflows:
    """The state-machine part of :class:`~helpers.capstone.engine.Day` (a mixin)."""

    def start_machine(self, arn: str, data: Any) -> None:
        machine = next((m for m in self.design.machines.values() if m.arn == arn), None)
        if machine is None:
            return
        self.rec.requests[f"states-{machine.kind.lower()}", "executions"] += 1
        self.step(machine, machine.definition["StartAt"], data, 0)

    def step(self, machine: Any, name: str, data: Any, attempt: int) -> None:
        state = machine.definition["States"][name]
        self.rec.requests[f"states-{machine.kind.lower()}", "transitions"] += 1
        kind = state["Type"]
        if kind in ("Succeed", "Fail"):
            return
        if kind == "Pass":
            return self._next(machine, state, data)
        if kind == "Choice":
            for choice in state.get("Choices", []):
                value = _path(data, choice["Variable"])
                if "BooleanEquals" in choice and value == choice["BooleanEquals"] or \
                        "StringEquals" in choice and value == choice["StringEquals"]:
                    return self.step(machine, choice["Next"], data, 0)
            if "Default" in state:
                return self.step(machine, state["Default"], data, 0)
            return None
        task_input = _path(data, state["InputPath"]) if "InputPath" in state else data
        fn_ref = state.get("Parameters", {}).get("FunctionName", state.get("Resource", ""))
        fn = self.functions.get(fn_ref) or self.design.functions.get(self.design.name(fn_ref))
        ok, result = self.invoke(fn, task_input, self.t) if fn else (False, None)
        if ok:
            return self.at(self.t + self.last_proc, self._next, machine, state, result)
        for retry in state.get("Retry", []):
            if attempt < retry.get("MaxAttempts", 3):
                delay = retry.get("IntervalSeconds", 1) * retry.get("BackoffRate", 2.0) ** attempt
                return self.at(self.t + delay, self.step, machine, name, data, attempt + 1)
        for catch in state.get("Catch", []):
            return self.at(self.t + self.last_proc, self.step, machine, catch["Next"], data, 0)
        self.rec.dropped.append((self.t, machine.name, str(data.get("order_id", "")) if isinstance(data, dict) else "",
                                 f"state {name} failed with no Catch"))
        return None

    def _next(self, machine: Any, state: dict, data: Any) -> None:
        if state.get("End") or "Next" not in state:
            return
        self.step(machine, state["Next"], data, 0)



def _path(data: Any, path: str) -> Any:
    for part in path.lstrip("$").strip(".").split("."):
        if not part:
            continue
        data = data.get(part) if isinstance(data, dict) else None
    return data
