"""The definition rules Step Functions checks in ``CreateStateMachine`` (the ones moto skips).

:func:`problems` returns each broken rule as ``(code, state, message)``; the code and message are
worded as AWS words its ``InvalidDefinition`` error (``Invalid State Machine Definition:
'MISSING_TRANSITION_TARGET: Missing 'Next' target: Ship at /States/Reserve/Next'``).

Example
-------
>>> problems({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
[('MISSING_TRANSITION_TARGET', 'A', "Missing 'Next' target: B at /States/A/Next")]
"""

from __future__ import annotations

from typing import Any

__all__ = ["problems", "aws_message", "STATE_TYPES"]

#: The state types of the Amazon States Language.
STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_TERMINAL = ("Choice", "Succeed", "Fail")


def aws_message(code: str, message: str) -> str:
    """The text of AWS's ``InvalidDefinition`` error for one problem."""
    return f"Invalid State Machine Definition: '{code}: {message}'"


def _retry_problems(name: str, state: dict, at: str) -> list[tuple[str, str, str]]:
    out = []
    for field in ("Retry", "Catch"):
        entries = state.get(field, [])
        for i, entry in enumerate(entries):
            errors = entry.get("ErrorEquals") or []
            where = f"{at}/{field}[{i}]"
            if not errors:
                out.append(("SCHEMA_VALIDATION_FAILED", name,
                            f"The field 'ErrorEquals' should be non-empty at {where}"))
            if "States.ALL" in errors and (len(errors) > 1 or i != len(entries) - 1):
                out.append(("SCHEMA_VALIDATION_FAILED", name, f"States.ALL must appear alone in "
                            f"the last {field} entry at {where}/ErrorEquals"))
            if field == "Retry":
                if entry.get("BackoffRate", 2.0) < 1.0:
                    out.append(("SCHEMA_VALIDATION_FAILED", name,
                                f"The value of the field 'BackoffRate' must be >= 1.0 at {where}"))
                if entry.get("MaxAttempts", 3) < 0:
                    out.append(("SCHEMA_VALIDATION_FAILED", name,
                                f"The value of the field 'MaxAttempts' must be >= 0 at {where}"))
    return out


def problems(definition: Any, where: str = "") -> list[tuple[str, str, str]]:
    """Every rule ``definition`` breaks, as ``(code, state name, AWS's message)``.

    Example
    -------
    >>> problems({"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}})
    [('SCHEMA_VALIDATION_FAILED', 'A', "The field 'Resource' should be non-null at /States/A")]
    """
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict) \
            or not definition["States"]:
        return [("SCHEMA_VALIDATION_FAILED", "", f"The field 'States' should be non-empty at {where or '/'}")]
    states = definition["States"]
    out: list[tuple[str, str, str]] = []
    start = definition.get("StartAt")
    if start not in states:
        out.append(("MISSING_TRANSITION_TARGET", str(start),
                    f"Missing 'Next' target: {start} at {where}/StartAt"))
    for name, state in states.items():
        at = f"{where}/States/{name}"
        kind = state.get("Type") if isinstance(state, dict) else None
        if kind not in STATE_TYPES:
            out.append(("SCHEMA_VALIDATION_FAILED", name,
                        f"The field 'Type' should be one of {', '.join(STATE_TYPES)} at {at}"))
            continue
        targets = [("Next", state.get("Next")), ("Default", state.get("Default"))]
        targets += [(f"Choices[{i}]/Next", c.get("Next")) for i, c in enumerate(state.get("Choices", []))]
        targets += [(f"Catch[{i}]/Next", c.get("Next")) for i, c in enumerate(state.get("Catch", []))]
        for field, target in targets:
            if target is not None and target not in states:
                out.append(("MISSING_TRANSITION_TARGET", name,
                            f"Missing 'Next' target: {target} at {at}/{field}"))
        if kind not in _TERMINAL and not state.get("End") and "Next" not in state:
            out.append(("SCHEMA_VALIDATION_FAILED", name,
                        f"The field 'Next' or 'End' is required at {at}"))
        if kind in _TERMINAL[1:] and "Next" in state:
            out.append(("SCHEMA_VALIDATION_FAILED", name,
                        f"The field 'Next' is not supported for a {kind} state at {at}"))
        if kind == "Choice" and not state.get("Choices"):
            out.append(("SCHEMA_VALIDATION_FAILED", name,
                        f"The field 'Choices' should be non-empty at {at}"))
        if kind == "Task" and not state.get("Resource"):
            out.append(("SCHEMA_VALIDATION_FAILED", name, f"The field 'Resource' should be non-null at {at}"))
        out += _retry_problems(name, state, at)
        for i, branch in enumerate(state.get("Branches", [])):
            out += problems(branch, f"{at}/Branches[{i}]")
        if kind == "Map":
            field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            if field not in state:
                out.append(("SCHEMA_VALIDATION_FAILED", name,
                            f"The field 'ItemProcessor' should be non-null at {at}"))
            else:
                out += problems(state[field], f"{at}/{field}")
    return out
