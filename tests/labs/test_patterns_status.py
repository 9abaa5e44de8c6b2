"""Telling the customer after an asynchronous checkout.

GIVEN five orders accepted with 202, one declined and one the worker crashes on, WHEN the
customers poll their status, THEN four see a final status within seconds; the crashed order
stays ACCEPTED until the page gives up, unless a DLQ handler marks it FAILED and notifies.
"""

from __future__ import annotations

from helpers.patterns import status as st

ORDERS = [f"ord-50{n}" for n in range(1, 6)]


def _run(env, dlq_handler: bool):
    shop = st.Checkout.create(env, f"checkout-{dlq_handler}", dlq_handler=dlq_handler)
    assert {shop.checkout(o)["statusCode"] for o in ORDERS} == {202}
    return shop, shop.poll(ORDERS).outcome()


def test_without_a_dlq_handler_the_crashed_order_stays_accepted(env):
    shop, outcome = _run(env, dlq_handler=False)
    assert outcome.loc[st.CRASHES, "status"] == "ACCEPTED"
    assert outcome.loc[st.CRASHES, "seen_at"] >= 60  # the page gave up
    assert outcome.loc[st.DECLINED, "status"] == "DECLINED"
    assert st.CRASHES not in {n["order_id"] for n in shop.notifications()}


def test_the_dlq_handler_tells_the_customer(any_env):
    shop, outcome = _run(any_env, dlq_handler=True)
    assert outcome["status"].to_dict() == {"ord-501": "CONFIRMED", "ord-502": "CONFIRMED", "ord-503": "DECLINED",
                                           "ord-504": "FAILED", "ord-505": "CONFIRMED"}
    assert outcome.loc[st.CRASHES, "seen_at"] < 30
    notes = {n["order_id"]: n["status"] for n in shop.notifications()}
    assert notes[st.CRASHES] == "FAILED" and len(notes) == 5
