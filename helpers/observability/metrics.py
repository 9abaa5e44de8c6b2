"""CloudWatch metrics: the SQS metrics an operator watches, read back into pandas.

On AWS, SQS publishes the ``AWS/SQS`` metrics of every active queue each minute; on moto the
stand-in in :mod:`helpers.emulation.cloudwatch` publishes the same metrics on the simulated
clock (emulated on moto). Either way the reading code is the same ``GetMetricData`` call.
Your own (business) metrics go to your own namespace with ``PutMetricData``: AWS keeps the
``AWS/`` namespaces for its services.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> url = env.client("sqs").create_queue(QueueName=env.name("m"))["QueueUrl"]
>>> _ = env.client("sqs").send_message(QueueUrl=url, MessageBody="{}")
>>> env.sleep(60)
>>> frame = sqs_metrics(env, {"m": env.name("m")}, ["NumberOfMessagesSent"], minutes=1)
>>> frame["value"].tolist()
[1.0]
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..platform import limits
from ..platform.errors import InvalidParameterError
from ..platform.inputs import count, finite, one_of

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["SQS_NAMESPACE", "OPERATOR_METRICS", "metric_query", "get_metrics", "sqs_metrics",
           "put_metric", "log_counts_per_minute", "minute_floor"]

#: The namespace SQS publishes its queue metrics in.
SQS_NAMESPACE = "AWS/SQS"
#: The metrics an operator watches, with the statistic that reads each one.
OPERATOR_METRICS = {
    "ApproximateNumberOfMessagesVisible": "Maximum",
    "ApproximateAgeOfOldestMessage": "Maximum",
    "NumberOfMessagesSent": "Sum",
    "NumberOfMessagesReceived": "Sum",
    "NumberOfMessagesDeleted": "Sum",
}
_PERIOD = limits.SQS_METRICS_PERIOD_SECONDS


def minute_floor(when: dt.datetime) -> dt.datetime:
    """``when`` rounded down to the minute (GetMetricData aligns one-minute periods so)."""
    return when.replace(second=0, microsecond=0)


def metric_query(query_id: str, metric: str, queue_name: str, stat: str | None = None, *,
                 namespace: str = SQS_NAMESPACE, period: int = _PERIOD, label: str | None = None,
                 dimension: str = "QueueName", return_data: bool = True) -> dict[str, Any]:
    """One ``MetricDataQueries`` entry (a ``MetricStat``) for a queue's metric.

    Example
    -------
    >>> metric_query("v", "ApproximateNumberOfMessagesVisible", "orders")["MetricStat"]["Stat"]
    'Maximum'
    """
    return {"Id": query_id, "Label": label or f"{queue_name} {metric}", "ReturnData": return_data,
            "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": metric,
                                      "Dimensions": [{"Name": dimension, "Value": queue_name}]},
                           "Period": period, "Stat": stat or OPERATOR_METRICS.get(metric, "Sum")}}


def _check_expression(query: Any) -> None:
    """Refuse a metric-math expression that cannot be complete (before GetMetricData)."""
    expression = query.get("Expression") if isinstance(query, dict) else None
    if expression is None:
        return
    text = expression.strip() if isinstance(expression, str) else ""
    depth, balanced = 0, True
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        balanced = balanced and depth >= 0
    problem = ("is empty" if not text else "ends with an operator" if text[-1] in "+-*/^,("
               else "starts with an operator" if text[0] in "*/^,)"
               else "has unbalanced parentheses" if depth or not balanced else None)
    if problem:
        raise InvalidParameterError(
            f"Expression {expression!r} (query {query.get('Id')!r}) {problem}: a metric-math "
            "expression combines query ids, numbers and functions, e.g. 'm1 + m2' or "
            "'SUM(METRICS())' (GetMetricData, MetricDataQuery.Expression). Fix: complete the "
            "expression.")


def get_metrics(env: Environment, queries: list[dict[str, Any]], start: dt.datetime,
                end: dt.datetime) -> pd.DataFrame:
    """Run ``GetMetricData`` (all pages) and return one row per datapoint.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``label``, ``timestamp`` (UTC), ``minute`` (minutes since ``start``),
        ``value``; oldest first.
    """
    for query in queries:
        _check_expression(query)
    cw = env.client("cloudwatch")
    rows: list[dict[str, Any]] = []
    for first in range(0, len(queries), limits.CLOUDWATCH_GET_METRIC_DATA_MAX_QUERIES):
        chunk = queries[first:first + limits.CLOUDWATCH_GET_METRIC_DATA_MAX_QUERIES]
        kwargs: dict[str, Any] = {"MetricDataQueries": chunk, "StartTime": start, "EndTime": end,
                                  "ScanBy": "TimestampAscending"}
        while True:
            page = cw.get_metric_data(**kwargs)
            for result in page["MetricDataResults"]:
                for stamp, value in zip(result["Timestamps"], result["Values"], strict=True):
                    rows.append({"id": result["Id"], "label": result.get("Label", result["Id"]),
                                 "timestamp": stamp, "value": float(value)})
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    frame = pd.DataFrame(rows, columns=["id", "label", "timestamp", "value"])
    if len(frame):
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
        frame = frame.sort_values(["id", "timestamp"], kind="stable").reset_index(drop=True)
    base = pd.Timestamp(start).tz_convert("UTC") if pd.Timestamp(start).tzinfo else pd.Timestamp(start, tz="UTC")
    frame.insert(3, "minute", ((frame["timestamp"] - base).dt.total_seconds() // 60).astype(int)
                 if len(frame) else pd.Series(dtype=int))
    return frame


def sqs_metrics(env: Environment, queues: dict[str, str], metrics: list[str] | None = None, *,
                minutes: int = 30, end: dt.datetime | None = None) -> pd.DataFrame:
    """The operator metrics of several queues over the last ``minutes`` (one-minute periods).

    Parameters
    ----------
    queues
        ``label -> queue name`` (e.g. ``{"orders": "securecart-nb07-orders"}``).
    metrics
        Metric names (default :data:`OPERATOR_METRICS`).

    Returns
    -------
    pandas.DataFrame
        Columns ``queue`` (the label), ``metric``, ``timestamp``, ``minute``, ``value``.
    """
    minutes = count(minutes, "minutes", minimum=1, rule="the window of one-minute periods",
                    fix="minutes=30")
    metrics = list(metrics or OPERATOR_METRICS)
    end = minute_floor(end or env.clock.now())
    start = end - dt.timedelta(minutes=minutes)
    queries, names = [], {}
    for qi, (label, name) in enumerate(queues.items()):
        for mi, metric in enumerate(metrics):
            qid = f"q{qi}m{mi}"
            names[qid] = (label, metric)
            queries.append(metric_query(qid, metric, name))
    frame = get_metrics(env, queries, start, end)
    frame.insert(0, "queue", [names[i][0] for i in frame["id"]])
    frame.insert(1, "metric", [names[i][1] for i in frame["id"]])
    return frame.drop(columns=["id", "label"]).reset_index(drop=True)


#: PutMetricData's units (botocore model ``StandardUnit``).
STANDARD_UNITS = (
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
    "Terabits/Second", "Count/Second", "None")


def put_metric(env: Environment, namespace: str, name: str, value: float, *, unit: str = "Count",
               dimensions: dict[str, str] | None = None, timestamp: dt.datetime | None = None) -> None:
    """``PutMetricData`` of one datapoint in your own namespace (not ``AWS/...``)."""
    if not isinstance(namespace, str) or not namespace or namespace.startswith(("AWS/", ":")):
        raise InvalidParameterError(
            f"namespace={namespace!r}: PutMetricData writes into your own namespace, 1 to 255 "
            "characters, not starting with ':' nor with AWS/ (AWS/ namespaces belong to AWS "
            "services: their metrics come from the service itself, e.g. SQS publishes "
            "AWS/SQS). Fix: namespace='SecureCart/Orders'.")
    if not isinstance(name, str) or not 1 <= len(name) <= 255:
        raise InvalidParameterError(
            f"name={name!r}: a MetricName is a string of 1 to 255 characters (PutMetricData). "
            "Fix: put_metric(env, namespace, 'OrdersPlaced', 1).")
    unit = one_of(unit, "unit", STANDARD_UNITS, rule="PutMetricData's Unit")
    value = finite(value, "value", rule="CloudWatch stores finite numbers only (PutMetricData "
                   "rejects NaN and infinity)", fix="put a finite number, or no datapoint")
    datum: dict[str, Any] = {"MetricName": name, "Value": value, "Unit": unit,
                             "Timestamp": timestamp or env.clock.now()}
    if dimensions:
        datum["Dimensions"] = [{"Name": k, "Value": v} for k, v in dimensions.items()]
    env.client("cloudwatch").put_metric_data(Namespace=namespace, MetricData=[datum])


def log_counts_per_minute(env: Environment, queue_name: str, since: int = 0) -> pd.DataFrame:
    """Sends, receives and deletes of one queue per clock minute, counted from ``env.log``.

    The independent count the ``NumberOfMessages*`` metrics are checked against. Columns
    ``timestamp`` (the minute, UTC), ``sent``, ``received``, ``deleted``.
    """
    log = env.log.to_frame(since)
    log = log[(log["service"] == "sqs") & (log["resource"] == queue_name)
              & log["action"].isin(["send", "receive", "delete"]) & (log["outcome"] == "ok")]
    start = env.clock.now() - dt.timedelta(seconds=env.clock.elapsed())
    minutes = (log["time"] // _PERIOD).astype(int)
    table = log.groupby([minutes, "action"]).size().unstack(fill_value=0)
    table = table.reindex(columns=["send", "receive", "delete"], fill_value=0)
    table.columns = ["sent", "received", "deleted"]
    table.index = [pd.Timestamp(start + dt.timedelta(minutes=int(m))) for m in table.index]
    table.index.name = "timestamp"
    return table.astype(int)
