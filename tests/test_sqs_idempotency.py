"""helpers.sqs.idempotency: stores, the decorator, and Lambda-shaped batch handlers."""

from __future__ import annotations

import json

import pytest

from helpers.platform.errors import GroupBlockedError, IdempotencyInProgressError
from helpers.sqs import IdempotencyStore, idempotent, make_batch_handler


def record(message_id: str, order_id: str, group: str | None = None, fifo: bool = False) -> dict:
    arn = "arn:aws:sqs:us-east-1:123456789012:q" + (".fifo" if fifo else "")
    attributes = {"ApproximateReceiveCount": "1"}
    if group is not None:
        attributes["MessageGroupId"] = group
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}",
            "body": json.dumps({"order_id": order_id}), "attributes": attributes,
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": arn, "awsRegion": "us-east-1"}


@pytest.fixture
def event():
    return {"Records": [record("m1", "o1"), record("m2", "o2"), record("m3", "o3")]}


def test_store_claims_completes_and_counts_hits():
    store = IdempotencyStore()
    assert store.begin("o1") == (True, None)
    store.complete("o1", {"charged": 10})
    assert store.begin("o1") == (False, {"charged": 10})
    assert store.hits == 1 and "o1" in store and len(store) == 1


def test_a_claim_in_progress_is_not_processed_twice():
    store = IdempotencyStore()
    store.begin("o1")
    with pytest.raises(IdempotencyInProgressError, match="'o1' is being processed"):
        store.begin("o1")
    store.release("o1")
    assert store.begin("o1") == (True, None)


def test_a_failed_processing_releases_its_claim():
    store = IdempotencyStore()
    attempts = []

    @idempotent(store)
    def charge(rec):
        attempts.append(rec["messageId"])
        if len(attempts) == 1:
            raise ConnectionError("bank unreachable")
        return "charged"

    with pytest.raises(ConnectionError):
        charge(record("m1", "o1"))
    assert charge(record("m1", "o1")) == "charged"  # the retry runs
    assert charge(record("m9", "o1")) == "charged"  # a duplicate returns the stored result
    assert attempts == ["m1", "m1"] and store.hits == 1


def test_batch_handler_reports_exactly_the_failed_records(event):
    def process(rec):
        if json.loads(rec["body"])["order_id"] == "o2":
            raise ValueError("total is negative")

    handler = make_batch_handler(process)
    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert list(handler.errors) == ["m2"] and str(handler.errors["m2"]) == "total is negative"
    assert handler.calls == 1


def test_batch_handler_with_a_store_skips_duplicates(event):
    store = IdempotencyStore()
    seen = []
    handler = make_batch_handler(lambda rec: seen.append(rec["messageId"]), store=store)
    handler(event, None)
    again = {"Records": [record("m4", "o1"), record("m5", "o4")]}  # o1 redelivered
    assert handler(again, None) == {"batchItemFailures": []}
    assert seen == ["m1", "m2", "m3", "m5"] and store.hits == 1


def test_fifo_batch_handler_stops_a_group_at_its_first_failure():
    events = {"Records": [record("a1", "a1", "A", True), record("a2", "a2", "A", True),
                          record("b1", "b1", "B", True), record("a3", "a3", "A", True)]}
    seen = []

    def process(rec):
        if rec["messageId"] == "a2":
            raise ValueError("bad")
        seen.append(rec["messageId"])

    handler = make_batch_handler(process)
    response = handler(events, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": "a2"}, {"itemIdentifier": "a3"}]}
    assert seen == ["a1", "b1"]  # a3 was never processed
    assert isinstance(handler.errors["a3"], GroupBlockedError)


def test_custom_key(event):
    store = IdempotencyStore()
    handler = make_batch_handler(lambda rec: None, store=store,
                                 key=lambda rec, body: rec["messageId"])
    handler(event, None)
    assert sorted(store.keys()) == ["m1", "m2", "m3"]


def test_dynamodb_store_uses_a_conditional_put(env):
    # GIVEN a DynamoDB-backed store (the aws default, forced here on moto)
    store = IdempotencyStore(env, use_dynamodb=True)
    # WHEN keys are claimed, completed and claimed again
    assert store.begin("o1") == (True, None)
    with pytest.raises(IdempotencyInProgressError):
        store.begin("o1")
    store.complete("o1", {"charged": 10})
    assert store.begin("o1") == (False, {"charged": 10})
    # THEN the table carries the run prefix, holds the key, and teardown deletes it
    assert store.backend == "dynamodb" and store.hits == 1
    assert env.client("dynamodb").list_tables()["TableNames"] == [f"{env.prefix}idempotency"]
    assert store.keys() == ["o1"] and "o1" in store
    assert f"{env.prefix}idempotency" in env.resources.of("table")
    store.clear()
    assert len(store) == 0


def test_memory_store_is_the_local_default(env):
    assert IdempotencyStore(env).backend == "memory"
