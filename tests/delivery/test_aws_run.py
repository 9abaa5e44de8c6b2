"""make test-aws's plumbing, run here on the server backend (no AWS account, no network)."""

from __future__ import annotations

import re
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


def test_on_aws_the_plan_is_the_short_scenario_with_its_time_and_baseline(tmp_path):
    # WHEN an instructor asks for the plan of the AWS run, then of the full one
    short = subprocess.run([*TOOL, "--out", str(tmp_path), "03"], capture_output=True,
                           text=True, check=True, timeout=60).stdout
    full = subprocess.run([*TOOL, "--full", "--out", str(tmp_path), "03"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    # THEN short is the default, compared with moto short, and cheaper and quicker than full
    assert "in the short scenario" in short and "baseline: moto, short scenario" in short
    assert "in the full scenario" in full and "baseline: the committed moto outputs" in full

    def figures(text):
        found = [re.search(pattern, text)[1].replace(",", "") for pattern in (
            r"about \$(\S+) on AWS", r"about ([\d,]+) requests", r"\(([\d,.]+) simulated seconds")]
        return [float(x) for x in found]

    (short_cost, short_calls, short_seconds) = figures(short)
    (full_cost, full_calls, full_seconds) = figures(full)
    assert short_cost < full_cost and short_calls < full_calls and 0 < short_seconds < full_seconds
    assert "Estimated real time: about" in short and list(tmp_path.iterdir()) == []


def test_a_short_run_is_compared_with_moto_short_not_the_committed_outputs(tmp_path, monkeypatch):
    # GIVEN a notebook whose committed (full) output is a full-scenario size
    cells = [nbformat.v4.new_code_cell(s) for s in (
        "import helpers\nenv = helpers.connect(quiet=True)",
        "env.client('sqs').create_queue(QueueName=env.name('sized'))\n"
        "print(env.scenario, env.sized(None, full=80, short=12))",
        "env.sleep(env.sized(None, full=600, short=60))\nprint(env.teardown())")]
    cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="full 80\n")]
    path = tmp_path / "nb" / "00_x.ipynb"
    path.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    out = tmp_path / "out"
    # WHEN make test-aws runs it in the short scenario (on the local server backend)
    done = subprocess.run([*TOOL, "--backend", "server", "--scenario", "short", "--yes", "--out",
                           str(out), "--notebooks", str(path.parent)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    # THEN moto ran it short first, as the baseline, and the server run agrees with it
    baseline = nbformat.read(out / "moto-short" / path.name, as_version=4)
    ran = nbformat.read(out / path.name, as_version=4)
    assert baseline.cells[1].outputs[0]["text"] == ran.cells[1].outputs[0]["text"] == "short 12\n"
    table = (out / "differences.md").read_text()
    assert table.startswith("# Where server (short scenario) answered differently from moto, "
                            "short scenario") and "No cell differs." in table
    # AND both runs were torn down, their clock seconds and requests measured
    assert "deleted 1 resource" in ran.cells[2].outputs[0]["text"]
    assert ran.metadata["securecart_measure"]["seconds"] == 60.0
    assert baseline.metadata["securecart_measure"]["requests"] >= 2
    assert "00_x: 0 cell(s) differ (60.0 s on the clock" in done.stdout
