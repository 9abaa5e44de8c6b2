"""The EventBridge Custom Event Bus (API ``eventbridgev2``), emulated inside moto.

moto 5.2.5 has no ``eventbridgev2``; this package answers it on the local backends, so a
student's own ``env.client("eventbridgev2")`` works in-process (``moto``) and over HTTP
(``server``); on ``aws`` the real service answers. Modules: :mod:`.protocol` (the
smithy-rpc-v2-cbor wire format, routed by request path), :mod:`.models` (buses, subscribers,
retained events: the control plane), :mod:`.publishing` (PutEvents), :mod:`.delivery`
(subscribers delivering on the simulated clock), :mod:`.validation` (the model's constraints and
rules, AWS's error codes) and :mod:`.readings` (every reading chosen where AWS leaves it open).

==========================================  ==================  ======================================
AWS behaviour                               moto alone          stand-in
==========================================  ==================  ======================================
the ``eventbridgev2`` API answers           404 "Not yet        every bus, subscriber, tag and
(smithy-rpc-v2-cbor)                        implemented"        PutEvents operation, in CBOR
CreateEventBus: CREATING, then ACTIVE       -                   ACTIVE after a few simulated seconds;
(``EventBusActive`` waiter)                                     waiters sleep on the simulated clock
retention 1-365 days,                       -                   events kept and expired on the clock
``RetentionWindowStartTime``
DeleteEventBus refused while subscribers    -                   ResourceInUseException
subscribers: filters (EventBridge           -                   the course's one pattern matcher,
patterns, scopes DATA/METADATA/                                 every filter must match
SYSTEM_METADATA)
Transformer RAW / WITH_METADATA / JSONATA   -                   payload, ``{Data, SystemMetadata}``,
                                                                JSONata (jsonata-python)
FIFO subscriber: order per event group,     -                   only each group's oldest event is
head-of-line blocking, other groups go on                       attempted; retries hold the group
UNORDERED subscriber                        -                   failed events retried on their own
RetryPolicy (defaults 5 / 300 s, ranges     -                   retries with backoff on the clock;
0-185 and 60-86400)                                             ranges refused in AWS's words
OnFailureConfiguration (SQS)                -                   the failure queue gets the event with
                                                                its error (a FIFO queue keeps groups)
State RUNNING / STOPPED, ResumePosition     -                   a stopped subscriber keeps its cursor
StartingPosition LATEST / POINT_IN_TIME     -                   reads retained events from the
(HORIZON, TIMESTAMP, EndPoint)                                  chosen point
BatchConfiguration                          -                   batches up to MaxBatchSize, waiting
                                                                at most MaxBatchWindowInSeconds
targets SQS (standard, FIFO), SNS,          -                   moto's SQS/SNS backends, a registered
Lambda, Step Functions                                          Python handler, the course's
                                                                interpreter
PutEvents: EventGroupId, DeduplicationId,   -                   SequenceNumber per bus; PUBLISHED or
CONTENT_BASED, 5-minute window, 1 MB                            DEDUPLICATED; InvalidInputException
request limit                                                   over 1 MB, nothing published
errors from the model                       -                   InvalidInputException,
                                                                ResourceNotFoundException,
                                                                InvalidStateException, ...
==========================================  ==================  ======================================

Readings chosen where AWS's documents leave a behaviour open (:data:`.readings.READINGS`, one
place): provisioning time; waiter sleep; validation wording; filters; FIFO subscriber to a
standard queue; FIFO queue group and deduplication ids; ungrouped events in a FIFO subscriber;
batch payloads; Lambda invocation type; backoff and event age; failure-destination message;
DEDUPLICATED answers and content hash; SystemMetadata fields; per-entry errors; other targets;
operations not emulated.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> v2 = env.client("eventbridgev2")
>>> bus = v2.create_event_bus(Name="orders-v2")
>>> bus["State"]
'CREATING'
>>> v2.get_waiter("event_bus_active").wait(EventBusArn=bus["EventBusArn"])
>>> v2.describe_event_bus(EventBusArn=bus["EventBusArn"])["State"]
'ACTIVE'
>>> _ = env.teardown()
"""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

from .._base import _Patches
from .delivery import Delivery
from .models import Backend, Subscriber
from .protocol import answer, credentials, is_ours
from .publishing import put_events
from .readings import READINGS
from .validation import ServiceError, check_input, service_model

__all__ = ["EventBridgeV2StandIns", "READINGS", "ServiceError"]

_BACKEND_OPERATIONS = ("CreateEventBus", "UpdateEventBus", "DeleteEventBus", "ListEventBuses",
                       "DeleteSubscriber", "ListSubscribers", "TagResource", "UntagResource",
                       "ListTagsForResource")


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class EventBridgeV2StandIns(_Patches):
    """The Custom Event Bus service for one environment: state, delivery and the moto hooks."""

    SERVICE = "eventbridgev2"
    NAMES = ("eventbridgev2 API (smithy-rpc-v2-cbor)", "bus lifecycle on the clock",
             "subscriber delivery (FIFO, UNORDERED)", "retries and failure destination",
             "retention and starting positions", "PutEvents deduplication and limits",
             "waiters on the simulated clock")

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.backends: dict[tuple[str, str], Backend] = {}
        self.delivery = Delivery(env)
        self._lock = threading.RLock()

    # -- state ----------------------------------------------------------------------------
    def backend(self, account: str, region: str) -> Backend:
        """The buses and subscribers of ``account`` in ``region``."""
        key = (account, region)
        if key not in self.backends:
            self.backends[key] = Backend(account, region, self.env.random(f"eventbridgev2:{account}"))
        return self.backends[key]

    def subscribers(self) -> list[Subscriber]:
        """Every subscriber of every account and Region."""
        return [s for b in self.backends.values() for s in b.subscribers.values()]

    def pump(self, at: float | None = None) -> None:
        """Make every delivery due at the current clock time (or at ``at``, if later: the
        clock rounds to microseconds, so it may stop a hair before a due time)."""
        with self._lock:
            self.delivery.pump(self.subscribers(), max(self.env.clock.time(), at or 0.0))

    # -- one request ----------------------------------------------------------------------
    def run(self, operation: str, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
        """Answer one operation for ``account`` in ``region`` (the shapes of the model)."""
        with self._lock:
            now = self.env.clock.time()
            backend = self.backend(account, region)
            self.delivery.pump(self.subscribers(), now)
            result = self._dispatch(backend, operation, params, now)
            self.delivery.pump(self.subscribers(), now)
        shape = service_model().operation_model(operation).output_shape
        members = shape.members if shape is not None else {}
        return {k: v for k, v in result.items() if k in members}

    def _dispatch(self, backend: Backend, operation: str, params: dict[str, Any], now: float) -> dict[str, Any]:
        if operation in _BACKEND_OPERATIONS:
            return getattr(backend, _snake(operation))(params, now)
        if operation == "DescribeEventBus":
            check_input(operation, params)
            return backend.bus(params["EventBusArn"]).describe(now)
        if operation in ("CreateSubscriber", "UpdateSubscriber"):
            sub = getattr(backend, _snake(operation))(params, now)
            if isinstance(sub, dict):  # a retried ClientToken
                return sub
            out = sub.describe()
            return backend.remember(operation, params, out) if operation == "CreateSubscriber" else out
        if operation == "DescribeSubscriber":
            check_input(operation, params)
            return backend.subscriber(params["SubscriberArn"]).describe()
        if operation == "PutEvents":
            result, events = put_events(backend, params, now)
            for event in events:
                self.env.log.record(service="eventbridgev2", action="publish", resource=event.data["source"],
                                    message_id=event.id, group=event.group, seq=event.seq,
                                    outcome="ok", actor="producer", detail=event.data["detail-type"])
            return result
        raise ServiceError("InternalException", f"{operation} is not emulated on moto by the course "
                           "(buses, subscribers, tags and PutEvents are).")

    def _account(self, access_key: str | None) -> str:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.iam.models import get_account_id_from

        return get_account_id_from(access_key) if access_key else DEFAULT_ACCOUNT_ID

    def handle(self, operation: str, body: bytes | None, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request (in-process or server): decode, run, encode."""
        key, region = credentials(authorization)
        account = self._account(key)
        return answer(operation, body, lambda op, params: self.run(op, params, account, region or self.env.region))

    # -- the patches ----------------------------------------------------------------------
    def _patches(self) -> list[Any]:
        """Route ``eventbridgev2`` requests here (stubber and server), pump on clock advances,
        and let waiters sleep on the simulated clock."""
        from moto.core.botocore_stubber import BotocoreStubber
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication

        stand_in = self
        orig_process = BotocoreStubber.process_request
        orig_call = DomainDispatcherApplication.__call__

        def process_request(stubber: Any, request: Any) -> Any:
            operation = is_ours(request.url)
            if operation is None:
                return orig_process(stubber, request)
            auth = request.headers.get("Authorization")
            body = request.body if isinstance(request.body, (bytes, type(None))) else request.body.read()
            return stand_in.handle(operation, body, auth.decode() if isinstance(auth, bytes) else auth)

        def wsgi_call(app: Any, environ: dict[str, Any], start_response: Any) -> Any:
            operation = is_ours(environ.get("PATH_INFO", ""))
            if operation is None:
                return orig_call(app, environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            status, headers, payload = stand_in.handle(operation, body, environ.get("HTTP_AUTHORIZATION"))
            start_response(f"{status} {'OK' if status == 200 else 'ERROR'}",
                           [*headers.items(), ("Content-Length", str(len(payload)))])
            return [payload]

        patches = [mock.patch.object(BotocoreStubber, "process_request", process_request),
                   mock.patch.object(DomainDispatcherApplication, "__call__", wsgi_call)]
        clock = self.env.clock
        if getattr(clock, "simulated", True):
            patches += [mock.patch.object(clock, "advance", self._advance(clock.advance)),
                        mock.patch("botocore.waiter.time", _SimulatedSleep(self.env))]
        return patches

    def _advance(self, orig_advance: Any) -> Any:
        clock, stand_in = self.env.clock, self

        def advance(seconds: float) -> None:
            try:
                target = clock.time() + float(seconds)
            except (TypeError, ValueError):
                return orig_advance(seconds)  # the clock's own error
            if not target >= clock.time() or not stand_in.backends:
                return orig_advance(seconds)
            while (due := stand_in.delivery.next_due(stand_in.subscribers())) is not None and due <= target:
                if due > clock.time():
                    orig_advance(due - clock.time())
                stand_in.pump(at=due)
                if stand_in.delivery.next_due(stand_in.subscribers()) == due:
                    break  # nothing moved: never spin
            orig_advance(max(0.0, target - clock.time()))
            stand_in.pump()
            return None

        return advance


class _SimulatedSleep:
    """``botocore.waiter``'s view of the ``time`` module: ``sleep`` moves the simulated clock."""

    def __init__(self, env: Any) -> None:
        self._env = env

    def sleep(self, seconds: float) -> None:
        self._env.sleep(seconds)

    def __getattr__(self, name: str) -> Any:
        import time

        return getattr(time, name)
