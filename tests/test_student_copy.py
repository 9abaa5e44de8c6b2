"""`make student`: the student copy holds starters, not solutions, and gives no answer away."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from make_student import student_copy  # noqa: E402

LAB1 = ROOT / "notebooks" / "03_lab1_sqs_order_processing.ipynb"


def test_student_copy_has_starters_and_no_answers(tmp_path):
    # GIVEN the committed Lab 1 notebook with solutions
    committed = nbformat.read(LAB1, as_version=4)
    solutions = [i for i, c in enumerate(committed.cells) if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) >= 4
    # WHEN the student copy is written
    copy = nbformat.read(student_copy(LAB1, tmp_path), as_version=4)
    # THEN each solution cell holds its starter, and it and its check show no output
    for index in solutions:
        cell, check = copy.cells[index], copy.cells[index + 1]
        assert cell.source == committed.cells[index].metadata["starter"]
        assert cell.source != committed.cells[index].source
        assert cell.outputs == [] and check.outputs == []
        assert "check_" in check.source
    # AND every other cell is as committed
    others = [i for i in range(len(copy.cells)) if i not in solutions and i - 1 not in solutions]
    assert all(copy.cells[i].source == committed.cells[i].source for i in others)
