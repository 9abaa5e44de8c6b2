"""Clocks: simulated time on moto, real time on AWS.

On the ``moto`` backend and the in-process ``server`` backend the environment owns a
:class:`SimClock`. It freezes wall time for the whole kernel with `time-machine
<https://github.com/adamchainz/time-machine>`_ (``tick=False``) and moves it only when told,
so moto's visibility timeouts, delays, the FIFO deduplication window and retention all
follow it without anyone waiting. On ``aws`` and external endpoints the environment owns a
:class:`RealClock` whose ``advance`` really sleeps.

Example
-------
>>> from helpers.platform.clock import SimClock
>>> clock = SimClock()
>>> clock.start()
>>> clock.advance(30)
>>> clock.elapsed()
30.0
>>> clock.stop()
"""

from __future__ import annotations

import datetime as dt
import time

import time_machine

from .errors import InvalidParameterError

__all__ = ["SimClock", "RealClock", "COURSE_START", "real_sleep"]

#: The machine's own sleep, kept before a local environment puts ``time.sleep`` on the simulated
#: clock: for code that must wait for another thread in real time.
real_sleep = time.sleep

#: Where simulated time starts: a Monday morning at SecureCart, in UTC.
COURSE_START = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def _check_seconds(seconds: float) -> float:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        value = float("nan")
    if not value >= 0:  # also catches NaN
        raise InvalidParameterError(
            f"Cannot advance the clock by {seconds!r} seconds: time only moves forward. "
            "Pass a number of seconds >= 0."
        )
    return value


class SimClock:
    """Simulated clock: frozen until :meth:`advance` moves it.

    Parameters
    ----------
    start
        The instant the clock starts at (aware datetime, UTC). Defaults to
        :data:`COURSE_START`.

    Example
    -------
    >>> clock = SimClock(); clock.start(); clock.advance(1.5); round(clock.elapsed(), 1)
    1.5
    >>> clock.stop()
    """

    simulated = True

    def __init__(self, start: dt.datetime = COURSE_START) -> None:
        self._start = start
        self._start_ts = start.timestamp()
        self._offset = 0.0
        self._traveller: time_machine.travel | None = None
        self._coordinates: time_machine.Traveller | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Freeze wall time at the start instant (idempotent)."""
        if self._traveller is None:
            self._traveller = time_machine.travel(self._start, tick=False)
            coordinates = self._traveller.start()
            coordinates.shift(self._offset)
            self._coordinates = coordinates

    def stop(self) -> None:
        """Give wall time back to the machine (idempotent)."""
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None
            self._coordinates = None

    @property
    def running(self) -> bool:
        """True while the clock holds the kernel's wall time."""
        return self._traveller is not None

    # -- reading ---------------------------------------------------------------------
    def time(self) -> float:
        """Seconds since the Unix epoch, as moto sees them (cheap: no system call)."""
        return self._start_ts + self._offset

    def now(self) -> dt.datetime:
        """The current simulated instant as an aware UTC datetime."""
        return self._start + dt.timedelta(seconds=self._offset)

    def elapsed(self) -> float:
        """Seconds since the clock started (the ``time`` column of ``env.log``)."""
        return self._offset

    # -- moving ----------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move simulated time forward by ``seconds`` at once (no waiting)."""
        seconds = _check_seconds(seconds)
        self._offset = round(self._offset + seconds, 6)
        if self._coordinates is not None and seconds:
            self._coordinates.shift(seconds)

    def advance_to(self, elapsed: float) -> None:
        """Move forward to ``elapsed`` seconds since start; never moves backwards."""
        if elapsed > self._offset:
            self.advance(elapsed - self._offset)

    def __repr__(self) -> str:
        return f"SimClock({self.now():%Y-%m-%dT%H:%M:%SZ}, +{self._offset:.1f} s)"


class RealClock:
    """Wall-clock time: :meth:`advance` sleeps for real (AWS and external endpoints).

    Example
    -------
    >>> RealClock().simulated
    False
    """

    simulated = False

    def __init__(self) -> None:
        self._t0 = time.time()

    def start(self) -> None:
        """Nothing to do: real time always runs."""

    def stop(self) -> None:
        """Nothing to do."""

    running = True

    def time(self) -> float:
        """Seconds since the Unix epoch."""
        return time.time()

    def now(self) -> dt.datetime:
        """The current instant as an aware UTC datetime."""
        return dt.datetime.now(dt.UTC)

    def elapsed(self) -> float:
        """Seconds since this clock was made."""
        return time.time() - self._t0

    def advance(self, seconds: float) -> None:
        """Sleep ``seconds`` of real time."""
        time.sleep(_check_seconds(seconds))

    def advance_to(self, elapsed: float) -> None:
        """Sleep until ``elapsed`` seconds since start."""
        remaining = elapsed - self.elapsed()
        if remaining > 0:
            time.sleep(remaining)

    def __repr__(self) -> str:
        return f"RealClock({self.now():%Y-%m-%dT%H:%M:%SZ})"
