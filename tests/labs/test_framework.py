"""The course framework: layers that import downward only, short modules, and Run All is safe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
LAB1 = ROOT / "notebooks" / "03_lab1_sqs_order_processing.ipynb"
#: Longest a helpers module may be (the style guide: "modules under about 500 lines").
MAX_MODULE_LINES = 500


def test_layers_and_acyclic_contracts_are_kept():
    # WHEN import-linter checks pyproject's contracts (layers + no cycles)
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "lint-imports"), "--no-cache"], cwd=ROOT,
                         capture_output=True, text=True)
    # THEN both are kept and none is broken
    assert "Contracts: 3 kept, 0 broken." in run.stdout, run.stdout + run.stderr
    assert run.returncode == 0


def test_the_lab_packages_are_short_modules():
    owned = [*(ROOT / "helpers" / "lab1").glob("*.py"), *(ROOT / "helpers" / "course").glob("*.py"),
             *(ROOT / "helpers" / "sqs").glob("*.py")]
    long = {p.name: n for p in owned if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, long


AFTER_TEARDOWN = [
    "helpers.lab1.panel(env)",
    "helpers.lab1.run_panel_experiment(env)",
    'helpers.lab1.check("exercise 1")',
    'helpers.lab1.check("exercise 2")',
    'helpers.lab1.check("exercise 3")',
    'helpers.lab1.check("exercise 4")',
]


def _lines(cell) -> list[str]:
    lines: list[str] = []
    for out in cell.outputs:
        if out.output_type == "error":
            lines += out.traceback
        elif out.output_type == "stream":
            lines += out.text.strip().splitlines()
        else:
            lines += out.get("data", {}).get("text/plain", "").strip().splitlines()
    return lines


@pytest.mark.notebooks
def test_run_all_then_the_panel_and_every_check_say_one_line(tmp_path):
    # GIVEN notebook 03 run top to bottom (Restart Kernel and Run All: the last cell tears down)
    nb = nbformat.read(LAB1, as_version=4)
    extra = [nbformat.v4.new_code_cell(src) for src in AFTER_TEARDOWN]
    nb.cells += extra
    # WHEN the panel and each check run afterwards
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    # THEN the notebook itself ran cleanly and each extra cell says in one line what to run
    body = [c for c in nb.cells[:-len(extra)] if c.cell_type == "code"]
    assert not [c.source for c in body if any(o.output_type == "error" for o in c.outputs)]
    for cell in extra:
        lines = _lines(cell)
        assert len(lines) == 1, (cell.source, lines)
        assert "helpers.connect" in lines[0], (cell.source, lines)
