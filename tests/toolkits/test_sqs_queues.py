"""helpers.sqs.queues: one validated step creates a source queue and its DLQ, or nothing."""

from __future__ import annotations

import json

import pytest

from helpers import limits
from helpers.platform.errors import (
    InvalidNameError,
    InvalidParameterError,
    InvalidRedrivePolicyError,
    QueueAlreadyExistsError,
    QueueNotFoundError,
    QueueTypeMismatchError,
)
from helpers.sqs import attach_dlq, create_queue, delete_queue, queue_depth


def queue_names(env) -> list[str]:
    return sorted(u.rsplit("/", 1)[-1] for u in env.client("sqs").list_queues().get("QueueUrls", []))


def attributes(env, url: str) -> dict[str, str]:
    return env.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All", "RedriveAllowPolicy"])["Attributes"]


def test_standard_queue_with_dlq_is_wired_both_ways(env):
    # GIVEN a fresh environment
    # WHEN an order queue is created with the defaults
    q = create_queue(env, "orders", max_receive_count=4, visibility_timeout=45)

    # THEN the source names the DLQ in its redrive policy, with the count asked for
    src, dlq = attributes(env, q.url), attributes(env, q.dlq_url)
    assert json.loads(src["RedrivePolicy"]) == {"deadLetterTargetArn": q.dlq_arn, "maxReceiveCount": 4}
    # AND the DLQ admits exactly this source
    assert json.loads(dlq["RedriveAllowPolicy"]) == {"redrivePermission": "byQueue",
                                                     "sourceQueueArns": [q.arn]}
    # AND both are encrypted, the DLQ keeps messages 14 days, the source its visibility
    assert src["SqsManagedSseEnabled"] == dlq["SqsManagedSseEnabled"] == "true"
    assert dlq["MessageRetentionPeriod"] == str(limits.SQS_MAX_RETENTION_SECONDS)
    assert src["VisibilityTimeout"] == "45"
    assert q.arn == f"arn:aws:sqs:{env.region}:{env.account}:{q.name}"
    assert queue_names(env) == [f"{env.prefix}orders", f"{env.prefix}orders-dlq"]
    assert (q.fifo, q.max_receive_count, q.visibility_timeout) == (False, 4, 45)


def test_fifo_queue_gets_the_suffix_and_a_fifo_dlq(env):
    # WHEN a FIFO queue is asked for without the .fifo suffix
    q = create_queue(env, "orders", fifo=True)

    # THEN the suffix is added, to the DLQ too, and both are FIFO
    assert queue_names(env) == [f"{env.prefix}orders-dlq.fifo", f"{env.prefix}orders.fifo"]
    assert attributes(env, q.url)["FifoQueue"] == attributes(env, q.dlq_url)["FifoQueue"] == "true"
    assert q.fifo and q.name.endswith(".fifo")


def test_create_queue_is_idempotent_and_refuses_other_attributes(env):
    # GIVEN an existing queue
    q = create_queue(env, "orders", visibility_timeout=30)

    # WHEN it is created again with the same arguments THEN the same queue comes back
    assert create_queue(env, "orders", visibility_timeout=30) == q

    # WHEN it is created with another visibility timeout THEN one clear error says how to recreate
    with pytest.raises(QueueAlreadyExistsError) as err:
        create_queue(env, "orders", visibility_timeout=60)
    text = str(err.value)
    assert "VisibilityTimeout: exists as '30', asked for '60'" in text
    assert "delete_queue" in text
    assert queue_names(env) == [f"{env.prefix}orders", f"{env.prefix}orders-dlq"]


@pytest.mark.parametrize(
    ("kwargs", "error", "fragments"),
    [
        ({"name": "orders!"}, InvalidNameError, ["'orders!'", "letters, digits, hyphens", "Fix"]),
        ({"name": "x" * 70}, InvalidNameError, ["too long", "80", "Fix"]),
        ({"name": "o" * 58}, InvalidNameError, ["dead-letter queue", "-dlq", "shorten"]),
        ({"name": "orders.fifo"}, InvalidNameError, ["fifo=False", "Fix: pass fifo=True"]),
        ({"max_receive_count": 0}, InvalidRedrivePolicyError, ["max_receive_count=0", "1 to 1000", "Fix"]),
        ({"max_receive_count": 1001}, InvalidRedrivePolicyError, ["1001", "1 to 1000"]),
        ({"visibility_timeout": 43_201}, InvalidParameterError, ["43201", "0 to 43200", "Fix"]),
        ({"delay_seconds": 901}, InvalidParameterError, ["delay_seconds=901", "0 to 900"]),
        ({"delay_seconds": 5, "fifo": True}, InvalidParameterError, ["delay_seconds=5", "FIFO"]),
        ({"retention_seconds": 59}, InvalidParameterError, ["retention_seconds=59", "60 to 1209600"]),
        ({"content_based_dedup": True}, InvalidParameterError, ["FIFO attribute", "fifo=True"]),
        ({"visibility_timeout": 1.5}, InvalidParameterError, ["1.5", "whole number"]),
    ],
)
def test_invalid_arguments_raise_one_clear_error_and_create_nothing(env, kwargs, error, fragments):
    # GIVEN arguments SQS would reject
    kwargs = {"name": "orders", **kwargs}
    # WHEN the queue is created
    with pytest.raises(error) as err:
        create_queue(env, **kwargs)
    # THEN the error names the value, the rule and the fix
    for fragment in fragments:
        assert fragment in str(err.value)
    # AND nothing exists
    assert queue_names(env) == []


def test_a_failing_source_creation_deletes_the_dlq_it_made(env, monkeypatch):
    # GIVEN SQS that refuses the source queue (the second CreateQueue)
    sqs = env.client("sqs")
    real = sqs.create_queue
    calls = []

    def flaky(**params):
        calls.append(params["QueueName"])
        if len(calls) == 2:
            raise RuntimeError("SQS is having a bad day")
        return real(**params)

    monkeypatch.setattr(sqs, "create_queue", flaky)
    # WHEN the order queue is created
    with pytest.raises(RuntimeError):
        create_queue(env, "orders")
    # THEN the DLQ was created first and deleted again: nothing half-created
    assert calls == [f"{env.prefix}orders-dlq", f"{env.prefix}orders"]
    assert queue_names(env) == []


def test_queue_without_dlq(env):
    q = create_queue(env, "plain", dlq=False, max_receive_count=0)  # count ignored without a DLQ
    assert (q.dlq_url, q.dlq_arn, q.max_receive_count) == (None, None, None)
    assert "RedrivePolicy" not in attributes(env, q.url)
    assert queue_names(env) == [f"{env.prefix}plain"]


def test_queue_depth_counts_visible_in_flight_delayed_and_dlq(env):
    # GIVEN three messages, one of them received and one delayed
    q = create_queue(env, "orders")
    sqs = env.client("sqs")
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=q.url, MessageBody=body)
    sqs.send_message(QueueUrl=q.url, MessageBody="c", DelaySeconds=60)
    sqs.receive_message(QueueUrl=q.url, MaxNumberOfMessages=1)
    sqs.send_message(QueueUrl=q.dlq_url, MessageBody="dead")
    # WHEN the depth is read THEN each state is counted once
    assert queue_depth(env, q) == {"visible": 1, "in_flight": 1, "delayed": 1, "dlq": 1}
    assert queue_depth(env, q.url)["dlq"] == 1  # found through the redrive policy


def test_attach_dlq_to_an_existing_queue(env):
    # GIVEN two queues without DLQs
    src = create_queue(env, "payments", dlq=False)
    bin_ = create_queue(env, "payments-bin", dlq=False)
    # WHEN one becomes the DLQ of the other
    q = attach_dlq(env, src.url, bin_.url, max_receive_count=5)
    # THEN the redrive policy and the allow policy are set
    assert json.loads(attributes(env, src.url)["RedrivePolicy"])["maxReceiveCount"] == 5
    assert json.loads(attributes(env, bin_.url)["RedriveAllowPolicy"])["sourceQueueArns"] == [src.arn]
    assert (q.dlq_arn, q.max_receive_count) == (bin_.arn, 5)


def test_attach_dlq_of_the_wrong_type_fails_and_changes_nothing(env):
    # GIVEN a standard queue and a FIFO queue
    src = create_queue(env, "payments", dlq=False)
    fifo = create_queue(env, "payments-bin", fifo=True, dlq=False)
    # WHEN the FIFO queue is attached as the standard queue's DLQ
    with pytest.raises(QueueTypeMismatchError) as err:
        attach_dlq(env, src.url, fifo.url, max_receive_count=3)
    # THEN the error names both queues, the rule and the fix
    text = str(err.value)
    assert "is standard but the DLQ" in text and "is FIFO" in text
    assert "same type as its source" in text and "Fix: create a standard DLQ" in text
    # AND nothing changed
    assert "RedrivePolicy" not in attributes(env, src.url)
    assert "RedriveAllowPolicy" not in attributes(env, fifo.url)


def test_attach_dlq_validates_count_self_and_missing_queue(env):
    src = create_queue(env, "payments", dlq=False)
    with pytest.raises(InvalidRedrivePolicyError, match="max_receive_count=0"):
        attach_dlq(env, src.url, src.url, max_receive_count=0)
    with pytest.raises(InvalidRedrivePolicyError, match="its own dead-letter queue"):
        attach_dlq(env, src, src, max_receive_count=3)
    with pytest.raises(QueueNotFoundError, match="does not exist"):
        attach_dlq(env, src.url, src.url + "-nope", max_receive_count=3)


def test_delete_queue_removes_source_and_dlq(env):
    q = create_queue(env, "orders")
    assert delete_queue(env, q) == [q.name, q.dlq_name]
    assert queue_names(env) == []
    assert delete_queue(env, q) == []  # already gone: nothing to do
