"""SecureCart's sample data, its JSON Schemas, and a seeded order generator.

The files live in ``data/`` (regenerate them with ``python tools/make_data.py``):
``catalogue.json`` (40 products, a few low on stock), ``customers.json`` (25 fictional
customers), and ``schemas/<EventType>.schema.json`` (JSON Schema draft 2020-12) for the
``detail`` of each event SecureCart's services publish.

Example
-------
>>> from helpers.data import OrderGenerator, load_catalogue, validate_event
>>> len(load_catalogue()) > 0
True
>>> order = OrderGenerator(seed=42).orders(1)[0]
>>> order["order_id"], order["seq"]
('ord-00001', 1)
>>> validate_event("OrderPlaced", order) is order
True
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .platform.errors import DataValidationError

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema.exceptions import ValidationError

__all__ = [
    "DATA_DIR",
    "SCHEMA_DIR",
    "EVENT_TYPES",
    "load_catalogue",
    "load_customers",
    "load_schema",
    "validate_event",
    "OrderGenerator",
]

#: Folder of the course's data files (``<project>/data``).
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
#: Folder of the JSON Schemas (``<project>/data/schemas``).
SCHEMA_DIR = DATA_DIR / "schemas"

#: Every SecureCart event type with a schema, in the order an order's life produces them.
EVENT_TYPES: tuple[str, ...] = (
    "OrderPlaced",
    "PaymentAuthorized",
    "PaymentFailed",
    "InventoryReserved",
    "InventoryLow",
    "OrderShipped",
    "OrderStatusChanged",
    "RefundRequested",
)

_MAX_ITEMS_PER_ORDER = 3
_MAX_QTY = 3


@lru_cache(maxsize=32)
def _read_text(path: str) -> str:
    """The text of a data file (cached: the files do not change while a notebook runs)."""
    return Path(path).read_text(encoding="utf-8")


def _load_json(path: Path) -> Any:
    """A fresh parse of a data file, so callers may mutate what they get."""
    try:
        return json.loads(_read_text(str(path)))
    except FileNotFoundError:
        raise DataValidationError(
            f"{_show(path)} does not exist. The course data lives in {_show(DATA_DIR)}; "
            "regenerate it with `python tools/make_data.py`."
        ) from None
    except json.JSONDecodeError as exc:
        raise DataValidationError(
            f"{_show(path)} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}). Fix the file or regenerate it with `python tools/make_data.py`."
        ) from None


def _show(path: Path) -> str:
    """``data/...`` for files of the project, the full path otherwise."""
    try:
        return str(path.relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)


def _json_path(error: ValidationError) -> str:
    """``$.items[0].qty`` for the place in the instance where ``error`` happened."""
    text = "$"
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _validator_class() -> Any:
    """jsonschema's Draft 2020-12 validator, imported on first use.

    jsonschema imports ``rfc3987_syntax`` (when installed, as JupyterLab's dependencies do)
    only to check the ``iri`` string format, and that import builds a grammar for 1.4 s. The
    course's schemas use no such format, so the import is skipped once, here.
    """
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import jsonschema  # noqa: F401
        finally:
            del sys.modules["rfc3987_syntax"]
    from jsonschema import Draft202012Validator

    return Draft202012Validator


def _errors(schema: dict, instance: Any) -> list[ValidationError]:
    """Every schema violation, sorted by place in the instance (stable across runs)."""
    return sorted(
        _validator_class()(schema).iter_errors(instance),
        key=lambda e: ([str(p) for p in e.absolute_path], str(e.validator)),
    )


def _describe(what: str, schema: dict, instance: Any) -> str | None:
    """A one-paragraph message for the first schema violation, or None if ``instance`` is valid."""
    errors = _errors(schema, instance)
    if not errors:
        return None
    error, others = errors[0], errors[1:]
    more = f" ({len(others)} more at {', '.join(_json_path(e) for e in others)})" if others else ""
    return (
        f"{what} is invalid at {_json_path(error)}: {error.message} "
        f"(rule: {error.validator} {json.dumps(error.validator_value, default=str)}){more}."
    )


def _load_checked(name: str, key: str) -> list[dict]:
    path = DATA_DIR / f"{name}.json"
    records = _load_json(path)
    problem = _describe(_show(path), load_schema(name), records)
    if problem is None:
        duplicates = sorted(k for k, n in Counter(r[key] for r in records).items() if n > 1)
        if duplicates:
            problem = (
                f"{_show(path)} is invalid: {key} must be unique but {duplicates} appear more "
                "than once."
            )
    if problem is not None:
        raise DataValidationError(
            f"{problem} Fix the file or regenerate it with `python tools/make_data.py`."
        )
    return records


def load_catalogue() -> list[dict]:
    """The product catalogue, validated against ``catalogue.schema.json``.

    Returns
    -------
    list of dict
        ``sku``, ``name``, ``category``, ``price`` (USD, 2 decimals), ``stock``,
        ``restock_threshold``; a fresh copy on each call.

    Raises
    ------
    DataValidationError
        Naming the file, the JSON path and the schema rule that failed.

    Example
    -------
    >>> low = [p["sku"] for p in load_catalogue() if p["stock"] <= p["restock_threshold"]]
    >>> len(low) > 0
    True
    """
    return _load_checked("catalogue", "sku")


def load_customers() -> list[dict]:
    """The fictional customers, validated against ``customers.schema.json``.

    Returns
    -------
    list of dict
        ``customer_id``, ``name``, ``email`` (example.com/.org/.net only), ``phone``
        (555-0100..0199 only), ``tier`` (standard or gold), ``city``; a fresh copy each call.

    Raises
    ------
    DataValidationError
        Naming the file, the JSON path and the schema rule that failed.

    Example
    -------
    >>> load_customers()[0]["customer_id"]
    'cus-001'
    """
    return _load_checked("customers", "customer_id")


def load_schema(event_type: str) -> dict:
    """The JSON Schema of an event's ``detail`` (or of ``catalogue`` / ``customers``).

    Parameters
    ----------
    event_type : str
        One of :data:`EVENT_TYPES`, or ``"catalogue"`` / ``"customers"``.

    Raises
    ------
    DataValidationError
        For an unknown name; the message lists the known event types.

    Example
    -------
    >>> load_schema("OrderPlaced")["required"][:2]
    ['order_id', 'customer_id']
    """
    if event_type not in EVENT_TYPES and event_type not in ("catalogue", "customers"):
        raise DataValidationError(
            f"Unknown event type {event_type!r}: there is no schema for it. "
            f"Use one of {', '.join(EVENT_TYPES)} (names are case-sensitive)."
        )
    return _load_json(SCHEMA_DIR / f"{event_type}.schema.json")


def validate_event(event_type: str, detail: dict) -> dict:
    """Check an event ``detail`` against its schema and return it unchanged.

    Parameters
    ----------
    event_type : str
        One of :data:`EVENT_TYPES`.
    detail : dict
        The event payload (EventBridge ``Detail``, SNS/SQS message body).

    Returns
    -------
    dict
        ``detail`` itself, so ``send(validate_event("OrderPlaced", d))`` reads naturally.

    Raises
    ------
    DataValidationError
        With the field's JSON path (``$.items[0].qty``) and the rule it broke; for an unknown
        ``event_type``, the list of known ones.

    Example
    -------
    >>> validate_event("InventoryLow", {"sku": "SKU-0001", "stock": 2, "restock_threshold": 5})
    {'sku': 'SKU-0001', 'stock': 2, 'restock_threshold': 5}
    """
    schema = load_schema(event_type)
    problem = _describe(f"{event_type} detail", schema, detail)
    if problem is not None:
        raise DataValidationError(
            f"{problem} See data/schemas/{event_type}.schema.json for every field and rule."
        )
    return detail


def _cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class OrderGenerator:
    """Deterministic SecureCart orders and payments from the catalogue and customers.

    Parameters
    ----------
    seed : int
        Seed of the generator's own ``random.Random``; the same seed gives the same orders.

    Notes
    -----
    Order ids continue across calls on one generator (``ord-00201`` after 200 orders);
    ``seq`` counts from 1 per customer within each call (batch).

    Example
    -------
    >>> gen = OrderGenerator(seed=7)
    >>> batch = gen.orders(200, customers=20)
    >>> len({o["customer_id"] for o in batch}) <= 20
    True
    >>> gen.orders(1)[0]["order_id"]
    'ord-00201'
    """

    def __init__(self, seed: int = 42) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._catalogue = load_catalogue()
        self._customers = load_customers()
        self._next_order = 1

    def __repr__(self) -> str:
        return f"OrderGenerator(seed={self.seed}, next_order='ord-{self._next_order:05d}')"

    def _customer_pool(self, customers: int | None) -> list[dict]:
        total = len(self._customers)
        if customers is None:
            return self._customers
        if isinstance(customers, bool) or not isinstance(customers, int) or not (
            1 <= customers <= total
        ):
            raise DataValidationError(
                f"customers={customers!r} is out of range: it restricts orders to the first k "
                f"customers, so it must be an integer from 1 to {total} (the number in "
                "data/customers.json), or None for all of them."
            )
        return self._customers[:customers]

    @staticmethod
    def _check_n(n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise DataValidationError(
                f"n={n!r} is not a count: pass a whole number of orders >= 0."
            )

    def orders(self, n: int, *, customers: int | None = None) -> list[dict]:
        """``n`` new orders, each a valid ``OrderPlaced`` detail.

        Parameters
        ----------
        n : int
            How many orders.
        customers : int or None
            Restrict to the first ``customers`` customers (Lab 1: 200 orders, 20 customers).

        Returns
        -------
        list of dict
            ``order_id``, ``customer_id``, ``seq`` (1-based per customer in this batch),
            ``items`` (``sku``, ``qty``, ``unit_price``), ``total`` (2 decimals),
            ``currency`` ("USD").

        Example
        -------
        >>> [o["seq"] for o in OrderGenerator(seed=1).orders(3, customers=1)]
        [1, 2, 3]
        """
        self._check_n(n)
        pool = self._customer_pool(customers)
        seqs: Counter[str] = Counter()
        batch = []
        for _ in range(n):
            customer_id = self._rng.choice(pool)["customer_id"]
            seqs[customer_id] += 1
            products = self._rng.sample(self._catalogue, self._rng.randint(1, _MAX_ITEMS_PER_ORDER))
            items = [
                {"sku": p["sku"], "qty": self._rng.randint(1, _MAX_QTY), "unit_price": p["price"]}
                for p in products
            ]
            total = sum(Decimal(str(i["unit_price"])) * i["qty"] for i in items)
            batch.append(
                {
                    "order_id": f"ord-{self._next_order:05d}",
                    "customer_id": customer_id,
                    "seq": seqs[customer_id],
                    "items": items,
                    "total": _cents(total),
                    "currency": "USD",
                }
            )
            self._next_order += 1
        return batch

    def payments(self, n: int, *, customers: int | None = None) -> list[dict]:
        """``n`` payments for ``n`` new orders, each a valid ``PaymentAuthorized`` detail.

        Shares the order numbering and random stream with :meth:`orders`.

        Returns
        -------
        list of dict
            ``order_id``, ``customer_id``, ``seq`` (1-based per customer in this batch),
            ``amount`` (the order total), ``currency``.

        Example
        -------
        >>> p = OrderGenerator(seed=3).payments(2, customers=1)
        >>> [(x["order_id"], x["seq"]) for x in p]
        [('ord-00001', 1), ('ord-00002', 2)]
        """
        return [
            {
                "order_id": o["order_id"],
                "customer_id": o["customer_id"],
                "seq": o["seq"],
                "amount": o["total"],
                "currency": o["currency"],
            }
            for o in self.orders(n, customers=customers)
        ]
