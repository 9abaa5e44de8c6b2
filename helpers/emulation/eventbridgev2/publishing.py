"""PutEvents on a Custom Event Bus: the 1 MB request limit, deduplication, sequence numbers.

Each accepted entry becomes one :class:`.models.StoredEvent` (the Classic envelope as its
``Data``) with the next sequence number of the bus. A repeat of a ``DeduplicationId`` (or, with
``DeduplicationConfiguration`` ``CONTENT_BASED``, of the same content) within 5 minutes answers
``DEDUPLICATED`` and stores nothing; the check is scoped to the publishing account and event
group (ungrouped entries share one scope on the bus).

Example
-------
>>> request_bytes([{"Source": "shop", "DetailType": "Order", "Detail": "{}"}])
11
"""

from __future__ import annotations

import json
from typing import Any

from ...platform import limits
from .models import Backend, StoredEvent, _epoch, when
from .validation import ServiceError, check_input

__all__ = ["put_events", "request_bytes"]


def request_bytes(entries: list[dict[str, Any]]) -> int:
    """Bytes of all entries together, counted as Classic counts one entry (UTF-8 of each field)."""
    total = 0
    for entry in entries:
        for key in ("Source", "DetailType", "Detail"):
            total += len((entry.get(key) or "").encode())
        total += sum(len(r.encode()) for r in entry.get("Resources") or [])
        if entry.get("Time") is not None:
            total += 14
    return total


def _entry_error(entry: dict[str, Any]) -> tuple[str, str] | None:
    if entry["Source"].startswith("aws."):
        return "NotAuthorizedForSourceException", "Not authorized for the source."
    try:
        detail = json.loads(entry.get("Detail") or "{}")
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return "MalformedDetail", "Detail is malformed."
    return None


def put_events(backend: Backend, params: dict[str, Any], now: float) -> tuple[dict[str, Any], list[StoredEvent]]:
    """Answer a PutEvents request; also return the events stored (for delivery)."""
    check_input("PutEvents", params)
    bus = backend.active_bus(params["EventBusArn"], now, "PutEvents")
    entries = params["Entries"]
    size = request_bytes(entries)
    if size > limits.EVENTBRIDGE_V2_MAX_REQUEST_BYTES:
        raise ServiceError("InvalidInputException", f"Total size of the entries in the request is "
                           f"over the limit: {size} bytes, at most "
                           f"{limits.EVENTBRIDGE_V2_MAX_REQUEST_BYTES} bytes (1 MB) per request.")
    content_based = (params.get("DeduplicationConfiguration") or {}).get("DeduplicationType") == "CONTENT_BASED"
    window = limits.EVENTBRIDGE_V2_DEDUPLICATION_WINDOW_SECONDS
    bus.dedup = {k: v for k, v in bus.dedup.items() if now - v[0] < window}
    results, stored, failed = [], [], 0
    for entry in entries:
        error = _entry_error(entry)
        if error is not None:
            failed += 1
            results.append({"ErrorCode": error[0], "ErrorMessage": error[1]})
            continue
        system = entry.get("SystemMetadata") or {}
        group = system.get("EventGroupId")
        token = system.get("DeduplicationId") or (backend.content_key(entry) if content_based else None)
        key = (backend.account if group is not None else None, group, token)
        if token is not None and key in bus.dedup:
            first = bus.dedup[key][1]
            results.append({"EventId": first.id, "SequenceNumber": first.sequence_number,
                            "SuccessCode": "DEDUPLICATED"})
            continue
        event_id = str(_uuid(backend.rng))
        at = _epoch(entry.get("Time")) or now
        data = {"version": "0", "id": event_id, "detail-type": entry["DetailType"],
                "source": entry["Source"], "account": backend.account,
                "time": when(at).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": backend.region,
                "resources": list(entry.get("Resources") or []),
                "detail": json.loads(entry.get("Detail") or "{}")}
        event = StoredEvent(seq=bus.next_seq, id=event_id, time=now, account=backend.account,
                            group=group, data=data)
        bus.next_seq += 1
        bus.events.append(event)
        stored.append(event)
        if token is not None:
            bus.dedup[key] = (now, event)
        results.append({"EventId": event_id, "SequenceNumber": event.sequence_number,
                        "SuccessCode": "PUBLISHED"})
    return {"FailedEntryCount": failed, "Entries": results}, stored


def _uuid(rng: Any) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
