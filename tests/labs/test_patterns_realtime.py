"""Kinesis with a Lambda event source mapping: IteratorAge and the retry settings.

GIVEN clicks arriving each second and a consumer whose downstream is down for 30 s, WHEN the
mapping retries, THEN IteratorAge climbs to the outage's length and nothing is lost; GIVEN a
poison record, THEN bisecting isolates it and a partial batch response avoids re-handling.
"""

from __future__ import annotations

import pytest

from helpers.patterns import realtime


def test_iterator_age_rises_during_an_outage_and_falls_after(any_env):
    run = realtime.clickstream_outage(any_env, seconds=60, outage=(20, 40))
    frame = run.invocations
    during = frame[(frame["time"] >= 20) & (frame["time"] < 40)]
    after = frame[frame["time"] >= 45]
    assert (during["outcome"] == "downstream down").all()
    assert frame["iterator_age"].max() == pytest.approx(20, abs=1)
    assert after["iterator_age"].max() <= 1
    assert (run.processed, run.skipped) == (300, 0)


@pytest.mark.parametrize(("bisect", "partial", "handled", "processed", "skipped"), [
    (False, False, 56, 32, 8),   # the 12 good records before the poison handled three times
    (False, True, 32, 32, 8),    # partial: the good ones before it are not handled again
    (True, False, 55, 39, 1),    # bisect: only the poison is skipped (halves re-handled)
    (True, True, 36, 36, 4),
])
def test_poison_record_costs(env, bisect, partial, handled, processed, skipped):
    run = realtime.poison_record(env, bisect=bisect, partial=partial)
    assert (run.handled, run.processed, run.skipped) == (handled, processed, skipped)
