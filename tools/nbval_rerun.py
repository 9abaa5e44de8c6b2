"""pytest plugin: nbval runs every notebook twice in one kernel and compares both runs.

Students run a notebook top to bottom, then again in the same kernel. With ``--nbval-rerun``
each notebook's cells are collected a second time, after its last cell and under the same
parent, so nbval executes them again in the kernel the first pass used and compares each
output with the committed one, with the same sanitizers. One pass of nbval thus checks a
fresh kernel and a re-run, instead of executing every notebook a third time elsewhere.

Load it with ``PYTHONPATH=tools pytest -p nbval_rerun --nbval --nbval-rerun notebooks``
(``make nbval`` does).

Example
-------
>>> rerun_name("Cell 4")
'Cell 4 (re-run)'
"""

from __future__ import annotations

import copy

import pytest

__all__ = ["rerun_name"]

OPTION = "--nbval-rerun"


def rerun_name(name: str) -> str:
    """The name of a cell's second run (nbval names the first ``Cell N``)."""
    return f"{name} (re-run)"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("nbval").addoption(
        OPTION, action="store_true", default=False,
        help="after a notebook's last cell, run every cell again in the same kernel and "
             "compare those outputs too")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption(OPTION):
        return
    from nbval.plugin import IPyNbCell

    result: list[pytest.Item] = []
    pending: list[IPyNbCell] = []

    def flush() -> None:
        # Same parent, so pytest keeps the notebook's kernel up between the two passes. A copy
        # of the committed cell: nbval's comparison merges a cell's split stream outputs in
        # place, so the first pass would leave the second one a doubled reference.
        result.extend(
            IPyNbCell.from_parent(cell.parent, name=rerun_name(cell.name), cell_num=cell.cell_num,
                                  cell=copy.deepcopy(cell.cell), options=cell.options)
            for cell in pending)
        pending.clear()

    for item in items:
        if pending and (not isinstance(item, IPyNbCell) or item.parent is not pending[-1].parent):
            flush()
        result.append(item)
        if isinstance(item, IPyNbCell):
            pending.append(item)
    flush()
    items[:] = result
