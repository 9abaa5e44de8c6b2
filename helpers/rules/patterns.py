"""EventBridge event patterns as AWS matches and validates them: one matcher for rules and TestEventPattern.

Covers every operator of the EventBridge User Guide's *content filtering* page: exact values
(strings, numbers, ``null``, booleans), ``prefix`` (also with ``equals-ignore-case``), ``suffix``
(also with ``equals-ignore-case``), ``equals-ignore-case``, ``wildcard``, ``anything-but`` (values,
lists, and its ``prefix`` / ``suffix`` / ``equals-ignore-case`` / ``wildcard`` forms), ``numeric``
ranges, ``exists``, ``cidr`` (IP addresses), ``$or``, arrays in the event (any element matches)
and nested objects. The pattern sees the event as AWS delivers it (``time`` an ISO-8601 string).

Invalid patterns raise :class:`PatternError` whose ``reason`` is AWS's text after
``"Event pattern is not valid. Reason: "``, as recorded against real AWS in LocalStack's
snapshot tests (``tests/aws/services/events/test_events_patterns.snapshot.json``).

Example
-------
>>> pattern = compile_pattern('{"detail": {"amount": [{"numeric": [">", 100]}]}}')
>>> matches(pattern, {"detail": {"amount": 250}}), matches(pattern, {"detail": {"amount": 90}})
(True, False)
>>> compile_pattern('{"source": "shop"}')
Traceback (most recent call last):
...
helpers.rules.patterns.PatternError: Event pattern is not valid. Reason: "source" must be an object or an array
"""

from __future__ import annotations

import json
from typing import Any

from .operators import (
    MISSING,
    NUMERIC_OPS,
    anything_but,
    check_cidr,
    check_wildcard,
    cidr_matches,
    equals,
    flatten,
    numeric_matches,
    string_matches,
)
from .operators import is_number as _is_number

__all__ = ["PatternError", "compile_pattern", "matches", "PATTERN_ERROR_PREFIX", "MISSING"]

#: What every InvalidEventPatternException message starts with.
PATTERN_ERROR_PREFIX = "Event pattern is not valid. Reason: "

_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric",
              "exists", "cidr")


class PatternError(ValueError):
    """An invalid event pattern; ``reason`` is AWS's wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(PATTERN_ERROR_PREFIX + reason)
        self.reason = reason


# -- validation ------------------------------------------------------------------------
def compile_pattern(pattern: str | dict[str, Any]) -> dict[str, Any]:
    """Parse and validate ``pattern`` (JSON text or a dict); raise :class:`PatternError`.

    Example
    -------
    >>> compile_pattern('{"detail": {"sku": [{"wildcard": "SKU-**"}]}}')
    Traceback (most recent call last):
    ...
    helpers.rules.patterns.PatternError: Event pattern is not valid. Reason: Consecutive wildcard characters at pos 5
    """
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError:
            raise PatternError("Filter is not valid JSON") from None
    if not isinstance(pattern, dict):
        raise PatternError("Filter is not an object")
    _check_object(pattern)
    return pattern


def _check_object(pattern: dict[str, Any]) -> None:
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise PatternError('"$or" must be an object or an array')
            for option in value:
                _check_object(option)
        elif isinstance(value, dict):
            _check_object(value)
        elif isinstance(value, list):
            if not value:
                raise PatternError("Empty arrays are not allowed")
            for item in value:
                _check_condition(item)
        else:
            raise PatternError(f'"{key}" must be an object or an array')


def _check_condition(item: Any) -> None:
    if item is None or isinstance(item, (str, bool)) or _is_number(item):
        return
    if not isinstance(item, dict):
        raise PatternError("Match value must be String, number, true, false, or null")
    if len(item) != 1:
        raise PatternError("Only one key allowed in match expression")
    ((op, value),) = item.items()
    if op not in _OPERATORS:
        raise PatternError(f"Unrecognized match type {op}")
    if op in ("prefix", "suffix"):
        if isinstance(value, dict) and list(value) == ["equals-ignore-case"]:
            value = value["equals-ignore-case"]
        if not isinstance(value, str):
            raise PatternError(f"{op} match pattern must be a string")
    elif op == "equals-ignore-case":
        if not isinstance(value, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
    elif op == "wildcard":
        check_wildcard(value, PatternError)
    elif op == "exists":
        if not isinstance(value, bool):
            raise PatternError("exists match pattern must be either true or false.")
    elif op == "numeric":
        _check_numeric(value)
    elif op == "cidr":
        check_cidr(value, PatternError)
    else:
        _check_anything_but(value)


def _check_numeric(value: Any) -> None:
    if not isinstance(value, list):
        raise PatternError("Value of numeric must be an array.")
    if not value or len(value) % 2:
        raise PatternError("Invalid member in numeric match: ]")
    if len(value) > 4:
        raise PatternError("Too many terms in numeric range expression")
    first, bound = value[0], value[1]
    if first not in NUMERIC_OPS:
        raise PatternError(f"Unrecognized numeric range operator: {first}")
    if not _is_number(bound):
        raise PatternError(f"Value of {first} must be numeric")
    if len(value) == 4:
        second, top = value[2], value[3]
        if first not in (">", ">=") or second not in ("<", "<="):
            raise PatternError(f"Bad numeric range operator: {second}")
        if not _is_number(top):
            raise PatternError(f"Value of {second} must be numeric")
        if bound >= top:
            raise PatternError("Bottom must be less than top")


def _check_anything_but(value: Any) -> None:
    if isinstance(value, str) or _is_number(value):
        return
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) or _is_number(v) for v in value):
            raise PatternError("Inside anything but list, start|null|boolean is not supported.")
        return
    if not isinstance(value, dict) or len(value) != 1:
        raise PatternError("Value of anything-but must be an array or single string/number value.")
    ((inner, arg),) = value.items()
    if inner in ("prefix", "suffix"):
        if not isinstance(arg, str):
            raise PatternError("prefix/suffix match pattern must be a string")
        if not arg:
            raise PatternError("Null prefix/suffix not allowed")
    elif inner in ("equals-ignore-case", "wildcard"):
        args = arg if isinstance(arg, list) else [arg]
        if not args or not all(isinstance(a, str) for a in args):
            if isinstance(arg, list):
                raise PatternError(f"Inside anything-but/{inner} list, number|start|null|boolean is not supported.")
            raise PatternError(f"{inner} match pattern must be a string")
        if inner == "wildcard":
            for a in args:
                check_wildcard(a, PatternError)
    else:
        raise PatternError(f"Unsupported anything-but pattern: {inner}")


# -- matching --------------------------------------------------------------------------
def matches(pattern: dict[str, Any], event: Any) -> bool:
    """True when ``event`` (a dict as AWS delivers it) matches the compiled ``pattern``.

    Example
    -------
    >>> p = compile_pattern('{"$or": [{"detail": {"region": ["eu-west"]}}, {"detail": {"vip": [true]}}]}')
    >>> matches(p, {"detail": {"region": "us-east", "vip": True}})
    True
    """
    return _match_object(pattern, event)


def _field(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key, MISSING)
    return MISSING


def _match_object(pattern: dict[str, Any], value: Any) -> bool:
    if isinstance(value, list):
        objects = [v for v in value if isinstance(v, dict)]
        return any(_match_object(pattern, v) for v in objects) if objects else _match_object(pattern, MISSING)
    for key, sub in pattern.items():
        if key == "$or":
            if not any(_match_object(option, value) for option in sub):
                return False
        elif isinstance(sub, dict):
            if not _match_object(sub, _field(value, key)):
                return False
        elif not _match_leaf(sub, _field(value, key)):
            return False
    return True


def _match_leaf(conditions: list[Any], value: Any) -> bool:
    missing = value is MISSING
    values = [] if missing else flatten(value)
    for cond in conditions:
        if isinstance(cond, dict) and "exists" in cond:
            if cond["exists"] != missing:
                return True
            continue
        if any(_match_value(cond, v) for v in values):
            return True
    return False


def _match_value(cond: Any, value: Any) -> bool:
    if not isinstance(cond, dict):
        return equals(cond, value)
    ((op, arg),) = cond.items()
    if op == "numeric":
        return numeric_matches(arg, value)
    if op == "cidr":
        return cidr_matches(arg, value)
    if op == "anything-but":
        # An array in the event matches when one of its elements is not excluded.
        return anything_but(arg, value)
    return string_matches(op, arg, value)
