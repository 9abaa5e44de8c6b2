"""make test-aws's plumbing, run here on the server backend (no AWS account, no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from aws_run import differences  # noqa: E402

TOOL = [sys.executable, str(ROOT / "tools" / "aws_run.py")]


def test_without_yes_it_prints_the_cost_first_and_runs_nothing(tmp_path):
    # WHEN an instructor runs make test-aws without opting in
    done = subprocess.run([*TOOL, "--out", str(tmp_path)], capture_output=True, text=True,
                          check=True, timeout=60)
    # THEN the estimated cost is the first line, and nothing ran or was written
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Estimated cost: about $") and "on AWS" in lines[0]
    assert "Nothing was run: add --yes" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_failing_notebook_is_still_torn_down_and_its_difference_listed(tmp_path, monkeypatch):
    # GIVEN a notebook that creates a queue, then fails before its own teardown
    cells = [nbformat.v4.new_code_cell(s) for s in (
        "import helpers\nenv = helpers.connect(quiet=True)",
        "env.client('sqs').create_queue(QueueName=env.name('left-behind'))\nprint('created')",
        "raise RuntimeError('half-way')",
        "print('never')")]
    path = tmp_path / "nb" / "00_x.ipynb"
    path.parent.mkdir()
    committed = nbformat.v4.new_notebook(cells=cells)
    cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="created\n")]
    cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="never\n")]
    nbformat.write(committed, path)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    out = tmp_path / "out"
    # WHEN make test-aws runs it (on the local server backend, opted in)
    done = subprocess.run([*TOOL, "--backend", "server", "--yes", "--out", str(out),
                           "--notebooks", str(path.parent)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    ran = nbformat.read(out / path.name, as_version=4)
    # THEN the later cells still ran, and the extra teardown deleted the queue
    assert ran.cells[3].outputs[0]["text"] == "never\n"
    assert "deleted 1 resource" in ran.metadata["securecart_cleanup"]
    assert "left-behind" in ran.metadata["securecart_cleanup"]
    # AND the failing cell is the one row of the differences table, with both answers
    assert "00_x: 1 cell(s) differ" in done.stdout
    table = (out / "differences.md").read_text()
    assert "| 00 | 2 |" in table and "RuntimeError: half-way" in table
    assert differences(nbformat.read(path, as_version=4), ran, "00") == table.strip().splitlines()[-1:]
