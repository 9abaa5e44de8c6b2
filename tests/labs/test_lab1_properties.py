"""Lab 1 checks as properties: answers generated from the specification always pass, breaking
mutations of the official answer always fail (Hypothesis; few examples, each runs a scenario).

The environment is shared by every example of a test: a check must give the same verdict
however often it runs in one environment.
"""

from __future__ import annotations

import hashlib
import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import lab1

FEW = settings(max_examples=4, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- exercise 1: at least 5 receives (Lambda guide), poison in the DLQ within 2 minutes -------
@settings(FEW, max_examples=2)  # each example runs 40 orders through up to 11 receives
@given(count=st.integers(5, 11))
def test_exercise_1_any_count_in_the_band_passes(env, count):
    assert lab1.check_dlq_config(env, count), count


@FEW
@given(wrong=st.one_of(st.integers(1, 4), st.integers(12, 1000), st.integers(-5, 0),
                       st.integers(5, 11).map(str), st.floats(5.1, 10.9)))
def test_exercise_1_any_mutation_fails(env, wrong):
    assert not lab1.check_dlq_config(env, wrong), wrong


# -- exercise 3: above the slowest payment (60 s + the delete's round trip), retry in 10 min --
@FEW
@given(timeout=st.integers(61, 600))
def test_exercise_3_any_timeout_between_slowest_and_recovery_passes(env, timeout):
    assert lab1.check_visibility_timeout(env, timeout), timeout


@FEW
@given(wrong=st.one_of(st.integers(0, 60), st.integers(601, 43_200), st.integers(61, 600).map(str)))
def test_exercise_3_any_mutation_fails(env, wrong):
    assert not lab1.check_visibility_timeout(env, wrong), wrong


# -- exercise 4: group = one per customer, dedup id = one per payment, stable on a resend -----
_PREFIX = st.text("abcxyz-_", max_size=4)


@FEW
@given(group_prefix=_PREFIX, dedup_prefix=_PREFIX, hashed=st.booleans(), sort_keys=st.booleans())
def test_exercise_4_any_per_customer_group_and_per_payment_dedup_passes(
        env, group_prefix, dedup_prefix, hashed, sort_keys):
    def payment_message(p):
        dedup = dedup_prefix + p["order_id"]
        return {"MessageBody": json.dumps(p, sort_keys=sort_keys),
                "MessageGroupId": group_prefix + p["customer_id"],
                "MessageDeduplicationId": hashlib.sha256(dedup.encode()).hexdigest() if hashed else dedup}
    assert lab1.check_fifo_group(env, payment_message)


_SENDS = itertools.count()
_MUTATIONS = {
    "drop the group": lambda m, p: {k: v for k, v in m.items() if k != "MessageGroupId"},
    "drop the dedup id": lambda m, p: {k: v for k, v in m.items() if k != "MessageDeduplicationId"},
    "group per order": lambda m, p: {**m, "MessageGroupId": p["order_id"]},
    "one group": lambda m, p: {**m, "MessageGroupId": "payments"},
    "dedup per customer": lambda m, p: {**m, "MessageDeduplicationId": p["customer_id"]},
    "dedup per seq": lambda m, p: {**m, "MessageDeduplicationId": str(p["seq"])},
    "dedup per send": lambda m, p: {**m, "MessageDeduplicationId": f"{p['order_id']}-{next(_SENDS)}"},
    "drop the body": lambda m, p: {k: v for k, v in m.items() if k != "MessageBody"},
}


@FEW
@given(name=st.sampled_from(sorted(_MUTATIONS)))
def test_exercise_4_any_mutation_of_the_official_answer_fails(env, name):
    def payment_message(p):
        official = {"MessageBody": json.dumps(p), "MessageGroupId": p["customer_id"],
                    "MessageDeduplicationId": p["order_id"]}
        return _MUTATIONS[name](official, p)
    assert not lab1.check_fifo_group(env, payment_message), name
