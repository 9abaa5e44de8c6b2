"""SNS filter policies as AWS validates and matches them (the engine behind the SNS stand-ins).

moto 5.2's own validator rejects ``cidr``, raises a Python
``JSONDecodeError`` on a policy that is not JSON, and words several errors differently from
AWS. This module validates a policy the way AWS does, with AWS's error text (as recorded
against AWS in LocalStack's snapshot tests, ``tests/aws/services/sns/
test_sns_filter_policy.snapshot.json``), and matches messages against it with every operator
the *Amazon SNS Developer Guide* documents (exact strings and numbers, ``prefix``, ``suffix``,
``equals-ignore-case``, ``anything-but`` (values, ``prefix``), ``numeric``, ``exists``,
``cidr``, ``$or``, nested keys in the body).

Only those. EventBridge's ``wildcard`` is not an SNS operator (the developer guide's list of
SNS filter operators, checked 2026-12-05, has none): SNS answers ``Unrecognized match type
wildcard``. Inside ``anything-but`` SNS takes values or ``prefix`` only; ``suffix`` is refused
with ``Unsupported anything-but pattern: suffix`` (recorded against AWS in the snapshots above).

AWS appends a parser location (``\\n at [Source: ...; line: 1, column: N]``) to some of these
messages; the stand-in gives the message without it.

Example
-------
>>> policy = {"status": ["failed"], "amount": [{"numeric": [">", 100]}]}
>>> validate_policy(json.dumps(policy), "MessageAttributes")
{'status': ['failed'], 'amount': [{'numeric': ['>', 100]}]}
>>> attrs = {"status": {"Type": "String", "Value": "failed"},
...          "amount": {"Type": "Number", "Value": "250"}}
>>> matches(policy, "MessageAttributes", attrs, "{}")
True
>>> validate_policy('{"status": "failed"}', "MessageAttributes")
Traceback (most recent call last):
...
helpers.rules.filter_policies.FilterPolicyError: Invalid parameter: FilterPolicy: "status" must be an object or an array
"""

from __future__ import annotations

import json
import re
from typing import Any

from .operators import (
    anything_but,
    check_cidr,
    check_numeric,
    cidr_matches,
    equals,
    flatten_dotted,
    numeric_matches,
    string_matches,
)

__all__ = ["FilterPolicyError", "validate_policy", "validate_scope", "matches", "combinations",
           "SCOPES", "SET_PREFIX", "SUBSCRIBE_PREFIX"]

#: The two filter-policy scopes.
SCOPES = ("MessageAttributes", "MessageBody")
#: Error prefix of ``SetSubscriptionAttributes``.
SET_PREFIX = "Invalid parameter: "
#: Error prefix of ``Subscribe`` with ``Attributes``.
SUBSCRIBE_PREFIX = "Invalid parameter: Attributes Reason: "
_MAX_KEYS = 5
_MAX_COMBINATIONS = 150


class FilterPolicyError(ValueError):
    """A filter policy AWS refuses; ``str()`` is AWS's message (code ``InvalidParameter``)."""


def validate_scope(scope: Any, prefix: str = SET_PREFIX) -> str:
    """The scope, or :class:`FilterPolicyError` in AWS's words.

    Example
    -------
    >>> validate_scope("Body")
    Traceback (most recent call last):
    ...
    helpers.rules.filter_policies.FilterPolicyError: Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes
    """
    if scope not in SCOPES:
        raise FilterPolicyError(f"{prefix}FilterPolicyScope: Invalid value [{scope}]. "
                                "Please use either MessageBody or MessageAttributes")
    return scope


def _fail(prefix: str, text: str) -> FilterPolicyError:
    return FilterPolicyError(f"{prefix}FilterPolicy: {text}")


def combinations(policy: dict, scope: str = "MessageAttributes", prefix: str = SET_PREFIX) -> int:
    """The value combinations AWS counts for ``policy`` (at most 150 are allowed).

    Multiply the number of values of each array, weighted by its nesting depth; ``$or``
    branches add up.

    Example
    -------
    >>> combinations({"a": [1, 2, 3], "b": ["x", "y"]})
    6
    """
    return _aggregate(policy, scope, prefix)[1]


def _aggregate(policy: dict, scope: str, prefix: str, depth: int = 1,
               combos: int = 1) -> tuple[list[list[Any]], int]:
    rules: list[list[Any]] = []
    for key, value in policy.items():
        if isinstance(value, dict):
            sub, combos = _aggregate(value, scope, prefix, depth + 1, combos)
            rules += sub
        elif isinstance(value, list):
            if not value:
                raise _fail(prefix, "Empty arrays are not allowed")
            if key == "$or":
                total = 0
                for branch in value:
                    if not isinstance(branch, dict):
                        raise _fail(prefix, '"$or" must be an object or an array')
                    sub, n = _aggregate(branch, scope, prefix, depth, combos)
                    rules += sub
                    total += n
                combos = total
            else:
                rules.append(value)
                combos = combos * len(value) * depth
        else:
            raise _fail(prefix, f'"{key}" must be an object or an array')
    if scope == "MessageAttributes" and depth > 1:
        raise FilterPolicyError(f"{prefix}Filter policy scope MessageAttributes does not support "
                                "nested filter policy")
    return rules, combos


def validate_policy(text: Any, scope: str = "MessageAttributes", *,
                    prefix: str = SET_PREFIX) -> dict | None:
    """Parse and validate a filter policy as AWS does; ``None`` for ``""`` (removes the policy).

    Raises
    ------
    FilterPolicyError
        With AWS's message: not JSON, not an object, more than 5 keys, more than 150
        combinations, an unknown operator, a malformed ``numeric`` / ``cidr`` / ``exists``.
    """
    if text is None or text == "":
        return None
    if isinstance(text, dict):
        policy: Any = text
    else:
        try:
            policy = json.loads(text)
        except (TypeError, ValueError):
            raise _fail(prefix, f"failed to parse JSON. {_parser_message(str(text))}") from None
    if not isinstance(policy, dict):
        raise _fail(prefix, "Filter policy must be a JSON object")
    if len(policy) > _MAX_KEYS:
        raise _fail(prefix, "Filter policy can not have more than 5 keys")
    rules, combos = _aggregate(policy, scope, prefix)
    if combos > _MAX_COMBINATIONS:
        raise _fail(prefix, "Filter policy is too complex")
    for values in rules:
        for rule in values:
            _validate_rule(rule, prefix)
    return policy


def _parser_message(text: str) -> str:
    """The first line of AWS's (Jackson's) parse error for the common mistakes.

    Example
    -------
    >>> _parser_message("{status: 1}")
    "Unexpected character ('s' (code 115)): was expecting double-quote to start field name"
    """
    stripped = text.strip()
    word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", stripped)
    if word:
        return (f"Unrecognized token '{word.group(0)}': was expecting (JSON String, Number, Array, "
                "Object or token 'null', 'true' or 'false')")
    field = re.match(r"\{\s*([^\s\"}])", stripped)
    if field:
        ch = field.group(1)
        return (f"Unexpected character ('{ch}' (code {ord(ch)})): was expecting double-quote to "
                "start field name")
    return "Unexpected end-of-input" if stripped else "No content to map due to end-of-input"


#: String operators an SNS filter policy takes (SNS developer guide, string value matching).
SNS_STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case")


def _validate_rule(rule: Any, prefix: str) -> None:
    if rule is None or isinstance(rule, (str, bool, int, float)):
        return
    if not isinstance(rule, dict):
        raise _fail(prefix, "Match value must be String, number, true, false, or null")
    if len(rule) != 1:
        raise _fail(prefix, "Only one key allowed in match expression")
    (op, value), = rule.items()
    if op in SNS_STRING_OPERATORS:
        if not isinstance(value, str):
            raise _fail(prefix, f"{op} match pattern must be a string")
    elif op == "anything-but":
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                    raise _fail(prefix, "Match value must be String, number, true, false, or null")
        elif isinstance(value, dict):
            for inner in value:
                # SNS refuses the suffix form EventBridge accepts (LocalStack's AWS-validated
                # snapshot test_validate_policy_nested_anything_but_operator, 2024-05-15).
                if inner != "prefix":
                    raise _fail(prefix, f"Unsupported anything-but pattern: {inner}")
            _validate_rule(value, prefix)
    elif op == "exists":
        if not isinstance(value, bool):
            raise _fail(prefix, "exists match pattern must be either true or false.")
    elif op == "numeric":
        check_numeric(value, lambda reason: _fail(prefix, reason))
    elif op == "cidr":
        check_cidr(value, lambda reason: _fail(prefix, reason))
    else:
        raise _fail(prefix, f"Unrecognized match type {op}")


# -- matching -----------------------------------------------------------------------------
def _attribute_values(attrs: dict[str, Any], key: str) -> tuple[bool, list[Any]]:
    """(present, values) of one message attribute (String.Array expands; Number is a number)."""
    attr = (attrs or {}).get(key)
    if attr is None:
        return False, []
    kind = attr.get("Type") or attr.get("DataType") or "String"
    raw = attr.get("Value", attr.get("StringValue"))
    if kind.startswith("Binary"):
        return True, []
    if kind.startswith("Number"):
        try:
            return True, [float(raw)]
        except (TypeError, ValueError):
            return True, []
    if kind.startswith("String.Array"):
        try:
            parsed = json.loads(raw)
        except (TypeError, ValueError):
            return True, [raw]
        return True, parsed if isinstance(parsed, list) else [parsed]
    return True, [raw]


def _flat_policy(policy: dict, prefix: str = "") -> list[dict[str, list[Any]]]:
    """The policy as alternatives of {dotted key: conditions} ($or branches multiply out)."""
    alternatives: list[dict[str, list[Any]]] = [{}]
    for key, value in policy.items():
        if key == "$or" and isinstance(value, list):
            branches = [alt for b in value for alt in _flat_policy(b, prefix)]
            alternatives = [{**a, **b} for a in alternatives for b in branches]
        elif isinstance(value, dict):
            subs = _flat_policy(value, f"{prefix}{key}.")
            alternatives = [{**a, **b} for a in alternatives for b in subs]
        else:
            alternatives = [{**a, f"{prefix}{key}": value} for a in alternatives]
    return alternatives


def _condition(rule: Any, present: bool, values: list[Any]) -> bool:
    if isinstance(rule, dict):
        (op, arg), = rule.items()
        if op == "exists":
            return present == arg
        if not present:
            return False
        if op == "anything-but":
            # Unlike EventBridge, every value of an array must pass.
            return bool(values) and all(anything_but(arg, v) for v in values)
        if op == "numeric":
            return any(numeric_matches(arg, v) for v in values)
        if op == "cidr":
            return any(cidr_matches(arg, v) for v in values)
        return any(string_matches(op, arg, v) for v in values)
    return present and any(equals(rule, v) for v in values)


def matches(policy: dict | None, scope: str | None, message_attributes: dict[str, Any] | None,
            message: str) -> bool:
    """Whether a published message passes ``policy`` (``None``: every message passes).

    ``message_attributes`` are as moto keeps them (``{"name": {"Type": ..., "Value": ...}}``).
    With the ``MessageBody`` scope the message must be a JSON object; nested policy keys and
    dotted keys address nested properties.

    Example
    -------
    >>> body = json.dumps({"order": {"amount": 650, "region": "eu-west-1"}})
    >>> matches({"order": {"amount": [{"numeric": [">=", 500]}]}}, "MessageBody", {}, body)
    True
    >>> matches({"order.region": [{"prefix": "us-"}]}, "MessageBody", {}, body)
    False
    """
    if not policy:
        return True
    if scope == "MessageBody":
        try:
            body = json.loads(message)
        except (TypeError, ValueError):
            return False
        if not isinstance(body, dict):
            return False
        flat = flatten_dotted(body)

        def lookup(key: str) -> tuple[bool, list[Any]]:
            if key in flat:
                vals = flat[key]
                return any(v is not None for v in vals) or vals == [None], vals
            return False, []
    else:
        if not message_attributes:
            return False  # "exists": false needs at least one attribute, too

        def lookup(key: str) -> tuple[bool, list[Any]]:
            return _attribute_values(message_attributes or {}, key)

    for alternative in _flat_policy(policy):
        if all(any(_condition(rule, *lookup(key)) for rule in rules)
               for key, rules in alternative.items()):
            return True
    return False
