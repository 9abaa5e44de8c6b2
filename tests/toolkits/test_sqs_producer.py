"""helpers.sqs.producer: validated batch sends, retries of failed entries, FIFO ids."""

from __future__ import annotations

import json

import pytest

from helpers import limits
from helpers.data import OrderGenerator
from helpers.platform.errors import (
    MessageTooLargeError,
    MissingDeduplicationIdError,
    MissingGroupIdError,
    SendFailedError,
)
from helpers.sqs import create_queue, queue_depth, send_order, send_orders


@pytest.fixture
def orders():
    return OrderGenerator(seed=42).orders(25, customers=4)


def test_orders_go_out_in_batches_of_ten_and_are_logged_with_seq(env, orders):
    # GIVEN a standard queue
    q = create_queue(env, "orders")
    # WHEN 25 orders are sent
    report = send_orders(env, q, orders)
    # THEN three batches carry them all, each order with its message id
    assert (report.sent, report.batches, report.retried) == (25, 3, 0)
    assert list(report.message_ids) == [o["order_id"] for o in orders]
    assert queue_depth(env, q)["visible"] == 25
    # AND env.log has one send row per order, by the producer, with group and seq
    sends = env.log.to_frame().query("action == 'send'")
    assert len(sends) == 25 and set(sends["actor"]) == {"producer"}
    assert list(sends["seq"]) == [o["seq"] for o in orders]
    assert list(sends["group"]) == [o["customer_id"] for o in orders]
    assert list(sends["message_id"]) == list(report.message_ids.values())


def test_fifo_sends_group_and_deduplication_ids(env, orders):
    q = create_queue(env, "orders", fifo=True)
    send_orders(env, q, orders[:3])
    messages = env.client("sqs").receive_message(QueueUrl=q.url, MaxNumberOfMessages=10,
                                                  MessageSystemAttributeNames=["All"])["Messages"]
    first = messages[0]
    assert json.loads(first["Body"]) == orders[0]
    assert first["Attributes"]["MessageGroupId"] == orders[0]["customer_id"]
    assert first["Attributes"]["MessageDeduplicationId"] == orders[0]["order_id"]


def test_fifo_send_without_group_id_fails_before_sending_anything(env, orders):
    # GIVEN a FIFO queue and an order without a customer_id among good ones
    q = create_queue(env, "orders", fifo=True)
    bad = dict(orders[3])
    del bad["customer_id"]
    # WHEN the batch is sent
    with pytest.raises(MissingGroupIdError) as err:
        send_orders(env, q, [*orders[:3], bad])
    # THEN the error names the order, the rule and the fix
    text = str(err.value)
    assert bad["order_id"] in text and "MessageGroupId" in text and "Fix:" in text
    # AND no order was sent
    assert queue_depth(env, q)["visible"] == 0
    assert "send" not in env.log.counts()


def test_message_over_the_size_limit_fails_before_sending_anything(env, orders):
    q = create_queue(env, "orders")
    big = {**orders[1], "note": "x" * limits.SQS_MAX_MESSAGE_BYTES}
    with pytest.raises(MessageTooLargeError) as err:
        send_orders(env, q, [orders[0], big])
    text = str(err.value)
    size = len(json.dumps(big).encode())
    assert big["order_id"] in text and f"{size:,} bytes" in text
    assert f"{limits.SQS_MAX_MESSAGE_BYTES:,} bytes" in text and "claim-check" in text
    assert queue_depth(env, q)["visible"] == 0


def test_batches_also_respect_the_total_payload_limit(env, orders):
    # GIVEN five orders of about 400 KB: two fit in one 1 MiB batch, three do not
    q = create_queue(env, "orders")
    heavy = [{**o, "note": "x" * 400_000} for o in orders[:5]]
    report = send_orders(env, q, heavy)
    assert (report.sent, report.batches) == (5, 3)


def test_fifo_duplicates_within_five_minutes_are_suppressed(env, orders):
    # GIVEN ten orders already sent to a FIFO queue
    q = create_queue(env, "orders", fifo=True)
    send_orders(env, q, orders[:10])
    env.sleep(60)
    # WHEN the same ten are sent again a minute later
    again = send_orders(env, q, orders[:10])
    # THEN SQS accepts them but enqueues none
    assert (again.sent, again.duplicates_suppressed) == (10, 10)
    assert queue_depth(env, q)["visible"] == 10
    # AND after the 5-minute interval the same ids are new again
    env.sleep(limits.SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS)
    assert send_orders(env, q, orders[:2]).duplicates_suppressed == 0
    assert queue_depth(env, q)["visible"] == 12


def test_fifo_without_dedup_id_needs_content_based_dedup(env, orders):
    q = create_queue(env, "orders", fifo=True)
    with pytest.raises(MissingDeduplicationIdError, match="content_based_dedup=True"):
        send_orders(env, q, orders[:2], dedup_by=None)
    cb = create_queue(env, "cb", fifo=True, content_based_dedup=True)
    assert send_orders(env, cb, orders[:2], dedup_by=None).sent == 2


def test_entries_a_batch_failed_are_resent_with_backoff(env, orders, monkeypatch):
    # GIVEN SQS that fails two entries of the first batch with a server-side error
    q = create_queue(env, "orders")
    sqs = env.client("sqs")
    real = sqs.send_message_batch
    calls = []

    def flaky(**params):
        calls.append([e["Id"] for e in params["Entries"]])
        if len(calls) == 1:
            failed, rest = params["Entries"][:2], params["Entries"][2:]
            response = real(**{**params, "Entries": rest})
            response["Failed"] = [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError",
                                   "Message": "try again"} for e in failed]
            return response
        return real(**params)

    monkeypatch.setattr(sqs, "send_message_batch", flaky)
    start = env.clock.elapsed()
    # WHEN ten orders are sent
    report = send_orders(env, q, orders[:10])
    # THEN the two failed entries were re-sent once, after 0.1 s of backoff
    assert calls[1] == ["m0", "m1"]
    assert (report.sent, report.retried, report.batches) == (10, 2, 2)
    assert env.clock.elapsed() - start == pytest.approx(0.1)
    assert set(report.message_ids) == {o["order_id"] for o in orders[:10]}
    assert queue_depth(env, q)["visible"] == 10


def test_sender_faults_are_not_retried(env, orders, monkeypatch):
    q = create_queue(env, "orders")
    sqs = env.client("sqs")

    def rejecting(**params):
        return {"Successful": [], "Failed": [{"Id": e["Id"], "SenderFault": True,
                                              "Code": "InvalidParameterValue", "Message": "no"}
                                             for e in params["Entries"]]}

    monkeypatch.setattr(sqs, "send_message_batch", rejecting)
    with pytest.raises(SendFailedError, match="SenderFault"):
        send_orders(env, q, orders[:3])


def test_send_order_returns_the_message_id(env, orders):
    q = create_queue(env, "orders")
    message_id = send_order(env, q, orders[0])
    assert env.log.to_frame().query("action == 'send'")["message_id"].tolist() == [message_id]
