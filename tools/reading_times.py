"""The time each notebook takes a student to read and run, for the README's table.

Usage: python tools/reading_times.py     (prints markdown rows; paste them into README.md)

An estimate from the notebook itself: its narrative read at 150 words a minute (technical
text) plus three-quarters of a minute per code cell (run it, read its output), plus
10 minutes per exercise (cells tagged ``solution``). Rounded to 5 minutes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_CELL = 0.75
MINUTES_PER_EXERCISE = 10


def minutes(notebook) -> int:
    """Estimated minutes to read and run ``notebook``, rounded to 5 (at least 5).

    Example
    -------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("word " * 1500)])
    >>> minutes(nb)
    10
    """
    words = sum(len(re.findall(r"\w+", c.source)) for c in notebook.cells if c.cell_type == "markdown")
    code = sum(c.cell_type == "code" for c in notebook.cells)
    exercises = sum("solution" in c.metadata.get("tags", []) for c in notebook.cells)
    total = words / WORDS_PER_MINUTE + code * MINUTES_PER_CODE_CELL + exercises * MINUTES_PER_EXERCISE
    return max(5, 5 * round(total / 5))


def main() -> int:
    print("| notebook | read and run |\n|---|---|")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        print(f"| `{path.stem}` | about {minutes(nbformat.read(path, as_version=4))} min |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main() if not sys.argv[1:] else 2)
