"""Bad input to the toolkits: one clear error naming the value, the rule and the fix, raised
before any AWS call, and the inventory of resources unchanged (a table per toolkit; the cases
are in ``bad_input_cases.py``)."""

from __future__ import annotations

import bad_input_cases as cases
import pytest

from helpers.platform.errors import SecureCartError

#: One table per toolkit: the test ids read ``<toolkit>: <case>``.
TABLE = [pytest.param(case, id=f"{case.toolkit}: {case.id}") for case in cases.CASES]


@pytest.mark.parametrize("case", TABLE)
def test_bad_input_gets_one_clear_error_and_creates_nothing(env, case):
    # GIVEN the toolkit's resources, and the inventory of everything in the account
    ctx = cases.SETUP[case.toolkit](env)
    before = cases.inventory(env)
    # WHEN the helper gets the bad value
    with pytest.raises(SecureCartError) as caught:
        case.call(env, ctx)
    # THEN one course error names the value and the rule, says how to fix it, and nothing
    # was created, changed or left half-made (a refused connect() leaves this env open)
    text = str(caught.value)
    assert case.expect in text
    assert "Fix" in text
    assert not env.closed
    assert cases.inventory(env) == before


def test_every_toolkit_has_a_table():
    assert {case.toolkit for case in cases.CASES} == set(cases.SETUP)
    assert len(cases.CASES) >= 70
