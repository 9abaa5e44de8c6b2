"""The EventBridge Custom Event Bus (``eventbridgev2``): buses, subscribers, publishing.

The repetition Lab 3 does after showing each plain boto3 call once: create a bus and wait until
it is ACTIVE, add a subscriber (FIFO or UNORDERED, a filter, a starting position, retries and a
failure queue), publish events with an event group and a deduplication id in calls of at most
100 entries, stop and resume a subscriber, delete the bus with its subscribers. The same calls
run on every backend: on ``moto`` and ``server`` the Custom Event Bus is emulated inside moto
(:mod:`helpers.emulation.eventbridgev2`), on ``aws`` the real service answers (a subscriber
needs ``role_arn``, a role EventBridge can assume to call the target).

Example
-------
>>> import helpers
>>> from helpers.events import custom_bus as cb
>>> env = helpers.connect(quiet=True)
>>> bus = cb.create_custom_bus(env, "orders-v2")
>>> url = env.client("sqs").create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
>>> sub = cb.add_subscriber(env, bus, "ordered", cb.queue_arn(env, url), fifo=True)
>>> [r["SuccessCode"] for r in cb.publish_v2(env, bus, [cb.order_event("c1", 1), cb.order_event("c1", 1)])]
['PUBLISHED', 'DEDUPLICATED']
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from ..platform import limits
from .targets import queue_arn

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["create_custom_bus", "add_subscriber", "publish_v2", "order_event", "set_running",
           "delete_custom_bus", "queue_arn", "role_arn", "SOURCE"]

#: The ``source`` of the order events Lab 3 publishes.
SOURCE = "securecart.orders"


def role_arn(env: Environment, name: str = "securecart-eventbridge-subscriber") -> str:
    """The role a subscriber names (EventBridge assumes it to call the target)."""
    return f"arn:aws:iam::{env.account or '123456789012'}:role/{name}"


def create_custom_bus(env: Environment, name: str, retention_days: int = 7) -> str:
    """Create a Custom Event Bus (prefixed name), wait until ACTIVE; its ARN."""
    v2 = env.client("eventbridgev2")
    arn = v2.create_event_bus(Name=name, StorageConfiguration={"RetentionPeriodInDays": retention_days})["EventBusArn"]
    v2.get_waiter("event_bus_active").wait(EventBusArn=arn)
    return arn


def add_subscriber(env: Environment, bus_arn: str, name: str, target_arn: str, *, fifo: bool = False,
                   pattern: dict[str, Any] | None = None, start: str | dt.datetime = "LATEST",
                   retries: int | None = None, max_age: int | None = None,
                   on_failure: str | None = None, transformer: str = "RAW",
                   role: str | None = None, **extra: Any) -> str:
    """A subscriber on ``bus_arn`` delivering to ``target_arn``; its ARN.

    ``start`` is ``"LATEST"``, ``"HORIZON"`` (every retained event) or a datetime
    (POINT_IN_TIME, TIMESTAMP). ``pattern`` filters the event (scope DATA); ``retries`` and
    ``max_age`` set the RetryPolicy, ``on_failure`` the failure queue ARN.
    """
    params: dict[str, Any] = {
        "Name": name, "EventBusArn": bus_arn, "Type": "FIFO" if fifo else "UNORDERED",
        "InvokeConfiguration": {"RoleArn": role or role_arn(env), "TargetArn": target_arn},
        "Transformer": {"Type": transformer}, **extra}
    if pattern is not None:
        params["FilterConfiguration"] = {"Filters": [{"Scope": "DATA", "Pattern": json.dumps(pattern)}]}
    if start == "HORIZON":
        params.update(StartingPosition="POINT_IN_TIME", PointInTimeConfiguration={"PointType": "HORIZON"})
    elif isinstance(start, dt.datetime):
        params.update(StartingPosition="POINT_IN_TIME",
                      PointInTimeConfiguration={"PointType": "TIMESTAMP", "StartingPoint": start})
    policy = {k: v for k, v in (("MaxRetryAttempts", retries), ("MaxEventAgeInSeconds", max_age)) if v is not None}
    if policy:
        params["RetryPolicy"] = policy
    if on_failure:
        params["OnFailureConfiguration"] = {"Arn": on_failure}
    return env.client("eventbridgev2").create_subscriber(**params)["SubscriberArn"]


def order_event(customer: str, step: int, detail_type: str = "OrderStep", **detail: Any) -> dict[str, Any]:
    """One PutEvents entry: an order step of ``customer`` (the event group), deduplicated by
    ``customer`` and ``step`` (publishing it twice is answered DEDUPLICATED)."""
    body = {"customer": customer, "step": step, **detail}
    return {"Source": SOURCE, "DetailType": detail_type, "Detail": json.dumps(body),
            "SystemMetadata": {"EventGroupId": customer, "DeduplicationId": f"{customer}-{step}"}}


def publish_v2(env: Environment, bus_arn: str, entries: list[dict[str, Any]],
               content_based: bool = False) -> list[dict[str, Any]]:
    """PutEvents in calls of at most 100 entries; the per-entry results, in order."""
    v2 = env.client("eventbridgev2")
    results: list[dict[str, Any]] = []
    step = limits.EVENTBRIDGE_V2_MAX_PUT_EVENTS_ENTRIES
    for start in range(0, len(entries), step):
        params: dict[str, Any] = {"EventBusArn": bus_arn, "Entries": entries[start:start + step]}
        if content_based:
            params["DeduplicationConfiguration"] = {"DeduplicationType": "CONTENT_BASED"}
        results += v2.put_events(**params)["Entries"]
    return results


def set_running(env: Environment, subscriber_arn: str, running: bool, resume: str = "LAST_PROCESSED") -> str:
    """Stop or resume a subscriber (``resume``: LAST_PROCESSED keeps every event); its State."""
    params: dict[str, Any] = {"SubscriberArn": subscriber_arn, "State": "RUNNING" if running else "STOPPED"}
    if running:
        params["ResumePosition"] = resume
    env.client("eventbridgev2").update_subscriber(**params)
    return params["State"]


def delete_custom_bus(env: Environment, bus_arn: str) -> int:
    """Delete every subscriber of the bus, then the bus; how many subscribers went."""
    v2 = env.client("eventbridgev2")
    arns = [s["SubscriberArn"] for page in v2.get_paginator("list_subscribers").paginate(EventBusArn=bus_arn)
            for s in page["Subscribers"]]
    for arn in arns:
        v2.delete_subscriber(SubscriberArn=arn)
    v2.delete_event_bus(EventBusArn=bus_arn)
    return len(arns)
