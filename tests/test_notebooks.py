"""Notebook checks beyond nbval: every notebook run twice in one kernel gives its committed
outputs the second time too (students re-run cells), notebooks are independent of each other
(run here in reverse order, each in a fresh kernel), and committed notebooks are clean.

nbval (``make nbval`` / ``make nbval-server``) covers a single fresh-kernel run per backend.
"""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SANITIZE = ROOT / "notebooks" / "nbval_sanitize.cfg"
#: Longest a code cell may be, in lines (style: narrative plus short cells).
MAX_CELL_LINES = 15


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(SANITIZE)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


#: nbval's cell tags (tools/nbval_tags.py moves the older comment markers into them).
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def _ignored(cell: dict) -> bool:
    """nbval does not compare this cell's output: a tag, or (until retagged) a comment marker."""
    source = "".join(cell.get("source", ""))
    tags = set(cell.get("metadata", {}).get("tags", []))
    return bool(IGNORE_TAGS & tags) or "NBVAL_IGNORE_OUTPUT" in source or "NBVAL_SKIP" in source


def _coalesce(outputs: list[dict]) -> list[dict]:
    """Merge consecutive stream outputs of one stream (the kernel may split a print)."""
    merged: list[dict] = []
    for out in outputs:
        if (out["output_type"] == "stream" and merged and merged[-1]["output_type"] == "stream"
                and merged[-1]["name"] == out["name"]):
            merged[-1] = {**merged[-1], "text": "".join(merged[-1]["text"]) + "".join(out["text"])}
        else:
            merged.append(out)
    return merged


def _texts(outputs: list[dict], patterns: list[tuple[re.Pattern[str], str]]) -> list[str]:
    texts = []
    for out in _coalesce(outputs):
        if out["output_type"] == "stream":
            text = f"{out['name']}: {''.join(out['text'])}"
        elif out["output_type"] == "error":
            text = f"ERROR {out['ename']}: {out['evalue']}"
        else:
            text = "".join(out.get("data", {}).get("text/plain", ""))
        for regex, replace in patterns:
            text = regex.sub(replace, text)
        texts.append(text)
    return texts


@pytest.mark.notebooks
@pytest.mark.parametrize("path", list(reversed(NOTEBOOKS)), ids=lambda p: p.stem)
def test_rerun_in_same_kernel_matches_committed_outputs(path: Path) -> None:
    # GIVEN the committed notebook
    committed = nbformat.read(path, as_version=4)
    patterns = _patterns()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    # WHEN every cell runs twice, top to bottom, in one kernel
    with client.setup_kernel():
        for _ in range(2):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
    # THEN the second run shows what the committed notebook shows
    for index, (want, got) in enumerate(zip(committed.cells, nb.cells, strict=True)):
        if want.cell_type != "code" or _ignored(want):
            continue
        assert _texts(got.outputs, patterns) == _texts(want.outputs, patterns), (
            f"{path.name} cell {index} differs on the second run:\n{''.join(want.source)}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_clean(path: Path) -> None:
    # GIVEN a committed notebook
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # THEN every code cell ran, none failed, none is long, none defines logic
    # (student handlers live only in cells tagged "solution" or "exercise")
    assert code, "no code cells"
    first = "".join(code[0]["source"])
    assert _ignored(code[0]) and "helpers.versions()" in first
    assert "helpers.connect(" in "".join(code[1]["source"])
    assert "env.teardown()" in "".join(code[-1]["source"])
    for cell in code:
        source = "".join(cell["source"])
        tags = cell.get("metadata", {}).get("tags", [])
        assert cell.get("execution_count") is not None, f"unexecuted cell: {source[:60]}"
        assert not [o for o in cell["outputs"] if o["output_type"] == "error"], source[:60]
        assert len(source.strip().splitlines()) <= MAX_CELL_LINES, f"cell too long: {source[:60]}"
        if not {"solution", "exercise"} & set(tags):
            assert not re.search(r"^\s*(def|class) ", source, re.M), f"logic in notebook: {source[:60]}"
    ignored = sum(_ignored(c) for c in code)
    assert ignored <= 2, f"{ignored} cells skip output comparison"
