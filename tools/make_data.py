"""Regenerate SecureCart's sample data and JSON Schemas under ``data/``.

Usage: ``python tools/make_data.py`` (from the project root or anywhere). The random generator
is seeded (``SEED``), so every run writes byte-identical files; ``tests/toolkits/test_data.py`` checks
that the committed files match what this script builds.

Writes
------
- ``data/catalogue.json``: 40 products (a few at or below their restock threshold).
- ``data/customers.json``: 25 fictional customers; emails only at example.com/.org/.net
  (RFC 2606), phones only in the 555-0100..0199 range reserved for fiction.
- ``data/schemas/<name>.schema.json``: JSON Schema (draft 2020-12) for both files and for the
  ``detail`` of each SecureCart event.

Example
-------
>>> import make_data                                    # doctest: +SKIP
>>> make_data.build_catalogue()[0]["sku"]               # doctest: +SKIP
'SKU-0001'
"""

from __future__ import annotations

import json
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

__all__ = [
    "SEED",
    "N_PRODUCTS",
    "N_CUSTOMERS",
    "LOW_STOCK_COUNT",
    "build_catalogue",
    "build_customers",
    "build_schemas",
    "build_all",
    "render",
    "main",
]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

#: The one seed of every file this script writes.
SEED = 20240601
N_PRODUCTS = 40
N_CUSTOMERS = 25
#: Products whose stock starts at or below their restock threshold (InventoryLow material).
LOW_STOCK_COUNT = 5

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_BASE = "https://securecart.example.com/schemas/"

CATEGORIES: dict[str, tuple[tuple[float, float], list[str], list[str]]] = {
    "electronics": (
        (12.0, 349.0),
        ["Wireless", "Compact", "Smart", "Noise-Cancelling", "Portable", "Ultra"],
        ["Headphones", "Charger", "Speaker", "Webcam", "Keyboard", "Power Bank", "Mouse"],
    ),
    "home": (
        (6.0, 129.0),
        ["Ceramic", "Bamboo", "Linen", "Copper", "Stackable", "Insulated"],
        ["Mug", "Cutting Board", "Throw Blanket", "Kettle", "Storage Box", "Water Bottle"],
    ),
    "books": (
        (8.0, 59.0),
        ["Practical", "Illustrated", "Pocket", "Complete", "Hands-On"],
        ["Guide to Queues", "Event Patterns", "Cookbook", "Field Notes", "Workbook"],
    ),
    "outdoor": (
        (9.0, 249.0),
        ["Trail", "Waterproof", "Ultralight", "Folding", "Solar"],
        ["Backpack", "Lantern", "Tent", "Camp Chair", "Headlamp", "Rain Jacket"],
    ),
    "toys": (
        (5.0, 89.0),
        ["Wooden", "Magnetic", "Glow", "Puzzle", "Remote-Control"],
        ["Blocks", "Train Set", "Kite", "Robot", "Marble Run"],
    ),
}

FIRST_NAMES = [
    "Avery", "Blake", "Casey", "Dakota", "Emery", "Finley", "Harper", "Jordan", "Kendall",
    "Logan", "Morgan", "Noel", "Parker", "Quinn", "Reese", "Riley", "Rowan", "Sage",
    "Skyler", "Tatum", "Blair", "Ellis", "Hayden", "Jules", "Marlow",
]
# Storybook surnames: nobody should mistake a customer for a real person.
SURNAMES = [
    "Quillfeather", "Pebblecroft", "Thistlewood", "Marblethorpe", "Fizzwick", "Bramblebury",
    "Copperkettle", "Dewdrop", "Lanternfield", "Mossbottom", "Puddlefoot", "Wobblesworth",
    "Nimbleton", "Sprocketts", "Buttonhollow", "Gingerwhistle", "Tumbledown", "Figglesby",
]
CITIES = [
    "Springfield", "Riverton", "Fairview", "Lakewood", "Greenville", "Franklin", "Madison",
    "Oakridge",
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]


def _money(value: float) -> float:
    """Round half-up to cents and return a float that prints with at most 2 decimals."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def build_catalogue(seed: int = SEED) -> list[dict[str, Any]]:
    """The product list: ``sku``, ``name``, ``category``, ``price``, ``stock``,
    ``restock_threshold``; ``LOW_STOCK_COUNT`` products start at or below the threshold."""
    rng = random.Random(seed)
    categories = sorted(CATEGORIES)
    low = set(rng.sample(range(N_PRODUCTS), LOW_STOCK_COUNT))
    products: list[dict[str, Any]] = []
    used: set[str] = set()
    for index in range(N_PRODUCTS):
        category = categories[index % len(categories)]
        (lo, hi), adjectives, nouns = CATEGORIES[category]
        name = f"{rng.choice(adjectives)} {rng.choice(nouns)}"
        while name in used:
            name = f"{rng.choice(adjectives)} {rng.choice(nouns)}"
        used.add(name)
        threshold = rng.randint(5, 20)
        stock = rng.randint(0, threshold) if index in low else rng.randint(threshold + 5, 400)
        products.append(
            {
                "sku": f"SKU-{index + 1:04d}",
                "name": name,
                "category": category,
                "price": _money(rng.uniform(lo, hi)),
                "stock": stock,
                "restock_threshold": threshold,
            }
        )
    return products


def build_customers(seed: int = SEED) -> list[dict[str, Any]]:
    """The customer list: ``customer_id``, ``name``, ``email``, ``phone``, ``tier``, ``city``.

    Phones are ``+1-202-555-01NN`` with NN distinct (555-0100..0199 is reserved for fiction)."""
    rng = random.Random(seed + 1)
    firsts = rng.sample(FIRST_NAMES, N_CUSTOMERS)
    phones = rng.sample(range(100), N_CUSTOMERS)
    customers: list[dict[str, Any]] = []
    for index in range(N_CUSTOMERS):
        first, last = firsts[index], rng.choice(SURNAMES)
        domain = EMAIL_DOMAINS[index % len(EMAIL_DOMAINS)]
        customers.append(
            {
                "customer_id": f"cus-{index + 1:03d}",
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}@{domain}",
                "phone": f"+1-202-555-01{phones[index]:02d}",
                "tier": "gold" if rng.random() < 0.25 else "standard",
                "city": rng.choice(CITIES),
            }
        )
    return customers


# --- schemas ----------------------------------------------------------------------------
ORDER_ID = {"type": "string", "pattern": "^ord-[0-9]{5}$", "description": "e.g. ord-00001"}
PAYMENT_ID = {"type": "string", "pattern": "^pay-[0-9]{5}$"}
CUSTOMER_ID = {"type": "string", "pattern": "^cus-[0-9]{3}$", "description": "e.g. cus-007"}
SKU = {"type": "string", "pattern": "^SKU-[0-9]{4}$", "description": "e.g. SKU-0001"}
AMOUNT = {"type": "number", "minimum": 0, "description": "money, 2 decimals"}
CURRENCY = {"type": "string", "enum": ["USD", "EUR", "GBP"]}
SEQ = {
    "type": "integer",
    "minimum": 1,
    "description": "1-based position of this event among the same customer's events",
}
TIMESTAMP = {"type": "string", "format": "date-time"}
ORDER_STATUSES = [
    "placed", "paid", "payment_failed", "reserved", "shipped", "delivered", "cancelled",
    "refunded",
]


def _event(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{SCHEMA_ID_BASE}{name}.schema.json",
        "title": name,
        "description": description,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _line(qty_and_price: bool) -> dict:
    props: dict[str, Any] = {"sku": SKU, "qty": {"type": "integer", "minimum": 1}}
    if qty_and_price:
        props["unit_price"] = AMOUNT
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def build_schemas() -> dict[str, dict]:
    """``{file stem: schema}`` for every event type and both data files."""
    schemas = {
        "OrderPlaced": _event(
            "OrderPlaced",
            "A customer placed an order (the Orders service publishes it).",
            {
                "order_id": ORDER_ID,
                "customer_id": CUSTOMER_ID,
                "seq": SEQ,
                "items": {"type": "array", "minItems": 1, "items": _line(True)},
                "total": AMOUNT,
                "currency": CURRENCY,
                "placed_at": TIMESTAMP,
            },
            ["order_id", "customer_id", "items", "total", "currency"],
        ),
        "PaymentAuthorized": _event(
            "PaymentAuthorized",
            "The Payments service authorized the order's amount.",
            {
                "order_id": ORDER_ID,
                "customer_id": CUSTOMER_ID,
                "seq": SEQ,
                "payment_id": PAYMENT_ID,
                "amount": AMOUNT,
                "currency": CURRENCY,
                "authorized_at": TIMESTAMP,
            },
            ["order_id", "customer_id", "amount", "currency"],
        ),
        "PaymentFailed": _event(
            "PaymentFailed",
            "The Payments service could not authorize the order's amount.",
            {
                "order_id": ORDER_ID,
                "customer_id": CUSTOMER_ID,
                "seq": SEQ,
                "payment_id": PAYMENT_ID,
                "amount": AMOUNT,
                "currency": CURRENCY,
                "reason": {
                    "type": "string",
                    "enum": [
                        "card_declined", "insufficient_funds", "fraud_suspected",
                        "expired_card", "processor_timeout",
                    ],
                },
                "failed_at": TIMESTAMP,
            },
            ["order_id", "customer_id", "amount", "currency", "reason"],
        ),
        "InventoryReserved": _event(
            "InventoryReserved",
            "The Inventory service reserved stock for every line of the order.",
            {
                "order_id": ORDER_ID,
                "reservation_id": {"type": "string", "pattern": "^res-[0-9]{5}$"},
                "items": {"type": "array", "minItems": 1, "items": _line(False)},
                "reserved_at": TIMESTAMP,
            },
            ["order_id", "items"],
        ),
        "InventoryLow": _event(
            "InventoryLow",
            "A product's stock fell to or below its restock threshold.",
            {
                "sku": SKU,
                "name": {"type": "string", "minLength": 1},
                "stock": {"type": "integer", "minimum": 0},
                "restock_threshold": {"type": "integer", "minimum": 0},
                "detected_at": TIMESTAMP,
            },
            ["sku", "stock", "restock_threshold"],
        ),
        "OrderShipped": _event(
            "OrderShipped",
            "The Shipping service handed the order to a carrier.",
            {
                "order_id": ORDER_ID,
                "customer_id": CUSTOMER_ID,
                "carrier": {"type": "string", "enum": ["UPS", "FedEx", "USPS", "DHL"]},
                "tracking_number": {"type": "string", "pattern": "^[A-Z0-9]{8,30}$"},
                "shipped_at": TIMESTAMP,
            },
            ["order_id", "customer_id", "carrier", "tracking_number"],
        ),
        "OrderStatusChanged": _event(
            "OrderStatusChanged",
            "An order moved to a new status (order matters: publish per order in sequence).",
            {
                "order_id": ORDER_ID,
                "customer_id": CUSTOMER_ID,
                "seq": SEQ,
                "status": {"type": "string", "enum": ORDER_STATUSES},
                "previous_status": {"type": "string", "enum": ORDER_STATUSES},
                "changed_at": TIMESTAMP,
            },
            ["order_id", "status"],
        ),
        "RefundRequested": _event(
            "RefundRequested",
            "A customer asked for money back on an order.",
            {
                "order_id": ORDER_ID,
                "customer_id": CUSTOMER_ID,
                "refund_id": {"type": "string", "pattern": "^ref-[0-9]{5}$"},
                "amount": AMOUNT,
                "currency": CURRENCY,
                "reason": {
                    "type": "string",
                    "enum": ["damaged", "not_received", "wrong_item", "changed_mind"],
                },
                "requested_at": TIMESTAMP,
            },
            ["order_id", "customer_id", "amount", "currency", "reason"],
        ),
    }
    schemas["catalogue"] = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{SCHEMA_ID_BASE}catalogue.schema.json",
        "title": "catalogue",
        "description": "SecureCart's product catalogue (data/catalogue.json).",
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "properties": {
                "sku": SKU,
                "name": {"type": "string", "minLength": 1},
                "category": {"type": "string", "enum": sorted(CATEGORIES)},
                "price": AMOUNT,
                "stock": {"type": "integer", "minimum": 0},
                "restock_threshold": {"type": "integer", "minimum": 0},
            },
            "required": ["sku", "name", "category", "price", "stock", "restock_threshold"],
            "additionalProperties": False,
        },
    }
    schemas["customers"] = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{SCHEMA_ID_BASE}customers.schema.json",
        "title": "customers",
        "description": (
            "SecureCart's fictional customers (data/customers.json): emails only at the "
            "reserved example domains, phones only in the 555-0100..0199 fiction range."
        ),
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "properties": {
                "customer_id": CUSTOMER_ID,
                "name": {"type": "string", "minLength": 1},
                "email": {
                    "type": "string",
                    "pattern": "^[a-z0-9._+-]+@example\\.(com|org|net)$",
                },
                "phone": {"type": "string", "pattern": "^\\+1-[0-9]{3}-555-01[0-9]{2}$"},
                "tier": {"type": "string", "enum": ["standard", "gold"]},
                "city": {"type": "string", "minLength": 1},
            },
            "required": ["customer_id", "name", "email", "phone", "tier", "city"],
            "additionalProperties": False,
        },
    }
    return schemas


def render(value: Any) -> str:
    """The exact text written for a JSON value (2-space indent, trailing newline)."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def build_all() -> dict[str, str]:
    """``{path relative to data/: file text}`` for every file this script writes."""
    files = {
        "catalogue.json": render(build_catalogue()),
        "customers.json": render(build_customers()),
    }
    for stem, schema in build_schemas().items():
        files[f"schemas/{stem}.schema.json"] = render(schema)
    return files


def main() -> int:
    """Write every file under ``data/`` and print what was written."""
    for relative, text in build_all().items():
        path = DATA / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote data/{relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
