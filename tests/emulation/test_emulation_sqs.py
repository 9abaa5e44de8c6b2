"""Pins each SQS stand-in of helpers.emulation.sqs, and that moto alone still lacks it.

When a moto upgrade implements one of these behaviours, the matching ``test_moto_alone_*``
test fails: drop that stand-in (and its test) instead of emulating twice.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from sqs_calls import drain as _drain
from sqs_calls import queue_arn as _arn
from sqs_calls import receive_delete as _receive_delete
from sqs_calls import redrive as _redrive

from helpers.emulation import EMULATED

FIFO = {"FifoQueue": "true"}


# --- 2. FIFO deduplication interval -------------------------------------------------------
def test_dedup_id_is_remembered_after_delete_for_five_minutes(any_env):
    # GIVEN a FIFO message received and deleted
    env = any_env
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="payments.fifo", Attributes=FIFO)["QueueUrl"]
    send = dict(QueueUrl=url, MessageBody="pay ord-00001", MessageGroupId="cus-001",
                MessageDeduplicationId="pay-00001")
    sqs.send_message(**send)
    _receive_delete(sqs, url)

    # WHEN the same id is sent again 100 s later, then again 301 s after the first send
    env.sleep(100)
    sqs.send_message(**send)
    within = sqs.receive_message(QueueUrl=url).get("Messages", [])
    env.sleep(201)
    sqs.send_message(**send)
    after = sqs.receive_message(QueueUrl=url).get("Messages", [])

    # THEN the resend inside the interval was accepted but not delivered (and logged),
    # the one after the interval is delivered
    assert within == []
    assert [m["Body"] for m in after] == ["pay ord-00001"]
    frame = env.log.to_frame()
    dedup = frame[frame["action"] == "deduplicate"]
    assert len(dedup) == 1
    assert dedup.iloc[0]["outcome"] == EMULATED
    assert dedup.iloc[0]["group"] == "cus-001"
    assert dedup.iloc[0]["time"] == 100
    assert "seen 100 s ago" in dedup.iloc[0]["detail"]


def test_content_based_dedup_is_remembered_after_delete(any_env):
    # GIVEN a FIFO queue with content-based deduplication, one message received and deleted
    env = any_env
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="status.fifo", Attributes={
        **FIFO, "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"status": "paid"}', MessageGroupId="ord-1")
    _receive_delete(sqs, url)

    # WHEN the same body is sent at +299 s, and a different body at once
    env.sleep(299)
    sqs.send_message(QueueUrl=url, MessageBody='{"status": "paid"}', MessageGroupId="ord-1")
    sqs.send_message(QueueUrl=url, MessageBody='{"status": "shipped"}', MessageGroupId="ord-1")

    # THEN only the different body comes through
    assert _drain(sqs, url) == ['{"status": "shipped"}']
    assert env.log.counts().get("deduplicate") == 1


# --- 5. RedriveAllowPolicy and DLQ rules --------------------------------------------------
def test_redrive_allow_policy_is_returned(env):
    # GIVEN / WHEN a DLQ created with an allow policy
    sqs = env.client("sqs")
    policy = {"redrivePermission": "denyAll"}
    url = sqs.create_queue(QueueName="dlq", Attributes={
        "RedriveAllowPolicy": json.dumps(policy)})["QueueUrl"]

    # THEN both ways of asking return it
    named = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])
    everything = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert json.loads(named["Attributes"]["RedriveAllowPolicy"]) == policy
    assert json.loads(everything["Attributes"]["RedriveAllowPolicy"]) == policy


@pytest.mark.parametrize("permission", ["denyAll", "byQueue"])
def test_redrive_allow_policy_is_enforced(env, permission):
    # GIVEN a DLQ that allows no source (denyAll) or only a listed queue (byQueue)
    sqs = env.client("sqs")
    listed = sqs.create_queue(QueueName="listed")["QueueUrl"]
    policy = {"redrivePermission": permission}
    if permission == "byQueue":
        policy["sourceQueueArns"] = [_arn(sqs, listed)]
    dlq = sqs.create_queue(QueueName="dlq", Attributes={
        "RedriveAllowPolicy": json.dumps(policy)})["QueueUrl"]

    # WHEN a queue that is not listed names it as its DLQ
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="other", Attributes={
            "RedrivePolicy": _redrive(_arn(sqs, dlq), 3)})

    # THEN AWS's error code, a message naming RedriveAllowPolicy, and no queue created
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert "RedriveAllowPolicy does not allow it" in error["Message"]
    assert f"securecart-{env.run}-other" in error["Message"]
    assert len(sqs.list_queues()["QueueUrls"]) == 2
    if permission == "byQueue":  # and the listed queue may
        sqs.set_queue_attributes(QueueUrl=listed, Attributes={
            "RedrivePolicy": _redrive(_arn(sqs, dlq), 3)})
        got = sqs.get_queue_attributes(QueueUrl=listed, AttributeNames=["RedrivePolicy"])
        assert json.loads(got["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 3


@pytest.mark.parametrize("count", [0, 1001])
def test_max_receive_count_out_of_range_is_rejected(env, count):
    # GIVEN a DLQ
    sqs = env.client("sqs")
    dlq = _arn(sqs, sqs.create_queue(QueueName="dlq")["QueueUrl"])

    # WHEN / THEN
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": _redrive(dlq, count)})
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert f"maxReceiveCount: {count}, valid values are from 1 to 1000" in error["Message"]


@pytest.mark.parametrize(("source", "dlq"), [("standard", "fifo"), ("fifo", "standard")])
def test_dlq_must_be_the_same_type_as_the_source(env, source, dlq):
    # GIVEN a DLQ of one type
    sqs = env.client("sqs")
    dlq_url = sqs.create_queue(QueueName="dlq.fifo" if dlq == "fifo" else "dlq",
                               Attributes=FIFO if dlq == "fifo" else {})["QueueUrl"]

    # WHEN a source of the other type names it
    attrs = {"RedrivePolicy": _redrive(_arn(sqs, dlq_url), 3)}
    with pytest.raises(ClientError) as caught:
        sqs.create_queue(QueueName="src.fifo" if source == "fifo" else "src",
                         Attributes={**FIFO, **attrs} if source == "fifo" else attrs)

    # THEN
    assert caught.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert len(sqs.list_queues()["QueueUrls"]) == 1


# --- 7. DLQ moves logged, 6. message move tasks -------------------------------------------
def _fail_into_dlq(env, n: int = 3, max_receives: int = 2) -> tuple:
    """A source queue whose ``n`` messages were received ``max_receives`` times, never deleted."""
    sqs = env.client("sqs")
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    src = sqs.create_queue(QueueName="orders", Attributes={
        "VisibilityTimeout": "10", "RedrivePolicy": _redrive(_arn(sqs, dlq), max_receives)})[
        "QueueUrl"]
    for i in range(n):
        sqs.send_message(QueueUrl=src, MessageBody=f"order-{i}")
    for _ in range(max_receives + 1):
        sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10)
        env.sleep(11)
    return sqs, src, dlq


def test_dlq_move_after_max_receive_count_is_logged(env):
    # GIVEN / WHEN three messages failing twice with maxReceiveCount=2
    sqs, src, dlq = _fail_into_dlq(env)

    # THEN all three sit in the DLQ and the log has one move-to-dlq row each, at attempt 2
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "3"
    frame = env.log.to_frame()
    moves = frame[frame["action"] == "move-to-dlq"]
    assert len(moves) == 3
    assert set(moves["attempt"]) == {2}
    assert set(moves["resource"]) == {f"securecart-{env.run}-orders"}
    assert set(moves["detail"]) == {f"to securecart-{env.run}-orders-dlq (maxReceiveCount=2)"}
    receives = frame[frame["action"] == "receive"]
    assert len(receives) == 6


def test_message_move_task_redrives_to_the_source(any_env):
    # GIVEN three messages in a DLQ
    env = any_env
    sqs, src, dlq = _fail_into_dlq(env)
    dlq_arn = _arn(sqs, dlq)

    # WHEN starting a move task without a destination, and a second of simulated time passes
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    running = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    env.sleep(1)
    tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]

    # THEN it ran asynchronously: the messages are back in the source, fresh, COMPLETED
    assert [(t["Status"], t["TaskHandle"]) for t in running] == [("RUNNING", handle)]
    assert sorted(_drain(sqs, src)) == ["order-0", "order-1", "order-2"]
    assert _drain(sqs, dlq) == []
    assert len(tasks) == 1
    assert tasks[0]["Status"] == "COMPLETED"
    assert tasks[0]["ApproximateNumberOfMessagesMoved"] == 3
    assert tasks[0]["SourceArn"] == dlq_arn
    assert env.log.counts()["redrive"] == 3


def test_message_move_task_on_a_queue_that_is_no_dlq_raises(env):
    # GIVEN an ordinary queue
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="plain")["QueueUrl"]

    # WHEN / THEN
    with pytest.raises(ClientError) as caught:
        sqs.start_message_move_task(SourceArn=_arn(sqs, url))
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == "Source queue must be configured as a Dead Letter Queue."


# --- 4. at-least-once delivery and best-effort order --------------------------------------
def test_duplicate_is_delivered_again_after_the_visibility_timeout(env):
    # GIVEN every standard receive duplicated
    env.delivery.duplicate_rate = 1.0
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "30"})[
        "QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="ord-00001")

    # WHEN the message is received and deleted, then the visibility timeout (+ jitter) passes
    first = _receive_delete(sqs, url)
    hidden = sqs.receive_message(QueueUrl=url).get("Messages", [])
    env.delivery.duplicate_rate = 0.0
    env.sleep(36)
    second = sqs.receive_message(QueueUrl=url).get("Messages", [])

    # THEN the same message id comes once more, and the log says it is emulated
    assert hidden == []
    assert first["MessageId"] == sent["MessageId"]
    assert [(m["MessageId"], m["Body"]) for m in second] == [(sent["MessageId"], "ord-00001")]
    frame = env.log.to_frame()
    duplicates = frame[frame["action"] == "duplicate"]
    assert len(duplicates) == 1
    assert duplicates.iloc[0]["outcome"] == "emulated on moto"
    assert duplicates.iloc[0]["message_id"] == sent["MessageId"]


def _receive_order(env, *, fifo: bool = False, n: int = 20) -> list[int]:
    sqs = env.client("sqs")
    name, attrs = ("seq.fifo", {**FIFO, "ContentBasedDeduplication": "true"}) if fifo else (
        "seq", {})
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    group = {"MessageGroupId": "cus-001"} if fifo else {}
    for i in range(n):
        sqs.send_message(QueueUrl=url, MessageBody=str(i), **group)
    return [int(body) for body in _drain(sqs, url)]


def test_reordering_is_seeded_and_repeatable():
    # GIVEN two environments with the same seed and one with another, reordering on
    from conftest import random_run

    import helpers

    orders = []
    for seed in (7, 7, 8):
        env = helpers.connect(run=random_run(), seed=seed, quiet=True)
        env.delivery.reorder_rate = 0.5
        # WHEN 20 messages are sent and drained
        orders.append(_receive_order(env))
        env.teardown()

    # THEN each run delivers all 20 once, not in send order, identically for the same seed
    assert all(sorted(order) == list(range(20)) for order in orders)
    assert orders[0] != list(range(20))
    assert orders[0] == orders[1]
    assert orders[0] != orders[2]


def test_fifo_queues_are_never_duplicated_or_reordered(env):
    # GIVEN the delivery model at its most hostile
    env.delivery.duplicate_rate = 1.0
    env.delivery.reorder_rate = 1.0

    # WHEN a FIFO group is drained, and time passes for any copy to surface
    order = _receive_order(env, fifo=True)
    env.sleep(60)
    later = _drain(env.client("sqs"), env.client("sqs").get_queue_url(QueueName="seq.fifo")[
        "QueueUrl"])

    # THEN strict send order, no copies
    assert order == list(range(20))
    assert later == []
    assert "duplicate" not in env.log.counts()


# --- 8. FIFO group order after a visibility timeout ---------------------------------------
def _send_group(sqs, url: str, n: int = 5) -> None:
    for i in range(1, n + 1):
        sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="g",
                         MessageDeduplicationId=f"a{i}")


def _bodies(sqs, url: str, count: int, **params) -> list[str]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **params)
    return [m["Body"] for m in got.get("Messages", [])]


def test_fifo_group_comes_back_in_order_after_its_visibility_timeout(env):
    # GIVEN a FIFO group a1..a5 whose first three were received and never deleted
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="group.fifo", Attributes=FIFO)["QueueUrl"]
    _send_group(sqs, url)
    assert _bodies(sqs, url, 3, VisibilityTimeout=30) == ["a1", "a2", "a3"]
    assert _bodies(sqs, url, 10) == []  # the group is locked while they are in flight

    # WHEN their shared visibility timeout expires and the group is received again
    env.sleep(31)

    # THEN it comes back from its first message, in send order (AWS's FIFO guarantee)
    assert _bodies(sqs, url, 10) == ["a1", "a2", "a3", "a4", "a5"]


# --- moto alone still lacks each behaviour ------------------------------------------------


def test_moto_alone_forgets_a_deleted_dedup_id(sqs_bare):
    # GIVEN a FIFO message received and deleted on bare moto
    sqs = sqs_bare.client("sqs")
    url = sqs.create_queue(QueueName="p.fifo", Attributes=FIFO)["QueueUrl"]
    send = dict(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d")
    sqs.send_message(**send)
    _receive_delete(sqs, url)

    # WHEN / THEN the same id 10 s later is delivered again (AWS would drop it)
    sqs_bare.sleep(10)
    sqs.send_message(**send)
    assert _drain(sqs, url) == ["x"]


def test_moto_alone_drops_redrive_allow_policy_and_its_rules(sqs_bare):
    # GIVEN a denyAll DLQ on bare moto
    sqs = sqs_bare.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq", Attributes={
        "RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})["QueueUrl"]
    fifo_dlq = sqs.create_queue(QueueName="dlq.fifo", Attributes=FIFO)["QueueUrl"]

    # WHEN / THEN the policy is gone and nothing it or AWS forbids is refused
    attrs = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert "RedriveAllowPolicy" not in attrs
    sqs.create_queue(QueueName="a", Attributes={"RedrivePolicy": _redrive(_arn(sqs, dlq), 3)})
    sqs.create_queue(QueueName="b", Attributes={"RedrivePolicy": _redrive(_arn(sqs, dlq), 0)})
    sqs.create_queue(QueueName="c", Attributes={
        "RedrivePolicy": _redrive(_arn(sqs, fifo_dlq), 3)})
    assert len(sqs.list_queues()["QueueUrls"]) == 5


def test_moto_alone_has_no_message_move_tasks(sqs_bare):
    # GIVEN a DLQ on bare moto
    sqs = sqs_bare.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": _redrive(_arn(sqs, dlq), 3)})

    # WHEN / THEN
    with pytest.raises(NotImplementedError, match="start_message_move_task"):
        sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))


def test_moto_alone_delivers_standard_queues_once_in_order(sqs_bare):
    # GIVEN the delivery model switched on, but no stand-in to apply it
    sqs_bare.delivery.duplicate_rate = 1.0
    sqs_bare.delivery.reorder_rate = 1.0

    # WHEN draining, and again after every visibility timeout
    order = _receive_order(sqs_bare)
    sqs_bare.sleep(120)

    # THEN send order, exactly once: the stand-in is what departs from it
    assert order == list(range(20))
    assert _drain(sqs_bare.client("sqs"), sqs_bare.client("sqs").get_queue_url(QueueName="seq")[
        "QueueUrl"]) == []


def test_moto_alone_logs_no_dlq_move(sqs_bare):
    # GIVEN / WHEN messages moved to a DLQ by bare moto
    sqs, src, dlq = _fail_into_dlq(sqs_bare)

    # THEN they are in the DLQ, but nothing in the log says so
    depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert depth["Attributes"]["ApproximateNumberOfMessages"] == "3"
    assert "move-to-dlq" not in sqs_bare.log.counts()


def test_plain_moto_delivers_a_later_message_of_the_group_first(monkeypatch):
    # GIVEN plain moto (no helpers, no stand-ins) and a FIFO group a1..a5 whose first three
    # were received with a visibility timeout of 0 (expired at once) and never deleted
    import time

    import boto3
    import moto

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"
                       }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="group.fifo", Attributes=FIFO)["QueueUrl"]
        _send_group(sqs, url)
        assert _bodies(sqs, url, 3, VisibilityTimeout=0) == ["a1", "a2", "a3"]
        time.sleep(0.01)  # moto shows a message again strictly after its deadline

        # WHEN the group is received again
        again = _bodies(sqs, url, 10)

    # THEN moto skips a1 and a2 (still marked in flight) and starts at a3: out of order.
    # AWS (and the stand-in) return a1 first. If this fails, moto fixed it: drop stand-in 8.
    assert again[0] != "a1"
    assert again == ["a3", "a4", "a5"]


# --- 1. a deleted message is freed ------------------------------------------------------------
def _deleted_messages_still_alive(env) -> int:
    """Send and delete 20 messages; how many of them are still in memory afterwards."""
    import gc
    import weakref

    from moto.sqs.models import sqs_backends

    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="freed")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"n{i}"} for i in range(10)])
    queue = sqs_backends[env.account][env.region].get_queue(url.rsplit("/", 1)[-1])
    refs = [weakref.ref(m) for m in queue._messages]
    assert len(refs) == 20
    _drain(sqs, url)
    del queue
    gc.collect()
    return sum(ref() is not None for ref in refs)


def test_a_deleted_message_is_freed(env):
    # GIVEN / WHEN 20 messages sent and deleted / THEN none of them is kept in memory
    assert _deleted_messages_still_alive(env) == 0


def test_moto_alone_keeps_every_message_it_ever_created(sqs_bare):
    assert _deleted_messages_still_alive(sqs_bare) == 20
