"""The ``aws`` backend's code path, exercised against moto standing in for a real account.

No network: the test starts moto's own mock around the whole test, so the standard credential
chain, STS and every client call the aws backend makes are answered in-process.
"""

from __future__ import annotations

import json

import moto
import pytest

import helpers
from helpers.platform.clock import RealClock


@pytest.fixture
def fake_account(monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "SECURECART_BACKEND"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with moto.mock_aws():
        yield


def test_aws_backend_prints_account_region_and_plan_before_creating(fake_account, capsys, run_id):
    # WHEN the student opts in to the aws backend
    env = helpers.connect("aws", run=run_id)
    try:
        out = capsys.readouterr().out
        # THEN it names the real-account risk, the account, the region and what it will create
        assert "aws (REAL account" in out
        assert "account: 123456789012" in out
        assert "region   : eu-west-1" in out
        assert f"will create: queues, topics, rules named {env.prefix}*" in out
        assert isinstance(env.clock, RealClock) and not env.emulated
        assert env.resources.count() == 0
    finally:
        env.teardown()


def test_aws_backend_random_run_ids_differ(fake_account):
    # WHEN two aws environments are opened without a run id
    first = helpers.connect("aws", quiet=True)
    second = helpers.connect("aws", quiet=True)
    try:
        # THEN each has its own random 6-character run id (no collisions between students)
        assert first.run != second.run and len(first.run) == 6
    finally:
        first.teardown()
        second.teardown()


def test_aws_teardown_deletes_tracked_and_tagged_leftovers(fake_account, run_id):
    # GIVEN an aws environment with a queue made through env.client and a topic made
    # behind its back (a crashed kernel's leftover) but carrying the run's tags
    env = helpers.connect("aws", run=run_id, quiet=True)
    sqs = env.client("sqs")
    sqs.create_queue(QueueName="orders")
    import boto3

    sns = boto3.client("sns", region_name="eu-west-1")
    leftover = sns.create_topic(Name=f"{env.prefix}forgotten",
                                Tags=[{"Key": "course", "Value": "securecart"},
                                      {"Key": "run", "Value": env.run}])["TopicArn"]
    events = boto3.client("events", region_name="eu-west-1")
    events.put_rule(Name=f"{env.prefix}stale-rule", EventPattern='{"source": ["x"]}',
                    Tags=[{"Key": "course", "Value": "securecart"}, {"Key": "run", "Value": env.run}])
    events.put_targets(Rule=f"{env.prefix}stale-rule", Targets=[
        {"Id": "t", "Arn": "arn:aws:sqs:eu-west-1:123456789012:elsewhere"}])
    # WHEN the run is torn down
    report = env.teardown()
    # THEN all three are gone, and the report says which
    assert f"queue {env.prefix}orders" in report
    assert f"leftover topic {env.prefix}forgotten" in report
    assert f"leftover rule {env.prefix}stale-rule" in report
    assert events.list_rules(NamePrefix=env.prefix)["Rules"] == []
    assert leftover not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert boto3.client("sqs", region_name="eu-west-1").list_queues().get("QueueUrls", []) == []


def test_aws_names_and_tags_apply_to_student_calls(fake_account, run_id):
    # GIVEN an aws environment
    env = helpers.connect("aws", run=run_id, quiet=True)
    try:
        # WHEN the student creates a queue with a plain name through env.client
        url = env.client("sqs").create_queue(QueueName="payments")["QueueUrl"]
        tags = env.client("sqs").list_queue_tags(QueueUrl=url)["Tags"]
        # THEN it carries the run's prefix and tags
        assert url.endswith(f"/{env.prefix}payments")
        assert tags == {"course": "securecart", "run": env.run}
    finally:
        env.teardown()


def test_aws_backend_log_records_real_calls(fake_account, run_id):
    env = helpers.connect("aws", run=run_id, quiet=True)
    try:
        sqs = env.client("sqs")
        url = sqs.create_queue(QueueName="log")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "ord-1", "seq": 4}))
        frame = env.log.to_frame()
        sends = frame[frame.action == "send"]
        assert len(sends) == 1 and int(sends.seq.iloc[0]) == 4
    finally:
        env.teardown()


def test_switching_from_moto_to_aws_closes_the_local_environment(monkeypatch, tmp_path, run_id):
    # GIVEN a shell without AWS credentials, and an open moto environment (moto intercepting,
    # its fake credentials set, the loopback guard on)
    empty = tmp_path / "empty"
    empty.write_text("")
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    local = helpers.connect(run=run_id, quiet=True)
    local.client("sqs").create_queue(QueueName="local-only")
    # WHEN the student switches to aws
    # THEN the local environment is closed first, so moto's fake credentials no longer
    # stand in for an account: the aws backend reports the missing credentials
    with pytest.raises(helpers.CredentialsMissingError):
        helpers.connect("aws", quiet=True)
    assert local.closed
    with pytest.raises(helpers.EnvironmentClosedError):
        local.client("sqs")
