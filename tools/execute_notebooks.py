"""Execute notebooks in place so they are committed with fresh outputs.

Usage: python tools/execute_notebooks.py notebooks/00_welcome_and_setup.ipynb [...]
(no arguments: every notebook). Runs each in a fresh kernel from the notebooks folder, with
SECURECART_BACKEND unset (moto), and fails on the first cell error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    os.environ.pop("SECURECART_BACKEND", None)
    os.environ.pop("SECURECART_ENDPOINT_URL", None)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        execute(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
