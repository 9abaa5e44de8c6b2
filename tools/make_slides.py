"""reveal.js slides of every notebook (student edition), one slide per section.

Usage
-----
python tools/make_slides.py [--out build/slides] [--reveal-prefix URL] [NN ...]

The slide metadata is chosen here, at build time, from the notebook's headings; the
notebooks themselves are never edited:

- a markdown cell that starts with ``#`` or ``##`` opens a new slide;
- ``###`` opens a sub-slide (below its section's slide, reached with the down arrow);
- every other cell continues the slide of its section (``-``).

nbconvert's SlidesExporter writes ``NN_name.slides.html``; reveal.js is loaded from
``--reveal-prefix`` (nbconvert's default: its CDN, so present from a machine online).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.course.student import student_notebook  # noqa: E402


def slide_type(cell) -> str:
    """The reveal.js role of one cell, from its first line.

    Example
    -------
    >>> from nbformat.v4 import new_markdown_cell, new_code_cell
    >>> [slide_type(c) for c in (new_markdown_cell("## Fan-out"), new_markdown_cell("### A detail"),
    ...                          new_markdown_cell("Text"), new_code_cell("# comment"))]
    ['slide', 'subslide', '-', '-']
    """
    if cell.cell_type != "markdown":
        return "-"
    first = cell.source.lstrip().split("\n", 1)[0]
    if first.startswith(("# ", "## ")):
        return "slide"
    if first.startswith("### "):
        return "subslide"
    return "-"


def with_slides(notebook):
    """A copy of ``notebook`` with ``metadata.slideshow.slide_type`` on every cell."""
    out = nbformat.from_dict(nbformat.reads(nbformat.writes(notebook), as_version=4))
    for index, cell in enumerate(out.cells):
        kind = slide_type(cell)
        cell.metadata["slideshow"] = {"slide_type": "slide" if index == 0 else kind}
    return out


def main(argv: list[str]) -> int:
    from nbconvert import SlidesExporter

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    parser.add_argument("--reveal-prefix", default=None, help="where reveal.js is served from")
    parser.add_argument("only", nargs="*", help="notebook numbers (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    exporter = SlidesExporter()
    if args.reveal_prefix:
        exporter.reveal_url_prefix = args.reveal_prefix
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if args.only and not any(path.name.startswith(f"{int(n):02d}") for n in args.only):
            continue
        notebook = with_slides(student_notebook(nbformat.read(path, as_version=4)))
        body, _ = exporter.from_notebook_node(notebook)
        target = args.out / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        slides = sum(c.metadata["slideshow"]["slide_type"] == "slide" for c in notebook.cells)
        print(f"{slides:3d} slides  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
