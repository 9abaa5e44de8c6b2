"""helpers.sqs.dlq: poison orders reach the DLQ, can be inspected, and are redriven."""

from __future__ import annotations

import json

import pytest

from helpers.data import OrderGenerator
from helpers.platform.errors import InvalidParameterError
from helpers.sqs import (
    Scenario,
    check_delivery,
    create_queue,
    dlq_depth,
    inspect_dlq,
    make_batch_handler,
    queue_depth,
    redrive,
    run_consumers,
    send_orders,
)

POISON = {"ord-00003", "ord-00011", "ord-00017"}


def effects_handler(effects: list[str]):
    return make_batch_handler(lambda r: effects.append(json.loads(r["body"])["order_id"]))


@pytest.fixture
def poisoned(env):
    """20 orders on a queue with maxReceiveCount 3, consumed with three poison orders."""
    q = create_queue(env, "orders", max_receive_count=3)
    sent = OrderGenerator(seed=42).orders(20, customers=4)
    ids = send_orders(env, q, sent).message_ids
    effects: list[str] = []
    report = run_consumers(env, q, effects_handler(effects), workers=2,
                           scenario=Scenario(poison=POISON))
    return q, sent, ids, effects, report


def test_poison_orders_reach_the_dlq_after_exactly_max_receive_count_receives(env, poisoned):
    q, sent, ids, effects, report = poisoned
    frame = env.log.to_frame()
    # THEN each poison message was received exactly 3 times on the source, then moved
    receives = frame.query("action == 'receive' and resource == @q.name")
    for order_id in POISON:
        assert (receives["message_id"] == ids[order_id]).sum() == 3
    moved = frame.query("action == 'move-to-dlq'")
    assert set(moved["message_id"]) == {ids[o] for o in POISON}
    # AND the others were processed once
    assert sorted(effects) == sorted(o["order_id"] for o in sent if o["order_id"] not in POISON)
    assert (report.failed, report.deleted) == (9, 17)
    assert dlq_depth(env, q) == 3
    assert queue_depth(env, q) == {"visible": 0, "in_flight": 0, "delayed": 0, "dlq": 3}


def test_inspect_dlq_shows_the_messages_without_consuming_them(env, poisoned):
    q, sent, ids, *_ = poisoned
    # WHEN the DLQ is inspected twice
    first = inspect_dlq(env, q)
    second = inspect_dlq(env, q)
    # THEN both looks show the same three orders, with their history, still in the DLQ
    assert sorted(first["order_id"]) == sorted(POISON)
    assert first.sort_values("order_id").reset_index(drop=True).equals(
        second.sort_values("order_id").reset_index(drop=True))
    row = first.set_index("order_id").loc["ord-00011"]
    assert row["message_id"] == ids["ord-00011"]
    assert row["receive_count"] == 3
    assert row["last_error"].startswith("poison message: order ord-00011 always fails")
    assert json.loads(row["body"])["order_id"] == "ord-00011"
    assert dlq_depth(env, q) == 3
    assert list(first.columns) == ["message_id", "order_id", "group", "seq", "receive_count",
                                   "last_error", "body"]


def test_redrive_after_fixing_the_handler_empties_the_dlq_and_loses_nothing(env, poisoned):
    q, sent, ids, effects, _ = poisoned
    inspect_dlq(env, q)  # a look first must not stop the redrive
    # WHEN the DLQ is redriven and the fixed handler (no poison) runs again
    moved = redrive(env, q)
    report = run_consumers(env, q, effects_handler(effects))
    # THEN the three came back to the source and were processed; the DLQ is empty
    assert moved == 3
    assert (report.processed, report.deleted) == (3, 3)
    assert dlq_depth(env, q) == 0
    redriven = env.log.to_frame().query("action == 'redrive'")
    assert set(redriven["message_id"]) == {ids[o] for o in POISON}
    check = check_delivery(env, [o["order_id"] for o in sent], processed_order_ids=effects,
                           dlq_order_ids=inspect_dlq(env, q)["order_id"])
    assert check.ok and check.processed_once == 20 and check.lost == 0
    assert str(check) == "✔ 20 sent = 20 charged once + 0 in the DLQ; 0 lost; 0 charged twice"


def test_redrive_to_another_destination(env, poisoned):
    q, *_ = poisoned
    quarantine = create_queue(env, "quarantine", dlq=False)
    assert redrive(env, q, destination=quarantine) == 3
    assert queue_depth(env, quarantine)["visible"] == 3
    assert queue_depth(env, q)["visible"] == 0


def test_check_delivery_before_the_redrive(env, poisoned):
    q, sent, _, effects, _ = poisoned
    check = check_delivery(env, [o["order_id"] for o in sent], processed_order_ids=effects,
                           dlq_order_ids=inspect_dlq(env, q)["order_id"])
    assert str(check) == "✔ 20 sent = 17 charged once + 3 in the DLQ; 0 lost; 0 charged twice"


def test_fifo_poison_keeps_the_rest_of_the_group_in_order(env):
    # GIVEN one customer's orders 1-4 on a FIFO queue, order 2 poison, one order per batch
    q = create_queue(env, "orders", fifo=True, max_receive_count=2)
    sent = [{"order_id": f"a{i}", "customer_id": "A", "seq": i} for i in range(1, 5)]
    send_orders(env, q, sent)
    effects: list[str] = []
    run_consumers(env, q, effects_handler(effects), batch_size=1,
                  scenario=Scenario(poison={"a2"}))
    # THEN a2 is parked after two receives and the group goes on in order behind it
    assert effects == ["a1", "a3", "a4"]
    assert inspect_dlq(env, q)["order_id"].tolist() == ["a2"]


def test_dlq_tools_need_a_queue_with_a_dlq(env):
    q = create_queue(env, "plain", dlq=False)
    for tool in (inspect_dlq, redrive, dlq_depth):
        with pytest.raises(InvalidParameterError, match="no dead-letter queue"):
            tool(env, q)


def test_empty_dlq(env):
    q = create_queue(env, "orders")
    assert inspect_dlq(env, q).empty
    assert redrive(env, q) == 0


def _twelve_in_one_group(env):
    q = create_queue(env, "orders", fifo=True)
    sqs = env.client("sqs")
    for i in range(12):
        sqs.send_message(QueueUrl=q.dlq_url, MessageBody=json.dumps({"order_id": f"a{i}"}),
                         MessageGroupId="A", MessageDeduplicationId=f"a{i}")
    return q


def _receive_counts(env, url):
    from moto.sqs.models import sqs_backends

    name = url.rsplit("/", 1)[-1]
    store = sqs_backends[env.account][env.region].queues[name]
    return [m.approximate_receive_count for m in store._messages]


@pytest.mark.parametrize("backend", ["moto", "server"])
def test_a_fifo_dlq_is_read_whole_on_the_local_backends_and_left_as_it_was(backend, run_id):
    import helpers

    env = helpers.connect(backend, run=run_id, quiet=True)
    try:
        # GIVEN twelve messages of one group in a FIFO DLQ (SQS shows only the first ten
        # while they are received: the group is locked)
        q = _twelve_in_one_group(env)
        # WHEN it is inspected twice
        first = inspect_dlq(env, q)
        counts = _receive_counts(env, q.dlq_url)
        second = inspect_dlq(env, q)
        # THEN both tables list all twelve in order, and say they are complete
        assert first["order_id"].tolist() == [f"a{i}" for i in range(12)]
        assert second["order_id"].tolist() == first["order_id"].tolist()
        assert (first.attrs["complete"], first.attrs["dlq_depth"]) == (True, 12)
        # AND the DLQ is as it was: nothing consumed, all visible, in the same order; the
        # first ten counted one receive per look (SQS counts every receive), the two read
        # from moto's store none
        assert queue_depth(env, q)["dlq"] == 12
        assert counts == [1] * 10 + [0, 0]
        assert _receive_counts(env, q.dlq_url) == [2] * 10 + [0, 0]
        got = env.client("sqs").receive_message(QueueUrl=q.dlq_url, MaxNumberOfMessages=1)
        assert json.loads(got["Messages"][0]["Body"])["order_id"] == "a0"
    finally:
        env.teardown()


def test_on_aws_a_fifo_dlq_that_cannot_be_read_whole_says_so(env, monkeypatch):
    # GIVEN twelve messages of one group in a FIFO DLQ, and the aws path (no moto store)
    q = _twelve_in_one_group(env)
    monkeypatch.setattr(env, "local", False)
    # WHEN it is inspected
    with pytest.warns(UserWarning, match="saw 10 of the 12 messages"):
        frame = inspect_dlq(env, q)
    # THEN the first ten are listed and the table says it is incomplete; nothing was consumed
    assert frame["order_id"].tolist() == [f"a{i}" for i in range(10)]
    assert (frame.attrs["complete"], frame.attrs["dlq_depth"]) == (False, 12)
    assert dlq_depth(env, q) == 12


@pytest.mark.parametrize("limit", [-1, 0, 2.5, "3", True])
def test_inspect_dlq_refuses_a_limit_that_is_not_a_positive_count(env, limit):
    q = create_queue(env, "orders")
    with pytest.raises(InvalidParameterError, match=rf"inspect_dlq\(limit={limit!r}\).*at least 1"):
        inspect_dlq(env, q, limit=limit)


def test_inspect_dlq_limit_reads_at_most_that_many_even_from_the_store(env):
    q = _twelve_in_one_group(env)
    assert inspect_dlq(env, q, limit=11)["order_id"].tolist() == [f"a{i}" for i in range(11)]
