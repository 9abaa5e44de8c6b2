"""Move nbval's comment markers into cell tags, so a student's cells show no test machinery.

Usage
-----
python tools/nbval_tags.py [notebooks...]          rewrite in place (default: notebooks/NN_*)
python tools/nbval_tags.py --check [notebooks...]  exit 1, naming the cells, if a marker is left

A code cell whose source has a line ``# NBVAL_IGNORE_OUTPUT`` (or ``# NBVAL_SKIP``, ...) loses
that line and gains the tag nbval reads instead (``nbval-ignore-output``, ``nbval-skip``).
Nothing is executed: sources, outputs and execution counts stay as committed, so nbval's
comparison is unchanged. Running it again changes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

#: nbval's comment markers and the cell tags with the same meaning (nbval's documentation).
MARKERS = {
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_RAISES_EXCEPTION": "nbval-raises-exception",
}
_LINE = re.compile(r"^[ \t]*#[ \t]*(" + "|".join(MARKERS) + r")[ \t]*\r?\n?", re.M)


def retag_source(source: str) -> tuple[str, list[str]]:
    """The source without marker lines, and the tags those lines stood for.

    Example
    -------
    >>> retag_source("# NBVAL_IGNORE_OUTPUT\\nhelpers.versions()")
    ('helpers.versions()', ['nbval-ignore-output'])
    >>> retag_source("print('NBVAL_SKIP is only text here')")
    ("print('NBVAL_SKIP is only text here')", [])
    """
    tags = [MARKERS[m.group(1)] for m in _LINE.finditer(source)]
    return (_LINE.sub("", source) if tags else source), tags


def retag(notebook) -> list[int]:
    """Move every marker of ``notebook`` (an nbformat notebook) into tags; the changed cells."""
    changed = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        source, tags = retag_source(cell.source)
        if not tags:
            continue
        cell.source = source
        have = cell.metadata.setdefault("tags", [])
        have.extend(tag for tag in tags if tag not in have)
        changed.append(index)
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report markers, change nothing")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    left = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        changed = retag(notebook)
        if not changed:
            continue
        if args.check:
            left += len(changed)
            print(f"{path}: cells {changed} carry an NBVAL_ comment (run tools/nbval_tags.py)")
        else:
            nbformat.write(notebook, path)
            print(f"{path}: cells {changed} now tagged")
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
