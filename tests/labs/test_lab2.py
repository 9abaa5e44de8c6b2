"""Lab 2 experiments: the numbers notebook 04 shows, asserted (they must be able to fail)."""

from __future__ import annotations

from helpers import lab2


def test_fanout_reaches_every_subscriber_and_a_new_one(env):
    result = lab2.experiment_fanout(env)
    assert result.received == {"customer-notifications": 1, "analytics": 1, "support": 1}
    assert sum(result.point_to_point.values()) == 1
    assert result.after_adding == {"customer-notifications": 1, "analytics": 1, "support": 1,
                                   "loyalty": 1}


def test_multi_protocol_sends_each_customer_their_own(env):
    table = lab2.experiment_multi_protocol(env).table
    assert table["protocol"].value_counts().to_dict() == {"sms": 3, "email": 3}
    people = lab2.customers(3)
    for person, (_, sms), (_, mail) in zip(people, table[table["protocol"] == "sms"].iterrows(),
                                           table[table["protocol"] == "email"].iterrows(),
                                           strict=True):
        assert sms["recipient"] == person["phone"].replace("-", "")
        assert mail["recipient"] == person["email"]
        assert "555" in sms["recipient"]


def test_filtering_counts_and_matrix(env):
    result = lab2.experiment_filtering(env)
    assert (result.published, result.failed) == (100, 8)
    assert result.received == {"security-alerts": 8, "fraud": result.high_value, "analytics": 100}
    assert (result.matrix["security-alerts"] == "delivered").sum() == 8
    assert (result.matrix["security-alerts"] == "filtered out").sum() == 92


def test_lambda_writes_one_alert_per_failed_payment(env):
    result = lab2.experiment_lambda(env)
    assert result.invocations == len(result.alerts) == 8
    assert "SigningCertUrl" in result.event_keys and "MessageAttributes" in result.event_keys


def test_fifo_keeps_each_order_in_order_and_drops_the_republish(env):
    result = lab2.experiment_ordering(env)
    assert result.received["FIFO topic -> FIFO queue"] == 12
    assert result.out_of_order["FIFO topic -> FIFO queue"] == 0
    assert result.received["FIFO topic -> standard queue"] == 12  # dedup before fan-out
    assert result.received["standard topic -> standard queue"] == 15
    assert all(s == ["created", "paid", "shipped"]
               for s in result.sequences["FIFO topic -> FIFO queue"].values())


def test_secure_policy_allows_only_its_topic(env):
    result = lab2.experiment_secure(env)
    assert result.own_topic.ok and not result.other_topic.allowed
    # the queue policy decides the delivery (emulated on moto): the other topic's offer is refused
    assert result.moto_delivered_from_other == 0


def test_failure_retries_dlq_and_redrive_lose_nothing(env):
    result = lab2.experiment_failure(env)
    assert set(result.recovered_after.values()) == {4}
    assert (result.attempts_each, result.in_dlq) == (6, 3)
    assert result.redriven == {"redriven": 3, "still_failing": 0}
    assert result.processed == 6
    assert result.figure()._repr_png_()[:4] == b"\x89PNG"


def test_replay_delivers_yesterday_in_order(env):
    result = lab2.experiment_replay(env)
    assert (result.archived, result.live_before, result.replayed) == (12, 0, 12)
    assert result.in_order


def test_sqs_schedule_totals():
    table = lab2.sqs_schedule()
    assert table["attempts"].iloc[-1] == 100_015
    assert table["attempts"].iloc[:-1].sum() == 100_015


def test_the_failing_webhook_experiment_logs_the_same_rows_on_every_run(run_id):
    # GIVEN two fresh runs of the failing-webhook experiment (each webhook gets a random port)
    import helpers

    frames = []
    for _ in range(2):
        env = helpers.connect(run=run_id, quiet=True)
        try:
            lab2.experiment_failure(env)
            frames.append(env.log.to_frame())
        finally:
            env.teardown(quiet=True)
    # THEN their logs are the same row for row: nothing random in a row (the webhook's port
    # is written <port>)
    first, second = frames
    assert first.equals(second)
    moved = first[first["action"] == "move-to-dlq"]["detail"]
    assert len(moved) == 3 and moved.str.startswith("http://127.0.0.1:<port>/sns: ").all()
