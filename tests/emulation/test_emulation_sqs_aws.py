"""Pins the SQS behaviours recorded against real AWS, and that moto alone lacks them.

AWS's texts come from LocalStack's snapshot tests (``tests/aws/services/sqs/*.snapshot.json``,
recorded against AWS) and Inqnuam/local-aws-sqs's tests; see helpers/emulation/sqs/*.py.
Each ``test_moto_alone_*`` test fails once moto itself behaves as AWS: then drop the stand-in.
"""

from __future__ import annotations

import base64
import json
import time

import pytest
from botocore.exceptions import ClientError
from sqs_calls import api_error as _error
from sqs_calls import queue_arn as _arn

FIFO = {"FifoQueue": "true"}
MIB = 1_048_576


def _fifo(sqs, name: str = "q.fifo", **attrs) -> str:
    return sqs.create_queue(QueueName=name, Attributes={
        **FIFO, "ContentBasedDeduplication": "true", **attrs})["QueueUrl"]


def _bodies(sqs, url: str, n: int = 10, **params) -> list[str]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=n, **params).get("Messages", [])
    return [m["Body"] for m in got]


def _send_groups(sqs, url: str, bodies: list[str]) -> None:
    for body in bodies:  # "g1-m2" goes to group g1
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=body.split("-")[0])


# --- PurgeQueue clears the FIFO deduplication memory (moto is right: left alone) ---------------
def _purge_then_resend(env) -> list[str]:
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="p.fifo", Attributes=FIFO)["QueueUrl"]
    send = dict(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d")
    sqs.send_message(**send)
    sqs.purge_queue(QueueUrl=url)
    sqs.send_message(**send)
    return _bodies(sqs, url)


def test_purge_queue_clears_the_deduplication_memory(any_env):
    # GIVEN / WHEN a FIFO message purged, then the same deduplication id sent again at once
    # THEN the resend is accepted and delivered (AWS and plain moto agree)
    assert _purge_then_resend(any_env) == ["x"]
    assert "deduplicate" not in any_env.log.counts()


def test_moto_alone_forgets_deduplication_ids_on_purge(sqs_bare):
    assert _purge_then_resend(sqs_bare) == ["x"]


# --- FIFO group order and unlocking ----------------------------------------------------------
def test_fifo_receive_returns_a_group_together_and_in_order(any_env):
    # GIVEN g1-m1, g2-m1, g1-m2, g1-m3 sent in that order
    sqs = any_env.client("sqs")
    url = _fifo(sqs)
    _send_groups(sqs, url, ["g1-m1", "g2-m1", "g1-m2", "g1-m3"])

    # WHEN / THEN one receive returns group 1 in order, then group 2 (AWS-recorded)
    assert _bodies(sqs, url) == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]


def test_fifo_group_reopens_when_one_message_is_visible_again(any_env):
    # GIVEN g1-m1 and g1-m2 received (in flight for 30 s), g2-m1 waiting
    sqs = any_env.client("sqs")
    url = _fifo(sqs, VisibilityTimeout="30")
    _send_groups(sqs, url, ["g1-m1", "g1-m2", "g2-m1"])
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]

    # WHEN g1-m1's timeout is ended with ChangeMessageVisibility 0 (the clock does not move)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"],
                                  VisibilityTimeout=0)

    # THEN the group is open again for g1-m1 although g1-m2 is in flight; group 1 goes last
    assert [m["Body"] for m in first] == ["g1-m1", "g1-m2"]
    assert _bodies(sqs, url, 3) == ["g2-m1", "g1-m1"]


def test_fifo_receive_with_zero_visibility_rotates_groups(env):
    # GIVEN LocalStack's AWS-validated sequence g1-m1, g2-m1, g2-m2, g3-m1, g1-m2
    sqs = env.client("sqs")
    url = _fifo(sqs)
    _send_groups(sqs, url, ["g1-m1", "g2-m1", "g2-m2", "g3-m1", "g1-m2"])

    # WHEN received twice with VisibilityTimeout=0
    first = _bodies(sqs, url, 3, VisibilityTimeout=0)
    second = _bodies(sqs, url, 10, VisibilityTimeout=0)

    # THEN the groups received from go to the back of the line
    assert first == ["g1-m1", "g1-m2", "g2-m1"]
    assert second == ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"]


def test_moto_alone_interleaves_groups_and_keeps_them_locked(sqs_bare):
    # GIVEN the same sends on bare moto
    sqs = sqs_bare.client("sqs")
    url = _fifo(sqs)
    _send_groups(sqs, url, ["g1-m1", "g2-m1", "g1-m2", "g1-m3"])

    # WHEN / THEN send order across groups, then g1 stays locked after ChangeMessageVisibility 0
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["g1-m1", "g2-m1", "g1-m2", "g1-m3"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"],
                                  VisibilityTimeout=0)
    assert _bodies(sqs, url) == []


def test_change_visibility_zero_shows_the_message_at_once(any_env):
    # GIVEN a received message, the clock frozen
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="ord-1")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]

    # WHEN its visibility is set to 0
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)

    # THEN the next receive returns it, without any simulated time passing
    assert _bodies(sqs, url) == ["ord-1"]
    assert any_env.clock.elapsed() == 0


def test_moto_alone_needs_the_clock_to_move_after_visibility_zero(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="ord-1")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert _bodies(sqs, url) == []


# --- receipt handles ----------------------------------------------------------------------
def test_fifo_delete_with_an_expired_handle_fails(any_env):
    # GIVEN a FIFO message received with a 1 s visibility timeout, 2 s ago
    sqs = any_env.client("sqs")
    url = _fifo(sqs)
    _send_groups(sqs, url, ["g1-m1"])
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]["ReceiptHandle"]
    any_env.sleep(2)

    # WHEN / THEN AWS's error, and the message is still there
    error = _error(sqs.delete_message, QueueUrl=url, ReceiptHandle=handle)
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == (f"Value {handle} for parameter ReceiptHandle is invalid. "
                                "Reason: The receipt handle has expired.")
    assert _bodies(sqs, url) == ["g1-m1"]


def test_moto_alone_deletes_with_an_expired_fifo_handle(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = _fifo(sqs)
    _send_groups(sqs, url, ["g1-m1"])
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]["ReceiptHandle"]
    sqs_bare.sleep(2)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert _bodies(sqs, url) == []


def _deleted_handle(sqs) -> tuple[str, str]:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="ord-1")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    return url, handle


def test_receipt_handle_errors_use_aws_text(any_env):
    # GIVEN a deleted message's handle and a malformed one
    sqs = any_env.client("sqs")
    url, handle = _deleted_handle(sqs)

    # WHEN / THEN
    gone = _error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle,
                  VisibilityTimeout=10)
    assert gone == {**gone, "Code": "InvalidParameterValue", "Message": (
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist "
        "or is not available for visibility timeout change.")}
    for call, extra in ((sqs.delete_message, {}), (sqs.change_message_visibility, {"VisibilityTimeout": 10})):
        bad = _error(call, QueueUrl=url, ReceiptHandle="not-a-handle", **extra)
        assert bad["Code"] == "ReceiptHandleIsInvalid"
        assert bad["Message"] == 'The input receipt handle "not-a-handle" is not a valid receipt handle.'


def test_moto_alone_words_every_handle_error_alike(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url, handle = _deleted_handle(sqs)
    gone = _error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10)
    bad = _error(sqs.delete_message, QueueUrl=url, ReceiptHandle="not-a-handle")
    assert gone["Message"] == bad["Message"] == "The input receipt handle is invalid."


# --- DLQ source ARN ---------------------------------------------------------------------------
def _into_dlq(env) -> tuple:
    sqs = env.client("sqs")
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    src = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "10", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})})["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=src, MessageBody=f"order-{i}")
    for _ in range(2):
        sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10)
        env.sleep(11)
    return sqs, src, dlq


def test_dlq_messages_carry_their_source_arn(any_env):
    # GIVEN / WHEN messages moved to a DLQ after maxReceiveCount
    sqs, src, dlq = _into_dlq(any_env)
    got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10,
                              MessageSystemAttributeNames=["All"])["Messages"]

    # THEN each names the queue it came from
    assert len(got) == 5
    assert {m["Attributes"]["DeadLetterQueueSourceArn"] for m in got} == {_arn(sqs, src)}


def test_moto_alone_has_no_dead_letter_source_arn(sqs_bare):
    sqs, _, dlq = _into_dlq(sqs_bare)
    got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10,
                              MessageSystemAttributeNames=["All"])["Messages"]
    assert len(got) == 5
    assert all("DeadLetterQueueSourceArn" not in m["Attributes"] for m in got)


# --- message move tasks -------------------------------------------------------------------------
def test_move_task_runs_on_the_simulated_clock_and_can_be_cancelled(any_env):
    # GIVEN five messages in a DLQ, moved back at one message per second
    env = any_env
    sqs, src, dlq = _into_dlq(env)
    dlq_arn = _arn(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]

    # WHEN two simulated seconds pass, a second task is tried, and the first is cancelled
    env.sleep(2)
    running = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    second = _error(sqs.start_message_move_task, SourceArn=dlq_arn)
    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    env.sleep(10)
    after = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]

    # THEN progress showed, one task per source, and nothing moved after the cancel
    assert json.loads(base64.b64decode(handle)) == {"taskId": json.loads(base64.b64decode(handle))["taskId"],
                                                   "sourceArn": dlq_arn}
    assert running == {**running, "Status": "RUNNING", "TaskHandle": handle,
                       "ApproximateNumberOfMessagesMoved": 2, "ApproximateNumberOfMessagesToMove": 5,
                       "MaxNumberOfMessagesPerSecond": 1}
    assert second["Message"] == ("There is already a task running. Only one active task is allowed "
                                 "for a source queue arn at a given time.")
    assert cancelled["ApproximateNumberOfMessagesMoved"] == 2
    assert after["Status"] == "CANCELLED" and "TaskHandle" not in after
    assert after["ApproximateNumberOfMessagesMoved"] == 2
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "3"


def test_move_task_errors_use_aws_codes_and_text(any_env):
    # GIVEN a DLQ, a plain queue, and a handle naming an unknown task
    sqs, src, dlq = _into_dlq(any_env)
    dlq_arn = _arn(sqs, dlq)
    missing = dlq_arn + "-gone"
    unknown = base64.b64encode(json.dumps({"taskId": "0000", "sourceArn": dlq_arn}).encode()).decode()

    # WHEN / THEN
    cases = [
        (dict(SourceArn=_arn(sqs, src)), sqs.start_message_move_task, "InvalidParameterValue",
         "Source queue must be configured as a Dead Letter Queue."),
        (dict(SourceArn=dlq_arn, DestinationArn=missing), sqs.start_message_move_task,
         "ResourceNotFoundException",
         "The resource that you specified for the DestinationArn parameter doesn't exist."),
        (dict(TaskHandle="not-a-handle"), sqs.cancel_message_move_task, "InvalidParameterValue",
         "Value for parameter TaskHandle is invalid."),
        (dict(TaskHandle=unknown), sqs.cancel_message_move_task, "ResourceNotFoundException",
         "Task does not exist."),
    ]
    for params, call, code, message in cases:
        error = _error(call, **params)
        assert (error["Code"], error["Message"]) == (code, message)


# --- size limits ------------------------------------------------------------------------------
def _attr(n: int) -> dict:
    return {"pad": {"DataType": "String", "StringValue": "x" * n}}


def test_size_limit_counts_message_attributes(any_env):
    # GIVEN a default queue (1 MiB) and one limited to 1024 bytes
    sqs = any_env.client("sqs")
    big = sqs.create_queue(QueueName="big")["QueueUrl"]
    small = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]

    # WHEN bodies under the limit carry attributes that push them over
    over_big = _error(sqs.send_message, QueueUrl=big, MessageBody="b" * (MIB - 10), MessageAttributes=_attr(20))
    over_small = _error(sqs.send_message, QueueUrl=small, MessageBody="b" * 1000, MessageAttributes=_attr(100))

    # THEN both are refused in AWS's words
    assert over_big["Message"] == ("One or more parameters are invalid. Reason: Message must be "
                                   "shorter than 1048576 bytes.")
    assert over_small["Message"] == ("One or more parameters are invalid. Reason: Message must be "
                                     "shorter than 1024 bytes.")
    assert over_small["Code"] == "InvalidParameterValue"


def test_batch_total_and_single_entry_limits(any_env):
    # GIVEN two entries of 500 KB bodies + 60 KB attributes (bodies alone fit 1 MiB)
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="big")["QueueUrl"]
    small = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    entries = [{"Id": str(i), "MessageBody": "b" * 500_000, "MessageAttributes": _attr(60_000)}
               for i in range(2)]

    # WHEN sent as one batch; and a batch with one entry too big for the small queue
    whole = _error(sqs.send_message_batch, QueueUrl=url, Entries=entries)
    mixed = sqs.send_message_batch(QueueUrl=small, Entries=[
        {"Id": "ok", "MessageBody": "fits"}, {"Id": "big", "MessageBody": "b" * 2000}])

    # THEN the batch is too long; the oversized entry fails alone
    total = 2 * (500_000 + len("pad") + len("String") + 60_000)
    assert whole["Code"] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert whole["Message"] == f"Batch requests cannot be longer than 1048576 bytes. You have sent {total} bytes."
    assert [e["Id"] for e in mixed["Successful"]] == ["ok"]
    assert mixed["Failed"] == [{"Id": "big", "SenderFault": True, "Code": "InvalidParameterValue",
                                "Message": "One or more parameters cannot be validated. Reason: "
                                           "Message must be shorter than 1024 bytes."}]


def test_moto_alone_ignores_attributes_in_sizes_and_fails_whole_batches(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="big")["QueueUrl"]
    small = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    sqs.send_message(QueueUrl=small, MessageBody="b" * 1000, MessageAttributes=_attr(100))
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": "b" * 500_000, "MessageAttributes": _attr(60_000)} for i in range(2)])
    with pytest.raises(ClientError):
        sqs.send_message_batch(QueueUrl=small, Entries=[
            {"Id": "ok", "MessageBody": "fits"}, {"Id": "big", "MessageBody": "b" * 2000}])


# --- batch entry limits -------------------------------------------------------------------------
def _eleven(sqs, url: str, **extra) -> list[dict]:
    return [{"Id": str(i), "ReceiptHandle": "x" * 184 + "abcdefghijk"[i], **extra} for i in range(11)]


def test_delete_and_visibility_batches_take_at_most_ten(any_env):
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    for call, extra in ((sqs.delete_message_batch, {}),
                        (sqs.change_message_visibility_batch, {"VisibilityTimeout": 5})):
        error = _error(call, QueueUrl=url, Entries=_eleven(sqs, url, **extra))
        assert error["Code"] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
        assert error["Message"] == "Maximum number of entries per request are 10. You have sent 11."


def test_moto_alone_accepts_eleven_entries(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert len(sqs.delete_message_batch(QueueUrl=url, Entries=_eleven(sqs, url))["Failed"]) == 11


def test_move_task_without_destination_returns_each_message_to_its_own_source(any_env):
    # GIVEN one DLQ behind two source queues, two messages from each in it (recorded against AWS
    # in LocalStack's test_move_task_workflow_with_multiple_sources_as_default_destination)
    sqs = any_env.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})}
    sources = [sqs.create_queue(QueueName=f"src-{n}", Attributes=policy)["QueueUrl"] for n in (1, 2)]
    for n, url in enumerate(sources, 1):
        for i in (1, 2):
            sqs.send_message(QueueUrl=url, MessageBody=f"message-{n}-{i}")
        for _ in range(4):
            sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    # WHEN a move task starts without DestinationArn and the client collects as AWS's tests do
    sqs.start_message_move_task(SourceArn=dlq_arn)
    got: dict[str, list[str]] = {url: [] for url in sources}
    for _ in range(10):  # a retry loop with time.sleep, as a client polls
        for url in sources:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                got[url].append(m["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if sum(map(len, got.values())) == 4:
            break
        time.sleep(1)
    # THEN each message is back in the queue it came from; the task completed with 4 moved
    assert [sorted(got[url]) for url in sources] == [["message-1-1", "message-1-2"], ["message-2-1", "message-2-2"]]
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 4)
