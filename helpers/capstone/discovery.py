"""Read the student's design back from the backend: what they created is what is graded.

Like notebook 01's topology (:mod:`helpers.course.topology`), nothing here is remembered from
the cells that built it: queues and their redrive policies, topics and subscriptions, buses,
rules and targets, Lambda functions (timeout, ``EVENTS_ARN``, DLQ) and their event source
mappings, state machines and CloudWatch alarms are listed from the backend, restricted to the
run's prefix; a function's Python handler is the one registered for it.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> _ = env.client("sqs").create_queue(QueueName=env.name("orders"))
>>> sorted(discover(env).queues)
['orders']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Design", "Queue", "Topic", "Subscription", "Rule", "Target", "Function", "Mapping",
           "Machine", "Alarm", "discover", "short"]


def short(env_prefix: str, arn_or_name: str) -> str:
    """A resource's name without ARN or run prefix."""
    name = arn_or_name.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return name[len(env_prefix):] if name.startswith(env_prefix) else name


@dataclass
class Queue:
    name: str
    arn: str
    url: str
    fifo: bool
    visibility: int
    dlq_arn: str | None = None
    max_receives: int | None = None
    content_dedup: bool = False


@dataclass
class Subscription:
    topic: str
    protocol: str
    endpoint: str
    filter_policy: dict | None
    scope: str
    dlq_arn: str | None


@dataclass
class Topic:
    name: str
    arn: str
    fifo: bool
    subscriptions: list[Subscription] = field(default_factory=list)


@dataclass
class Target:
    rule: str
    arn: str
    dlq_arn: str | None
    max_attempts: int
    max_age: int
    group_path: str | None


@dataclass
class Rule:
    name: str
    bus: str
    pattern: dict
    targets: list[Target] = field(default_factory=list)


@dataclass
class Mapping:
    queue_arn: str
    function: str
    batch_size: int
    report_failures: bool
    enabled: bool


@dataclass
class Function:
    name: str
    arn: str
    timeout: int
    destination: str | None
    dlq_arn: str | None
    handler: Any


@dataclass
class Machine:
    name: str
    arn: str
    kind: str
    definition: dict


@dataclass
class Alarm:
    name: str
    queue: str | None
    metric: str


@dataclass
class Design:
    """A design as the backend holds it, keyed by short name (run prefix removed)."""

    prefix: str
    account: str
    queues: dict[str, Queue] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    buses: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    mappings: list[Mapping] = field(default_factory=list)
    machines: dict[str, Machine] = field(default_factory=dict)
    alarms: list[Alarm] = field(default_factory=list)

    def name(self, arn: str) -> str:
        """The short name of ``arn``."""
        return short(self.prefix, arn)

    def dlqs(self) -> set[str]:
        """Names of every queue used as a DLQ (queue redrive, subscription, target or function)."""
        arns = {q.dlq_arn for q in self.queues.values()}
        arns |= {s.dlq_arn for t in self.topics.values() for s in t.subscriptions}
        arns |= {t.dlq_arn for r in self.rules.values() for t in r.targets}
        arns |= {f.dlq_arn for f in self.functions.values()}
        return {self.name(a) for a in arns if a}

    def summary(self) -> str:
        """One line per kind of resource."""
        return (f"{len(self.queues)} queues ({len(self.dlqs())} DLQs), {len(self.topics)} topics, "
                f"{len(self.rules)} rules, {len(self.functions)} functions, "
                f"{len(self.mappings)} queue->function mappings, {len(self.machines)} state "
                f"machines, {len(self.alarms)} alarms")


def _queues(env: Any, design: Design) -> None:
    sqs = env.client("sqs")
    urls = sqs.list_queues(QueueNamePrefix=env.prefix).get("QueueUrls", [])
    for url in sorted(urls):
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(a["RedrivePolicy"]) if a.get("RedrivePolicy") else {}
        q = Queue(design.name(url), a["QueueArn"], url, a.get("FifoQueue") == "true",
                  int(a.get("VisibilityTimeout", 30)), redrive.get("deadLetterTargetArn"),
                  int(redrive["maxReceiveCount"]) if redrive else None,
                  a.get("ContentBasedDeduplication") == "true")
        design.queues[q.name] = q


def _topics(env: Any, design: Design) -> None:
    sns = env.client("sns")
    arns = [t["TopicArn"] for t in sns.list_topics()["Topics"]
            if t["TopicArn"].rsplit(":", 1)[-1].startswith(env.prefix)]
    for arn in sorted(arns):
        topic = Topic(design.name(arn), arn, arn.endswith(".fifo"))
        for sub in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
            a = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
            redrive = json.loads(a["RedrivePolicy"]) if a.get("RedrivePolicy") else {}
            topic.subscriptions.append(Subscription(
                topic.name, sub["Protocol"], sub["Endpoint"],
                json.loads(a["FilterPolicy"]) if a.get("FilterPolicy") else None,
                a.get("FilterPolicyScope", "MessageAttributes"), redrive.get("deadLetterTargetArn")))
        topic.subscriptions.sort(key=lambda s: s.endpoint)
        design.topics[topic.name] = topic


def _rules(env: Any, design: Design) -> None:
    events = env.client("events")
    buses = [b for b in events.list_event_buses(NamePrefix=env.prefix)["EventBuses"]]
    for bus in sorted(buses, key=lambda b: b["Name"]):
        design.buses[design.name(bus["Name"])] = bus["Arn"]
        for rule in events.list_rules(EventBusName=bus["Name"]).get("Rules", []):
            r = Rule(design.name(rule["Name"]), design.name(bus["Name"]),
                     json.loads(rule.get("EventPattern") or "{}"))
            for t in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus["Name"])["Targets"]:
                retry = t.get("RetryPolicy") or {}
                r.targets.append(Target(r.name, t["Arn"], (t.get("DeadLetterConfig") or {}).get("Arn"),
                                        int(retry.get("MaximumRetryAttempts", 185)),
                                        int(retry.get("MaximumEventAgeInSeconds", 86_400)),
                                        (t.get("SqsParameters") or {}).get("MessageGroupId")))
            design.rules[r.name] = r


def _functions(env: Any, design: Design) -> None:
    lam = env.client("lambda")
    handlers = env.emulation["lambda"].handlers if env.local else {}
    for page in lam.get_paginator("list_functions").paginate():
        for f in page["Functions"]:
            if not f["FunctionName"].startswith(env.prefix):
                continue
            variables = (f.get("Environment") or {}).get("Variables") or {}
            fn = Function(design.name(f["FunctionName"]), f["FunctionArn"], int(f.get("Timeout", 3)),
                          variables.get("EVENTS_ARN"), (f.get("DeadLetterConfig") or {}).get("TargetArn"),
                          handlers.get(f["FunctionName"]))
            design.functions[fn.name] = fn
    for m in lam.list_event_source_mappings()["EventSourceMappings"]:
        name = design.name(m["FunctionArn"])
        if name in design.functions and ":sqs:" in m["EventSourceArn"]:
            design.mappings.append(Mapping(m["EventSourceArn"], name, int(m.get("BatchSize", 10)),
                                           "ReportBatchItemFailures" in m.get("FunctionResponseTypes", []),
                                           m.get("State", "Enabled") in ("Enabled", "Enabling", "Creating")))
    design.mappings.sort(key=lambda m: (m.queue_arn, m.function))


def _machines(env: Any, design: Design) -> None:
    sfn = env.client("stepfunctions")
    for m in sfn.list_state_machines()["stateMachines"]:
        if m["name"].startswith(env.prefix):
            d = sfn.describe_state_machine(stateMachineArn=m["stateMachineArn"])
            design.machines[design.name(m["name"])] = Machine(
                design.name(m["name"]), m["stateMachineArn"], d.get("type", "STANDARD"),
                json.loads(d["definition"]))


def _alarms(env: Any, design: Design) -> None:
    cw = env.client("cloudwatch")
    for a in cw.describe_alarms(AlarmNamePrefix=env.prefix).get("MetricAlarms", []):
        dims = {d["Name"]: d["Value"] for d in a.get("Dimensions", [])}
        queue = dims.get("QueueName")
        design.alarms.append(Alarm(design.name(a["AlarmName"]),
                                   design.name(queue) if queue else None, a.get("MetricName", "")))


def discover(env: Any) -> Design:
    """Read this run's design from the backend.

    Parameters
    ----------
    env
        The environment; only names with its prefix are read.

    Returns
    -------
    Design
        Queues, topics, rules, functions (with their registered handlers), mappings, state
        machines and alarms, keyed by short name.
    """
    design = Design(env.prefix, env.account)
    _queues(env, design)
    _topics(env, design)
    for reader in (_rules, _functions, _machines, _alarms):
        reader(env, design)
    return design
