"""Subscriber delivery on the simulated clock: filters, transformers, batches, order, retries.

Each running subscriber reads the bus's retained events after its cursor, keeps those that match
every filter (the course's one EventBridge pattern matcher, :mod:`helpers.rules.patterns`), and
hands them to its target:

* ``UNORDERED``: every due event is attempted; a failed one is retried on its own schedule, so
  later events overtake it;
* ``FIFO``: only the oldest undelivered event of each event group is attempted; while it waits
  for a retry, later events of its group wait too (head-of-line blocking) and other groups go
  on; a group moves on only when its head is delivered or given up to the failure destination.

A failed attempt is retried with doubling backoff (seeded jitter) until ``RetryPolicy``'s
``MaxRetryAttempts`` or ``MaxEventAgeInSeconds`` runs out (defaults 5 and 300 s), then the event
goes to ``OnFailureConfiguration``'s SQS queue (a FIFO queue keeps the group) or is dropped.
The fault scenario is Classic's (``env.emulation["events"].delivery.faults``), so both buses
meet the same outages. Every attempt is a row in ``env.log`` (service ``eventbridgev2``).

Example
-------
>>> backoff(1, 1.0), backoff(10, 1.0)
(1.0, 60.0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...rules.patterns import matches
from ..events.delivery import DeliveryError
from .models import StoredEvent, Subscriber, _epoch
from .readings import BACKOFF_CAP_SECONDS, BACKOFF_START_SECONDS, DEFAULT_LAMBDA_INVOCATION
from .validation import compile_jsonata

if TYPE_CHECKING:  # pragma: no cover
    from ...environment import Environment

__all__ = ["Delivery", "Pending", "backoff", "payload"]

_EMULATED = "emulated on moto"
_SCOPES = {"DATA": "Data", "METADATA": "Metadata", "SYSTEM_METADATA": "SystemMetadata"}


def backoff(attempt: int, jitter: float) -> float:
    """Seconds before retry ``attempt`` (1 = first retry): doubling, capped, jittered."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_START_SECONDS * 2.0 ** (attempt - 1)) * jitter


@dataclass
class Pending:
    """An event a subscriber has taken from the bus and not yet delivered or given up."""

    event: StoredEvent
    due: float
    attempt: int = 0
    first: float | None = None


def _group_key(event: StoredEvent) -> tuple[str, str]:
    # An event group belongs to the account that published it; an ungrouped event is alone.
    return (event.account, event.group) if event.group is not None else ("", event.id)


def payload(sub: Subscriber, event: StoredEvent) -> Any:
    """What the target receives for ``event`` under the subscriber's Transformer (a JSON value)."""
    kind = (sub.config.get("Transformer") or {}).get("Type", "RAW")
    if kind == "WITH_METADATA":
        return event.view()
    if kind == "JSONATA":
        try:
            return sub.jsonata.evaluate(None, {"events": event.view()})
        except Exception as error:  # a runtime JSONata error is a failed delivery
            raise DeliveryError("TRANSFORMATION_ERROR", str(error), retriable=False) from None
    return event.data


def _expression(value: Any, event: StoredEvent) -> Any:
    """A target parameter: a literal, or a ``{% %}`` JSONata expression over ``$events``."""
    if isinstance(value, str) and value.strip().startswith("{%"):
        return compile_jsonata(value, "parameter").evaluate(None, {"events": event.view()})
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class Delivery:
    """Delivery for every subscriber of one environment (moto only)."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    # -- scheduling -----------------------------------------------------------------------
    def next_due(self, subscribers: list[Subscriber]) -> float | None:
        """The earliest clock time (epoch seconds) a pending event falls due."""
        dues = [p.due for s in subscribers if s.running for p in self._candidates(s)]
        return min(dues, default=None)

    @staticmethod
    def _candidates(sub: Subscriber) -> list[Pending]:
        """The pending events that may be attempted next (a FIFO group's oldest only)."""
        if not sub.fifo:
            return list(sub.pending)
        heads: dict[tuple[str, str], Pending] = {}
        for p in sub.pending:
            heads.setdefault(_group_key(p.event), p)
        return list(heads.values())

    def pump(self, subscribers: list[Subscriber], now: float) -> None:
        """Take new events from the buses and make every attempt due at ``now``."""
        for sub in subscribers:
            if sub.running:
                self._take(sub, now)
                while self._round(sub, now):
                    pass

    def _take(self, sub: Subscriber, now: float) -> None:
        bus = sub.bus
        bus.expire(now)
        point = sub.config.get("PointInTimeConfiguration") or {}
        end = _epoch(point.get("EndPoint"))
        window = sub.batch()[1]
        for event in bus.events:
            if event.seq <= sub.cursor:
                continue
            if end is not None and event.time > end:
                break
            sub.cursor = event.seq
            view = event.view()
            if all(matches(pattern, view.get(_SCOPES[scope], {})) for scope, pattern in sub.filters):
                sub.pending.append(Pending(event, due=now + window))
            else:
                self._row(sub, event, "filter-drop", None, "ok", "no filter matched")

    def _ready(self, sub: Subscriber, now: float) -> list[Pending]:
        size, window = sub.batch()
        # Full batches go at once; the rest waits for the batch window.
        fresh = [p for p in self._candidates(sub) if p.attempt == 0 and p.due > now]
        early = {id(p) for p in fresh[:len(fresh) // size * size]} if window > 0 else set()
        return [p for p in self._candidates(sub) if p.due <= now or id(p) in early]

    def _round(self, sub: Subscriber, now: float) -> bool:
        ready = self._ready(sub, now)
        if not ready:
            return False
        size = sub.batch()[0]
        per_event = sub.target.split(":")[2] in ("sqs", "sns")
        chunks = [[p] for p in ready] if per_event else [ready[i:i + size] for i in range(0, len(ready), size)]
        for chunk in chunks:
            self._attempt(sub, chunk, now)
        return True

    # -- one attempt ----------------------------------------------------------------------
    def _attempt(self, sub: Subscriber, chunk: list[Pending], now: float) -> None:
        target = sub.target
        for p in chunk:
            p.attempt += 1
            p.first = now if p.first is None else p.first
        try:
            for fault in self.env.emulation["events"].delivery.faults:
                if fault.hits(target, self.env.clock.elapsed()):
                    raise DeliveryError(fault.code, fault.message)
            kind = self._send(sub, chunk)
        except DeliveryError as error:
            for p in chunk:
                self._failed(sub, p, error, now)
            return
        for p in chunk:
            sub.pending.remove(p)
            self._row(sub, p.event, "deliver", p.attempt, "ok", f"subscriber {sub.name} -> {kind}")

    def _failed(self, sub: Subscriber, p: Pending, error: DeliveryError, now: float) -> None:
        max_retries, max_age = sub.retry_policy()
        self._row(sub, p.event, "attempt-failed", p.attempt, f"error:{error.code}", error.message)
        condition = "MaxRetryAttempts" if error.retriable else ""
        if error.retriable and p.attempt - 1 < max_retries:
            due = now + backoff(p.attempt, self.env.random("eventbridgev2-retry").uniform(0.5, 1.0))
            if due - (p.first or now) <= max_age:
                p.due = due
                return
            condition = "MaxEventAgeInSeconds"
        sub.pending.remove(p)
        self._give_up(sub, p, error, condition)

    def _give_up(self, sub: Subscriber, p: Pending, error: DeliveryError, condition: str) -> None:
        destination = (sub.config.get("OnFailureConfiguration") or {}).get("Arn")
        event = p.event
        if not destination:
            self._row(sub, event, "dropped", p.attempt, _EMULATED,
                      f"{error.code} after {p.attempt} attempts; no OnFailureConfiguration")
            return
        attributes = {"SUBSCRIBER_ARN": sub.arn, "TARGET_ARN": sub.target, "ERROR_CODE": error.code,
                      "ERROR_MESSAGE": error.message[:1000], "RETRY_ATTEMPTS": str(p.attempt - 1)}
        if condition:
            attributes["EXHAUSTED_RETRY_CONDITION"] = condition
        try:
            body = _text(payload(sub, event))
        except DeliveryError:
            body = json.dumps(event.data)
        try:
            self._sqs(destination, body, event.group or event.id, event.id, attributes)
        except DeliveryError as failure:
            self._row(sub, event, "dropped", p.attempt, _EMULATED, f"failure destination: {failure.message}")
            return
        self._row(sub, event, "on-failure", p.attempt, _EMULATED,
                  f"{error.code} -> {destination.rsplit(':', 1)[-1]}")

    def _row(self, sub: Subscriber, event: StoredEvent, action: str, attempt: int | None,
             outcome: str, detail: str) -> None:
        self.env.log.record(service="eventbridgev2", action=action, resource=sub.name,
                            message_id=event.id, group=event.group, seq=event.seq, attempt=attempt,
                            outcome=outcome, actor="eventbridge", detail=detail)

    # -- targets --------------------------------------------------------------------------
    def _send(self, sub: Subscriber, chunk: list[Pending]) -> str:
        service = sub.target.split(":")[2]
        if service == "sqs":
            params = sub.config["InvokeConfiguration"].get("SqsParameters") or {}
            event = chunk[0].event
            group = _expression(params.get("MessageGroupId"), event) or event.group
            dedup = _expression(params.get("MessageDeduplicationId"), event) or event.id
            self._sqs(sub.target, _text(payload(sub, event)), group, dedup, {})
            return f"sqs ({_EMULATED})"
        if service == "sns":
            return self._sns(sub, chunk[0].event)
        bodies = [payload(sub, p.event) for p in chunk]
        if service == "lambda":
            return self._lambda(sub, bodies)
        if service == "states":
            params = sub.config["InvokeConfiguration"].get("StepFunctionsParameters") or {}
            name = _expression(params.get("Name"), chunk[0].event) or chunk[0].event.id
            self.env.emulation["events"].delivery._to_states(None, {"Arn": sub.target}, {"id": name},
                                                             json.dumps(bodies))
            return f"state machine ({_EMULATED})"
        raise DeliveryError("SDK_CLIENT_ERROR", f"Target {sub.target} is not a kind the course "
                            "emulates", retriable=False)

    @staticmethod
    def _sqs(arn: str, body: str, group: Any, dedup: Any, attributes: dict[str, str]) -> None:
        from moto.sqs import sqs_backends
        from moto.sqs.exceptions import QueueDoesNotExist

        _, _, _, region, account, name = arn.split(":", 5)
        fifo = name.endswith(".fifo")
        if fifo and not group:
            raise DeliveryError("SDK_CLIENT_ERROR", "The request must contain the parameter "
                                "MessageGroupId.", retriable=False)
        try:
            sqs_backends[account][region].send_message(
                queue_name=name, message_body=body, group_id=group if fifo else None,
                deduplication_id=dedup if fifo else None,
                message_attributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()})
        except QueueDoesNotExist:
            raise DeliveryError("RESOURCE_NOT_FOUND", f"Queue {name} does not exist", retriable=False) from None

    def _sns(self, sub: Subscriber, event: StoredEvent) -> str:
        from moto.sns import sns_backends
        from moto.sns.exceptions import TopicNotFound

        params = sub.config["InvokeConfiguration"].get("SnsParameters") or {}
        _, _, _, region, account, _ = sub.target.split(":", 5)
        fifo = sub.target.endswith(".fifo")
        try:
            sns_backends[account][region].publish(
                message=_text(payload(sub, event)), arn=sub.target,
                group_id=(_expression(params.get("MessageGroupId"), event) or event.group) if fifo else None,
                deduplication_id=(_expression(params.get("MessageDeduplicationId"), event) or event.id)
                if fifo else None)
        except TopicNotFound:
            raise DeliveryError("RESOURCE_NOT_FOUND", "Topic does not exist", retriable=False) from None
        return f"sns ({_EMULATED})"

    def _lambda(self, sub: Subscriber, bodies: list[Any]) -> str:
        params = sub.config["InvokeConfiguration"].get("LambdaParameters") or {}
        name = sub.target.split(":function:")[-1].split(":")[0]
        handler = self.env.emulation["lambda"].handlers.get(name)
        if handler is None:
            raise DeliveryError("RESOURCE_NOT_FOUND", f"Function not found: {sub.target}", retriable=False)
        try:
            handler(bodies, None)
        except Exception as exc:
            if params.get("InvocationType", DEFAULT_LAMBDA_INVOCATION) == "REQUEST_RESPONSE":
                raise DeliveryError("FUNCTION_ERROR", f"{type(exc).__name__}: {exc}") from None
        return f"lambda handler ({_EMULATED})"
