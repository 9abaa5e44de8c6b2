"""Checks of a helper's arguments, shared by the toolkits: one clear error before any AWS call.

Each check returns the value (normalised) or raises :class:`InvalidParameterError` naming the
argument and its value, the rule (AWS's, or the helper's) and the fix.

Example
-------
>>> count(3, "max_resends", rule="re-sends of a failed entry")
3
>>> try:
...     count(-1, "max_resends", rule="re-sends of a failed entry")
... except InvalidParameterError as err:
...     print(err)
max_resends=-1: re-sends of a failed entry is a whole number of at least 0. Fix: pass 0 (no re-send) or more, e.g. max_resends=3.
>>> try:
...     json_text({"total": float("nan")}, "detail", rule="EventBridge's Detail is a JSON object")
... except InvalidParameterError as err:
...     print(err)
detail has total=nan: EventBridge's Detail is a JSON object, and JSON has no NaN or Infinity (json.dumps would write the bare word NaN, which no JSON parser accepts). Fix: send a finite number, or leave the field out (or None) when the value is unknown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from .errors import InvalidParameterError

__all__ = ["count", "finite", "one_of", "json_text", "non_finite_path"]


def count(value: Any, what: str, *, rule: str, minimum: int = 0, maximum: int | None = None,
          fix: str | None = None) -> int:
    """``value`` when it is a whole number from ``minimum`` to ``maximum`` (``bool`` is not)."""
    whole = not isinstance(value, bool) and isinstance(value, int)
    if whole and minimum <= value and (maximum is None or value <= maximum):
        return int(value)
    bounds = (f"from {minimum} to {maximum}" if maximum is not None
              else f"of at least {minimum}")
    example = fix or (f"pass {minimum} (no re-send) or more, e.g. {what}=3"
                      if minimum == 0 and maximum is None else f"pass e.g. {what}={minimum}")
    raise InvalidParameterError(f"{what}={value!r}: {rule} is a whole number {bounds}. "
                                f"Fix: {example}.")


def finite(value: Any, what: str, *, rule: str, fix: str) -> float:
    """``value`` as a float when it is a real, finite number (not NaN, not infinity, not bool)."""
    real = not isinstance(value, bool) and isinstance(value, int | float)
    if real and math.isfinite(value):
        return float(value)
    kind = "not a finite number" if real else f"a {type(value).__name__}, not a number"
    raise InvalidParameterError(f"{what}={value!r} is {kind}: {rule}. Fix: {fix}.")


def one_of(value: Any, what: str, allowed: Iterable[str], *, rule: str) -> str:
    """``value`` when it is exactly one of ``allowed`` (AWS enums are case-sensitive)."""
    choices = list(allowed)
    if isinstance(value, str) and value in choices:
        return value
    near = [c for c in choices if isinstance(value, str) and c.lower() == value.lower()]
    hint = f" Did you mean {near[0]!r}?" if near else ""
    raise InvalidParameterError(
        f"{what}={value!r}: {rule} takes exactly one of {', '.join(map(repr, choices))} "
        f"(case-sensitive).{hint} Fix: {what}={(near or choices)[0]!r}.")


def non_finite_path(value: Any, path: str = "") -> tuple[str, float] | None:
    """The first NaN or infinity inside ``value`` (dicts, lists, tuples), with its path."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "the value", value
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = non_finite_path(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def json_text(value: Any, what: str, *, rule: str, **dumps: Any) -> str:
    """``json.dumps(value)`` that refuses NaN and infinity (JSON has neither) and non-JSON types."""
    found = non_finite_path(value)
    if found:
        path, bad = found
        raise InvalidParameterError(
            f"{what} has {path}={bad!r}: {rule}, and JSON has no NaN or Infinity (json.dumps "
            "would write the bare word NaN, which no JSON parser accepts). Fix: send a finite "
            "number, or leave the field out (or None) when the value is unknown.")
    try:
        return json.dumps(value, allow_nan=False, **dumps)
    except (TypeError, ValueError) as err:
        raise InvalidParameterError(
            f"{what}={value!r} cannot be written as JSON ({err}): {rule}. Fix: use only dicts, "
            "lists, strings, numbers, True/False and None (a date as an ISO string, "
            "a Decimal as a float or string).") from None
