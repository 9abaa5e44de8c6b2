"""Run prefixes, tags and AWS name rules for everything an environment creates.

Every name a run creates starts with ``securecart-<run>-`` and every resource carries the tags
``course=securecart`` and ``run=<run>``; :func:`apply` does both to the parameters of a boto3
call, so a student's own ``env.client(...)`` calls are named and tagged like the helpers'.
Names are checked against the AWS rule before any call is made, so a bad name fails with one
clear error and nothing half-created.

Example
-------
>>> rules = Naming("demo")
>>> rules.name("orders")
'securecart-demo-orders'
>>> rules.name("securecart-demo-orders")
'securecart-demo-orders'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from . import limits
from .errors import InvalidNameError

__all__ = ["Naming", "COURSE_TAG", "RUN_PATTERN"]

#: Tag key/value every course resource carries.
COURSE_TAG = ("course", "securecart")
#: What a run id may look like: lower-case letters, digits and hyphens, 1-16 characters.
RUN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    max_chars: int
    text: str


# The AWS naming rules, as the API references state them.
_RULES: dict[str, _Rule] = {
    "sqs": _Rule(
        re.compile(r"^[A-Za-z0-9_-]+(\.fifo)?$"),
        limits.SQS_QUEUE_NAME_MAX_CHARS,
        "SQS queue names are 1-80 characters of letters, digits, hyphens and underscores; "
        "a FIFO queue's name ends in .fifo",
    ),
    "sns": _Rule(
        re.compile(r"^[A-Za-z0-9_-]+(\.fifo)?$"),
        limits.SNS_TOPIC_NAME_MAX_CHARS,
        "SNS topic names are 1-256 characters of letters, digits, hyphens and underscores; "
        "a FIFO topic's name ends in .fifo",
    ),
    "events": _Rule(
        re.compile(r"^[A-Za-z0-9._-]+$"),
        limits.EVENTBRIDGE_RULE_NAME_MAX_CHARS,
        "EventBridge rule and bus names are 1-64 characters of letters, digits, '.', '-' and '_'",
    ),
    "stepfunctions": _Rule(
        re.compile(r"^[A-Za-z0-9_-]+$"),
        80,
        "Step Functions names are 1-80 characters of letters, digits, hyphens and underscores",
    ),
    "dynamodb": _Rule(
        re.compile(r"^[A-Za-z0-9_.-]+$"),
        255,
        "DynamoDB table names are 3-255 characters of letters, digits, '_', '-' and '.'",
    ),
    "kinesis": _Rule(
        re.compile(r"^[A-Za-z0-9_.-]+$"),
        128,
        "Kinesis stream names are 1-128 characters of letters, digits, '_', '-' and '.'",
    ),
    "pipes": _Rule(
        re.compile(r"^[A-Za-z0-9._-]+$"),
        64,
        "EventBridge pipe names are 1-64 characters of letters, digits, '.', '-' and '_'",
    ),
    "logs": _Rule(
        re.compile(r"^[A-Za-z0-9_./#-]+$"),
        512,
        "CloudWatch Logs group names are 1-512 characters of letters, digits, '_-./#'",
    ),
}

# (service, operation) -> parameter that holds a name to prefix. "*" matches every operation.
_NAME_PARAMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("sqs", "CreateQueue"): ("QueueName",),
    ("sqs", "GetQueueUrl"): ("QueueName",),
    ("sns", "CreateTopic"): ("Name",),
    ("events", "PutRule"): ("Name", "EventBusName"),
    ("events", "DescribeRule"): ("Name", "EventBusName"),
    ("events", "DeleteRule"): ("Name", "EventBusName"),
    ("events", "EnableRule"): ("Name", "EventBusName"),
    ("events", "DisableRule"): ("Name", "EventBusName"),
    ("events", "PutTargets"): ("Rule", "EventBusName"),
    ("events", "RemoveTargets"): ("Rule", "EventBusName"),
    ("events", "ListTargetsByRule"): ("Rule", "EventBusName"),
    ("events", "ListRules"): ("EventBusName",),
    ("events", "CreateEventBus"): ("Name",),
    ("events", "DeleteEventBus"): ("Name",),
    ("events", "DescribeEventBus"): ("Name",),
    ("events", "CreateArchive"): ("ArchiveName",),
    ("events", "DeleteArchive"): ("ArchiveName",),
    ("events", "DescribeArchive"): ("ArchiveName",),
    ("events", "UpdateArchive"): ("ArchiveName",),
    ("events", "StartReplay"): ("ReplayName",),
    ("events", "DescribeReplay"): ("ReplayName",),
    ("events", "CancelReplay"): ("ReplayName",),
    ("events", "ListReplays"): ("NamePrefix",),
    ("events", "PutPermission"): ("EventBusName",),
    ("events", "CreateConnection"): ("Name",),
    ("events", "CreateApiDestination"): ("Name",),
    ("events", "DescribeApiDestination"): ("Name",),
    ("events", "DeleteApiDestination"): ("Name",),
    ("events", "RemovePermission"): ("EventBusName",),
    ("stepfunctions", "CreateStateMachine"): ("name",),
    ("dynamodb", "*"): ("TableName",),
    ("kinesis", "*"): ("StreamName",),
    ("logs", "CreateLogGroup"): ("logGroupName",),
    ("pipes", "CreatePipe"): ("Name",),
    ("pipes", "DescribePipe"): ("Name",),
    ("pipes", "DeletePipe"): ("Name",),
    ("logs", "DeleteLogGroup"): ("logGroupName",),
    ("eventbridgev2", "CreateEventBus"): ("Name",),
    ("eventbridgev2", "CreateSubscriber"): ("Name",),
    ("eventbridgev2", "ListEventBuses"): ("NamePrefix",),
    ("eventbridgev2", "ListSubscribers"): ("NamePrefix",),
}

# Names that are AWS's own and must never be prefixed.
_RESERVED = {"default"}

# The operations whose resources get the run's tags.
_TAGGED = frozenset({"CreateQueue", "CreateTopic", "PutRule", "CreateEventBus", "CreateStateMachine",
                     "CreateTable", "CreateStream", "CreateLogGroup", "CreatePipe"})



@functools.cache
def _plan(service: str, operation: str) -> tuple[tuple[str, ...], bool, bool]:
    """``(name parameters, EventBridge nested names?, add tags?)`` of one operation: decided
    once per operation (the tables above never change), so a call pays one cached lookup."""
    keys = _NAME_PARAMS.get((service, operation)) or _NAME_PARAMS.get((service, "*"), ())
    # CreateTable is DynamoDB's: Glue's CreateTable has no Tags parameter.
    tagged = (operation in _TAGGED and not (operation == "CreateTable" and service != "dynamodb")) or (
        service == "eventbridgev2" and operation == "CreateSubscriber")
    return keys, service in ("events", "eventbridgev2"), tagged


class Naming:
    """Prefixing, tagging and name checks for one run.

    Parameters
    ----------
    run
        The run id; names get the prefix ``securecart-<run>-``.

    Example
    -------
    >>> Naming("demo").tags
    {'course': 'securecart', 'run': 'demo'}
    """

    def __init__(self, run: str) -> None:
        if not isinstance(run, str) or not RUN_PATTERN.fullmatch(run):
            raise InvalidNameError(
                f"Run id {run!r} is not valid: it becomes part of every resource name, so it "
                "must be 1-16 lower-case letters, digits or hyphens. Pass e.g. run='lab1'."
            )
        self.run = run
        self.prefix = f"securecart-{run}-"
        self.tags = {COURSE_TAG[0]: COURSE_TAG[1], "run": run}

    # -- names -----------------------------------------------------------------------
    def name(self, base: str, service: str = "sqs") -> str:
        """``base`` with the run prefix (unchanged when it has it), checked against AWS rules."""
        if not isinstance(base, str) or not base:
            raise InvalidNameError(
                f"Resource name {base!r} is empty or not a string. Pass a short name such as 'orders'."
            )
        full = base if base.startswith(self.prefix) or base in _RESERVED else self.prefix + base
        self.check(full, service)
        return full

    def check(self, full: str, service: str) -> None:
        """Raise :class:`InvalidNameError` when AWS would reject ``full`` for ``service``."""
        rule = _RULES.get(service)
        if rule is None or full in _RESERVED:
            return
        stem = full[len(self.prefix) :] if full.startswith(self.prefix) else full
        if not rule.pattern.fullmatch(full):
            bad = sorted({c for c in stem if not re.match(r"[A-Za-z0-9_.-]", c)})
            raise InvalidNameError(
                f"Name {stem!r} is not valid: {rule.text}. "
                f"Characters not allowed: {', '.join(map(repr, bad)) or 'none, but a dot or .fifo is misplaced'}. "
                "Fix: use letters, digits and hyphens, e.g. 'order-events'."
            )
        if len(full) > rule.max_chars:
            room = rule.max_chars - len(self.prefix)
            raise InvalidNameError(
                f"Name {stem!r} is too long: with the run prefix {self.prefix!r} it has "
                f"{len(full)} characters and {rule.text}. Fix: keep the name to {room} characters"
                + (" (.fifo included)." if full.endswith(".fifo") else ".")
            )

    def is_ours(self, name: str) -> bool:
        """True when ``name`` carries this run's prefix."""
        return name.startswith(self.prefix)

    # -- boto3 parameters --------------------------------------------------------------
    def apply(self, service: str, operation: str, params: dict[str, Any]) -> None:
        """Prefix the names and add the tags in ``params`` of one API call, in place."""
        keys, nested, tags = _plan(service, operation)
        for key in keys:
            value = params.get(key)
            if isinstance(value, str) and value and not value.startswith("arn:"):
                params[key] = self.name(value, service)
        if nested:
            self._events_nested(operation, params)
        if tags:
            self._add_tags(service, operation, params)

    # -- EventBridge's nested names (Lab 3) ----------------------------------------------
    _ARN_NAME = re.compile(
        r"^(arn:[^:]+:(?:sqs|sns|states|lambda|events):[^:]*:[^:]*:)"
        r"(stateMachine:|function:|event-bus/|archive/|api-destination/)?([A-Za-z0-9._-]+)(.*)$")

    def arn(self, arn: str) -> str:
        """``arn`` with the run prefix on the name it ends in (queues, topics, buses, archives,
        state machines, functions); ARNs of AWS's own resources are unchanged.

        Example
        -------
        >>> Naming("demo").arn("arn:aws:sqs:us-east-1:123456789012:restock-dlq")
        'arn:aws:sqs:us-east-1:123456789012:securecart-demo-restock-dlq'
        >>> Naming("demo").arn("arn:aws:events:us-east-1:123456789012:event-bus/default")
        'arn:aws:events:us-east-1:123456789012:event-bus/default'
        """
        match = self._ARN_NAME.match(arn) if isinstance(arn, str) else None
        if match is None:
            return arn
        head, kind, name, tail = match.groups()
        if name in _RESERVED or name.startswith(self.prefix) or (kind is None and tail):
            return arn
        return f"{head}{kind or ''}{self.prefix}{name}{tail}"

    def _events_nested(self, operation: str, params: dict[str, Any]) -> None:
        """Prefix the names nested in EventBridge calls: PutEvents entries' bus names, target
        and dead-letter ARNs, archive sources, replay sources and destinations."""
        if operation == "PutEvents":
            for entry in params.get("Entries") or []:
                bus = entry.get("EventBusName")
                if isinstance(bus, str) and bus:
                    entry["EventBusName"] = self.arn(bus) if bus.startswith("arn:") else self.name(bus, "events")
        elif operation == "PutTargets":
            for target in params.get("Targets") or []:
                if "Arn" in target:
                    target["Arn"] = self.arn(target["Arn"])
                dlq = target.get("DeadLetterConfig") or {}
                if "Arn" in dlq:
                    dlq["Arn"] = self.arn(dlq["Arn"])
        elif operation in ("CreateSubscriber", "UpdateSubscriber"):
            # The Custom Event Bus: the target and failure queue are named by ARN.
            invoke = params.get("InvokeConfiguration") or {}
            if "TargetArn" in invoke:
                invoke["TargetArn"] = self.arn(invoke["TargetArn"])
            failure = params.get("OnFailureConfiguration") or {}
            if "Arn" in failure:
                failure["Arn"] = self.arn(failure["Arn"])
        elif operation == "CreateArchive" and "EventSourceArn" in params:
            params["EventSourceArn"] = self.arn(params["EventSourceArn"])
        elif operation == "StartReplay":
            if "EventSourceArn" in params:
                params["EventSourceArn"] = self.arn(params["EventSourceArn"])
            destination = params.get("Destination") or {}
            if "Arn" in destination:
                destination["Arn"] = self.arn(destination["Arn"])

    def _add_tags(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if (service, operation) in {("sqs", "CreateQueue"), ("kinesis", "CreateStream"),
                                    ("pipes", "CreatePipe")} or service == "eventbridgev2":
            # These APIs take tags as a map (TagMap), not a list of Key/Value pairs.
            key = "tags" if service == "sqs" else "Tags"
            params[key] = {**(params.get(key) or {}), **self.tags}
        elif (service, operation) == ("logs", "CreateLogGroup"):
            params["tags"] = {**(params.get("tags") or {}), **self.tags}
        elif service == "stepfunctions":
            # The course's tags win: teardown on AWS finds leftovers by them.
            params["tags"] = [t for t in params.get("tags") or [] if t["key"] not in self.tags] + [
                {"key": k, "value": v} for k, v in self.tags.items()
            ]
        else:
            params["Tags"] = [t for t in params.get("Tags") or [] if t["Key"] not in self.tags] + [
                {"Key": k, "Value": v} for k, v in self.tags.items()
            ]
