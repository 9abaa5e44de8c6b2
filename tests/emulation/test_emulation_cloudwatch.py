"""Pins each CloudWatch and CloudWatch Logs stand-in, the alarm rules against the CloudWatch
User Guide, and that moto alone still lacks each behaviour.

Rules pinned (CloudWatch User Guide, "Using Amazon CloudWatch alarms" and "Configuring how
CloudWatch alarms treat missing data"): M out of N; with at least N real datapoints in the
evaluation range the N most recent real ones decide and the treatment is not used; fewer are
filled by the treatment; a new alarm is INSUFFICIENT_DATA; actions run on state changes only.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from helpers.emulation import EMULATED
from helpers.observability import DOCUMENTED_EXAMPLES, missing_data_table
from helpers.rules.alarms import evaluate

GT = "GreaterThanThreshold"


def _eval(values, n=3, m=None, treat="missing", state="OK"):
    return evaluate(values, threshold=0, comparison=GT, evaluation_periods=n,
                    datapoints_to_alarm=m, treat_missing=treat, current_state=state).state


# --- the documented rules (pure) ----------------------------------------------------------------
@pytest.mark.parametrize("row, expected", DOCUMENTED_EXAMPLES, ids=[r for r, _ in DOCUMENTED_EXAMPLES])
def test_missing_data_table_matches_the_user_guide(row, expected):
    # GIVEN the guide's example row (N = M = 3, five datapoints)
    # WHEN each treatment evaluates it
    table = missing_data_table()
    # THEN every cell is the guide's
    assert table.loc[row].to_dict() == expected


@pytest.mark.parametrize("values, m, state", [
    ([1, 1, 0], 2, "ALARM"),   # 2 of the last 3 breach: M=2 alarms
    ([1, 0, 0], 2, "OK"),      # 1 of 3 is not enough
    ([1, 1, 0], 3, "OK"),      # M=N=3 needs every one
    ([0, 1, 1, 1], 3, "ALARM"),  # only the N most recent count
    ([1, 1, 1, 0], 3, "OK"),
])
def test_m_out_of_n(values, m, state):
    assert _eval([float(v) for v in values], n=3, m=m) == state


def test_enough_real_datapoints_make_the_treatment_irrelevant():
    # GIVEN 3 real datapoints in a 5-period range (2 missing), N = 3
    values = [1.0, None, 1.0, None, 1.0]
    # WHEN / THEN every treatment gives the same: the 3 real ones decide
    assert {_eval(values, m=3, treat=t) for t in ("missing", "notBreaching", "breaching", "ignore")} == {"ALARM"}


@pytest.mark.parametrize("treat, state", [("breaching", "ALARM"), ("notBreaching", "OK"),
                                          ("missing", "ALARM"), ("ignore", "INSUFFICIENT_DATA")])
def test_each_treatment_fills_a_gap(treat, state):
    # GIVEN one breaching datapoint, the rest missing, N=3 M=2, current state INSUFFICIENT_DATA
    # WHEN / THEN breaching counts the gaps, notBreaching does not, missing decides on the real
    # one alone, ignore keeps the state because the gaps could go either way
    assert _eval([None, None, 1.0, None, None], m=2, treat=treat, state="INSUFFICIENT_DATA") == state


def test_all_missing():
    values = [None] * 5
    assert _eval(values, treat="missing") == "INSUFFICIENT_DATA"
    assert _eval(values, treat="ignore", state="ALARM") == "ALARM"
    assert _eval(values, treat="breaching") == "ALARM"
    assert _eval(values, treat="notBreaching") == "OK"


# --- the stand-ins in moto -------------------------------------------------------------------------


def _queue_alarm(env, queue_name, topic_arn=None, **extra):
    cw = env.client("cloudwatch")
    name = env.name("depth", "sns")
    params = dict(AlarmName=name, Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
                  Dimensions=[{"Name": "QueueName", "Value": queue_name}], Statistic="Maximum",
                  Period=60, EvaluationPeriods=1, Threshold=0, ComparisonOperator=GT,
                  TreatMissingData="notBreaching")
    if topic_arn:
        params.update(AlarmActions=[topic_arn], OKActions=[topic_arn])
    params.update(extra)
    cw.put_metric_alarm(**params)
    return name


def _state(env, name):
    return env.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def test_sqs_metrics_are_published_each_minute(any_env):
    # GIVEN a queue that gets 4 messages in minute 0 and has 2 received and deleted in minute 1
    env = any_env
    sqs, cw = env.client("sqs"), env.client("cloudwatch")
    name = env.name("metered")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    for i in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    env.sleep(60)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    env.sleep(60)

    # WHEN the AWS/SQS metrics of both minutes are read
    def series(metric, stat):
        result = cw.get_metric_data(StartTime=env.clock.now() - dt.timedelta(minutes=2),
                                    EndTime=env.clock.now(), ScanBy="TimestampAscending",
                                    MetricDataQueries=[{"Id": "q", "MetricStat": {"Metric": {
                                        "Namespace": "AWS/SQS", "MetricName": metric,
                                        "Dimensions": [{"Name": "QueueName", "Value": name}]},
                                        "Period": 60, "Stat": stat}}])
        return result["MetricDataResults"][0]["Values"]

    # THEN each minute has its counts and its end-of-minute gauges
    assert series("NumberOfMessagesSent", "Sum") == [4.0, 0.0]
    assert series("NumberOfMessagesReceived", "Sum") == [0.0, 2.0]
    assert series("NumberOfMessagesDeleted", "Sum") == [0.0, 2.0]
    assert series("ApproximateNumberOfMessagesVisible", "Maximum") == [4.0, 2.0]
    assert series("ApproximateAgeOfOldestMessage", "Maximum") == [60.0, 120.0]


def test_age_of_oldest_skips_messages_received_three_times(env):
    # GIVEN an old message received 3 times and a newer one never received
    sqs = env.client("sqs")
    name = env.name("ages")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    for _ in range(3):
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)
        env.sleep(2)
    env.sleep(30)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    env.sleep(60)
    # WHEN the age metric of the last minute is read (any CloudWatch call publishes it)
    env.client("cloudwatch").list_metrics()
    frame = env.emulation["cloudwatch"]
    datums = [d for d in frame._cw().metric_data if d.name == "ApproximateAgeOfOldestMessage"
              and d.dimensions[0].value == name]
    # THEN it measures the never-received message (SQS Developer Guide), not the old one
    # (minute 0-1: the old one was sent at 0 s, the new one at 36 s -> 24 s at the minute's end)
    assert [d.value for d in datums] == [24.0]


def test_new_alarm_starts_insufficient_then_alarms_and_notifies(any_env):
    # GIVEN an alarm on DLQ depth > 0 whose actions notify a topic, and a queue subscribed
    env = any_env
    sqs, sns, cw = env.client("sqs"), env.client("sns"), env.client("cloudwatch")
    dlq = env.name("dlq")
    url = sqs.create_queue(QueueName=dlq)["QueueUrl"]
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn,
                  Attributes={"RawMessageDelivery": "true"})
    name = _queue_alarm(env, dlq, topic)
    assert _state(env, name)["StateValue"] == "INSUFFICIENT_DATA"

    # WHEN a minute passes empty, then a message lands in the DLQ and another minute passes
    env.sleep(60)
    ok = _state(env, name)["StateValue"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    env.sleep(60)
    alarm = _state(env, name)

    # THEN OK, then ALARM with CloudWatch's reason, one notification per change, history kept
    assert ok == "OK"
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [1.0 (")
    assert alarm["StateReason"].endswith("was greater than the threshold (0.0) (minimum 1 datapoint "
                                         "for OK -> ALARM transition).")
    pages = [json.loads(m["Body"]) for m in
             sqs.receive_message(QueueUrl=inbox, MaxNumberOfMessages=10)["Messages"]]
    assert sorted((p["OldStateValue"], p["NewStateValue"]) for p in pages) == [
        ("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM")]
    assert pages[0]["Trigger"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    items = cw.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [i["HistorySummary"] for i in items] == ["Alarm updated from OK to ALARM",
                                                    "Alarm updated from INSUFFICIENT_DATA to OK"]
    rows = env.log.to_frame().query("service == 'cloudwatch' and action == 'alarm-state'")
    assert set(rows["outcome"]) == {EMULATED}


def test_alarm_actions_run_on_changes_only_and_not_when_disabled(env):
    # GIVEN an alarm already in ALARM
    sqs, sns = env.client("sqs"), env.client("sns")
    dlq = env.name("dlq")
    url = sqs.create_queue(QueueName=dlq)["QueueUrl"]
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    name = _queue_alarm(env, dlq, topic)
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    env.sleep(120)
    # WHEN it stays in ALARM for 3 more minutes, then actions are disabled and it recovers
    env.sleep(180)
    env.client("cloudwatch").disable_alarm_actions(AlarmNames=[name])
    sqs.purge_queue(QueueUrl=url)
    env.sleep(120)
    # THEN exactly one ALARM notification went out; the recovery notified no one
    actions = env.client("cloudwatch").describe_alarm_history(
        AlarmName=name, HistoryItemType="Action")["AlarmHistoryItems"]
    assert len(actions) == 1
    assert _state(env, name)["StateValue"] == "OK"
    states = env.client("cloudwatch").describe_alarm_history(
        AlarmName=name, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [i["HistorySummary"] for i in states] == ["Alarm updated from ALARM to OK",
                                                     "Alarm updated from INSUFFICIENT_DATA to ALARM"]


def test_updating_an_alarm_keeps_its_state(env):
    # GIVEN an alarm in ALARM
    sqs = env.client("sqs")
    dlq = env.name("dlq")
    sqs.send_message(QueueUrl=sqs.create_queue(QueueName=dlq)["QueueUrl"], MessageBody="x")
    name = _queue_alarm(env, dlq)
    env.sleep(60)
    assert _state(env, name)["StateValue"] == "ALARM"
    # WHEN it is put again with a new description
    _queue_alarm(env, dlq, AlarmDescription="page the inventory team")
    # THEN its state is unchanged (PutMetricAlarm API reference)
    assert _state(env, name)["StateValue"] == "ALARM"


def test_metric_math_arithmetic(any_env):
    # GIVEN two custom metrics with datapoints in the same minute
    env = any_env
    cw = env.client("cloudwatch")
    when = env.clock.now()
    cw.put_metric_data(Namespace="SecureCart/Orders", MetricData=[
        {"MetricName": "Charged", "Value": 6, "Timestamp": when},
        {"MetricName": "Shipped", "Value": 4, "Timestamp": when}])

    def stat(qid, metric):
        return {"Id": qid, "ReturnData": False, "MetricStat": {"Metric": {
            "Namespace": "SecureCart/Orders", "MetricName": metric}, "Period": 60, "Stat": "Sum"}}

    # WHEN GetMetricData computes c - s and 100 * s / c
    result = cw.get_metric_data(StartTime=when - dt.timedelta(minutes=1), EndTime=when + dt.timedelta(minutes=1),
                                MetricDataQueries=[stat("c", "Charged"), stat("s", "Shipped"),
                                                   {"Id": "gap", "Expression": "c - s"},
                                                   {"Id": "pct", "Expression": "100 * s / c"}])
    # THEN only the expressions come back (ReturnData False), with the arithmetic done
    values = {r["Id"]: r["Values"] for r in result["MetricDataResults"]}
    assert values["gap"] == [2.0]
    assert values["pct"] == [pytest.approx(66.6667, rel=1e-4)]
    assert set(values) == {"gap", "pct"}


def test_json_filter_patterns_select_by_field(any_env):
    # GIVEN three structured log events
    env = any_env
    logs = env.client("logs")
    group = env.name("logs/demo", "logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(env.clock.now().timestamp() * 1000)
    events = [{"level": "INFO", "order_id": "ord-00001", "latency_ms": 120},
              {"level": "ERROR", "order_id": "ord-00002", "latency_ms": 300, "error": "stock"},
              {"level": "ERROR", "order_id": "ord-00103", "latency_ms": 90}]
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now, "message": json.dumps(e)} for e in events])

    def ids(pattern):
        found = logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]
        return [json.loads(e["message"])["order_id"] for e in found]

    # WHEN / THEN each pattern selects by field as CloudWatch Logs does
    assert ids('{ $.level = "ERROR" }') == ["ord-00002", "ord-00103"]
    assert ids('{ $.level = "ERROR" && $.latency_ms > 100 }') == ["ord-00002"]
    assert ids('{ $.order_id = "ord-000*" }') == ["ord-00001", "ord-00002"]
    assert ids('{ $.level != "ERROR" || $.order_id = "ord-00103" }') == ["ord-00001", "ord-00103"]
    assert ids('{ $.error NOT EXISTS }') == ["ord-00001", "ord-00103"]
    assert ids("ord-00002") == ["ord-00002"]  # moto's own plain terms still work


# --- moto alone still lacks each behaviour --------------------------------------------------------
@pytest.fixture
def bare(env):
    """The moto environment without the CloudWatch and Logs stand-ins."""
    env.emulation["cloudwatch"].stop()
    env.emulation["logs"].stop()
    return env


def test_moto_alone_publishes_no_sqs_metrics_and_never_evaluates(bare):
    sqs, cw, sns = bare.client("sqs"), bare.client("cloudwatch"), bare.client("sns")
    name = bare.name("dlq")
    sqs.send_message(QueueUrl=sqs.create_queue(QueueName=name)["QueueUrl"], MessageBody="x")
    topic = sns.create_topic(Name="oncall")["TopicArn"]
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    alarm = _queue_alarm(bare, name, topic)
    assert _state(bare, alarm)["StateValue"] == "OK"  # AWS: INSUFFICIENT_DATA
    bare.sleep(300)
    assert cw.list_metrics(Namespace="AWS/SQS")["Metrics"] == []
    assert _state(bare, alarm)["StateValue"] == "OK"  # AWS: ALARM
    assert sqs.receive_message(QueueUrl=inbox).get("Messages", []) == []  # AWS: notified
    with pytest.raises(NotImplementedError):
        cw.describe_alarm_history(AlarmName=alarm)


def test_moto_alone_has_no_metric_math(bare):
    cw = bare.client("cloudwatch")
    when = bare.clock.now()
    cw.put_metric_data(Namespace="N", MetricData=[{"MetricName": "A", "Value": 6, "Timestamp": when}])
    result = cw.get_metric_data(StartTime=when - dt.timedelta(minutes=1), EndTime=when + dt.timedelta(minutes=1),
                                MetricDataQueries=[
                                    {"Id": "a", "ReturnData": False, "MetricStat": {"Metric": {
                                        "Namespace": "N", "MetricName": "A"}, "Period": 60, "Stat": "Sum"}},
                                    {"Id": "twice", "Expression": "a * 2"}])
    assert result["MetricDataResults"][0]["Values"] == []


def test_moto_alone_matches_every_event_for_a_json_pattern(bare):
    logs = bare.client("logs")
    group = bare.name("logs/bare", "logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(bare.clock.now().timestamp() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now, "message": json.dumps({"level": level})} for level in ("INFO", "ERROR")])
    found = logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" }')["events"]
    assert len(found) == 2


def test_the_groups_are_registered_and_named(env):
    assert env.emulation["cloudwatch"].names() == [
        "AWS/SQS metrics", "alarm evaluation", "alarm history", "alarm actions", "metric math arithmetic",
        "composite alarms"]
    assert env.emulation["logs"].names() == ["JSON filter patterns"]


def test_stopping_the_sqs_stand_ins_first_leaves_no_patch_behind(run_id):
    # GIVEN an environment whose SQS stand-ins are stopped before the others (the SQS pins do it)
    from moto.sqs import models as sqs_models

    import helpers

    original = sqs_models.SQSBackend.receive_message
    env = helpers.connect(run=run_id, quiet=True)
    env.stand_ins.stop()
    # WHEN it is torn down
    env.teardown()
    # THEN moto's own receive is back
    assert sqs_models.SQSBackend.receive_message is original


def test_age_is_not_reported_for_an_empty_queue_and_counts_from_the_move_in_a_dlq(env):
    # GIVEN a source queue whose message moves to its DLQ at 200 s, and an empty queue
    sqs = env.client("sqs")
    dlq_name, empty = env.name("ages-dlq"), env.name("empty")
    dlq = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    src = sqs.create_queue(QueueName=env.name("ages-src"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    sqs.create_queue(QueueName=empty)
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    sqs.receive_message(QueueUrl=src, VisibilityTimeout=1)
    env.sleep(200)
    assert sqs.receive_message(QueueUrl=src).get("Messages", []) == []  # moved to the DLQ now
    env.sleep(100)
    env.client("cloudwatch").list_metrics()
    # WHEN the age datapoints are read
    data = env.emulation["cloudwatch"]._cw().metric_data
    ages = {q: [d.value for d in data if d.name == "ApproximateAgeOfOldestMessage"
                and d.dimensions[0].value == q] for q in (dlq_name, empty)}
    # THEN the empty queue reports none, the DLQ counts from the move (at 200 s), not the send
    assert ages[empty] == []
    assert ages[dlq_name] == [40.0, 100.0]  # the minutes ending at 240 s and 300 s
