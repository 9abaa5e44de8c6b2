"""Plain boto3 SQS calls the emulation tests share (the calls a student writes)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def queue_arn(sqs, url: str) -> str:
    """The queue's ARN."""
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def redrive(dlq_arn: str, count: int) -> str:
    """A RedrivePolicy attribute value."""
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count})


def drain(sqs, url: str) -> list[str]:
    """Receive and delete until empty; the bodies in receive order."""
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def receive_delete(sqs, url: str) -> dict:
    """Receive one message and delete it; the message."""
    message = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return message


def api_error(call, *args, **kwargs) -> dict:
    """The AWS ``Error`` (Code, Message) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]
