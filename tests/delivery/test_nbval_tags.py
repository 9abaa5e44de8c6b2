"""tools/nbval_tags.py: nbval's comment markers become cell tags, nothing else changes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from nbval_tags import retag  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TOOL = [sys.executable, str(ROOT / "tools" / "nbval_tags.py")]


def _marked(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "# NBVAL_" in c.source]


@pytest.mark.parametrize("path", NOTEBOOKS[:1] + NOTEBOOKS[-1:], ids=lambda p: p.stem)
def test_markers_become_tags_and_outputs_stay(tmp_path, path):
    # GIVEN a committed notebook, copied
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    before = nbformat.read(path, as_version=4)
    marked = _marked(before)
    # WHEN the tool runs on it, twice
    first = subprocess.run([*TOOL, str(copy)], capture_output=True, text=True, check=True)
    once = copy.read_bytes()
    subprocess.run([*TOOL, str(copy)], capture_output=True, text=True, check=True)
    after = nbformat.read(copy, as_version=4)
    # THEN every marked cell lost its comment line and carries nbval's tag instead
    for index in marked:
        cell = after.cells[index]
        assert "NBVAL_" not in cell.source
        assert {"nbval-ignore-output", "nbval-skip"} & set(cell.metadata["tags"])
        assert before.cells[index].source.endswith(cell.source)
    assert (f"cells {marked} now tagged" in first.stdout) == bool(marked)
    # AND outputs and execution counts are as committed (nothing re-executed)
    for want, got in zip(before.cells, after.cells, strict=True):
        assert want.get("outputs") == got.get("outputs")
        assert want.get("execution_count") == got.get("execution_count")
    # AND the second run changed nothing
    assert copy.read_bytes() == once
    # AND --check is now clean
    assert subprocess.run([*TOOL, "--check", str(copy)], capture_output=True).returncode == 0


def test_check_names_a_cell_still_marked(tmp_path):
    # GIVEN a notebook with a marker comment and a cell merely mentioning the word
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("# NBVAL_SKIP\nslow()"),
        nbformat.v4.new_code_cell("print('# NBVAL_SKIP in a string')"),
    ])
    path = tmp_path / "00_x.ipynb"
    nbformat.write(nb, path)
    # WHEN checked
    done = subprocess.run([*TOOL, "--check", str(path)], capture_output=True, text=True)
    # THEN it fails naming cell 0 only, and leaves the file alone
    assert done.returncode == 1 and "cells [0]" in done.stdout
    assert nbformat.read(path, as_version=4).cells[0].source == "# NBVAL_SKIP\nslow()"
    assert retag(nb) == [0] and nb.cells[0].metadata["tags"] == ["nbval-skip"]
