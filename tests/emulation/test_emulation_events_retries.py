"""Pins the EventBridge delivery-failure stand-ins: retries with backoff on the simulated clock
under the fault scenario, the DLQ with AWS's attributes, drops, bus policies across accounts,
the replay window and PutEvents' limits; and what moto alone does instead.
"""

from __future__ import annotations

import datetime as dt
import json

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

import helpers.events as eb
from helpers.emulation.events.delivery import Deliverer, Fault
from helpers.platform import limits


def _queue(env, name):
    url = env.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, eb.queue_arn(env, url)


def _messages(env, url):
    sqs, out = env.client("sqs"), []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     MessageAttributeNames=["All"]).get("Messages", []):
        out += got
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def _setup(env, **policy):
    url, arn = _queue(env, "restock")
    dlq_url, dlq_arn = _queue(env, "restock-dlq")
    events = env.client("events")
    events.put_rule(Name="low", EventPattern='{"detail-type": ["InventoryLow"]}')
    target = {"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}
    if policy:
        target["RetryPolicy"] = policy
    events.put_targets(Rule="low", Targets=[target])
    return events, url, dlq_url


def _low(events):
    return events.put_events(Entries=[{"Source": "securecart.inventory", "DetailType": "InventoryLow",
                                       "Detail": '{"sku": "SKU-0001"}'}])["Entries"][0]["EventId"]


def test_a_short_outage_is_retried_and_delivered_late(env):
    # GIVEN the restock queue is down for the first 120 s
    events, url, dlq_url = _setup(env)
    env.emulation["events"].delivery.faults.append(Fault(f"{env.prefix}restock", 0, 120))
    # WHEN an event arrives during the outage and time passes
    event_id = _low(events)
    assert _messages(env, url) == []
    eb.wait(env, 600)
    # THEN it was delivered after some failed attempts, once, and nothing is in the DLQ
    got = _messages(env, url)
    assert [json.loads(m["Body"])["id"] for m in got] == [event_id]
    frame = env.log.to_frame()
    failed = frame[frame.action == "attempt-failed"]
    assert len(failed) >= 5 and set(failed.outcome) == {"error:CONNECTION_FAILURE"}
    delivered = frame[frame.action == "deliver"]
    assert delivered.attempt.iloc[0] == len(failed) + 1 and delivered.time.iloc[0] >= 120
    assert _messages(env, dlq_url) == []


def test_retries_exhausted_go_to_the_dlq_with_aws_attributes(env):
    # GIVEN at most 2 retries and a long outage
    events, url, dlq_url = _setup(env, MaximumRetryAttempts=2)
    env.emulation["events"].delivery.faults.append(Fault(f"{env.prefix}restock", 0, 3600, code="THROTTLING",
                                                         message="Rate exceeded"))
    # WHEN an event arrives and time passes
    event_id = _low(events)
    eb.wait(env, 600)
    # THEN after 3 attempts it is in the DLQ with AWS's message attributes, and not in the queue
    (message,) = _messages(env, dlq_url)
    attrs = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attrs["ERROR_CODE"] == "THROTTLING" and attrs["ERROR_MESSAGE"] == "Rate exceeded"
    assert attrs["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts" and attrs["RETRY_ATTEMPTS"] == "2"
    assert attrs["RULE_ARN"].endswith(f"rule/{env.prefix}low") and attrs["TARGET_ARN"].endswith(f"{env.prefix}restock")
    assert json.loads(message["Body"])["id"] == event_id
    assert _messages(env, url) == []


def test_max_event_age_ends_the_retries(env):
    # GIVEN a 60 s maximum event age and a long outage
    events, _, dlq_url = _setup(env, MaximumEventAgeInSeconds=60)
    env.emulation["events"].delivery.faults.append(Fault(f"{env.prefix}restock", 0, 3600))
    # WHEN an event arrives
    _low(events)
    eb.wait(env, 600)
    # THEN it reached the DLQ within about a minute, for MaximumEventAgeInSeconds
    (message,) = _messages(env, dlq_url)
    assert message["MessageAttributes"]["EXHAUSTED_RETRY_CONDITION"]["StringValue"] == "MaximumEventAgeInSeconds"
    dead = env.log.to_frame().query("action == 'dead-letter'")
    assert 30 <= dead.time.iloc[0] <= 60


def test_without_a_dlq_the_event_is_dropped_and_logged(env):
    # GIVEN a target without DeadLetterConfig and no retries
    url, arn = _queue(env, "restock")
    events = env.client("events")
    events.put_rule(Name="low", EventPattern='{"detail-type": ["InventoryLow"]}')
    events.put_targets(Rule="low", Targets=[{"Id": "q", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 0}}])
    env.emulation["events"].delivery.faults.append(Fault(f"{env.prefix}restock", 0, 3600))
    # WHEN an event arrives
    _low(events)
    eb.wait(env, 60)
    # THEN it is gone, and the log says so
    assert _messages(env, url) == []
    assert list(env.log.to_frame().query("action == 'dropped'").outcome) == ["emulated on moto"]


def test_a_missing_target_goes_to_the_dlq_without_retries(env):
    # GIVEN a target queue that does not exist
    dlq_url, dlq_arn = _queue(env, "dlq")
    events = env.client("events")
    events.put_rule(Name="low", EventPattern='{"detail-type": ["InventoryLow"]}')
    events.put_targets(Rule="low", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:us-east-1:{env.account}:gone",
                                             "DeadLetterConfig": {"Arn": dlq_arn}}])
    # WHEN an event arrives
    _low(events)
    # THEN it is in the DLQ at once, after one attempt
    (message,) = _messages(env, dlq_url)
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "RESOURCE_NOT_FOUND"
    assert message["MessageAttributes"]["RETRY_ATTEMPTS"]["StringValue"] == "0"


def test_backoff_doubles_and_is_capped():
    assert [Deliverer.backoff(n, 1.0) for n in (1, 2, 3, 10, 50)] == [1.0, 2.0, 4.0, 300.0, 300.0]


def test_bus_policy_admits_only_the_allowed_account(env):
    # GIVEN the security account's bus allowing only this account, with a queue behind it
    sqs, bus, url = __import__("helpers.lab3.audit", fromlist=["x"]).security_setup(env)
    third = eb.client_in_account(env, eb.OTHER_ACCOUNT, "events")
    # WHEN this account and a third account put events on it by ARN
    ok = env.client("events").put_events(Entries=[{"Source": "securecart.audit", "DetailType": "AuditLogin",
                                                   "Detail": "{}", "EventBusName": bus.arn}])
    refused = third.put_events(Entries=[{"Source": "x", "DetailType": "AuditLogin", "Detail": "{}",
                                         "EventBusName": bus.arn}])
    # THEN this account's event arrived and the third account's entry failed with AccessDenied
    assert ok["FailedEntryCount"] == 0 and refused["FailedEntryCount"] == 1
    assert refused["Entries"][0]["ErrorCode"] == "AccessDeniedException"
    assert eb.OTHER_ACCOUNT in refused["Entries"][0]["ErrorMessage"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["account"] for m in got] == [env.account]


def test_replay_sends_only_the_time_window(env):
    # GIVEN an archive of a bus and three events a minute apart
    bus = eb.create_bus(env, "shop")
    archive = eb.create_archive(env, bus, "all")
    for i in range(3):
        eb.publish(env, [eb.entry("InventoryLow", {"n": i}, bus)])
        env.sleep(60)
    url, arn = _queue(env, "late")
    rule = eb.create_rule(env, "late", {"detail-type": ["InventoryLow"]}, bus)
    eb.add_targets(env, rule, [eb.target(env, "sqs", arn)])
    # WHEN the second minute is replayed
    start = dt.datetime(2026, 3, 2, 9, 1, tzinfo=dt.UTC)
    eb.replay(env, archive, bus, start, start + dt.timedelta(seconds=60), "one-minute")
    # THEN only the event of that minute arrives, marked with the replay's name
    bodies = [json.loads(m["Body"]) for m in _messages(env, url)]
    assert [b["detail"]["n"] for b in bodies] == [1]
    assert bodies[0]["replay-name"] == f"{env.prefix}one-minute"


def test_put_events_limits(env):
    events = env.client("events")
    entry = {"Source": "s", "DetailType": "d", "Detail": "{}"}
    # WHEN 11 entries, or entries over 1 MB, are put
    with pytest.raises(ClientError) as eleven:
        events.put_events(Entries=[entry] * 11)
    big = {**entry, "Detail": json.dumps({"x": "a" * limits.EVENTBRIDGE_MAX_EVENT_BYTES})}
    with pytest.raises(ClientError) as large:
        events.put_events(Entries=[big])
    # THEN AWS's validation errors
    assert "Member must have length less than or equal to 10" in eleven.value.response["Error"]["Message"]
    assert large.value.response["Error"]["Message"] == "Total size of the entries in the request is over the limit."
    # AND an entry just under 1 MB is accepted (it was over the 256 KB limit before 2026)
    fits = {**entry, "Detail": json.dumps({"x": "a" * 600_000})}
    assert events.put_events(Entries=[fits])["FailedEntryCount"] == 0


# -- moto alone ----------------------------------------------------------------------------
def test_moto_alone_has_no_entry_size_limit():
    with moto.mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        answer = events.put_events(Entries=[{"Source": "s", "DetailType": "d",
                                             "Detail": json.dumps({"x": "a" * 2_000_000})}])
        assert answer["FailedEntryCount"] == 0


def test_moto_alone_replays_the_whole_archive():
    with moto.mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        bus = events.describe_event_bus()["Arn"]
        archive = events.create_archive(ArchiveName="a", EventSourceArn=bus)["ArchiveArn"]
        events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}",
                                    "Time": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}])
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="r", EventPattern='{"source": ["s"]}')
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
        # WHEN a window that excludes the event (2021) is replayed
        events.start_replay(ReplayName="x", EventSourceArn=archive, Destination={"Arn": bus},
                            EventStartTime=dt.datetime(2021, 1, 1), EventEndTime=dt.datetime(2021, 1, 2))
        # THEN moto replays it anyway (AWS replays only events in the window)
        assert len(sqs.receive_message(QueueUrl=url).get("Messages", [])) == 1


def _client_as(account, service):
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/r", RoleSessionName="session")["Credentials"]
    return boto3.client(service, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def test_moto_alone_ignores_the_bus_policy():
    with moto.mock_aws():
        # GIVEN account 222222222222's bus with NO policy, and a queue behind its rule
        owner_events, owner_sqs = _client_as("222222222222", "events"), _client_as("222222222222", "sqs")
        bus = owner_events.create_event_bus(Name="locked")["EventBusArn"]
        url = owner_sqs.create_queue(QueueName="q")["QueueUrl"]
        arn = owner_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        owner_events.put_rule(Name="all", EventBusName="locked", EventPattern='{"source": ["s"]}')
        owner_events.put_targets(Rule="all", EventBusName="locked", Targets=[{"Id": "q", "Arn": arn}])
        # WHEN account 333333333333 forwards an event to it with a rule
        intruder = _client_as("333333333333", "events")
        intruder.put_rule(Name="r", EventPattern='{"source": ["s"]}')
        intruder.put_targets(Rule="r", Targets=[{"Id": "b", "Arn": bus}])
        intruder.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])
        # THEN moto delivers it (AWS refuses: no statement allows 333333333333)
        assert len(owner_sqs.receive_message(QueueUrl=url).get("Messages", [])) == 1


def test_a_rule_forwarding_to_a_bus_without_permission_is_refused(env):
    # GIVEN the security bus (allows only this account) and a third account's forwarding rule
    sqs, bus, url = __import__("helpers.lab3.audit", fromlist=["x"]).security_setup(env)
    intruder = eb.client_in_account(env, eb.OTHER_ACCOUNT, "events")
    intruder.put_rule(Name="r", EventPattern='{"source": ["s"]}')
    intruder.put_targets(Rule="r", Targets=[{"Id": "b", "Arn": bus.arn}])
    # WHEN the third account puts a matching event on its own bus
    intruder.put_events(Entries=[{"Source": "s", "DetailType": "AuditLogin", "Detail": "{}"}])
    # THEN nothing reached the security queue; the failed attempt says NO_PERMISSIONS
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    failed = env.log.to_frame().query("action == 'attempt-failed'")
    assert list(failed.outcome) == ["error:NO_PERMISSIONS"]
