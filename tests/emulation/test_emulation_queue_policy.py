"""SNS -> SQS and EventBridge -> SQS deliveries follow the queue policy's IAM verdict (emulated on moto).

When a moto upgrade enforces queue policies itself, ``test_moto_alone_*`` fails: then the
stand-in can go.
"""

from __future__ import annotations

import json

import pytest

from helpers.sns.policies import queue_policy


def _queue(env, name):
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=env.name(name))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _count(env, url):
    sqs, n = env.client("sqs"), 0
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        n += len(got)
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    return n


def _two_topics_one_queue(env, policy_for):
    sns = env.client("sns")
    alerts = sns.create_topic(Name=env.name("alerts"))["TopicArn"]
    marketing = sns.create_topic(Name=env.name("marketing"))["TopicArn"]
    url, arn = _queue(env, "security-inbox")
    env.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={
        "Policy": json.dumps(policy_for(arn, alerts, marketing))})
    for topic in (alerts, marketing):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
    return sns, alerts, marketing, url


def test_sns_delivers_only_what_the_queue_policy_allows(any_env):
    # GIVEN a queue whose policy allows only the alerts topic, subscribed to two topics
    sns, alerts, marketing, url = _two_topics_one_queue(any_env, lambda q, a, m: queue_policy(q, a))
    # WHEN both topics publish
    sns.publish(TopicArn=alerts, Message='{"alert": "test"}')
    sns.publish(TopicArn=marketing, Message='{"offer": "20% off"}')
    # THEN only the alert arrives, and the log says why the offer did not
    assert _count(any_env, url) == 1
    frame = any_env.log.to_frame()
    refused = frame[(frame.action == "drop") & frame.detail.fillna("").str.contains("does not allow")]
    assert len(refused) == 1 and "implicit deny" in refused.detail.iloc[0]


def test_sns_delivery_explicit_deny_beats_a_broad_allow(any_env):
    # GIVEN an allow-everyone statement next to a Deny for the marketing topic
    def policy(queue, alerts, marketing):
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": queue,
             "Condition": {"ArnEquals": {"aws:SourceArn": marketing}}}]}
    sns, alerts, marketing, url = _two_topics_one_queue(any_env, policy)
    # WHEN both publish THEN the broad allow lets alerts in and the deny keeps marketing out
    sns.publish(TopicArn=alerts, Message="a")
    sns.publish(TopicArn=marketing, Message="m")
    assert _count(any_env, url) == 1


def test_sns_delivery_a_broad_statement_beside_the_fix_lets_every_topic_in(any_env):
    # GIVEN the least-privilege statement plus the old Principal "*" statement left in place
    def policy(queue, alerts, marketing):
        fixed = queue_policy(queue, alerts)
        fixed["Statement"].append({"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"})
        return fixed
    sns, alerts, marketing, url = _two_topics_one_queue(any_env, policy)
    # WHEN both publish THEN both arrive: every statement counts
    sns.publish(TopicArn=alerts, Message="a")
    sns.publish(TopicArn=marketing, Message="m")
    assert _count(any_env, url) == 2


def test_eventbridge_delivery_follows_the_queue_policy(env):
    # GIVEN a queue whose policy allows EventBridge for another rule only
    events = env.client("events")
    url, arn = _queue(env, "restock")
    other_rule = f"arn:aws:events:us-east-1:{arn.split(':')[4]}:rule/someone-else"
    env.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": other_rule}}}]})})
    events.put_rule(Name=env.name("low"), EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule=env.name("low"), Targets=[{"Id": "q", "Arn": arn}])
    # WHEN an event matches
    events.put_events(Entries=[{"Source": "shop", "DetailType": "X", "Detail": "{}"}])
    # THEN it is refused with AWS's DLQ error code NO_PERMISSIONS, not delivered
    assert _count(env, url) == 0
    frame = env.log.to_frame()
    assert (frame.outcome == "error:NO_PERMISSIONS").any()


@pytest.fixture
def bare(env):
    """The moto environment with the SNS stand-ins removed."""
    env.emulation["sns"].stop()
    return env


def test_moto_alone_delivers_whatever_the_queue_policy_says(bare):
    # GIVEN the same queue, policy and two topics on bare moto
    sns, alerts, marketing, url = _two_topics_one_queue(bare, lambda q, a, m: queue_policy(q, a))
    # WHEN both publish THEN moto delivers both: it never reads the policy
    sns.publish(TopicArn=alerts, Message="a")
    sns.publish(TopicArn=marketing, Message="m")
    assert _count(bare, url) == 2
