"""Step Functions intrinsic functions for the course's ASL interpreter (``"key.$": "States.X(...)"``).

Supported: ``States.Format``, ``States.StringToJson``, ``States.JsonToString``, ``States.Array``,
``States.ArrayLength``, ``States.ArrayGetItem``, ``States.MathAdd``, nested calls, string
literals in single quotes (``\\'``, ``\\{``, ``\\}`` escapes), numbers, ``null``/``true``/
``false`` and JSONPaths as arguments (Step Functions developer guide, "Intrinsic functions for
JSONPath states"). Any other function raises :class:`IntrinsicError`, which the interpreter
turns into a ``States.Runtime`` failure of the execution.

Example
-------
>>> data = {"sku": "SKU-1", "n": 2, "x": None}
>>> evaluate("States.Format('po-{}-{}', $.sku, $.n)", lambda path: data[path[2:]])
'po-SKU-1-2'
>>> evaluate("States.ArrayLength(States.Array(1, 'a', $.x))", lambda path: data[path[2:]])
3
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["is_intrinsic", "evaluate", "IntrinsicError"]


class IntrinsicError(ValueError):
    """An intrinsic call the interpreter cannot evaluate (unknown function, bad arguments)."""

_TOKEN = re.compile(r"\s*(?:(States\.\w+)\(|('(?:\\.|[^'\\])*')|(\$\$?[^,()\s]*)|"
                    r"(-?\d+(?:\.\d+)?)|(null|true|false)|(\))|(,))")


def is_intrinsic(text: Any) -> bool:
    """Whether a ``.$`` value is an intrinsic function call (not a JSONPath)."""
    return isinstance(text, str) and text.lstrip().startswith("States.")


def _format(template: str, *args: Any) -> str:
    parts = re.split(r"(?<!\\)\{\}", template)
    if len(parts) - 1 != len(args):
        raise _runtime(f"States.Format: the template {template!r} has {len(parts) - 1} "
                       f"placeholders for {len(args)} arguments")
    text = parts[0]
    for arg, part in zip(args, parts[1:], strict=True):
        text += (arg if isinstance(arg, str) else json.dumps(arg)) + part
    return text.replace("\\{", "{").replace("\\}", "}")


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _format,
    "States.StringToJson": lambda s: json.loads(s),
    "States.JsonToString": lambda v: json.dumps(v, separators=(",", ":")),
    "States.Array": lambda *items: list(items),
    "States.ArrayLength": lambda items: len(items),
    "States.ArrayGetItem": lambda items, i: items[int(i)],
    "States.MathAdd": lambda a, b: a + b,
}


def _runtime(message: str) -> Exception:
    return IntrinsicError(message)


def evaluate(text: str, resolve: Callable[[str], Any]) -> Any:
    """The value of the intrinsic call ``text``; ``resolve(path)`` reads a JSONPath argument."""
    tokens = [m for m in _TOKEN.finditer(text) if m.group(0).strip()]
    pos = 0

    def expr() -> Any:
        nonlocal pos
        if pos >= len(tokens):
            raise _runtime(f"The intrinsic function {text!r} ends too early")
        name, string, path, number, word, _, _ = tokens[pos].groups()
        pos += 1
        if name:
            if name not in _FUNCTIONS:
                raise _runtime(f"The intrinsic function {name} is not supported by the course's "
                               "interpreter (emulated on moto)")
            args = []
            while pos < len(tokens) and not tokens[pos].group(6):
                args.append(expr())
                if pos < len(tokens) and tokens[pos].group(7):
                    pos += 1
            pos += 1  # the closing parenthesis
            try:
                return _FUNCTIONS[name](*args)
            except (TypeError, ValueError, IndexError) as err:
                raise _runtime(f"{name}: {err}") from None
        if string is not None:
            return re.sub(r"\\(['\\])", r"\1", string[1:-1])
        if path is not None:
            return resolve(path)
        if number is not None:
            return float(number) if "." in number else int(number)
        return {"null": None, "true": True, "false": False}[word]

    return expr()
