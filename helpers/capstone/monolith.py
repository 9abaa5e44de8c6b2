"""SecureCart before the migration: one program whose checkout calls every service in turn.

The monolith charges the card, reserves stock, ships, e-mails the customer and writes the
analytics, support and security records, all inside the checkout request, one request at a
time (one worker), and gives up after API Gateway's 29-second integration timeout. Its day is
graded like any design: its scorecard is the baseline.

Example
-------
>>> from helpers.capstone.traffic import day
>>> rec = run_monolith(day(orders=300))
>>> rec.accepted > 250
True
"""

from __future__ import annotations

import random

from .chaos import Chaos
from .discovery import Design
from .engine import DayRecord
from .traffic import DECLINED_CARD, POISON_ORDER, Shop

__all__ = ["run_monolith", "REQUEST_TIMEOUT_SECONDS", "PROVIDER_TIMEOUT_SECONDS", "WORKERS"]

#: API Gateway's maximum integration timeout for a REST API (29 s by default).
REQUEST_TIMEOUT_SECONDS = 29.0
#: How long the monolith waits for the payment provider before it gives up.
PROVIDER_TIMEOUT_SECONDS = 10.0
#: Requests the monolith serves at once.
WORKERS = 1


def _within(window: tuple[float, float] | None, t: float) -> bool:
    return bool(window) and window[0] <= t < window[1]


def run_monolith(orders: list[dict], chaos: Chaos | None = None, *, seed: int = 7,
                 shop: Shop | None = None) -> DayRecord:
    """Run the day through the monolith; a :class:`~helpers.capstone.engine.DayRecord`."""
    shop = shop or Shop.for_orders(len(orders))
    chaos = chaos or Chaos()
    rng = random.Random(f"capstone-monolith:{seed}")
    rec = DayRecord(Design("", ""), chaos=chaos)
    stock = {f"sku-{k + 1:02d}": shop.stock for k in range(shop.products)}
    refill: list[tuple[float, str]] = []
    free_at = 0.0
    for order in orders:
        oid, placed = order["order_id"], order["placed_at"]
        rec.orders[oid] = order
        start = max(placed, free_at)
        for due, sku in [r for r in refill if r[0] <= start]:
            stock[sku] += shop.restock_units
            refill.remove((due, sku))
        t = start
        if chaos.poison and oid == POISON_ORDER:
            free_at = t + 0.05
            rec.rejected[oid] = "500: amount is not a number"
            continue
        if _within(chaos.payment_outage, t):
            free_at = t + PROVIDER_TIMEOUT_SECONDS
            rec.rejected[oid] = "payment provider timed out"
            continue
        t += chaos.slow_seconds if _within(chaos.slow_consumer, t) else rng.uniform(1.0, 3.0)
        if t - placed > REQUEST_TIMEOUT_SECONDS:
            free_at = t
            rec.rejected[oid] = "request timed out (29 s)"
            continue
        rec.requests["monolith", "requests"] += 1
        if order["card"] == DECLINED_CARD:
            rec.declined[oid] = t
            events = ["PaymentFailed"]
        else:
            rec.charges.append((t, oid, order["customer_id"]))
            t += rng.uniform(0.1, 0.4)
            if stock[order["sku"]] > 0:
                stock[order["sku"]] -= 1
                if stock[order["sku"]] == shop.threshold:
                    rec.lows.append((t, order["sku"]))
                    rec.restocks.append((t, order["sku"], oid))
                    refill.append((t + shop.restock_seconds, order["sku"]))
                rec.shipped[oid] = t
                events = ["PaymentSucceeded", "OrderShipped"]
            else:
                rec.refunds[oid] = t
                events = ["PaymentSucceeded", "OrderRefunded"]
        for kind in events:
            rec.status_at[oid, kind] = t
            rec.records["analytics"].append((t, oid, kind))
            if kind in ("PaymentFailed", "OrderRefunded"):
                rec.records["support"].append((t, oid, kind))
            if kind == "PaymentFailed":
                rec.records["security"].append((t, oid, kind))
            if kind != "PaymentSucceeded" and not _within(chaos.subscriber_down, t):
                rec.notices.append((t, oid, kind))  # an e-mail error is logged and forgotten
        t += rng.uniform(0.1, 0.3)
        free_at = t
        rec.checkout_latency[oid] = t - placed
    rec.end = orders[-1]["placed_at"] if orders else 0.0
    return rec
