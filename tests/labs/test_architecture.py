"""Notebook 01's simulation: monolith vs event-driven checkout, and the best-practice demos."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from helpers import architecture
from helpers.platform.errors import InvalidParameterError, NotReadyError


def _share(env, design, outage, **kw):
    runs = architecture.simulate_checkout(env, design=design, orders=30, interval=2.0,
                                          outage=outage, seed=42, **kw)
    return architecture.summarize(runs)["failed_share"]


def test_monolith_failure_share_rises_with_payment_outage(env):
    # GIVEN 30 checkouts, one every 2 s, seed 42, and payments down for 0, 20 and 40 s
    outages = [None, (10, 30), (10, 50)]
    # WHEN the monolith takes them
    shares = [_share(env, "monolith", o) for o in outages]
    # THEN every checkout that reaches payments while it is down fails
    assert shares == [0.0, 0.333, 0.667]


def test_event_driven_failure_share_stays_zero_during_outage(env):
    # GIVEN the same checkouts and outages
    outages = [None, (10, 30), (10, 50)]
    # WHEN the event-driven design takes them
    shares = [_share(env, "event-driven", o) for o in outages]
    # THEN no checkout fails
    assert shares == [0.0, 0.0, 0.0]


def test_event_driven_catches_up_after_recovery(env):
    # GIVEN payments down from 10 s to 50 s
    runs = architecture.simulate_checkout(env, design="event-driven", orders=30, interval=2.0,
                                          outage=(10, 50), seed=42)
    # THEN every order is paid in the end, none while payments was down
    assert runs["processed_at"].notna().all()
    paid = runs["processed_at"]
    assert not ((paid >= 10) & (paid < 50)).any()
    # AND the orders queued during the outage were retried and paid after it
    during = runs[(runs["time"] >= 10) & (runs["time"] < 50)]
    assert (during["processed_at"] >= 50).all()
    assert during["attempts"].max() >= 2
    assert architecture.summarize(runs)["max_backlog"] >= 15


def test_event_driven_uses_a_real_queue_and_deletes_it(env):
    # WHEN 12 checkouts go through the event-driven design
    mark = env.log.mark()
    architecture.simulate_checkout(env, design="event-driven", orders=12)
    # THEN 12 real SendMessage calls and 12 deletes hit the backend's queue
    log = env.log.to_frame(mark)
    queue = env.prefix + "sim-checkout"
    assert (log[(log.action == "send")]["resource"] == queue).sum() == 12
    assert (log[(log.action == "delete")]["resource"] == queue).sum() == 12
    # AND the queue is gone afterwards
    assert env.client("sqs").list_queues(QueueNamePrefix=env.prefix).get("QueueUrls", []) == []


def test_monolith_latency_is_the_chain_and_failures_wait_for_the_timeout(env):
    runs = architecture.simulate_checkout(env, design="monolith", orders=20, outage=(0, 100))
    assert not runs["ok"].any()
    assert (runs["latency"] >= architecture.CALL_TIMEOUT_SECONDS).all()
    assert set(runs["error"]) == {"payments down"}


def test_monolith_failure_share_rises_with_payment_latency(env):
    shares = [_share(env, "monolith", None, payment_latency=lat) for lat in (0.25, 1.0, 2.0)]
    assert shares[0] == 0.0 and shares[0] < shares[1] < shares[2]
    assert [_share(env, "event-driven", None, payment_latency=2.0)] == [0.0]


def test_same_seed_same_checkouts(env):
    a = architecture.simulate_checkout(env, design="monolith", orders=15, outage=(5, 10), seed=7)
    b = architecture.simulate_checkout(env, design="monolith", orders=15, outage=(5, 10), seed=7)
    assert a.equals(b)


def test_simulation_moves_the_simulated_clock_only(env):
    architecture.simulate_checkout(env, design="event-driven", orders=10, interval=2.0)
    assert env.clock.elapsed() >= 18.0


@pytest.mark.parametrize("kwargs", [
    {"design": "microservices"}, {"design": "monolith", "orders": 0},
    {"design": "monolith", "outage": (30, 10)}, {"design": "monolith", "interval": 0},
])
def test_bad_parameters_are_refused(env, kwargs):
    with pytest.raises(InvalidParameterError):
        architecture.simulate_checkout(env, **kwargs)


def test_compare_designs_rows_and_plots(env):
    table = architecture.compare_designs(env, payment_latencies=(0.25, 2.0), outages=(0, 20),
                                         orders=10, interval=2.0)
    assert table[["design", "payment_latency_s", "outage_s"]].values.tolist() == [
        ["monolith", 0.25, 0.0], ["event-driven", 0.25, 0.0], ["monolith", 2.0, 0.0],
        ["event-driven", 2.0, 0.0], ["monolith", 0.25, 20.0], ["event-driven", 0.25, 20.0]]
    assert table[table.design == "event-driven"]["failed_share"].tolist() == [0.0, 0.0, 0.0]
    fig = architecture.plot_comparison(table)
    assert isinstance(fig, Figure) and len(fig.axes) == 2


def test_plots_draw_on_a_given_axis(env):
    mono = architecture.simulate_checkout(env, design="monolith", orders=10, outage=(4, 10))
    evd = architecture.simulate_checkout(env, design="event-driven", orders=10, outage=(4, 10))
    fig = Figure()
    ax = fig.subplots()
    assert architecture.plot_timeline(mono, evd, outage=(4, 10), ax=ax) is fig


def test_plots_before_their_data_say_what_to_run(env):
    with pytest.raises(NotReadyError, match="compare_designs"):
        architecture.plot_comparison(None)
    with pytest.raises(NotReadyError, match="simulate"):
        architecture.plot_timeline(None, None)


def test_demos_need_the_target_design_first(env):
    with pytest.raises(NotReadyError, match="create_target_design"):
        architecture.demo_add_consumer(env)
    with pytest.raises(NotReadyError, match="create_target_design"):
        architecture.demo_retries_and_dlq(env)


def test_retries_then_dead_letter_queue(env):
    # GIVEN the target design (maxReceiveCount 3) and order 2 a poison message
    architecture.create_target_design(env)
    # WHEN the demo runs
    log = architecture.demo_retries_and_dlq(env)
    # THEN order 2 was received 3 times from orders, then moved, then found in the DLQ
    received = log[(log.action == "receive") & (log.resource == "orders")]
    assert received[received.seq == 2]["attempt"].tolist() == [1, 2, 3]
    assert log[log.action == "move-to-dlq"]["seq"].tolist() == [2]
    assert log[(log.resource == "orders-dlq") & (log.action == "receive")]["seq"].tolist() == [2]
    # AND the others were paid (deleted) at once
    deleted = log[(log.action == "delete") & (log.resource == "orders")]
    assert deleted["seq"].tolist() == [1, 3, 4]


def test_add_consumer_without_touching_the_producer(env):
    architecture.create_target_design(env)
    table = architecture.demo_add_consumer(env)
    assert table.to_dict() == {
        "before": {"notifications": "shipped, delivered", "analytics": "paid, shipped, delivered",
                   "loyalty": "-"},
        "after": {"notifications": "shipped, delivered", "analytics": "paid, shipped, delivered",
                  "loyalty": "paid, shipped, delivered"},
    }


def test_trace_follows_one_order(env):
    architecture.create_target_design(env)
    trace = architecture.demo_trace(env)
    assert trace[["actor", "action", "resource"]].values.tolist() == [
        ["orders", "publish", "order-status"],
        ["notifications", "receive", "notifications"], ["notifications", "delete", "notifications"],
        ["analytics", "receive", "analytics"], ["analytics", "delete", "analytics"]]


def test_target_design_twice_is_the_same(env):
    first = architecture.create_target_design(env)
    assert architecture.create_target_design(env) == first


def test_event_driven_on_the_server_backend(server_env):
    runs = architecture.simulate_checkout(server_env, design="event-driven", orders=10,
                                          outage=(2, 8))
    assert runs["ok"].all() and runs["processed_at"].notna().all()
