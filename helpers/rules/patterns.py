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
    anything_but,
    check_cidr,
    check_numeric,
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
        _check_affix(op, value)
    elif op == "equals-ignore-case":
        if not isinstance(value, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
    elif op == "wildcard":
        check_wildcard(value, PatternError, complexity=True)
    elif op == "exists":
        if not isinstance(value, bool):
            raise PatternError("exists match pattern must be either true or false.")
    elif op == "numeric":
        check_numeric(value, PatternError)
    elif op == "cidr":
        check_cidr(value, PatternError)
    else:
        _check_anything_but(value)


def _check_affix(op: str, value: Any) -> None:
    if isinstance(value, dict):
        if len(value) != 1:
            raise PatternError("Only one key allowed in match expression")
        ((inner, arg),) = value.items()
        if inner != "equals-ignore-case":
            raise PatternError(f"Unsupported {op} pattern: {inner}")
        if not isinstance(arg, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
    elif not isinstance(value, str):
        raise PatternError(f"{op} match pattern must be a string")


#: What AWS says when a value inside ``anything-but``'s operator form is not a string.
_NOT_A_STRING = {
    "equals-ignore-case": "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
    "wildcard": "wildcard match pattern must be a string",
    "prefix": "prefix/suffix match pattern must be a string",
    "suffix": "prefix/suffix match pattern must be a string",
}


def _check_anything_but(value: Any) -> None:
    if isinstance(value, str) or _is_number(value):
        return
    if isinstance(value, list):
        if not all(isinstance(v, str) or _is_number(v) for v in value):
            raise PatternError("Inside anything but list, start|null|boolean is not supported.")
        if len({isinstance(v, str) for v in value}) != 1:
            raise PatternError("Inside anything but list, either all values are number or string, "
                               "mixed type is not supported")
        return
    if not isinstance(value, dict) or len(value) != 1:
        raise PatternError("Value of anything-but must be an array or single string/number value.")
    ((inner, arg),) = value.items()
    if inner not in _NOT_A_STRING:
        raise PatternError(f"Unsupported anything-but pattern: {inner}")
    if not (isinstance(arg, (str, list)) or _is_number(arg)):
        raise PatternError("Value of anything-but must be an array or single string/number value.")
    for a in arg if isinstance(arg, list) else [arg]:
        if not isinstance(a, str):
            raise PatternError(_NOT_A_STRING[inner])
        if inner in ("prefix", "suffix") and not a:
            raise PatternError("Null prefix/suffix not allowed")
        if inner == "wildcard":
            check_wildcard(a, PatternError, complexity=True)


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
    """``container[key]``, where AWS reads ``{"a.b": 1}`` in an event as ``{"a": {"b": 1}}``."""
    if not isinstance(container, dict):
        return MISSING
    value = container.get(key, MISSING)
    dotted = key + "."
    nested = {k[len(dotted):]: v for k, v in container.items() if k.startswith(dotted)}
    if not nested:
        return value
    if isinstance(value, dict):
        return {**value, **nested}
    return nested if value is MISSING else value


def _match_object(pattern: dict[str, Any], value: Any) -> bool:
    if isinstance(value, list):
        objects = [v for v in value if isinstance(v, dict)]
        return any(_match_object(pattern, v) for v in objects) if objects else _match_object(pattern, MISSING)
    for key, sub in pattern.items():
        if "." in key and key != "$or" and _field(value, key) is MISSING:
            # A dotted key in a pattern names a nested field, as AWS reads it.
            head, rest = key.split(".", 1)
            sub = {head: {rest: sub}}
            if not _match_object(sub, value):
                return False
        elif key == "$or":
            if not any(_match_object(option, value) for option in sub):
                return False
        elif isinstance(sub, dict):
            if not _match_object(sub, _field(value, key)):
                return False
        elif not _match_leaf(sub, _field(value, key)):
            return False
    return True


def _match_leaf(conditions: list[Any], value: Any) -> bool:
    # Only leaves count: an object, or an empty array, is no value at this path.
    values = [] if value is MISSING else [v for v in flatten(value) if not isinstance(v, dict)]
    missing = not values
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
        # An array in the event matches when one of its elements is not excluded; null and
        # numbers pass the string forms (prefix, suffix, equals-ignore-case, wildcard).
        return anything_but(arg, value)
    return string_matches(op, arg, value)
