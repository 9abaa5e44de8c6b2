"""The timeline of one execution: a bar per state from entered to exited, in history order.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"t": [0.0, 0.0, 6.0], "event": ["ExecutionStarted",
...     "TaskStateEntered", "TaskStateExited"], "state": ["", "Charge", "Charge"], "detail": ""})
>>> timeline(frame).axes[0].get_xlabel()
'execution history event (in order); t = clock time entered (simulated on moto)'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..platform.plotting import new_figure

__all__ = ["timeline"]


def _spans(frame: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(state, first event id, last event id) for each state entered, in history order."""
    spans, entered = [], {}
    for k, row in enumerate(frame.itertuples()):
        if row.event.endswith("StateEntered"):
            entered[row.state] = k
        elif row.event.endswith("StateExited") and row.state in entered:
            spans.append((row.state, entered.pop(row.state), k))
    for state, first in entered.items():  # entered, never exited (a Fail state, or running)
        spans.append((state, first, len(frame) - 1))
    return sorted(spans, key=lambda s: s[1])


def timeline(frame: pd.DataFrame, *, ax: Any = None, title: str = "") -> Any:
    """Each state as a bar over the history events it spans, in order; its clock time printed.

    The x axis is the execution history (event 0, 1, 2 ...), so the order of the states, the
    retries (dots, one per ``TaskScheduled``) and a ``Catch`` (an arrow from the failed state to
    its handler) show even when every state ran at the same simulated second. The label at the
    end of each bar is the clock time when the state was entered (the Retry backoff moves it).
    """
    fig, ax = new_figure(ax, size=(9.0, 3.6))
    frame = frame.reset_index(drop=True)
    spans = _spans(frame)
    failed = set(frame.loc[frame["event"].isin(["TaskFailed", "TaskTimedOut"]), "state"])
    exited_failed = {s for s in failed if not (frame[(frame["state"] == s)
                                                      & (frame["event"] == "TaskSucceeded")]).size}
    names = list(dict.fromkeys(s for s, _, _ in spans))
    for state, first, last in spans:
        y = names.index(state)
        red = state in exited_failed or state.endswith("Failed")
        ax.barh(y, max(last - first, 0.6), left=first, color="tab:red" if red else "tab:blue",
                height=0.5)
        ax.annotate(f"t={frame.loc[first, 't']:g} s", (max(last, first + 0.6), y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=7)
    for k, (state, _, last) in enumerate(spans[:-1]):
        after = spans[k + 1]
        if state in exited_failed and not state.endswith("Failed"):
            ax.annotate("Catch", xy=(after[1], names.index(after[0])),
                        xytext=(last - 3, names.index(state) + 0.75), fontsize=8,
                        color="tab:red", ha="right", va="center",
                        arrowprops={"arrowstyle": "->", "color": "tab:red"})
    scheduled = frame.index[frame["event"] == "TaskScheduled"]
    ax.scatter(scheduled, [names.index(s) for s in frame.loc[scheduled, "state"]], color="black",
               s=12, zorder=3, label="attempt (TaskScheduled)")
    for k in scheduled:  # a retry after a backoff: its own clock time
        entered = next(first for state, first, _ in spans if state == frame.loc[k, "state"])
        if frame.loc[k, "t"] != frame.loc[entered, "t"]:
            ax.annotate(f"t={frame.loc[k, 't']:g} s", (k, names.index(frame.loc[k, "state"])),
                        xytext=(0, 7), textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(-0.5, len(frame) + 3)
    ax.set_xlabel("execution history event (in order); t = clock time entered "
                  "(simulated on moto)")
    ax.legend(loc="lower left", fontsize=8)
    if title:
        ax.set_title(title)
    return fig
