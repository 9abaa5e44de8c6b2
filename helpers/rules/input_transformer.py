"""What an EventBridge target receives: ``Input``, ``InputPath`` and ``InputTransformer`` as AWS applies them.

* ``Input``: the constant JSON text, delivered as is.
* ``InputPath``: the part of the event a JSONPath selects (``$.detail``).
* ``InputTransformer``: ``InputPathsMap`` names values, ``InputTemplate`` places them. A
  placeholder inside a JSON string is replaced by the value's text (objects and arrays without
  quotes, a missing value by nothing); outside a string by the value's JSON (``""`` when
  the path is missing from the event). A string template (``"Order <id> placed"``) is delivered with its quotes, as AWS
  does (LocalStack's ``test_events_inputs`` snapshots, recorded against AWS). Predefined
  placeholders: ``aws.events.rule-arn``, ``aws.events.rule-name``,
  ``aws.events.event.ingestion-time``, ``aws.events.event`` and ``aws.events.event.json``.

Example
-------
>>> event = {"detail-type": "OrderPlaced", "detail": {"order_id": "o-1", "total": 12.5}}
>>> target = {"Id": "t", "InputTransformer": {"InputPathsMap": {"id": "$.detail.order_id"},
...           "InputTemplate": '"Order <id> is confirmed"'}}
>>> shape_input(target, event, rule_arn="arn:r", rule_name="r")
'"Order o-1 is confirmed"'
>>> shape_input({"Id": "t", "InputPath": "$.detail"}, event, rule_arn="arn:r", rule_name="r")
'{"order_id": "o-1", "total": 12.5}'
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["shape_input", "select", "placeholders", "check_input_options", "PREDEFINED"]

#: Placeholders every InputTemplate may use without defining them.
PREDEFINED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time",
              "aws.events.event", "aws.events.event.json")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_MISSING = object()


def select(event: Any, path: str) -> Any:
    """The value at JSONPath ``path`` (``$``, ``$.a.b``, ``$.a[0]``), None when missing.

    Example
    -------
    >>> select({"detail": {"items": [{"sku": "A"}]}}, "$.detail.items[0].sku")
    'A'
    """
    value = _lookup(event, path)
    return None if value is _MISSING else value


def _lookup(event: Any, path: str) -> Any:
    value = event
    for key, index in re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", path[1:]):
        if key:
            value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        else:
            i = int(index)
            value = value[i] if isinstance(value, list) and i < len(value) else _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order."""
    return _PLACEHOLDER.findall(template)


def _text(value: Any) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return json.dumps(value)


def _fill(template: str, values: dict[str, Any]) -> str:
    out: list[str] = []
    in_string = escaped = False
    i = 0
    while i < len(template):
        ch = template[i]
        match = _PLACEHOLDER.match(template, i) if ch == "<" else None
        if match and match.group(1) in values:
            value = values[match.group(1)]
            if in_string:
                out.append(json.dumps(_text(value))[1:-1])
            else:
                # A path missing from the event becomes an empty JSON string, as AWS delivers it
                # (LocalStack's AWS-validated test_put_events_with_input_transformer_input_template_json).
                out.append('""' if value is _MISSING else json.dumps(value))
            i = match.end()
            continue
        if in_string and ch == "\\" and not escaped:
            escaped = True
        else:
            if ch == '"' and not escaped:
                in_string = not in_string
            escaped = False
        out.append(ch)
        i += 1
    return "".join(out)


def shape_input(target: dict[str, Any], event: dict[str, Any], *, rule_arn: str, rule_name: str) -> str:
    """The body ``target`` receives for ``event`` (JSON text, or a quoted string template)."""
    if "Input" in target:
        return target["Input"]
    if "InputPath" in target:
        value = _lookup(event, target["InputPath"])
        return json.dumps(None if value is _MISSING else value)
    transformer = target.get("InputTransformer")
    if not transformer:
        return json.dumps(event)
    values = {name: _lookup(event, path) for name, path in (transformer.get("InputPathsMap") or {}).items()}
    values.update({
        "aws.events.rule-arn": rule_arn, "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": event.get("time"), "aws.events.event": event,
        "aws.events.event.json": event,
    })
    return _fill(transformer["InputTemplate"], values)


def check_input_options(target: dict[str, Any]) -> str | None:
    """AWS's PutTargets message when ``target``'s input options are invalid, else None.

    Example
    -------
    >>> check_input_options({"Id": "t1", "InputTransformer": {"InputPathsMap": {},
    ...                      "InputTemplate": '"<who> bought"'}})
    'InputTemplate for target t1 contains invalid placeholder who.'
    """
    given = [key for key in ("Input", "InputPath", "InputTransformer") if key in target]
    if len(given) > 1:
        return f"Only one of Input, InputPath, or InputTransformer must be provided for target {target['Id']}."
    transformer = target.get("InputTransformer")
    if transformer:
        defined = set(transformer.get("InputPathsMap") or {}) | set(PREDEFINED)
        for name in placeholders(transformer.get("InputTemplate", "")):
            if name not in defined:
                return f"InputTemplate for target {target['Id']} contains invalid placeholder {name}."
    return None
