"""The base of every experiment's result: the numbers, its slice of ``env.log``, a figure, a summary.

An experiment function returns a dataclass built on :class:`OneRun` (one run) or
:class:`ManyRuns` (a sweep). Its ``repr`` is a deterministic text summary, so a notebook cell
that ends with the result shows the same lines on every run and nbval can compare them.

Example
-------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(repr=False)
... class Demo(OneRun):
...     sent: int
...     def summary(self):
...         return f"{self.sent} orders sent"
>>> Demo(3, frame=pd.DataFrame())
3 orders sent
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Result", "OneRun", "ManyRuns", "labelled"]

def labelled(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The frame with full queue names replaced by stable labels (same plot on every run)."""
    if not labels:
        return frame
    names = sorted(labels, key=len, reverse=True)
    out = frame.copy()
    out["resource"] = out["resource"].replace(labels)
    detail = out["detail"].astype("object")
    for name in names:
        detail = detail.where(detail.isna(), detail.astype(str).str.replace(name, labels[name], regex=False))
    out["detail"] = detail
    return out



class Result:
    """Base of the experiment results: ``repr`` is the summary, ``figure()`` the plot."""

    def summary(self) -> str:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def figure(self) -> Figure:  # pragma: no cover - every result overrides it
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()


@dataclass(repr=False)
class OneRun(Result):
    """A result of one run: ``frame`` is its slice of ``env.log``; ``labels`` name its queues.

    Both fields are keyword-only, so each result lists its numbers first.
    """

    frame: pd.DataFrame = field(repr=False, kw_only=True)
    labels: dict[str, str] = field(default_factory=dict, repr=False, kw_only=True)

    def labelled_frame(self) -> pd.DataFrame:
        """``frame`` with the run's queue names replaced by ``labels`` (same plot every run)."""
        return labelled(self.frame, self.labels)


@dataclass(repr=False)
class ManyRuns(Result):
    """A result of several runs: ``frames`` per run (keyword-only), ``frame`` all of them."""

    frames: dict[Any, pd.DataFrame] = field(repr=False, kw_only=True)

    @property
    def frame(self) -> pd.DataFrame:
        """Every run's rows, in run order."""
        return pd.concat(self.frames.values(), ignore_index=True)
