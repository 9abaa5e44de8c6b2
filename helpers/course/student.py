"""Student copies: solution cells replaced by their starters.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..platform.errors import NotReadyError

if TYPE_CHECKING:  # pragma: no cover

    pass

__all__ = ["blank_solutions", "SOLUTION_TAG", "STARTER_KEY"]

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
