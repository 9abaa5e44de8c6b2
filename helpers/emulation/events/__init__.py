"""EventBridge behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real service does it. AWS's pattern
rules are :mod:`helpers.rules.patterns`, target input :mod:`helpers.rules.input_transformer`;
delivery, retries and DLQs are :mod:`.delivery`.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
each rule match is observable          silent                          ``route`` rows in ``env.log``,
(``MatchedEvents`` metric)                                             one per target
a DISABLED rule delivers nothing       still delivers to its targets   skipped, logged
                                                                       ``skipped: rule disabled``
TestEventPattern answers               returns nothing (``{}``)        ``{"Result": true|false}``; an
``{"Result": bool}``                                                   invalid pattern or event refused
                                                                       in AWS's words
patterns match as documented (every    mismatches some (``prefix`` on  one matcher for rules and
operator, ``$or``, arrays, nested)     ``time``, lists in objects)     TestEventPattern
PutRule refuses an invalid pattern     accepts most                    InvalidEventPatternException with
                                                                       AWS's reason text
SNS, Lambda and Step Functions         ``NotImplementedError`` in      delivered: moto's SNS backend, a
targets                                ``put_events``                  registered Python handler, an
                                                                       execution in moto's engine
the SQS target's envelope carries      no ``account``                  AWS's envelope (``version``,
``account``; ``time`` is ISO-8601                                      ``account``, ISO ``time``...)
``InputPath`` and constant ``Input``   ignored                         honoured
``InputTransformer`` JSON and string   an array inside a string        AWS's substitution rules
templates                              template raises; predefined
                                       and missing placeholders left
                                       as ``<name>``
PutTargets refuses an undefined        accepts them                    ValidationException in AWS's
placeholder and two input options                                      words; RetryPolicy ranges checked
RetryPolicy and DeadLetterConfig       unused                          retries with backoff on the
                                                                       simulated clock under the fault
                                                                       scenario, then the DLQ with AWS's
                                                                       attributes, or dropped (logged)
a bus policy admits other accounts     not enforced                    another account's events (rule
                                                                       target or PutEvents on the bus
                                                                       ARN) need an Allow statement
replay sends the chosen time window    replays the whole archive       only events whose ``time`` is in
                                                                       [EventStartTime, EventEndTime)
an entry is at most 1 MB (since        no size limit                   ValidationException "Total size
January 2026); 10 entries per call                                     of the entries in the request is
                                                                       over the limit."
=====================================  ==============================  ==================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["events"].names()[:3]
['EventBridge route rows', 'disabled rules deliver nothing', 'TestEventPattern answers']
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

from moto.events import models as events_models
from moto.events import responses as events_responses
from moto.events.exceptions import InvalidEventPatternException, ValidationException
from moto.moto_api._internal import mock_random

from ...platform import limits
from ...platform.recorder import ACTOR
from ...rules.input_transformer import check_input_options
from ...rules.patterns import PatternError, compile_pattern, matches
from .._base import _Patches, short_name
from .delivery import Deliverer, bus_policy_allows

__all__ = ["EventsStandIns", "entry_size"]

#: The fields TestEventPattern requires of an event (AWS accepts one without ``resources`` or
#: ``detail``, as recorded in LocalStack's AWS-validated pattern snapshots).
_REQUIRED_EVENT_FIELDS = ("id", "account", "source", "time", "region", "detail-type")


def entry_size(entry: dict[str, Any]) -> int:
    """A PutEvents entry's size as EventBridge counts it (User Guide, *Calculating PutEvents
    event entry size*): ``Time`` 14 bytes, the UTF-8 bytes of Source, DetailType, Detail and
    each resource.

    Example
    -------
    >>> entry_size({"Source": "shop", "DetailType": "OrderPlaced", "Detail": "{}"})
    17
    """
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        size += len((entry.get(key) or "").encode())
    return size + sum(len(r.encode()) for r in entry.get("Resources") or [] if r)


def _iso(value: Any) -> str:
    if isinstance(value, (int, float)):
        moment = dt.datetime.fromtimestamp(value, dt.UTC)
    elif isinstance(value, str) and value:
        return value
    else:
        moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _compile(raw: str | None) -> dict[str, Any]:
    try:
        return compile_pattern(raw or "{}")
    except PatternError as error:
        raise InvalidEventPatternException(reason=error.reason) from None


class EventsStandIns(_Patches):
    """Installs and removes the EventBridge stand-ins for one environment."""

    SERVICE = "events"
    NAMES = (
        "EventBridge route rows", "disabled rules deliver nothing", "TestEventPattern answers",
        "AWS pattern matching", "PutRule pattern validation", "SNS, Lambda and Step Functions targets",
        "AWS event envelope", "InputPath and Input", "InputTransformer templates",
        "PutTargets validation", "retries and dead-letter queues", "bus policies across accounts",
        "replay time window", "PutEvents entry size limit",
    )

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        #: Target delivery, retries and DLQs (handlers and faults live here).
        self.delivery = Deliverer(env)
        self._patterns: dict[str, dict[str, Any]] = {}

    # -- helpers the patches share ----------------------------------------------------------
    def pattern(self, raw: str | None) -> dict[str, Any]:
        """The compiled pattern of a rule (cached by its text)."""
        key = raw or "{}"
        if key not in self._patterns:
            self._patterns[key] = compile_pattern(key)
        return self._patterns[key]

    def ingest(self, backend: Any, bus: Any, event: dict[str, Any]) -> None:
        """Route one AWS-shaped ``event`` through every rule of ``bus``."""
        for rule in list(bus.rules.values()):
            rule.send_to_targets(event)

    def advance(self, seconds: float) -> None:
        """Let clock time pass, making the target retries that fall due (see :class:`Deliverer`)."""
        self.delivery.advance(seconds)

    # -- the patches -----------------------------------------------------------------------
    def _patches(self) -> list[Any]:
        """Patches of moto's EventBridge models and responses."""
        stand_in = self
        log = self.env.log

        def send_to_targets(rule: Any, event: Any, transform_input: bool = True) -> None:
            if not matches(stand_in.pattern(rule.event_pattern._raw_pattern), event):
                return None
            if rule.state == "DISABLED":
                log.record(service="events", action="route", resource=rule.name,
                           message_id=event.get("id"), outcome="skipped: rule disabled",
                           detail=event.get("detail-type"))
                return None
            for target in list(rule.targets):
                if not rule.name.startswith("Events-Archive-"):
                    log.record(service="events", action="route", resource=short_name(target["Arn"]),
                               message_id=event.get("id"), actor=ACTOR.get(),
                               detail=f"rule {rule.name}: {event.get('detail-type')}")
                stand_in.delivery.deliver(rule, target, event)
            return None

        def put_events(backend: Any, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
            stand_in.delivery.run_due()
            if len(entries) > limits.EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES:
                raise ValidationException(
                    "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed "
                    "to satisfy constraint: Member must have length less than or equal to 10")
            if sum(entry_size(e) for e in entries) > limits.EVENTBRIDGE_MAX_EVENT_BYTES:
                raise ValidationException("Total size of the entries in the request is over the limit.")
            return [stand_in._put_one(backend, entry) for entry in entries]

        def put_rule(backend: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            pattern = kwargs.get("event_pattern")
            if pattern:
                _compile(pattern)
            return orig_put_rule(backend, name, *args, **kwargs)

        def put_targets(backend: Any, name: str, event_bus_arn: Any, targets: list[dict[str, Any]]) -> None:
            for index, target in enumerate(targets, 1):
                message = check_input_options(target)
                if message:
                    raise ValidationException(message)
                _check_retry_policy(index, target.get("RetryPolicy") or {})
            return orig_put_targets(backend, name, event_bus_arn, targets)

        def test_event_pattern(handler: Any) -> str:
            pattern = _compile(handler._get_param("EventPattern"))
            try:
                event = json.loads(handler._get_param("Event") or "")
            except ValueError:
                event = None
            if not isinstance(event, dict) or any(k not in event for k in _REQUIRED_EVENT_FIELDS):
                raise ValidationException("Parameter Event is not valid.")
            return json.dumps({"Result": matches(pattern, event)})

        def replay_events(replay: Any, archive: Any) -> None:
            start, end = _iso(replay.event_start_time), _iso(replay.event_end_time)
            backend = events_models.events_backends[replay.account_id][replay.region]
            bus = backend.describe_event_bus(replay.destination["Arn"].split("/")[-1])
            for event in list(archive.events):
                if start <= event.get("time", "") < end:
                    stand_in.ingest(backend, bus, dict(event, **{"id": str(mock_random.uuid4()),
                                                                 "replay-name": replay.name}))
            replay.state = events_models.ReplayState.COMPLETED
            replay.end_time = dt.datetime.now(dt.UTC).timestamp()

        orig_put_rule = events_models.EventsBackend.put_rule
        orig_put_targets = events_models.EventsBackend.put_targets
        backend_cls = events_models.EventsBackend
        return [
            mock.patch.object(events_models.Rule, "send_to_targets", send_to_targets),
            mock.patch.object(backend_cls, "put_events", put_events),
            mock.patch.object(backend_cls, "put_rule", put_rule),
            mock.patch.object(backend_cls, "put_targets", put_targets),
            mock.patch.object(events_responses.EventsHandler, "test_event_pattern", test_event_pattern),
            mock.patch.object(events_models.Replay, "replay_events", replay_events),
        ]

    def _put_one(self, backend: Any, entry: dict[str, Any]) -> dict[str, Any]:
        """One PutEvents entry: AWS's per-entry checks, the envelope, the bus policy, routing."""
        for key in ("Source", "DetailType", "Detail"):
            if not entry.get(key):
                return {"ErrorCode": "InvalidArgument",
                        "ErrorMessage": f"Parameter {key} is not valid. Reason: {key} is a required argument."}
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
        bus_ref = entry.get("EventBusName") or "default"
        owner, region = backend.account_id, backend.region_name
        if bus_ref.startswith("arn:"):
            parts = bus_ref.split(":")
            region, owner = parts[3], parts[4]
        target_backend = events_models.events_backends[owner][region]
        bus = target_backend.describe_event_bus(bus_ref.split("/")[-1])
        if not bus_policy_allows(bus, backend.account_id):
            return {"ErrorCode": "AccessDeniedException",
                    "ErrorMessage": f"User: arn:aws:iam::{backend.account_id}:root is not authorized to "
                                    f"perform: events:PutEvents on resource: {bus.arn} because no "
                                    "resource-based policy allows the events:PutEvents action"}
        event_id = str(mock_random.uuid4())
        event = {
            "version": "0", "id": event_id, "detail-type": entry["DetailType"], "source": entry["Source"],
            "account": backend.account_id, "time": _iso(entry.get("Time")), "region": backend.region_name,
            "resources": entry.get("Resources") or [], "detail": detail,
        }
        self.ingest(target_backend, bus, event)
        return {"EventId": event_id}


def _check_retry_policy(index: int, policy: dict[str, Any]) -> None:
    checks = (("MaximumRetryAttempts", "maximumRetryAttempts", 0, limits.EVENTBRIDGE_MAX_RETRY_ATTEMPTS),
              ("MaximumEventAgeInSeconds", "maximumEventAgeInSeconds", limits.EVENTBRIDGE_MIN_EVENT_AGE_SECONDS,
               limits.EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS))
    for key, field, low, high in checks:
        value = policy.get(key)
        if value is None:
            continue
        where = f"at 'targets.{index}.member.retryPolicy.{field}' failed to satisfy constraint: Member must have value"
        if value < low:
            raise ValidationException(f"1 validation error detected: Value '{value}' {where} greater than or equal to {low}")
        if value > high:
            raise ValidationException(f"1 validation error detected: Value '{value}' {where} less than or equal to {high}")
