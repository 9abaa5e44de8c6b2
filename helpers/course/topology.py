"""The live topology of a run: what exists on the backend and how events flow between it.

:func:`build_topology` reads the backend (never a remembered list): SQS queues and their
redrive policies, SNS topics and their subscriptions with filter policies, EventBridge buses,
rules and targets, Step Functions state machines, Kinesis streams, DynamoDB tables and
EventBridge pipes (a table's stream -> a queue), all restricted to this run's prefix (Step
Functions, Kinesis, DynamoDB and Pipes are read only once the run has created something there:
their first call costs up to a second on moto).
:func:`draw_topology` draws that graph in layers, left to
right in the direction events flow; every notebook uses it to show what it built.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> sqs = env.client("sqs")
>>> dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
>>> arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
>>> _ = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy":
...     '{"deadLetterTargetArn": "%s", "maxReceiveCount": "3"}' % arn})
>>> sorted(build_topology(env).edges(data="label"))
[('work', 'dlq', 'maxReceiveCount=3')]
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
from matplotlib.figure import Figure

from ..platform.errors import NotReadyError
from ..platform.plotting import (
    new_figure,  # re-exported: topology.new_figure predates helpers.platform.plotting
)

__all__ = ["NODE_KINDS", "EDGE_KINDS", "build_topology", "draw_topology", "edge_table",
           "new_figure"]

#: Node kinds, with the colour and marker each is drawn with.
NODE_KINDS = {
    "bus": ("#8e44ad", "h"),
    "rule": ("#c0392b", "D"),
    "topic": ("#d35400", "^"),
    "queue": ("#2471a3", "s"),
    "dlq": ("#7f8c8d", "s"),
    "state machine": ("#16a085", "o"),
    "stream": ("#b7950b", "p"),
    "table": ("#1e8449", "8"),
    "endpoint": ("#555555", "v"),
}

#: Edge kinds: ``rule`` (bus -> rule), ``target`` (rule -> target, labelled with the
#: pattern's detail-type), ``subscription`` (topic -> endpoint, labelled with the filter
#: policy), ``redrive`` (queue -> DLQ, labelled with maxReceiveCount) and ``pipe`` (a source
#: such as a table's stream -> the pipe's target, labelled with the pipe's filter).
EDGE_KINDS = ("rule", "target", "subscription", "redrive", "pipe")


# -- reading the backend --------------------------------------------------------------------
def _short(env: Any, name: str) -> str:
    return name[len(env.prefix):] if name.startswith(env.prefix) else name


def _filter_label(policy: str | None) -> str:
    if not policy:
        return "all"
    parts = []
    for key, values in json.loads(policy).items():
        if isinstance(values, list) and all(isinstance(v, str | int | float) for v in values):
            parts.append(f"{key}: {'|'.join(str(v) for v in values)}")
        else:
            parts.append(f"{key}: {json.dumps(values, separators=(',', ':'))}")
    return "; ".join(parts)


def _pattern_label(pattern: str | None, schedule: str | None) -> str:
    if not pattern:
        return schedule or "schedule"
    parsed = json.loads(pattern)
    kinds = parsed.get("detail-type") or parsed.get("source") or []
    return "|".join(str(k) for k in kinds) or "pattern"


class _Graph:
    """A DiGraph plus the ARN -> node map used to join edges to nodes."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.g = nx.DiGraph(run=env.run)
        self.by_arn: dict[str, str] = {}

    def node(self, name: str, kind: str, arn: str | None = None, **attrs: Any) -> str:
        short = _short(self.env, name)
        ident = short
        if ident in self.g and self.g.nodes[ident]["kind"] != kind:
            ident = f"{short} ({kind})"
        self.g.add_node(ident, kind=kind, arn=arn, **attrs)
        if arn:
            self.by_arn[arn] = ident
        return ident

    def endpoint(self, arn: str, label: str) -> str:
        if arn in self.by_arn:
            return self.by_arn[arn]
        return self.node(label, "endpoint", arn)


def _queues(graph: _Graph) -> None:
    env = graph.env
    sqs = env.client("sqs")
    urls: list[str] = []
    for page in sqs.get_paginator("list_queues").paginate(QueueNamePrefix=env.prefix):
        urls += page.get("QueueUrls", [])
    redrives = []
    for url in sorted(urls):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])
        attrs = attrs["Attributes"]
        node = graph.node(url.rsplit("/", 1)[-1], "queue", attrs["QueueArn"])
        if "RedrivePolicy" in attrs:
            redrives.append((node, json.loads(attrs["RedrivePolicy"])))
    for node, policy in redrives:
        dlq = graph.by_arn.get(policy["deadLetterTargetArn"])
        if dlq is None:
            dlq = graph.node(policy["deadLetterTargetArn"].rsplit(":", 1)[-1], "dlq",
                             policy["deadLetterTargetArn"])
        graph.g.nodes[dlq]["kind"] = "dlq"
        graph.g.add_edge(node, dlq, kind="redrive", label=f"maxReceiveCount={policy['maxReceiveCount']}")


def _used(env: Any, kind: str) -> bool:
    # Reading a service the run never created anything in costs up to a second on moto
    # (its first call loads the service), so only services the run has used are read.
    return bool(env.resources.of(kind)) or not env.local


def _streams_tables_machines(graph: _Graph) -> None:
    env = graph.env
    if _used(env, "state-machine"):
        _machines(graph)
    if _used(env, "stream"):
        _streams(graph)
    if _used(env, "table"):
        _tables(graph)
    if _used(env, "pipe"):
        _pipes(graph)


def _machines(graph: _Graph) -> None:
    env = graph.env
    sfn = env.client("stepfunctions")
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"].startswith(env.prefix):
                graph.node(machine["name"], "state machine", machine["stateMachineArn"])


def _streams(graph: _Graph) -> None:
    env = graph.env
    kinesis = env.client("kinesis")
    for name in sorted(kinesis.list_streams().get("StreamNames", [])):
        if name.startswith(env.prefix):
            summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            graph.node(name, "stream", summary["StreamARN"], shards=summary["OpenShardCount"])


def _tables(graph: _Graph) -> None:
    env = graph.env
    dynamodb = env.client("dynamodb")
    for page in dynamodb.get_paginator("list_tables").paginate():
        for name in page["TableNames"]:
            if name.startswith(env.prefix):
                table = dynamodb.describe_table(TableName=name)["Table"]
                spec = table.get("StreamSpecification") or {}
                graph.node(name, "table", table["TableArn"],
                           stream=spec.get("StreamViewType") if spec.get("StreamEnabled") else None)


def _source_node(graph: _Graph, arn: str) -> str:
    """The node of a pipe's source: a table for its stream's ARN, else the resource itself."""
    for known, node in graph.by_arn.items():
        if arn == known or arn.startswith(f"{known}/stream/"):
            return node
    return graph.endpoint(arn, arn.rsplit(":", 1)[-1])


def _pipes(graph: _Graph) -> None:
    env = graph.env
    pipes = env.client("pipes")
    for pipe in sorted(pipes.list_pipes(NamePrefix=env.prefix)["Pipes"], key=lambda p: p["Name"]):
        described = pipes.describe_pipe(Name=pipe["Name"])
        filters = (described.get("SourceParameters") or {}).get("FilterCriteria", {}).get("Filters", [])
        label = "; ".join(_filter_label(f["Pattern"]) for f in filters if f.get("Pattern")) or "all"
        source = _source_node(graph, described["Source"])
        target = graph.endpoint(described["Target"], described["Target"].rsplit(":", 1)[-1])
        graph.g.add_edge(source, target, kind="pipe", label=f"pipe ({label})")


def _topics(graph: _Graph) -> None:
    env = graph.env
    sns = env.client("sns")
    topics = []
    for page in sns.get_paginator("list_topics").paginate():
        topics += [t["TopicArn"] for t in page["Topics"]
                   if t["TopicArn"].rsplit(":", 1)[-1].startswith(env.prefix)]
    for arn in sorted(topics):
        graph.node(arn.rsplit(":", 1)[-1], "topic", arn)
    for arn in sorted(topics):
        subs = []
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
            subs += page["Subscriptions"]
        for sub in sorted(subs, key=lambda s: s["Endpoint"]):
            attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
            label = sub["Endpoint"].rsplit(":", 1)[-1] if sub["Protocol"] in ("sqs", "lambda") \
                else f"{sub['Protocol']}: {sub['Endpoint']}"
            target = graph.endpoint(sub["Endpoint"], label)
            graph.g.add_edge(graph.by_arn[arn], target, kind="subscription",
                             label=_filter_label(attrs.get("FilterPolicy")))


def _rules(graph: _Graph) -> None:
    env = graph.env
    events = env.client("events")
    buses = ["default"] + sorted(
        b["Name"] for b in events.list_event_buses(NamePrefix=env.prefix)["EventBuses"])
    for bus in buses:
        rules = events.list_rules(EventBusName=bus, NamePrefix=env.prefix).get("Rules", [])
        if not rules and bus == "default":
            continue
        bus_node = graph.node(bus, "bus", None)
        for rule in sorted(rules, key=lambda r: r["Name"]):
            rule_node = graph.node(rule["Name"], "rule", rule["Arn"])
            graph.g.add_edge(bus_node, rule_node, kind="rule", label="")
            label = _pattern_label(rule.get("EventPattern"), rule.get("ScheduleExpression"))
            targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
            for target in sorted(targets, key=lambda t: t["Id"]):
                node = graph.endpoint(target["Arn"], target["Arn"].rsplit(":", 1)[-1])
                graph.g.add_edge(rule_node, node, kind="target", label=label)


def build_topology(env: Any) -> nx.DiGraph:
    """Read this run's resources from the backend into a typed, labelled graph.

    Parameters
    ----------
    env
        The environment; only names with its prefix are read.

    Returns
    -------
    networkx.DiGraph
        Nodes are short names (prefix removed) with ``kind`` (one of :data:`NODE_KINDS`) and
        ``arn``; edges carry ``kind`` (one of :data:`EDGE_KINDS`) and ``label``.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = env.client("sqs").create_queue(QueueName="orders")
    >>> dict(build_topology(env).nodes(data="kind"))
    {'orders': 'queue'}
    >>> _ = env.teardown()
    """
    graph = _Graph(env)
    _queues(graph)
    _streams_tables_machines(graph)
    _topics(graph)
    _rules(graph)
    return graph.g


def edge_table(graph: nx.DiGraph) -> Any:
    """The edges of a topology as a sorted pandas table (source, target, kind, label).

    Example
    -------
    >>> g = nx.DiGraph(); g.add_edge("a", "b", kind="redrive", label="maxReceiveCount=3")
    >>> edge_table(g).values.tolist()
    [['a', 'b', 'redrive', 'maxReceiveCount=3']]
    """
    import pandas as pd

    rows = [(a, b, d.get("kind"), d.get("label")) for a, b, d in graph.edges(data=True)]
    return pd.DataFrame(sorted(rows), columns=["source", "target", "kind", "label"])


# -- drawing --------------------------------------------------------------------------------
def _layers(g: nx.DiGraph) -> dict[str, int]:
    """Layer of each node: the longest path reaching it (sources in layer 0)."""
    layer = {}
    order = list(nx.topological_sort(g)) if nx.is_directed_acyclic_graph(g) else sorted(g)
    for node in order:
        preds = [layer[p] for p in g.predecessors(node) if p in layer]
        layer[node] = max(preds) + 1 if preds else 0
    return layer


def _positions(g: nx.DiGraph) -> dict[str, tuple[float, float]]:
    layer = _layers(g)
    columns: dict[int, list[str]] = {}
    for node in sorted(g, key=lambda n: (NODE_KINDS_ORDER.index(g.nodes[n]["kind"]), n)):
        columns.setdefault(layer[node], []).append(node)
    pos = {}
    for x, members in columns.items():
        for k, node in enumerate(members):
            pos[node] = (float(x), -float(k) + (len(members) - 1) / 2)
    return pos


NODE_KINDS_ORDER = list(NODE_KINDS)


def draw_topology(env_or_graph: Any, ax: Any = None, title: str | None = None) -> Figure:
    """Draw a run's topology (or a graph from :func:`build_topology`) as a Figure.

    Layers run left to right in the direction events flow (bus -> rule -> target, topic ->
    subscriber, queue -> DLQ); within a layer nodes are ordered by kind and name, so the same
    resources always give the same picture.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> _ = env.client("sqs").create_queue(QueueName="orders")
    >>> draw_topology(env).axes[0].get_title()
    'Live topology of run demo (1 resources, 0 links)'
    >>> _ = env.teardown()
    """
    if isinstance(env_or_graph, nx.DiGraph):
        g = env_or_graph
    elif hasattr(env_or_graph, "client"):
        g = build_topology(env_or_graph)
    else:
        raise NotReadyError("draw_topology needs the environment (run the "
                            "`env = helpers.connect(...)` cell first) or a build_topology graph.")
    pos = _positions(g)
    width = 2.2 + 2.6 * (max((x for x, _ in pos.values()), default=0) + 1)
    height = 1.2 + 0.9 * max([sum(1 for p in pos.values() if p[0] == x) for x, _ in pos.values()] or [1])
    fig, ax = new_figure(ax, (min(width, 14.0), min(max(height, 2.5), 10.0)))
    for kind, (colour, marker) in NODE_KINDS.items():
        members = [n for n in g if g.nodes[n]["kind"] == kind]
        if members:
            nx.draw_networkx_nodes(g, pos, nodelist=members, node_color=colour, node_shape=marker,
                                   node_size=650, ax=ax, label=kind)
    styles = {"redrive": "dashed", "subscription": "solid", "target": "solid", "rule": "dotted",
              "pipe": "dashdot"}
    for kind, style in styles.items():
        edges = [(a, b) for a, b, d in g.edges(data=True) if d["kind"] == kind]
        if edges:
            nx.draw_networkx_edges(g, pos, edgelist=edges, style=style, ax=ax, arrows=True,
                                   arrowsize=14, node_size=650, edge_color="0.35")
    labels = {(a, b): d["label"] for a, b, d in g.edges(data=True) if d["label"]}
    nx.draw_networkx_edge_labels(g, pos, edge_labels=labels, font_size=7, ax=ax,
                                 bbox={"boxstyle": "round", "fc": "white", "ec": "none"})
    for node, (x, y) in pos.items():
        ax.annotate(node, (x, y), xytext=(0, -17), textcoords="offset points", ha="center",
                    va="top", fontsize=8)
    run = g.graph.get("run", "?")
    ax.set_title(title or f"Live topology of run {run} ({g.number_of_nodes()} resources, "
                          f"{g.number_of_edges()} links)")
    if g.number_of_nodes():
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, markerscale=0.5,
                  frameon=False)
        xs = [x for x, _ in pos.values()]
        ys = [y for _, y in pos.values()]
        ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.6)
    ax.set_axis_off()
    return fig
