"""Event buses: create one, let another account put events on it, archive it, replay a window.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> create_bus(env, "shop").name
'securecart-demo-shop'
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from ..platform.inputs import count, json_text
from .types import Bus

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["create_bus", "allow_account", "create_archive", "replay", "bus_policy"]


def create_bus(env: Environment, name: str, client: Any = None) -> Bus:
    """A custom event bus named ``name`` (prefixed); an existing one is returned as it is."""
    events = client or env.client("events")
    full = env.name(name, "events")
    try:
        arn = events.describe_event_bus(Name=full)["Arn"]
    except events.exceptions.ResourceNotFoundException:
        arn = events.create_event_bus(Name=full)["EventBusArn"]
    return Bus(full, arn)


def allow_account(env: Environment, bus: Bus, account: str, client: Any = None) -> dict[str, Any]:
    """Add a bus-policy statement that lets ``account`` put events on ``bus``; the policy."""
    events = client or env.client("events")
    events.put_permission(EventBusName=bus.name, Action="events:PutEvents", Principal=account,
                          StatementId=f"allow-{account}")
    return bus_policy(env, bus, events)


def bus_policy(env: Environment, bus: Bus, client: Any = None) -> dict[str, Any]:
    """The resource policy of ``bus`` (empty statements when it has none)."""
    events = client or env.client("events")
    policy = events.describe_event_bus(Name=bus.name).get("Policy")
    return json.loads(policy) if policy else {"Statement": []}


def create_archive(env: Environment, bus: Bus, name: str, pattern: dict[str, Any] | None = None,
                   retention_days: int = 1) -> str:
    """Archive the events of ``bus`` that match ``pattern`` (all when None); its ARN."""
    retention_days = count(retention_days, "retention_days", rule="CreateArchive's RetentionDays "
                           "(0 keeps events indefinitely)", fix="retention_days=1, or 0 to keep forever")
    events = env.client("events")
    params: dict[str, Any] = {"ArchiveName": name, "EventSourceArn": bus.arn, "RetentionDays": retention_days}
    if pattern:
        params["EventPattern"] = json_text(pattern, "The archive's pattern",
                                           rule="an event pattern is a JSON object")
    return events.create_archive(**params)["ArchiveArn"]


def replay(env: Environment, archive_arn: str, bus: Bus, start: dt.datetime, end: dt.datetime,
           name: str) -> dict[str, Any]:
    """Replay the archived events whose time is in [start, end) to ``bus``; the replay's description."""
    events = env.client("events")
    events.start_replay(ReplayName=name, EventSourceArn=archive_arn, EventStartTime=start,
                        EventEndTime=end, Destination={"Arn": bus.arn})
    return events.describe_replay(ReplayName=name)
