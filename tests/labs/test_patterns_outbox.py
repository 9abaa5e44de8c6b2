"""The dual write loses an event under a crash; the transactional outbox does not.

GIVEN the orders service crashing after its DynamoDB write for one order, WHEN it dual-writes,
THEN that order is stored but never reaches shipping; WHEN it uses the outbox, THEN every
stored order reaches shipping (twice for some when the publisher crashes: at least once).
"""

from __future__ import annotations

from helpers.patterns import outbox as ob

ORDERS = [f"ord-{n}" for n in range(1, 7)]


def test_dual_write_loses_the_event_of_the_crashed_order(env):
    shop = ob.OrdersService.create(env, "orders-dual", crash_after_write={"ord-3"})
    run = shop.run_dual_write(ORDERS)
    assert (run.stored, run.delivered, run.lost) == (6, 5, ["ord-3"])


def test_outbox_delivers_every_stored_order_once(any_env):
    shop = ob.OrdersService.create(any_env, "orders-outbox", crash_after_write={"ord-3"})
    shop.deploy_publisher()
    run = shop.run_outbox(ORDERS)
    assert (run.stored, run.lost, run.duplicates) == (6, [], [])
    assert sorted(run.shipped) == ORDERS


def test_a_publisher_crash_republishes_the_batch(env):
    shop = ob.OrdersService.create(env, "orders-crash")
    shop.publisher_crashes = 1
    shop.deploy_publisher()
    run = shop.run_outbox(ORDERS)
    # the first batch (10 stream records = 5 orders) is published, the crash replays it
    assert (run.lost, run.duplicates) == ([], ORDERS[:5])
    assert run.delivered == 11


def test_transaction_is_all_or_nothing(env):
    shop = ob.OrdersService.create(env, "orders-tx")
    shop.place_with_outbox("ord-1")
    ddb = env.client("dynamodb")
    try:  # the same order again: the condition fails, so no second outbox event either
        shop.place_with_outbox("ord-1")
    except ddb.exceptions.TransactionCanceledException as err:
        assert "ConditionalCheckFailed" in str(err)
    items = ddb.scan(TableName=shop.table)["Items"]
    assert sorted(i["pk"]["S"] for i in items) == ["ORDER#ord-1", "OUTBOX#evt-ord-1"]
