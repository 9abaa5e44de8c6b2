"""helpers.data: the data files match their schemas, events validate, the generator is seeded."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from helpers import data
from helpers.data import (
    EVENT_TYPES,
    OrderGenerator,
    load_catalogue,
    load_customers,
    load_schema,
    validate_event,
)
from helpers.platform.errors import DataValidationError, SecureCartError

ROOT = Path(__file__).resolve().parents[2]

#: One valid detail per event type (the schemas' own examples, as a student would write them).
VALID = {
    "OrderPlaced": {
        "order_id": "ord-00001",
        "customer_id": "cus-007",
        "seq": 1,
        "items": [{"sku": "SKU-0001", "qty": 2, "unit_price": 18.31}],
        "total": 36.62,
        "currency": "USD",
    },
    "PaymentAuthorized": {
        "order_id": "ord-00001",
        "customer_id": "cus-007",
        "seq": 1,
        "amount": 36.62,
        "currency": "USD",
    },
    "PaymentFailed": {
        "order_id": "ord-00002",
        "customer_id": "cus-007",
        "amount": 10.0,
        "currency": "USD",
        "reason": "card_declined",
    },
    "InventoryReserved": {"order_id": "ord-00001", "items": [{"sku": "SKU-0001", "qty": 2}]},
    "InventoryLow": {"sku": "SKU-0008", "name": "Linen Throw Blanket", "stock": 1,
                     "restock_threshold": 11},
    "OrderShipped": {
        "order_id": "ord-00001",
        "customer_id": "cus-007",
        "carrier": "UPS",
        "tracking_number": "1Z999AA10123456784",
    },
    "OrderStatusChanged": {
        "order_id": "ord-00001",
        "customer_id": "cus-007",
        "seq": 3,
        "status": "shipped",
        "previous_status": "paid",
    },
    "RefundRequested": {
        "order_id": "ord-00001",
        "customer_id": "cus-007",
        "amount": 18.31,
        "currency": "USD",
        "reason": "damaged",
    },
}

#: One broken detail per event type: (field path in the message, rule in the message, mutate).
BROKEN = {
    "OrderPlaced": ("$.items[0].qty", "minimum", lambda d: d["items"][0].update(qty=0)),
    "PaymentAuthorized": ("$.amount", "minimum", lambda d: d.update(amount=-1)),
    "PaymentFailed": ("$.reason", "enum", lambda d: d.update(reason="bad luck")),
    "InventoryReserved": ("$.items[0].sku", "pattern", lambda d: d["items"][0].update(sku="X")),
    "InventoryLow": ("$.stock", "type", lambda d: d.update(stock="1")),
    "OrderShipped": ("$.carrier", "enum", lambda d: d.update(carrier="Pigeon")),
    "OrderStatusChanged": ("$.status", "enum", lambda d: d.update(status="lost")),
    "RefundRequested": ("$.currency", "enum", lambda d: d.update(currency="BTC")),
}


# --- data files ---------------------------------------------------------------------------
def test_catalogue_validates_and_has_low_stock_items():
    # GIVEN / WHEN the committed catalogue
    catalogue = load_catalogue()

    # THEN it has ~40 unique SKUs, 2-decimal prices, and a few items low on stock
    assert len(catalogue) == 40
    assert [p["sku"] for p in catalogue] == [f"SKU-{i:04d}" for i in range(1, 41)]
    assert all(round(p["price"], 2) == p["price"] and p["price"] > 0 for p in catalogue)
    low = [p for p in catalogue if p["stock"] <= p["restock_threshold"]]
    assert 3 <= len(low) <= 8


def test_customers_validate_with_fictional_contact_details_only():
    # GIVEN / WHEN the committed customers
    customers = load_customers()

    # THEN ids are cus-001.., emails are at reserved example domains, phones in 555-01xx
    assert len(customers) == 25
    assert [c["customer_id"] for c in customers] == [f"cus-{i:03d}" for i in range(1, 26)]
    domains = {c["email"].rsplit("@", 1)[1] for c in customers}
    assert domains <= {"example.com", "example.org", "example.net"}
    assert all(re.fullmatch(r"\+1-\d{3}-555-01\d\d", c["phone"]) for c in customers)
    assert len({c["phone"] for c in customers}) == 25
    assert {c["tier"] for c in customers} == {"standard", "gold"}


def test_loaders_return_fresh_copies():
    # GIVEN a loaded catalogue that a student mutates
    first = load_catalogue()
    first[0]["stock"] = -999

    # WHEN loading again
    second = load_catalogue()

    # THEN the mutation did not leak into the next load
    assert second[0]["stock"] != -999


def test_broken_catalogue_names_file_path_and_rule(tmp_path, monkeypatch):
    # GIVEN a catalogue whose third product has a negative price
    catalogue = load_catalogue()
    catalogue[2]["price"] = -5
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue))
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)

    # WHEN / THEN loading it names the file, the JSON path and the rule
    with pytest.raises(DataValidationError) as caught:
        load_catalogue()
    message = str(caught.value)
    assert "catalogue.json" in message
    assert "$[2].price" in message
    assert "minimum" in message
    assert "make_data.py" in message


def test_customer_with_real_looking_email_is_rejected(tmp_path, monkeypatch):
    # GIVEN a customer file with an email outside the reserved example domains
    customers = load_customers()
    customers[4]["email"] = "someone@gmail.com"
    (tmp_path / "customers.json").write_text(json.dumps(customers))
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)

    # WHEN / THEN
    with pytest.raises(DataValidationError, match=r"customers\.json is invalid at \$\[4\]\.email"):
        load_customers()


def test_duplicate_sku_is_rejected(tmp_path, monkeypatch):
    # GIVEN a catalogue with two products sharing SKU-0001
    catalogue = load_catalogue()
    catalogue[1]["sku"] = "SKU-0001"
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue))
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)

    # WHEN / THEN
    with pytest.raises(DataValidationError, match=r"sku must be unique but \['SKU-0001'\]"):
        load_catalogue()


def test_missing_data_file_says_how_to_regenerate(tmp_path, monkeypatch):
    # GIVEN an empty data folder
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)

    # WHEN / THEN
    with pytest.raises(DataValidationError, match="does not exist.*make_data.py"):
        load_customers()


def test_make_data_regenerates_identical_files():
    # GIVEN the generator script
    spec = importlib.util.spec_from_file_location("make_data", ROOT / "tools" / "make_data.py")
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)

    # WHEN building every file in memory
    files = make_data.build_all()

    # THEN each matches the committed file byte for byte, and nothing is missing
    assert {rel: (ROOT / "data" / rel).read_text(encoding="utf-8") for rel in files} == files
    committed = {p.name for p in (ROOT / "data" / "schemas").glob("*.schema.json")}
    assert committed == {rel.split("/", 1)[1] for rel in files if rel.startswith("schemas/")}


# --- event schemas ------------------------------------------------------------------------
def test_every_event_type_has_a_closed_draft_2020_12_schema():
    # GIVEN / WHEN each event type's schema
    schemas = {name: load_schema(name) for name in EVENT_TYPES}

    # THEN each is draft 2020-12, closed, and requires at least two fields
    assert set(VALID) == set(EVENT_TYPES) == set(BROKEN)
    for name, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert schema["additionalProperties"] is False, name
        assert len(schema["required"]) >= 2, name


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_valid_example_passes(event_type):
    # GIVEN a valid detail
    detail = copy.deepcopy(VALID[event_type])

    # WHEN / THEN validate_event returns the very same object
    assert validate_event(event_type, detail) is detail


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_broken_example_fails_with_path_and_rule(event_type):
    # GIVEN a detail with one bad field
    path, rule, mutate = BROKEN[event_type]
    detail = copy.deepcopy(VALID[event_type])
    mutate(detail)

    # WHEN / THEN the error names the event type, the JSON path and the rule
    with pytest.raises(DataValidationError) as caught:
        validate_event(event_type, detail)
    message = str(caught.value)
    assert f"{event_type} detail is invalid at {path}:" in message
    assert f"(rule: {rule}" in message


def test_unknown_field_and_missing_field_are_reported():
    # GIVEN an OrderPlaced without a total and with an extra field
    detail = copy.deepcopy(VALID["OrderPlaced"])
    del detail["total"]
    detail["coupon"] = "FREE"

    # WHEN
    with pytest.raises(DataValidationError) as caught:
        validate_event("OrderPlaced", detail)

    # THEN both problems are mentioned (the first in full, the other by path)
    message = str(caught.value)
    assert "'total' is a required property" in message or "'coupon'" in message
    assert "1 more at $" in message


def test_unknown_event_type_lists_the_known_ones():
    # GIVEN / WHEN / THEN
    with pytest.raises(DataValidationError) as caught:
        validate_event("OrderPlace", {})
    message = str(caught.value)
    assert "'OrderPlace'" in message
    assert all(name in message for name in EVENT_TYPES)
    assert isinstance(caught.value, SecureCartError)


# --- generator ----------------------------------------------------------------------------
def test_orders_are_valid_order_placed_details():
    # GIVEN / WHEN
    orders = OrderGenerator(seed=42).orders(50)

    # THEN each validates and its total is the sum of its lines in cents
    for order in orders:
        validate_event("OrderPlaced", order)
        lines = sum(round(i["qty"] * i["unit_price"] * 100) for i in order["items"])
        assert round(order["total"] * 100) == lines
    assert [o["order_id"] for o in orders] == [f"ord-{i:05d}" for i in range(1, 51)]
    prices = {p["sku"]: p["price"] for p in load_catalogue()}
    assert all(i["unit_price"] == prices[i["sku"]] for o in orders for i in o["items"])


def test_same_seed_same_orders_other_seed_other_orders():
    # GIVEN / WHEN two generators with seed 42 and one with seed 43
    a = OrderGenerator(seed=42).orders(30)
    b = OrderGenerator(seed=42).orders(30)
    c = OrderGenerator(seed=43).orders(30)

    # THEN
    assert a == b
    assert a != c


def test_generator_does_not_touch_global_random():
    # GIVEN the global random state
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)

    # WHEN generating orders
    OrderGenerator(seed=5).orders(20)

    # THEN the global stream is where it was
    assert random.random() == expected


def test_seq_counts_each_customers_orders_from_one_in_order():
    # GIVEN Lab 1's shape: 200 payments for 20 customers
    payments = OrderGenerator(seed=42).payments(200, customers=20)

    # WHEN grouping seq by customer, in batch order
    seqs = defaultdict(list)
    for p in payments:
        seqs[p["customer_id"]].append(p["seq"])

    # THEN every customer's seqs are 1..k, only the first 20 customers appear
    assert sum(len(s) for s in seqs.values()) == 200
    assert all(s == list(range(1, len(s) + 1)) for s in seqs.values())
    assert set(seqs) <= {f"cus-{i:03d}" for i in range(1, 21)}
    assert len(seqs) > 15
    for p in payments:
        validate_event("PaymentAuthorized", p)
    assert set(payments[0]) == {"order_id", "customer_id", "seq", "amount", "currency"}


def test_numbering_continues_across_calls_and_seq_restarts_per_batch():
    # GIVEN one generator
    gen = OrderGenerator(seed=42)

    # WHEN making 200 orders, then one more batch for a single customer
    gen.orders(200)
    more = gen.orders(2, customers=1)

    # THEN ids continue and seq counts within the new batch
    assert [o["order_id"] for o in more] == ["ord-00201", "ord-00202"]
    assert [(o["customer_id"], o["seq"]) for o in more] == [("cus-001", 1), ("cus-001", 2)]
    assert gen.payments(1)[0]["order_id"] == "ord-00203"


@pytest.mark.parametrize("bad", [0, 26, -1, True, "5"])
def test_customers_out_of_range_is_rejected(bad):
    # GIVEN / WHEN / THEN
    with pytest.raises(DataValidationError, match=r"customers=.* must be an integer from 1 to 25"):
        OrderGenerator().orders(3, customers=bad)


def test_negative_count_is_rejected():
    # GIVEN / WHEN / THEN
    with pytest.raises(DataValidationError, match=r"n=-1 is not a count"):
        OrderGenerator().orders(-1)
