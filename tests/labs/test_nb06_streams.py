"""Kinesis stand-in and toolkit, DynamoDB Streams feed, Lambda handler stand-in, nb06 checks."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from helpers.emulation import EMULATED
from helpers.kinesis import ShardReader, also_bought, create_stream, delete_stream, put_records
from helpers.orchestration import checks
from helpers.orchestration.status import OrderStatusFeed, resume_from
from helpers.platform import limits
from helpers.platform.errors import InvalidParameterError, StreamNotFoundError
from helpers.stepfunctions import deploy_function


def test_shard_limit_throttles_put_record_with_aws_words(any_env):
    # GIVEN a 1-shard stream and a limit of 3 records/s
    kinesis = any_env.client("kinesis")
    stream = create_stream(any_env, "hot", shards=1)
    with mock.patch.object(limits, "KINESIS_SHARD_WRITE_RECORDS_PER_SECOND", 3):
        for _ in range(3):
            kinesis.put_record(StreamName=stream, PartitionKey="k", Data=b"x")
        # WHEN the fourth in the same second THEN AWS's error
        with pytest.raises(ClientError) as err:
            kinesis.put_record(StreamName=stream, PartitionKey="k", Data=b"x")
        assert err.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert err.value.response["Error"]["Message"] == (
            f"Rate exceeded for shard shardId-000000000000 in stream {stream} under account 123456789012.")
        # and a second later it is accepted again
        any_env.sleep(1)
        kinesis.put_record(StreamName=stream, PartitionKey="k", Data=b"x")
    log = any_env.log.to_frame()
    assert (log["action"] == "throttle").sum() == 1
    assert log[log["action"] == "throttle"]["outcome"].iloc[0] == EMULATED


def test_put_records_fails_entries_and_retries_them(env):
    # GIVEN 2,400 clicks on one key into a 2-shard stream
    stream = create_stream(env, "one-key", shards=2)
    clicks = [{"customer": "c", "seq": i} for i in range(2400)]
    # WHEN put with retries
    report = put_records(env, stream, clicks, key=lambda c: "same")
    # THEN 1,000 per second got through and all arrived, in order
    assert report.sent == 2400 and report.gave_up == 0 and report.throttled > 0
    records = ShardReader(env, stream).read()
    assert [r["seq"] for r in records] == list(range(2400))


def test_moto_alone_never_throttles(env):
    env.emulation["kinesis"].stop()
    stream = create_stream(env, "bare", shards=1)
    report = put_records(env, stream, [{"i": i} for i in range(1500)], key=lambda c: "k", retries=0)
    assert (report.sent, report.throttled) == (1500, 0)


def test_put_on_a_deleted_stream_is_one_clear_error(env):
    stream = create_stream(env, "gone", shards=1)
    delete_stream(env, stream)
    with pytest.raises(StreamNotFoundError, match=r"Stream securecart-.*-gone under account 123456789012 not found"):
        put_records(env, stream, [{"a": 1}], key=lambda c: "k")


def test_partition_key_must_be_a_string(env):
    stream = create_stream(env, "pk", shards=1)
    with pytest.raises(InvalidParameterError, match="1 to 256 characters"):
        put_records(env, stream, [{"a": 1}], key=lambda c: 7)


def test_reader_checkpoints_and_rereads_within_retention(env):
    stream = create_stream(env, "ck", shards=3)
    put_records(env, stream, [{"customer": f"c{i % 7}", "seq": i} for i in range(50)], key=lambda c: c["customer"])
    reader = ShardReader(env, stream)
    assert len(reader.read()) == 50
    put_records(env, stream, [{"customer": "c1", "seq": 50}], key=lambda c: c["customer"])
    assert [r["seq"] for r in reader.read()] == [50]
    assert len(reader.read(start="TRIM_HORIZON")) == 51


def test_also_bought_counts_customers_not_clicks():
    clicks = [{"customer": "a", "product": "tv", "action": "view"},
              {"customer": "a", "product": "tv", "action": "view"},
              {"customer": "a", "product": "hdmi", "action": "purchase"},
              {"customer": "b", "product": "tv", "action": "view"},
              {"customer": "b", "product": "tv", "action": "purchase"},
              {"customer": "c", "product": "hdmi", "action": "purchase"}]
    assert also_bought(clicks) == {"tv": {"hdmi": 1}}


def test_status_feed_images_and_restart(env):
    feed = OrderStatusFeed.create(env)
    feed.set_status("o", "created")
    feed.set_status("o", "paid")
    rows = feed.consume()
    assert [(r["event"], r["old"], r["new"]) for r in rows] == [("INSERT", None, "created"), ("MODIFY", "created", "paid")]
    feed.set_status("o", "shipped")
    assert [r["new"] for r in feed.consume(resume_from)] == ["shipped"]
    assert feed.consume() == []


def test_lambda_invoke_runs_the_registered_handler(any_env):
    def handler(event, context):
        if event.get("boom"):
            raise ValueError("bad order")
        return {"seen": event["n"], "fn": context.function_name}
    deploy_function(any_env, "echo", handler)
    lam = any_env.client("lambda")
    name = any_env.name("echo")
    ok = lam.invoke(FunctionName=name, Payload=json.dumps({"n": 3}))
    assert json.loads(ok["Payload"].read()) == {"seen": 3, "fn": name}
    bad = lam.invoke(FunctionName=name, Payload=json.dumps({"boom": True}))
    assert bad["FunctionError"] == "Unhandled"
    body = json.loads(bad["Payload"].read())
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "bad order")


def test_moto_alone_does_not_run_the_handler(env):
    # GIVEN a deployed function, the stand-in removed (no Docker here)
    deploy_function(env, "echo", lambda e, c: {"ran": True})
    env.emulation["lambda"].stop()
    # WHEN invoked THEN moto tried Docker and failed; the handler never ran
    answer = env.client("lambda").invoke(FunctionName=env.name("echo"), Payload="{}")
    assert answer["FunctionError"] == "Handled"
    assert b"error running docker" in answer["Payload"].read()


# --- exercise catalogues --------------------------------------------------------------------
RIGHT_CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}]


@pytest.mark.parametrize("answer, cause", [
    ([], "not-caught"),
    ([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "OrderFailed"}], "skips-refund"),
    ([{"ErrorEquals": ["States.ALL"], "Next": "ReleaseStock"}], "lost-input"),
    ([{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "ReleaseStock"}], "not-caught"),
    ([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}], "invalid-definition"),
    ([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Notify"}], "hides-failure"),
    ([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RefundPayment"}], "stock-kept"),
    ({"ErrorEquals": ["States.ALL"], "Next": "ReleaseStock"}, "not-a-list"),
    ([{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "ReleaseStock"}],
     "misses-timeout"),
    ([{"ErrorEquals": ["ShippingUnavailable", "RuntimeError"], "ResultPath": "$.error",
       "Next": "ReleaseStock"}], "misses-timeout"),
    ([{"ErrorEquals": ["ShippingUnavailable"], "ResultPath": "$.error", "Next": "ReleaseStock"}],
     "catches-one-error"),
    (None, "not-set"),
])
def test_refund_catch_catalogue(env, answer, cause):
    verdict = checks.check_refund_catch(env, answer)
    assert not verdict and verdict.cause == cause
    assert not [t for t in checks.ANSWER_TOKENS["exercise 1"] if t in verdict.text()]


@pytest.mark.parametrize("answer", [
    RIGHT_CATCH,
    [{"Next": "ReleaseStock", "ResultPath": "$.failure", "ErrorEquals": ["States.ALL"]}],
    [{"ErrorEquals": ["ShippingUnavailable"], "ResultPath": "$.error", "Next": "ReleaseStock"},
     {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}],
    [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.errors.ship", "Next": "ReleaseStock"}],
    [{"ErrorEquals": ["States.TaskFailed", "States.Timeout"], "ResultPath": "$.error",
      "Next": "ReleaseStock"}],
])
def test_refund_catch_right_answers_written_differently(env, answer):
    assert checks.check_refund_catch(env, answer)


@pytest.mark.parametrize("answer, cause", [
    (lambda c: c["product"], "hot-shard"),
    (lambda c: "clicks", "hot-shard"),
    (lambda c: c["action"], "hot-shard"),
    (lambda c: str(c["click"]), "order-broken"),
    (lambda c: c["seq"], "not-a-string"),
    (lambda c: c["session"], "crashes"),
    (None, "not-set"),
])
def test_partition_key_catalogue(env, answer, cause):
    verdict = checks.check_partition_key(env, answer)
    assert not verdict and verdict.cause == cause
    assert not [t for t in checks.ANSWER_TOKENS["exercise 2"] if t in verdict.text()]


def test_partition_key_right_answer(env):
    assert checks.check_partition_key(env, lambda c: c["customer"])


@pytest.mark.parametrize("answer, cause", [
    (lambda c: {"ShardIteratorType": "LATEST"}, "misses"),
    (lambda c: {"ShardIteratorType": "TRIM_HORIZON"}, "duplicates"),
    (lambda c: {"ShardIteratorType": "LATEST"} if c is None else resume_from(c), "misses"),
    (lambda c: resume_from(None) if c is None else {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": c}, "duplicates"),
    (lambda c: {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": c}, "crashes"),
    (None, "not-set"),
    (42, "not-a-function"),
    (lambda c: None, "returns-none"),
    (lambda c: "TRIM_HORIZON", "not-a-dict"),
    (lambda: {"ShardIteratorType": "TRIM_HORIZON"}, "wrong-signature"),
    (lambda c: resume_from(None) if c is None else {"ShardIteratorType": "LATEST"}, "misses"),
    (lambda c: resume_from(None) if c is None else {"ShardIteratorType": "after_sequence_number",
                                                     "SequenceNumber": c}, "crashes"),
    (lambda c: resume_from(None) if c is None else {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                                     "StartingSequenceNumber": c}, "crashes"),
])
def test_resume_catalogue(env, answer, cause):
    verdict = checks.check_resume(env, answer)
    assert not verdict and verdict.cause == cause
    assert not [t for t in checks.ANSWER_TOKENS["exercise 3"] if t in verdict.text()]


def _resume_if_truthy(checkpoint):
    if checkpoint:
        return dict(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=checkpoint)
    return dict(ShardIteratorType="TRIM_HORIZON")


@pytest.mark.parametrize("answer", [
    resume_from,
    _resume_if_truthy,
    lambda c: {"ShardIteratorType": "TRIM_HORIZON"} if not c else
    {"SequenceNumber": c, "ShardIteratorType": "AFTER_SEQUENCE_NUMBER"},
    lambda checkpoint=None: resume_from(checkpoint),
])
def test_resume_right_answers_written_differently(env, answer):
    assert checks.check_resume(env, answer)
