"""The notebook's views over a day: operator metrics, business metric math, metrics vs the log,
one order's trace.

Example
-------
>>> import helpers
>>> from helpers.observability_lab import build_pipeline, run_day
>>> env = helpers.connect(quiet=True)
>>> pipe = build_pipeline(env)
>>> day = run_day(env, pipe, orders=10, minutes=2, drain_minutes=3)
>>> table = metrics_vs_log(env, pipe, day)
>>> bool((table["AWS/SQS metric"] == table["env.log"]).all())
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import pandas as pd

from ..observability.metrics import get_metrics, log_counts_per_minute, minute_floor, sqs_metrics
from ..observability.traces import get_traces
from .pipeline import BUSINESS_NAMESPACE, DayRun, Pipeline

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["operator_metrics", "business_math", "metrics_vs_log", "order_trace"]


def _window(env: Environment, day: DayRun) -> tuple[dt.datetime, int]:
    start = env.clock.now() - dt.timedelta(seconds=env.clock.elapsed() - day.start)
    minutes = math.ceil((env.clock.elapsed() - day.start) / 60)
    return minute_floor(start), minutes


def operator_metrics(env: Environment, pipe: Pipeline, day: DayRun) -> pd.DataFrame:
    """The operator metrics of the four queues over the day; ``minute`` = minutes into the day."""
    start, minutes = _window(env, day)
    return sqs_metrics(env, pipe.queues, minutes=minutes, end=start + dt.timedelta(minutes=minutes))


def business_math(env: Environment, day: DayRun) -> pd.DataFrame:
    """``SecureCart/Orders`` per minute and the metric-math expression ``charged - shipped``.

    Columns ``minute``, ``accepted``, ``charged``, ``shipped``, ``charged - shipped``.
    """
    start, minutes = _window(env, day)

    def stat(qid: str, name: str, show: bool = True) -> dict:
        return {"Id": qid, "ReturnData": show, "Label": name, "MetricStat": {
            "Metric": {"Namespace": BUSINESS_NAMESPACE, "MetricName": name}, "Period": 60, "Stat": "Sum"}}

    queries = [stat("a", "OrdersAccepted"), stat("c", "OrdersCharged"), stat("s", "OrdersShipped"),
               {"Id": "gap", "Expression": "c - s", "Label": "charged - shipped"}]
    frame = get_metrics(env, queries, start, start + dt.timedelta(minutes=minutes))
    wide = frame.pivot_table(index="minute", columns="id", values="value", aggfunc="sum")
    wide = wide.reindex(columns=["a", "c", "s", "gap"])
    wide.columns = ["accepted", "charged", "shipped", "charged - shipped"]
    return wide.astype("Int64")


def metrics_vs_log(env: Environment, pipe: Pipeline, day: DayRun) -> pd.DataFrame:
    """Sent, received and deleted on the orders queue: the metrics' sums next to ``env.log``'s."""
    metrics = operator_metrics(env, pipe, day)
    part = metrics[(metrics["queue"] == "orders")]
    counted = log_counts_per_minute(env, pipe.orders.name, since=day.log_mark).sum()
    rows = []
    for metric, column in (("NumberOfMessagesSent", "sent"), ("NumberOfMessagesReceived", "received"),
                           ("NumberOfMessagesDeleted", "deleted")):
        rows.append({"metric": metric, "AWS/SQS metric": int(part.loc[part["metric"] == metric, "value"].sum()),
                     "env.log": int(counted[column])})
    return pd.DataFrame(rows).set_index("metric")


def order_trace(env: Environment, logs: pd.DataFrame, order_id: str) -> pd.DataFrame:
    """The X-Ray segments of one order, found through its trace id in the logs."""
    ids = logs.loc[logs["order_id"] == order_id, "trace_id"].dropna().unique().tolist()
    return get_traces(env, ids)
