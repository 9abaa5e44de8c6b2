"""Bad input gets one clear course error naming the value, the rule and the fix.

Each case also checks that nothing was half-created or half-sent.
"""

from __future__ import annotations

import json
import warnings

import pytest

import helpers
from helpers.platform.errors import (
    HandlerResponseError,
    InvalidGroupIdError,
    InvalidMessageBodyError,
    InvalidParameterError,
    QueueTypeMismatchError,
    SecureCartError,
    UnknownBackendError,
)
from helpers.sqs import (
    check_delivery,
    create_queue,
    dlq_depth,
    inspect_dlq,
    queue_depth,
    redrive,
    run_consumers,
    send_orders,
)
from helpers.sqs.validation import check_body, check_message_id

ORDERS = [{"order_id": f"ord-{i}", "customer_id": "cus-1", "seq": i} for i in range(1, 4)]


def _queues(env):
    return env.client("sqs").list_queues().get("QueueUrls", [])


@pytest.mark.parametrize("backend", [1, 2.0, ["moto"], b"moto"])
def test_connect_with_a_backend_that_is_not_a_name(backend):
    with pytest.raises(UnknownBackendError) as caught:
        helpers.connect(backend=backend, quiet=True)
    assert f"backend={backend!r}" in str(caught.value)
    assert "not a backend name" in str(caught.value) and "connect('aws')" in str(caught.value)


@pytest.mark.parametrize("field, value", [
    ("visibility_timeout", float("nan")), ("visibility_timeout", float("inf")),
    ("visibility_timeout", "30"), ("visibility_timeout", 2.5), ("delay_seconds", float("nan")),
    ("retention_seconds", True), ("max_receive_count", float("nan")),
])
def test_create_queue_refuses_numbers_that_are_not_whole_and_creates_nothing(env, field, value):
    with pytest.raises(InvalidParameterError) as caught:
        create_queue(env, "orders", **{field: value})
    text = str(caught.value)
    assert f"{field}={value!r} is not a whole number" in text and "Fix:" in text
    assert _queues(env) == []


@pytest.mark.parametrize("flag", ["fifo", "dlq", "content_based_dedup", "encrypted"])
@pytest.mark.parametrize("value", ["no", "yes", 1, None])
def test_create_queue_refuses_a_yes_no_option_that_is_not_a_bool(env, flag, value):
    with pytest.raises(InvalidParameterError,
                       match=rf"{flag}={value!r}: {flag} is a yes/no option.*{flag}=True"):
        create_queue(env, "orders", **{flag: value})
    assert _queues(env) == []


@pytest.mark.parametrize("orders", [None, "abc", {"order_id": "a"}, 5])
def test_send_orders_refuses_anything_but_a_list_of_orders(env, orders):
    q = create_queue(env, "orders")
    with pytest.raises(InvalidParameterError, match=r"orders=.*send_orders takes a list of order dicts"):
        send_orders(env, q, orders)
    assert queue_depth(env, q)["visible"] == 0


def test_a_group_id_of_129_characters_names_the_aws_rule_and_sends_nothing(env):
    q = create_queue(env, "orders", fifo=True)
    orders = [*ORDERS, {"order_id": "ord-9", "customer_id": "c" * 129, "seq": 9}]
    with pytest.raises(InvalidGroupIdError, match=r"MessageGroupId of order 'ord-9'.*129 "
                       r"characters long.*1 to 128 characters"):
        send_orders(env, q, orders)
    assert queue_depth(env, q)["visible"] == 0  # the three good orders were not sent either


@pytest.mark.parametrize("value, bad", [("bad id", "' '"), ("cus\x00", r"'\\x00'"),
                                        ("kunde-ü", "'ü'")])
def test_group_and_dedup_ids_with_characters_sqs_refuses(env, value, bad):
    q = create_queue(env, "orders", fifo=True)
    with pytest.raises(InvalidGroupIdError, match=rf"characters SQS refuses \({bad}\)"):
        send_orders(env, q, [{"order_id": "ord-1", "customer_id": value}])
    with pytest.raises(InvalidGroupIdError, match="MessageDeduplicationId"):
        send_orders(env, q, [{"order_id": value, "customer_id": "cus-1"}])
    assert queue_depth(env, q)["visible"] == 0


def test_an_empty_body_and_a_body_with_nul_name_the_sqs_character_rule():
    with pytest.raises(InvalidMessageBodyError, match="at least 1 character"):
        check_body("")
    with pytest.raises(InvalidMessageBodyError, match=r"'\\x00' at position 1.*U\+FFFD"):
        check_body("a\x00b")
    with pytest.raises(InvalidMessageBodyError, match="at least 1 character"):
        check_body(None)
    assert check_body("tab\tand emoji \U0001F600") == "tab\tand emoji \U0001F600"
    assert check_message_id("a" * 128, "MessageGroupId") == "a" * 128


@pytest.mark.parametrize("sent, processed, named", [
    (["a"], None, "processed_order_ids=None"),
    ("abc", ["a"], "sent_order_ids='abc'"),
    (None, [], "sent_order_ids=None"),
    (["a"], "a", "processed_order_ids='a'"),
    (["a"], 7, "processed_order_ids=7"),
])
def test_check_delivery_refuses_ids_that_are_not_a_list(sent, processed, named):
    with pytest.raises(InvalidParameterError, match=rf"{named}: .* is a list of order ids"):
        check_delivery(None, sent, processed_order_ids=processed)


def test_check_delivery_refuses_a_string_as_dlq_ids_but_takes_a_table_column(env):
    with pytest.raises(InvalidParameterError, match="dlq_order_ids='a'"):
        check_delivery(None, ["a"], processed_order_ids=[], dlq_order_ids="a")
    q = create_queue(env, "orders")
    assert check_delivery(None, ["a"], processed_order_ids=["a"],
                          dlq_order_ids=inspect_dlq(env, q)["order_id"]).ok


def test_inspect_dlq_with_a_negative_limit(env):
    q = create_queue(env, "orders")
    with pytest.raises(InvalidParameterError, match=r"limit=-1.*at least 1"):
        inspect_dlq(env, q, limit=-1)


def test_a_redrive_from_a_standard_dlq_into_a_fifo_queue_is_refused_before_moving(env):
    # GIVEN a standard queue's DLQ with a message, and a FIFO queue
    q = create_queue(env, "orders")
    fifo = create_queue(env, "orders", fifo=True)
    env.client("sqs").send_message(QueueUrl=q.dlq_url, MessageBody=json.dumps({"order_id": "a"}))
    # WHEN / THEN each way of naming the FIFO destination is refused, naming the AWS rule
    for destination in (fifo, fifo.url, fifo.arn):
        with pytest.raises(QueueTypeMismatchError, match=r"standard DLQ .* into the FIFO queue.*"
                           "same type.*Nothing was moved"):
            redrive(env, q, destination=destination)
    # AND the other way round too; nothing moved
    with pytest.raises(QueueTypeMismatchError, match="FIFO DLQ .* into the standard queue"):
        redrive(env, fifo, destination=q)
    assert dlq_depth(env, q) == 1 and queue_depth(env, fifo)["visible"] == 0
    with pytest.raises(InvalidParameterError, match="destination is an OrderQueue"):
        redrive(env, q, destination=42)


GARBAGE = {
    "a string": "ok",
    "a list": [],
    "True": True,
    "batchItemFailures not a list": {"batchItemFailures": 5},
    "batchItemFailures a string": {"batchItemFailures": "m1"},
    "entry not a dict": {"batchItemFailures": ["m1"]},
    "unknown id": {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
    "empty id": {"batchItemFailures": [{"itemIdentifier": ""}]},
    "null id": {"batchItemFailures": [{"itemIdentifier": None}]},
    "bad key": {"batchItemFailures": [{"ItemIdentifier": "x"}]},
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_handler_returning_garbage_fails_the_whole_batch_and_says_so_once(env, kind):
    # GIVEN six orders and a handler that returns garbage instead of a batch response
    q = create_queue(env, "orders", max_receive_count=2)
    send_orders(env, q, [{"order_id": f"o{i}", "customer_id": "c", "seq": i} for i in range(6)])
    # WHEN consumers run (two batches, each received twice before the DLQ)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        report = run_consumers(env, q, lambda event, context: GARBAGE[kind], batch_size=3,
                               max_seconds=600)
    said = [w for w in seen if "Lambda expects None or" in str(w.message)]
    # THEN as Lambda: every record failed and went to the DLQ after maxReceiveCount, and the
    # student was told once (not once per batch)
    assert (report.processed, report.deleted) == (0, 0)
    assert dlq_depth(env, q) == 6
    assert len(said) == 1 and "failure of the whole batch" in str(said[0].message)
    frame = env.log.to_frame()
    assert set(frame[frame.action == "fail"]["outcome"]) == {"error: HandlerResponseError"}


@pytest.mark.parametrize("fine", [None, {}, {"batchItemFailures": []},
                                  {"batchItemFailures": None}])
def test_the_responses_lambda_counts_as_success(env, fine):
    q = create_queue(env, "orders")
    send_orders(env, q, ORDERS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = run_consumers(env, q, lambda e, c: fine, max_seconds=60)
    assert (report.processed, report.deleted) == (3, 3)


def test_every_error_here_is_a_course_error():
    for error in (HandlerResponseError, InvalidGroupIdError, InvalidMessageBodyError,
                  QueueTypeMismatchError, UnknownBackendError):
        assert issubclass(error, SecureCartError)
