"""What one day did: the record the grader scores, the dashboard draws and the price counts.

Example
-------
>>> from helpers.capstone.discovery import Design
>>> DayRecord(Design("x-", "1")).accepted
0
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .chaos import Chaos
from .discovery import Design

__all__ = ["DayRecord"]


@dataclass
class _Msg:
    id: str
    body: str
    group: str | None
    seq: int
    visible_at: float
    sent_at: float
    receives: int = 0
    receipt: int = 0
    busy_until: float = -1.0
    deleted: bool = False


@dataclass
class DayRecord:
    """Everything the day did, for the grader, the dashboard and the price."""

    design: Design
    orders: dict[str, dict] = field(default_factory=dict)
    checkout_latency: dict[str, float] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    charges: list[tuple[float, str, str]] = field(default_factory=list)
    declined: dict[str, float] = field(default_factory=dict)
    refunds: dict[str, float] = field(default_factory=dict)
    shipped: dict[str, float] = field(default_factory=dict)
    status_at: dict[tuple[str, str], float] = field(default_factory=dict)
    notices: list[tuple[float, str, str]] = field(default_factory=list)
    records: dict[str, list[tuple[float, str, str]]] = field(default_factory=lambda: defaultdict(list))
    restocks: list[tuple[float, str, str]] = field(default_factory=list)
    lows: list[tuple[float, str]] = field(default_factory=list)
    audit: list[tuple[float, str, str]] = field(default_factory=list)
    dlq: dict[str, list[tuple[float, Any]]] = field(default_factory=lambda: defaultdict(list))
    dropped: list[tuple[float, str, str, str]] = field(default_factory=list)
    receives: dict[str, int] = field(default_factory=Counter)
    inflight_redeliveries: dict[str, int] = field(default_factory=Counter)
    nowhere: Counter = field(default_factory=Counter)
    invocations: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    depth: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    requests: Counter = field(default_factory=Counter)
    consumers: dict[str, list[str]] = field(default_factory=dict)
    end: float = 0.0
    chaos: Chaos = field(default_factory=Chaos)

    @property
    def accepted(self) -> int:
        """Orders checkout accepted."""
        return len(self.checkout_latency)


