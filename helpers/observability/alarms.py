"""CloudWatch alarms on queue metrics: define, read their state history, read notifications.

On AWS, CloudWatch evaluates every alarm each minute and runs its actions; on moto the stand-in
in :mod:`helpers.emulation.cloudwatch` does it on the simulated clock (emulated on moto) with
the documented rules: period, ``EvaluationPeriods`` (N), ``DatapointsToAlarm`` (M out of N)
and ``TreatMissingData``.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> name = put_queue_alarm(env, "dlq-depth", queue_name=env.name("orders-dlq"),
...                        metric="ApproximateNumberOfMessagesVisible", threshold=0)
>>> alarm_states(env, [name])["state"].tolist()
['INSUFFICIENT_DATA']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..platform import limits
from ..platform.errors import InvalidAlarmError, InvalidParameterError
from ..platform.inputs import count, finite, one_of
from ..rules.alarms import COMPARISONS, TREATMENTS, evaluate

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["put_queue_alarm", "alarm_states", "alarm_history", "notifications",
           "missing_data_table", "DOCUMENTED_EXAMPLES"]

#: The guide's examples (evaluation range of 5, N = M = 3): ``-`` missing, ``X`` breaching,
#: ``0`` not breaching; the expected state per treatment ("retain" keeps the current state).
DOCUMENTED_EXAMPLES = (
    ("0 - X - X", {"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}),
    ("0 - - - -", {"missing": "OK", "ignore": "OK", "breaching": "OK", "notBreaching": "OK"}),
    ("- - - - -", {"missing": "INSUFFICIENT_DATA", "ignore": "retain", "breaching": "ALARM",
                   "notBreaching": "OK"}),
    ("0 X X - X", {"missing": "ALARM", "ignore": "ALARM", "breaching": "ALARM", "notBreaching": "ALARM"}),
    ("- - X - -", {"missing": "ALARM", "ignore": "retain", "breaching": "ALARM", "notBreaching": "OK"}),
)


#: PutMetricAlarm's statistics (botocore model ``Statistic``; percentiles go in
#: ExtendedStatistic, which this helper does not take).
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


def put_queue_alarm(env: Environment, base: str, *, queue_name: str, metric: str, threshold: float,
                    comparison: str = "GreaterThanThreshold", statistic: str = "Maximum",
                    period: int = limits.CLOUDWATCH_STANDARD_PERIOD_SECONDS, evaluation_periods: int = 1,
                    datapoints_to_alarm: int | None = None, treat_missing: str = "missing",
                    topic_arn: str | None = None, description: str = "") -> str:
    """``PutMetricAlarm`` on an ``AWS/SQS`` metric of one queue; returns the alarm name.

    The alarm notifies ``topic_arn`` (SNS) when it goes to ALARM and back to OK.

    Raises
    ------
    InvalidAlarmError
        M > N, an unknown comparison or missing-data treatment, or a period that is not a
        multiple of 60 s: CloudWatch would refuse the alarm.
    """
    try:
        threshold = finite(threshold, "threshold", rule="an alarm compares the statistic with a "
                           "finite Threshold (PutMetricAlarm)", fix="pass a number, e.g. threshold=100")
        n = count(evaluation_periods, "evaluation_periods", minimum=1,
                  rule="EvaluationPeriods (the N of 'M out of N')")
        m = count(datapoints_to_alarm if datapoints_to_alarm is not None else n,
                  "datapoints_to_alarm", minimum=1, rule="DatapointsToAlarm (the M of 'M out of N')")
        statistic = one_of(statistic, "statistic", STATISTICS, rule="PutMetricAlarm's Statistic")
        period = count(period, "period", minimum=limits.CLOUDWATCH_STANDARD_PERIOD_SECONDS,
                       rule="a standard-resolution alarm's Period in seconds (a multiple of 60)")
    except InvalidParameterError as err:
        raise InvalidAlarmError(str(err)) from None
    if not 1 <= m <= n:
        raise InvalidAlarmError(
            f"datapoints_to_alarm={m} with evaluation_periods={n}: an 'M out of N' alarm needs "
            f"1 <= M <= N. Fix: datapoints_to_alarm between 1 and {n}.")
    if treat_missing not in TREATMENTS:
        raise InvalidAlarmError(
            f"treat_missing={treat_missing!r}: TreatMissingData is one of {', '.join(TREATMENTS)} "
            "(default missing; case-sensitive). Fix: treat_missing='missing'.")
    if comparison not in COMPARISONS:
        raise InvalidAlarmError(f"comparison={comparison!r}: ComparisonOperator is one of "
                                f"{', '.join(COMPARISONS)}. Fix: comparison="
                                "'GreaterThanThreshold'.")
    if period % limits.CLOUDWATCH_STANDARD_PERIOD_SECONDS or period <= 0:
        raise InvalidAlarmError(
            f"period={period}: a standard-resolution alarm's period is a multiple of 60 "
            "seconds. Fix: period=60 (or 300).")
    name = env.name(base, "sns")
    actions = [topic_arn] if topic_arn else []
    env.client("cloudwatch").put_metric_alarm(
        AlarmName=name, AlarmDescription=description, Namespace="AWS/SQS", MetricName=metric,
        Dimensions=[{"Name": "QueueName", "Value": queue_name}], Statistic=statistic,
        Period=period, EvaluationPeriods=n, DatapointsToAlarm=m, Threshold=threshold,
        ComparisonOperator=comparison, TreatMissingData=treat_missing, AlarmActions=actions,
        OKActions=actions)
    return name


def alarm_states(env: Environment, names: list[str]) -> pd.DataFrame:
    """``DescribeAlarms``: each alarm's state, M out of N, treatment and state reason."""
    alarms = env.client("cloudwatch").describe_alarms(AlarmNames=list(names))["MetricAlarms"]
    rows = [{"alarm": a["AlarmName"].removeprefix(env.prefix), "state": a["StateValue"],
             "rule": f"{a['MetricName']} {a['Statistic']} > {a['Threshold']:g}, "
                     f"{a.get('DatapointsToAlarm', a['EvaluationPeriods'])} of {a['EvaluationPeriods']} x {a['Period']} s",
             "missing data": a.get("TreatMissingData", "missing"), "reason": a["StateReason"]}
            for a in alarms]
    return pd.DataFrame(rows, columns=["alarm", "state", "rule", "missing data", "reason"])


def alarm_history(env: Environment, names: list[str], *, kind: str | None = None) -> pd.DataFrame:
    """``DescribeAlarmHistory`` of several alarms, oldest first.

    Columns ``time`` (clock seconds), ``timestamp``, ``alarm``, ``type``, ``summary``.
    """
    cw = env.client("cloudwatch")
    rows = []
    start = env.clock.now().timestamp() - env.clock.elapsed()
    for name in names:
        kwargs: dict[str, Any] = {"AlarmName": name, "ScanBy": "TimestampAscending"}
        if kind:
            kwargs["HistoryItemType"] = kind
        for item in cw.describe_alarm_history(**kwargs)["AlarmHistoryItems"]:
            rows.append({"time": round(item["Timestamp"].timestamp() - start, 3),
                         "timestamp": item["Timestamp"], "alarm": name.removeprefix(env.prefix),
                         "type": item["HistoryItemType"], "summary": item["HistorySummary"]})
    frame = pd.DataFrame(rows, columns=["time", "timestamp", "alarm", "type", "summary"])
    return frame.sort_values(["time", "alarm"], kind="stable").reset_index(drop=True)


def notifications(env: Environment, queue_url: str) -> pd.DataFrame:
    """Read (and delete) the alarm notifications an on-call queue received from SNS."""
    sqs = env.client("sqs")
    rows = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        for message in messages:
            body = json.loads(message["Body"])
            body = json.loads(body["Message"]) if "Message" in body and "AlarmName" not in body else body
            rows.append({"alarm": body["AlarmName"].removeprefix(env.prefix),
                         "change": f"{body['OldStateValue']} -> {body['NewStateValue']}",
                         "at": body["StateChangeTime"][11:19], "reason": body["NewStateReason"]})
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    return pd.DataFrame(rows, columns=["alarm", "change", "at", "reason"]).sort_values(
        ["at", "alarm"], kind="stable").reset_index(drop=True)


def _parse(row: str) -> list[float | None]:
    return [None if c == "-" else (1.0 if c == "X" else 0.0) for c in row.split()]


def missing_data_table(examples: tuple = DOCUMENTED_EXAMPLES, *, evaluation_periods: int = 3,
                       datapoints_to_alarm: int = 3, current_state: str = "OK") -> pd.DataFrame:
    """The state each missing-data treatment gives the guide's example datapoints.

    Threshold 0.5 with ``X`` = 1 (breaching) and ``0`` = 0: the rows of "Configuring how
    CloudWatch alarms treat missing data" (N = M = 3). ``retain``: the alarm keeps its
    current state (``ignore``). The tests assert every cell against the guide.

    Example
    -------
    >>> missing_data_table().loc["- - X - -", "notBreaching"]
    'OK'
    """
    rows = {}
    for row, _ in examples:
        cells = {}
        for t in TREATMENTS:
            result = evaluate(_parse(row), threshold=0.5, comparison="GreaterThanThreshold",
                              evaluation_periods=evaluation_periods,
                              datapoints_to_alarm=datapoints_to_alarm, treat_missing=t,
                              current_state=current_state)
            cells[t] = "retain" if result.rule == "ignore: retained" else result.state
        rows[row] = cells
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "datapoints (oldest first)"
    return frame
