"""The Custom Event Bus's resources and control plane: buses, subscribers, retained events.

One :class:`Backend` per (account, Region) holds the buses; each :class:`Bus` keeps every
published event (:class:`StoredEvent`) for its retention period, so a subscriber reads them
from its own position. The operations validate first (:mod:`.validation`) and change state
last: a refused call creates nothing. Time is the environment's clock (``now`` in epoch
seconds), so CREATING turns ACTIVE as simulated time passes.

Example
-------
>>> bus = Bus(name="orders", arn="arn:...", created=0.0, retention_days=1)
>>> bus.state(1.0), bus.state(5.0)
('CREATING', 'ACTIVE')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ...platform import limits
from .readings import BUS_PROVISIONING_SECONDS, DEFAULT_PAGE_SIZE, SEQUENCE_DIGITS
from .validation import (
    ServiceError,
    check_filters,
    check_input,
    check_starting_position,
    check_transformer,
)

__all__ = ["Backend", "Bus", "Subscriber", "StoredEvent", "when"]

_DAY = 86_400.0
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def when(seconds: float | None) -> dt.datetime | None:
    """Epoch seconds as an aware UTC datetime (CBOR answers them as timestamps)."""
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=dt.UTC).timestamp()
    return float(value)


@dataclass
class StoredEvent:
    """One accepted event as the bus retains it (``data`` is what PutEvents built)."""

    seq: int
    id: str
    time: float
    account: str
    group: str | None
    data: dict[str, Any]

    @property
    def sequence_number(self) -> str:
        return str(self.seq).zfill(SEQUENCE_DIGITS)

    def system_metadata(self) -> dict[str, Any]:
        """The fields EventBridge assigns (the ``SystemMetadata`` part of ``$events``)."""
        meta = {"ContentType": "application/eventbridge+json", "aws:EventId": self.id,
                "aws:SequenceNumber": self.sequence_number,
                "aws:PublishTime": when(self.time).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
        if self.group is not None:
            meta["aws:EventGroupId"] = self.group
        return meta

    def view(self) -> dict[str, Any]:
        """The event as filters, transformers and expressions see it (``$events``)."""
        return {"Data": self.data, "SystemMetadata": self.system_metadata()}


@dataclass
class Bus:
    """A Custom Event Bus: its settings, lifecycle and retained events."""

    name: str
    arn: str
    created: float
    retention_days: int
    description: str | None = None
    kms_key: str | None = None
    modified: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    events: list[StoredEvent] = field(default_factory=list)
    dedup: dict[tuple[Any, ...], tuple[float, StoredEvent]] = field(default_factory=dict)
    next_seq: int = 1

    def state(self, now: float) -> str:
        """CREATING or UPDATING for a few simulated seconds after a change, then ACTIVE."""
        changed = self.modified if self.modified is not None else self.created
        if now - changed < BUS_PROVISIONING_SECONDS:
            return "UPDATING" if self.modified is not None else "CREATING"
        return "ACTIVE"

    def window_start(self, now: float) -> float:
        """The earliest instant retained events reach back to (RetentionWindowStartTime)."""
        return max(self.created, now - self.retention_days * _DAY)

    def expire(self, now: float) -> None:
        """Forget events older than the retention period."""
        start = self.window_start(now)
        while self.events and self.events[0].time < start:
            self.events.pop(0)

    def describe(self, now: float) -> dict[str, Any]:
        out = {"EventBusArn": self.arn, "Name": self.name, "Description": self.description,
               "StorageConfiguration": {"RetentionPeriodInDays": self.retention_days,
                                        "RetentionWindowStartTime": when(self.window_start(now))},
               "CreationTime": when(self.created), "LastModifiedTime": when(self.modified or self.created),
               "State": self.state(now)}
        if self.kms_key:
            out["EncryptionConfiguration"] = {"KmsKeyIdentifier": self.kms_key}
        return out


@dataclass
class Subscriber:
    """A subscriber: filters, target, ordering, position and delivery settings."""

    name: str
    arn: str
    bus: Bus
    config: dict[str, Any]
    filters: list[tuple[str, dict[str, Any]]]
    jsonata: Any
    created: float
    cursor: int = 0
    modified: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    #: Events taken from the bus and not yet delivered or given up (the delivery module's).
    pending: list[Any] = field(default_factory=list)

    @property
    def fifo(self) -> bool:
        return self.config.get("Type", "UNORDERED") == "FIFO"

    @property
    def running(self) -> bool:
        return self.config.get("State", "RUNNING") == "RUNNING"

    @property
    def target(self) -> str:
        return self.config["InvokeConfiguration"]["TargetArn"]

    def retry_policy(self) -> tuple[int, int]:
        """``(MaxRetryAttempts, MaxEventAgeInSeconds)`` with the model's defaults."""
        policy = self.config.get("RetryPolicy") or {}
        return (policy.get("MaxRetryAttempts", limits.EVENTBRIDGE_V2_DEFAULT_RETRY_ATTEMPTS),
                policy.get("MaxEventAgeInSeconds", limits.EVENTBRIDGE_V2_DEFAULT_MAX_EVENT_AGE_SECONDS))

    def batch(self) -> tuple[int, int]:
        """``(MaxBatchSize, MaxBatchWindowInSeconds)``, resolved as the service returns them."""
        batch = self.config.get("BatchConfiguration") or {}
        return (batch.get("MaxBatchSize", limits.EVENTBRIDGE_V2_DEFAULT_BATCH_SIZE),
                batch.get("MaxBatchWindowInSeconds", 0))

    def describe(self) -> dict[str, Any]:
        keys = ("InvokeConfiguration", "Description", "FilterConfiguration", "Type",
                "StartingPosition", "PointInTimeConfiguration", "Transformer", "RetryPolicy",
                "OnFailureConfiguration", "LogConfiguration", "State")
        out = {key: self.config[key] for key in keys if self.config.get(key) is not None}
        size, window = self.batch()
        out.update(SubscriberArn=self.arn, Name=self.name, EventBusArn=self.bus.arn,
                   BatchConfiguration={"MaxBatchSize": size, "MaxBatchWindowInSeconds": window},
                   CreationTime=when(self.created), LastModifiedTime=when(self.modified or self.created))
        return out

    def summary(self, account: str) -> dict[str, Any]:
        full = self.describe()
        keys = ("SubscriberArn", "Name", "EventBusArn", "Type", "StartingPosition",
                "PointInTimeConfiguration", "State", "CreationTime", "LastModifiedTime")
        return {**{k: full[k] for k in keys if k in full},
                "TargetArn": self.target, "SubscriberAccountId": account}


def _page(items: list[dict[str, Any]], params: dict[str, Any], key: str) -> dict[str, Any]:
    size = params.get("MaxResults") or DEFAULT_PAGE_SIZE
    try:
        start = int(params.get("NextToken") or 0)
    except ValueError:
        raise ServiceError("InvalidInputException", "The NextToken is not valid.") from None
    out: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


class Backend:
    """Buses and subscribers of one account in one Region."""

    def __init__(self, account: str, region: str, rng: Any) -> None:
        self.account, self.region, self.rng = account, region, rng
        self.buses: dict[str, Bus] = {}
        self.subscribers: dict[str, Subscriber] = {}
        self.tokens: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    # -- lookup ------------------------------------------------------------------------
    def _id(self) -> str:
        return "".join(self.rng.choice(_ID_CHARS) for _ in range(25))

    def bus(self, arn: str) -> Bus:
        for bus in self.buses.values():
            if bus.arn == arn:
                return bus
        raise ServiceError("ResourceNotFoundException", f"Event bus {arn} does not exist.")

    def active_bus(self, arn: str, now: float, action: str) -> Bus:
        bus = self.bus(arn)
        state = bus.state(now)
        if state not in ("ACTIVE", "UPDATING"):
            raise ServiceError("InvalidStateException", f"Event bus {arn} is {state}: {action} "
                               "requires an ACTIVE event bus. Wait for it (the EventBusActive waiter).")
        return bus

    def subscriber(self, arn: str) -> Subscriber:
        if arn not in self.subscribers:
            raise ServiceError("ResourceNotFoundException", f"Subscriber {arn} does not exist.")
        return self.subscribers[arn]

    def idempotent(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """The earlier answer to a retried ClientToken, or None (mismatch refused)."""
        token = params.get("ClientToken")
        if token is None or (operation, token) not in self.tokens:
            return None
        digest, answer = self.tokens[(operation, token)]
        if digest != _digest(params):
            raise ServiceError("IdempotentParameterMismatchException", f"ClientToken {token} was "
                               "used earlier with different parameters.")
        return answer

    def remember(self, operation: str, params: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        if params.get("ClientToken"):
            self.tokens[(operation, params["ClientToken"])] = (_digest(params), answer)
        return answer

    # -- buses -------------------------------------------------------------------------
    def create_event_bus(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("CreateEventBus", params)
        if (earlier := self.idempotent("CreateEventBus", params)) is not None:
            return earlier
        name = params["Name"]
        if name in self.buses:
            raise ServiceError("ResourceAlreadyExistsException", f"Event bus {name} already exists.")
        if len(self.buses) >= limits.EVENTBRIDGE_V2_BUSES_PER_ACCOUNT:
            raise ServiceError("LimitExceededException", f"The account already owns "
                               f"{limits.EVENTBRIDGE_V2_BUSES_PER_ACCOUNT} event buses (the "
                               "[EventsV2] Event Buses quota).")
        storage = params.get("StorageConfiguration") or {}
        bus = Bus(name=name, arn=f"arn:aws:events:{self.region}:{self.account}:event-busv2/{name}/{self._id()}",
                  created=now, retention_days=storage.get("RetentionPeriodInDays", 1),
                  description=params.get("Description"),
                  kms_key=(params.get("EncryptionConfiguration") or {}).get("KmsKeyIdentifier"),
                  tags=dict(params.get("Tags") or {}))
        self.buses[name] = bus
        answer = {k: v for k, v in bus.describe(now).items() if k != "LastModifiedTime"}
        return self.remember("CreateEventBus", params, answer)

    def update_event_bus(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("UpdateEventBus", params)
        bus = self.active_bus(params["EventBusArn"], now, "UpdateEventBus")
        if "Description" in params:
            bus.description = params["Description"]
        if "StorageConfiguration" in params:
            bus.retention_days = params["StorageConfiguration"].get("RetentionPeriodInDays", bus.retention_days)
        if "EncryptionConfiguration" in params:
            bus.kms_key = params["EncryptionConfiguration"].get("KmsKeyIdentifier")
        bus.modified = now
        return {k: v for k, v in bus.describe(now).items() if k != "CreationTime"}

    def delete_event_bus(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("DeleteEventBus", params)
        bus = self.bus(params["EventBusArn"])
        if any(s.bus is bus for s in self.subscribers.values()):
            raise ServiceError("ResourceInUseException", f"Event bus {bus.arn} has subscribers. "
                               "Delete its subscribers before you delete the bus.")
        del self.buses[bus.name]
        return {}

    def list_event_buses(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("ListEventBuses", params)
        prefix = params.get("NamePrefix") or ""
        rows = [{**{k: v for k, v in b.describe(now).items()
                    if k not in ("StorageConfiguration", "EncryptionConfiguration")},
                 "EventBusAccountId": self.account}
                for b in sorted(self.buses.values(), key=lambda b: b.name) if b.name.startswith(prefix)]
        return _page(rows, params, "EventBuses")

    # -- subscribers -------------------------------------------------------------------
    def create_subscriber(self, params: dict[str, Any], now: float) -> Subscriber | dict[str, Any]:
        check_input("CreateSubscriber", params)
        if (earlier := self.idempotent("CreateSubscriber", params)) is not None:
            return earlier
        bus = self.bus(params["EventBusArn"])
        filters = check_filters(params.get("FilterConfiguration"), creating=True)
        jsonata = check_transformer(params.get("Transformer"))
        check_starting_position(params)
        self.active_bus(bus.arn, now, "CreateSubscriber")
        if any(s.bus is bus and s.name == params["Name"] for s in self.subscribers.values()):
            raise ServiceError("ResourceAlreadyExistsException",
                               f"Subscriber {params['Name']} already exists on event bus {bus.name}.")
        config = {k: v for k, v in params.items() if k not in ("Name", "EventBusArn", "Tags", "ClientToken")}
        config.setdefault("Type", "UNORDERED")
        config.setdefault("StartingPosition", "LATEST")
        config.setdefault("State", "RUNNING")
        arn = f"arn:aws:events:{self.region}:{self.account}:subscriber/{params['Name']}/{self._id()}"
        sub = Subscriber(name=params["Name"], arn=arn, bus=bus, config=config, filters=filters,
                         jsonata=jsonata, created=now, tags=dict(params.get("Tags") or {}))
        sub.cursor = self._start_cursor(bus, config, now)
        self.subscribers[arn] = sub
        return sub

    @staticmethod
    def _start_cursor(bus: Bus, config: dict[str, Any], now: float) -> int:
        """The sequence number the subscriber has read up to when it starts."""
        bus.expire(now)
        if config["StartingPosition"] == "LATEST":
            return bus.next_seq - 1
        point = config["PointInTimeConfiguration"]
        if point["PointType"] == "HORIZON":
            return 0
        start = _epoch(point["StartingPoint"])
        earlier = [e.seq for e in bus.events if e.time < start]
        return max(earlier, default=0)

    def update_subscriber(self, params: dict[str, Any], now: float) -> Subscriber:
        check_input("UpdateSubscriber", params)
        sub = self.subscriber(params["SubscriberArn"])
        filters = (check_filters(params["FilterConfiguration"], creating=False)
                   if "FilterConfiguration" in params else sub.filters)
        transformer = params.get("Transformer", sub.config.get("Transformer"))
        jsonata = check_transformer(transformer) if "Transformer" in params else sub.jsonata
        resuming = params.get("State") == "RUNNING" and not sub.running
        for key in ("Description", "State", "BatchConfiguration", "RetryPolicy",
                    "OnFailureConfiguration", "LogConfiguration", "Transformer"):
            if key in params:
                sub.config[key] = params[key]
        if "InvokeConfiguration" in params:
            sub.config["InvokeConfiguration"] = {**params["InvokeConfiguration"], "TargetArn": sub.target}
        if "FilterConfiguration" in params:
            sub.config["FilterConfiguration"] = params["FilterConfiguration"] or None
        sub.filters, sub.jsonata, sub.modified = filters, jsonata, now
        if resuming and params.get("ResumePosition") == "LATEST":
            sub.cursor, sub.pending = sub.bus.next_seq - 1, []
        return sub

    def delete_subscriber(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("DeleteSubscriber", params)
        self.subscriber(params["SubscriberArn"])
        del self.subscribers[params["SubscriberArn"]]
        return {}

    def list_subscribers(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("ListSubscribers", params)
        bus_arn = params.get("EventBusArn")
        if bus_arn:
            self.bus(bus_arn)
        prefix = params.get("NamePrefix") or ""
        rows = [s.summary(self.account) for s in sorted(self.subscribers.values(), key=lambda s: s.name)
                if (not bus_arn or s.bus.arn == bus_arn) and s.name.startswith(prefix)]
        return _page(rows, params, "Subscribers")

    # -- tags --------------------------------------------------------------------------
    def _taggable(self, arn: str) -> Bus | Subscriber:
        if ":subscriber/" in arn:
            return self.subscriber(arn)
        return self.bus(arn)

    def tag_resource(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("TagResource", params)
        self._taggable(params["ResourceArn"]).tags.update(params["Tags"])
        return {}

    def untag_resource(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("UntagResource", params)
        resource = self._taggable(params["ResourceArn"])
        for key in params["TagKeys"]:
            resource.tags.pop(key, None)
        return {}

    def list_tags_for_resource(self, params: dict[str, Any], now: float) -> dict[str, Any]:
        check_input("ListTagsForResource", params)
        return {"Tags": dict(self._taggable(params["ResourceArn"]).tags)}

    # -- publishing --------------------------------------------------------------------
    def content_key(self, entry: dict[str, Any]) -> str:
        text = json.dumps([entry.get("Source"), entry.get("DetailType"), entry.get("Detail"),
                           entry.get("Resources") or []], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _digest(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
