"""Student copies: solution cells replaced by their starters, and the student's working copy.

``make lab`` calls :func:`make_working_copy` (through ``tools/make_student.py``): the student
edition of every notebook in ``workbook/`` (git-ignored), made once and never overwritten,
so a student's edits survive ``git pull`` and every later ``make lab``. ``make fresh NB=03``
replaces one notebook's copy (keeping the old one as ``.bak``). ``make lab-instructor``
opens ``notebooks/``, with the solutions.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..platform.errors import NotReadyError

__all__ = ["blank_solutions", "student_notebook", "make_working_copy", "SOLUTION_TAG",
           "STARTER_KEY", "WORKBOOK_DIR"]

# -- the student version -----------------------------------------------------------------
#: Cell tag of the solution cells and the metadata key of their starting code.
SOLUTION_TAG = "solution"
STARTER_KEY = "starter"


def blank_solutions(notebook: Any) -> Any:
    """The student version of a notebook: each ``solution`` cell replaced by its starter code.

    Parameters
    ----------
    notebook
        An ``nbformat`` notebook (or its dict); it is not changed.

    Returns
    -------
    A copy whose cells tagged ``solution`` hold ``metadata["starter"]`` and no outputs.

    Raises
    ------
    NotReadyError
        A solution cell without starter code.

    Example
    -------
    >>> nb = {"cells": [{"cell_type": "code", "source": "X = 3", "outputs": [],
    ...                  "metadata": {"tags": ["solution"], "starter": "X = None  # TODO"}}]}
    >>> blank_solutions(nb)["cells"][0]["source"]
    'X = None  # TODO'
    """
    out = copy.deepcopy(notebook)
    for index, cell in enumerate(out["cells"]):
        meta = cell.get("metadata", {})
        if SOLUTION_TAG not in meta.get("tags", []):
            continue
        if STARTER_KEY not in meta:
            raise NotReadyError(
                f"Solution cell {index} has no starter code in its metadata ({STARTER_KEY!r}): "
                "add the code a student starts from.")
        cell["source"] = meta[STARTER_KEY]
        cell["outputs"] = []
        cell["execution_count"] = None
    return out


def student_notebook(notebook: Any) -> Any:
    """The student edition: :func:`blank_solutions`, and no output on an exercise's later cells.

    The check cell after a solution (every code cell after it with the same
    ``metadata["exercise"]``, or the next code cell when there is none) loses its outputs,
    since its committed ✔ would give the answer away. Every other cell keeps its outputs, so
    the copy reads well before anything is run.

    Example
    -------
    >>> nb = {"cells": [
    ...     {"cell_type": "code", "source": "X = 3", "outputs": [], "execution_count": 1,
    ...      "metadata": {"tags": ["solution"], "starter": "X = None", "exercise": "x"}},
    ...     {"cell_type": "code", "source": "check(X)", "outputs": ["✔"], "execution_count": 2,
    ...      "metadata": {"exercise": "x"}},
    ...     {"cell_type": "code", "source": "plot()", "outputs": ["fig"], "execution_count": 3,
    ...      "metadata": {}}]}
    >>> [c["outputs"] for c in student_notebook(nb)["cells"]]
    [[], [], ['fig']]
    """
    out = blank_solutions(notebook)
    cells = out["cells"]
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {})
        if SOLUTION_TAG not in meta.get("tags", []):
            continue
        name = meta.get("exercise")
        if not isinstance(name, str):  # ``"exercise": true`` marks a cell, it names nothing
            name = None
        later = [c for c in cells[index + 1:] if c.get("cell_type") == "code"]
        following = ([c for c in later if c.get("metadata", {}).get("exercise") == name]
                     if name else later[:1]) or later[:1]
        for other in following:
            other["outputs"] = []
            other["execution_count"] = None
    return out


#: The folder of the student's working copy, at the top of the project (git-ignored). Not
#: under notebooks/: nbval collects that folder recursively.
WORKBOOK_DIR = "workbook"


def make_working_copy(source: Path | str, target: Path | str, *, only: str | None = None,
                      fresh: bool = False) -> list[tuple[Path, str]]:
    """Write the student edition of each notebook in ``source`` to ``target``, never overwriting.

    Parameters
    ----------
    source
        The folder of the committed notebooks (``notebooks/``).
    target
        The working copy's folder (``workbook/``), created when missing.
    only
        Only the notebooks whose name starts with this (``"03"``).
    fresh
        Replace the copies of the chosen notebooks with new ones; the old copy is kept next
        to it as ``<name>.ipynb.bak`` (``.bak2``... when that exists).

    Returns
    -------
    list of (path, what)
        ``"created"``, ``"kept"`` (it existed: a student's edits survive) or
        ``"fresh (old copy: <name>)"``.

    Example
    -------
    >>> import tempfile, pathlib, nbformat
    >>> src, dst = (pathlib.Path(tempfile.mkdtemp()) for _ in range(2))
    >>> nbformat.write(nbformat.v4.new_notebook(), src / "03_lab.ipynb")
    >>> [what for _, what in make_working_copy(src, dst)], [w for _, w in make_working_copy(src, dst)]
    (['created'], ['kept'])
    """
    import nbformat

    source, target = Path(source), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path, str]] = []
    for path in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        if only is not None and not path.name.startswith(str(only)):
            continue
        copy = target / path.name
        what = "created"
        if copy.exists():
            if not fresh:
                done.append((copy, "kept"))
                continue
            n, backup = 1, copy.with_name(copy.name + ".bak")
            while backup.exists():
                n += 1
                backup = copy.with_name(f"{copy.name}.bak{n}")
            copy.rename(backup)
            what = f"fresh (old copy: {backup.name})"
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), copy)
        done.append((copy, what))
    return done
