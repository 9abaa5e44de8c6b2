"""Observability toolkit: CloudWatch metrics and alarms, structured logs, X-Ray traces, analytics.

One module per concept, beside :mod:`helpers.sqs`:

``metrics``    read the ``AWS/SQS`` metrics with ``GetMetricData``; put your own with ``PutMetricData``
``alarms``     metric alarms on queues, their state history, the on-call notifications
``logs``       Powertools Logger -> CloudWatch Logs; ``FilterLogEvents`` by JSON field
``traces``     X-Ray segment documents written with ``PutTraceSegments``, read with ``BatchGetTraces``
``analytics``  the Glue/Athena and OpenSearch roles: pandas aggregations, an inverted index
``plots``      queue metrics, alarm timeline, trace timeline

On moto the AWS side of metrics and alarms (``AWS/SQS`` publishing, alarm evaluation and
actions, alarm history, metric-math arithmetic) and JSON log filters are supplied by
:mod:`helpers.emulation.cloudwatch` and :mod:`helpers.emulation.logs` (emulated on moto).

Example
-------
>>> from helpers.observability import missing_data_table
>>> missing_data_table().loc["- - - - -", "breaching"]
'ALARM'
"""

from __future__ import annotations

from .alarms import (
    DOCUMENTED_EXAMPLES,
    alarm_history,
    alarm_states,
    missing_data_table,
    notifications,
    put_queue_alarm,
)
from .analytics import (
    LogIndex,
    event_log_summary,
    failure_ranking,
    latency_per_service,
    order_outcomes,
    orders_by_outcome,
)
from .logs import LogSink, filter_logs, log_group_name, read_logs, service_logger, ship
from .metrics import (
    OPERATOR_METRICS,
    SQS_NAMESPACE,
    get_metrics,
    log_counts_per_minute,
    metric_query,
    minute_floor,
    put_metric,
    sqs_metrics,
)
from .plots import plot_alarm_timeline, plot_queue_metrics, plot_trace
from .traces import TraceWriter, failing_segments, get_traces, slowest_segment

__all__ = [
    "SQS_NAMESPACE", "OPERATOR_METRICS", "metric_query", "get_metrics", "sqs_metrics", "put_metric",
    "log_counts_per_minute", "minute_floor",
    "put_queue_alarm", "alarm_states", "alarm_history", "notifications", "missing_data_table",
    "DOCUMENTED_EXAMPLES",
    "LogSink", "service_logger", "log_group_name", "ship", "filter_logs", "read_logs",
    "TraceWriter", "get_traces", "slowest_segment", "failing_segments",
    "LogIndex", "orders_by_outcome", "order_outcomes", "failure_ranking", "latency_per_service",
    "event_log_summary",
    "plot_queue_metrics", "plot_alarm_timeline", "plot_trace",
]
