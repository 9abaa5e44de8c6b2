"""helpers.connect() and Environment: backends, naming and tags, teardown, closed state, log."""

from __future__ import annotations

import json

import pytest
from conftest import random_run
from moto.events.models import events_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

import helpers
from helpers.environment import LOCAL_ACCOUNT, LOCAL_REGION, TeardownReport
from helpers.platform.errors import (
    CredentialsMissingError,
    EnvironmentClosedError,
    InvalidNameError,
    UnknownBackendError,
)


def _queue_arn(env, url: str) -> str:
    attrs = env.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attrs["Attributes"]["QueueArn"]


# --- backend selection --------------------------------------------------------------------
def test_default_backend_is_moto(monkeypatch):
    # GIVEN no SECURECART_BACKEND variable
    monkeypatch.delenv("SECURECART_BACKEND", raising=False)

    # WHEN
    env = helpers.connect(run=random_run(), quiet=True)

    # THEN the in-process moto backend, local region and account, simulated clock
    try:
        assert (env.backend, env.region, env.account) == ("moto", LOCAL_REGION, LOCAL_ACCOUNT)
        assert env.clock.simulated and env.emulated
    finally:
        env.teardown()


@pytest.mark.parametrize(("value", "expected"), [("", "moto"), ("moto", "moto"),
                                                 (" Server ", "server")])
def test_backend_variable_picks_the_backend(monkeypatch, value, expected):
    # GIVEN SECURECART_BACKEND set ('' means the default)
    monkeypatch.setenv("SECURECART_BACKEND", value)

    # WHEN
    env = helpers.connect(run=random_run(), quiet=True)

    # THEN
    try:
        assert env.backend == expected
    finally:
        env.teardown()


@pytest.mark.parametrize("via_variable", [False, True])
def test_unknown_backend_names_value_and_choices(monkeypatch, via_variable):
    # GIVEN an unknown backend, as an argument or in the variable
    if via_variable:
        monkeypatch.setenv("SECURECART_BACKEND", "localstak")

    # WHEN / THEN
    with pytest.raises(UnknownBackendError) as caught:
        helpers.connect(None if via_variable else "localstak", quiet=True)
    message = str(caught.value)
    assert "'localstak'" in message
    assert "moto, server, aws" in message
    assert ("SECURECART_BACKEND" in message) is via_variable


def test_aws_backend_without_credentials_fails_without_network(monkeypatch, tmp_path):
    # GIVEN a shell with no AWS credentials anywhere and no instance metadata
    import os
    import socket

    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    attempts: list = []
    monkeypatch.setattr(socket.socket, "connect", lambda s, a: attempts.append(a))
    monkeypatch.setattr(socket, "getaddrinfo", lambda h, *a, **k: attempts.append(h))

    # WHEN / THEN
    with pytest.raises(CredentialsMissingError, match="no AWS credentials were found") as caught:
        helpers.connect("aws", region="us-east-1", quiet=True)
    assert "backend='moto'" in str(caught.value)
    assert attempts == []


# --- names and tags -----------------------------------------------------------------------
def test_raw_client_calls_are_prefixed_and_tagged(env):
    # GIVEN a student's own boto3 clients
    sqs, sns = env.client("sqs"), env.client("sns")

    # WHEN creating a queue and a topic with short names
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    topic = sns.create_topic(Name="order-status")["TopicArn"]

    # THEN both carry the run prefix and the course/run tags
    assert url.endswith(f"/securecart-{env.run}-orders")
    assert topic.endswith(f":securecart-{env.run}-order-status")
    expected = {"course": "securecart", "run": env.run}
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == expected
    tags = sns.list_tags_for_resource(ResourceArn=topic)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == expected


def test_students_own_tags_are_kept_next_to_the_course_tags(env):
    # GIVEN / WHEN
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="tagged", tags={"team": "payments"})["QueueUrl"]

    # THEN
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {
        "course": "securecart", "run": env.run, "team": "payments"}


def test_invalid_name_raises_and_creates_nothing(env):
    # GIVEN / WHEN a name AWS rejects
    sqs = env.client("sqs")
    with pytest.raises(InvalidNameError) as caught:
        sqs.create_queue(QueueName="orders queue!")

    # THEN the message names the value and the rule, and no queue exists
    message = str(caught.value)
    assert "'orders queue!'" in message
    assert "1-80 characters of letters, digits, hyphens and underscores" in message
    assert "' ', '!'" in message
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert env.resources.count() == 0


def test_creating_the_same_queue_twice_returns_the_same_url(env):
    # GIVEN / WHEN
    sqs = env.client("sqs")
    first = sqs.create_queue(QueueName="orders")["QueueUrl"]
    second = sqs.create_queue(QueueName="orders")["QueueUrl"]

    # THEN one queue, tracked once
    assert first == second
    assert len(sqs.list_queues()["QueueUrls"]) == 1
    assert env.resources.of("queue") == [first]


# --- teardown and closed state ------------------------------------------------------------
def test_teardown_deletes_everything_and_is_safe_twice():
    # GIVEN a queue, a topic with a subscription and a rule with a target
    env = helpers.connect(run=random_run(), quiet=True)
    sqs, sns, events = env.client("sqs"), env.client("sns"), env.client("events")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = _queue_arn(env, url)
    topic = sns.create_topic(Name="status")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["securecart.orders"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "inbox", "Arn": arn}])

    default_bus = events_backends[LOCAL_ACCOUNT][LOCAL_REGION].event_buses["default"]
    assert f"securecart-{env.run}-orders" in default_bus.rules

    # WHEN tearing down twice
    first = env.teardown()
    second = env.teardown()

    # THEN everything is gone from moto, dependents were deleted first
    assert [item.split()[0] for item in first] == ["rule", "subscription", "topic", "queue"]
    assert "already torn down" in repr(second) and list(second) == []
    assert sqs_backends[LOCAL_ACCOUNT][LOCAL_REGION].queues == {}
    sns_backend = sns_backends[LOCAL_ACCOUNT][LOCAL_REGION]
    assert sns_backend.topics == {} and sns_backend.subscriptions == {}
    assert [name for name in default_bus.rules if env.run in name] == []
    assert env.resources.count() == 0


def test_calls_after_teardown_raise_environment_closed():
    # GIVEN a torn-down environment and a client made before teardown
    env = helpers.connect(run=random_run(), quiet=True)
    sqs = env.client("sqs")
    env.teardown()

    # WHEN / THEN every way in says so and points at connect()
    for call in (lambda: sqs.list_queues(), lambda: env.client("sns"), lambda: env.sleep(1)):
        with pytest.raises(EnvironmentClosedError, match=r"was torn down.*helpers\.connect\(\)"):
            call()


def test_connect_again_closes_the_previous_local_environment():
    # GIVEN an open environment with a queue
    first = helpers.connect(run=random_run(), quiet=True)
    first.client("sqs").create_queue(QueueName="old")

    # WHEN the first cell is run again
    second = helpers.connect(run=random_run(), quiet=True)

    # THEN the old one is closed (its queue deleted) and the new one starts empty
    try:
        assert first.closed and not second.closed
        assert first.resources.count() == 0
        assert second.client("sqs").list_queues().get("QueueUrls", []) == []
        with pytest.raises(EnvironmentClosedError):
            first.client("sqs")
    finally:
        second.teardown()


def test_repr_shows_backend_region_account_and_resources(env):
    # GIVEN
    env.client("sqs").create_queue(QueueName="orders")
    env.client("sns").create_topic(Name="status")

    # WHEN
    text = repr(env)

    # THEN
    assert "backend  : moto" in text
    assert "region   : us-east-1" in text and "account: 123456789012" in text
    assert f"1 queue (securecart-{env.run}-orders)" in text
    assert f"1 topic (securecart-{env.run}-status)" in text


# --- server backend -----------------------------------------------------------------------
def _round_trip(env) -> list:
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="trip")["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"seq": i + 1}))
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    for m in got:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    left = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    return [m["Body"] for m in got] + [len(left), int(env.clock.elapsed())]


def test_server_backend_uses_http_and_matches_moto(env, server_env):
    # GIVEN the server environment's clients (the moto env is closed by connecting the server)
    sqs = server_env.client("sqs")

    # WHEN running the same round trip on the server
    server = _round_trip(server_env)

    # THEN it really went over HTTP to loopback and gives moto's results
    assert server_env.endpoint_url.startswith("http://127.0.0.1:")
    assert sqs.meta.endpoint_url == server_env.endpoint_url
    assert env.closed
    local = helpers.connect(run=random_run(), quiet=True)
    try:
        assert _round_trip(local) == server == ['{"seq": 1}', '{"seq": 2}', '{"seq": 3}', 0, 1]
    finally:
        local.teardown()


# --- event log ----------------------------------------------------------------------------
def test_log_has_the_course_columns_and_records_a_students_calls(env):
    # GIVEN a FIFO queue and a student's own send / receive / delete
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="status.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    mark = env.log.mark()
    sent = sqs.send_message(QueueUrl=url, MessageBody='{"order_id": "ord-00001", "seq": 4}',
                            MessageGroupId="cus-007")
    received = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received["ReceiptHandle"])

    # WHEN
    frame = env.log.to_frame(since=mark)

    # THEN exactly the course columns, one row per call, with ids, group, seq and attempt
    assert list(frame.columns) == ["time", "service", "action", "resource", "message_id",
                                   "group", "seq", "attempt", "outcome", "actor", "detail"]
    assert list(frame["action"]) == ["send", "receive", "delete"]
    assert set(frame["message_id"]) == {sent["MessageId"]}
    assert set(frame["group"]) == {"cus-007"}
    assert list(frame["seq"]) == [4, 4, 4]
    assert frame["attempt"].iloc[1] == 1
    assert set(frame["resource"]) == {f"securecart-{env.run}-status.fifo"}
    assert set(frame["outcome"]) == {"ok"} and set(frame["actor"]) == {"client"}


def test_teardown_restores_exactly_the_variables_connect_changed(monkeypatch):
    # GIVEN the shell's own endpoint override and proxy
    import os

    import helpers

    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "https://sqs.eu-west-1.amazonaws.com")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    monkeypatch.delenv("SECURECART_STUDENT_NOTE", raising=False)
    env = helpers.connect(run="tenviron", quiet=True)
    # WHEN the student sets a variable of their own while the environment is open
    os.environ["SECURECART_STUDENT_NOTE"] = "mine"
    hidden = (os.environ.get("AWS_ENDPOINT_URL_SQS"), os.environ.get("HTTPS_PROXY"))
    env.teardown()
    # THEN the course's changes are undone and the student's own variable is kept
    assert hidden == (None, None)
    assert os.environ["AWS_ENDPOINT_URL_SQS"] == "https://sqs.eu-west-1.amazonaws.com"
    assert os.environ["HTTPS_PROXY"] == "http://127.0.0.1:3128"
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert os.environ.pop("SECURECART_STUDENT_NOTE") == "mine"


def test_teardown_names_a_single_custom_event_bus_naturally(env):
    # GIVEN one Custom Event Bus and one Classic bus, among more resources than a report lists
    env.client("eventbridgev2").create_event_bus(Name="one-v2")
    env.client("events").create_event_bus(Name="one")
    sqs = env.client("sqs")
    for i in range(TeardownReport.LISTED):
        sqs.create_queue(QueueName=f"q{i}")
    # WHEN the environment is torn down
    report = repr(env.teardown())
    # THEN each count reads as English, not as the internal kind
    assert "1 custom event bus" in report and "event-bus-v2" not in report
    assert "1 event bus" in report
