"""The match operators EventBridge event patterns and SNS filter policies share.

AWS builds both on one matching engine (the open-source ``aws/event-ruler``), so the operators
behave the same in both services: an exact value, ``prefix`` / ``suffix`` (optionally
``equals-ignore-case``), ``equals-ignore-case``, ``wildcard`` (only ``*`` is special, ``\\*``
is a literal star), ``numeric`` ranges, ``cidr``, ``anything-but`` and ``exists``; arrays in the
data match when any element does. The services differ in what they accept and how they
present the data; those differences live in :mod:`helpers.rules.patterns` (EventBridge) and
:mod:`helpers.rules.filter_policies` (SNS), each stated where it applies:

==============================  =====================================  ===================================
rule                            EventBridge pattern                    SNS filter policy
==============================  =====================================  ===================================
data matched                    the event as a nested object           message attributes (flat) or the
                                                                       JSON body flattened to dotted keys
``anything-but`` on an array    matches when one element is not        matches when no element is excluded
                                excluded
``anything-but`` forms          values, ``prefix``, ``suffix``,        values, ``prefix`` (``suffix`` and
                                ``equals-ignore-case``, ``wildcard``   ``wildcard`` refused)
dotted keys (``"a.b"``)         in the event and in the pattern        in the body and in the policy
wildcard complexity             more than 5 ``*`` refused              not checked
keys per policy / combinations  no limit                               5 keys, 150 combinations
==============================  =====================================  ===================================

Example
-------
>>> wildcard_matches("order-*-eu", "order-17-eu"), numeric_matches([">", 0, "<=", 5], 5)
(True, True)
>>> cidr_matches("10.0.0.0/24", "10.0.0.7"), anything_but({"prefix": "test-"}, "prod-1")
(True, True)
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from typing import Any

__all__ = ["MISSING", "NUMERIC_OPS", "is_number", "equals", "string_matches", "affix_matches",
           "wildcard_matches", "numeric_matches", "cidr_matches", "anything_but", "flatten",
           "flatten_dotted", "check_cidr", "check_wildcard", "check_numeric",
           "WILDCARD_MAX_STARS"]

#: A field the data does not have.
MISSING = object()
#: The comparison operators of a ``numeric`` condition.
NUMERIC_OPS = ("<", "<=", "=", ">", ">=")
#: Most ``*`` in one wildcard pattern before EventBridge calls the rule too complex. AWS
#: measures the matcher's worst-case non-determinism, not the count; the count is the proxy
#: that agrees with what AWS recorded (6 refused in ``*:*:*:*:*:event-bus/*``, LocalStack's
#: AWS-validated ``content_wildcard_complex_EXC``, 2025-10-15).
WILDCARD_MAX_STARS = 5


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool (JSON's ``true`` is not the number 1)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def equals(rule: Any, value: Any) -> bool:
    """An exact-value condition: numbers compare as numbers, ``null`` and booleans by identity.

    Example
    -------
    >>> equals(5, 5.0), equals(True, 1), equals("5", 5)
    (True, False, False)
    """
    if rule is None or isinstance(rule, bool):
        return value is rule
    if is_number(rule):
        return is_number(value) and float(value) == float(rule)
    return isinstance(value, str) and value == rule


def wildcard_matches(pattern: str, value: Any) -> bool:
    """``*`` stands for any run of characters (also none); ``\\*`` is a literal star."""
    if not isinstance(value, str):
        return False
    return _wildcard_regex(pattern).fullmatch(value) is not None


@functools.lru_cache(maxsize=512)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(?<!\\)\*", pattern)
    return re.compile(".*".join(re.escape(p.replace("\\*", "*")) for p in parts), re.S)


def affix_matches(op: str, arg: Any, value: Any) -> bool:
    """``prefix`` / ``suffix``; ``arg`` is a string or ``{"equals-ignore-case": string}``."""
    if not isinstance(value, str):
        return False
    if isinstance(arg, dict):
        arg, value = arg["equals-ignore-case"].lower(), value.lower()
    return value.startswith(arg) if op == "prefix" else value.endswith(arg)


def string_matches(op: str, arg: Any, value: Any) -> bool:
    """One of the string operators (``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard``)."""
    if op in ("prefix", "suffix"):
        return affix_matches(op, arg, value)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == arg.lower()
    return wildcard_matches(arg, value)


def numeric_matches(ranges: list[Any], value: Any) -> bool:
    """Every ``(operator, bound)`` pair of a ``numeric`` condition holds for ``value``."""
    if not is_number(value):
        return False
    checks = {"<": value.__lt__, "<=": value.__le__, "=": value.__eq__, ">": value.__gt__,
              ">=": value.__ge__}
    return all(checks[ranges[i]](ranges[i + 1]) for i in range(0, len(ranges), 2))


@functools.lru_cache(maxsize=256)
def _network(cidr: str) -> Any:
    return ipaddress.ip_network(cidr, strict=False)


def cidr_matches(cidr: str, value: Any) -> bool:
    """``value`` is an IP address (text) inside the ``cidr`` block."""
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in _network(cidr)
    except ValueError:
        return False


def anything_but(arg: Any, value: Any) -> bool:
    """True when one value is *not* excluded by ``anything-but``'s argument.

    ``arg`` is a value, a list of values, or ``{operator: string-or-list}`` with a string
    operator. A value that is not a string (``null``, a number) is never excluded by the
    operator form, as AWS recorded for both services.
    """
    if isinstance(arg, dict):
        ((inner, a),) = arg.items()
        if not isinstance(value, str):
            return True
        options = a if isinstance(a, list) else [a]
        return not any(string_matches(inner, o, value) for o in options)
    options = arg if isinstance(arg, list) else [arg]
    return not any(equals(o, value) for o in options)


def flatten(value: Any) -> list[Any]:
    """A value with its nested arrays expanded, in order (``[1, [2, 3]]`` -> ``[1, 2, 3]``)."""
    if isinstance(value, list):
        out: list[Any] = []
        for v in value:
            out.extend(flatten(v))
        return out
    return [value]


def flatten_dotted(obj: Any, prefix: str = "") -> dict[str, list[Any]]:
    """A JSON object flattened to dotted keys; arrays expand into their elements.

    Example
    -------
    >>> flatten_dotted({"order": {"items": [{"sku": "a"}, {"sku": "b"}], "total": 3}})
    {'order.items.sku': ['a', 'b'], 'order.total': [3]}
    """
    out: dict[str, list[Any]] = {}
    if isinstance(obj, dict):
        for key, value in obj.items():
            for k, v in flatten_dotted(value, f"{prefix}{key}.").items():
                out.setdefault(k, []).extend(v)
    elif isinstance(obj, list):
        for item in obj:
            for k, v in flatten_dotted(item, prefix).items():
                out.setdefault(k, []).extend(v)
    else:
        out[prefix[:-1]] = [obj]
    return out


def check_cidr(value: Any, fail: Callable[[str], Exception]) -> None:
    """Raise ``fail(reason)`` unless ``value`` is a CIDR block, with AWS's reasons."""
    if not isinstance(value, str):
        raise fail("prefix match pattern must be a string")
    if value.count("/") != 1:
        raise fail("Malformed CIDR, one '/' required")
    address, bits = value.split("/")
    if not bits.isdigit():
        raise fail("Malformed CIDR, mask bits must be an integer")
    try:
        _network(value)
    except ValueError:
        raise fail(f"Nonstandard IP address: {address}") from None


def check_wildcard(value: Any, fail: Callable[[str], Exception], *, complexity: bool = False) -> None:
    """Raise ``fail(reason)`` unless ``value`` is a wildcard pattern AWS accepts.

    ``complexity``: also refuse a pattern AWS calls too complex (EventBridge checks it).
    """
    if not isinstance(value, str):
        raise fail("wildcard match pattern must be a string")
    if "**" in value:
        raise fail(f"Consecutive wildcard characters at pos {value.index('**') + 1}")
    if complexity and value.count("*") > WILDCARD_MAX_STARS:
        raise fail("Rule is too complex - try using fewer wildcard characters or fewer repeating "
                   "character sequences after a wildcard character")


def check_numeric(value: Any, fail: Callable[[str], Exception]) -> None:
    """Raise ``fail(reason)`` unless ``value`` is a ``numeric`` condition, with AWS's reasons.

    The reasons follow the order in which AWS's parser meets the terms: the operator, its
    value, then an optional upper bound (only after ``>`` or ``>=``).

    Example
    -------
    >>> check_numeric([">", 0, "<"], ValueError)
    Traceback (most recent call last):
    ...
    ValueError: Value of < must be numeric
    """
    if not isinstance(value, list):
        raise fail("Value of numeric must be an array.")
    items = list(value)
    if not items:
        raise fail("Invalid member in numeric match: ]")
    op = items.pop(0)
    if not isinstance(op, str):
        raise fail(f"Invalid member in numeric match: {op}")
    if op not in NUMERIC_OPS:
        raise fail(f"Unrecognized numeric range operator: {op}")
    low = items.pop(0) if items else None
    if not is_number(low):
        raise fail(f"Value of {'equals' if op == '=' else op} must be numeric")
    if not items:
        return
    if op not in (">", ">="):
        raise fail("Too many elements in numeric expression")
    op2 = items.pop(0)
    if not isinstance(op2, str):
        raise fail(f"Bad value in numeric range: {op2}")
    if op2 not in ("<", "<="):
        raise fail(f"Bad numeric range operator: {op2}")
    high = items.pop(0) if items else None
    if not is_number(high):
        raise fail(f"Value of {op2} must be numeric")
    if items:
        raise fail("Too many terms in numeric range expression")
    if high <= low:  # type: ignore[operator]  # both are numbers: is_number checked them
        raise fail("Bottom must be less than top")
