"""Pins the EventBridge ``AWS/Events`` delivery metrics and the composite alarm stand-ins (both
emulated on moto), the pure ``AlarmRule`` parser, and what moto alone does instead.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import helpers.events as eb
from helpers.emulation.events.delivery import Fault
from helpers.rules.alarms import AlarmRuleError, evaluate_rule, parse_alarm_rule

GT = "GreaterThanThreshold"


# --- the pure rule ------------------------------------------------------------------------------
@pytest.mark.parametrize(("rule", "states", "expected"), [
    ('ALARM("dlq") AND NOT ALARM("deploy")', {"dlq": "ALARM", "deploy": "OK"}, True),
    ('ALARM("dlq") AND NOT ALARM("deploy")', {"dlq": "ALARM", "deploy": "ALARM"}, False),
    ('ALARM("a") AND NOT OK("b")', {"a": "ALARM", "b": "INSUFFICIENT_DATA"}, True),
    ("ALARM(a) OR ALARM(b) AND FALSE", {"a": "ALARM"}, True),   # AND binds tighter than OR
    ("(ALARM(a) OR ALARM(b)) AND FALSE", {"a": "ALARM"}, False),
    ("TRUE", {}, True),
    ('INSUFFICIENT_DATA("arn:aws:cloudwatch:us-east-1:123456789012:alarm:x")', {"x": "INSUFFICIENT_DATA"}, True),
])
def test_alarm_rule_truth_table(rule, states, expected):
    assert evaluate_rule(parse_alarm_rule(rule), states) is expected


@pytest.mark.parametrize("rule", ["", "ALARM(a) AND", "FOO(a)", "ALARM()", "(ALARM(a)", "x" * 10_241])
def test_bad_alarm_rules_are_refused(rule):
    with pytest.raises(AlarmRuleError, match="AlarmRule"):
        parse_alarm_rule(rule)


# --- the stand-ins ------------------------------------------------------------------------------
def _failing_rule(env, retries=0):
    sqs, events = env.client("sqs"), env.client("events")
    url = sqs.create_queue(QueueName=env.name("restock"))["QueueUrl"]
    dlq_url = sqs.create_queue(QueueName=env.name("restock-dlq"))["QueueUrl"]
    rule = env.name("low")
    events.put_rule(Name=rule, EventPattern='{"detail-type": ["InventoryLow"]}')
    events.put_targets(Rule=rule, Targets=[{
        "Id": "q", "Arn": eb.queue_arn(env, url), "RetryPolicy": {"MaximumRetryAttempts": retries},
        "DeadLetterConfig": {"Arn": eb.queue_arn(env, dlq_url)}}])
    env.emulation["events"].delivery.faults.append(Fault(env.name("restock"), 0, 10**6))
    return events, rule


def _put_low(events, n):
    for _ in range(n):
        events.put_events(Entries=[{"Source": "securecart.inventory", "DetailType": "InventoryLow",
                                    "Detail": '{"sku": "SKU-0001"}'}])


def _sum(env, rule, metric):
    start = env.clock.now() - __import__("datetime").timedelta(hours=1)
    got = env.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Events", MetricName=metric, Dimensions=[{"Name": "RuleName", "Value": rule}],
        StartTime=start, EndTime=env.clock.now(), Period=3600, Statistics=["Sum"])["Datapoints"]
    return sum(d["Sum"] for d in got)


def test_failed_deliveries_raise_failed_invocations_and_sent_to_dlq(any_env):
    # GIVEN a rule whose only target is down, no retries, and a DLQ
    env = any_env
    events, rule = _failing_rule(env)
    # WHEN 3 matching events arrive and a minute passes
    _put_low(events, 3)
    env.sleep(60)
    # THEN AWS/Events counts 3 invocations, 3 permanent failures and 3 sent to the DLQ
    assert [_sum(env, rule, m) for m in ("Invocations", "FailedInvocations", "InvocationsSentToDLQ")] == [3, 3, 3]
    names = {m["MetricName"] for m in env.client("cloudwatch").list_metrics(Namespace="AWS/Events")["Metrics"]}
    assert names == {"Invocations", "FailedInvocations", "InvocationsSentToDLQ"}


def _inbox(env):
    sqs, sns = env.client("sqs"), env.client("sns")
    topic = sns.create_topic(Name=env.name("oncall"))["TopicArn"]
    url = sqs.create_queue(QueueName=env.name("pager"))["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=eb.queue_arn(env, url), Attributes={"RawMessageDelivery": "true"})
    return topic, url


def _alarms(env, rule, topic):
    cw = env.client("cloudwatch")
    dlq, deploy, page = env.name("dlq-alarm"), env.name("deploying"), env.name("page")
    cw.put_metric_alarm(AlarmName=dlq, Namespace="AWS/Events", MetricName="InvocationsSentToDLQ",
                        Dimensions=[{"Name": "RuleName", "Value": rule}], Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=0, ComparisonOperator=GT, TreatMissingData="notBreaching")
    cw.put_metric_alarm(AlarmName=deploy, Namespace="SecureCart/Deploy", MetricName="InProgress",
                        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator=GT, TreatMissingData="notBreaching")
    cw.put_composite_alarm(AlarmName=page, AlarmRule=f'ALARM("{dlq}") AND NOT ALARM("{deploy}")',
                           AlarmActions=[topic])
    return cw, page


@pytest.mark.parametrize("deploying", [False, True])
def test_composite_alarm_pages_only_outside_a_deploy(any_env, deploying):
    # GIVEN a failing rule, a DLQ alarm, a deploy alarm and a composite alarm paging on-call
    env = any_env
    events, rule = _failing_rule(env)
    topic, inbox = _inbox(env)
    cw, page = _alarms(env, rule, topic)
    assert cw.describe_alarms(AlarmNames=[page], AlarmTypes=["CompositeAlarm"])["CompositeAlarms"][0][
        "StateValue"] == "OK"  # both children INSUFFICIENT_DATA: the rule is FALSE
    # WHEN events go to the DLQ (during a deploy or not) and two minutes pass
    if deploying:
        cw.put_metric_data(Namespace="SecureCart/Deploy", MetricData=[{"MetricName": "InProgress", "Value": 1}])
    _put_low(events, 2)
    env.sleep(120)
    # THEN the composite alarm is in ALARM and has paged once only when no deploy is running
    got = cw.describe_alarms(AlarmTypes=["CompositeAlarm"], AlarmNames=[page])
    assert got["MetricAlarms"] == []
    assert got["CompositeAlarms"][0]["StateValue"] == ("OK" if deploying else "ALARM")
    messages = env.client("sqs").receive_message(QueueUrl=inbox, MaxNumberOfMessages=10).get("Messages", [])
    pages = [json.loads(m["Body"]) for m in messages]
    assert [(p["AlarmName"], p["NewStateValue"]) for p in pages] == ([] if deploying else [(page, "ALARM")])


def test_a_bad_alarm_rule_is_a_validation_error(any_env):
    with pytest.raises(ClientError) as caught:
        any_env.client("cloudwatch").put_composite_alarm(AlarmName="x", AlarmRule="ALARM(a) AND")
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "expected word, found the end" in caught.value.response["Error"]["Message"]
    assert any_env.client("cloudwatch").describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


# --- moto alone still lacks each behaviour --------------------------------------------------------
def test_moto_alone_has_no_composite_alarms(env):
    env.emulation["cloudwatch"].stop()
    with pytest.raises(NotImplementedError):  # in-process moto raises it; over HTTP a 500
        env.client("cloudwatch").put_composite_alarm(AlarmName="x", AlarmRule="TRUE")


def test_moto_alone_records_no_events_metrics(env):
    events, rule = _failing_rule(env)
    env.emulation["events"].stop()
    _put_low(events, 3)
    env.sleep(60)
    assert env.client("cloudwatch").list_metrics(Namespace="AWS/Events")["Metrics"] == []
