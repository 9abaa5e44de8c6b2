"""CloudWatch's alarm rules and metric-math arithmetic, as pure functions.

Used by the stand-ins in :mod:`helpers.emulation.cloudwatch` (and by the notebook's table of
the user guide's examples). Sources: *Amazon CloudWatch User Guide*, "Using Amazon CloudWatch
alarms" and "Configuring how CloudWatch alarms treat missing data".

Example
-------
>>> evaluate([1.0, 1.0, 0.0], threshold=0, comparison="GreaterThanThreshold",
...          evaluation_periods=3, datapoints_to_alarm=2).state
'ALARM'
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..platform import limits
from ..platform.errors import InvalidParameterError

__all__ = ["Evaluation", "evaluate", "TREATMENTS", "COMPARISONS", "EXTRA_RANGE_PERIODS",
           "math_tree", "math_series", "AlarmRuleError", "parse_alarm_rule", "rule_children",
           "evaluate_rule", "ALARM_STATES"]

#: Periods beyond ``EvaluationPeriods`` the stand-in looks back for real datapoints.
EXTRA_RANGE_PERIODS = 2
#: TreatMissingData values (default ``missing``).
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
#: ComparisonOperator values of a static-threshold alarm and their words in a state reason.
COMPARISONS = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}


@dataclass
class Evaluation:
    """The outcome of one alarm evaluation.

    Attributes
    ----------
    state
        ``OK``, ``ALARM`` or ``INSUFFICIENT_DATA``.
    used
        The values the decision used, oldest first (``None`` where a missing datapoint was
        filled by the treatment).
    breaching
        How many of ``used`` breach (filled ones included for ``breaching``).
    rule
        Which documented rule decided (``"N most recent real"``, ``"filled: <treatment>"``,
        ``"ignore: retained"``, ``"all missing"``).
    """

    state: str
    used: Sequence[float | None] = field(default_factory=list)
    breaching: int = 0
    rule: str = ""


def evaluate(values: list[float | None], *, threshold: float, comparison: str,
             evaluation_periods: int, datapoints_to_alarm: int | None = None,
             treat_missing: str | None = "missing", current_state: str = "INSUFFICIENT_DATA") -> Evaluation:
    """Decide an alarm's state from the datapoints of its evaluation range, as CloudWatch does.

    Parameters
    ----------
    values
        One value per period of the evaluation range, oldest first; ``None`` is a missing
        datapoint.
    threshold, comparison
        The static threshold and a :data:`COMPARISONS` key.
    evaluation_periods, datapoints_to_alarm
        N and M of an "M out of N" alarm (M defaults to N).
    treat_missing
        One of :data:`TREATMENTS`.
    current_state
        The alarm's state now (``ignore`` may keep it).

    Notes
    -----
    The rules of "Configuring how CloudWatch alarms treat missing data": with at least N real
    datapoints in the range, the N most recent real ones decide and the treatment is not used.
    With fewer, the missing ones are filled: ``breaching`` counts them as breaching,
    ``notBreaching`` as not; ``missing`` decides on the real ones alone (all missing ->
    ``INSUFFICIENT_DATA``); ``ignore`` keeps the current state unless the real datapoints
    decide whatever the missing ones were.

    Example
    -------
    >>> evaluate([None, None, 5.0, None, None], threshold=0, comparison="GreaterThanThreshold",
    ...          evaluation_periods=3, datapoints_to_alarm=3, treat_missing="breaching").state
    'ALARM'
    """
    test = COMPARISONS[comparison][0]
    n = int(evaluation_periods)
    m = int(datapoints_to_alarm or n)
    treat = treat_missing or "missing"
    real = [float(v) for v in values if v is not None]
    hits = sum(bool(test(v, threshold)) for v in real[-n:])
    if len(real) >= n:
        return Evaluation("ALARM" if hits >= m else "OK", real[-n:], hits, "N most recent real")
    fill = n - len(real)
    used: list[float | None] = [None] * fill + real
    if treat == "breaching":
        hits += fill
        return Evaluation("ALARM" if hits >= m else "OK", used, hits, "filled: breaching")
    if treat == "notBreaching":
        return Evaluation("ALARM" if hits >= m else "OK", used, hits, "filled: notBreaching")
    if not real:
        if treat == "ignore":
            return Evaluation(current_state, [], 0, "ignore: retained")
        return Evaluation("INSUFFICIENT_DATA", [], 0, "all missing")
    if treat == "missing":
        return Evaluation("ALARM" if hits >= min(m, len(real)) else "OK", real, hits, "filled: missing")
    # ignore: decide only when the missing datapoints could not change the outcome
    if hits >= m:
        return Evaluation("ALARM", used, hits, "filled: ignore")
    if hits + fill < m:
        return Evaluation("OK", used, hits, "filled: ignore")
    return Evaluation(current_state, used, hits, "ignore: retained")


# -- metric math (the arithmetic subset) -------------------------------------------------------
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def math_tree(expression: str) -> ast.AST | None:
    """The parsed expression when it is arithmetic on ids and numbers (else None)."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.BinOp | ast.UnaryOp | ast.Name | ast.Constant | ast.Load
                          | ast.Add | ast.Sub | ast.Mult | ast.Div | ast.USub):
            return None
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            return None
    return tree if not isinstance(tree, ast.Name) else None


def _math_eval(node: ast.AST, point: dict[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return point[node.id]
    if isinstance(node, ast.UnaryOp):
        return -_math_eval(node.operand, point)
    assert isinstance(node, ast.BinOp), ast.dump(node)  # the only other node _math_tree admits
    return _OPS[type(node.op)](_math_eval(node.left, point), _math_eval(node.right, point))


def math_series(tree: ast.AST, series: dict[str, dict[Any, float]]) -> tuple[list[float], list[Any]]:
    ids = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if not ids <= series.keys():
        return [], []
    stamps = sorted(set.intersection(*(set(series[i]) for i in ids))) if ids else []
    values, times = [], []
    for stamp in stamps:
        try:
            value = _math_eval(tree, {i: series[i][stamp] for i in ids})
        except ZeroDivisionError:
            continue
        if math.isfinite(value):
            values.append(value)
            times.append(stamp)
    return values, times


# -- composite alarms ------------------------------------------------------------------------
#: The state functions of a composite alarm's ``AlarmRule`` (CloudWatch API Reference,
#: PutCompositeAlarm): each is true while the named alarm is in that state.
ALARM_STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_RULE_MAX = limits.CLOUDWATCH_ALARM_RULE_MAX_CHARS
_TOKEN = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_:./#+=@-]+))')


class AlarmRuleError(InvalidParameterError):
    """An ``AlarmRule`` CloudWatch would reject (the message says where and why)."""


def _tokens(rule: str) -> list[tuple[str, str]]:
    out, pos, rule = [], 0, rule.rstrip()
    while pos < len(rule):
        match = _TOKEN.match(rule, pos)
        if not match or match.end() == pos:
            raise AlarmRuleError(f"AlarmRule {rule!r}: unexpected character at position {pos}. "
                                 'Use ALARM("name"), OK(...), INSUFFICIENT_DATA(...), TRUE, FALSE, '
                                 "AND, OR, NOT and parentheses.")
        opened, closed, quoted, word = match.groups()
        kind = "(" if opened else ")" if closed else "name" if quoted is not None else "word"
        out.append((kind, quoted if quoted is not None else (word or kind)))
        pos = match.end()
    return out


def parse_alarm_rule(rule: str) -> tuple:
    """Parse a composite alarm's ``AlarmRule`` into a tree of tuples.

    Operators ``NOT`` binds tightest, then ``AND``, then ``OR``; parentheses group. A state
    function names an alarm by name or ARN, in double quotes (needed when the name has spaces
    or operators). The tree: ``("state", "ALARM", name)``, ``("const", True)``,
    ``("not", t)``, ``("and", a, b)``, ``("or", a, b)``.

    Raises
    ------
    AlarmRuleError
        Empty, unbalanced or unknown words; longer than
        :data:`~helpers.platform.limits.CLOUDWATCH_ALARM_RULE_MAX_CHARS`.

    Example
    -------
    >>> parse_alarm_rule('ALARM("dlq") AND NOT OK(deploy)')
    ('and', ('state', 'ALARM', 'dlq'), ('not', ('state', 'OK', 'deploy')))
    """
    if not rule or not rule.strip():
        raise AlarmRuleError("AlarmRule is empty: give at least one term such as ALARM(\"name\").")
    if len(rule) > _RULE_MAX:
        raise AlarmRuleError(f"AlarmRule is {len(rule)} characters; CloudWatch allows at most {_RULE_MAX}.")
    tokens = _tokens(rule)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(kind: str, value: str | None = None) -> str:
        nonlocal pos
        token = peek()
        if token is None or token[0] != kind or (value is not None and token[1].upper() != value):
            got = "the end" if token is None else repr(token[1])
            raise AlarmRuleError(f"AlarmRule {rule!r}: expected {value or kind}, found {got}.")
        pos += 1
        return token[1]

    def word_is(value: str) -> bool:
        token = peek()
        return token is not None and token[0] == "word" and token[1].upper() == value

    def expr_or() -> tuple:
        node = expr_and()
        while word_is("OR"):
            take("word")
            node = ("or", node, expr_and())
        return node

    def expr_and() -> tuple:
        node = expr_not()
        while word_is("AND"):
            take("word")
            node = ("and", node, expr_not())
        return node

    def expr_not() -> tuple:
        if word_is("NOT"):
            take("word")
            return ("not", expr_not())
        return atom()

    def atom() -> tuple:
        token = peek()
        if token and token[0] == "(":
            take("(")
            node = expr_or()
            take(")")
            return node
        word = take("word").upper() if token and token[0] == "word" else take("word")
        if word in ("TRUE", "FALSE"):
            return ("const", word == "TRUE")
        if word not in ALARM_STATES:
            raise AlarmRuleError(f"AlarmRule {rule!r}: unknown word {word!r}; expected "
                                 "ALARM, OK, INSUFFICIENT_DATA, TRUE, FALSE or NOT.")
        take("(")
        inner = peek()
        if inner is None or inner[0] not in ("name", "word"):
            raise AlarmRuleError(f"AlarmRule {rule!r}: {word}(...) needs an alarm name or ARN.")
        pos_name = take(inner[0])
        take(")")
        return ("state", word, pos_name.split(":alarm:")[-1])

    tree = expr_or()
    if peek() is not None:
        raise AlarmRuleError(f"AlarmRule {rule!r}: unexpected {peek()[1]!r} after a complete rule.")  # type: ignore[index]
    return tree


def rule_children(tree: tuple) -> set[str]:
    """The alarm names a parsed rule refers to."""
    if tree[0] == "state":
        return {tree[2]}
    if tree[0] == "const":
        return set()
    return set().union(*(rule_children(t) for t in tree[1:]))


def evaluate_rule(tree: tuple, states: dict[str, str]) -> bool:
    """True when the rule holds for the children's ``states`` (name -> state).

    Example
    -------
    >>> tree = parse_alarm_rule('ALARM("dlq") AND NOT ALARM("deploy")')
    >>> evaluate_rule(tree, {"dlq": "ALARM", "deploy": "OK"}), evaluate_rule(tree, {"dlq": "ALARM", "deploy": "ALARM"})
    (True, False)
    """
    kind = tree[0]
    if kind == "state":
        return states.get(tree[2]) == tree[1]
    if kind == "const":
        return bool(tree[1])
    if kind == "not":
        return not evaluate_rule(tree[1], states)
    if kind == "and":
        return evaluate_rule(tree[1], states) and evaluate_rule(tree[2], states)
    return evaluate_rule(tree[1], states) or evaluate_rule(tree[2], states)
