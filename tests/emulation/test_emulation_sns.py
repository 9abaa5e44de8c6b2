"""Pins each SNS stand-in of helpers.emulation.sns, and that moto alone still lacks it.

When a moto upgrade implements one of these behaviours, the matching ``test_moto_alone_*``
test fails: drop that stand-in (and its test) instead of emulating twice.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from botocore.exceptions import ClientError

from helpers.emulation.sns.delivery import retry_delays
from helpers.platform import limits
from helpers.sns import Webhook

FIFO_TOPIC = {"FifoTopic": "true"}




@pytest.fixture
def bare(env):
    """The moto environment with every SNS stand-in removed (the clock stays simulated)."""
    env.emulation["sns"].stop()
    return env


def _queue(env, name, attributes=None):
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _bodies(env, url):
    sqs, out = env.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  MessageAttributeNames=["All"]).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def _error(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _rows(env, action):
    frame = env.log.to_frame()
    return frame[(frame["service"] == "sns") & (frame["action"] == action)]


# --- 2. each subscriber is delivered independently -----------------------------------------
def test_a_refused_http_subscriber_does_not_stop_the_queue_subscriber(any_env):
    # GIVEN a topic with an http subscriber on a closed loopback port, then a queue subscriber
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="status")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/hook")
    url, arn = _queue(env, "notifications")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                  Attributes={"RawMessageDelivery": "true"})

    # WHEN a message is published
    sns.publish(TopicArn=topic, Message="paid")

    # THEN the publish is accepted and the queue gets the message
    assert [m["Body"] for m in _bodies(env, url)] == ["paid"]


def test_a_failing_confirmed_webhook_is_retried_while_the_queue_is_served(env):
    # GIVEN a confirmed webhook answering 503 and a queue on one topic
    sns = env.client("sns")
    topic = sns.create_topic(Name="status")["TopicArn"]
    hook = Webhook(status=503)
    try:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook.url)
        hook.confirm(env)
        url, arn = _queue(env, "q")
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
        # WHEN one message is published
        sns.publish(TopicArn=topic, Message="m1")
        # THEN the queue has it at once; the webhook was tried once, then 3 retries 20 s apart
        assert [m["Body"] for m in _bodies(env, url)] == ["m1"]
        assert len(hook.received) == 2  # confirmation + first attempt
        env.sleep(60)
        assert len(hook.received) == 5
        attempts = _rows(env, "deliver")
        assert attempts[attempts["outcome"].str.startswith("failed")]["time"].tolist() == [
            0.0, 20.0, 40.0, 60.0]
        assert len(_rows(env, "drop")) == 1
    finally:
        hook.close()


def test_moto_alone_makes_publish_raise_at_a_refused_http_subscriber(bare):
    # GIVEN the same topic on bare moto
    sns = bare.client("sns")
    topic = sns.create_topic(Name="status")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/hook")
    url, arn = _queue(bare, "notifications")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)

    # WHEN / THEN the publish fails and the queue gets nothing
    with pytest.raises(Exception):  # noqa: B017 - requests' ConnectionError, raised through moto
        sns.publish(TopicArn=topic, Message="paid")
    assert _bodies(bare, url) == []


# --- 3. filter policies ----------------------------------------------------------------------
@pytest.mark.parametrize("value, message", [
    ("not json", "Invalid parameter: FilterPolicy: failed to parse JSON. Unrecognized token "
                 "'not': was expecting (JSON String, Number, Array, Object or token 'null', "
                 "'true' or 'false')"),
    ('{"a": "b"}', 'Invalid parameter: FilterPolicy: "a" must be an object or an array'),
    (json.dumps({k: ["x"] for k in "abcdef"}),
     "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"),
    (json.dumps({"a": list(range(151))}), "Invalid parameter: FilterPolicy: Filter policy is too complex"),
    ('{"a": [{"bogus": 1}]}', "Invalid parameter: FilterPolicy: Unrecognized match type bogus"),
    ('{"a": [{"cidr": "10.0.0.0"}]}', "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required"),
    ('{"a": {"b": ["c"]}}', "Invalid parameter: Filter policy scope MessageAttributes does not "
                            "support nested filter policy"),
])
def test_invalid_filter_policies_are_refused_in_aws_words(env, value, message):
    # GIVEN a subscription
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue(env, "q")[1])["SubscriptionArn"]
    # WHEN / THEN
    assert _error(lambda: sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=value)) == (
        "InvalidParameter", message)


def test_subscribe_with_a_bad_policy_creates_nothing(any_env):
    # GIVEN a topic
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    # WHEN a subscribe carries an invalid policy
    code, message = _error(lambda: sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=_queue(env, "q")[1],
        Attributes={"FilterPolicy": '{"a": "b"}'}))
    # THEN AWS's subscribe-call wording, and no subscription was left behind
    assert (code, message) == ("InvalidParameter", 'Invalid parameter: Attributes Reason: '
                                                   'FilterPolicy: "a" must be an object or an array')
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_invalid_scope_is_refused_and_empty_policy_removes_it(env):
    # GIVEN a subscription with a policy
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "q")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
        "FilterPolicy": '{"status": ["failed"]}', "RawMessageDelivery": "true"})["SubscriptionArn"]
    # WHEN the scope is nonsense / THEN AWS's message
    assert _error(lambda: sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicyScope", AttributeValue="Body"))[1] == (
        "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either "
        "MessageBody or MessageAttributes")
    # WHEN the policy is set to "" / THEN it is gone and everything is delivered
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue="")
    assert "FilterPolicy" not in sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    sns.publish(TopicArn=topic, Message="anything")
    assert [m["Body"] for m in _bodies(env, url)] == ["anything"]


def test_cidr_nested_or_and_dotted_body_keys_are_accepted_and_match(env):
    # GIVEN body-scope policies AWS accepts and moto refuses
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    policies = {"cidr": {"source_ip": [{"cidr": "10.0.0.0/24"}]},
                "nested-or": {"order": {"$or": [{"region": ["eu-west-1"]},
                                                 {"amount": [{"numeric": [">", 500]}]}]}},
                "dotted": {"order.region": [{"prefix": "eu-"}]}}
    urls = {}
    for name, policy in policies.items():
        urls[name], arn = _queue(env, name)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
            "FilterPolicyScope": "MessageBody", "FilterPolicy": json.dumps(policy),
            "RawMessageDelivery": "true"})
    # WHEN two bodies are published
    sns.publish(TopicArn=topic, Message=json.dumps({"source_ip": "10.0.0.7",
                                                    "order": {"region": "eu-west-1", "amount": 5}}))
    sns.publish(TopicArn=topic, Message=json.dumps({"source_ip": "10.0.1.7",
                                                    "order": {"region": "us-east-1", "amount": 900}}))
    # THEN each subscriber got exactly what its policy says
    got = {name: len(_bodies(env, url)) for name, url in urls.items()}
    assert got == {"cidr": 1, "nested-or": 2, "dotted": 1}


def test_moto_alone_refuses_cidr_and_raises_on_non_json(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue(bare, "q")[1])["SubscriptionArn"]
    # WHEN / THEN cidr is refused with moto's wording, non-JSON is a Python error
    assert "Unrecognized match type cidr" in _error(lambda: sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="FilterPolicy",
        AttributeValue='{"a": [{"cidr": "10.0.0.0/24"}]}'))[1]
    with pytest.raises(json.JSONDecodeError):
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                        AttributeValue="not json")


def test_moto_alone_accepts_anything_but_suffix_which_aws_refuses(bare):
    # GIVEN plain moto's SNS and a queue subscription
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue(bare, "q")[1])["SubscriptionArn"]
    # WHEN a policy uses anything-but suffix (AWS: "Unsupported anything-but pattern: suffix")
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                    AttributeValue='{"region": [{"anything-but": {"suffix": "-1"}}]}')
    # THEN moto keeps it
    policy = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["FilterPolicy"]
    assert json.loads(policy) == {"region": [{"anything-but": {"suffix": "-1"}}]}


def test_moto_alone_leaves_a_half_created_subscription(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(ClientError):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue(bare, "q")[1],
                      Attributes={"FilterPolicy": '{"a": "b"}'})
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1


# --- 4. publish validation -------------------------------------------------------------------
def test_publish_validation_in_aws_words(any_env):
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    fifo = sns.create_topic(Name="t.fifo", Attributes=FIFO_TOPIC)["TopicArn"]
    big_attr = {"note": {"DataType": "String", "StringValue": "x" * 1_000}}
    body = "y" * (limits.SNS_MAX_MESSAGE_BYTES - 500)
    assert _error(lambda: sns.publish(TopicArn=topic, Message="")) == (
        "InvalidParameter", "Invalid parameter: Empty message")
    assert _error(lambda: sns.publish(TopicArn=topic, Message=body, MessageAttributes=big_attr)) == (
        "InvalidParameter", "Invalid parameter: Message too long")
    assert _error(lambda: sns.publish(TopicArn=fifo, Message="m", MessageDeduplicationId="d")) == (
        "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO "
                            "topics")
    assert sns.publish(TopicArn=topic, Message=body)["MessageId"]  # the body alone fits


def test_publish_batch_needs_a_dedup_id_or_content_based_dedup(env):
    sns = env.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes=FIFO_TOPIC)["TopicArn"]
    entries = [{"Id": "1", "Message": "a", "MessageGroupId": "g"}]
    assert _error(lambda: sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=entries)) == (
        "InvalidParameter", "Invalid parameter: The topic should either have "
                            "ContentBasedDeduplication enabled or MessageDeduplicationId "
                            "provided explicitly")
    assert _error(lambda: sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "a"}, {"Id": "1", "Message": "b"}]))[0] == "BatchEntryIdsNotDistinct"
    assert _error(lambda: sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=[
        {"Id": str(i), "Message": "a"} for i in range(11)]))[0] == "TooManyEntriesInBatchRequest"


def test_moto_alone_accepts_an_empty_message_and_counts_no_attributes(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert sns.publish(TopicArn=topic, Message="")["MessageId"]
    assert sns.publish(TopicArn=topic, Message="y" * (limits.SNS_MAX_MESSAGE_BYTES - 500),
                       MessageAttributes={"n": {"DataType": "String",
                                                "StringValue": "x" * 1_000}})["MessageId"]
    fifo = sns.create_topic(Name="t.fifo", Attributes=FIFO_TOPIC)["TopicArn"]
    assert _error(lambda: sns.publish(TopicArn=fifo, Message="m", MessageDeduplicationId="d")
                  )[0] == "MissingParameter"


# --- 5. FIFO topic rules -----------------------------------------------------------------------
@pytest.mark.parametrize("protocol, endpoint", [
    ("email", "a@example.com"), ("sms", "+12025550161"), ("http", "http://127.0.0.1:9/x"),
    ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f")])
def test_fifo_topic_refuses_non_sqs_endpoints(env, protocol, endpoint):
    sns = env.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes=FIFO_TOPIC)["TopicArn"]
    code, message = _error(lambda: sns.subscribe(TopicArn=fifo, Protocol=protocol, Endpoint=endpoint))
    assert code == "InvalidParameter" and f"protocol {protocol} is not supported" in message
    assert sns.list_subscriptions_by_topic(TopicArn=fifo)["Subscriptions"] == []


def test_fifo_dedup_applies_before_fan_out_to_a_standard_queue(any_env):
    # GIVEN a FIFO topic with content-based dedup, a FIFO queue (no dedup of its own) and a
    # standard queue
    env = any_env
    sns = env.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes={**FIFO_TOPIC,
                                                       "ContentBasedDeduplication": "true"})["TopicArn"]
    fifo_url, fifo_arn = _queue(env, "q.fifo", {"FifoQueue": "true"})
    std_url, std_arn = _queue(env, "analytics")
    for arn in (fifo_arn, std_arn):
        sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"})
    # WHEN the same message is published twice within 5 minutes, then after
    for _ in range(2):
        sns.publish(TopicArn=fifo, Message="paid ord-1", MessageGroupId="ord-1")
    # THEN each queue holds one copy
    assert len(_bodies(env, fifo_url)) == 1 and len(_bodies(env, std_url)) == 1
    env.sleep(limits.SNS_FIFO_DEDUPLICATION_INTERVAL_SECONDS + 1)
    sns.publish(TopicArn=fifo, Message="paid ord-1", MessageGroupId="ord-1")
    assert len(_bodies(env, std_url)) == 1


def test_fifo_order_per_group_is_kept(env):
    sns = env.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes={**FIFO_TOPIC,
                                                       "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = _queue(env, "q.fifo", {"FifoQueue": "true"})
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    for status in ("created", "paid", "shipped"):
        for order in ("a", "b"):
            sns.publish(TopicArn=fifo, Message=f"{order}:{status}", MessageGroupId=order)
    bodies = [m["Body"] for m in _bodies(env, url)]
    for order in ("a", "b"):
        assert [b for b in bodies if b.startswith(order)] == [
            f"{order}:created", f"{order}:paid", f"{order}:shipped"]


def test_fifo_subscription_dlq_must_be_fifo(env):
    sns = env.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes=FIFO_TOPIC)["TopicArn"]
    _, dlq_arn = _queue(env, "dlq")
    code, message = _error(lambda: sns.subscribe(
        TopicArn=fifo, Protocol="sqs", Endpoint=_queue(env, "q.fifo", {"FifoQueue": "true"})[1],
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})}))
    assert message == ("Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue "
                       "as DLQ for a FIFO Subscription to a FIFO Topic.")


def test_moto_alone_accepts_email_on_fifo_and_duplicates_into_a_standard_queue(bare):
    sns = bare.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes={**FIFO_TOPIC,
                                                       "ContentBasedDeduplication": "true"})["TopicArn"]
    sns.subscribe(TopicArn=fifo, Protocol="email", Endpoint="a@example.com")
    url, arn = _queue(bare, "analytics")
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=arn)
    for _ in range(2):
        sns.publish(TopicArn=fifo, Message="paid", MessageGroupId="g")
    assert len(_bodies(bare, url)) == 2


# --- 6. archive and replay ---------------------------------------------------------------------
def test_replay_policy_redelivers_the_archive_to_one_subscription(env):
    sns = env.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes={
        **FIFO_TOPIC, "ContentBasedDeduplication": "true",
        "ArchivePolicy": json.dumps({"MessageRetentionPeriod": "7"})})["TopicArn"]
    old_url, old_arn = _queue(env, "old.fifo", {"FifoQueue": "true"})
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=old_arn, Attributes={"RawMessageDelivery": "true"})
    start = env.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    for k in range(3):
        sns.publish(TopicArn=fifo, Message=f"m{k}", MessageGroupId="g")
    env.sleep(3600)
    new_url, new_arn = _queue(env, "new.fifo", {"FifoQueue": "true"})
    sub = sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=new_arn,
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    # WHEN the new subscription replays from the start
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="ReplayPolicy",
                                    AttributeValue=json.dumps({"PointType": "Timestamp",
                                                               "StartingPoint": start}))
    # THEN it gets the three, in order; the old subscriber nothing again
    assert [m["Body"] for m in _bodies(env, new_url)] == ["m0", "m1", "m2"]
    assert len(_bodies(env, old_url)) == 3


def test_moto_alone_refuses_a_replay_policy(bare):
    sns = bare.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes=FIFO_TOPIC)["TopicArn"]
    sub = sns.subscribe(TopicArn=fifo, Protocol="sqs",
                        Endpoint=_queue(bare, "q.fifo", {"FifoQueue": "true"})[1])["SubscriptionArn"]
    assert _error(lambda: sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="ReplayPolicy", AttributeValue="{}"))[1] == (
        "AttributeName")


# --- 7. subscription DLQ and retries -----------------------------------------------------------
def _subscribed_queue_deleted(env):
    """A topic whose queue subscription has a DLQ and whose queue is then deleted: (sns, topic, DLQ url)."""
    sns, sqs = env.client("sns"), env.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "gone")
    dlq_url, dlq_arn = _queue(env, "dlq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sqs.delete_queue(QueueUrl=url)
    return sns, topic, dlq_url


def test_client_side_failure_goes_straight_to_the_dlq(any_env):
    # GIVEN a subscription with a DLQ whose queue is then deleted
    env = any_env
    sns, topic, dlq_url = _subscribed_queue_deleted(env)
    # WHEN a message is published
    sns.publish(TopicArn=topic, Message="paid")
    # THEN one attempt, then the DLQ holds the envelope
    assert len(_rows(env, "deliver")) == 1
    [message] = _bodies(env, dlq_url)
    assert json.loads(message["Body"])["Message"] == "paid"


def test_without_a_dlq_the_message_is_dropped_and_logged(env):
    sns, sqs = env.client("sns"), env.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "gone")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sqs.delete_queue(QueueUrl=url)
    sns.publish(TopicArn=topic, Message="paid")
    [row] = _rows(env, "drop").itertuples()
    assert "no subscription DLQ" in row.detail and "client-side" in row.detail


def test_server_side_sqs_failure_follows_the_managed_schedule(env):
    # GIVEN a queue subscriber whose endpoint is out for 30 s (emulated fault)
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    env.emulation["sns"].outage(arn, 30)
    # WHEN a message is published and the clock moves a minute
    sns.publish(TopicArn=topic, Message="paid")
    assert _bodies(env, url) == []
    env.sleep(60)
    # THEN it arrived after the immediate, pre-backoff and backoff retries passed 30 s
    assert [m["Body"] for m in _bodies(env, url)] == ["paid"]
    attempts = _rows(env, "deliver")
    assert attempts["time"].tolist()[:5] == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert attempts["outcome"].iloc[-1].startswith("ok after")


def test_the_managed_schedule_has_100015_attempts_over_23_days():
    delays = list(retry_delays("sqs"))
    assert 1 + len(delays) == limits.SNS_SQS_DELIVERY_ATTEMPTS
    assert round(sum(delays) / 86_400) == limits.SNS_SQS_DELIVERY_DAYS
    assert delays[:4] == [0.0, 0.0, 1.0, 1.0] and max(delays) == 20.0


def test_moto_alone_ignores_the_subscription_redrive_policy(bare):
    sns, topic, dlq_url = _subscribed_queue_deleted(bare)
    with pytest.raises(ClientError):
        sns.publish(TopicArn=topic, Message="paid")
    assert _bodies(bare, dlq_url) == []


# --- 8. Lambda subscribers ---------------------------------------------------------------------
def test_lambda_subscriber_runs_the_handler_with_the_sns_event_and_retries_errors(env):
    from helpers.sns import create_function
    calls = []

    def handler(event, context):
        calls.append(event)
        if len(calls) < 3:
            raise RuntimeError("database down")
        return {"ok": True}

    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    arn = create_function(env, "alerts", handler)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="failed payment", Subject="alert",
                MessageAttributes={"status": {"DataType": "String", "StringValue": "failed"}})
    record = calls[0]["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["Sns"]["Message"] == "failed payment"
    assert record["Sns"]["MessageAttributes"] == {"status": {"Type": "String", "Value": "failed"}}
    assert record["Sns"]["SignatureVersion"] == "1" and record["Sns"]["Subject"] == "alert"
    env.sleep(180)
    assert len(calls) == 3  # Lambda's asynchronous retries: 1 min, then 2 min later


def test_moto_alone_cannot_run_the_function(env):
    # GIVEN a function created while the stand-ins run, then bare moto (the Lambda stand-ins,
    # which run every registered handler, stopped)
    from helpers.sns import create_function
    calls = []
    create_function(env, "alerts", lambda event, context: calls.append(event))
    env.emulation["lambda"].stop()
    # WHEN it is invoked / THEN moto tries Docker: the handler never runs
    try:
        reply = env.client("lambda").invoke(FunctionName="securecart-" + env.run + "-alerts",
                                            Payload=b"{}")
        assert "FunctionError" in reply or b"docker" in reply["Payload"].read().lower()
    except Exception as err:  # noqa: BLE001 - moto raises Docker's own error types
        assert "docker" in f"{type(err).__module__} {err}".lower()
    assert calls == []


# --- 9. e-mail and SMS outbox ------------------------------------------------------------------
def test_email_waits_for_confirmation_and_sms_is_recorded(any_env):
    from moto.sns.models import sns_backends
    # GIVEN an e-mail and an SMS subscriber
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    mail = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+12025550161")
    # WHEN a message is published before the e-mail link is visited, then after
    pending = sns.get_subscription_attributes(SubscriptionArn=mail)["Attributes"]["PendingConfirmation"]
    sns.publish(TopicArn=topic, Message="First", Subject="Invoice")
    outbox = env.emulation["sns"].outbox
    token = re.search(r"Token=(\w+)", outbox.rows("email")[0]["message"]).group(1)
    sns.confirm_subscription(TopicArn=topic, Token=token)
    sns.publish(TopicArn=topic, Message="Second", Subject="Invoice")
    # THEN as on AWS: pending, a confirmation e-mail, nothing else until confirmed; SMS at once
    assert pending == "true"
    assert [(r["protocol"], r["subject"]) for r in outbox.rows()] == [
        ("email", "AWS Notification - Subscription Confirmation"), ("sms", "Invoice"),
        ("email", "Invoice"), ("sms", "Invoice")]
    assert [r["message"] for r in outbox.rows("email")][1:] == ["Second"]
    assert list(sns_backends[env.account][env.region].sms_messages.values()) == [
        ("+12025550161", "First"), ("+12025550161", "Second")]


def test_moto_alone_confirms_an_email_subscription_at_once(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    mail = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com",
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=mail)["Attributes"]["PendingConfirmation"] == "false"


def test_moto_alone_records_no_sms_subscription_delivery(bare):
    from moto.sns.models import sns_backends
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+12025550161")
    sns.publish(TopicArn=topic, Message="hi")
    assert sns_backends[bare.account][bare.region].sms_messages == {}


# --- 10. envelope and raw delivery -------------------------------------------------------------
def test_envelope_fields_and_subscription_principal(any_env):
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "q")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="paid", MessageAttributes={
        "status": {"DataType": "String", "StringValue": "paid"}})
    envelope = json.loads(_bodies(env, url)[0]["Body"])
    assert list(envelope) == ["Type", "MessageId", "TopicArn", "Message", "Timestamp",
                              "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                              "MessageAttributes"]
    assert envelope["SignatureVersion"] == "1" and sub in envelope["UnsubscribeURL"]
    assert len(base64.b64decode(envelope["Signature"])) == 256
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attrs["SubscriptionPrincipal"].startswith("arn:aws:iam::")


def test_fifo_topic_to_a_standard_queue_as_aws_recorded_it(any_env):
    # GIVEN a FIFO topic with a standard queue subscribed (not raw)
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="t.fifo", Attributes={**FIFO_TOPIC,
                                                        "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = _queue(env, "std")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    # WHEN a message is published
    answer = sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g")
    got = env.client("sqs").receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
    # THEN AWS's answer carries a SequenceNumber; the envelope is unsigned, with AWS's keys in
    # order; the standard queue's message has no group id; the subscription shows AWS's keys
    assert answer["SequenceNumber"].isdigit()
    assert list(json.loads(got["Body"])) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message",
                                             "Timestamp", "UnsubscribeURL"]
    assert sorted(got["Attributes"]) == ["ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount",
                                         "SenderId", "SentTimestamp"]
    assert sorted(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]) == [
        "ConfirmationWasAuthenticated", "Endpoint", "Owner", "PendingConfirmation", "Protocol",
        "RawMessageDelivery", "SubscriptionArn", "SubscriptionPrincipal", "TopicArn"]


def test_moto_alone_answers_a_fifo_publish_without_a_sequence_number(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t.fifo", Attributes={**FIFO_TOPIC,
                                                        "ContentBasedDeduplication": "true"})["TopicArn"]
    assert "SequenceNumber" not in sns.publish(TopicArn=topic, Message="Test", MessageGroupId="g")


def test_raw_delivery_with_a_binary_attribute_is_received(any_env):
    env = any_env
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="m", MessageAttributes={
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    [message] = _bodies(env, url)
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01"


def test_moto_alone_signs_version_2_and_crashes_on_a_raw_binary_attribute(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(bare, "q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="m")
    assert json.loads(_bodies(bare, url)[0]["Body"])["SignatureVersion"] == "2"
    raw_url, raw_arn = _queue(bare, "raw")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="m", MessageAttributes={
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    with pytest.raises(TypeError):
        bare.client("sqs").receive_message(QueueUrl=raw_url, MessageAttributeNames=["All"])


# --- 11. HTTP(S) confirmation ------------------------------------------------------------------
def test_http_subscription_is_pending_until_confirmed_with_the_token(env):
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    hook = Webhook()
    try:
        sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=hook.url,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"][
            "PendingConfirmation"] == "true"
        sns.publish(TopicArn=topic, Message="before")
        assert hook.notifications() == []
        assert _error(lambda: sns.confirm_subscription(TopicArn=topic, Token="bogus"))[1] == (
            "Invalid parameter: Token")
        hook.confirm(env)
        sns.publish(TopicArn=topic, Message="after")
        assert [n["Message"] for n in hook.notifications()] == ["after"]
    finally:
        hook.close()


def test_http_subscription_outside_loopback_is_refused(env):
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert "not on this machine" in _error(lambda: sns.subscribe(
        TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook"))[1]


def test_moto_alone_confirms_http_subscriptions_at_once(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"][
        "PendingConfirmation"] == "false"


def test_moto_alone_needs_a_dedup_id_for_a_fifo_queue_behind_a_content_dedup_topic(bare):
    # GIVEN a FIFO topic with content-based dedup and a FIFO queue without it, on bare moto
    sns = bare.client("sns")
    fifo = sns.create_topic(Name="t.fifo", Attributes={**FIFO_TOPIC,
                                                       "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = _queue(bare, "q.fifo", {"FifoQueue": "true"})
    sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=arn)
    # WHEN / THEN the publish fails at the queue (AWS delivers it)
    with pytest.raises(Exception):  # noqa: B017 - moto's SQS error surfaces through SNS
        sns.publish(TopicArn=fifo, Message="paid", MessageGroupId="g")
    assert _bodies(bare, url) == []


def test_moto_alone_has_no_subscription_principal(bare):
    sns = bare.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue(bare, "q")[1])["SubscriptionArn"]
    assert "SubscriptionPrincipal" not in sns.get_subscription_attributes(
        SubscriptionArn=sub)["Attributes"]


def test_the_clock_stays_strict_while_retries_wait(env):
    from helpers.platform.errors import InvalidParameterError
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = _queue(env, "q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    env.emulation["sns"].outage(arn, 3600)
    sns.publish(TopicArn=topic, Message="m")
    assert len(env.emulation["sns"].retries) == 1
    for bad in (-1, "abc"):
        with pytest.raises(InvalidParameterError):
            env.sleep(bad)
    env.sleep(10)
    assert env.clock.elapsed() == 10.0
