"""helpers.sns: bad input gets one clear error and leaves nothing half-created; outbox, DLQ,
retries, publishing, policies and plots."""

from __future__ import annotations

import json

import pytest

from helpers import sns as hs
from helpers.platform import limits
from helpers.platform.errors import (
    InvalidEndpointError,
    InvalidFilterPolicyError,
    InvalidParameterError,
    MessageTooLargeError,
    MissingDeduplicationIdError,
    MissingGroupIdError,
    ProtocolNotSupportedError,
    TopicNotFoundError,
)
from helpers.sqs import drain


def _counts(env):
    sns, sqs = env.client("sns"), env.client("sqs")
    return (len(sns.list_topics()["Topics"]), len(sns.list_subscriptions()["Subscriptions"]),
            len(sqs.list_queues().get("QueueUrls", [])))


# --- bad input: one clear error, nothing half-created ---------------------------------------
def test_invalid_filter_policy_creates_no_queue_and_no_subscription(env):
    topic = hs.create_topic(env, "payments")
    before = _counts(env)
    with pytest.raises(InvalidFilterPolicyError, match='"status" must be an object or an array'):
        hs.subscribe_queue(env, topic, "alerts", filter_policy={"status": "failed"})
    assert _counts(env) == before


def test_email_subscription_to_a_fifo_topic_is_refused(env):
    topic = hs.create_topic(env, "updates", fifo=True, content_based_dedup=True)
    before = _counts(env)
    with pytest.raises(ProtocolNotSupportedError, match="delivers only to SQS queues"):
        hs.subscribe_email(env, topic, "kendall.sprocketts@example.com")
    assert _counts(env) == before


@pytest.mark.parametrize("call, value", [
    (hs.subscribe_sms, "555-0161"), (hs.subscribe_sms, "+1202555016100000000"),
    (hs.subscribe_sms, 12025550161), (hs.subscribe_email, "kendall@"),
    (hs.subscribe_email, "no at sign"), (hs.subscribe_http, "ftp://127.0.0.1/x")])
def test_invalid_addresses_are_refused(env, call, value):
    topic = hs.create_topic(env, "confirmations")
    before = _counts(env)
    with pytest.raises(InvalidEndpointError):
        call(env, topic, value)
    assert _counts(env) == before


def test_publishing_to_a_deleted_topic_names_it(env):
    topic = hs.create_topic(env, "gone")
    hs.delete_topic(env, topic)
    with pytest.raises(TopicNotFoundError, match="securecart-.*-gone does not exist"):
        hs.publish_event(env, topic, {"order_id": "o1"})


def test_a_message_over_the_limit_counts_its_attributes_and_sends_nothing(env):
    topic = hs.create_topic(env, "big")
    sub = hs.subscribe_queue(env, topic, "q", raw=True)
    ok = {"order_id": "o1", "status": "paid", "note": "x"}
    overhead = len(json.dumps({**ok, "note": ""}, sort_keys=True))
    attrs = sum(len(k) + len(v["DataType"]) + len(v["StringValue"])
                for k, v in hs.attributes_from_event(ok).items())
    big = {**ok, "note": "x" * (limits.SNS_MAX_MESSAGE_BYTES - overhead - attrs + 1)}
    with pytest.raises(MessageTooLargeError, match="attributes included"):
        hs.publish_events(env, topic, [ok, big])
    assert drain(env, sub.queue_url, actor="t") == []  # the good one was not sent either
    fits = {**ok, "note": "x" * (limits.SNS_MAX_MESSAGE_BYTES - overhead - attrs)}
    hs.publish_event(env, topic, fits)
    assert len(drain(env, sub.queue_url, actor="t")) == 1


@pytest.mark.parametrize("options", [dict(archive_days=7), dict(content_based_dedup=True),
                                     dict(fifo=True, archive_days=0), dict(fifo="no")])
def test_bad_topic_options_create_nothing(env, options):
    with pytest.raises(InvalidParameterError):
        hs.create_topic(env, "t", **options)
    assert env.client("sns").list_topics()["Topics"] == []


def test_fifo_publish_needs_group_and_dedup_ids(env):
    topic = hs.create_topic(env, "updates", fifo=True)
    with pytest.raises(MissingGroupIdError):
        hs.publish_events(env, topic, [{"status": "paid", "event_id": "e1"}])
    with pytest.raises(MissingDeduplicationIdError):
        hs.publish_events(env, topic, [{"order_id": "o1", "status": "paid"}])


# --- publishing ------------------------------------------------------------------------------
def test_publish_events_batches_of_ten_with_fifo_ids_in_order(env):
    topic = hs.create_topic(env, "updates", fifo=True)
    sub = hs.subscribe_queue(env, topic, "fulfilment", raw=True)
    events = [{"order_id": f"o{i % 3}", "event_id": f"e{i}", "status": "paid", "seq": i}
              for i in range(23)]
    report = hs.publish_events(env, topic, events)
    assert (len(report.message_ids), report.calls, report.failed) == (23, 3, [])
    got = drain(env, sub.queue_url, actor="f")
    for order in ("o0", "o1", "o2"):
        seqs = [e["seq"] for e in got if e["order_id"] == order]
        assert seqs == sorted(seqs) and len(seqs) == len([e for e in events if e["order_id"] == order])


def test_attributes_from_event_types():
    attrs = hs.attributes_from_event({"type": "PaymentFailed", "amount": 12, "region": "eu-west-1",
                                      "customer_id": "cus-001", "other": 1})
    assert attrs["amount"] == {"DataType": "Number", "StringValue": "12"}
    assert sorted(attrs) == ["amount", "customer_id", "region", "type"]


# --- outbox ----------------------------------------------------------------------------------
def test_outbox_lists_sms_and_email_per_recipient(env):
    topic = hs.create_topic(env, "confirmations")
    hs.subscribe_sms(env, topic, "+1-202-555-0161")
    hs.subscribe_email(env, topic, "kendall.sprocketts@example.com")
    env.client("sns").publish(TopicArn=topic.arn, Message="Order confirmed", Subject="Order")
    env.client("sns").publish(PhoneNumber="+12025550179", Message="Direct text")
    table = hs.outbox(env)
    # (the confirmation e-mail first: subscribe_email visited its link on moto)
    assert table[["protocol", "recipient", "subject"]].values.tolist()[0] == [
        "email", "kendall.sprocketts@example.com", "AWS Notification - Subscription Confirmation"]
    assert table[["protocol", "recipient", "message"]].values.tolist()[1:] == [
        ["sms", "+12025550161", "Order confirmed"],
        ["email", "kendall.sprocketts@example.com", "Order confirmed"],
        ["sms", "+12025550179", "Direct text"]]
    assert set(table["source"]) == {"emulated on moto", "moto (Publish PhoneNumber)"}
    assert len(hs.outbox(env, "email")) == 2


# --- DLQ and retries -------------------------------------------------------------------------
def test_subscription_dlq_receives_what_cannot_be_delivered_and_peek_leaves_it(env):
    topic = hs.create_topic(env, "status")
    sub = hs.subscribe_queue(env, topic, "support", dlq=True)
    env.client("sqs").delete_queue(QueueUrl=sub.queue_url)
    hs.publish_events(env, topic, [{"order_id": f"o{i}", "status": "paid"} for i in range(12)])
    first = hs.peek_subscription_dlq(env, sub)
    second = hs.peek_subscription_dlq(env, sub)
    assert len(first) == len(second) == 12
    assert json.loads(first["message"][0])["order_id"] == "o0"


def test_webhook_retries_follow_its_delivery_policy_then_dlq_then_redrive(env):
    topic = hs.create_topic(env, "support")
    hook = hs.Webhook(status=500)
    try:
        sub = hs.subscribe_http(env, topic, hook.url, dlq_name="hook-dlq", delivery_policy={
            "healthyRetryPolicy": {"numRetries": 4, "numNoDelayRetries": 1, "minDelayTarget": 5,
                                   "maxDelayTarget": 5, "backoffFunction": "linear"}})
        hook.confirm(env)
        hs.publish_event(env, topic, {"order_id": "o1", "status": "paid"})
        env.sleep(60)
        frame = env.log.to_frame()
        attempts = frame[(frame["action"] == "deliver") & frame["attempt"].notna()]
        assert attempts["time"].tolist() == [0.0, 0.0, 5.0, 10.0, 15.0]
        assert len(hs.peek_subscription_dlq(env, sub)) == 1
        hook.status = 200
        assert hs.redrive_subscription_dlq(env, sub) == {"redriven": 1, "still_failing": 0}
        assert [json.loads(n["Message"])["order_id"] for n in hook.notifications()] == ["o1"]
        assert len(hs.peek_subscription_dlq(env, sub)) == 0
    finally:
        hook.close()


def test_a_bad_delivery_policy_is_refused(env):
    topic = hs.create_topic(env, "support")
    with pytest.raises(Exception, match="numRetries"):
        hs.subscribe_http(env, topic, "http://127.0.0.1:9/x",
                          delivery_policy={"healthyRetryPolicy": {"numRetries": 101}})


def test_outbox_on_aws_explains_the_sandbox():
    class Fake:
        emulated = False
    with pytest.raises(InvalidParameterError, match="SMS sandbox"):
        hs.outbox(Fake())


# --- plots -----------------------------------------------------------------------------------
def test_plots_render_from_the_log(env):
    topic = hs.create_topic(env, "payments")
    a = hs.subscribe_queue(env, topic, "alerts", raw=True, filter_policy={"status": ["failed"]})
    hs.subscribe_queue(env, topic, "all", raw=True)
    hs.publish_events(env, topic, [{"order_id": "o1", "status": "failed"},
                                   {"order_id": "o2", "status": "paid"}])
    matrix = hs.delivery_matrix(env, {a.endpoint.rsplit(":", 1)[-1]: "alerts"})
    assert matrix["alerts"].tolist() == ["delivered", "filtered out"]
    for fig in (hs.plot_delivery_matrix(matrix), hs.plot_deliveries_over_time(env),
                hs.plot_fanout_latency(env), hs.plot_retry_timeline(env, "alerts")):
        assert fig._repr_png_()[:4] == b"\x89PNG"
