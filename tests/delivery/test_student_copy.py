"""The student working copy (`make lab`): starters instead of answers, made once, never overwritten."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import helpers.lab1
from helpers.course.student import make_working_copy

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from make_student import student_copy  # noqa: E402

LAB1 = ROOT / "notebooks" / "03_lab1_sqs_order_processing.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _solutions(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if "solution" in c.metadata.get("tags", [])]


def test_student_copy_has_starters_and_no_answers(tmp_path):
    # GIVEN the committed Lab 1 notebook with solutions
    committed = nbformat.read(LAB1, as_version=4)
    solutions = _solutions(committed)
    assert len(solutions) >= 4
    # WHEN the student copy is written
    copy = nbformat.read(student_copy(LAB1, tmp_path), as_version=4)
    # THEN each solution cell holds its starter, and it and its check show no output
    for index in solutions:
        cell, check = copy.cells[index], copy.cells[index + 1]
        assert cell.source == committed.cells[index].metadata["starter"]
        assert cell.source != committed.cells[index].source
        assert cell.outputs == [] and check.outputs == []
        assert "helpers.lab1.check(" in check.source
    # AND no answer appears anywhere in the copy (sources or outputs)
    text = nbformat.writes(copy)
    for exercise in helpers.lab1.EXERCISES.values():
        assert exercise.hints.answer not in text
    for index in solutions:
        starter = committed.cells[index].metadata["starter"]
        answer = [line.strip() for line in committed.cells[index].source.splitlines()
                  if line.strip() and line not in starter]
        assert answer and not [line for line in answer if line in text], answer
    assert "✔ exercise" not in text
    # AND every other cell is as committed, outputs included
    others = [i for i in range(len(copy.cells)) if i not in solutions and i - 1 not in solutions]
    assert all(copy.cells[i].source == committed.cells[i].source for i in others)
    assert all(copy.cells[i].get("outputs") == committed.cells[i].get("outputs") for i in others)


def test_working_copy_is_made_once_and_never_overwritten(tmp_path):
    # GIVEN a working copy made by `make lab`
    workbook = tmp_path / "workbook"
    first = make_working_copy(ROOT / "notebooks", workbook)
    assert [what for _, what in first] == ["created"] * len(NOTEBOOKS)
    # AND a student's edit in it
    mine = workbook / LAB1.name
    nb = nbformat.read(mine, as_version=4)
    nb.cells[_solutions(nb)[0]].source = "MAX_RECEIVE_COUNT = 7  # my answer"
    nbformat.write(nb, mine)
    # WHEN `make lab` runs again
    again = make_working_copy(ROOT / "notebooks", workbook)
    # THEN nothing is overwritten and the edit survives
    assert [what for _, what in again] == ["kept"] * len(NOTEBOOKS)
    assert "my answer" in mine.read_text()
    # AND `make fresh NB=03` replaces only that notebook, keeping the old copy
    fresh = make_working_copy(ROOT / "notebooks", workbook, only="03", fresh=True)
    assert [(p.name, w) for p, w in fresh] == [(LAB1.name, f"fresh (old copy: {LAB1.name}.bak)")]
    assert "my answer" not in mine.read_text()
    assert "my answer" in (workbook / f"{LAB1.name}.bak").read_text()


def test_the_working_copy_is_git_ignored_and_outside_notebooks():
    # nbval collects notebooks/ recursively: the copy must live elsewhere, and never be committed
    ignored = subprocess.run(["git", "check-ignore", "-q", "workbook/03_x.ipynb"], cwd=ROOT)
    assert ignored.returncode == 0
    makefile = (ROOT / "Makefile").read_text()
    assert "tools/lab.py workbook" in makefile and "tools/lab.py notebooks" in makefile


def test_make_student_cli_keeps_an_existing_copy(tmp_path):
    workbook = tmp_path / "workbook"
    run = [sys.executable, str(ROOT / "tools" / "make_student.py"), "--workbook", str(workbook)]
    out1 = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    out2 = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert out1.count("created") == len(NOTEBOOKS) and out2.count("kept") == len(NOTEBOOKS)


def test_make_fresh_takes_nb_3_and_keeps_the_old_copy_with_its_time(tmp_path):
    # GIVEN a working copy with a student's edit in notebook 03
    workbook = tmp_path / "workbook"
    make_working_copy(ROOT / "notebooks", workbook)
    mine = workbook / LAB1.name
    mine.write_text(mine.read_text().replace("MAX_RECEIVE_COUNT", "MY_EDIT", 1))
    run = [sys.executable, str(ROOT / "tools" / "make_student.py"), "--workbook", str(workbook)]
    # WHEN `make fresh NB=3` runs twice (as a student might)
    outs = [subprocess.run([*run, "--fresh", "3"], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    # THEN it says to close the notebook first, and names where the old copy went
    assert "Close 03_" in outs[0] and "choose Revert" in outs[0]
    backups = sorted(workbook.glob("03_*.bak.ipynb"))
    assert len(backups) == 2 and all(re.search(r"\.\d{4}-\d\d-\d\dT\d{4}(-2)?\.bak\.ipynb$", b.name)
                                     for b in backups), backups
    assert any("MY_EDIT" in b.read_text() for b in backups)
    # AND the fresh copy is the student edition again, other notebooks untouched
    assert "MY_EDIT" not in mine.read_text()
    assert len(list(workbook.glob("*.ipynb"))) == len(NOTEBOOKS) + 2
    # AND an unknown notebook is one clear line
    bad = subprocess.run([*run, "--fresh", "42"], capture_output=True, text=True)
    assert bad.returncode == 2 and "no notebook starts with '42'" in bad.stderr


def test_student_branch_holds_the_student_edition_and_what_it_needs(tmp_path):
    # GIVEN an empty repository (a classroom's remote, say)
    git_dir = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir)], check=True)
    run = [sys.executable, str(ROOT / "tools" / "student_branch.py"), "--git-dir", str(git_dir)]
    # WHEN make student-branch runs twice
    first = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    second = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    # THEN the first commits the branch and the second finds nothing new
    assert "committed" in first and "nothing to commit" in second
    git = ["git", "--git-dir", str(git_dir)]
    names = subprocess.run([*git, "ls-tree", "-r", "--name-only", "student"], capture_output=True,
                           text=True, check=True).stdout.split()
    assert [n for n in names if n.endswith(".ipynb")] == [p.name for p in NOTEBOOKS]
    assert {"helpers/__init__.py", "pyproject.toml", "requirements/lock.txt", "LICENSE",
            "README.md"} <= set(names)
    assert not [n for n in names if n.startswith(("notebooks/", "tests/", "tools/"))]
    # AND Lab 1 on the branch carries starters, not answers
    lab1 = subprocess.run([*git, "show", f"student:{LAB1.name}"], capture_output=True, text=True,
                          check=True).stdout
    for exercise in helpers.lab1.EXERCISES.values():
        assert exercise.hints.answer not in lab1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_no_student_edition_shows_a_passed_check(tmp_path, path):
    # GIVEN / WHEN the student edition of each notebook
    text = nbformat.writes(nbformat.read(student_copy(path, tmp_path), as_version=4))
    # THEN no check's committed ✔ is left in it (it would give the answer away), whatever the
    # solution cells' "exercise" metadata holds (a name, or just true)
    assert "✔ exercise" not in text and "\\u2714 exercise" not in text
