"""CloudWatch Logs behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real CloudWatch Logs does it.

=======================================  ================================  ================================
AWS behaviour                            moto alone                        stand-in
=======================================  ================================  ================================
JSON filter patterns in                  a pattern that does not start     ``{ $.a.b = "v" }``, ``!=``,
``FilterLogEvents`` select structured    with a letter or a quote matches  ``*`` wildcards, numeric ``< <=
log events by field                      **every** event                   > >= =``, ``&&``, ``||``,
                                                                           parentheses, ``IS NULL``,
                                                                           ``NOT EXISTS``
=======================================  ================================  ================================

Source: *Amazon CloudWatch Logs User Guide*, "Filter pattern syntax for metric filters,
subscription filters, filter log events, and Live Tail" (JSON log events). A pattern the
stand-in cannot parse falls back to moto's own matcher. Plain terms and quoted phrases are
moto's (they work).

Example
-------
>>> JsonPattern('{ $.level = "ERROR" && $.order_id = "ord-0*" }').matches(
...     '{"level": "ERROR", "order_id": "ord-00042"}')
True
>>> JsonPattern('{ $.latency_ms > 250 }').matches('{"latency_ms": 120}')
False
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any
from unittest import mock

from moto.logs import models as logs_models

from .._base import _Patches

__all__ = ["LogsStandIns", "JsonPattern"]

_TOKEN = re.compile(r"""\s*(\(|\)|&&|\|\||!=|<=|>=|=|<|>|\$\.[\w.\[\]-]+|"(?:[^"\\]|\\.)*"|IS\s+NULL|NOT\s+EXISTS|IS\s+TRUE|IS\s+FALSE|[-\w.*]+)""")
_MISSING = object()


class JsonPattern:
    """One JSON filter pattern (``{ ... }``), parsed once, matched against event messages.

    Raises
    ------
    ValueError
        When the pattern is not a JSON filter pattern the stand-in understands.
    """

    def __init__(self, pattern: str) -> None:
        text = pattern.strip()
        if not (text.startswith("{") and text.endswith("}")):
            raise ValueError(pattern)
        self._tokens = self._lex(text[1:-1])
        self._pos = 0
        self._tree = self._or()
        if self._pos != len(self._tokens):
            raise ValueError(pattern)

    @staticmethod
    def _lex(text: str) -> list[str]:
        tokens, pos = [], 0
        while pos < len(text.rstrip()):
            match = _TOKEN.match(text, pos)
            if not match:
                raise ValueError(text)
            tokens.append(match.group(1))
            pos = match.end()
        return tokens

    def _peek(self) -> str | None:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end of pattern")
        self._pos += 1
        return token

    def _or(self) -> Any:
        node = self._and()
        while self._peek() == "||":
            self._take()
            node = ("or", node, self._and())
        return node

    def _and(self) -> Any:
        node = self._term()
        while self._peek() == "&&":
            self._take()
            node = ("and", node, self._term())
        return node

    def _term(self) -> Any:
        token = self._take()
        if token == "(":
            node = self._or()
            if self._take() != ")":
                raise ValueError("unbalanced parentheses")
            return node
        if not token.startswith("$."):
            raise ValueError(token)
        selector = token[2:]
        op = self._take()
        if re.fullmatch(r"IS\s+NULL|NOT\s+EXISTS|IS\s+TRUE|IS\s+FALSE", op):
            return ("special", selector, " ".join(op.split()))
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            raise ValueError(op)
        return ("cmp", selector, op, self._take())

    @staticmethod
    def _select(event: Any, selector: str) -> Any:
        value = event
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", selector):
            if part.startswith("["):
                index = int(part[1:-1])
                value = value[index] if isinstance(value, list) and index < len(value) else _MISSING
            else:
                value = value.get(part, _MISSING) if isinstance(value, dict) else _MISSING
            if value is _MISSING:
                return _MISSING
        return value

    def _eval(self, node: Any, event: Any) -> bool:
        kind = node[0]
        if kind == "or":
            return self._eval(node[1], event) or self._eval(node[2], event)
        if kind == "and":
            return self._eval(node[1], event) and self._eval(node[2], event)
        value = self._select(event, node[1])
        if kind == "special":
            return {"IS NULL": value is None, "NOT EXISTS": value is _MISSING,
                    "IS TRUE": value is True, "IS FALSE": value is False}[node[2]]
        if value is _MISSING:
            return False
        _, _, op, literal = node
        if literal.startswith('"'):
            if op not in ("=", "!=") or not isinstance(value, str):
                return op == "!=" and not isinstance(value, str)
            same = fnmatch.fnmatchcase(value, json.loads(literal))
            return same if op == "=" else not same
        try:
            number = float(literal)
        except ValueError:
            same = isinstance(value, str) and fnmatch.fnmatchcase(value, literal)
            return same if op == "=" else (not same if op == "!=" else False)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return op == "!="
        return {"=": value == number, "!=": value != number, "<": value < number,
                "<=": value <= number, ">": value > number, ">=": value >= number}[op]

    def matches(self, message: str) -> bool:
        """True when ``message`` is a JSON object the pattern selects."""
        try:
            event = json.loads(message)
        except ValueError:
            return False
        return isinstance(event, dict | list) and self._eval(self._tree, event)


class LogsStandIns(_Patches):
    """Installs and removes the CloudWatch Logs stand-ins for one environment."""

    SERVICE = "logs"
    NAMES = ("JSON filter patterns",)

    def _patches(self) -> list[Any]:
        """Patch moto's event filter so JSON patterns select by field."""
        original = logs_models.EventMessageFilter

        class EventMessageFilter:
            def __init__(self, pattern: str) -> None:
                try:
                    self._json: JsonPattern | None = JsonPattern(pattern or "")
                except ValueError:
                    self._json = None
                    self._plain = original(pattern)

            def matches(self, message: str) -> bool:
                if self._json is not None:
                    return self._json.matches(message)
                return self._plain.matches(message)

        return [mock.patch.object(logs_models, "EventMessageFilter", EventMessageFilter)]
