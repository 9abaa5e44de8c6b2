"""The wire shapes of SNS: what a Lambda subscriber receives, and one published message.

Example
-------
>>> record: SNSRecord = {"EventSource": "aws:sns", "EventVersion": "1.0",
...                      "EventSubscriptionArn": "arn:aws:sns:us-east-1:1:t:sub",
...                      "Sns": {"Type": "Notification", "MessageId": "m", "TopicArn": "t",
...                              "Subject": None, "Message": "{}", "Timestamp": "",
...                              "SignatureVersion": "1", "Signature": "", "SigningCertUrl": "",
...                              "UnsubscribeUrl": "", "MessageAttributes": {}}}
>>> record["Sns"]["SignatureVersion"]
'1'
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["SNSMessageAttribute", "SNSMessage", "SNSRecord", "SNSEvent", "PublishedMessage"]


class SNSMessageAttribute(TypedDict):
    """One message attribute as a subscriber sees it (``Type`` String, Number, Binary...)."""

    Type: str
    Value: str


class SNSMessage(TypedDict):
    """The ``Sns`` part of a Lambda record (Lambda spells ``SigningCertUrl``/``UnsubscribeUrl``)."""

    Type: str
    MessageId: str
    TopicArn: str
    Subject: str | None
    Message: str
    Timestamp: str
    SignatureVersion: str
    Signature: str
    SigningCertUrl: str
    UnsubscribeUrl: str
    MessageAttributes: dict[str, SNSMessageAttribute]


class SNSRecord(TypedDict):
    """One record of an SNS event: a Lambda subscriber gets exactly one per invocation."""

    EventSource: str
    EventVersion: str
    EventSubscriptionArn: str
    Sns: SNSMessage


class SNSEvent(TypedDict):
    """The event SNS invokes a Lambda function with."""

    Records: list[SNSRecord]


class PublishedMessage(TypedDict, total=False):
    """The ``Publish`` parameters the publisher builds from one SecureCart event."""

    TopicArn: str
    Message: str
    Subject: str
    MessageAttributes: dict[str, dict[str, Any]]
    MessageGroupId: str
    MessageDeduplicationId: str
