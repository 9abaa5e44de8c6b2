"""Fault scenarios for Lab 1: crashes, slow processing, poison orders, outages, duplicates.

A :class:`Scenario` describes what goes wrong during a consumer run; it is seeded, so the same
scenario produces the same run. Two kinds of fault:

Consumer faults (applied by :func:`helpers.sqs.run_consumers` on every backend)
    ``crash_before_delete`` (a worker dies after processing a batch, before deleting it),
    ``slow_rate``/``slow_seconds`` (some messages take that long), ``poison`` (orders that
    always fail) and ``outage`` (a window when no consumer polls).
Delivery faults (standard queues; **emulated on moto**)
    ``duplicate_rate`` (at-least-once: a message is delivered again later) and
    ``reorder_rate`` (best-effort order: neighbours swap). On moto they set
    ``env.delivery`` (:class:`helpers.emulation.DeliveryModel`) while the scenario is active,
    which also applies to a student's own ``env.client("sqs")`` calls. On AWS they are
    ignored: real SQS decides when it duplicates or reorders.

Example
-------
>>> from helpers.sqs.faults import Scenario
>>> Scenario(seed=1, crash_before_delete=0.1, poison={"ord-00007"}).describe()
'scenario seed=1: crash before delete 10%; poison: 1 order'
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..emulation import EMULATED, DeliveryModel
from ..platform.errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Scenario"]


def _rate(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not 0.0 <= number <= 1.0:
        raise InvalidParameterError(
            f"{name}={value!r} is not a probability: rates are between 0.0 (never) and 1.0 "
            f"(always). Fix: e.g. {name}=0.05 for 5%."
        )
    return number


def _seconds(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not number >= 0 or math.isinf(number):
        raise InvalidParameterError(
            f"{name}={value!r} must be a number of seconds >= 0. Fix: e.g. {name}=45."
        )
    return number


@dataclass
class Scenario:
    """What goes wrong during a consumer run (seeded; validated on creation).

    Parameters
    ----------
    seed
        Seeds every random choice of the scenario (which batch crashes, which message is
        slow); the same seed gives the same run.
    crash_before_delete
        Probability that a worker dies after processing a batch and before deleting it: the
        batch comes back after the visibility timeout and is processed again.
    slow_rate, slow_seconds
        Probability that a message takes ``slow_seconds`` to process (e.g. longer than the
        visibility timeout, so another worker receives it too).
    poison
        Orders that always fail: a predicate on the order dict, or a set of ``order_id``.
    outage
        ``(start, end)`` in clock seconds after the run starts, when no consumer polls.
    duplicate_rate, reorder_rate
        Standard queues: at-least-once duplicates and best-effort order. Emulated on moto;
        ignored on AWS, where SQS itself decides.

    Example
    -------
    >>> Scenario(slow_rate=0.1, slow_seconds=45).slow_rate
    0.1
    """

    seed: int = 0
    crash_before_delete: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    poison: Callable[[dict], bool] | frozenset[str] | None = None
    outage: tuple[float, float] | None = None
    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0
    _rng: dict[str, random.Random] = field(default_factory=dict, init=False, repr=False,
                                           compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise InvalidParameterError(f"seed={self.seed!r} must be an int, e.g. seed=7.")
        self.crash_before_delete = _rate(self.crash_before_delete, "crash_before_delete")
        self.slow_rate = _rate(self.slow_rate, "slow_rate")
        self.slow_seconds = _seconds(self.slow_seconds, "slow_seconds")
        self.duplicate_rate = _rate(self.duplicate_rate, "duplicate_rate")
        self.reorder_rate = _rate(self.reorder_rate, "reorder_rate")
        if isinstance(self.poison, str):
            self.poison = frozenset({self.poison})
        elif isinstance(self.poison, set | list | tuple | frozenset):
            self.poison = frozenset(str(p) for p in self.poison)
        elif self.poison is not None and not callable(self.poison):
            raise InvalidParameterError(
                f"poison={self.poison!r} must be a set of order ids or a function order -> bool. "
                "Fix: poison={'ord-00007'} or poison=lambda order: order['total'] > 1000."
            )
        if self.outage is not None:
            try:
                start, end = (float(x) for x in self.outage)
            except (TypeError, ValueError):
                start, end = math.nan, math.nan
            if not 0 <= start < end:
                raise InvalidParameterError(
                    f"outage={self.outage!r} must be (start, end) in seconds after the run starts, "
                    "with 0 <= start < end. Fix: e.g. outage=(60, 180)."
                )
            self.outage = (start, end)

    # -- faults the consumer asks about -----------------------------------------------
    def random(self, stream: str) -> random.Random:
        """The scenario's seeded random stream ``stream`` (independent of the others)."""
        if stream not in self._rng:
            self._rng[stream] = random.Random(f"scenario:{self.seed}:{stream}")
        return self._rng[stream]

    def reset(self) -> None:
        """Start every random stream again (a new run repeats the same faults)."""
        self._rng.clear()

    def is_poison(self, order: Any) -> bool:
        """True when ``order`` (a decoded message body) always fails."""
        if self.poison is None or not isinstance(order, dict):
            return False
        if isinstance(self.poison, frozenset):
            return str(order.get("order_id")) in self.poison
        return bool(self.poison(order))

    def crashes(self) -> bool:
        """Draw: does the worker die after this batch, before deleting it?"""
        return bool(self.crash_before_delete) and self.random("crash").random() < self.crash_before_delete

    def processing_time(self, normal: float) -> float:
        """Draw: seconds one message takes (``slow_seconds`` with probability ``slow_rate``)."""
        if self.slow_rate and self.random("slow").random() < self.slow_rate:
            return self.slow_seconds
        return normal

    def in_outage(self, since_start: float) -> bool:
        """True when ``since_start`` seconds after the run start lies in the outage window."""
        return self.outage is not None and self.outage[0] <= since_start < self.outage[1]

    @property
    def delivery(self) -> DeliveryModel:
        """The delivery model the scenario sets on moto."""
        return DeliveryModel(duplicate_rate=self.duplicate_rate, reorder_rate=self.reorder_rate)

    # -- activation ---------------------------------------------------------------------
    @contextlib.contextmanager
    def activate(self, env: Environment) -> Iterator[Scenario]:
        """Apply the delivery faults to ``env`` inside the block; restore the previous model.

        On moto this sets ``env.delivery``, so duplicates and reordering also reach the
        student's own ``env.client("sqs")`` receives; on AWS it changes nothing (the real
        service decides). Consumer faults apply only through :func:`run_consumers`.

        Each activation restarts the delivery randomness (the environment's
        ``DeliveryModel.STREAM``) from the scenario's seed: running the same experiment again
        gives the same duplicates and the same reordering.

        Example
        -------
        >>> import helpers
        >>> env = helpers.connect(quiet=True)
        >>> with Scenario(duplicate_rate=0.1).activate(env):
        ...     env.delivery.duplicate_rate
        0.1
        >>> env.delivery.duplicate_rate
        0.0
        >>> _ = env.teardown()
        """
        previous = env.delivery
        env.random(DeliveryModel.STREAM).seed(f"{env.seed}:{DeliveryModel.STREAM}:{self.seed}")
        if env.emulated:
            env.delivery = self.delivery
        try:
            yield self
        finally:
            env.delivery = previous

    def describe(self, env: Environment | None = None) -> str:
        """One line for notebook output; labels the emulated parts.

        Parameters
        ----------
        env
            When given, the delivery faults are labelled "emulated on moto" on the local
            backends and "ignored on AWS" otherwise; without it, both are named.

        Example
        -------
        >>> Scenario(duplicate_rate=0.05).describe()
        'scenario seed=0: duplicates 5% (emulated on moto; ignored on AWS)'
        """
        parts = []
        if self.crash_before_delete:
            parts.append(f"crash before delete {self.crash_before_delete:.0%}")
        if self.slow_rate:
            parts.append(f"slow {self.slow_rate:.0%} x {self.slow_seconds:g} s")
        if isinstance(self.poison, frozenset):
            n = len(self.poison)
            parts.append(f"poison: {n} order{'s' if n != 1 else ''}")
        elif self.poison is not None:
            parts.append(f"poison: orders where {getattr(self.poison, '__name__', 'a rule')}")
        if self.outage:
            parts.append(f"consumer outage {self.outage[0]:g}-{self.outage[1]:g} s")
        delivery = []
        if self.duplicate_rate:
            delivery.append(f"duplicates {self.duplicate_rate:.0%}")
        if self.reorder_rate:
            delivery.append(f"reordering {self.reorder_rate:.0%}")
        if delivery:
            if env is None:
                label = f"{EMULATED}; ignored on AWS"
            elif env.emulated:
                label = EMULATED
            else:
                label = "ignored here: real SQS decides"
            parts.append(f"{' + '.join(delivery)} ({label})")
        return f"scenario seed={self.seed}: " + ("; ".join(parts) or "no faults")
