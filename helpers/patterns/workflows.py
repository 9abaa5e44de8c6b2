"""Step Functions Standard vs Express: semantics, limits, price, and which SecureCart flow fits.

=========================  ======================================  ======================================
                           Standard                                Express
=========================  ======================================  ======================================
execution semantics        exactly once (a step runs once unless   asynchronous Express: at least once;
                           your ``Retry`` says otherwise)          synchronous Express: at most once
longest execution          one year                                five minutes
history                    90 days, in the console and the API     CloudWatch Logs only (if enabled)
``.waitForTaskToken``,     yes                                     no (``.sync`` and callbacks are
``.sync`` integrations                                             Standard's)
price (us-east-1)          $0.025 per 1,000 state transitions      $1.00 per million requests + duration
                                                                   ($0.00001667 per GB-second)
=========================  ======================================  ======================================

Sources: Step Functions Developer Guide, "Choosing workflow type in Step Functions";
aws.amazon.com/step-functions/pricing (checked December 2026). The figures are constants in
:mod:`helpers.platform.limits`.

Example
-------
>>> round(monthly_cost("STANDARD", executions=1_000_000, transitions=5, seconds=2), 2)
124.9
>>> round(monthly_cost("EXPRESS", executions=1_000_000, transitions=5, seconds=2), 2)
3.08
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..platform import limits

__all__ = ["Flow", "FLOWS", "monthly_cost", "fits", "compare_flows", "TYPES"]

#: The two workflow types, as ``CreateStateMachine``'s ``type`` spells them.
TYPES = ("STANDARD", "EXPRESS")


@dataclass(frozen=True)
class Flow:
    """A SecureCart workflow: how often it runs, how long, and what it must guarantee."""

    name: str
    executions_per_month: int
    transitions: int
    seconds: float
    waits_for_people: bool
    side_effects_once: bool
    memory_mb: int = 64


#: Two SecureCart flows: fulfillment (charges a card, waits up to a day for a review) and the
#: clickstream enrichment (three quick steps per click batch; a re-run only rewrites a record).
FLOWS = {
    "fulfillment": Flow("fulfillment", 300_000, 12, 2.5, waits_for_people=True, side_effects_once=True),
    "click-enrichment": Flow("click-enrichment", 60_000_000, 4, 0.3, waits_for_people=False,
                             side_effects_once=False),
}


def monthly_cost(kind: str, *, executions: int, transitions: int, seconds: float,
                 memory_mb: int = 64) -> float:
    """US dollars per month for ``executions`` runs of a workflow of ``kind``."""
    if kind == "STANDARD":
        billed = max(0, executions * transitions - limits.SFN_STANDARD_FREE_TRANSITIONS_PER_MONTH)
        return billed * limits.SFN_STANDARD_USD_PER_TRANSITION
    billed_seconds = math.ceil(seconds * 10) / 10  # rounded up to 100 ms
    gb = math.ceil(memory_mb / 64) * 64 / 1024  # billed in 64-MB chunks
    return executions * (limits.SFN_EXPRESS_USD_PER_REQUEST
                         + billed_seconds * gb * limits.SFN_EXPRESS_USD_PER_GB_SECOND)


def fits(kind: str, flow: Flow) -> str | None:
    """Why ``kind`` cannot run ``flow`` (``None`` when it can)."""
    if kind == "EXPRESS" and flow.waits_for_people:
        return (f"{flow.name} waits up to a day for a review: an Express execution ends after "
                f"{limits.SFN_EXPRESS_MAX_DURATION_SECONDS // 60} minutes (and has no .waitForTaskToken)")
    if kind == "EXPRESS" and flow.side_effects_once:
        return f"{flow.name} charges a card: Express runs at least once, Standard exactly once"
    return None


def compare_flows() -> pd.DataFrame:
    """Per flow and type: monthly cost and whether it fits (with the reason it does not)."""
    rows = []
    for flow in FLOWS.values():
        for kind in TYPES:
            cost = monthly_cost(kind, executions=flow.executions_per_month, transitions=flow.transitions,
                                seconds=flow.seconds, memory_mb=flow.memory_mb)
            rows.append({"flow": flow.name, "type": kind, "USD per month": round(cost, 2),
                         "fits": fits(kind, flow) or "yes"})
    return pd.DataFrame(rows).set_index(["flow", "type"])
