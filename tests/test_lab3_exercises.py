"""Lab 3 exercises from notebook 05: each check fails on the starter and passes with the solution."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import helpers
import helpers.lab3

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_lab3_eventbridge_workflows.ipynb"
EXERCISES = ("restock-pattern", "transformer", "audit-route")


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def _run(env, nb, name: str, starter: bool):
    shop = helpers.lab3.build_shop(env)
    namespace = {"helpers": helpers, "json": json, "env": env, "shop": shop,
                 "SECURITY_BUS": helpers.lab3.experiment_audit(env, shop).bus}
    verdict = None
    for cell in (c for c in nb.cells if c.cell_type == "code" and c.metadata.get("exercise") == name):
        source = cell.metadata["starter"] if starter and "starter" in cell.metadata else cell.source
        if "check" in source and "=" not in source.split("(")[0]:
            verdict = eval(compile(source, name, "eval"), namespace)
        else:
            exec(compile(source, name, "exec"), namespace)
    return verdict


@pytest.mark.parametrize("name", EXERCISES)
def test_check_fails_on_the_starter_and_passes_with_the_solution(env, notebook, name):
    starter = _run(env, notebook, name, starter=True)
    assert not starter and starter.cause == "missing"
    assert _run(env, notebook, name, starter=False)


# -- catalogues: known-wrong answers with their cause, right answers written differently ----------
WRONG_PATTERNS = [
    (None, "missing"),
    ({"detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.inventory"]}, "too-broad"),
    ({"source": [{"prefix": "securecart.inventory"}], "detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.inventory"], "detail-type": [{"prefix": "Inventory"}]}, "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"anything-but": ["InventoryRestocked"]}]},
     "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"prefix": "InventoryLow"}]}, "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"equals-ignore-case": "inventorylow"}]},
     "too-broad"),
    ({"source": ["securecart.inventory", "securecart.test"], "detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.Inventory"], "detail-type": ["InventoryLow"]}, "matches-nothing"),
    ({"source": ["securecart.inventory"], "detail-type": ["inventorylow"]}, "matches-nothing"),
]
RIGHT_PATTERNS = [
    {"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]},
    {"detail-type": ["InventoryLow"], "source": ["securecart.inventory"], "detail": {"sku": [{"exists": True}]}},
    {"source": ["securecart.inventory"], "detail-type": ["InventoryLow", "InventoryLow"]},
]


@pytest.mark.parametrize("pattern, cause", WRONG_PATTERNS)
def test_restock_pattern_catalogue(env, pattern, cause):
    verdict = helpers.lab3.check_restock_pattern(env, pattern)
    assert not verdict and verdict.cause == cause, (pattern, verdict)
    assert not [t for t in helpers.lab3.checks.ANSWER_TOKENS["exercise 1"] if t in verdict.text()]


@pytest.mark.parametrize("pattern", RIGHT_PATTERNS)
def test_restock_pattern_right_answers_written_differently(env, pattern):
    assert helpers.lab3.check_restock_pattern(env, pattern), pattern
