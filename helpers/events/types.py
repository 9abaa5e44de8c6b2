"""The shapes the EventBridge toolkit hands back: buses, rules, publish results.

Example
-------
>>> Bus("securecart-demo-shop", "arn:aws:events:us-east-1:123456789012:event-bus/securecart-demo-shop")
Bus securecart-demo-shop (account 123456789012)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Bus", "Rule", "PublishResult"]


@dataclass(frozen=True)
class Bus:
    """An event bus: its full name and ARN (the account is in the ARN)."""

    name: str
    arn: str

    @property
    def account(self) -> str:
        """The account that owns the bus."""
        return self.arn.split(":")[4]

    def __repr__(self) -> str:
        return f"Bus {self.name} (account {self.account})"


@dataclass(frozen=True)
class Rule:
    """A rule on a bus, with the pattern it was created with."""

    name: str
    arn: str
    bus: str
    pattern: dict[str, Any]

    def __repr__(self) -> str:
        return f"Rule {self.name} on {self.bus}: {self.pattern}"


@dataclass
class PublishResult:
    """What :func:`helpers.events.publish` did: event ids, calls made, entries re-sent, failures."""

    event_ids: list[str] = field(default_factory=list)
    calls: int = 0
    resent: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"published {len(self.event_ids)} events in {self.calls} PutEvents calls "
                f"({self.resent} entries re-sent, {len(self.failed)} failed)")
