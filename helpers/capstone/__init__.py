"""Notebook 08, the capstone: SecureCart from a monolith to event-driven services of your design.

Modules
-------
runtime     what a handler can do while it runs (charge, publish, reserve, notify, once)
services    SecureCart's services as Lambda handlers (the course's, and the two you write)
traffic     a seeded day of orders; chaos: the day's failures
discovery   your design read back from the backend
engine      the day run through your design on the simulated clock (record: what it did;
            workflows: its Step Functions interpreter)
monolith    the same day through the monolith (the baseline)
grader      the scorecard
designs     building blocks, three right designs, the catalogue of wrong ones
checks      check("step N") and hint("step N") after each migration step
dashboard   plots of the day and a replay panel
pricing     the design priced from the measured requests (AWS's published prices)
export      the design as a CloudFormation template + handlers, cfn-lint, deploy on moto
smoke       a short real day on a backend: cost first, teardown after (the way onto AWS)
"""

from __future__ import annotations

from . import (
    chaos,
    dashboard,
    designs,
    discovery,
    engine,
    export,
    grader,
    monolith,
    pricing,
    runtime,
    services,
    smoke,
    traffic,
)
from . import checks as _checks
from .chaos import CHAOS, Chaos
from .designs import RIGHT_DESIGNS, WRONG_DESIGNS, consume, deploy_function, service_queue
from .discovery import Design, discover
from .engine import Day, DayRecord
from .grader import Scorecard, score
from .monolith import run_monolith
from .traffic import day

__all__ = ["chaos", "dashboard", "export", "pricing", "smoke", "designs", "discovery", "engine", "grader", "monolith", "runtime", "services",
           "traffic", "CHAOS", "Chaos", "RIGHT_DESIGNS", "WRONG_DESIGNS", "consume",
           "deploy_function", "service_queue", "Design", "discover", "Day", "DayRecord",
           "Scorecard", "score", "run_monolith", "day", "grade", "check", "hint"]


def grade(env, orders: int = 2_000, chaos: Chaos | None = None, seed: int | None = None,
          title: str = "your design") -> Scorecard:
    """Discover the design on ``env``, run a seeded day of ``orders`` under ``chaos``; the scorecard."""
    design = discover(env)
    seed = env.seed if seed is None else seed
    rec = Day(design, day(seed=seed, orders=orders), chaos=chaos, seed=seed).run()
    card = score(rec, title)
    card.record = rec
    return card


#: ``check("step N")`` grades the design after migration step N ("step 1" ... "step 4") on the
#: notebook's ``env``; ``hint("step N")`` gives the next hint (both also take ``env`` first).
check, hint = _checks.check, _checks.hint
