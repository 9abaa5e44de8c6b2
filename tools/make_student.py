"""Student copies of the notebooks: solutions replaced by their starters.

Usage
-----
python tools/make_student.py                 the working copy in workbook/ (made once: an
                                             existing copy is never overwritten)
python tools/make_student.py --fresh 03      a fresh copy of notebook 03 (the old one is kept
                                             as workbook/03_....ipynb.bak)
python tools/make_student.py --out DIR       the student edition of every notebook in DIR

Each cell tagged ``solution`` gets the starter code stored in its metadata and loses its
outputs; the exercise's check cell loses its outputs too (its committed ✔ would give the
answer away). Every other cell is copied as committed, outputs included.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from helpers.course.student import WORKBOOK_DIR, make_working_copy, student_notebook

ROOT = Path(__file__).resolve().parents[1]


def student_copy(path: Path, out_dir: Path) -> Path:
    """Write the student edition of the notebook ``path`` into ``out_dir`` (overwriting)."""
    target = Path(out_dir) / Path(path).name
    nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="write every student edition here (overwrites)")
    parser.add_argument("--fresh", metavar="NB", help="replace the working copy of notebook NB")
    parser.add_argument("--workbook", type=Path, default=ROOT / WORKBOOK_DIR)
    args = parser.parse_args(argv)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            print(f"wrote {student_copy(path, args.out)}")
        return 0
    done = make_working_copy(ROOT / "notebooks", args.workbook, only=args.fresh,
                             fresh=args.fresh is not None)
    if args.fresh is not None and not done:
        print(f"no notebook starts with {args.fresh!r} in notebooks/", file=sys.stderr)
        return 2
    for path, what in done:
        print(f"{what:>8}  {path.relative_to(args.workbook.parent) if path.is_relative_to(args.workbook.parent) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
