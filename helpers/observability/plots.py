"""Plots for notebook 07: queue metrics, alarm states over time, one trace as a timeline.

Each function takes an optional ``ax`` (or draws its own figure) and returns the figure
(a :class:`helpers.platform.plotting.CourseFigure`, shown as PNG).

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"queue": ["orders"] * 2, "metric": ["NumberOfMessagesSent"] * 2,
...                       "minute": [0, 1], "value": [3.0, 5.0]})
>>> type(plot_queue_metrics(frame, ["NumberOfMessagesSent"])).__name__
'CourseFigure'
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..platform.plotting import new_figure

__all__ = ["plot_queue_metrics", "plot_alarm_timeline", "plot_trace", "STATE_COLOURS"]

#: The console's colours for alarm states.
STATE_COLOURS = {"OK": "#2ca02c", "ALARM": "#d62728", "INSUFFICIENT_DATA": "#bbbbbb"}
_SHORT = {"ApproximateNumberOfMessagesVisible": "messages visible",
          "ApproximateAgeOfOldestMessage": "age of oldest message (s)",
          "NumberOfMessagesSent": "sent / minute", "NumberOfMessagesReceived": "received / minute",
          "NumberOfMessagesDeleted": "deleted / minute"}


def plot_queue_metrics(frame: pd.DataFrame, metrics: list[str], *, title: str = "",
                       label: str = "AWS/SQS metrics, one-minute periods") -> Any:
    """One panel per metric, one line per queue (frame from :func:`sqs_metrics`)."""
    fig, axes = new_figure(size=(9.0, 2.1 * len(metrics)), nrows=len(metrics), sharex=True)
    axes = [axes] if len(metrics) == 1 else list(axes)
    for ax, metric in zip(axes, metrics, strict=True):
        part = frame[frame["metric"] == metric]
        for queue, rows in part.groupby("queue", sort=False):
            ax.step(rows["minute"], rows["value"], where="post", label=queue, linewidth=1.6)
        ax.set_ylabel(_SHORT.get(metric, metric), fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left", ncols=4)
    axes[0].set_title(title or label)
    axes[-1].set_xlabel("minute of the day (clock)")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def plot_alarm_timeline(history: pd.DataFrame, end: float, ax: Any = None) -> Any:
    """Each alarm's state over time, from :func:`alarm_history` (``StateUpdate`` rows)."""
    fig, ax = new_figure(ax, size=(9.0, 0.6 + 0.5 * history["alarm"].nunique()))
    alarms = list(dict.fromkeys(history["alarm"]))
    for y, alarm in enumerate(alarms):
        rows = history[history["alarm"] == alarm]
        state, since = "INSUFFICIENT_DATA", float(rows["time"].min())
        for _, row in rows[rows["type"] == "StateUpdate"].iterrows():
            ax.barh(y, row["time"] - since, left=since / 1, color=STATE_COLOURS[state], height=0.6)
            state, since = row["summary"].rsplit(" ", 1)[-1], float(row["time"])
        ax.barh(y, end - since, left=since, color=STATE_COLOURS[state], height=0.6)
    ax.set_yticks(range(len(alarms)), alarms)
    ax.set_xlabel("clock seconds")
    ax.set_title("alarm state (DescribeAlarmHistory)")
    ax.legend(handles=[Patch(color=c, label=s) for s, c in STATE_COLOURS.items()], fontsize=8,
              loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def plot_trace(trace: pd.DataFrame, ax: Any = None) -> Any:
    """One trace as an X-Ray-style timeline: a bar per segment, failures red, the slowest
    segment that is work (not a wait in a queue or bus) outlined."""
    fig, ax = new_figure(ax, size=(9.0, 0.5 + 0.32 * len(trace)))
    t0 = float(trace["start"].min())
    span = max(float(trace["end"].max()) - t0, 1.0)
    waiting = trace["origin"].astype(str).str.contains("AWS::SQS|AWS::Events")
    work = trace[~waiting] if (~waiting).any() else trace
    slowest = work["duration_ms"].idxmax()
    for y, (index, seg) in enumerate(trace.iterrows()):
        colour = "#d62728" if seg["error"] else ("#9ecae1" if waiting[index] else "#1f77b4")
        ax.barh(y, max(seg["end"] - seg["start"], span / 150), left=seg["start"] - t0, color=colour,
                edgecolor="black" if index == slowest else colour, linewidth=2 if index == slowest else 0)
        ax.text(seg["end"] - t0, y, f" {seg['duration_ms']:,.0f} ms", va="center", fontsize=7)
    ax.set_yticks(range(len(trace)), trace["name"].tolist())
    ax.invert_yaxis()
    ax.set_xlabel("seconds since checkout")
    ax.set_xlim(0, span * 1.12)  # room for the duration labels
    order = trace["order_id"].dropna()
    ax.set_title(f"One order's hops drawn as one trace ({order.iloc[0] if len(order) else ''}; "
                 "a drawing: on AWS, SQS -> Lambda starts a linked trace)\n"
                 "red = failed segment, outlined = slowest work, light = waiting in a queue or bus",
                 fontsize=9)
    return fig
