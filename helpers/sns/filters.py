"""Filter policies: check one before SNS sees it, and preview what it lets through.

The engine is :mod:`helpers.rules.filter_policies`, the one the SNS stand-in applies, so a preview here
agrees with what moto delivers; on AWS the service decides, and its rules are the ones this
engine follows (SNS Developer Guide, "Amazon SNS message filtering").

Example
-------
>>> policy = {"status": ["failed"], "amount": [{"numeric": [">", 100]}]}
>>> validate_filter_policy(policy) == policy
True
>>> matches(policy, attributes={"status": {"DataType": "String", "StringValue": "failed"},
...                             "amount": {"DataType": "Number", "StringValue": "250"}})
True
>>> validate_filter_policy({"status": "failed"})
Traceback (most recent call last):
...
helpers.platform.errors.InvalidFilterPolicyError: SNS would refuse this filter policy: Invalid parameter: FilterPolicy: "status" must be an object or an array. Each key takes a list of values or operators, e.g. {"status": ["failed"]}.
"""

from __future__ import annotations

import json
from typing import Any

from ..platform.errors import InvalidFilterPolicyError
from ..rules import filter_policies as sns_filters

__all__ = ["validate_filter_policy", "matches", "combinations", "to_sns_attributes", "SCOPES"]

SCOPES = sns_filters.SCOPES

_FIXES = {
    "must be an object or an array": 'Each key takes a list of values or operators, e.g. '
                                     '{"status": ["failed"]}.',
    "more than 5 keys": "Keep at most 5 keys; move the rest into the subscriber's code.",
    "too complex": "The values multiply out to more than 150 combinations: fewer values per key.",
    "Unrecognized match type": "Operators: prefix, suffix, equals-ignore-case, anything-but, "
                               "numeric, exists, cidr; and $or (wildcard is EventBridge's, not SNS's).",
    "failed to parse JSON": "Write the policy as a Python dict (or valid JSON text).",
    "does not support nested": 'Nested keys need FilterPolicyScope "MessageBody".',
}


def _fix(text: str) -> str:
    return next((fix for key, fix in _FIXES.items() if key in text),
                "See the SNS Developer Guide's filter-policy syntax.")


def validate_filter_policy(policy: dict | str, scope: str = "MessageAttributes") -> dict:
    """The policy as a dict when SNS would accept it; else :class:`InvalidFilterPolicyError`.

    The error quotes AWS's own message (``Invalid parameter: FilterPolicy: ...``) and adds
    the fix.
    """
    try:
        sns_filters.validate_scope(scope)
        parsed = sns_filters.validate_policy(policy if isinstance(policy, str) else
                                             json.dumps(policy), scope)
    except sns_filters.FilterPolicyError as err:
        raise InvalidFilterPolicyError(
            f"SNS would refuse this filter policy: {err}. {_fix(str(err))}") from None
    if parsed is None:
        raise InvalidFilterPolicyError("The filter policy is empty: pass a dict of keys to match, "
                                       "or no policy at all to receive every message.")
    return parsed


def to_sns_attributes(attributes: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """boto3 ``MessageAttributes`` (``DataType``/``StringValue``) as SNS matches them."""
    return {k: {"Type": v["DataType"], "Value": v.get("StringValue", v.get("BinaryValue", ""))}
            for k, v in (attributes or {}).items()}


def matches(policy: dict, *, attributes: dict[str, Any] | None = None, body: Any = None,
            scope: str | None = None) -> bool:
    """Would a message with these boto3 ``attributes`` (or this ``body``) pass ``policy``?

    ``scope`` defaults to ``"MessageBody"`` when a body is given, else attributes.
    """
    scope = scope or ("MessageBody" if body is not None else "MessageAttributes")
    text = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return sns_filters.matches(policy, scope, to_sns_attributes(attributes), text)


def combinations(policy: dict, scope: str = "MessageAttributes") -> int:
    """The value combinations SNS counts for ``policy`` (at most 150)."""
    return sns_filters.combinations(policy, scope)
