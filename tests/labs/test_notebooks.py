"""Committed notebooks are clean: every cell ran, none failed, none is long or holds logic.

Execution is nbval's: ``make nbval`` runs every notebook from a fresh kernel and then again in
the same kernel (``tools/nbval_rerun.py``), comparing both passes with the committed outputs;
``make nbval-server`` runs them over HTTP in reverse order, so no notebook leans on another.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Longest a code cell may be, in lines (style: narrative plus short cells).
MAX_CELL_LINES = 15


#: nbval's cell tags (tools/nbval_tags.py moves the older comment markers into them).
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def _ignored(cell: dict) -> bool:
    """nbval does not compare this cell's output: a tag, or (until retagged) a comment marker."""
    source = "".join(cell.get("source", ""))
    tags = set(cell.get("metadata", {}).get("tags", []))
    return bool(IGNORE_TAGS & tags) or "NBVAL_IGNORE_OUTPUT" in source or "NBVAL_SKIP" in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_clean(path: Path) -> None:
    # GIVEN a committed notebook
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # THEN every code cell ran, none failed, none is long, none defines logic
    # (student handlers live only in cells tagged "solution" or "exercise")
    assert code, "no code cells"
    first = "".join(code[0]["source"])
    # the versions line is compared too (notebooks/nbval_sanitize.cfg evens out Python's patch
    # version and the backend variable; the packages are pinned by the lock)
    assert not _ignored(code[0]) and "helpers.versions()" in first
    assert "helpers.connect(" in "".join(code[1]["source"])
    assert "env.teardown()" in "".join(code[-1]["source"])
    for cell in code:
        source = "".join(cell["source"])
        tags = cell.get("metadata", {}).get("tags", [])
        assert cell.get("execution_count") is not None, f"unexecuted cell: {source[:60]}"
        assert not [o for o in cell["outputs"] if o["output_type"] == "error"], source[:60]
        assert len(source.strip().splitlines()) <= MAX_CELL_LINES, f"cell too long: {source[:60]}"
        assert "NBVAL_" not in source, f"test marker shown to students (use a tag): {source[:60]}"
        if not {"solution", "exercise"} & set(tags):
            assert not re.search(r"^\s*(def|class) ", source, re.M), f"logic in notebook: {source[:60]}"
    ignored = sum(_ignored(c) for c in code)
    assert ignored == 0, f"{ignored} cells skip output comparison"
