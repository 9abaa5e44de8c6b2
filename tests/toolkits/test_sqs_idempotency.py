"""helpers.sqs.idempotency: Powertools batch handlers, idempotency on the environment's DynamoDB."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import (
    SQSFifoMessageGroupCircuitBreakerError,
)
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

import helpers
from helpers.sqs import (
    LambdaContext,
    create_queue,
    idempotency_table,
    make_batch_handler,
    persistence_layer,
    run_consumers,
    send_orders,
)


def record(message_id: str, order_id: str, group: str | None = None, fifo: bool = False) -> dict:
    arn = "arn:aws:sqs:us-east-1:123456789012:q" + (".fifo" if fifo else "")
    attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "x",
                  "ApproximateFirstReceiveTimestamp": "0"}
    if group is not None:
        attributes["MessageGroupId"] = group
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}",
            "body": json.dumps({"order_id": order_id}), "attributes": attributes,
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": arn, "awsRegion": "us-east-1"}


@pytest.fixture
def event():
    return {"Records": [record("m1", "o1"), record("m2", "o2"), record("m3", "o3")]}


CONTEXT = LambdaContext("order-processor", "req-1", timeout_seconds=30)


def test_batch_handler_reports_exactly_the_failed_records(event):
    def process(rec):
        if json.loads(rec.body)["order_id"] == "o2":
            raise ValueError("total is negative")

    handler = make_batch_handler(process)
    assert handler(event, CONTEXT) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert list(handler.errors) == ["m2"] and str(handler.errors["m2"]) == "total is negative"
    assert handler.calls == 1


def test_a_batch_where_every_record_fails_raises_as_powertools_does(event):
    # GIVEN a handler whose every record fails
    handler = make_batch_handler(lambda rec: 1 / 0)
    # WHEN called, Powertools raises (Lambda then retries the whole batch)
    with pytest.raises(Exception, match="All records failed processing. 3 individual errors"):
        handler(event, CONTEXT)
    # THEN each record's own error is still known to the course's consumer
    assert sorted(handler.errors) == ["m1", "m2", "m3"]
    assert all(isinstance(e, ZeroDivisionError) for e in handler.errors.values())


def test_idempotent_handler_skips_a_repeated_order_id_in_dynamodb(env, event):
    # GIVEN a handler with idempotency on the environment's DynamoDB table
    seen = []
    handler = make_batch_handler(lambda rec: seen.append(rec.message_id), idempotency=env)
    handler(event, CONTEXT)
    # WHEN o1 arrives again in a new message (a producer resend) next to a new order
    again = {"Records": [record("m4", "o1"), record("m5", "o4")]}
    assert handler(again, CONTEXT) == {"batchItemFailures": []}
    # THEN only the new order was processed, and the table holds the 4 keys
    assert seen == ["m1", "m2", "m3", "m5"]
    table = idempotency_table(env)
    items = env.client("dynamodb").scan(TableName=table)["Items"]
    assert len(items) == 4 and {i["status"]["S"] for i in items} == {"COMPLETED"}
    assert all(i["id"]["S"].startswith("order-processor-1#") for i in items)


def test_a_failed_record_is_not_remembered_so_its_retry_runs(env):
    attempts = []

    def process(rec):
        attempts.append(rec.message_id)
        if len(attempts) == 1:
            raise ConnectionError("bank unreachable")

    handler = make_batch_handler(process, idempotency=env)
    first = handler({"Records": [record("m1", "o1"), record("m2", "o2")]}, CONTEXT)
    assert first == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    handler({"Records": [record("m1", "o1")]}, CONTEXT)  # the retry runs
    handler({"Records": [record("m9", "o1")]}, CONTEXT)  # now a duplicate: skipped
    assert attempts == ["m1", "m2", "m1"]


def test_two_handlers_on_one_table_do_not_see_each_others_orders(env, event):
    a, b = [], []
    make_batch_handler(lambda rec: a.append(rec.message_id), idempotency=env)(event, CONTEXT)
    make_batch_handler(lambda rec: b.append(rec.message_id), idempotency=env)(event, CONTEXT)
    assert a == b == ["m1", "m2", "m3"]


def test_fifo_batch_handler_stops_a_group_at_its_first_failure():
    events = {"Records": [record("a1", "a1", "A", True), record("a2", "a2", "A", True),
                          record("b1", "b1", "B", True), record("a3", "a3", "A", True)]}
    seen = []

    def process(rec):
        if rec.message_id == "a2":
            raise ValueError("bad")
        seen.append(rec.message_id)

    handler = make_batch_handler(process)
    response = handler(events, CONTEXT)
    assert response == {"batchItemFailures": [{"itemIdentifier": "a2"}, {"itemIdentifier": "a3"}]}
    assert seen == ["a1", "b1"]  # a3 was never processed
    assert isinstance(handler.errors["a3"], SQSFifoMessageGroupCircuitBreakerError)


def test_the_table_is_per_environment_and_teardown_deletes_it(run_id):
    # GIVEN an environment with the idempotency table and a remembered order
    env = helpers.connect(run=run_id, quiet=True)
    table = idempotency_table(env)
    assert table == f"{env.prefix}idempotency" and table in env.resources.of("table")
    assert isinstance(persistence_layer(env), DynamoDBPersistenceLayer)
    make_batch_handler(lambda rec: None, idempotency=env)({"Records": [record("m1", "o1")]}, CONTEXT)
    # WHEN the connect cell runs again
    again = helpers.connect(run=run_id, quiet=True)
    try:
        # THEN the new environment's table starts empty: o1 is charged again, not blamed
        seen = []
        make_batch_handler(lambda rec: seen.append(rec.message_id), idempotency=again)(
            {"Records": [record("m1", "o1")]}, CONTEXT)
        assert seen == ["m1"]
    finally:
        again.teardown()


def test_consumer_runs_a_powertools_handler_under_the_frozen_clock(env):
    # GIVEN 20 messages carrying 7 distinct orders
    q = create_queue(env, "orders")
    send_orders(env, q, [{"order_id": f"o{i % 7}", "customer_id": "c", "seq": i}
                         for i in range(1, 21)])
    charged = []
    handler = make_batch_handler(lambda rec: charged.append(json.loads(rec.body)["order_id"]),
                                 idempotency=env)
    # WHEN consumed by two virtual workers
    report = run_consumers(env, q, handler, workers=2, processing_seconds=0.5)
    # THEN every message was deleted and each order charged once
    assert report.deleted == 20 and sorted(charged) == [f"o{i}" for i in range(7)]
