"""Plain-queue plumbing shared by the concepts notebooks (01 and 02).

The demos of :mod:`helpers.architecture` and :mod:`helpers.choosing.services` need three small SQS
steps that Lab 1's validated :func:`~helpers.sqs.create_queue` does not cover:

:func:`plain_queue`
    create a queue (no DLQ, no validation) and return its URL and ARN;
:func:`allow_service_sends`
    the queue policy that lets one SNS topic or EventBridge rule send to the queue (without
    it SNS and EventBridge cannot deliver on AWS);
:func:`subscribe_queue`
    a queue subscribed to an SNS topic (raw delivery, optional filter policy), with that
    policy;
:func:`drain`
    receive and delete everything visible, returning the decoded bodies.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> url, arn = plain_queue(env, "inbox")
>>> _ = env.client("sqs").send_message(QueueUrl=url, MessageBody='{"status": "paid"}')
>>> drain(env, url, actor="notifications")
[{'status': 'paid'}]
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..platform import limits

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["plain_queue", "allow_service_sends", "subscribe_queue", "drain"]


def plain_queue(env: Environment, name: str,
                attributes: dict[str, str] | None = None) -> tuple[str, str]:
    """Create (or reuse) the queue ``name`` with ``attributes``; return ``(url, arn)``.

    The environment's client adds the run prefix to ``name``, as for every queue.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> plain_queue(env, "inbox")[1]
    'arn:aws:sqs:us-east-1:123456789012:securecart-demo-inbox'
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def allow_service_sends(env: Environment, queue_url: str, queue_arn: str, *, source_arn: str,
                        principal: str) -> None:
    """Set the queue policy that lets ``principal`` send to the queue on behalf of ``source_arn``.

    Parameters
    ----------
    queue_url, queue_arn
        The queue (as :func:`plain_queue` returns them).
    source_arn
        The SNS topic or EventBridge rule that sends (``aws:SourceArn`` condition).
    principal
        The sending service: ``"sns.amazonaws.com"`` or ``"events.amazonaws.com"``.

    Example
    -------
    >>> import helpers, json
    >>> env = helpers.connect(quiet=True)
    >>> url, arn = plain_queue(env, "inbox")
    >>> allow_service_sends(env, url, arn, source_arn="arn:aws:sns:us-east-1:123456789012:t",
    ...                     principal="sns.amazonaws.com")
    >>> policy = env.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    >>> json.loads(policy["Attributes"]["Policy"])["Statement"][0]["Action"]
    'sqs:SendMessage'
    >>> _ = env.teardown()
    """
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": principal}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}]}
    env.client("sqs").set_queue_attributes(QueueUrl=queue_url,
                                           Attributes={"Policy": json.dumps(policy)})


def subscribe_queue(env: Environment, topic_arn: str, name: str, *,
                    filter_policy: dict | None = None) -> str:
    """Create the queue ``name`` and subscribe it to the topic; return the queue URL.

    The subscription uses raw message delivery (the queue receives the published message
    itself, not SNS's JSON envelope) and ``filter_policy`` on the message attributes when
    given (``None``: every message).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> sns = env.client("sns")
    >>> topic = sns.create_topic(Name="status")["TopicArn"]
    >>> url = subscribe_queue(env, topic, "shipping", filter_policy={"status": ["shipped"]})
    >>> for status in ("paid", "shipped"):
    ...     _ = sns.publish(TopicArn=topic, Message='{"status": "%s"}' % status, MessageAttributes={
    ...         "status": {"DataType": "String", "StringValue": status}})
    >>> drain(env, url, actor="shipping")
    [{'status': 'shipped'}]
    >>> _ = env.teardown()
    """
    url, arn = plain_queue(env, name)
    allow_service_sends(env, url, arn, source_arn=topic_arn, principal="sns.amazonaws.com")
    attributes = {"RawMessageDelivery": "true"}
    if filter_policy:
        attributes["FilterPolicy"] = json.dumps(filter_policy)
    env.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                                Attributes=attributes)
    return url


def drain(env: Environment, queue_url: str, *, actor: str, wait_seconds: int = 1) -> list[dict]:
    """Receive and delete every visible message of the queue, as ``actor``.

    Pages of up to 10 messages, each deleted with one ``DeleteMessageBatch``, until a receive
    comes back empty. Every receive is a long poll of ``wait_seconds``: a short poll
    (``WaitTimeSeconds=0``) samples only some of SQS's servers and can come back empty from a
    small queue that holds messages (SQS developer guide, "Amazon SQS short and long
    polling"), and a long poll also waits for a message SNS or EventBridge is still
    delivering. The last, empty receive waits ``wait_seconds`` (simulated time on moto).

    Returns
    -------
    list of dict
        The JSON bodies, in the order they were received.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> url, _ = plain_queue(env, "inbox")
    >>> drain(env, url, actor="notifications")
    []
    >>> _ = env.teardown()
    """
    sqs = env.client("sqs")
    bodies: list[dict] = []
    with env.acting(actor):
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url,
                                           MaxNumberOfMessages=limits.SQS_MAX_BATCH_ENTRIES,
                                           WaitTimeSeconds=wait_seconds).get("Messages", [])
            if not messages:
                return bodies
            bodies += [json.loads(m["Body"]) for m in messages]
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(messages)])
