"""helpers.sqs.consumer: the event source mapping stand-in, on the simulated clock."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from helpers.data import OrderGenerator
from helpers.platform.errors import InvalidParameterError
from helpers.sqs import (
    Scenario,
    check_delivery,
    create_queue,
    inspect_dlq,
    make_batch_handler,
    queue_depth,
    run_consumers,
    send_orders,
)


def orders(n: int, customers: int = 5) -> list[dict]:
    return OrderGenerator(seed=42).orders(n, customers=customers)


def body_of(record: dict) -> dict:
    return json.loads(record["body"])


def rows(env, action: str):
    return env.log.to_frame().query("action == @action")


def test_every_order_is_processed_and_deleted(env):
    # GIVEN 200 orders on a standard queue
    q = create_queue(env, "orders")
    sent = orders(200)
    send_orders(env, q, sent)
    seen = []
    # WHEN four consumers work through them at 0.1 s per order
    wall = time.perf_counter()
    report = run_consumers(env, q, make_batch_handler(lambda r: seen.append(body_of(r)["order_id"])),
                           workers=4, processing_seconds=0.1)
    wall = time.perf_counter() - wall
    # THEN each order was processed and deleted once, in simulated time, in little wall time
    assert (report.processed, report.deleted, report.failed, report.duplicates) == (200, 200, 0, 0)
    assert sorted(seen) == sorted(o["order_id"] for o in sent)
    assert report.elapsed == pytest.approx(5.0)  # 200 x 0.1 s over 4 workers
    assert report.throughput == pytest.approx(40.0)
    assert report.stopped == "empty" and wall < 3
    assert sum(w["deleted"] for w in report.per_worker.values()) == 200
    assert set(rows(env, "process")["actor"]) == {f"consumer-{i}" for i in range(1, 5)}
    assert queue_depth(env, q) == {"visible": 0, "in_flight": 0, "delayed": 0, "dlq": 0}


def test_handler_gets_a_lambda_event_and_context(env):
    q = create_queue(env, "orders", fifo=True)
    send_orders(env, q, orders(2))
    calls = []
    run_consumers(env, q, lambda event, context: calls.append((event, context)),
                  function_name="order-processor")
    event, context = calls[0]
    record = event["Records"][0]
    assert set(record) == {"messageId", "receiptHandle", "body", "attributes", "messageAttributes",
                           "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"}
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs", q.arn, env.region)
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["MessageGroupId"] == body_of(record)["customer_id"]
    assert context.function_name == "order-processor"
    assert context.get_remaining_time_in_millis() == 30_000


def test_partial_batch_deletes_exactly_the_successes(env):
    # GIVEN ten orders, three of which the handler reports as failed
    q = create_queue(env, "orders")
    sent = orders(10)
    report_ids = send_orders(env, q, sent).message_ids
    bad = {"ord-00002", "ord-00005", "ord-00009"}

    def process(record):
        if body_of(record)["order_id"] in bad:
            raise ValueError("card declined")

    # WHEN one invocation handles them (stopping before the visibility timeout ends)
    report = run_consumers(env, q, make_batch_handler(process), max_seconds=10)
    # THEN exactly the seven successes were deleted and the three failures are in flight
    deleted = set(rows(env, "delete")["message_id"])
    assert deleted == {report_ids[o["order_id"]] for o in sent if o["order_id"] not in bad}
    assert (report.processed, report.failed, report.deleted) == (7, 3, 7)
    assert queue_depth(env, q)["in_flight"] == 3
    fails = rows(env, "fail")
    assert set(fails["message_id"]) == {report_ids[o] for o in bad}
    assert set(fails["outcome"]) == {"error: ValueError"}
    assert set(fails["detail"]) == {"card declined"}


def test_a_raising_handler_fails_the_whole_batch(env):
    q = create_queue(env, "orders")
    send_orders(env, q, orders(4))

    def handler(event, context):
        raise RuntimeError("database down")

    report = run_consumers(env, q, handler, max_seconds=10)
    assert (report.processed, report.failed, report.deleted) == (0, 4, 0)
    assert set(rows(env, "fail")["detail"]) == {"database down"}


def test_an_invalid_batch_response_fails_the_whole_batch(env):
    q = create_queue(env, "orders")
    send_orders(env, q, orders(3))
    report = run_consumers(env, q, lambda e, c: {"batchItemFailures": [{"itemIdentifier": ""}]},
                           max_seconds=10)
    assert (report.failed, report.deleted) == (3, 0)
    assert set(rows(env, "fail")["outcome"]) == {"error: HandlerResponseError"}


def test_fifo_failure_stops_the_rest_of_its_group(env):
    # GIVEN a FIFO queue with one customer's orders 1-3 and another customer's order
    q = create_queue(env, "orders", fifo=True)
    batch = [{"order_id": f"a{i}", "customer_id": "A", "seq": i} for i in (1, 2, 3)]
    batch.append({"order_id": "b1", "customer_id": "B", "seq": 1})
    ids = send_orders(env, q, batch).message_ids

    # A raw handler that fails a2 only and claims a3 succeeded
    def handler(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]}
                                      for r in event["Records"] if body_of(r)["order_id"] == "a2"]}

    # WHEN one invocation handles the batch
    report = run_consumers(env, q, handler, max_seconds=10)
    # THEN a1 and b1 are deleted; a2 and the a3 behind it stay, like Lambda does for FIFO
    assert set(rows(env, "delete")["message_id"]) == {ids["a1"], ids["b1"]}
    fails = rows(env, "fail").set_index("message_id")
    assert fails.loc[ids["a3"], "outcome"] == "error: GroupBlockedError"
    assert (report.processed, report.failed) == (2, 2)


def test_fifo_group_order_holds_through_a_retry(env):
    # GIVEN a2 fails on its first attempt only
    q = create_queue(env, "orders", fifo=True)
    sent = [{"order_id": f"a{i}", "customer_id": "A", "seq": i} for i in range(1, 6)]
    send_orders(env, q, sent)
    attempts: dict[str, int] = {}
    effects = []

    def process(record):
        order_id = body_of(record)["order_id"]
        attempts[order_id] = attempts.get(order_id, 0) + 1
        if order_id == "a2" and attempts[order_id] == 1:
            raise TimeoutError("payment service slow")
        effects.append(order_id)

    report = run_consumers(env, q, make_batch_handler(process), workers=3)
    # THEN the side effects happen in group order, a3-a5 only after a2 succeeded
    assert effects == ["a1", "a2", "a3", "a4", "a5"]
    assert attempts == {"a1": 1, "a2": 2, "a3": 1, "a4": 1, "a5": 1}  # a3-a5 were never run early
    assert report.elapsed > 30  # the retry waited for the visibility timeout
    seqs = rows(env, "process")["seq"].tolist()
    assert seqs == sorted(seqs)


def test_processing_longer_than_the_visibility_timeout_duplicates_and_heartbeat_fixes_it(env):
    # GIVEN one order that takes 45 s with a 30 s visibility timeout and two workers
    q = create_queue(env, "orders", visibility_timeout=30)
    send_orders(env, q, orders(1))
    # WHEN consumed without heartbeat
    report = run_consumers(env, q, make_batch_handler(lambda r: None), workers=2,
                           processing_seconds=45)
    # THEN the second worker received it at 30 s and processed it again
    assert (report.processed, report.duplicates, report.receives) == (2, 1, 2)
    assert rows(env, "receive")["time"].tolist() == pytest.approx([0.0, 30.001])

    # GIVEN the same again WHEN the workers send heartbeats
    send_orders(env, q, orders(2)[1:])
    mark = env.log.mark()
    report = run_consumers(env, q, make_batch_handler(lambda r: None), workers=2,
                           processing_seconds=45, heartbeat=True)
    # THEN it was received and processed once, its visibility extended once, at 25 s
    assert (report.processed, report.duplicates, report.receives) == (1, 0, 1)
    assert report.heartbeats == 1
    frame = env.log.to_frame(since=mark)
    beats = frame.query("action == 'change-visibility'")
    assert beats["time"].tolist() == [pytest.approx(frame["time"].min() + 25)]
    assert beats["message_id"].tolist() == frame.query("action == 'receive'")["message_id"].tolist()


def test_crash_before_delete_redelivers_and_idempotency_processes_once(env):
    # GIVEN 60 orders and workers that die before deleting 30% of their batches
    q = create_queue(env, "orders", max_receive_count=10)
    sent = orders(60)
    send_orders(env, q, sent)
    effects = []
    handler = make_batch_handler(lambda r: effects.append(body_of(r)["order_id"]), idempotency=env)
    # WHEN consumed
    report = run_consumers(env, q, handler, workers=3, processing_seconds=0.1,
                           scenario=Scenario(seed=4, crash_before_delete=0.3))
    # THEN crashes caused redeliveries that Powertools' idempotency skipped
    assert report.crashes > 0 and report.duplicates > 0
    assert len(rows(env, "crash")) == report.crashes
    # AND every order's side effect happened exactly once, nothing lost
    assert sorted(effects) == sorted(o["order_id"] for o in sent)
    check = check_delivery(env, [o["order_id"] for o in sent], processed_order_ids=effects,
                           dlq_order_ids=inspect_dlq(env, q)["order_id"])
    assert check.ok and check.processed_once == 60
    # AND without the store the same run processes orders twice
    assert len(report.processed_ids) == 60 + report.duplicates


def test_emulated_duplicates_are_absorbed_by_idempotency(env):
    q = create_queue(env, "orders")
    sent = orders(100)
    send_orders(env, q, sent)
    effects = []
    report = run_consumers(env, q, make_batch_handler(lambda r: effects.append(body_of(r)["order_id"]),
                                                      idempotency=env),
                           workers=2, scenario=Scenario(seed=1, duplicate_rate=0.1))
    assert report.duplicates == len(rows(env, "duplicate")) > 0
    assert sorted(effects) == sorted(o["order_id"] for o in sent)
    assert env.delivery.duplicate_rate == 0.0  # the scenario's delivery model was restored


def test_no_consumer_polls_during_an_outage(env):
    q = create_queue(env, "orders")
    send_orders(env, q, orders(20))
    report = run_consumers(env, q, make_batch_handler(lambda r: None), workers=2,
                           scenario=Scenario(outage=(0, 120)))
    assert rows(env, "receive")["time"].min() == 120
    assert report.deleted == 20


def test_max_seconds_stops_a_run(env):
    q = create_queue(env, "orders")
    send_orders(env, q, orders(30))
    report = run_consumers(env, q, make_batch_handler(lambda r: None), batch_size=5,
                           processing_seconds=1, max_seconds=12)
    assert report.stopped == "max_seconds"
    assert report.deleted == 10  # two batches of five finished inside 12 s
    assert report.elapsed <= 12


def test_runs_are_deterministic(env):
    q = create_queue(env, "orders")
    send_orders(env, q, orders(40))
    scenario = Scenario(seed=9, crash_before_delete=0.2, slow_rate=0.1, slow_seconds=40)
    first = run_consumers(env, q, make_batch_handler(lambda r: None), workers=3,
                          processing_seconds=0.2, scenario=scenario)
    send_orders(env, q, orders(40))  # same ids and bodies, standard queue: no dedup
    second = run_consumers(env, q, make_batch_handler(lambda r: None), workers=3,
                           processing_seconds=0.2, scenario=scenario)
    assert (first.processed, first.crashes, first.elapsed) == (second.processed, second.crashes,
                                                              second.elapsed)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_a_modelled_call_round_trip_makes_bigger_batches_faster(env, workers):
    # GIVEN the same 40 orders at 0.1 s each, consumed in batches of 1 and of 10
    def run(batch_size: int, api_call_seconds: float):
        q = create_queue(env, f"orders-{batch_size}-{int(api_call_seconds * 1000)}")
        send_orders(env, q, orders(40))
        return run_consumers(env, q, make_batch_handler(lambda r: None), workers=workers,
                             batch_size=batch_size, processing_seconds=0.1,
                             api_call_seconds=api_call_seconds)

    # WHEN SQS calls are free (the default)
    free = {size: run(size, 0.0) for size in (1, 10)}
    # THEN both batch sizes are equally fast; only the number of calls differs
    assert free[1].throughput == pytest.approx(free[10].throughput)
    assert free[1].sqs_calls > free[10].sqs_calls
    # WHEN every call costs a 20 ms round trip
    paid = {size: run(size, 0.02) for size in (1, 10)}
    # THEN batches of 10 are faster: a tenth of the round trips
    assert paid[10].throughput > paid[1].throughput
    assert paid[1].throughput < free[1].throughput and paid[10].throughput < free[10].throughput
    assert [r.processed for r in (*free.values(), *paid.values())] == [40] * 4
    # each batch is one receive and one delete, plus the receive that found the queue empty
    per_worker = 40 // workers
    assert paid[1].elapsed == pytest.approx(per_worker * (0.1 + 2 * 0.02))
    assert paid[1].sqs_calls == 2 * 40 + 1 and paid[10].sqs_calls == 2 * 4 + 1


def test_a_heartbeat_call_costs_its_round_trip(env):
    # GIVEN one order that takes 45 s, a 30 s visibility timeout, heartbeats and 20 ms calls
    q = create_queue(env, "orders", visibility_timeout=30)
    send_orders(env, q, orders(1))
    # WHEN consumed
    report = run_consumers(env, q, make_batch_handler(lambda r: None), workers=2,
                           processing_seconds=45, heartbeat=True, api_call_seconds=0.02)
    # THEN receive, heartbeat and delete each cost 20 ms on top of the processing
    assert (report.processed, report.duplicates, report.heartbeats) == (1, 0, 1)
    assert report.elapsed == pytest.approx(45 + 3 * 0.02)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"workers": 0}, "workers=0"),
    ({"api_call_seconds": -0.02}, "api_call_seconds=-0.02"),
    ({"batch_size": 11}, "batch_size=11"),
    ({"visibility_timeout": -1}, "visibility_timeout=-1"),
    ({"processing_seconds": -0.5}, "processing_seconds=-0.5"),
    ({"scenario": "crash"}, "helpers.sqs.Scenario"),
])
def test_invalid_arguments(env, kwargs, fragment):
    q = create_queue(env, "orders")
    with pytest.raises(InvalidParameterError, match=fragment):
        run_consumers(env, q, make_batch_handler(lambda r: None), **kwargs)


def test_end_to_end_over_http(server_env):
    # GIVEN the in-process moto server reached over real HTTP
    env = server_env
    q = create_queue(env, "orders", fifo=True)
    sent = orders(30)
    send_orders(env, q, sent)
    effects = []
    handler = make_batch_handler(lambda r: effects.append(body_of(r)), idempotency=env)
    # WHEN two workers consume with crashes and one poison order
    report = run_consumers(env, q, handler, workers=2, processing_seconds=0.1,
                           scenario=Scenario(seed=2, crash_before_delete=0.2, poison={"ord-00004"}))
    dlq = inspect_dlq(env, q)
    # THEN every order was processed once or parked, in order per customer
    check = check_delivery(env, [o["order_id"] for o in sent],
                           processed_order_ids=[e["order_id"] for e in effects],
                           dlq_order_ids=dlq["order_id"])
    assert check.ok, str(check)
    # AND the DLQ holds the poison order plus the later orders of its group that failed behind
    # it in the same batches (FIFO: their receive count rose with the poison's)
    poison = next(o for o in sent if o["order_id"] == "ord-00004")
    parked = [o for o in sent if o["order_id"] in set(dlq["order_id"])]
    assert poison in parked
    assert all(o["customer_id"] == poison["customer_id"] and o["seq"] >= poison["seq"]
               for o in parked)
    for customer in {o["customer_id"] for o in sent}:
        seqs = [e["seq"] for e in effects if e["customer_id"] == customer]
        assert seqs == sorted(seqs)
    assert report.deleted == 30 - len(parked)


def test_threaded_runner_on_an_external_endpoint(monkeypatch):
    # GIVEN an external endpoint (real clock, no stand-ins): the path AWS takes, with threads
    import logging

    from moto.server import ThreadedMotoServer

    import helpers

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("SECURECART_ENDPOINT_URL", f"http://{host}:{port}")
    env = helpers.connect("server", run="t" + uuid.uuid4().hex[:7], quiet=True)
    try:
        assert not env.clock.simulated
        q = create_queue(env, "orders")
        sent = orders(6)
        send_orders(env, q, sent)
        effects = []

        def process(record):
            if body_of(record)["order_id"] == "ord-00002":
                raise ValueError("bad")
            effects.append(body_of(record)["order_id"])

        # WHEN one real worker long-polls (1 s) until the queue is empty
        report = run_consumers(env, q, make_batch_handler(process), wait_seconds=1,
                               visibility_timeout=0, max_seconds=20)
        # THEN the same contract holds: successes deleted once, the failure retried to the DLQ
        assert sorted(effects) == sorted(o["order_id"] for o in sent if o["order_id"] != "ord-00002")
        assert report.deleted == 5 and report.failed == 3 and report.stopped == "empty"
    finally:
        env.teardown(quiet=True)
        server.stop()


def test_an_explicit_visibility_timeout_sets_when_a_failure_comes_back(env):
    # GIVEN an order that fails once, consumed with a 10 s visibility timeout (queue: 30 s)
    q = create_queue(env, "orders")
    send_orders(env, q, orders(1))
    attempts = []

    def process(record):
        attempts.append(record["attributes"]["ApproximateReceiveCount"])
        if len(attempts) == 1:
            raise ValueError("first try fails")

    run_consumers(env, q, make_batch_handler(process), visibility_timeout=10)
    # THEN the retry came 10 s later, as the second receive
    assert rows(env, "receive")["time"].tolist() == pytest.approx([0.0, 10.001])
    assert attempts == ["1", "2"]
