"""Watching EventBridge deliveries and paging with a composite alarm (notebook 09, section 12).

A bad deploy deletes the restock queue, the only target of the ``restock-low`` rule: every
event from then on fails at once (a missing queue is not retried) and goes to the rule's DLQ.
``AWS/Events`` counts it per rule each minute (``Invocations``, ``FailedInvocations``,
``InvocationsSentToDLQ``; emulated on moto). A DLQ alarm fires within a minute; the composite
alarm ``ALARM(dlq) AND NOT ALARM(deploy)`` pages on-call only once the deploy is over, so a
deploy's expected blips wake no one, and a failure that outlives it does.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> run = restock_incident(env, minutes=4, queue_lost_at=1, deploy=(1, 2))
>>> list(run["InvocationsSentToDLQ"])
[0.0, 4.0, 4.0, 4.0]
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pandas as pd

from ..events import queue_arn
from ..sns.policies import queue_policy

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["EVENT_METRICS", "restock_incident", "event_metrics", "pages"]

#: The AWS/Events metrics of one rule the section plots (EventBridge User Guide, "Monitoring").
EVENT_METRICS = ("Invocations", "FailedInvocations", "InvocationsSentToDLQ")
_RULE, _EVENTS_PER_MINUTE = "restock-low", 4


def _alarms(env: Environment) -> tuple[str, str, str]:
    sqs, sns, cw = env.client("sqs"), env.client("sns"), env.client("cloudwatch")
    oncall = sns.create_topic(Name=env.name("oncall", "sns"))["TopicArn"]
    pager = sqs.create_queue(QueueName=env.name("pager"))["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=pager, Attributes={
        "Policy": json.dumps(queue_policy(queue_arn(env, pager), oncall))})
    sns.subscribe(TopicArn=oncall, Protocol="sqs", Endpoint=queue_arn(env, pager),
                  Attributes={"RawMessageDelivery": "true"})
    dlq_alarm, deploy_alarm, page = env.name("restock-dlq"), env.name("deploy-in-progress"), env.name("page-oncall")
    common = dict(Period=60, EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
                  TreatMissingData="notBreaching")
    cw.put_metric_alarm(AlarmName=dlq_alarm, Namespace="AWS/Events", MetricName="InvocationsSentToDLQ",
                        Dimensions=[{"Name": "RuleName", "Value": env.name(_RULE)}], Statistic="Sum", **common)
    cw.put_metric_alarm(AlarmName=deploy_alarm, Namespace="SecureCart/Deploy", MetricName="InProgress",
                        Statistic="Maximum", **common)
    cw.put_composite_alarm(AlarmName=page, AlarmRule=f'ALARM("{dlq_alarm}") AND NOT ALARM("{deploy_alarm}")',
                           AlarmActions=[oncall])
    return dlq_alarm, deploy_alarm, page


def restock_incident(env: Environment, *, minutes: int = 9, queue_lost_at: int = 3,
                     deploy: tuple[int, int] = (3, 5)) -> pd.DataFrame:
    """Run the incident minute by minute; one row per minute: the three metrics and alarm states.

    ``queue_lost_at``: the minute the deploy deletes the target queue; ``deploy``: the minutes
    (start, end) the ``SecureCart/Deploy`` ``InProgress`` metric is 1.
    """
    sqs, events, cw = env.client("sqs"), env.client("events"), env.client("cloudwatch")
    restock = sqs.create_queue(QueueName=env.name("restock"))["QueueUrl"]
    dlq = sqs.create_queue(QueueName=env.name("restock-dlq"))["QueueUrl"]
    events.put_rule(Name=env.name(_RULE), EventPattern=json.dumps({"detail-type": ["InventoryLow"]}))
    events.put_targets(Rule=env.name(_RULE), Targets=[{"Id": "restock", "Arn": queue_arn(env, restock),
                                             "RetryPolicy": {"MaximumRetryAttempts": 2},
                                             "DeadLetterConfig": {"Arn": queue_arn(env, dlq)}}])
    names = _alarms(env)
    start, rows = env.clock.now(), []
    for minute in range(minutes):
        if minute == queue_lost_at:
            sqs.delete_queue(QueueUrl=restock)
        if deploy[0] <= minute < deploy[1]:
            cw.put_metric_data(Namespace="SecureCart/Deploy", MetricData=[{"MetricName": "InProgress", "Value": 1}])
        events.put_events(Entries=[{"Source": "securecart.inventory", "DetailType": "InventoryLow",
                                    "Detail": json.dumps({"sku": f"SKU-{i:04d}"})} for i in range(_EVENTS_PER_MINUTE)])
        env.sleep(60)
        alarms = cw.describe_alarms(AlarmNames=list(names), AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        states = {a["AlarmName"]: a["StateValue"] for a in alarms["MetricAlarms"] + alarms["CompositeAlarms"]}
        rows.append({"minute": minute, **{k: states[n] for k, n in zip(("dlq alarm", "deploy alarm", "page"),
                                                                            names, strict=True)}})
    frame = event_metrics(env, env.name(_RULE), start, minutes).join(pd.DataFrame(rows).set_index("minute"))
    return frame


def event_metrics(env: Environment, rule: str, start: dt.datetime, minutes: int) -> pd.DataFrame:
    """The rule's :data:`EVENT_METRICS` per minute from ``start`` (``GetMetricData``, Sum; 0 where none)."""
    got = env.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": f"m{i}", "Label": name, "MetricStat": {"Metric": {
            "Namespace": "AWS/Events", "MetricName": name, "Dimensions": [{"Name": "RuleName", "Value": rule}]},
            "Period": 60, "Stat": "Sum"}} for i, name in enumerate(EVENT_METRICS)],
        StartTime=start, EndTime=start + dt.timedelta(minutes=minutes), ScanBy="TimestampAscending")
    frame = pd.DataFrame(0.0, index=pd.RangeIndex(minutes, name="minute"), columns=list(EVENT_METRICS))
    for result in got["MetricDataResults"]:
        for stamp, value in zip(result["Timestamps"], result["Values"], strict=True):
            frame.loc[int((stamp - start).total_seconds() // 60), result["Label"]] = value
    return frame


def pages(env: Environment) -> list[str]:
    """The notifications on-call received: ``"<state>: <alarm>"`` per message on the pager queue."""
    sqs = env.client("sqs")
    url = sqs.get_queue_url(QueueName=env.name("pager"))["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [f'{json.loads(m["Body"])["NewStateValue"]}: {json.loads(m["Body"])["AlarmName"]}' for m in messages]
