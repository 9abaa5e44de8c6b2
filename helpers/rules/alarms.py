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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Evaluation", "evaluate", "TREATMENTS", "COMPARISONS", "EXTRA_RANGE_PERIODS",
           "math_tree", "math_series"]

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
