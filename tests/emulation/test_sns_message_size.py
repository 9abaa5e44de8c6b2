"""A topic's MaximumMessageSize (SNS large message payloads), on moto and over HTTP.

AWS: 1,024 to 1,048,576 bytes, 262,144 by default; above 256 KiB at most 100 subscriptions,
all SQS, Lambda or Firehose, else ``InvalidParameter`` (SNS developer guide, large message
payloads; botocore's SetTopicAttributes documentation). moto 5.2 stores the attribute, never
returns or checks it, and caps every publish at 256 KiB: the stand-in supplies the rules.
"""

from __future__ import annotations

import types

import pytest
from botocore.exceptions import ClientError

from helpers import sns as sns_toolkit
from helpers.platform import limits
from helpers.platform.errors import MessageTooLargeError
from helpers.sns.propagation import note_filter_change, warn_if_propagating

BIG = 300_000  # bytes: over the 256 KiB default, under 1 MiB


def _queue(env, name):
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=env.naming.name(name))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _topic(env, name, **attributes):
    return env.client("sns").create_topic(Name=env.naming.name(name, "sns"),
                                          Attributes=attributes)["TopicArn"]


def _error(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _set(env, topic, value):
    return env.client("sns").set_topic_attributes(
        TopicArn=topic, AttributeName="MaximumMessageSize", AttributeValue=str(value))


def test_a_topic_takes_messages_up_to_its_maximum_message_size(any_env):
    # GIVEN a topic with the default size and a queue subscribed
    sns, topic = any_env.client("sns"), _topic(any_env, "big")
    url, arn = _queue(any_env, "big-q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    # THEN the topic reports 262,144 bytes and refuses a 300,000-byte message in AWS's words
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["MaximumMessageSize"] == "262144"
    assert _error(lambda: sns.publish(TopicArn=topic, Message="x" * BIG)) == (
        "InvalidParameter", "Invalid parameter: Message too long")
    # WHEN the topic is raised to 1 MiB
    _set(any_env, topic, limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES)
    sns.publish(TopicArn=topic, Message="x" * BIG)
    # THEN the message is delivered whole, and the attribute reads back
    body = any_env.client("sqs").receive_message(QueueUrl=url)["Messages"][0]["Body"]
    assert '"Message": "' + "x" * 100 in body and len(body) > BIG
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["MaximumMessageSize"] == "1048576"
    # AND one byte over the new limit (attributes counted) is refused
    over = limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES - 3
    assert _error(lambda: sns.publish(TopicArn=topic, Message="x" * over, MessageAttributes={
        "k": {"DataType": "String", "StringValue": "v"}}))[1] == "Invalid parameter: Message too long"


@pytest.mark.parametrize("value", ["1023", "1048577", "abc", "-5"])
def test_a_size_outside_1024_to_1048576_is_refused(any_env, value):
    # GIVEN a topic
    sns, topic = any_env.client("sns"), _topic(any_env, "sized")
    # WHEN / THEN SetTopicAttributes refuses the value, naming the range
    code, message = _error(lambda: _set(any_env, topic, value))
    assert code == "InvalidParameter"
    assert message == (f"Invalid parameter: MaximumMessageSize: {value} is not an integer from "
                       "1024 to 1048576 bytes")
    # AND CreateTopic refuses it too, creating nothing
    name = any_env.naming.name("never", "sns")
    code, message = _error(lambda: sns.create_topic(Name=name, Attributes={
        "MaximumMessageSize": value}))
    assert message.startswith("Invalid parameter: Attributes Reason: MaximumMessageSize:")
    assert not [t for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":" + name)]


def test_above_256_kib_only_sqs_lambda_firehose_and_at_most_100_subscriptions(any_env, monkeypatch):
    sns = any_env.client("sns")
    # GIVEN a topic with an e-mail subscriber
    mail = _topic(any_env, "mail")
    sns.subscribe(TopicArn=mail, Protocol="email", Endpoint="ops@example.com")
    # WHEN / THEN raising it above 256 KiB is refused, naming the protocol
    assert "supports only sqs, lambda, firehose subscriptions; this topic has email" in _error(
        lambda: _set(any_env, mail, 500_000))[1]
    # AND exactly 256 KiB is still allowed
    _set(any_env, mail, limits.SNS_MAX_MESSAGE_BYTES)
    # GIVEN a large topic (the subscription cap shrunk to 2 for the test)
    monkeypatch.setattr(limits, "SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS", 2)
    big = _topic(any_env, "large", MaximumMessageSize="1048576")
    # THEN an e-mail subscription is refused; SQS ones are taken up to the cap
    assert "not email" in _error(lambda: sns.subscribe(
        TopicArn=big, Protocol="email", Endpoint="ops@example.com"))[1]
    for k in range(2):
        sns.subscribe(TopicArn=big, Protocol="sqs", Endpoint=_queue(any_env, f"q{k}")[1])
    code, message = _error(lambda: sns.subscribe(TopicArn=big, Protocol="sqs",
                                                 Endpoint=_queue(any_env, "q3")[1]))
    assert code == "InvalidParameter" and "at most 2 subscriptions" in message
    assert len(sns.list_subscriptions_by_topic(TopicArn=big)["Subscriptions"]) == 2


def test_a_batch_over_the_topic_limit_is_refused_whole(any_env):
    # GIVEN a default topic and three 100,000-byte entries (300,000 together)
    sns, topic = any_env.client("sns"), _topic(any_env, "batch")
    entries = [{"Id": str(k), "Message": "y" * 100_000} for k in range(3)]
    # WHEN / THEN PublishBatch answers BatchRequestTooLong
    code, message = _error(lambda: sns.publish_batch(TopicArn=topic,
                                                     PublishBatchRequestEntries=entries))
    assert code == "BatchRequestTooLong"
    assert message.startswith("The length of all the batch messages put together is more than")
    # AND two of them fit
    assert len(sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries[:2])[
        "Successful"]) == 2


def test_the_toolkit_reads_the_topics_setting(any_env):
    # GIVEN an event of about 300 KB and a default topic
    topic = sns_toolkit.create_topic(any_env, "orders-big")
    event = {"type": "OrderPlaced", "order_id": "ord-1", "note": "n" * BIG}
    # WHEN / THEN the toolkit refuses it before any call, naming the topic's setting
    with pytest.raises(MessageTooLargeError, match="MaximumMessageSize is 262,144 bytes"):
        sns_toolkit.publish_event(any_env, topic, event)
    # WHEN the topic is raised to 1 MiB, the same event is published (one by one and batched)
    _set(any_env, topic.arn, limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES)
    assert sns_toolkit.publish_event(any_env, topic, event)
    events = [{**event, "order_id": f"ord-{k}"} for k in range(4)]
    report = sns_toolkit.publish_events(any_env, topic, events)
    # THEN four 300 KB events go in two batches: 3 fit the topic's 1 MiB, the 4th does not
    assert len(report.message_ids) == 4 and report.calls == 2


def test_filter_policy_change_warns_on_aws_only(capsys):
    # GIVEN an aws-like environment (no network: a stand-in object) and a change just made
    clock = types.SimpleNamespace(now=0.0)
    clock.time = lambda: clock.now
    env = types.SimpleNamespace(local=False, state={}, clock=clock)
    note_filter_change(env, "arn:aws:sns:eu-west-1:111122223333:orders")
    clock.now = 60.0
    # WHEN the first publish comes a minute later
    text = warn_if_propagating(env, "arn:aws:sns:eu-west-1:111122223333:orders")
    # THEN it warns once, naming the 15 minutes; the next publish is quiet
    assert "up to 15 minutes" in text and "60 s ago" in capsys.readouterr().out
    assert warn_if_propagating(env, "arn:aws:sns:eu-west-1:111122223333:orders") is None
    # AND after 15 minutes there is nothing to warn about
    note_filter_change(env, "arn:aws:sns:eu-west-1:111122223333:orders")
    clock.now += limits.SNS_FILTER_POLICY_PROPAGATION_SECONDS
    assert warn_if_propagating(env, "arn:aws:sns:eu-west-1:111122223333:orders") is None


def test_moto_alone_ignores_maximum_message_size(env):
    # GIVEN moto without the SNS stand-ins
    env.emulation["sns"].stop()
    sns, topic = env.client("sns"), _topic(env, "bare")
    # WHEN an out-of-range size is set, THEN moto accepts it and never returns it
    _set(env, topic, 2_000_000)
    assert "MaximumMessageSize" not in sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    # AND even a topic set to 1 MiB refuses a 300,000-byte message
    _set(env, topic, limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES)
    with pytest.raises(ClientError, match="Message too long"):
        sns.publish(TopicArn=topic, Message="x" * BIG)
    # AND an e-mail subscription on it is accepted
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
