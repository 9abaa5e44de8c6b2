"""Event design and versioning: thin vs fat events, the claim check, an envelope, parallel versions.

* A **thin** event says *what happened* (``{"order_id": ...}``); every consumer calls back the
  orders service for the rest. A **fat** event carries the state consumers need; no
  call-backs, but its schema is a contract. EventBridge events and asynchronous Lambda
  payloads may be 1 MB since January 2026 (256 KB before); above that, or for data that must
  not travel (card details, a 3 MB invoice), the **claim check**: store the payload in S3 and
  send its location.
* An **envelope** separates metadata from data: ``id`` (idempotency key), ``correlation_id``
  (one checkout across every service), ``causation_id`` (the event that caused this one),
  ``version`` (the schema of ``data``).
* A **breaking change** (``total`` from a number to ``{"amount", "currency"}``) is published in
  *parallel versions*: the producer sends v1 and v2 while consumers move; each rule matches
  the version its consumer understands (``{"detail": {"metadata": {"version": ["1"]}}}``).

Example
-------
>>> e = envelope("OrderPlaced", {"order_id": "ord-1"}, version="2", correlation_id="chk-1", event_id="evt-1")
>>> e["metadata"]["version"], e["data"]["order_id"]
('2', 'ord-1')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..events import create_bus, create_rule
from ..sqs import create_queue
from .invocation import drain

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["envelope", "order_v1", "order_v2", "VersionRun", "parallel_versions", "claim_check",
           "ClaimCheckRun"]


def envelope(detail_type: str, data: dict[str, Any], *, version: str, correlation_id: str, event_id: str,
             causation_id: str | None = None) -> dict[str, Any]:
    """An event's ``detail``: ``metadata`` (id, correlation, causation, version, type) and ``data``."""
    return {"metadata": {"id": event_id, "type": detail_type, "version": version,
                         "correlation_id": correlation_id, "causation_id": causation_id},
            "data": data}


def order_v1(order_id: str, total_cents: int) -> dict[str, Any]:
    """OrderPlaced v1: ``total`` in dollars, a number."""
    return {"order_id": order_id, "total": total_cents / 100}


def order_v2(order_id: str, total_cents: int) -> dict[str, Any]:
    """OrderPlaced v2 (breaking): ``total`` is an object in minor units with a currency."""
    return {"order_id": order_id, "total": {"amount": total_cents, "currency": "USD"}}


def _v1_consumer(detail: dict[str, Any]) -> str:
    """The loyalty service, written for v1: 1 point per dollar."""
    return f"{detail['data']['order_id']}: {int(detail['data']['total'])} points"


@dataclass
class VersionRun:
    """What the v1 consumer made of the events it received."""

    filtered: bool
    received: int
    credited: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        rule = "rule matches version 1" if self.filtered else "rule matches every OrderPlaced"
        return (f"v1 consumer ({rule}): {self.received} events, {len(self.credited)} credited, "
                f"{len(self.errors)} failed" + (f" e.g. {self.errors[0]}" if self.errors else ""))


def parallel_versions(env: Environment, *, filtered: bool, name: str = "versions") -> VersionRun:
    """The producer publishes each order as v1 and v2; the v1 consumer's rule matches
    ``version`` 1 (``filtered``) or every OrderPlaced."""
    suffix = "v1-only" if filtered else "any"
    bus = create_bus(env, f"{name}-{suffix}")
    queue = create_queue(env, f"{name}-loyalty-{suffix}", dlq=False)
    pattern: dict[str, Any] = {"detail-type": ["OrderPlaced"]}
    if filtered:
        pattern["detail"] = {"metadata": {"version": ["1"]}}
    rule = create_rule(env, f"{name}-loyalty-{suffix}", pattern, bus=bus.name)
    events = env.client("events")
    events.put_targets(Rule=rule.name, EventBusName=bus.name, Targets=[{"Id": "loyalty", "Arn": queue.arn}])
    for n, cents in enumerate((4250, 73000, 800), start=1):
        order = f"ord-60{n}"
        events.put_events(Entries=[
            {"EventBusName": bus.name, "Source": "securecart.orders", "DetailType": "OrderPlaced",
             "Detail": json.dumps(envelope("OrderPlaced", make(order, cents), version=version,
                                           correlation_id=f"chk-{order}", event_id=f"evt-{order}-v{version}"))}
            for version, make in (("1", order_v1), ("2", order_v2))])
    run = VersionRun(filtered, 0)
    for event in drain(env, queue.url):
        run.received += 1
        try:
            run.credited.append(_v1_consumer(event["detail"]))
        except TypeError as err:
            run.errors.append(f"{event['detail']['metadata']['id']}: TypeError: {err}")
    return run


@dataclass
class ClaimCheckRun:
    """A fat event over the size limit, and the claim-check event that replaced it."""

    fat_bytes: int
    refused: str
    claim_bytes: int
    claim: dict[str, Any]
    fetched_bytes: int


def claim_check(env: Environment, *, lines: int = 12_000, name: str = "invoices") -> ClaimCheckRun:
    """An invoice with ``lines`` line items as one event (refused over 1 MB), then as a claim
    check: the invoice in S3, the event carrying bucket, key and size."""
    invoice = {"order_id": "ord-7777", "lines": [{"sku": f"SKU-{n:05d}", "qty": 1, "price_cents": 1999,
                                                  "description": "replacement part, boxed"} for n in range(lines)]}
    body = json.dumps(invoice)
    events = env.client("events")
    entry = {"Source": "securecart.billing", "DetailType": "InvoiceIssued", "Detail": body}
    try:
        events.put_events(Entries=[entry])
        refused = "accepted"
    except ClientError as err:
        refused = f"{err.response['Error']['Code']}: {err.response['Error']['Message']}"
    s3 = env.client("s3")
    bucket = env.name(name, "s3")
    s3.create_bucket(Bucket=bucket)
    key = "invoices/ord-7777.json"
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    claim = {"order_id": "ord-7777", "invoice": {"bucket": bucket, "key": key, "bytes": len(body)}}
    events.put_events(Entries=[{**entry, "Detail": json.dumps(claim)}])
    fetched = s3.get_object(Bucket=claim["invoice"]["bucket"], Key=claim["invoice"]["key"])["Body"].read()
    s3.delete_object(Bucket=bucket, Key=key)  # the course's teardown does not track buckets
    s3.delete_bucket(Bucket=bucket)
    return ClaimCheckRun(len(body), refused, len(json.dumps(claim)), claim, len(fetched))
