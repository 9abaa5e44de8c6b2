"""Publish events with PutEvents: at most 10 entries per call, failed entries re-sent.

PutEvents reports failures per entry (``FailedEntryCount``, ``ErrorCode`` on the entry):
the call succeeds while some of its events were not accepted. :func:`publish` re-sends just
those. Each batch is checked first against the limits AWS enforces (10 entries; 1 MB of
entries since January 2026), and optionally against the event's registered schema.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> entries = [entry("InventoryLow", {"sku": f"SKU-{i:04d}", "stock": 1, "restock_threshold": 5})
...            for i in range(1, 24)]
>>> publish(env, entries)
published 23 events in 3 PutEvents calls (0 entries re-sent, 0 failed)
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..emulation.events import entry_size
from ..platform import limits
from ..platform.errors import EventTooLargeError, InvalidParameterError, TooManyEntriesError
from ..platform.inputs import count, json_text
from .rules import SOURCES
from .types import PublishResult

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["entry", "publish", "put_batch", "batches"]

_DEFAULT_SOURCE = {"InventoryLow": "inventory", "InventoryRestocked": "restock", "OrderPlaced": "orders"}


def entry(detail_type: str, detail: dict[str, Any], bus: Any = "default", source: str | None = None) -> dict[str, Any]:
    """One PutEvents entry (``Detail`` as JSON text)."""
    if not isinstance(detail, dict):
        raise InvalidParameterError(
            f"detail={detail!r:.60}: EventBridge's Detail is a JSON object (PutEvents), and a "
            f"{type(detail).__name__} is not one. Fix: entry({detail_type!r}, {{'order_id': ...}}).")
    source = source or SOURCES.get(_DEFAULT_SOURCE.get(detail_type, ""), "securecart.orders")
    if detail_type.startswith("Audit"):
        source = source if source != "securecart.orders" else SOURCES["audit"]
    text = json_text(detail, f"The {detail_type} detail",
                     rule="EventBridge's Detail is a JSON object (PutEvents)")
    return {"Source": source, "DetailType": detail_type, "Detail": text,
            "EventBusName": getattr(bus, "name", bus)}


def batches(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Entries in slices of at most 10 (PutEvents' limit)."""
    size = limits.EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES
    return [entries[i:i + size] for i in range(0, len(entries), size)]


def put_batch(env: Environment, entries: list[dict[str, Any]], client: Any = None) -> dict[str, Any]:
    """One ``PutEvents`` call, checked against AWS's limits first (one clear error, nothing sent)."""
    if len(entries) > limits.EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES:
        raise TooManyEntriesError(
            f"{len(entries)} entries in one PutEvents call: EventBridge accepts at most "
            f"{limits.EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES}. Fix: use publish(), which sends batches of 10.")
    total = sum(entry_size(e) for e in entries)
    if total > limits.EVENTBRIDGE_MAX_EVENT_BYTES:
        raise EventTooLargeError(
            f"The entries add up to {total:,} bytes: PutEvents accepts at most "
            f"{limits.EVENTBRIDGE_MAX_EVENT_BYTES:,} bytes (1 MB since January 2026; 256 KB before). "
            "Fix: put a large payload in S3 and send its key in the event (claim check).")
    return (client or env.client("events")).put_events(Entries=entries)


def publish(env: Environment, entries: list[dict[str, Any]], *, max_resends: int = 3, client: Any = None,
            registry: Any = None) -> PublishResult:
    """Publish ``entries`` in batches of 10, re-sending failed entries up to ``max_resends`` times.

    With ``registry`` (:class:`helpers.events.schemas.LocalSchemaRegistry` or the AWS one),
    every entry is validated against its detail-type's schema before anything is sent.
    """
    if not isinstance(entries, list | tuple):
        raise InvalidParameterError(
            f"entries={entries!r:.60}: publish takes a list of entries. Fix: "
            "publish(env, [entry('OrderPlaced', {...})]).")
    max_resends = count(max_resends, "max_resends",
                        rule="the number of re-sends of an entry PutEvents failed")
    if registry is not None:
        for item in entries:
            registry.validate(item["DetailType"], json.loads(item["Detail"]))
    result = PublishResult()
    for batch in batches(entries):
        pending = batch
        for attempt in range(max_resends + 1):
            answer = put_batch(env, pending, client)
            result.calls += 1
            failed = []
            for sent, outcome in zip(pending, answer["Entries"], strict=True):
                if "EventId" in outcome:
                    result.event_ids.append(outcome["EventId"])
                else:
                    failed.append({**sent, "ErrorCode": outcome.get("ErrorCode"),
                                   "ErrorMessage": outcome.get("ErrorMessage")})
            if not failed:
                break
            if attempt == max_resends:
                result.failed.extend(failed)
                break
            result.resent += len(failed)
            pending = [{k: v for k, v in f.items() if k not in ("ErrorCode", "ErrorMessage")} for f in failed]
    return result
