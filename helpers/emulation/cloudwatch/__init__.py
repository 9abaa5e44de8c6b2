"""CloudWatch behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real CloudWatch and SQS do it. Every
state change and notification the stand-in makes is logged in ``env.log`` with the outcome
``"emulated on moto"``.

=============================================  ==============================  =====================================
AWS behaviour                                  moto alone                      stand-in
=============================================  ==============================  =====================================
SQS publishes ``AWS/SQS`` metrics per queue    no ``AWS/SQS`` metric at all    one datapoint per queue, metric and
each minute (visible, not visible, delayed,                                    completed minute of the simulated
age of oldest, sent, received, deleted,                                        clock (gauges sampled at the end of
empty receives)                                                                the minute, counts summed over it;
                                                                               no age while the queue is empty)
alarms are evaluated every minute: period,     alarms are stored and never     every metric alarm evaluated at each
EvaluationPeriods, DatapointsToAlarm (M out    evaluated; a new alarm is       minute of the simulated clock by
of N), TreatMissingData; a new alarm starts    ``OK``                          :func:`evaluate` (the documented
in ``INSUFFICIENT_DATA``                                                       rules); new alarms start
                                                                               ``INSUFFICIENT_DATA``
``DescribeAlarmHistory``: configuration,       ``NotImplementedError`` (HTTP   the history of every alarm (newest
state and action items                         500 over the server)            first), filterable by type and name
an alarm's actions run on a state change       never                           SNS actions published through moto's
(SNS: the documented JSON notification)                                        SNS (``ALARM: "name" in ...``)
composite alarms (``AlarmRule``)               ``PutCompositeAlarm`` not       :mod:`.composite`: stored, evaluated
                                               implemented                     on children's changes, SNS actions
metric math (``m1 - m2``, ``100 * m1 / m2``)   an expression must be one id    + - * / on ids and numbers, aligned
in ``GetMetricData``                           (anything else: no values)      on timestamps
=============================================  ==============================  =====================================

Sources: *Amazon CloudWatch User Guide*, "Using Amazon CloudWatch alarms" (alarm evaluation,
M out of N) and "Configuring how CloudWatch alarms treat missing data"; *Amazon SQS Developer
Guide*, "Available CloudWatch metrics for Amazon SQS" (one-minute metrics, the age of oldest
message skipping messages received three times or more, DLQ moves not counted as sent).

The number of periods CloudWatch looks back (its "evaluation range") is not published; the
stand-in uses ``EvaluationPeriods + 2`` (:data:`EXTRA_RANGE_PERIODS`), which reproduces the
guide's five-datapoint examples for three evaluation periods.

Example
-------
>>> evaluate([0.0, None, 5.0, None, 5.0], threshold=0, comparison="GreaterThanThreshold",
...          evaluation_periods=3, datapoints_to_alarm=3, treat_missing="missing").state
'OK'
>>> evaluate([None, None, 5.0, None, None], threshold=0, comparison="GreaterThanThreshold",
...          evaluation_periods=3, datapoints_to_alarm=3, treat_missing="ignore",
...          current_state="OK").state
'OK'
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any
from unittest import mock

from moto.cloudwatch import models as cw_models
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.sns.models import sns_backends
from moto.sqs import models as sqs_models
from moto.sqs.responses import SQSResponse

from ...platform import limits
from ...rules.alarms import (
    COMPARISONS,
    EXTRA_RANGE_PERIODS,
    TREATMENTS,
    Evaluation,
    evaluate,
    math_series,
    math_tree,
)
from .._base import _Patches
from .composite import composite_patches, evaluate_composites

if TYPE_CHECKING:  # pragma: no cover
    from ...environment import Environment

__all__ = ["CloudWatchStandIns", "evaluate", "Evaluation", "SQS_METRICS", "EXTRA_RANGE_PERIODS",
           "TREATMENTS", "COMPARISONS"]

_EMULATED = "emulated on moto"
#: The metrics SQS publishes per queue (name -> unit).
SQS_METRICS = {
    "ApproximateNumberOfMessagesVisible": "Count",
    "ApproximateNumberOfMessagesNotVisible": "Count",
    "ApproximateNumberOfMessagesDelayed": "Count",
    "ApproximateAgeOfOldestMessage": "Seconds",
    "NumberOfMessagesSent": "Count",
    "NumberOfMessagesReceived": "Count",
    "NumberOfMessagesDeleted": "Count",
    "NumberOfEmptyReceives": "Count",
}
#: ApproximateAgeOfOldestMessage skips messages received this often (unless all were).
_AGE_SKIP_RECEIVES = limits.SQS_AGE_METRIC_SKIPS_AFTER_RECEIVES
_MINUTE = 60


def _naive(value: Any) -> dt.datetime:
    """A datetime as moto keeps them: naive UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


class CloudWatchStandIns(_Patches):
    """Installs and removes the CloudWatch stand-ins for one environment."""

    SERVICE = "cloudwatch"
    NAMES = ("AWS/SQS metrics", "alarm evaluation", "alarm history", "alarm actions",
             "metric math arithmetic", "composite alarms")

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self._counts: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
        self._next: float | None = None
        self._busy = False
        self._history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._evaluated: dict[str, float] = {}

    def start(self) -> None:
        """Patch moto; on the in-process server also empty CloudWatch and X-Ray.

        ``mock_aws`` gives every ``moto`` environment empty backends; the server's backends
        live as long as the process, and metric datapoints and trace segments (which no
        teardown deletes) would otherwise pile up when a notebook runs twice in one kernel.
        """
        super().start()
        if self.env.backend == "server":
            from moto.xray.models import xray_backends

            for backends in (cw_models.cloudwatch_backends, xray_backends):
                backends[self.env.account][self.env.region].reset()

    # -- backends ---------------------------------------------------------------------
    def _sqs(self) -> Any:
        return sqs_models.sqs_backends[self.env.account][self.env.region]

    def _cw(self) -> Any:
        return cw_models.cloudwatch_backends[self.env.account][self.env.region]

    def _now(self) -> float:
        return self.env.clock.time()

    def _elapsed(self, epoch: float) -> float:
        return round(epoch - (self.env.clock.time() - self.env.clock.elapsed()), 6)

    # -- the patches --------------------------------------------------------------------
    def _patches(self) -> list[Any]:
        """Patches of moto's SQS and CloudWatch backends and CloudWatch responses."""
        me = self
        sqs_b, cw_b = sqs_models.SQSBackend, cw_models.CloudWatchBackend
        # ReceiveMessage is counted at the response: the SQS stand-ins patch the backend's
        # receive_message, and two patches of one attribute must not be undone out of order.
        o_send, o_receive, o_delete = sqs_b.send_message, SQSResponse.receive_message, sqs_b.delete_message
        o_send_batch, o_delete_batch = sqs_b.send_message_batch, sqs_b.delete_message_batch
        o_put_alarm, o_get_data = cw_b.put_metric_alarm, cw_b.get_metric_data

        def send_message(backend: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
            me.catch_up()
            message = o_send(backend, queue_name, *args, **kwargs)
            me._count(queue_name, "NumberOfMessagesSent")
            return message

        def receive_message(response: Any) -> Any:
            me.catch_up()
            result = o_receive(response)
            body = _receive_body(result)
            received = len(body.get("Messages") or []) if isinstance(body, dict) else 0
            queue_name = response._get_queue_name()
            me._mark_moves(queue_name)
            me._count(queue_name, "NumberOfMessagesReceived", received)
            if not received:
                me._count(queue_name, "NumberOfEmptyReceives")
            return result

        def delete_message(backend: Any, queue_name: str, receipt_handle: str) -> None:
            me.catch_up()
            o_delete(backend, queue_name, receipt_handle)
            me._count(queue_name, "NumberOfMessagesDeleted")

        def send_message_batch(backend: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
            # Counted here, not per entry: the SQS stand-ins' batch send skips send_message.
            me.catch_up()
            messages, failed = o_send_batch(backend, queue_name, *args, **kwargs)
            me._count(queue_name, "NumberOfMessagesSent", len(messages))
            return messages, failed

        def delete_message_batch(backend: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
            me.catch_up()
            success, errors = o_delete_batch(backend, queue_name, *args, **kwargs)
            me._count(queue_name, "NumberOfMessagesDeleted", len(success))
            return success, errors

        def caught_up(orig: Any) -> Any:
            def wrapper(backend: Any, *args: Any, **kwargs: Any) -> Any:
                me.catch_up()
                return orig(backend, *args, **kwargs)
            return wrapper

        def put_metric_alarm(backend: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            me.catch_up()
            previous = backend.alarms.get(name)
            alarm = o_put_alarm(backend, name, *args, **kwargs)
            me._created(alarm, previous)
            return alarm

        def get_metric_data(backend: Any, queries: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
            me.catch_up()
            return me._metric_math(o_get_data, backend, queries, *args, **kwargs)

        def describe_alarm_history(response: Any) -> ActionResult:
            me.catch_up()
            return ActionResult({"AlarmHistoryItems": me.history(
                response._get_param("AlarmName"), response._get_param("HistoryItemType"),
                response._get_param("ScanBy") or "TimestampDescending",
                response._get_param("MaxRecords"))})

        patchers = [
            mock.patch.object(sqs_b, "send_message", send_message),
            mock.patch.object(SQSResponse, "receive_message", receive_message),
            mock.patch.object(sqs_b, "delete_message", delete_message),
            mock.patch.object(sqs_b, "send_message_batch", send_message_batch),
            mock.patch.object(sqs_b, "delete_message_batch", delete_message_batch),
            mock.patch.object(cw_b, "put_metric_alarm", put_metric_alarm),
            mock.patch.object(cw_b, "get_metric_data", get_metric_data),
            mock.patch.object(CloudWatchResponse, "describe_alarm_history", describe_alarm_history,
                              create=True),
        ] + composite_patches(me)
        for name in ("put_metric_data", "get_metric_statistics", "list_metrics", "describe_alarms",
                     "get_alarms_by_action_prefix", "get_alarms_by_alarm_name_prefix",
                     "get_alarms_by_alarm_names", "get_alarms_by_state_value"):
            patchers.append(mock.patch.object(cw_b, name, caught_up(getattr(cw_b, name))))
        return patchers

    # -- 1. AWS/SQS metrics ---------------------------------------------------------------
    def _count(self, queue_name: str, metric: str, n: int = 1) -> None:
        minute = int(self._now() // _MINUTE) * _MINUTE
        self._counts[(queue_name, minute)][metric] += n

    def catch_up(self) -> None:
        """Publish every completed minute and evaluate every alarm up to the clock's now."""
        if self._busy:
            return
        now = self._now()
        if self._next is None:
            self._next = (int(now // _MINUTE) + 1) * _MINUTE
        if now < self._next:
            return
        self._busy = True
        try:
            while self._next <= now:
                self._publish(self._next)
                self._evaluate_all(self._next)
                self._next += _MINUTE
        finally:
            self._busy = False

    def _gauges(self, queue: Any, at: float) -> dict[str, float]:
        ms = at * 1000.0
        visible = delayed = hidden = 0
        ages = []
        for message in queue._messages:
            if message.sent_timestamp is None or message.sent_timestamp > ms:
                continue
            if ms < message.delayed_until:
                delayed += 1
            elif ms > message.visible_at:
                visible += 1
            else:
                hidden += 1
            # A poison pill (received 3+ times, not deleted) is left out of the age; in a DLQ
            # the age counts from the move (SQS Developer Guide).
            if queue.fifo_queue or message.approximate_receive_count < _AGE_SKIP_RECEIVES or \
                    getattr(message, "_sc_moved_at", None) is not None:
                ages.append(getattr(message, "_sc_moved_at", None) or message.sent_timestamp)
        gauges: dict[str, float] = {"ApproximateNumberOfMessagesVisible": visible,
                                    "ApproximateNumberOfMessagesNotVisible": hidden,
                                    "ApproximateNumberOfMessagesDelayed": delayed}
        if ages:  # reported only while the queue holds a message it counts
            gauges["ApproximateAgeOfOldestMessage"] = int((ms - min(ages)) // 1000)
        return gauges

    def _mark_moves(self, queue_name: str) -> None:
        """Stamp messages that just reached the DLQ of ``queue_name`` with the move time."""
        try:
            dlq = self._sqs().get_queue(queue_name).dead_letter_queue
        except Exception:  # noqa: BLE001 - a deleted queue: nothing moved
            return
        if dlq is None:
            return
        now = self._now() * 1000.0
        for message in dlq._messages:
            if getattr(message, "_sc_moved_at", None) is None:
                message._sc_moved_at = now

    def _publish(self, boundary: float) -> None:
        start = boundary - _MINUTE
        stamp = _utc(start)
        data = self._cw().metric_data
        for queue in list(self._sqs().queues.values()):
            values: dict[str, float] = dict(self._gauges(queue, boundary))
            counts = self._counts.pop((queue.name, int(start)), Counter())
            for metric in ("NumberOfMessagesSent", "NumberOfMessagesReceived",
                           "NumberOfMessagesDeleted", "NumberOfEmptyReceives"):
                values[metric] = counts.get(metric, 0)
            dims = [{"Name": "QueueName", "Value": queue.name}]
            for metric, value in values.items():
                data.append(cw_models.MetricDatum("AWS/SQS", metric, float(value), dims, stamp,
                                                  SQS_METRICS[metric]))

    # -- 2. alarm evaluation ----------------------------------------------------------------
    def _created(self, alarm: Any, previous: Any) -> None:
        now = self._now()
        when = dt.datetime.fromtimestamp(now, dt.UTC)
        if previous is not None:  # an update keeps the state (PutMetricAlarm API reference)
            alarm.state_value, alarm.state_reason = previous.state_value, previous.state_reason
            alarm.state_reason_data = previous.state_reason_data
            alarm.state_updated_timestamp = previous.state_updated_timestamp
            summary = f'Alarm "{alarm.name}" updated'
        else:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
            alarm.state_reason_data = "{}"
            alarm.state_updated_timestamp = when
            summary = f'Alarm "{alarm.name}" created'
            self._evaluated[alarm.name] = now
        self._item(alarm.name, when, "ConfigurationUpdate", summary,
                   {"type": "Create" if previous is None else "Update", "version": "1.0"})

    def _item(self, name: str, when: dt.datetime, kind: str, summary: str, data: dict[str, Any]) -> None:
        self._history[name].append({"AlarmName": name, "AlarmType": "MetricAlarm", "Timestamp": when,
                                    "HistoryItemType": kind, "HistorySummary": summary,
                                    "HistoryData": json.dumps(data)})

    def history(self, name: str | None = None, kind: str | None = None,
                scan_by: str = "TimestampDescending", max_records: Any = None) -> list[dict[str, Any]]:
        """``DescribeAlarmHistory`` items (newest first unless ``TimestampAscending``)."""
        items = [i for n, rows in self._history.items() if name in (None, n) for i in rows
                 if kind in (None, i["HistoryItemType"])]
        items.sort(key=lambda i: i["Timestamp"], reverse=scan_by != "TimestampAscending")
        return items[: int(max_records)] if max_records else items

    def _values(self, alarm: Any, end: float, periods: int) -> list[tuple[float, float | None]]:
        period = int(alarm.period)
        data = [d for d in self._cw().get_all_metrics()
                if d.namespace == alarm.namespace and d.name == alarm.metric_name
                and sorted(d.dimensions) == sorted(alarm.dimensions)
                and (not alarm.unit or d.unit == alarm.unit)]
        out: list[tuple[float, float | None]] = []
        for k in range(periods, 0, -1):
            lo = end - k * period
            lo_t, hi_t = _utc(lo), _utc(lo + period)
            inside = [d for d in data if lo_t <= _naive(d.timestamp) < hi_t]
            if not inside:
                out.append((lo, None))
                continue
            stats = cw_models.Statistics([alarm.statistic], lo_t)
            stats.metric_data = inside
            value = stats.get_statistics_for_type(alarm.statistic)
            out.append((lo, None if value is None else float(value)))
        return out

    def _evaluate_all(self, boundary: float) -> None:
        for alarm in list(self._cw().alarms.values()):
            if alarm.rule is not None or alarm.metric_data_queries or not alarm.metric_name:
                continue  # composite and metric-math alarms: not evaluated by the stand-in
            if self._evaluated.get(alarm.name, -math.inf) >= boundary:
                continue
            self._evaluated[alarm.name] = boundary
            if alarm.comparison_operator not in COMPARISONS:
                continue
            n = int(alarm.evaluation_periods)
            end = (boundary // int(alarm.period)) * int(alarm.period)
            points = self._values(alarm, end, n + EXTRA_RANGE_PERIODS)
            result = evaluate([v for _, v in points], threshold=float(alarm.threshold),
                              comparison=alarm.comparison_operator, evaluation_periods=n,
                              datapoints_to_alarm=alarm.datapoints_to_alarm,
                              treat_missing=alarm.treat_missing_data, current_state=alarm.state_value)
            if result.state != alarm.state_value:
                self._transition(alarm, result, points, boundary)
        evaluate_composites(self, boundary)

    def _reason(self, alarm: Any, result: Evaluation, points: list[tuple[float, float | None]]) -> str:
        if result.state == "INSUFFICIENT_DATA":
            return f"Insufficient Data: {len(points)} datapoints were unknown."
        used = sum(v is not None for v in result.used)
        real = [(t, v) for t, v in points if v is not None][-used:] if used else []
        shown = ", ".join(f"{v} ({dt.datetime.fromtimestamp(t, dt.UTC):%d/%m/%y %H:%M:%S})"
                          for t, v in reversed(real))
        words = COMPARISONS[alarm.comparison_operator][1]
        n = len(result.used)
        if result.state == "ALARM":
            m = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
            count, verb, transition = result.breaching, words, f"minimum {m} datapoint{'s' if m != 1 else ''} for OK -> ALARM transition"
        else:
            count, verb, transition = n - result.breaching, f"not {words}", "minimum 1 datapoint for ALARM -> OK transition"
        return (f"Threshold Crossed: {count} out of the last {n} datapoints [{shown}] "
                f"{'was' if count == 1 else 'were'} {verb} the threshold ({float(alarm.threshold)}) "
                f"({transition}).")

    def _transition(self, alarm: Any, result: Evaluation, points: list, boundary: float) -> None:
        old = alarm.state_value
        when = dt.datetime.fromtimestamp(boundary, dt.UTC)
        reason = self._reason(alarm, result, points)
        data = {"version": "1.0", "queryDate": when.isoformat(), "period": int(alarm.period),
                "recentDatapoints": [v for v in result.used if v is not None],
                "threshold": float(alarm.threshold), "evaluatedDatapoints": [
                    {"timestamp": dt.datetime.fromtimestamp(t, dt.UTC).isoformat(), "value": v}
                    for t, v in points if v is not None]}
        alarm.state_value, alarm.state_reason = result.state, reason
        alarm.state_reason_data = json.dumps(data)
        alarm.state_updated_timestamp = when
        self._item(alarm.name, when, "StateUpdate", f"Alarm updated from {old} to {result.state}",
                   {"version": "1.0", "oldState": {"stateValue": old},
                    "newState": {"stateValue": result.state, "stateReason": reason}})
        self.env.log.record(service="cloudwatch", action="alarm-state", resource=alarm.name,
                            outcome=_EMULATED, detail=f"{old} -> {result.state}: {reason}",
                            time=self._elapsed(boundary))
        self._act(alarm, old, reason, when)

    # -- 3. alarm actions ---------------------------------------------------------------------
    def _act(self, alarm: Any, old: str, reason: str, when: dt.datetime) -> None:
        actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
                   "INSUFFICIENT_DATA": alarm.insufficient_data_actions}[alarm.state_value] or []
        if not alarm.actions_enabled:
            return
        for arn in actions:
            if not arn.startswith("arn:aws:sns:"):
                continue
            region = "US East (N. Virginia)" if self.env.region == "us-east-1" else self.env.region
            message = {
                "AlarmName": alarm.name, "AlarmDescription": alarm.description,
                "AWSAccountId": self.env.account, "NewStateValue": alarm.state_value,
                "NewStateReason": reason, "StateChangeTime": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "Region": region, "AlarmArn": alarm.alarm_arn, "OldStateValue": old,
                "Trigger": {"MetricName": alarm.metric_name, "Namespace": alarm.namespace,
                            "StatisticType": "Statistic", "Statistic": str(alarm.statistic).upper(),
                            "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
                            "Period": int(alarm.period), "EvaluationPeriods": int(alarm.evaluation_periods),
                            "DatapointsToAlarm": int(alarm.datapoints_to_alarm or alarm.evaluation_periods),
                            "ComparisonOperator": alarm.comparison_operator,
                            "Threshold": float(alarm.threshold),
                            "TreatMissingData": alarm.treat_missing_data or "missing"}}
            subject = f'{alarm.state_value}: "{alarm.name}" in {region}'[:100]
            sns_backends[self.env.account][self.env.region].publish(json.dumps(message), arn=arn,
                                                                    subject=subject)
            self._item(alarm.name, when, "Action", f"Successfully executed action {arn}",
                       {"actionState": "Succeeded", "notificationResource": arn})
            self.env.log.record(service="cloudwatch", action="alarm-action", resource=alarm.name,
                                outcome=_EMULATED, detail=f"{alarm.state_value}: notified {arn}",
                                time=self._elapsed(when.timestamp()))

    # -- 4. metric math -------------------------------------------------------------------------
    def _metric_math(self, orig: Any, backend: Any, queries: list[dict[str, Any]], *args: Any,
                     **kwargs: Any) -> list[dict[str, Any]]:
        trees = {q["Id"]: math_tree(q["Expression"]) for q in queries if "Expression" in q}
        trees = {k: v for k, v in trees.items() if v is not None}
        if not trees:
            return orig(backend, queries, *args, **kwargs)
        plain = [q for q in queries if q["Id"] not in trees]
        results = orig(backend, plain, *args, **kwargs)
        stats = [{**q, "ReturnData": True} for q in queries if "MetricStat" in q]
        series = {r["id"]: dict(zip(r["timestamps"], r["values"], strict=True))
                  for r in orig(backend, stats, *args, **kwargs)}
        by_id = {r["id"]: r for r in results}
        out = []
        for query in queries:
            if query["Id"] in trees:
                values, stamps = math_series(trees[query["Id"]], series)
                if kwargs.get("scan_by", args[2] if len(args) > 2 else "") == "TimestampDescending":
                    values, stamps = values[::-1], stamps[::-1]
                if query.get("ReturnData", True):
                    out.append({"id": query["Id"], "label": query.get("Label") or query["Id"],
                                "values": values, "timestamps": stamps, "status_code": "Complete"})
            elif query["Id"] in by_id:
                out.append(by_id[query["Id"]])
        return out


def _receive_body(result: Any) -> dict[str, Any]:
    """A ReceiveMessage answer's body: moto's ``ActionResult``, or the SQS stand-ins' JSON reply."""
    if isinstance(result, ActionResult):
        return result.result if isinstance(result.result, dict) else {}
    if isinstance(result, tuple) and len(result) == 3 and isinstance(result[2], str):
        try:
            body = json.loads(result[2])
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return {}
