"""Pins the tie between each moto patch and the signature it was written against
(helpers/emulation/_signatures.py, helpers/emulation/moto_signatures.json).
"""

from __future__ import annotations

import warnings

import pytest

from helpers.emulation import _signatures


def test_every_patched_moto_target_matches_what_it_was_written_against(env):
    # GIVEN the installed moto and every started stand-in group
    targets = _signatures.patched_targets(env.emulation.values())
    # THEN each target is recorded, and none differs from its record
    assert set(targets) <= set(_signatures.recorded())
    assert len(targets) >= 40
    assert _signatures.check(env.emulation.values(), warn=False) == []


def test_a_changed_moto_function_warns_once_naming_the_patch(env, monkeypatch):
    # GIVEN a record that says Queue.add_message was written against another signature
    target = "moto.sqs.models.Queue.add_message"
    monkeypatch.setattr(_signatures, "recorded", lambda: {target: "(self, message, extra)"})
    monkeypatch.setattr(_signatures, "_WARNED", set())
    # WHEN the check runs twice (two connects in one kernel)
    with pytest.warns(UserWarning, match=r"The sqs stand-in patches moto\.sqs\.models\.Queue\.add_message"):
        _signatures.check(env.emulation.values())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = _signatures.check(env.emulation.values())
    # THEN it warned once, and still reports the difference
    assert len(again) == 1 and "(self, message, extra)" in again[0]
