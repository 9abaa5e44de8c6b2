"""What Lab 3's checks share: the lab's hint book and a per-environment run counter.

Example
-------
>>> from helpers.lab3.common import MODULE
>>> MODULE
'helpers.lab3'
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ..course.checks import HintBook
from ..course.grading import book_of

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["MODULE", "lab_book", "next_run"]

#: The module whose check and hint calls the notebook makes.
MODULE = "helpers.lab3"


def lab_book(env: Environment) -> HintBook:
    """The hint tiers Lab 3's exercises have reached in this environment."""
    return book_of(env, MODULE)


def next_run(env: Environment) -> int:
    """A per-environment counter for the checks' fresh resources (same names on every run)."""
    if not hasattr(env, "_lab3_runs"):
        env._lab3_runs = itertools.count(1)
    return next(env._lab3_runs)
