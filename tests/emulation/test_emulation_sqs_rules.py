"""Pins the SQS request rules recorded against real AWS, and that moto alone lacks them.

Queue types, re-creation with a different attribute, group and deduplication ids, bodies,
ReceiveMessage bounds, VisibilityTimeout ranges. AWS's texts: LocalStack's snapshot tests and
Inqnuam/local-aws-sqs (see helpers/emulation/sqs/validation.py).
"""

from __future__ import annotations

import pytest
from sqs_calls import api_error as _error

FIFO = {"FifoQueue": "true"}


# --- queue-type rules and re-creation ------------------------------------------------------------
def test_queue_type_rules(any_env):
    # GIVEN a standard and a FIFO queue
    sqs = any_env.client("sqs")
    std = sqs.create_queue(QueueName="std")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="f.fifo", Attributes=FIFO)["QueueUrl"]

    # WHEN / THEN every type change or FIFO-only attribute on a standard queue is refused
    cases = [
        (sqs.set_queue_attributes, dict(QueueUrl=std, Attributes={"FifoQueue": "true"}),
         "InvalidAttributeName", "Unknown Attribute FifoQueue."),
        (sqs.set_queue_attributes, dict(QueueUrl=fifo, Attributes={"FifoQueue": "false"}),
         "InvalidAttributeValue",
         "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."),
        (sqs.create_queue, dict(QueueName="named.fifo"), "InvalidParameterValue",
         "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"),
        (sqs.create_queue, dict(QueueName="s2", Attributes={"FifoQueue": "false"}),
         "InvalidAttributeName", "Unknown Attribute FifoQueue."),
        (sqs.create_queue, dict(QueueName="s3", Attributes={"FifoQueue": "true"}),
         "InvalidParameterValue", "The name of a FIFO queue can only include alphanumeric characters, hyphens, "
         "or underscores, must end with .fifo suffix and be 1 to 80 in length"),
        (sqs.create_queue, dict(QueueName="s2", Attributes={"ContentBasedDeduplication": "false"}),
         "InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication."),
        (sqs.create_queue, dict(QueueName="s2", Attributes={"DeduplicationScope": "queue"}),
         "InvalidAttributeName", "You can specify the DeduplicationScope only when FifoQueue is set to true."),
    ]
    for call, params, code, message in cases:
        error = _error(call, **params)
        assert (error["Code"], error["Message"]) == (code, message)
    sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})  # no change: fine
    assert len(sqs.list_queues()["QueueUrls"]) == 2


def test_moto_alone_lets_queue_types_change(sqs_bare):
    sqs = sqs_bare.client("sqs")
    std = sqs.create_queue(QueueName="std")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=std, Attributes={"FifoQueue": "true"})
    sqs.create_queue(QueueName="named.fifo")
    sqs.create_queue(QueueName="s2", Attributes={"ContentBasedDeduplication": "false"})
    assert len(sqs.list_queues()["QueueUrls"]) == 3


def test_moto_alone_words_a_fifo_name_without_the_suffix_its_own_way(sqs_bare):
    error = _error(sqs_bare.client("sqs").create_queue, QueueName="s3", Attributes=FIFO)
    assert error["Message"] == "Queue name must end in .fifo for FIFO queues"


def test_create_queue_with_a_different_attribute_names_it(any_env):
    # GIVEN a queue with DelaySeconds 0
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="orders", Attributes={"DelaySeconds": "0"})["QueueUrl"]

    # WHEN re-created with the same attributes, then with DelaySeconds 5
    again = sqs.create_queue(QueueName="orders", Attributes={"DelaySeconds": "0"})["QueueUrl"]
    error = _error(sqs.create_queue, QueueName="orders", Attributes={"DelaySeconds": "5"})

    # THEN the same queue, then AWS's error naming the attribute
    assert again == url
    assert error["Code"] == "QueueAlreadyExists"
    assert error["Message"] == ("A queue already exists with the same name and a different value "
                                "for attribute DelaySeconds")


def test_moto_alone_does_not_name_the_attribute(sqs_bare):
    sqs = sqs_bare.client("sqs")
    sqs.create_queue(QueueName="orders", Attributes={"DelaySeconds": "0"})
    error = _error(sqs.create_queue, QueueName="orders", Attributes={"DelaySeconds": "5"})
    assert error["Message"] == "The specified queue already exists."


# --- group and deduplication ids, bodies --------------------------------------------------------
def _id_reason(value: str, parameter: str) -> str:
    return (f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only "
            "include alphanumeric and punctuation characters. 1 to 128 in length.")


def test_group_and_deduplication_ids_are_checked(any_env):
    # GIVEN a FIFO and a standard queue
    sqs = any_env.client("sqs")
    fifo = sqs.create_queue(QueueName="f.fifo", Attributes=FIFO)["QueueUrl"]
    std = sqs.create_queue(QueueName="std")["QueueUrl"]
    long_id = "g" * 129

    # WHEN / THEN empty, spaced or too long ids get AWS's words; a body must be there
    cases = [
        (dict(QueueUrl=fifo, MessageGroupId="g", MessageDeduplicationId=""), _id_reason("", "MessageDeduplicationId")),
        (dict(QueueUrl=fifo, MessageGroupId=long_id, MessageDeduplicationId="d"), _id_reason(long_id, "MessageGroupId")),
        (dict(QueueUrl=std, MessageGroupId=""), _id_reason("", "MessageGroupId")),
        (dict(QueueUrl=std, MessageGroupId="group 123"), _id_reason("group 123", "MessageGroupId")),
    ]
    for params, message in cases:
        error = _error(sqs.send_message, MessageBody="x", **params)
        assert (error["Code"], error["Message"]) == ("InvalidParameterValue", message)
    empty = _error(sqs.send_message, QueueUrl=std, MessageBody="")
    assert (empty["Code"], empty["Message"]) == ("MissingParameter", "The request must contain the parameter MessageBody.")
    nul = _error(sqs.send_message, QueueUrl=std, MessageBody="a\x00b")
    assert nul["Code"] == "InvalidMessageContents"
    assert nul["Message"].startswith("Invalid characters found. Valid unicode characters are #x9 | #xA")


def test_group_id_on_a_standard_queue_is_accepted_and_returned(any_env):
    # GIVEN / WHEN a standard queue message with a MessageGroupId (fair queues)
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="std")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="cus-001")
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]

    # THEN it comes back with the message (moto already does this: left alone)
    assert got["Attributes"]["MessageGroupId"] == "cus-001"


_STANDARD_DEDUP = ("Value {} for parameter MessageDeduplicationId is invalid. Reason: The request "
                   "include parameter that is not valid for this queue type.")


def test_deduplication_id_on_a_standard_queue_is_refused(any_env):
    # GIVEN a standard queue
    sqs = any_env.client("sqs")
    std = sqs.create_queue(QueueName="std")["QueueUrl"]

    # WHEN a send carries a MessageDeduplicationId (FIFO only), alone or with a group id
    alone = _error(sqs.send_message, QueueUrl=std, MessageBody="x", MessageDeduplicationId="ord-1")
    with_group = _error(sqs.send_message, QueueUrl=std, MessageBody="x", MessageGroupId="cus-1",
                        MessageDeduplicationId="ord-2")
    batch = sqs.send_message_batch(QueueUrl=std, Entries=[
        {"Id": "a", "MessageBody": "x"},
        {"Id": "b", "MessageBody": "y", "MessageDeduplicationId": "ord-3"}])

    # THEN AWS's InvalidParameterValue; in a batch only that entry fails; nothing else is lost
    assert (alone["Code"], alone["Message"]) == ("InvalidParameterValue", _STANDARD_DEDUP.format("ord-1"))
    assert with_group["Message"] == _STANDARD_DEDUP.format("ord-2")
    assert [ok["Id"] for ok in batch["Successful"]] == ["a"]
    assert [(f["Id"], f["Code"], f["Message"], f["SenderFault"]) for f in batch["Failed"]] == [
        ("b", "InvalidParameterValue", _STANDARD_DEDUP.format("ord-3"), True)]
    got = sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in got] == ["x"]


def test_fifo_topic_still_delivers_to_a_standard_queue(env):
    # GIVEN a FIFO topic with a standard queue subscribed (SNS passes its dedup id internally)
    sns, sqs = env.client("sns"), env.client("sqs")
    topic = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true",
                                                        "ContentBasedDeduplication": "true"})["TopicArn"]
    url = sqs.create_queue(QueueName="std")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)

    # WHEN it publishes
    sns.publish(TopicArn=topic, Message="hello", MessageGroupId="g")

    # THEN the rule applies to SendMessage calls only: the delivery arrives
    assert len(sqs.receive_message(QueueUrl=url).get("Messages", [])) == 1


def test_moto_alone_accepts_a_deduplication_id_on_a_standard_queue(sqs_bare):
    sqs = sqs_bare.client("sqs")
    std = sqs.create_queue(QueueName="std")["QueueUrl"]
    sqs.send_message(QueueUrl=std, MessageBody="x", MessageDeduplicationId="ord-1")
    assert len(sqs.receive_message(QueueUrl=std)["Messages"]) == 1


def test_moto_alone_accepts_bad_ids_and_bodies(sqs_bare):
    sqs = sqs_bare.client("sqs")
    std = sqs.create_queue(QueueName="std")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="f.fifo", Attributes=FIFO)["QueueUrl"]
    sqs.send_message(QueueUrl=std, MessageBody="x", MessageGroupId="")
    sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g" * 129, MessageDeduplicationId="d")
    sqs.send_message(QueueUrl=std, MessageBody="")
    sqs.send_message(QueueUrl=std, MessageBody="a\x00b")
    empty = _error(sqs.send_message, QueueUrl=fifo, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="")
    assert "MessageDeduplicationId is invalid" not in empty["Message"]


# --- ReceiveMessage bounds, VisibilityTimeout ranges ----------------------------------------------
def test_receive_bounds_in_aws_words(any_env):
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    cases = [
        (dict(WaitTimeSeconds=21), "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."),
        (dict(WaitTimeSeconds=25), "Value 25 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."),
        (dict(MaxNumberOfMessages=11), "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."),
        (dict(VisibilityTimeout=-1), "Value -1 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."),
        (dict(VisibilityTimeout=43201), "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."),
    ]
    for params, message in cases:
        error = _error(sqs.receive_message, QueueUrl=url, **params)
        assert (error["Code"], error["Message"]) == ("InvalidParameterValue", message)


def test_moto_alone_garbles_receive_bounds(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    error = _error(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=21)
    assert "must be &lt;= 0 and &gt;= 20" in error["Message"]
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=-1).get("Messages") is None


@pytest.mark.parametrize("value", ["50000", "43201", "-1", "abc"])
def test_visibility_timeout_out_of_range_is_refused_at_create_and_set(any_env, value):
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    for call, params in ((sqs.create_queue, dict(QueueName="other")), (sqs.set_queue_attributes, dict(QueueUrl=url))):
        error = _error(call, Attributes={"VisibilityTimeout": value}, **params)
        assert (error["Code"], error["Message"]) == ("InvalidAttributeValue",
                                                     "Invalid value for the parameter VisibilityTimeout.")
    assert len(sqs.list_queues()["QueueUrls"]) == 1


def test_change_visibility_out_of_range_in_aws_words(any_env):
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    for value in (-1, 43201):
        error = _error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=value)
        assert error["Message"] == (f"Value {value} for parameter VisibilityTimeout is invalid. "
                                    "Reason: Must be between 0 and 43200.")


def test_moto_alone_accepts_out_of_range_visibility(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "50000"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "-1"})
    with pytest.raises(ValueError):  # a Python error, not AWS's (HTTP 500 on the server backend)
        sqs.create_queue(QueueName="other", Attributes={"VisibilityTimeout": "abc"})


def test_create_queue_again_with_the_same_redrive_policy_is_the_same_queue(env):
    # GIVEN a queue with a redrive policy (maxReceiveCount given as a number)
    import json

    sqs = env.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attrs = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 3})}
    url = sqs.create_queue(QueueName="orders", Attributes=attrs)["QueueUrl"]

    # WHEN created again with the count as a string, then with another count
    same = {"RedrivePolicy": json.dumps({"maxReceiveCount": "3", "deadLetterTargetArn": arn})}
    again = sqs.create_queue(QueueName="orders", Attributes=same)["QueueUrl"]
    other = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 4})}
    error = _error(sqs.create_queue, QueueName="orders", Attributes=other)

    # THEN the same queue, then the attribute named
    assert again == url
    assert error["Message"].endswith("a different value for attribute RedrivePolicy")


def test_every_fifo_send_answers_an_increasing_sequence_number(any_env):
    # GIVEN a FIFO queue with content-based deduplication
    sqs = any_env.client("sqs")
    url = sqs.create_queue(QueueName="f.fifo", Attributes={**FIFO, "ContentBasedDeduplication": "true"})["QueueUrl"]
    # WHEN a message is sent alone and two in a batch
    one = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g")
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "1", "MessageBody": "b", "MessageGroupId": "g"}, {"Id": "2", "MessageBody": "c", "MessageGroupId": "g"}])
    # THEN each answer carries a SequenceNumber, increasing, and the message carries it too
    numbers = [one["SequenceNumber"]] + [e["SequenceNumber"] for e in batch["Successful"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["SequenceNumber"])["Messages"][0]
    assert got["Attributes"]["SequenceNumber"] == numbers[0]


def test_moto_alone_gives_no_sequence_number_under_content_based_dedup(sqs_bare):
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="f.fifo", Attributes={**FIFO, "ContentBasedDeduplication": "true"})["QueueUrl"]
    assert "SequenceNumber" not in sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g")
