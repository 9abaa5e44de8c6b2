"""The course as a website: the student edition of every notebook, outputs as committed.

Usage
-----
python tools/build_book.py [--out build/book]        (what ``make book`` runs)

Sphinx with MyST-NB and the Sphinx Book Theme (all from PyPI; nothing is fetched at build
time, so it builds offline and on CI). Pages are the student editions (solutions replaced by
their starters, their checks without output), never executed: plots, tables and texts are the
committed outputs. Each page has a launch button to Binder that opens the same notebook in
``workbook/`` (binder/postBuild makes it there). Jupyter Book 2 (mystmd) was the first
choice, but it downloads its site theme at build time, which an offline CI cannot.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from make_student import student_copy  # noqa: E402

#: The repository's address: pyproject.toml's [project.urls] Repository (one place to change).
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
BINDER = "https://mybinder.org"

CONF = '''\
project = "SecureCart: event-driven microservices on AWS"
author = "The SecureCart workbook authors"
extensions = ["myst_nb"]
nb_execution_mode = "off"
nb_output_stderr = "show"
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
exclude_patterns = ["_build"]
html_theme = "sphinx_book_theme"
html_title = "SecureCart workbook"
html_theme_options = {{
    "repository_url": {repository!r},
    "repository_branch": "main",
    "path_to_docs": "workbook",
    "use_repository_button": True,
    "launch_buttons": {{"binderhub_url": {binder!r}, "notebook_interface": "jupyterlab"}},
}}
'''


def _title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def index_page(notebooks: list[Path]) -> str:
    """The home page: what the course is, how to run it, and the contents."""
    rows = "\n".join(f"| [{_title(p)}]({p.stem}.ipynb) | `{p.name}` |" for p in notebooks)
    toc = "\n".join(p.stem for p in notebooks)
    return f"""# SecureCart: event-driven microservices on AWS

SecureCart, an online shop, moves from a monolith to services joined by Amazon SQS, SNS
and EventBridge. Each page is a notebook of the course as a student receives it: read it
here with its committed outputs, or run it.

**Run it**: the rocket button at the top of each page opens the notebook on Binder (no
install); or on your machine, `make lab` in a clone of [the repository]({REPOSITORY}).
No AWS account is needed: everything runs on moto, with simulated time.

| notebook | file |
|---|---|
{rows}

```{{toctree}}
:hidden:
:maxdepth: 1

{toc}
```
"""


def build(out: Path) -> Path:
    source = out / "source"
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in notebooks:
        student_copy(path, source)
    (source / "index.md").write_text(index_page(notebooks))
    (source / "conf.py").write_text(CONF.format(repository=REPOSITORY, binder=BINDER))
    html = out / "html"
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(source),
                    str(html)], check=True)
    return html


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "book")
    args = parser.parse_args(argv)
    html = build(args.out)
    pages = sorted(p.name for p in html.glob("*.html") if p.name not in {"genindex.html", "search.html"})
    print(f"{len(pages)} pages in {html}: open {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
