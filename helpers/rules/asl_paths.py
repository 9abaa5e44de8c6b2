"""Amazon States Language paths: ``InputPath``/``OutputPath`` (:func:`json_path`),
``ResultPath`` (:func:`set_path`) and ``Parameters``/``ItemSelector`` templates
(:func:`parameters`, intrinsic functions included), and the :class:`Failure` an execution
raises when one cannot be applied.

Example
-------
>>> parameters({"sku.$": "$.items[0]", "n.$": "States.ArrayLength($.items)"}, {"items": ["A", "B"]}, {})
{'sku': 'A', 'n': 2}
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .asl_intrinsics import IntrinsicError, evaluate, is_intrinsic

__all__ = ["Failure", "json_path", "set_path", "parameters"]

_PATH = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\['([^']+)'\]")


class Failure(Exception):
    """An ASL error (``error`` such as ``States.TaskFailed``) with its ``cause``."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def json_path(data: Any, path: str, context: dict | None = None) -> Any:
    """The value at a JSONPath (``$``, ``$.a.b``, ``$.a[0]``, ``$$.Task.Token``).

    Example
    -------
    >>> json_path({"order": {"items": [{"sku": "A"}]}}, "$.order.items[0].sku")
    'A'
    """
    if path.startswith("$$"):
        data, path = context or {}, path[1:]
    if not path.startswith("$"):
        raise Failure("States.Runtime", f"Invalid path {path!r}: a path starts with '$'.")
    value = data
    for key, index, quoted in _PATH.findall(path[1:]):
        try:
            value = value[int(index)] if index else value[key or quoted]
        except (KeyError, IndexError, TypeError):
            raise Failure("States.Runtime", f"The JSONPath '{path}' could not be found in the "
                          f"input '{json.dumps(data, default=str)}'") from None
    return value


def set_path(data: Any, path: str | None, value: Any) -> Any:
    """``data`` with ``value`` placed at a ResultPath (``None`` discards, ``$`` replaces)."""
    if path is None:
        return data
    if path == "$":
        return value
    out = copy.deepcopy(data) if isinstance(data, dict) else {}
    keys = [k or q for k, _, q in _PATH.findall(path[1:])]
    node = out
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value
    return out


def parameters(template: Any, data: Any, context: dict) -> Any:
    """``template`` with its ``.$`` keys filled from ``data`` (or ``context`` for ``$$``)."""
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$") and is_intrinsic(value):
                try:
                    out[key[:-2]] = evaluate(value, lambda path: json_path(data, path, context))
                except IntrinsicError as err:
                    raise Failure("States.Runtime", str(err)) from None
            elif key.endswith(".$"):
                out[key[:-2]] = json_path(data, value, context)
            else:
                out[key] = parameters(value, data, context)
        return out
    if isinstance(template, list):
        return [parameters(v, data, context) for v in template]
    return template
