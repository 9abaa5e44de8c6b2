"""Notebook 02's live demos: each AWS event service on the backend, safe to run twice."""

from __future__ import annotations

from helpers.choosing import services


def test_service_table_lists_six_services():
    assert services.service_table().index.tolist() == [
        "SQS", "SNS", "EventBridge", "Step Functions", "Kinesis", "DynamoDB Streams"]


def test_queue_order(env):
    result = services.demo_queue_order(env)
    assert result.to_dict() == {"queue": "orders", "sent order": "ord-00001",
                                "received order": "ord-00001", "total": 395.52,
                                "receive count": 1, "messages left": 0}


def test_broadcast_status_respects_filters(env):
    table = services.demo_broadcast_status(env)
    assert table["received"].to_dict() == {"notifications": "shipped",
                                           "analytics": "placed, paid, shipped"}


def test_route_inventory_low_only(env):
    table = services.demo_route_inventory_low(env)
    assert table.values.tolist() == [["InventoryLow", "securecart.inventory", "restock"],
                                     ["OrderPlaced", "securecart.orders", "(no rule matched)"]]


def test_fulfillment_state_machine_runs_both_steps(env):
    result = services.demo_fulfillment_state_machine(env)
    assert result["status"] == "SUCCEEDED"
    assert result["states"] == "ReserveStock -> ArrangeShipment"
    assert result["output"]["stock"] == {"reserved": True}
    assert result["output"]["shipment"]["carrier"] == "SecureShip"


def test_clickstream_keeps_each_customer_on_one_shard_in_order(env):
    table = services.demo_clickstream(env)
    assert len(table) == 8 and table["shard"].nunique() == 2
    for _, rows in table.groupby("partition key"):
        assert rows["shard"].nunique() == 1
        assert rows["click"].tolist() == sorted(rows["click"].tolist())


def test_order_status_change_read_from_the_stream(env):
    table = services.demo_order_status_stream(env)
    assert table.values.tolist() == [["MODIFY", "ord-00001", "placed", "shipped",
                                      "NEW_AND_OLD_IMAGES"]]


def test_every_demo_twice_gives_the_same_result(env):
    demos = [services.demo_queue_order, services.demo_broadcast_status,
             services.demo_route_inventory_low, services.demo_fulfillment_state_machine,
             services.demo_clickstream, services.demo_order_status_stream]
    first = [repr(d(env)) for d in demos]
    assert [repr(d(env)) for d in demos] == first


def test_demos_on_the_server_backend(server_env):
    assert services.demo_fulfillment_state_machine(server_env)["status"] == "SUCCEEDED"
    assert services.demo_order_status_stream(server_env)["event"].tolist() == ["MODIFY"]
    assert services.demo_clickstream(server_env)["shard"].nunique() == 2
