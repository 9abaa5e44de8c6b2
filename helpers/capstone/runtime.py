"""What a SecureCart service's handler can do while it runs: charge, publish, reserve, notify.

A handler is ``handler(event, context)`` as Lambda calls it. Its side effects go through these
functions, which act on whatever runs the handler: the grader's day (bound with :func:`bound`)
or, in the exported template, boto3 calls to the destinations in the function's environment
variables (``EVENTS_ARN``). So the same handler is graded here and deployed to AWS.

Example
-------
>>> events_of({"Records": [{"messageId": "m1", "body": '{"order_id": "ord-1"}'}]})
[('m1', {'order_id': 'ord-1'})]
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

__all__ = ["events_of", "publish", "charge", "refund", "reserve", "ship", "notify", "record",
           "start_restock", "once", "bound", "ProviderUnavailableError", "AlreadyInProgressError",
           "NotBoundError"]

_SERVICES: ContextVar[Any] = ContextVar("securecart_services", default=None)


class NotBoundError(RuntimeError):
    """A runtime function was called outside a running handler."""


class ProviderUnavailableError(RuntimeError):
    """The payment provider did not answer (an outage): retry later."""


class AlreadyInProgressError(RuntimeError):
    """Another invocation is processing this idempotency key right now (as Powertools raises)."""


@contextlib.contextmanager
def bound(services: Any) -> Iterator[None]:
    """Run the block with ``services`` as what the runtime functions act on."""
    token = _SERVICES.set(services)
    try:
        yield
    finally:
        _SERVICES.reset(token)


def _current() -> Any:
    services = _SERVICES.get()
    if services is None:
        raise NotBoundError("This runs inside a handler only: the grader's day (or Lambda) calls "
                            "the handler. Fix: register the handler and run helpers.capstone.grade(env).")
    return services


def _payload(body: Any) -> Any:
    if isinstance(body, str):
        body = json.loads(body)
    if isinstance(body, dict) and body.get("Type") == "Notification" and "Message" in body:
        return _payload(body["Message"])  # an SNS envelope in an SQS body
    if isinstance(body, dict) and "detail-type" in body and "detail" in body:
        return body["detail"]  # an EventBridge event in an SQS body
    return body


def events_of(event: Any) -> list[tuple[str, Any]]:
    """The SecureCart payloads in a Lambda event, each with the id to report it failed by.

    Handles an SQS batch (``Records[].body``, raw, SNS envelope or EventBridge event), an SNS
    invocation (``Records[].Sns.Message``), an EventBridge event (``detail``) and a direct
    invocation (the payload itself, as a Step Functions task passes it).
    """
    if isinstance(event, dict) and "Records" in event:
        out = []
        for rec in event["Records"]:
            if "Sns" in rec:
                out.append((rec["Sns"]["MessageId"], _payload(rec["Sns"]["Message"])))
            else:
                out.append((rec["messageId"], _payload(rec["body"])))
        return out
    if isinstance(event, dict) and "detail-type" in event:
        return [(event.get("id", "event"), event["detail"])]
    return [("direct", event)]


def publish(event_type: str, detail: dict, *, group: str | None = None,
            dedup: str | None = None) -> None:
    """Send ``detail`` as an ``event_type`` event to this function's destination (``EVENTS_ARN``).

    ``group`` is the FIFO ``MessageGroupId`` (ignored by standard destinations), ``dedup`` the
    deduplication id.
    """
    _current().publish(event_type, detail, group=group, dedup=dedup)


def charge(order: dict) -> str:
    """Charge the order's card: ``"paid"`` or ``"declined"``; raises in an outage or on a bad order."""
    return _current().charge(order)


def refund(order: dict) -> None:
    """Give the order's money back."""
    _current().refund(order)


def reserve(order: dict) -> dict:
    """Reserve the order's item: ``{"reserved": bool, "low": bool, "stock": int}``."""
    return _current().reserve(order)


def ship(order: dict) -> None:
    """Hand the order to the carrier."""
    _current().ship(order)


def notify(detail: dict) -> None:
    """Tell the customer about a status change (raises while the e-mail provider is down)."""
    _current().notify(detail)


def record(detail: dict) -> None:
    """Record an event in this service's own store (analytics, support, security, audit)."""
    _current().record(detail)


def start_restock(detail: dict) -> None:
    """Start restocking the product in ``detail`` (the restock workflow)."""
    _current().start_restock(detail)


def once(key: str) -> contextlib.AbstractContextManager[bool]:
    """Idempotency on ``key``, as Powertools' idempotency utility keeps it in a table.

    ``with once(order_id) as first:`` yields ``True`` the first time (the record is marked in
    progress, then completed when the block ends without error; an error deletes it so a retry
    runs again), ``False`` when the key already completed, and raises
    :class:`AlreadyInProgressError` while another invocation holds it.
    """
    return _current().once(key)
