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


def _shell_without_credentials(monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION", "SECURECART_BACKEND"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_a_failed_aws_connect_leaves_the_open_moto_environment_open(monkeypatch, tmp_path, run_id):
    # GIVEN a shell without AWS credentials, and an open moto environment (moto intercepting,
    # its fake credentials set, the loopback guard on)
    _shell_without_credentials(monkeypatch, tmp_path)
    local = helpers.connect(run=run_id, quiet=True)
    url = local.client("sqs").create_queue(QueueName="local-only")["QueueUrl"]
    try:
        # WHEN the student switches to aws
        # THEN moto's fake credentials do not stand in for an account: the check reads the
        # shell's own variables and reports the missing credentials ...
        with pytest.raises(helpers.CredentialsMissingError, match="no AWS credentials were found"):
            helpers.connect("aws", quiet=True)
        # ... before anything was torn down: the moto environment and its queue are still there
        assert not local.closed
        assert local.client("sqs").list_queues()["QueueUrls"] == [url]
    finally:
        local.teardown()


def test_a_missing_profile_is_one_course_error_and_nothing_is_torn_down(monkeypatch, tmp_path,
                                                                         run_id):
    # GIVEN AWS_PROFILE naming a profile no config file has, and an open moto environment
    _shell_without_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_PROFILE", "student-prod")
    local = helpers.connect(run=run_id, quiet=True)
    try:
        # WHEN / THEN: one course error naming the profile and the fix (not botocore's raw one)
        with pytest.raises(helpers.SecureCartError) as caught:
            helpers.connect("aws", quiet=True)
        assert type(caught.value).__name__ == "ProfileNotFoundError"
        assert "'student-prod'" in str(caught.value) and "aws configure" in str(caught.value)
        assert not local.closed
    finally:
        local.teardown()


def test_the_region_hint_names_what_botocore_reads(monkeypatch, tmp_path):
    # GIVEN keys but no region, except AWS_REGION (which this botocore ignores)
    _shell_without_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    # WHEN / THEN the error names AWS_DEFAULT_REGION and the profile's region, and says
    # AWS_REGION is not read
    with pytest.raises(helpers.InvalidParameterError) as caught:
        helpers.connect("aws", quiet=True)
    text = str(caught.value)
    assert "botocore reads AWS_DEFAULT_REGION, then the `region` of your profile" in text
    assert "AWS_REGION is set ('eu-central-1'), but this botocore does not read it" in text


def _student(iam, name):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_two_students_in_one_account_cannot_delete_each_others_resources(fake_account,
                                                                           monkeypatch):
    # GIVEN two IAM users of one account (moto stands in for it), both running "lab1"
    import boto3

    iam = boto3.client("iam", region_name="eu-west-1")
    ana, ben = _student(iam, "ana"), _student(iam, "ben")
    envs = {}
    for who, (key, secret) in {"ana": ana, "ben": ben}.items():
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        envs[who] = helpers.connect("aws", run="lab1", quiet=True)
        envs[who].client("sqs").create_queue(QueueName="orders")
    # ben also has a topic only the tag/prefix sweep would find
    boto3.client("sns", region_name="eu-west-1").create_topic(
        Name=f"{envs['ben'].prefix}status",
        Tags=[{"Key": "course", "Value": "securecart"}, {"Key": "run", "Value": envs["ben"].run}])
    # and a resource named like ana's prefix but tagged with another run
    sqs = boto3.client("sqs", region_name="eu-west-1")
    impostor = sqs.create_queue(QueueName=f"{envs['ana'].prefix}not-mine",
                                tags={"course": "securecart", "run": "someone-else"})["QueueUrl"]

    # THEN their run ids differ (unique per user and kernel) and start with "lab1-"
    assert envs["ana"].run != envs["ben"].run
    assert envs["ana"].run.startswith("lab1-") and envs["ben"].run.startswith("lab1-")

    # WHEN ana tears down
    report = envs["ana"].teardown()

    # THEN only ana's queue went; ben's queue and topic, and the other run's queue, remain
    assert list(report) == [f"queue {envs['ana'].prefix}orders"]
    urls = sqs.list_queues()["QueueUrls"]
    assert any(u.endswith(f"/{envs['ben'].prefix}orders") for u in urls)
    assert impostor in urls
    topics = [t["TopicArn"] for t in boto3.client("sns", region_name="eu-west-1").list_topics()["Topics"]]
    assert any(t.endswith(f":{envs['ben'].prefix}status") for t in topics)
    envs["ben"].teardown()
    sqs.delete_queue(QueueUrl=impostor)


def test_the_same_run_in_the_same_kernel_keeps_its_suffix(fake_account):
    # WHEN one student connects twice with run="lab1" in one kernel
    first = helpers.connect("aws", run="lab1", quiet=True)
    first.teardown()
    second = helpers.connect("aws", run="lab1", quiet=True)
    second.teardown()
    # THEN both have the same run id (so a re-run meets its own deleted names), and
    # exact_run uses the id as given
    assert first.run == second.run
    exact = helpers.connect("aws", run=first.run, exact_run=True, quiet=True)
    exact.teardown()
    assert exact.run == first.run


def test_a_queue_name_reused_within_60_seconds_says_so_and_offers_the_wait(fake_account, capsys):
    # GIVEN a run whose queue was just deleted by teardown
    env = helpers.connect("aws", run="lab1", quiet=True)
    env.client("sqs").create_queue(QueueName="orders")
    env.teardown()
    # WHEN the notebook is re-run at once
    again = helpers.connect("aws", run="lab1")
    out = capsys.readouterr().out
    # THEN connect says that AWS refuses the name for 60 s, and offers the wait
    assert "AWS refuses a deleted queue's name for 60 s" in out
    assert "env.wait_for_queue_names()" in out
    # AND AWS's QueueDeletedRecently (moto does not model it: stubbed here) becomes one
    # course error naming the rule and the fix
    from botocore.stub import Stubber

    sqs = again.client("sqs")
    with Stubber(sqs) as stub:
        stub.add_client_error("create_queue", "AWS.SimpleQueueService.QueueDeletedRecently",
                              "You must wait 60 seconds after deleting a queue before you can "
                              "create another queue with the same name.", 400)
        with pytest.raises(helpers.SecureCartError) as caught:
            sqs.create_queue(QueueName="orders")
    assert type(caught.value).__name__ == "QueueDeletedRecentlyError"
    assert f"'{again.prefix}orders'" in str(caught.value)
    assert "60 seconds (QueueDeletedRecently)" in str(caught.value)
    assert "env.wait_for_queue_names()" in str(caught.value)
    again.teardown()


def test_aws_backend_leaves_time_sleep_alone(fake_account, run_id):
    # GIVEN the process's time.sleep before any environment is open
    import time

    real = time.sleep
    # WHEN the aws backend is open (a local one would make time.sleep move its simulated clock)
    env = helpers.connect("aws", run=run_id, quiet=True)
    try:
        during = time.sleep
    finally:
        env.teardown()
    # THEN time.sleep is still the real one: on AWS every second of waiting is a real second
    assert during is real and time.sleep is real
