"""The live topology: read back from the backend, drawn deterministically."""

from __future__ import annotations

import boto3
import networkx as nx
import pytest
from matplotlib.figure import Figure

from helpers import architecture
from helpers.choosing import services
from helpers.course import topology
from helpers.platform.errors import NotReadyError

TARGET_EDGES = {
    ("orders", "orders-dlq", "redrive", "maxReceiveCount=3"),
    ("order-status", "notifications", "subscription", "status: shipped|delivered"),
    ("order-status", "analytics", "subscription", "all"),
    ("securecart", "inventory-low", "rule", ""),
    ("inventory-low", "restock", "target", "InventoryLow"),
}
TARGET_KINDS = {
    "orders": "queue", "orders-dlq": "dlq", "notifications": "queue", "analytics": "queue",
    "restock": "queue", "order-status": "topic", "securecart": "bus", "inventory-low": "rule",
}


def _edges(g: nx.DiGraph) -> set[tuple[str, str, str, str]]:
    return {(a, b, d["kind"], d["label"]) for a, b, d in g.edges(data=True)}


def test_edges_match_the_resources_created(env):
    # GIVEN SecureCart's target design created on the backend
    architecture.create_target_design(env)
    # WHEN the topology is read back
    g = topology.build_topology(env)
    # THEN its nodes and edges are exactly what was created
    assert dict(g.nodes(data="kind")) == TARGET_KINDS
    assert _edges(g) == TARGET_EDGES


def test_other_names_are_left_out(env):
    # GIVEN a queue without this run's prefix (made with a raw boto3 client)
    boto3.client("sqs", region_name=env.region).create_queue(QueueName="someone-elses")
    _ = env.client("sqs").create_queue(QueueName="mine")
    # THEN only this run's queue is in the graph
    assert list(topology.build_topology(env)) == ["mine"]


def test_services_demos_add_machine_stream_and_table(env):
    services.fulfillment_machine(env)
    services.clickstream_stream(env, shards=2)
    services.order_table(env)
    g = topology.build_topology(env)
    assert dict(g.nodes(data="kind")) == {"fulfillment": "state machine",
                                          "clickstream": "stream", "order-table": "table"}
    assert g.nodes["clickstream"]["shards"] == 2
    assert g.nodes["order-table"]["stream"] == "NEW_AND_OLD_IMAGES"


def test_deleted_resources_disappear(env):
    architecture.create_target_design(env)
    sqs = env.client("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="restock")["QueueUrl"])
    g = topology.build_topology(env)
    assert "restock" not in g or g.nodes["restock"]["kind"] == "endpoint"


def test_drawing_is_deterministic(env):
    architecture.create_target_design(env)
    g = topology.build_topology(env)

    def labels(fig):
        return [(t.get_text(), t.xy) for t in fig.axes[0].texts if hasattr(t, "xy")]

    first, second = topology.draw_topology(g), topology.draw_topology(env)
    assert isinstance(first, Figure)
    assert labels(first) == labels(second)
    # AND events flow left to right: rule before its target, queue before its DLQ
    xy = dict((name, pos) for name, pos in labels(first) if name in g)
    assert xy["securecart"][0] < xy["inventory-low"][0] < xy["restock"][0]
    assert xy["orders"][0] < xy["orders-dlq"][0]


def test_draw_on_a_given_axis_and_empty_run(env):
    fig = Figure()
    ax = fig.subplots()
    assert topology.draw_topology(env, ax=ax) is fig
    assert "0 resources" in ax.get_title()


def test_draw_without_environment_says_what_to_run():
    with pytest.raises(NotReadyError, match="connect"):
        topology.draw_topology(None)


def test_edge_table_is_sorted(env):
    architecture.create_target_design(env)
    table = topology.edge_table(topology.build_topology(env))
    assert table["source"].tolist() == sorted(table["source"].tolist())


def test_same_topology_on_the_server_backend(server_env):
    architecture.create_target_design(server_env)
    assert _edges(topology.build_topology(server_env)) == TARGET_EDGES
