"""Event design: parallel versions keep a v1 consumer working; the claim check carries what
does not fit in an event.

GIVEN OrderPlaced published as v1 and v2, WHEN the v1 consumer's rule matches every
OrderPlaced, THEN it fails on every v2 event; WHEN it matches version 1, THEN it fails on none.
"""

from __future__ import annotations

from helpers.patterns import design


def test_unfiltered_v1_consumer_breaks_on_v2(env):
    run = design.parallel_versions(env, filtered=False)
    assert (run.received, len(run.credited), len(run.errors)) == (6, 3, 3)
    assert all("-v2" in e and "TypeError" in e for e in run.errors)


def test_version_filter_keeps_v1_consumer_whole(any_env):
    run = design.parallel_versions(any_env, filtered=True)
    assert (run.received, run.credited, run.errors) == (
        3, ["ord-601: 42 points", "ord-602: 730 points", "ord-603: 8 points"], [])


def test_claim_check_replaces_an_event_over_1_mb(env):
    run = design.claim_check(env)
    assert run.fat_bytes > 1_048_576
    assert run.refused == "ValidationException: Total size of the entries in the request is over the limit."
    assert run.claim_bytes < 200 and run.fetched_bytes == run.fat_bytes
