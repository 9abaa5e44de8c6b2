"""The SQS stand-ins under the safety issue (15): duplicates, the course's own looks, threads.

- an emulated duplicate has its own receive count (a copy of a processed order never lands
  in the DLQ because of the original's receives);
- ``inspect_dlq`` runs inside ``env.delivery.suspended()``: looking adds no duplicates;
- only the thread that called ``connect()`` moves the simulated clock with a long poll.
"""

from __future__ import annotations

import json

import pytest
from sqs_calls import drain as _drain
from sqs_calls import queue_arn as _arn
from sqs_calls import receive_delete as _receive_delete
from sqs_calls import redrive as _redrive

from helpers.emulation import EMULATED


def test_a_duplicate_has_its_own_receive_count(env):
    # GIVEN a queue whose DLQ takes a message after 1 receive, every receive duplicated
    sqs = env.client("sqs")
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    url = sqs.create_queue(QueueName="orders", Attributes={
        "VisibilityTimeout": "30", "RedrivePolicy": _redrive(_arn(sqs, dlq), 1)})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="ord-00001")
    env.delivery.duplicate_rate = 1.0

    # WHEN the order is processed (received, deleted) and its copy surfaces later
    _receive_delete(sqs, url)
    env.delivery.duplicate_rate = 0.0
    env.sleep(36)
    copy = sqs.receive_message(QueueUrl=url).get("Messages", [])

    # THEN the copy is delivered as a first receive, and nothing landed in the DLQ
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in copy] == [("ord-00001", "1")]
    assert _drain(sqs, dlq) == []


def test_inspect_dlq_adds_no_duplicates_under_a_scenario(env):
    # GIVEN three orders in a DLQ and a scenario that duplicates every delivery
    from helpers.sqs import Scenario, create_queue, dlq_depth, inspect_dlq

    queue = create_queue(env, "orders", max_receive_count=1, visibility_timeout=10)
    sqs = env.client("sqs")
    for i in range(3):
        sqs.send_message(QueueUrl=queue.url, MessageBody=json.dumps({"order_id": f"ord-{i}"}))
    for _ in range(2):
        sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10)
        env.sleep(11)

    # WHEN the DLQ is looked at three times inside the scenario
    with Scenario(duplicate_rate=1.0).activate(env):
        depths = []
        for _ in range(3):
            inspect_dlq(env, queue)
            env.sleep(60)
            depths.append(dlq_depth(env, queue))

    # THEN looking changed nothing
    assert depths == [3, 3, 3]
    assert "duplicate" not in env.log.counts()


def test_delivery_model_suspended_nests():
    # GIVEN / WHEN / THEN
    from helpers.emulation import DeliveryModel

    model = DeliveryModel(duplicate_rate=1.0)
    with model.suspended():
        with model.suspended():
            assert not model.active
        assert not model.active
    assert model.active


def test_a_background_long_poll_does_not_move_the_clock(any_env):
    # GIVEN a message in flight in the main thread (30 s), and an empty queue, on moto and on
    # the server (where the request runs in a server thread: the client names its thread)
    import threading

    env = any_env
    sqs = env.client("sqs")
    busy = sqs.create_queue(QueueName="busy")["QueueUrl"]
    idle = sqs.create_queue(QueueName="idle")["QueueUrl"]
    sqs.send_message(QueueUrl=busy, MessageBody="ord-1")
    sqs.receive_message(QueueUrl=busy)
    polled, caught = [], []

    # WHEN a background thread spins 50 empty long polls of 20 s
    def spin() -> None:
        with pytest.warns(UserWarning, match="only the thread that called connect") as record:
            for _ in range(50):
                polled.append(sqs.receive_message(QueueUrl=idle, WaitTimeSeconds=20).get("Messages", []))
        caught.extend(record)

    worker = threading.Thread(target=spin, name="spin-worker")
    worker.start()
    worker.join()

    # THEN no simulated time passed and the main thread's message is still in flight
    assert polled == [[]] * 50
    assert len(caught) == 1 and "'spin-worker'" in str(caught[0].message)
    assert env.clock.elapsed() == 0
    assert sqs.receive_message(QueueUrl=busy).get("Messages", []) == []


def test_a_main_thread_long_poll_moves_the_clock_and_says_so(any_env):
    # GIVEN a message that becomes visible in 5 s
    env = any_env
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="ord-1", DelaySeconds=5)

    # WHEN the main thread long-polls twice (20 s each)
    first = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20, VisibilityTimeout=60)
    second = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    # THEN the first returns at 5 s with the message, the second waits the full 20 s;
    # each jump is a long-poll row in the log
    assert [m["Body"] for m in first["Messages"]] == ["ord-1"]
    assert "Messages" not in second
    frame = env.log.to_frame()
    polls = frame[frame["action"] == "long-poll"]
    assert [d.split(" in one")[0] for d in polls["detail"]] == [
        "simulated clock +5.001 s", "simulated clock +20 s"]
    assert set(polls["outcome"]) == {EMULATED}


def test_moto_alone_blocks_a_long_poll_under_the_frozen_clock(sqs_bare):
    # GIVEN bare moto under the frozen simulated clock
    import threading

    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="idle")["QueueUrl"]

    # WHEN a 1 s long poll starts in a thread
    worker = threading.Thread(target=sqs.receive_message,
                              kwargs={"QueueUrl": url, "WaitTimeSeconds": 1}, daemon=True)
    worker.start()
    worker.join(timeout=1.5)

    # THEN it is still waiting after 1.5 s of wall time (it ends only when the clock thaws)
    assert worker.is_alive()
