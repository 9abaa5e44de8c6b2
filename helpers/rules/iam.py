"""IAM's policy evaluation for resource policies (queue, topic and bus policies), as AWS decides.

AWS's rule (IAM User Guide, *Policy evaluation logic*, checked 2026-12-05):

1. Every statement counts. A statement *applies* when its ``Principal`` (or ``NotPrincipal``),
   ``Action`` (or ``NotAction``), ``Resource`` (or ``NotResource``) and every ``Condition``
   match the request.
2. An applicable ``Deny`` wins over everything (**explicit deny**).
3. Otherwise an applicable ``Allow`` allows.
4. Otherwise the request is refused (**implicit deny**).

Conditions (IAM User Guide, *Condition operators*, checked 2026-12-05): operators in one
``Condition`` block are ANDed, keys under one operator are ANDed, the values listed for one key
are ORed. A negated operator (``StringNotEquals``, ``ArnNotEquals``, ``ArnNotLike``, ...) is true
when the request's value matches *none* of the listed values, and true when the key is absent;
a positive operator on an absent key is false unless it ends in ``IfExists``. ``ArnEquals`` and
``ArnLike`` behave the same: each of the six colon-separated parts is compared, with ``*`` and
``?`` as wildcards. ``ForAnyValue:`` / ``ForAllValues:`` qualify multivalued keys.

Why hand-written: moto's own access control (``moto/iam/access_control.py``) evaluates only
``StringEquals``, skips every other operator (an ``ArnNotEquals`` would be ignored), and treats
a failed condition on an ``Allow`` as a deny; no maintained PyPI package evaluates resource
policies offline (``parliament`` and ``cloudsplaining`` lint, they do not decide). This module
is pure: no moto, no boto3.

Example
-------
>>> policy = {"Version": "2012-10-17", "Statement": [{
...     "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
...     "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
...     "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}}]}
>>> request = Request(action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:123456789012:q",
...                   principal={"Service": "sns.amazonaws.com"},
...                   context={"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"})
>>> evaluate(policy, request).verdict
'Allow'
>>> other = Request(action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:123456789012:q",
...                 principal={"Service": "sns.amazonaws.com"},
...                 context={"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:other"})
>>> evaluate(policy, other).verdict
'ImplicitDeny'
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from helpers.platform.errors import InvalidPolicyDocumentError

__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "CONDITION_OPERATORS",
    "Request",
    "Decision",
    "evaluate",
    "allows",
    "statement_applies",
    "wildcard_match",
    "arn_match",
]

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

#: ARNs have six colon-separated parts: arn:partition:service:region:account:resource.
_ARN_PARTS = 6


@dataclass(frozen=True)
class Request:
    """One request as IAM sees it.

    Parameters
    ----------
    action : str
        ``service:Operation``, e.g. ``"sqs:SendMessage"`` (matched case-insensitively).
    resource : str
        The ARN acted on.
    principal : Mapping[str, str]
        Who asks: ``{"Service": "sns.amazonaws.com"}`` or ``{"AWS": "arn:aws:iam::111122223333:root"}``.
        Empty means anonymous (only ``"*"`` matches it).
    context : Mapping[str, str | Sequence[str]]
        Condition keys of the request (``aws:SourceArn``, ``aws:SourceAccount``, ...); names are
        case-insensitive as in AWS.

    Example
    -------
    >>> Request("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q").principal
    {}
    """

    action: str
    resource: str
    principal: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """IAM's verdict and the statements that made it.

    Example
    -------
    >>> Decision(IMPLICIT_DENY).allowed
    False
    """

    verdict: str
    #: Indexes (0-based) of the statements that applied and had the deciding effect.
    statements: tuple[int, ...] = ()
    #: The Sid of each deciding statement (``None`` where it has none).
    sids: tuple[str | None, ...] = ()

    @property
    def allowed(self) -> bool:
        """True only for an Allow."""
        return self.verdict == ALLOW

    def explain(self) -> str:
        """One sentence: the verdict and which statements decided it."""
        if self.verdict == IMPLICIT_DENY:
            return "implicit deny: no statement allows this request"
        names = ", ".join(f"#{i + 1}" + (f" ({s})" if s else "") for i, s in zip(self.statements, self.sids, strict=True))
        word = "allowed by" if self.allowed else "explicitly denied by"
        return f"{word} statement {names}"


# -- matching -----------------------------------------------------------------------------------
@lru_cache(maxsize=1024)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's ``*`` (any run of characters, none included) and ``?`` (one character) match.

    Example
    -------
    >>> wildcard_match("sqs:Send*", "sqs:sendmessage", ignore_case=True)
    True
    >>> wildcard_match("orders-?", "orders-10")
    False
    """
    return bool(_wildcard_regex(pattern, ignore_case).match(value))


def arn_match(pattern: str, value: str) -> bool:
    """``ArnEquals`` / ``ArnLike``: the six colon-separated parts compared one by one, wildcards allowed.

    Example
    -------
    >>> arn_match("arn:aws:sns:*:123456789012:orders-*", "arn:aws:sns:us-east-1:123456789012:orders-fifo")
    True
    >>> arn_match("arn:aws:sns:*:123456789012:orders", "arn:aws:sns:us-east-1:999999999999:orders")
    False
    """
    if pattern == "*":
        return True
    want, got = pattern.split(":", _ARN_PARTS - 1), value.split(":", _ARN_PARTS - 1)
    if len(want) != _ARN_PARTS or len(got) != _ARN_PARTS:
        return False
    return all(wildcard_match(w, g) for w, g in zip(want, got, strict=True))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _principal_matches(element: Any, principal: Mapping[str, str]) -> bool:
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        raise InvalidPolicyDocumentError(
            f"Principal {element!r} is neither \"*\" nor an object such as "
            '{"Service": "sns.amazonaws.com"}; AWS refuses the policy. Write it as an object.')
    for kind, wanted in element.items():
        asker = principal.get(kind)
        for value in _as_list(wanted):
            if value == "*" and (kind == "AWS" or asker):
                return True
            if asker is None:
                continue
            if value == asker:
                return True
            # An account id (or its root ARN) names every principal of that account.
            account = value if re.fullmatch(r"\d{12}", str(value)) else None
            root = re.fullmatch(r"arn:aws[\w-]*:iam::(\d{12}):root", str(value))
            account = account or (root.group(1) if root else None)
            if account and kind == "AWS" and asker.split(":")[4:5] == [account]:
                return True
    return False


def _element_matches(statement: Mapping[str, Any], name: str, value: str, *, ignore_case: bool) -> bool:
    positive, negative = name, f"Not{name}"
    if positive in statement:
        return any(wildcard_match(p, value, ignore_case=ignore_case) for p in _as_list(statement[positive]))
    if negative in statement:
        return not any(wildcard_match(p, value, ignore_case=ignore_case) for p in _as_list(statement[negative]))
    # A resource policy may leave Resource out only where the resource is implied; treat as "*".
    return name == "Resource"


# -- conditions ---------------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> float | None:
    number = _number(value)
    if number is not None:
        return number
    try:
        return _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _numeric(compare: Callable[[float, float], bool], parse: Callable[[Any], float | None]):
    def test(wanted: Any, got: Any) -> bool:
        w, g = parse(wanted), parse(got)
        return w is not None and g is not None and compare(g, w)
    return test


def _ip(wanted: Any, got: Any) -> bool:
    try:
        return ipaddress.ip_address(str(got)) in ipaddress.ip_network(str(wanted), strict=False)
    except ValueError:
        return False


def _bool(wanted: Any, got: Any) -> bool:
    return str(wanted).lower() == str(got).lower()


_EQ, _LT, _LE = (lambda a, b: a == b), (lambda a, b: a < b), (lambda a, b: a <= b)
_GT, _GE = (lambda a, b: a > b), (lambda a, b: a >= b)

#: Each base operator: (value test, negated?). ``IfExists`` and set prefixes are handled apart.
CONDITION_OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], bool]] = {
    "StringEquals": (lambda w, g: str(w) == str(g), False),
    "StringNotEquals": (lambda w, g: str(w) == str(g), True),
    "StringEqualsIgnoreCase": (lambda w, g: str(w).lower() == str(g).lower(), False),
    "StringNotEqualsIgnoreCase": (lambda w, g: str(w).lower() == str(g).lower(), True),
    "StringLike": (lambda w, g: wildcard_match(str(w), str(g)), False),
    "StringNotLike": (lambda w, g: wildcard_match(str(w), str(g)), True),
    "ArnEquals": (lambda w, g: arn_match(str(w), str(g)), False),
    "ArnLike": (lambda w, g: arn_match(str(w), str(g)), False),
    "ArnNotEquals": (lambda w, g: arn_match(str(w), str(g)), True),
    "ArnNotLike": (lambda w, g: arn_match(str(w), str(g)), True),
    "NumericEquals": (_numeric(_EQ, _number), False),
    "NumericNotEquals": (_numeric(_EQ, _number), True),
    "NumericLessThan": (_numeric(_LT, _number), False),
    "NumericLessThanEquals": (_numeric(_LE, _number), False),
    "NumericGreaterThan": (_numeric(_GT, _number), False),
    "NumericGreaterThanEquals": (_numeric(_GE, _number), False),
    "DateEquals": (_numeric(_EQ, _date), False),
    "DateNotEquals": (_numeric(_EQ, _date), True),
    "DateLessThan": (_numeric(_LT, _date), False),
    "DateLessThanEquals": (_numeric(_LE, _date), False),
    "DateGreaterThan": (_numeric(_GT, _date), False),
    "DateGreaterThanEquals": (_numeric(_GE, _date), False),
    "Bool": (_bool, False),
    "BinaryEquals": (lambda w, g: str(w) == str(g), False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
}


def _context_values(context: Mapping[str, Any], key: str) -> list[Any] | None:
    lowered = {k.lower(): v for k, v in context.items()}
    if key.lower() not in lowered or lowered[key.lower()] is None:
        return None
    return _as_list(lowered[key.lower()])


def _operator_holds(operator: str, key: str, wanted: Any, context: Mapping[str, Any]) -> bool:
    got = _context_values(context, key)
    if operator == "Null":
        return any(_bool(w, "true") == (got is None) for w in _as_list(wanted))
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in CONDITION_OPERATORS or qualifier not in ("", "ForAnyValue", "ForAllValues"):
        known = ", ".join(sorted(CONDITION_OPERATORS))
        raise InvalidPolicyDocumentError(
            f"Condition operator {operator!r} is not one IAM knows; AWS refuses the policy. "
            f"Use one of {known} (optionally ending in IfExists, or with ForAnyValue:/ForAllValues:).")
    test, negated = CONDITION_OPERATORS[base]
    wanted_values = _as_list(wanted)

    def one(value: Any) -> bool:
        hit = any(test(w, value) for w in wanted_values)
        return not hit if negated else hit

    if got is None or got == []:
        if qualifier == "ForAllValues":
            return True
        return if_exists or (negated and qualifier != "ForAnyValue")
    if qualifier == "ForAllValues":
        return all(one(v) for v in got)
    if negated and qualifier == "":
        return all(one(v) for v in got)
    return any(one(v) for v in got)


def _conditions_hold(conditions: Any, context: Mapping[str, Any]) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, Mapping):
        raise InvalidPolicyDocumentError(
            f"Condition {conditions!r} is not an object of operators; AWS refuses the policy. "
            'Write it as {"ArnEquals": {"aws:SourceArn": "<arn>"}}.')
    return all(_operator_holds(operator, key, wanted, context)
               for operator, keys in conditions.items() for key, wanted in keys.items())


# -- evaluation ---------------------------------------------------------------------------------
def _statements(policy: Mapping[str, Any] | str) -> list[Mapping[str, Any]]:
    if isinstance(policy, (str, bytes)):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError as exc:
            raise InvalidPolicyDocumentError(
                f"the policy is not valid JSON ({exc.msg} at character {exc.pos}); AWS refuses it. "
                "Pass json.dumps(policy) of a dict.") from None
    if not isinstance(policy, Mapping) or "Statement" not in policy:
        raise InvalidPolicyDocumentError(
            f"{str(policy)[:80]!r} has no \"Statement\"; a policy is "
            '{"Version": "2012-10-17", "Statement": [...]}.')
    statements = _as_list(policy["Statement"])
    for i, statement in enumerate(statements):
        if not isinstance(statement, Mapping) or statement.get("Effect") not in ("Allow", "Deny"):
            raise InvalidPolicyDocumentError(
                f"statement #{i + 1} has Effect {getattr(statement, 'get', lambda _: None)('Effect')!r}; "
                'AWS accepts only "Allow" or "Deny".')
    return statements


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    """True when every element of ``statement`` matches ``request`` (its Effect aside).

    Example
    -------
    >>> statement_applies({"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"},
    ...                   Request("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"))
    True
    """
    if "Principal" in statement:
        principal_ok = _principal_matches(statement["Principal"], request.principal)
    elif "NotPrincipal" in statement:
        principal_ok = not _principal_matches(statement["NotPrincipal"], request.principal)
    else:
        principal_ok = True   # identity policies have no Principal
    return (principal_ok
            and _element_matches(statement, "Action", request.action, ignore_case=True)
            and _element_matches(statement, "Resource", request.resource, ignore_case=False)
            and _conditions_hold(statement.get("Condition"), request.context))


def evaluate(policy: Mapping[str, Any] | str | None, request: Request) -> Decision:
    """IAM's verdict on ``request`` under ``policy``: explicit deny, then any allow, else implicit deny.

    Parameters
    ----------
    policy : dict or str or None
        The policy document (a dict or its JSON text). ``None`` (no policy) denies implicitly.
    request : Request
        The request to decide.

    Returns
    -------
    Decision
        ``verdict`` is ``"Allow"``, ``"ExplicitDeny"`` or ``"ImplicitDeny"``.

    Raises
    ------
    InvalidPolicyDocumentError
        The document is not one AWS would accept (no Statement, bad Effect, unknown operator).

    Example
    -------
    >>> allow_all = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    >>> deny = {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    >>> evaluate({"Statement": allow_all["Statement"] + [deny]},
    ...          Request("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q")).verdict
    'ExplicitDeny'
    """
    if policy is None or policy == "":
        return Decision(IMPLICIT_DENY)
    allowed: list[tuple[int, str | None]] = []
    denied: list[tuple[int, str | None]] = []
    for i, statement in enumerate(_statements(policy)):
        if statement_applies(statement, request):
            (allowed if statement["Effect"] == "Allow" else denied).append((i, statement.get("Sid")))
    for verdict, hits in ((EXPLICIT_DENY, denied), (ALLOW, allowed)):
        if hits:
            return Decision(verdict, tuple(i for i, _ in hits), tuple(s for _, s in hits))
    return Decision(IMPLICIT_DENY)


def allows(policy: Mapping[str, Any] | str | None, request: Request) -> bool:
    """``evaluate(policy, request).allowed``.

    Example
    -------
    >>> allows(None, Request("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"))
    False
    """
    return evaluate(policy, request).allowed
