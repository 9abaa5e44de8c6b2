"""Lab 1 exercises: each check fails on the student's starter code and passes with the solution.

The exercise cells of the notebook carry ``metadata.exercise`` (setup, solution and check
cells of one exercise share the name); solution cells are tagged ``solution`` and keep their
starter code in ``metadata.starter`` (:func:`helpers.lab1.blank_solutions` swaps it in). The
in-process tests run those cells against a fresh environment; the notebook test executes the
whole student version in a kernel.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import helpers
import helpers.lab1
from helpers.course.student import student_notebook
from helpers.lab1 import SOLUTION_TAG, STARTER_KEY, blank_solutions

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03_lab1_sqs_order_processing.ipynb"
EXERCISES = ("dlq", "idempotency", "visibility", "fifo")


def _cells(nb, name: str) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("exercise") == name]


def _run(env, cells):
    """Run an exercise's cells as a notebook would; returns the check cell's verdict."""
    namespace = {"helpers": helpers, "json": json, "env": env}
    for cell in cells[:-1]:
        exec(compile(cell.source, f"<exercise cell {cell.metadata['exercise']}>", "exec"), namespace)
    return eval(compile(cells[-1].source, "<check cell>", "eval"), namespace)


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_every_exercise_has_a_solution_with_a_starter_and_a_check(notebook):
    # GIVEN the committed notebook
    names = [c.metadata.get("exercise") for c in notebook.cells if c.metadata.get("exercise")]
    # THEN there are the four exercises, each ending in its check
    assert list(dict.fromkeys(names)) == list(EXERCISES)
    for name in EXERCISES:
        cells = _cells(notebook, name)
        solutions = [c for c in cells if SOLUTION_TAG in c.metadata.get("tags", [])]
        assert len(solutions) == 1 and solutions[0].metadata[STARTER_KEY].strip()
        assert solutions[0].metadata[STARTER_KEY] != solutions[0].source
        assert cells[-1].source == f'helpers.lab1.check("exercise {EXERCISES.index(name) + 1}")'


@pytest.mark.parametrize("name", EXERCISES)
def test_check_passes_with_the_solution(env, notebook, name):
    # GIVEN the exercise's cells as committed (with the solution)
    # WHEN they run against a fresh environment
    verdict = _run(env, _cells(notebook, name))
    # THEN the check passes
    assert verdict and repr(verdict).startswith("✔ "), verdict


@pytest.mark.parametrize("name", EXERCISES)
def test_check_fails_on_the_starter(env, notebook, name):
    # GIVEN the student version of the exercise (solution replaced by its starter)
    student = blank_solutions(notebook)
    # WHEN its cells run against a fresh environment
    verdict = _run(env, _cells(student, name))
    # THEN the check fails with the concept hint, and not the answer
    exercise = helpers.lab1.EXERCISES[f"exercise {EXERCISES.index(name) + 1}"]
    assert not verdict and repr(verdict).startswith("✘ "), verdict
    assert "Hint 1/3 (concept)" in repr(verdict) and exercise.hints.answer not in repr(verdict)


@pytest.mark.notebooks
def test_student_version_runs_and_every_check_fails(tmp_path):
    # GIVEN the student version of the notebook, in a working-copy folder outside notebooks/
    student = student_notebook(nbformat.read(NOTEBOOK, as_version=4))
    # WHEN it is executed top to bottom in a kernel there
    NotebookClient(student, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    # THEN no cell fails and every check prints a ✘ hint
    checks = [c for c in student.cells if c.cell_type == "code"
              and c.source.startswith("helpers.lab1.check(")]
    assert len(checks) == len(EXERCISES)
    for cell in student.cells:
        assert not [o for o in cell.get("outputs", []) if o["output_type"] == "error"], cell.source
    for cell in checks:
        text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert text.startswith("✘ "), (cell.source, text)
