"""Write the student copies of the notebooks: solutions replaced by their starters.

Usage: python tools/make_student.py [OUT_DIR]   (default: build/student)

Each cell tagged ``solution`` gets the starter code stored in its metadata and loses its
outputs; the check cell right after it loses its outputs too (its committed ✔ would give
the answer away). Everything else is copied as committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from helpers.lab1 import SOLUTION_TAG, blank_solutions

ROOT = Path(__file__).resolve().parents[1]


def student_copy(path: Path, out_dir: Path) -> Path:
    nb = blank_solutions(nbformat.read(path, as_version=4))
    for cell, following in zip(nb.cells, nb.cells[1:], strict=False):
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []) and following.cell_type == "code":
            following["outputs"] = []
            following["execution_count"] = None
    target = out_dir / path.name
    nbformat.write(nb, target)
    return target


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else ROOT / "build" / "student"
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        print(f"wrote {student_copy(path, out_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
