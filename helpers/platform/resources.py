"""What a run created, and the teardown that deletes it in dependency order.

Resources are tracked from the responses of create calls (helpers' and students' alike) and
forgotten on their delete calls. :meth:`Resources.teardown` deletes what is left: EventBridge
targets and rules before buses, SNS subscriptions before topics, then state machines,
streams, tables, queues and log groups. It is safe to call twice; on ``aws`` it also finds
leftovers carrying the run's tags.

Example
-------
>>> r = Resources()
>>> r.track("sqs", "CreateQueue", {"QueueName": "q"}, {"QueueUrl": "http://x/123/q"})
>>> r.summary()
'1 queue (q)'
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

__all__ = ["Resources", "TEARDOWN_ORDER", "TeardownReport", "count_by_service", "plural"]

#: Kinds in the order teardown deletes them (dependents first).
TEARDOWN_ORDER = (
    "alarm",
    "pipe",
    "rule",
    "archive",
    "event-bus",
    "subscriber",
    "event-bus-v2",
    "subscription",
    "topic",
    "state-machine",
    "event-source-mapping",
    "function",
    "stream",
    "table",
    "rest-api",
    "queue",
    "log-group",
)

_PLURAL = {"queue": "queues", "topic": "topics", "subscription": "subscriptions", "rule": "rules",
           "event-bus": "event buses", "archive": "archives", "state-machine": "state machines",
           "table": "tables", "stream": "streams", "log-group": "log groups",
           "function": "functions", "event-source-mapping": "event source mappings",
           "pipe": "pipes", "subscriber": "Custom Event Bus subscribers",
           "event-bus-v2": "custom event buses",
           "rest-api": "REST APIs",
           "alarm": "alarms"}
#: Kinds whose singular is not the kind's own name.
_SINGULAR = {"event-bus": "event bus", "state-machine": "state machine", "log-group": "log group",
             "event-source-mapping": "event source mapping", "subscriber": "Custom Event Bus subscriber",
             "event-bus-v2": "custom event bus", "rest-api": "REST API"}

_CREATES: dict[tuple[str, str], Callable[[dict, dict], tuple[str, str, dict]]] = {
    ("sqs", "CreateQueue"): lambda p, r: ("queue", r["QueueUrl"], {}),
    ("sns", "CreateTopic"): lambda p, r: ("topic", r["TopicArn"], {}),
    ("sns", "Subscribe"): lambda p, r: ("subscription", r["SubscriptionArn"], {}),
    ("events", "PutRule"): lambda p, r: ("rule", r["RuleArn"],
                                         {"Name": p["Name"], "EventBusName": p.get("EventBusName", "default")}),
    ("events", "CreateEventBus"): lambda p, r: ("event-bus", p["Name"], {}),
    ("events", "CreateArchive"): lambda p, r: ("archive", p["ArchiveName"], {}),
    ("eventbridgev2", "CreateEventBus"): lambda p, r: ("event-bus-v2", r["EventBusArn"], {}),
    ("eventbridgev2", "CreateSubscriber"): lambda p, r: ("subscriber", r["SubscriberArn"], {}),
    ("stepfunctions", "CreateStateMachine"): lambda p, r: ("state-machine", r["stateMachineArn"], {}),
    ("dynamodb", "CreateTable"): lambda p, r: ("table", p["TableName"], {}),
    ("kinesis", "CreateStream"): lambda p, r: ("stream", p["StreamName"], {}),
    ("logs", "CreateLogGroup"): lambda p, r: ("log-group", p["logGroupName"], {}),
    ("lambda", "CreateFunction"): lambda p, r: ("function", r["FunctionName"], {}),
    ("lambda", "CreateEventSourceMapping"): lambda p, r: ("event-source-mapping", r["UUID"], {}),
    ("pipes", "CreatePipe"): lambda p, r: ("pipe", p["Name"], {}),
    ("apigateway", "CreateRestApi"): lambda p, r: ("rest-api", r["id"], {}),
    ("cloudwatch", "PutMetricAlarm"): lambda p, r: ("alarm", p["AlarmName"], {}),
}

_DELETES: dict[tuple[str, str], Callable[[dict], tuple[str, str]]] = {
    ("sqs", "DeleteQueue"): lambda p: ("queue", p["QueueUrl"]),
    ("sns", "DeleteTopic"): lambda p: ("topic", p["TopicArn"]),
    ("sns", "Unsubscribe"): lambda p: ("subscription", p["SubscriptionArn"]),
    ("events", "DeleteEventBus"): lambda p: ("event-bus", p["Name"]),
    ("events", "DeleteArchive"): lambda p: ("archive", p["ArchiveName"]),
    ("eventbridgev2", "DeleteEventBus"): lambda p: ("event-bus-v2", p["EventBusArn"]),
    ("eventbridgev2", "DeleteSubscriber"): lambda p: ("subscriber", p["SubscriberArn"]),
    ("stepfunctions", "DeleteStateMachine"): lambda p: ("state-machine", p["stateMachineArn"]),
    ("dynamodb", "DeleteTable"): lambda p: ("table", p["TableName"]),
    ("kinesis", "DeleteStream"): lambda p: ("stream", p["StreamName"]),
    ("logs", "DeleteLogGroup"): lambda p: ("log-group", p["logGroupName"]),
    ("lambda", "DeleteFunction"): lambda p: ("function", p["FunctionName"]),
    ("pipes", "DeletePipe"): lambda p: ("pipe", p["Name"]),
    ("apigateway", "DeleteRestApi"): lambda p: ("rest-api", p["restApiId"]),
}


#: How teardown deletes one resource of each kind: (service, boto3 method, the parameter that
#: names it). Rules need their targets removed first (:meth:`Resources._delete`).
_DELETE_CALLS: dict[str, tuple[str, str, str]] = {
    "alarm": ("cloudwatch", "delete_alarms", "AlarmNames"),
    "pipe": ("pipes", "delete_pipe", "Name"),
    "archive": ("events", "delete_archive", "ArchiveName"),
    "event-bus": ("events", "delete_event_bus", "Name"),
    "subscriber": ("eventbridgev2", "delete_subscriber", "SubscriberArn"),
    "event-bus-v2": ("eventbridgev2", "delete_event_bus", "EventBusArn"),
    "subscription": ("sns", "unsubscribe", "SubscriptionArn"),
    "topic": ("sns", "delete_topic", "TopicArn"),
    "state-machine": ("stepfunctions", "delete_state_machine", "stateMachineArn"),
    "event-source-mapping": ("lambda", "delete_event_source_mapping", "UUID"),
    "function": ("lambda", "delete_function", "FunctionName"),
    "stream": ("kinesis", "delete_stream", "StreamName"),
    "table": ("dynamodb", "delete_table", "TableName"),
    "rest-api": ("apigateway", "delete_rest_api", "restApiId"),
    "queue": ("sqs", "delete_queue", "QueueUrl"),
    "log-group": ("logs", "delete_log_group", "logGroupName"),
}
#: The service of kinds deleted by a call of their own (a rule's targets go first).
_SERVICE_OF = {"rule": "events"}
#: Extra parameters of a delete call.
_DELETE_EXTRA: dict[str, dict[str, Any]] = {"stream": {"EnforceConsumerDeletion": True}}
#: Kinds whose delete call takes a list of names (DeleteAlarms).
_DELETE_AS_LIST = frozenset({"alarm"})

_GONE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NotFound",
         "NotFoundException", "ResourceNotFoundException", "StateMachineDoesNotExist"}


def count_by_service(deleted: list[str]) -> dict[str, dict[str, int]]:
    """``{"sqs": {"queue": 3}, ...}`` from teardown's ``"kind name"`` items, largest service first.

    Example
    -------
    >>> count_by_service(["queue a", "queue b", "topic t", "subscription s"])
    {'sns': {'topic': 1, 'subscription': 1}, 'sqs': {'queue': 2}}
    """
    counts: dict[str, dict[str, int]] = {}
    for item in deleted:
        kind = item.split(" ", 1)[0]
        service = _SERVICE_OF.get(kind) or _DELETE_CALLS.get(kind, (kind, "", ""))[0]
        counts.setdefault(service, {})
        counts[service][kind] = counts[service].get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])))


def plural(kind: str, count: int) -> str:
    """``"1 queue"``, ``"3 queues"`` (the course's display name of a resource kind).

    Example
    -------
    >>> plural("event-bus-v2", 1), plural("event-bus-v2", 3), plural("queue", 1)
    ('1 custom event bus', '3 custom event buses', '1 queue')
    """
    return f"{count} {_SINGULAR.get(kind, kind) if count == 1 else _PLURAL.get(kind, kind + 's')}"


def _short(ident: str) -> str:
    if ":event-busv2/" in ident or ":subscriber/" in ident:  # .../<name>/<id>
        return ident.rsplit("/", 2)[-2]
    return ident.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


class Resources:
    """Ordered record of what exists, by kind.

    Example
    -------
    >>> r = Resources(); r.summary()
    'nothing yet'
    """

    def __init__(self) -> None:
        self._items: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in TEARDOWN_ORDER}

    def track(self, service: str, operation: str, params: dict, parsed: dict) -> None:
        """Update the record from one successful API call."""
        create = _CREATES.get((service, operation))
        if create is not None:
            kind, ident, extra = create(params, parsed)
            self._items[kind][ident] = extra
            return
        delete = _DELETES.get((service, operation))
        if delete is not None:
            kind, ident = delete(params)
            self._items[kind].pop(ident, None)
        elif (service, operation) == ("events", "DeleteRule"):
            for arn, info in list(self._items["rule"].items()):
                if info["Name"] == params.get("Name"):
                    self._items["rule"].pop(arn)

    def adopt(self, arn: str, sqs: Any = None) -> None:
        """Record a resource known only by its ARN (found by tag), so teardown deletes it.

        ``sqs`` (a client) turns a queue ARN into the URL SQS's API needs.
        """
        service, region, account, resource = arn.split(":", 5)[2:6]
        if service == "sqs" and sqs is not None:
            self._items["queue"][sqs.get_queue_url(QueueName=resource, QueueOwnerAWSAccountId=account)["QueueUrl"]] = {}
        elif service == "sns":
            self._items["topic"][arn] = {}
        elif service == "states":
            self._items["state-machine"][arn] = {}
        elif service == "events" and resource.startswith("rule/"):
            parts = resource.split("/")
            bus = parts[1] if len(parts) == 3 else "default"
            self._items["rule"][arn] = {"Name": parts[-1], "EventBusName": bus}
        elif service == "events" and resource.startswith("event-bus/"):
            self._items["event-bus"][resource.split("/", 1)[1]] = {}
        elif service == "dynamodb" and resource.startswith("table/"):
            self._items["table"][resource.split("/", 1)[1]] = {}
        elif service == "kinesis" and resource.startswith("stream/"):
            self._items["stream"][resource.split("/", 1)[1]] = {}
        elif service == "logs" and resource.startswith("log-group:"):
            self._items["log-group"][resource.split(":", 1)[1].removesuffix(":*")] = {}

    def of(self, kind: str) -> list[str]:
        """Identifiers (URL, ARN or name) of one kind, in creation order."""
        return list(self._items[kind])

    def count(self) -> int:
        """How many resources are recorded."""
        return sum(len(v) for v in self._items.values())

    def summary(self) -> str:
        """One line such as ``'2 queues (orders, orders-dlq), 1 topic (status)'``."""
        parts = []
        for kind in reversed(TEARDOWN_ORDER):
            items = self._items[kind]
            if items:
                word = kind if len(items) == 1 else _PLURAL[kind]
                names = ", ".join(_short(i) for i in items)
                parts.append(f"{len(items)} {word.replace('-', ' ')} ({names})")
        return ", ".join(parts) or "nothing yet"

    @contextlib.contextmanager
    def undone_on_error(self, client: Callable[[str], Any]) -> Iterator[None]:
        """All or nothing: when the block raises, delete what it created, then re-raise.

        A helper that makes several calls (a REST API and its methods; a check's scratch bus,
        queue and rule) leaves nothing half-created when a later call fails.

        Example
        -------
        >>> r = Resources()
        >>> try:
        ...     with r.undone_on_error(lambda service: None):
        ...         raise ValueError("refused")
        ... except ValueError:
        ...     r.summary()
        'nothing yet'
        """
        before = {kind: set(items) for kind, items in self._items.items()}
        try:
            yield
        except BaseException:
            self._undo(before, client)
            raise

    @contextlib.contextmanager
    def scratch(self, client: Callable[[str], Any]) -> Iterator[None]:
        """Delete whatever the block created when it ends, however it ends (a check's
        scratch bus, queue and rule: the check leaves the run as it found it)."""
        before = {kind: set(items) for kind, items in self._items.items()}
        try:
            yield
        finally:
            self._undo(before, client)

    def _undo(self, before: dict[str, set[str]], client: Callable[[str], Any]) -> None:
        for kind in TEARDOWN_ORDER:
            for ident, info in list(self._items[kind].items()):
                if ident in before[kind]:
                    continue
                with contextlib.suppress(ClientError):
                    self._delete(client, kind, ident, info)
                self._items[kind].pop(ident, None)

    # -- teardown ---------------------------------------------------------------------
    def teardown(self, client: Callable[[str], Any]) -> list[str]:
        """Delete every recorded resource, dependents first; return what was deleted."""
        deleted: list[str] = []
        for kind in TEARDOWN_ORDER:
            for ident, info in list(self._items[kind].items()):
                try:
                    self._delete(client, kind, ident, info)
                except ClientError as err:
                    if err.response.get("Error", {}).get("Code") not in _GONE:
                        raise
                self._items[kind].pop(ident, None)
                deleted.append(f"{kind} {_short(ident)}")
        return deleted

    @staticmethod
    def _delete(client: Callable[[str], Any], kind: str, ident: str, info: dict) -> None:
        if kind == "rule":  # targets first: EventBridge refuses to delete a rule that has any
            events = client("events")
            bus = info["EventBusName"]
            targets = events.list_targets_by_rule(Rule=info["Name"], EventBusName=bus)["Targets"]
            if targets:
                events.remove_targets(Rule=info["Name"], EventBusName=bus, Ids=[t["Id"] for t in targets])
            events.delete_rule(Name=info["Name"], EventBusName=bus)
            return
        service, operation, key = _DELETE_CALLS[kind]
        value = [ident] if kind in _DELETE_AS_LIST else ident
        getattr(client(service), operation)(**{key: value}, **_DELETE_EXTRA.get(kind, {}))


class TeardownReport(list):
    """What :meth:`Environment.teardown` deleted (a list of ``"kind name"``), shown as one line.

    Example
    -------
    >>> TeardownReport("demo", ["queue securecart-demo-orders"])
    Teardown of run 'demo': deleted 1 resource (queue securecart-demo-orders).
    >>> TeardownReport("demo", ["queue a", "queue b", "topic t", "subscription s"])
    Teardown of run 'demo': deleted 4 resources
      sns              2: 1 topic, 1 subscription
      sqs              2: 2 queues
    (list(report) names each one)
    """

    def __init__(self, run: str, deleted: list[str], again: bool = False) -> None:
        super().__init__(deleted)
        self.run = run
        self.again = again

    #: Up to this many deleted resources are named in the one line; more are counted per service.
    LISTED = 3

    def __repr__(self) -> str:
        if self.again:
            return f"Teardown of run {self.run!r}: already torn down, nothing left to delete."
        noun = "resource" if len(self) == 1 else "resources"
        if len(self) <= self.LISTED:
            listing = f" ({', '.join(self)})" if self else ""
            return f"Teardown of run {self.run!r}: deleted {len(self)} {noun}{listing}."
        lines = [f"Teardown of run {self.run!r}: deleted {len(self)} {noun}"]
        for service, kinds in count_by_service(list(self)).items():
            parts = ", ".join(plural(kind, n) for kind, n in kinds.items())
            lines.append(f"  {service:<14}{sum(kinds.values()):>4}: {parts}")
        lines.append("(list(report) names each one)")
        return "\n".join(lines)
