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
helpers.emulation.events_patterns.PatternError: Event pattern is not valid. Reason: "source" must be an object or an array
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

__all__ = ["PatternError", "compile_pattern", "matches", "PATTERN_ERROR_PREFIX", "MISSING"]

#: What every InvalidEventPatternException message starts with.
PATTERN_ERROR_PREFIX = "Event pattern is not valid. Reason: "
#: A field the event does not have.
MISSING = object()

_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric",
              "exists", "cidr")
_NUMERIC_OPS = ("<", "<=", "=", ">", ">=")


class PatternError(ValueError):
    """An invalid event pattern; ``reason`` is AWS's wording."""

    def __init__(self, reason: str) -> None:
        super().__init__(PATTERN_ERROR_PREFIX + reason)
        self.reason = reason


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- validation ------------------------------------------------------------------------
def compile_pattern(pattern: str | dict[str, Any]) -> dict[str, Any]:
    """Parse and validate ``pattern`` (JSON text or a dict); raise :class:`PatternError`.

    Example
    -------
    >>> compile_pattern('{"detail": {"sku": [{"wildcard": "SKU-**"}]}}')
    Traceback (most recent call last):
    ...
    helpers.emulation.events_patterns.PatternError: Event pattern is not valid. Reason: Consecutive wildcard characters at pos 5
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
        _check_wildcard(value)
    elif op == "exists":
        if not isinstance(value, bool):
            raise PatternError("exists match pattern must be either true or false.")
    elif op == "numeric":
        _check_numeric(value)
    elif op == "cidr":
        _check_cidr(value)
    else:
        _check_anything_but(value)


def _check_wildcard(value: Any) -> None:
    if not isinstance(value, str):
        raise PatternError("wildcard match pattern must be a string")
    if "**" in value:
        raise PatternError(f"Consecutive wildcard characters at pos {value.index('**') + 1}")


def _check_numeric(value: Any) -> None:
    if not isinstance(value, list):
        raise PatternError("Value of numeric must be an array.")
    if not value or len(value) % 2:
        raise PatternError("Invalid member in numeric match: ]")
    if len(value) > 4:
        raise PatternError("Too many terms in numeric range expression")
    first, bound = value[0], value[1]
    if first not in _NUMERIC_OPS:
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


def _check_cidr(value: Any) -> None:
    if not isinstance(value, str):
        raise PatternError("prefix match pattern must be a string")
    if value.count("/") != 1:
        raise PatternError("Malformed CIDR, one '/' required")
    address, bits = value.split("/")
    if not bits.isdigit():
        raise PatternError("Malformed CIDR, mask bits must be an integer")
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise PatternError(f"Nonstandard IP address: {address}") from None


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
                _check_wildcard(a)
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


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        out: list[Any] = []
        for v in value:
            out.extend(_flatten(v))
        return out
    return [value]


def _match_leaf(conditions: list[Any], value: Any) -> bool:
    missing = value is MISSING
    values = [] if missing else _flatten(value)
    for cond in conditions:
        if isinstance(cond, dict) and "exists" in cond:
            if cond["exists"] != missing:
                return True
            continue
        if any(_match_value(cond, v) for v in values):
            return True
    return False


def _same(pattern_value: Any, value: Any) -> bool:
    if pattern_value is None or isinstance(pattern_value, bool):
        return value is pattern_value
    if _is_number(pattern_value):
        return _is_number(value) and float(value) == float(pattern_value)
    return isinstance(value, str) and value == pattern_value


def _wildcard(pattern: str, value: str) -> bool:
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(p.replace("\\*", "*")) for p in parts)
    return re.fullmatch(regex, value, re.S) is not None


def _affix(op: str, arg: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(arg, dict):
        arg, value = arg["equals-ignore-case"].lower(), value.lower()
    return value.startswith(arg) if op == "prefix" else value.endswith(arg)


def _numeric(ranges: list[Any], value: Any) -> bool:
    if not _is_number(value):
        return False
    checks = {"<": value.__lt__, "<=": value.__le__, "=": value.__eq__, ">": value.__gt__,
              ">=": value.__ge__}
    return all(checks[ranges[i]](ranges[i + 1]) for i in range(0, len(ranges), 2))


def _cidr(network: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _anything_but(arg: Any, value: Any) -> bool:
    if isinstance(arg, dict):
        ((inner, a),) = arg.items()
        if not isinstance(value, str):
            return False
        options = a if isinstance(a, list) else [a]
        if inner == "prefix":
            return not value.startswith(a)
        if inner == "suffix":
            return not value.endswith(a)
        if inner == "equals-ignore-case":
            return value.lower() not in {o.lower() for o in options}
        return not any(_wildcard(o, value) for o in options)
    options = arg if isinstance(arg, list) else [arg]
    return not any(_same(o, value) for o in options)


def _match_value(cond: Any, value: Any) -> bool:
    if not isinstance(cond, dict):
        return _same(cond, value)
    ((op, arg),) = cond.items()
    if op in ("prefix", "suffix"):
        return _affix(op, arg, value)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(value, str) and _wildcard(arg, value)
    if op == "numeric":
        return _numeric(arg, value)
    if op == "cidr":
        return _cidr(arg, value)
    return _anything_but(arg, value)
