"""Scenarios: the sizes the experiments run with, ``full`` or ``short``.

``full`` (the default) is what the notebooks teach with and their committed outputs show.
``short`` runs fewer orders and shorter waits with the same effects, for ``make test-aws``,
where every simulated second is a real one. The environment carries its scenario
(``env.scenario``) and picks each size with ``env.sized(given, full=..., short=...)``.

Example
-------
>>> resolve_scenario("short")
'short'
>>> sized("short", None, full=80, short=12), sized("short", 30, full=80, short=12)
(12, 30)
"""

from __future__ import annotations

import os
from typing import Any

from .errors import UnknownScenarioError

__all__ = ["SCENARIOS", "SCENARIO_VARIABLE", "resolve_scenario", "sized"]

#: The scenarios ``helpers.connect()`` accepts.
SCENARIOS = ("full", "short")
#: Environment variable that picks the scenario when ``connect()`` is not told.
SCENARIO_VARIABLE = "SECURECART_SCENARIO"


def resolve_scenario(scenario: str | None) -> str:
    """``scenario``, else the ``SECURECART_SCENARIO`` variable, else ``"full"``; checked."""
    chosen = scenario if scenario is not None else os.environ.get(SCENARIO_VARIABLE, "")
    source = "scenario argument" if scenario is not None else f"{SCENARIO_VARIABLE} variable"
    if not isinstance(chosen, str) or (chosen.strip().lower() or "full") not in SCENARIOS:
        raise UnknownScenarioError(
            f"Unknown scenario {chosen!r} (from the {source}): the course runs one of "
            f"{', '.join(SCENARIOS)}. Fix: 'full' (default, the sizes the notebooks teach with) "
            "or 'short' (smaller sizes, for make test-aws on the real clock).")
    return chosen.strip().lower() or "full"


def sized(scenario: str, given: Any, *, full: Any, short: Any) -> Any:
    """``given`` when the caller chose a size (not ``None``), else the scenario's size.

    Parameters
    ----------
    scenario
        ``"full"`` or ``"short"``.
    given
        What the caller passed (``None``: not chosen, take the scenario's size).
    full
        The size the notebooks teach with (their committed outputs show it).
    short
        A smaller size that still shows the same effect, for runs on the real clock.

    Example
    -------
    >>> sized("full", None, full=(1, 2, 4, 8), short=(1, 2))
    (1, 2, 4, 8)
    """
    if given is not None:
        return given
    return short if scenario == "short" else full
