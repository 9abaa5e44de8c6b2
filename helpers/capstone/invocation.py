"""One invocation of a student's function during the grader's day: what the runtime calls act on.

A handler calls ``charge``, ``publish``, ``once`` ... from :mod:`helpers.capstone.runtime`; while
it runs, those calls land on the :class:`Invocation` the day bound for it, which reads the
day's clock, chaos and record.

Example
-------
>>> Invocation.__name__
'Invocation'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .discovery import Function
from .runtime import AlreadyInProgressError, ProviderUnavailableError
from .traffic import DECLINED_CARD

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Day

__all__ = ["Invocation"]


class Invocation:
    """What the runtime functions act on during one invocation of one function."""

    def __init__(self, day: Day, fn: Function, start: float, end: float) -> None:
        self.day, self.fn, self.start, self.now = day, fn, start, end

    def publish(self, event_type: str, detail: dict, *, group: str | None, dedup: str | None) -> None:
        detail = {**detail, "type": event_type}
        if event_type in ("PaymentSucceeded", "PaymentFailed", "OrderShipped", "OrderRefunded",
                          "OutOfStock", "InventoryReserved"):
            self.day.rec.status_at.setdefault((detail["order_id"], event_type), self.now)
        if not self.fn.destination:
            self.day.at(self.now, self.day.legacy, event_type, detail)
            return
        target = self.day.functions.get(self.fn.destination)
        if target is not None and self.fn.name == "checkout":
            # A synchronous call: checkout waits for it, and fails when it fails.
            ok, _ = self.day.invoke(target, detail, self.now, sync=True)
            if not ok:
                raise ProviderUnavailableError(f"synchronous call to {target.name} failed")
            return
        self.day.at(self.now, self.day.send, self.fn.destination, event_type, detail, group, dedup,
                    self.fn.name)

    def charge(self, order: dict) -> str:
        day = self.day
        if not isinstance(order.get("amount"), int | float):
            raise ValueError(f"amount {order.get('amount')!r} of {order['order_id']} is not a number")
        if day.within(day.chaos.payment_outage, self.start):
            raise ProviderUnavailableError("payment provider timed out")
        if order.get("card") == DECLINED_CARD:
            day.rec.declined.setdefault(order["order_id"], self.now)
            return "declined"
        day.rec.charges.append((self.now, order["order_id"], order["customer_id"]))
        return "paid"

    def refund(self, order: dict) -> None:
        self.day.rec.refunds.setdefault(order["order_id"], self.now)

    def reserve(self, order: dict) -> dict:
        day = self.day
        sku = order["sku"]
        if day.stock[sku] <= 0:
            return {"reserved": False, "low": False, "stock": 0}
        day.stock[sku] -= order.get("qty", 1)
        low = day.stock[sku] == day.shop.threshold
        if low:
            day.rec.lows.append((self.now, sku))
        return {"reserved": True, "low": low, "stock": day.stock[sku]}

    def ship(self, order: dict) -> None:
        self.day.rec.shipped.setdefault(order["order_id"], self.now)

    def notify(self, detail: dict) -> None:
        if self.day.within(self.day.chaos.subscriber_down, self.start):
            raise ConnectionError("e-mail provider unavailable")
        self.day.rec.notices.append((self.now, detail["order_id"], detail["type"]))

    def record(self, detail: dict) -> None:
        self.day.rec.records[self.fn.name].append(
            (self.now, detail.get("order_id", detail.get("sku", "?")), detail.get("type", "?")))

    def start_restock(self, detail: dict) -> None:
        day = self.day
        day.rec.restocks.append((self.now, detail["sku"], detail.get("order_id", "")))
        day.at(self.now + day.shop.restock_seconds, day.restocked, detail["sku"])

    @contextlib.contextmanager
    def once(self, key: str) -> Iterator[bool]:
        store = self.day.idem[self.fn.name]
        done_at = store.get(key)
        if done_at is not None and done_at <= self.start:
            yield False
            return
        if done_at is not None:
            raise AlreadyInProgressError(f"{key} is being processed by another invocation")
        store[key] = self.now
        try:
            yield True
        except BaseException:
            store.pop(key, None)
            raise
