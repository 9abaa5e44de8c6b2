"""Duplicates from four AWS sources, and Powertools idempotency keyed on the producer's id.

GIVEN a handler whose side effect is followed by a step that fails once (or a replay, or a
lost checkpoint), WHEN the platform retries, THEN the naive handler repeats the side effect
and the idempotent one does not.
"""

from __future__ import annotations

import pytest

from helpers.patterns import idempotency as idem


@pytest.mark.parametrize(("source", "runs", "twice"), [
    ("SNS -> Lambda", 4, ["ord-7002"]),
    ("EventBridge replay", 6, list(idem.ORDERS)),
    ("Step Functions Retry", 4, ["ord-7002"]),
    ("Kinesis re-read", 5, ["ord-7001", "ord-7002"]),
])
def test_each_source_duplicates_and_idempotency_fixes_it(env, source, runs, twice):
    scenario = idem.SCENARIOS[source]
    # WHEN the scenario runs without, then with idempotency
    naive = scenario(env, idempotent=False)
    safe = scenario(env, idempotent=True)
    # THEN the same deliveries reach both; only the naive one charges twice
    assert (naive.deliveries, naive.duplicated) == (runs, twice)
    assert (safe.deliveries, safe.side_effects, safe.duplicated) == (runs, len(idem.ORDERS), [])


def test_sns_duplicate_on_the_server_backend(server_env):
    # GIVEN the HTTP backend WHEN SNS -> Lambda retries THEN the same duplicate shows
    assert idem.duplicate_via_sns(server_env, idempotent=False).duplicated == ["ord-7002"]


def test_idempotent_keys_on_the_producers_id_not_the_payload(env):
    # GIVEN an idempotent effect WHEN the same order comes twice with a different transport id
    done = []
    charge = idem.idempotent(env, lambda p: done.append(p["order_id"]))
    charge({"order_id": "ord-1", "message_id": "m-1"})
    charge({"order_id": "ord-1", "message_id": "m-2"})
    charge({"order_id": "ord-2", "message_id": "m-3"})
    # THEN it runs once per order
    assert done == ["ord-1", "ord-2"]
