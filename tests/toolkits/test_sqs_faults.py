"""helpers.sqs.faults: scenario validation, activation and the one-line description."""

from __future__ import annotations

import pytest

from helpers.platform.errors import InvalidParameterError
from helpers.sqs import Scenario, create_queue, make_batch_handler, run_consumers, send_orders


@pytest.mark.parametrize(("kwargs", "fragments"), [
    ({"crash_before_delete": 1.5}, ["crash_before_delete=1.5", "between 0.0", "Fix"]),
    ({"duplicate_rate": -0.1}, ["duplicate_rate=-0.1", "probability"]),
    ({"reorder_rate": "often"}, ["reorder_rate='often'"]),
    ({"slow_rate": True}, ["slow_rate=True"]),
    ({"slow_seconds": -3}, ["slow_seconds=-3", ">= 0"]),
    ({"outage": (50, 10)}, ["outage=(50, 10)", "start < end"]),
    ({"poison": 7}, ["poison=7", "set of order ids"]),
    ({"seed": 1.5}, ["seed=1.5"]),
])
def test_invalid_scenarios_name_the_value_and_the_fix(kwargs, fragments):
    with pytest.raises(InvalidParameterError) as err:
        Scenario(**kwargs)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_poison_accepts_ids_or_a_predicate():
    assert Scenario(poison=["ord-1"]).is_poison({"order_id": "ord-1"})
    assert not Scenario(poison={"ord-1"}).is_poison({"order_id": "ord-2"})
    rule = Scenario(poison=lambda order: order["total"] > 100)
    assert rule.is_poison({"total": 101}) and not rule.is_poison({"total": 5})
    assert not rule.is_poison("not an order")


def test_same_seed_same_draws_and_reset_repeats_them():
    a, b = Scenario(seed=3, crash_before_delete=0.5), Scenario(seed=3, crash_before_delete=0.5)
    first = [a.crashes() for _ in range(20)]
    assert first == [b.crashes() for _ in range(20)]
    assert 0 < sum(first) < 20
    a.reset()
    assert [a.crashes() for _ in range(20)] == first
    assert [Scenario(seed=4, crash_before_delete=0.5).crashes() for _ in range(20)] != first


def test_activate_sets_and_restores_the_delivery_model_for_the_students_own_calls(env):
    # GIVEN a standard queue with 30 messages
    q = create_queue(env, "orders")
    send_orders(env, q, [{"order_id": f"o{i}", "customer_id": "c", "seq": i} for i in range(30)])
    sqs = env.client("sqs")
    # WHEN the student receives with their own client inside an active scenario
    with Scenario(seed=1, duplicate_rate=1.0).activate(env):
        assert env.delivery.duplicate_rate == 1.0
        got = sqs.receive_message(QueueUrl=q.url, MaxNumberOfMessages=10)["Messages"]
    # THEN every message received was given an emulated duplicate, and the model is restored
    assert len(env.log.to_frame().query("action == 'duplicate'")) == len(got) == 10
    assert env.delivery.duplicate_rate == 0.0


def test_each_activation_restarts_the_delivery_randomness_from_the_seed(env):
    # GIVEN a scenario with emulated duplicates and reordering, and 30 orders
    scenario = Scenario(seed=3, duplicate_rate=0.3, reorder_rate=0.5)
    orders = [{"order_id": f"o{i}", "customer_id": "c", "seq": i} for i in range(30)]

    def deliveries(name: str) -> list[tuple[str, int]]:
        q = create_queue(env, name)
        send_orders(env, q, orders)
        mark = env.log.mark()
        run_consumers(env, q, make_batch_handler(lambda r: None), workers=2, scenario=scenario)
        rows = env.log.to_frame(mark).query("action in ('receive', 'duplicate')")
        return list(zip(rows["action"], rows["seq"].fillna(-1).astype(int), strict=True))

    # WHEN the same run is made twice in one environment (nothing reseeded in between)
    first, again = deliveries("first"), deliveries("again")
    # THEN the same orders come duplicated and in the same order
    assert first == again
    assert any(action == "duplicate" for action, _ in first)
    assert [seq for action, seq in first if action == "receive"][:10] != list(range(10))


def test_activate_restores_even_after_an_error(env):
    with pytest.raises(KeyError), Scenario(reorder_rate=0.3).activate(env):
        raise KeyError("boom")
    assert env.delivery.reorder_rate == 0.0


def test_describe_labels_the_emulated_parts(env):
    scenario = Scenario(seed=5, crash_before_delete=0.1, slow_rate=0.05, slow_seconds=45,
                        poison={"a", "b"}, outage=(60, 120), duplicate_rate=0.02, reorder_rate=0.2)
    assert scenario.describe(env) == (
        "scenario seed=5: crash before delete 10%; slow 5% x 45 s; poison: 2 orders; "
        "consumer outage 60-120 s; duplicates 2% + reordering 20% (emulated on moto)")
    assert Scenario().describe() == "scenario seed=0: no faults"
    assert "ignored on AWS" in Scenario(duplicate_rate=0.1).describe()
