"""The timeline of one execution: a bar per state from entered to exited.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"t": [0.0, 0.0, 6.0], "event": ["ExecutionStarted",
...     "TaskStateEntered", "TaskStateExited"], "state": ["", "Charge", "Charge"], "detail": ""})
>>> timeline(frame).axes[0].get_xlabel()
'seconds since the execution started (simulated clock on moto)'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..platform.plotting import new_figure

__all__ = ["timeline"]


def timeline(frame: pd.DataFrame, *, ax: Any = None, title: str = "") -> Any:
    """Bars per state (from :func:`history_frame`): failures red, retries as dots."""
    fig, ax = new_figure(ax, size=(8.0, 3.2))
    spans, entered = [], {}
    for row in frame.itertuples():
        if row.event.endswith("StateEntered"):
            entered[row.state] = row.t
        elif row.event.endswith("StateExited") and row.state in entered:
            spans.append((row.state, entered.pop(row.state), row.t))
    for state, start in entered.items():  # entered, never exited (a Fail state, or still running)
        spans.append((state, start, max(frame["t"].max(), start)))
    failed = set(frame.loc[frame["event"].isin(["TaskFailed", "TaskTimedOut"]), "state"])
    names = list(dict.fromkeys(s for s, _, _ in spans))
    for state, start, end in spans:
        y = names.index(state)
        color = "tab:red" if state in failed or state.endswith("Failed") else "tab:blue"
        ax.barh(y, max(end - start, 0.05), left=start, color=color, height=0.5)
    scheduled = frame[frame["event"] == "TaskScheduled"]
    ax.scatter(scheduled["t"], [names.index(s) for s in scheduled["state"]], color="black",
               s=12, zorder=3, label="attempt (TaskScheduled)")
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the execution started (simulated clock on moto)")
    ax.legend(loc="lower right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig
