"""EventBridge target delivery on moto: every target kind, retries with backoff, DLQs, bus policies.

One :class:`Deliverer` per environment. A rule's match hands each target to
:meth:`Deliverer.deliver`, which shapes the input (:mod:`helpers.rules.input_transformer`), applies the fault
scenario (:class:`Fault`: a target down or throttled for a window of simulated time), and sends:

* SQS queues (FIFO with ``SqsParameters.MessageGroupId``) through moto's SQS backend;
* SNS topics through moto's SNS backend (so SNS stand-ins apply to what follows);
* Lambda functions: a registered Python handler (moto runs Lambda code only in Docker);
* Step Functions state machines: an execution in moto's Step Functions engine;
* another event bus, also in another account, allowed only by that bus's policy;
* API destinations: an HTTP request to the (loopback) endpoint; CloudWatch Logs; archives.

A failed attempt is retried with exponential backoff and full jitter (seeded; AWS does not
publish its schedule: this model doubles from 1 s to a 300 s cap) until ``RetryPolicy``'s
``MaximumRetryAttempts`` or ``MaximumEventAgeInSeconds`` runs out (defaults 185 and 24 h); then
the event goes to the target's ``DeadLetterConfig`` queue with AWS's message attributes
(``RULE_ARN``, ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``, ``EXHAUSTED_RETRY_CONDITION``,
``RETRY_ATTEMPTS``), or is dropped. Errors AWS does not retry (missing target, no permission) go
to the DLQ at once. Each rule's ``AWS/Events`` metrics are recorded in moto's CloudWatch
(dimension ``RuleName``, unit Count): ``Invocations`` (a delivery, or a final failure),
``FailedInvocations`` (retries exhausted or not retriable) and ``InvocationsSentToDLQ``
(EventBridge User Guide, "Monitoring Amazon EventBridge"). Retries fire as the simulated clock passes their time
(:meth:`Deliverer.advance`).

Example
-------
>>> Deliverer.backoff(1, 0.5), Deliverer.backoff(12, 1.0)
(0.5, 300.0)
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...platform import limits
from ...rules.input_transformer import shape_input
from .._base import short_name
from ..queue_policy import delivery_decision, refusal

if TYPE_CHECKING:  # pragma: no cover
    from ...environment import Environment

__all__ = ["Deliverer", "Fault", "DeliveryError", "bus_policy_allows"]

_EMULATED = "emulated on moto"
_BACKOFF_CAP_SECONDS = 300.0


class DeliveryError(Exception):
    """One failed attempt: AWS's DLQ ``ERROR_CODE``, its message, and whether AWS retries it."""

    def __init__(self, code: str, message: str, retriable: bool = True) -> None:
        super().__init__(message)
        self.code, self.message, self.retriable = code, message, retriable


@dataclass(frozen=True)
class Fault:
    """A target that fails between ``start`` and ``end`` (seconds on the environment's clock).

    ``target`` is a target ARN or the short name at its end. ``code`` is what the DLQ records:
    ``CONNECTION_FAILURE`` for an outage, ``THROTTLING`` for throttling.
    """

    target: str
    start: float
    end: float
    code: str = "CONNECTION_FAILURE"
    message: str = "Target is unavailable (fault scenario)"

    def hits(self, arn: str, now: float) -> bool:
        """True when ``arn`` is this fault's target and ``now`` is inside the window."""
        return (arn == self.target or short_name(arn) == self.target) and self.start <= now < self.end


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    rule: Any = field(compare=False)
    target: dict[str, Any] = field(compare=False)
    event: dict[str, Any] = field(compare=False)
    first: float = field(compare=False)
    attempt: int = field(compare=False)


def bus_policy_allows(bus: Any, account: str) -> bool:
    """True when ``bus``'s resource policy lets ``account`` put events on it (same account always)."""
    if bus.account_id == account:
        return True
    policy = json.loads(bus.policy) if bus.policy else {"Statement": []}
    for statement in policy.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not {"events:PutEvents", "events:*"} & set(actions):
            continue
        principal = statement.get("Principal", {})
        aws = principal.get("AWS", []) if isinstance(principal, dict) else principal
        aws = [aws] if isinstance(aws, str) else aws
        if "*" in aws or account in aws or f"arn:aws:iam::{account}:root" in aws:
            return True
    return False


class Deliverer:
    """Target delivery, retries and dead-letter queues for one environment (moto only)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        #: The fault scenario: targets down or throttled for a window of clock time.
        self.faults: list[Fault] = []
        self._pending: list[_Pending] = []
        self._seq = itertools.count()

    # -- scenario ---------------------------------------------------------------------
    @staticmethod
    def backoff(attempt: int, jitter: float) -> float:
        """Seconds before retry ``attempt`` (1 = first retry): doubling from 1 s, capped, jittered."""
        return min(_BACKOFF_CAP_SECONDS, 2.0 ** (attempt - 1)) * jitter

    def pending(self) -> int:
        """Deliveries waiting for a retry."""
        return len(self._pending)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of clock time pass, making every retry that falls due on the way."""
        clock = self.env.clock
        end = clock.elapsed() + seconds
        while self._pending and self._pending[0].due <= end:
            item = heapq.heappop(self._pending)
            if item.due > clock.elapsed():
                clock.advance_to(item.due)
            self._attempt(item.rule, item.target, item.event, item.first, item.attempt)
        if end > clock.elapsed():
            clock.advance_to(end)

    def run_due(self) -> None:
        """Make the retries already due at the current clock time."""
        self.advance(0.0)

    # -- delivery ---------------------------------------------------------------------
    def deliver(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
        """First attempt to deliver ``event`` to one ``target`` of ``rule``."""
        self._attempt(rule, target, event, self.env.clock.elapsed(), 1)

    def _row(self, target: dict[str, Any], event: dict[str, Any], action: str, attempt: int,
             outcome: str, detail: str) -> None:
        self.env.log.record(service="events", action=action, resource=short_name(target["Arn"]),
                            message_id=event.get("id"), attempt=attempt, outcome=outcome,
                            actor="eventbridge", detail=detail)

    def _attempt(self, rule: Any, target: dict[str, Any], event: dict[str, Any], first: float,
                 attempt: int) -> None:
        now = self.env.clock.elapsed()
        try:
            for fault in self.faults:
                if fault.hits(target["Arn"], now):
                    raise DeliveryError(fault.code, fault.message)
            body = shape_input(target, event, rule_arn=rule.arn, rule_name=rule.name)
            kind = self._send(rule, target, event, body)
        except DeliveryError as error:
            self._failed(rule, target, event, first, attempt, error)
            return
        if kind != "archive":
            self._metric(rule, "Invocations")
            replay = f" (replay {event['replay-name']})" if event.get("replay-name") else ""
            self._row(target, event, "deliver", attempt, "ok", f"rule {rule.name} -> {kind}{replay}")

    def _failed(self, rule: Any, target: dict[str, Any], event: dict[str, Any], first: float,
                attempt: int, error: DeliveryError) -> None:
        policy = target.get("RetryPolicy") or {}
        max_retries = policy.get("MaximumRetryAttempts", limits.EVENTBRIDGE_DEFAULT_RETRY_ATTEMPTS)
        max_age = policy.get("MaximumEventAgeInSeconds", limits.EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS)
        self._row(target, event, "attempt-failed", attempt, f"error:{error.code}", error.message)
        if error.retriable and attempt - 1 < max_retries:
            jitter = self.env.random("events-retry").uniform(0.5, 1.0)
            due = self.env.clock.elapsed() + self.backoff(attempt, jitter)
            if due - first <= max_age:
                heapq.heappush(self._pending, _Pending(due, next(self._seq), rule, target, event, first,
                                                       attempt + 1))
                return
            condition = "MaximumEventAgeInSeconds"
        else:
            condition = "MaximumRetryAttempts" if error.retriable else ""
        self._exhausted(rule, target, event, attempt, error, condition)

    def _exhausted(self, rule: Any, target: dict[str, Any], event: dict[str, Any], attempt: int,
                   error: DeliveryError, condition: str) -> None:
        self._metric(rule, "Invocations")
        self._metric(rule, "FailedInvocations")
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq:
            self._row(target, event, "dropped", attempt, _EMULATED,
                      f"{error.code} after {attempt} attempts; no DeadLetterConfig")
            return
        attributes = {
            "RULE_ARN": rule.arn, "TARGET_ARN": target["Arn"], "ERROR_CODE": error.code,
            "ERROR_MESSAGE": error.message, "RETRY_ATTEMPTS": str(attempt - 1),
        }
        if condition:
            attributes["EXHAUSTED_RETRY_CONDITION"] = condition
        from moto.sqs import sqs_backends

        account, region, queue = self._arn_parts(dlq)
        sqs_backends[account][region].send_message(
            queue_name=queue, message_body=json.dumps(event),
            message_attributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
        )
        self._metric(rule, "InvocationsSentToDLQ")
        self.env.log.record(service="events", action="dead-letter", resource=queue,
                            message_id=event.get("id"), attempt=attempt, outcome=_EMULATED,
                            actor="eventbridge", detail=f"{error.code} from {short_name(target['Arn'])}")

    def _metric(self, rule: Any, name: str) -> None:
        """One datum of ``AWS/Events`` ``name`` for ``rule`` at the clock's now (a count of 1)."""
        from moto.cloudwatch import models as cw_models

        stamp = dt.datetime.fromtimestamp(self.env.clock.time(), dt.UTC).replace(tzinfo=None)
        backend = cw_models.cloudwatch_backends[self.env.account][self.env.region]
        backend.metric_data.append(cw_models.MetricDatum(
            "AWS/Events", name, 1.0, [{"Name": "RuleName", "Value": rule.name}], stamp, "Count"))

    @staticmethod
    def _arn_parts(arn: str) -> tuple[str, str, str]:
        parts = arn.split(":", 5)
        return parts[4], parts[3], parts[5]

    # -- target kinds -----------------------------------------------------------------
    def _send(self, rule: Any, target: dict[str, Any], event: dict[str, Any], body: str) -> str:
        arn = target["Arn"]
        service = arn.split(":")[2]
        sender = getattr(self, f"_to_{service}", None)
        if sender is None:
            return self._to_moto(rule, target, event)
        return sender(rule, target, event, body)

    def _to_sqs(self, rule: Any, target: dict[str, Any], event: dict[str, Any], body: str) -> str:
        from moto.sqs import sqs_backends
        from moto.sqs.exceptions import QueueDoesNotExist

        account, region, name = self._arn_parts(target["Arn"])
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        try:
            queue = sqs_backends[account][region].get_queue(name)
            decision = delivery_decision(queue, target["Arn"], "events.amazonaws.com", rule.arn)
            if decision is not None and not decision.allowed:
                raise DeliveryError("NO_PERMISSIONS", refusal(decision, name, rule.arn), retriable=False)
            sqs_backends[account][region].send_message(
                queue_name=name, message_body=body, group_id=group,
                deduplication_id=event["id"] if name.endswith(".fifo") else None)
        except QueueDoesNotExist:
            raise DeliveryError("RESOURCE_NOT_FOUND", f"Queue {name} does not exist", retriable=False) from None
        return "sqs"

    def _to_sns(self, rule: Any, target: dict[str, Any], event: dict[str, Any], body: str) -> str:
        from moto.sns import sns_backends
        from moto.sns.exceptions import TopicNotFound

        account, region, _ = self._arn_parts(target["Arn"])
        try:
            sns_backends[account][region].publish(message=body, arn=target["Arn"])
        except TopicNotFound:
            raise DeliveryError("RESOURCE_NOT_FOUND", "Topic does not exist", retriable=False) from None
        return f"sns ({_EMULATED})"

    def _to_lambda(self, rule: Any, target: dict[str, Any], event: dict[str, Any], body: str) -> str:
        name = target["Arn"].split(":function:")[-1].split(":")[0]
        handler = self.env.emulation["lambda"].handlers.get(name)
        if handler is None:
            raise DeliveryError("RESOURCE_NOT_FOUND", f"Function not found: {target['Arn']}", retriable=False)
        try:
            handler(json.loads(body), None)
        except Exception as exc:  # an asynchronous invoke: Lambda, not EventBridge, owns the error
            self._row(target, event, "handler-error", 1, _EMULATED, f"{type(exc).__name__}: {exc}")
        return f"lambda handler ({_EMULATED})"

    def _to_states(self, rule: Any, target: dict[str, Any], event: dict[str, Any], body: str) -> str:
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        account, region, _ = self._arn_parts(target["Arn"])
        backend = stepfunctions_parser_backends[account][region]
        try:
            # The Step Functions stand-in runs the execution in this thread, up to its first pause.
            execution = backend.start_execution(target["Arn"], name=event["id"], execution_input=body)
        except Exception as exc:  # StateMachineDoesNotExist and friends
            raise DeliveryError("RESOURCE_NOT_FOUND", str(exc), retriable=False) from None
        self.env.log.record(service="stepfunctions", action="start-execution",
                            resource=short_name(target["Arn"]), message_id=event["id"],
                            outcome=_execution_status(execution),
                            actor="eventbridge", detail=_EMULATED)
        return f"state machine ({_EMULATED})"

    def _to_events(self, rule: Any, target: dict[str, Any], event: dict[str, Any], body: str) -> str:
        from moto.events.models import events_backends

        account, region, resource = self._arn_parts(target["Arn"])
        backend = events_backends[account][region]
        if resource.startswith("api-destination/"):
            return self._to_api_destination(backend, resource, target, body)
        if not resource.startswith("event-bus/"):
            return self._to_moto(rule, target, event)
        bus = backend.event_buses.get(resource.split("/", 1)[1])
        if bus is None:
            raise DeliveryError("RESOURCE_NOT_FOUND", f"Event bus {resource} does not exist.", retriable=False)
        if not bus_policy_allows(bus, rule.account_id):
            raise DeliveryError("NO_PERMISSIONS", f"Account {rule.account_id} is not authorized to put "
                                f"events on {target['Arn']} (bus policy)", retriable=False)
        stand_in = self.env.emulation["events"]
        stand_in.ingest(backend, bus, event)
        return f"event bus {bus.name} ({_EMULATED})"

    def _to_api_destination(self, backend: Any, resource: str, target: dict[str, Any], body: str) -> str:
        import requests

        destination = backend.destinations.get(resource.split("/")[1])
        if destination is None:
            raise DeliveryError("RESOURCE_NOT_FOUND", f"API destination {resource} does not exist.", retriable=False)
        try:
            response = requests.request(destination.http_method, destination.invocation_endpoint,
                                        data=body.encode(), headers={"Content-Type": "application/json"},
                                        timeout=5)
        except Exception as exc:
            raise DeliveryError("CONNECTION_FAILURE", str(exc)) from None
        if response.status_code == 429:
            raise DeliveryError("THROTTLING", "HTTP 429")
        if response.status_code >= 400:
            raise DeliveryError(f"HTTP_{response.status_code}", response.text[:200],
                                retriable=response.status_code >= 500)
        return f"api destination ({_EMULATED})"

    def _to_moto(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> str:
        """Archives and CloudWatch Logs: moto's own delivery."""
        arn = target["Arn"]
        if arn.split(":")[2] == "logs":
            rule._send_to_cw_log_group(arn.split(":", 6)[6] if arn.count(":") >= 6 else arn, dict(event))
            return "log group"
        match = re.search(r'"archive-arn": "([^"]+)"', (target.get("InputTransformer") or {}).get("InputTemplate", ""))
        if match:
            from moto.events.models import events_backends

            name = match.group(1).split("/")[-1].split(":")[0]
            archive = events_backends[rule.account_id][rule.region_name].archives.get(name)
            if archive is not None:
                archive.events.append(dict(event))
            return "archive"
        raise DeliveryError("SDK_CLIENT_ERROR", f"Target {arn} is not a kind the course emulates", retriable=False)


def _execution_status(execution: Any) -> str:
    """An execution's status, from moto's engine (``exec_status``) or the course's interpreter."""
    status = getattr(execution, "exec_status", None) or getattr(execution, "status", None)
    return str(getattr(status, "value", status))
