"""Composite alarms on moto: ``PutCompositeAlarm``, rule evaluation, ``AlarmTypes``, SNS actions.

moto 5.2.5 answers ``PutCompositeAlarm`` with ``NotImplementedError`` and ``DescribeAlarms``
ignores ``AlarmTypes`` (it returns both lists; AWS returns only metric alarms when the
parameter is omitted). The stand-in stores the composite alarm in moto's CloudWatch backend
(``INSUFFICIENT_DATA`` at creation), evaluates its ``AlarmRule``
(:func:`helpers.rules.alarms.evaluate_rule`) when it is put and after every minute's metric
alarm evaluation on the simulated clock (so as soon as a child changes state), and on a state
change publishes the notification to its SNS actions. Sources: *Amazon CloudWatch API
Reference*, PutCompositeAlarm and DescribeAlarms; *CloudWatch User Guide*, "Combining alarms".

Example
-------
>>> from helpers.rules.alarms import parse_alarm_rule, evaluate_rule
>>> evaluate_rule(parse_alarm_rule('ALARM("dlq") AND NOT ALARM("deploy")'), {"dlq": "ALARM"})
True
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any
from unittest import mock

from moto.cloudwatch import models as cw_models
from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.sns.models import sns_backends

from ...rules.alarms import AlarmRuleError, evaluate_rule, parse_alarm_rule

if TYPE_CHECKING:  # pragma: no cover
    from . import CloudWatchStandIns

__all__ = ["composite_patches", "evaluate_composites"]

_EMULATED = "emulated on moto"


def composite_patches(me: CloudWatchStandIns) -> list[Any]:
    """The response patches: ``PutCompositeAlarm`` and ``DescribeAlarms``' ``AlarmTypes``."""
    o_describe, o_set_state = CloudWatchResponse.describe_alarms, cw_models.CloudWatchBackend.set_alarm_state

    def put_composite_alarm(response: Any) -> EmptyResult:
        me.catch_up()
        rule = response._get_param("AlarmRule") or ""
        try:
            parse_alarm_rule(rule)
        except AlarmRuleError as error:
            raise ValidationError(str(error)) from None
        enabled = response._get_param("ActionsEnabled")
        alarm = response.cloudwatch_backend.put_metric_alarm(
            name=response._get_param("AlarmName"), namespace=None, metric_name=None,
            comparison_operator=None, evaluation_periods=None, period=None, threshold=None,
            statistic=None, description=response._get_param("AlarmDescription"), dimensions=[],
            alarm_actions=response._get_param("AlarmActions", []),
            ok_actions=response._get_param("OKActions", []),
            insufficient_data_actions=response._get_param("InsufficientDataActions", []),
            actions_enabled=True if enabled is None else enabled in (True, "true"),
            rule=rule, tags=response._get_param("Tags", []))
        alarm.alarm_rule = rule
        evaluate_composites(me, me._now())
        return EmptyResult()

    def describe_alarms(response: Any) -> ActionResult:
        result = o_describe(response)
        types = response._get_param("AlarmTypes") or ["MetricAlarm"]
        body: dict[str, Any] = dict(result.result)  # type: ignore[call-overload]
        for kind, key in (("MetricAlarm", "MetricAlarms"), ("CompositeAlarm", "CompositeAlarms")):
            if kind not in types:
                body[key] = []
        return ActionResult(body)

    def set_alarm_state(backend: Any, *args: Any, **kwargs: Any) -> None:
        o_set_state(backend, *args, **kwargs)
        evaluate_composites(me, me._now())  # a child's SetAlarmState is a state change too

    return [mock.patch.object(CloudWatchResponse, "put_composite_alarm", put_composite_alarm, create=True),
            mock.patch.object(CloudWatchResponse, "describe_alarms", describe_alarms),
            mock.patch.object(cw_models.CloudWatchBackend, "set_alarm_state", set_alarm_state)]


def evaluate_composites(me: CloudWatchStandIns, at: float) -> None:
    """Evaluate every composite alarm against its children's current states."""
    alarms = me._cw().alarms
    states = {name: alarm.state_value for name, alarm in alarms.items()}
    for alarm in list(alarms.values()):
        if alarm.rule is None:
            continue
        tree = parse_alarm_rule(alarm.rule)
        new = "ALARM" if evaluate_rule(tree, states) else "OK"
        if new != alarm.state_value:
            _transition(me, alarm, new, states, at)
            states[alarm.name] = new


def _transition(me: CloudWatchStandIns, alarm: Any, new: str, states: dict[str, str], at: float) -> None:
    old = alarm.state_value
    when = dt.datetime.fromtimestamp(at, dt.UTC)
    reason = f"Composite alarm rule {alarm.rule} evaluated to {'TRUE' if new == 'ALARM' else 'FALSE'}"
    alarm.state_value, alarm.state_reason = new, reason
    alarm.state_reason_data = json.dumps({"version": "1.0", "children": states})
    alarm.state_updated_timestamp = when
    me._item(alarm.name, when, "StateUpdate", f"Alarm updated from {old} to {new}",
             {"version": "1.0", "oldState": {"stateValue": old},
              "newState": {"stateValue": new, "stateReason": reason}})
    me.env.log.record(service="cloudwatch", action="alarm-state", resource=alarm.name,
                      outcome=_EMULATED, detail=f"{old} -> {new}: {reason}", time=me._elapsed(at))
    actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
               "INSUFFICIENT_DATA": alarm.insufficient_data_actions}[new] or []
    if not alarm.actions_enabled:
        return
    region = "US East (N. Virginia)" if me.env.region == "us-east-1" else me.env.region
    for arn in (a for a in actions if a.startswith("arn:aws:sns:")):
        message = {"AlarmName": alarm.name, "AlarmDescription": alarm.description,
                   "AWSAccountId": me.env.account, "NewStateValue": new, "NewStateReason": reason,
                   "StateChangeTime": when.strftime("%Y-%m-%dT%H:%M:%S.000+0000"), "Region": region,
                   "AlarmArn": alarm.alarm_arn, "OldStateValue": old, "AlarmRule": alarm.rule}
        sns_backends[me.env.account][me.env.region].publish(
            json.dumps(message), arn=arn, subject=f'{new}: "{alarm.name}" in {region}'[:100])
        me._item(alarm.name, when, "Action", f"Successfully executed action {arn}",
                 {"actionState": "Succeeded", "notificationResource": arn})
        me.env.log.record(service="cloudwatch", action="alarm-action", resource=alarm.name,
                          outcome=_EMULATED, detail=f"{new}: notified {arn}", time=me._elapsed(at))
