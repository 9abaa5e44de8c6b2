"""The failures of the day, on the simulated clock: what the labs taught can go wrong.

Example
-------
>>> CHAOS["everything"].payment_outage
(14400.0, 15000.0)
>>> CHAOS["calm"].describe()
'no failures'
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["Chaos", "CHAOS"]

HOUR = 3_600.0


@dataclass(frozen=True)
class Chaos:
    """One mix of failures; a window is ``(start, end)`` in seconds after midnight.

    Attributes
    ----------
    payment_outage
        The payment provider answers nothing (its calls raise).
    duplicate_rate, reorder_seconds
        At-least-once delivery on standard queues, topics and buses: this share of deliveries
        arrives twice, and each delivery on a standard queue is delayed by up to this many
        seconds (best-effort order).
    poison
        :data:`~helpers.capstone.traffic.POISON_ORDER` can never be charged.
    slow_consumer, slow_seconds
        The provider takes this long per charge in this window.
    spike
        Ten times the orders (the traffic module places them; kept here to plot and describe).
    subscriber_down
        The notifications e-mail provider fails every call.
    restart_at
        The payments consumer is restarted: its batch in flight finishes its work but is never
        deleted, so it comes back after the visibility timeout.
    """

    payment_outage: tuple[float, float] | None = (4 * HOUR, 4 * HOUR + 600)
    duplicate_rate: float = 0.02
    reorder_seconds: float = 20.0
    poison: bool = True
    slow_consumer: tuple[float, float] | None = (10 * HOUR, 11 * HOUR)
    slow_seconds: float = 25.0
    spike: tuple[float, float] | None = (18 * HOUR, 18 * HOUR + 900)
    subscriber_down: tuple[float, float] | None = (14 * HOUR, 14 * HOUR + 600)
    restart_at: float | None = 12 * HOUR

    def describe(self) -> str:
        """The failures in this mix, as one line."""
        parts = []
        for label, window in (("payment outage", self.payment_outage),
                              ("slow payments", self.slow_consumer), ("10x spike", self.spike),
                              ("notifications down", self.subscriber_down)):
            if window:
                parts.append(f"{label} {window[0] / HOUR:05.2f}h-{window[1] / HOUR:05.2f}h")
        if self.duplicate_rate:
            parts.append(f"{self.duplicate_rate:.0%} duplicates, reorder {self.reorder_seconds:g} s")
        if self.poison:
            parts.append("a poison order")
        if self.restart_at is not None:
            parts.append(f"payments restarted at {self.restart_at / HOUR:g}h")
        return "; ".join(parts) or "no failures"


_CALM = Chaos(None, 0.0, 0.0, False, None, 2.0, None, None, None)

#: Named mixes the dashboard's replay offers.
CHAOS = {
    "everything": Chaos(),
    "calm": _CALM,
    "payment outage only": replace(_CALM, payment_outage=Chaos().payment_outage),
    "spike only": replace(_CALM, spike=Chaos().spike),
    "duplicates and reordering": replace(_CALM, duplicate_rate=0.05, reorder_seconds=30.0),
    "poison and restart": replace(_CALM, poison=True, restart_at=Chaos().restart_at),
}
