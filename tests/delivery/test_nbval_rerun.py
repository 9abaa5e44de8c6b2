"""tools/nbval_rerun.py: with --nbval-rerun, nbval runs each notebook twice in one kernel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def _notebook(path: Path, *cells: tuple[str, ...]) -> Path:
    """A notebook whose code cells carry the given source, then its committed stdout (in as
    many stream outputs as given: a kernel may split one print)."""
    nb = nbformat.v4.new_notebook()
    for count, (source, *stdout) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in stdout]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def _nbval(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tools")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-p", "nbval_rerun",
         "--nbval", *options, str(path)],
        capture_output=True, text=True, env=env, cwd=path.parent, timeout=300)


def test_a_cell_that_only_works_once_fails_on_the_rerun_and_only_there(tmp_path):
    # GIVEN a notebook whose second cell counts how often it ran in this kernel
    path = _notebook(tmp_path / "counts.ipynb",
                     ("print('hello')", "hello\n"),
                     ("runs = globals().get('runs', 0) + 1\nprint(runs)", "1\n"))
    # WHEN nbval runs it without, then with, --nbval-rerun
    once = _nbval(path)
    twice = _nbval(path, "--nbval-rerun")
    # THEN one pass passes both cells; the re-run executes both again in the same kernel,
    # where the counter says 2 and only its second run fails
    assert "2 passed" in once.stdout, once.stdout
    assert "1 failed, 3 passed" in twice.stdout, twice.stdout
    assert "counts.ipynb::Cell 1 (re-run)" in twice.stdout
    assert "Cell 0 (re-run)" not in twice.stdout.split("short test summary")[-1]


def test_a_notebook_that_reruns_cleanly_passes_both_passes(tmp_path):
    # GIVEN a notebook that assigns rather than accumulates
    path = _notebook(tmp_path / "clean.ipynb", ("runs = 1\nprint(runs)", "1\n"))
    # WHEN nbval runs it with --nbval-rerun
    result = _nbval(path, "--nbval-rerun", "-vv")  # -q is already given
    # THEN the cell ran and was compared twice, in that order
    assert "2 passed" in result.stdout, result.stdout
    assert result.stdout.index("Cell 0 PASSED") < result.stdout.index("Cell 0 (re-run) PASSED")


def test_a_committed_output_split_in_two_streams_is_compared_alike_on_both_passes(tmp_path):
    # GIVEN a cell whose committed stdout came in two stream messages
    path = _notebook(tmp_path / "split.ipynb", ("print('a')\nprint('b')", "a\n", "b\n"))
    # WHEN nbval runs it with --nbval-rerun
    result = _nbval(path, "--nbval-rerun")
    # THEN both passes pass: the first pass's merging of the reference did not leak into the second
    assert "2 passed" in result.stdout, result.stdout
