"""Real client code on the simulated clock: ``time.sleep`` moves simulated time.

AWS's own example code waits the way every client does: ``time.sleep`` between polls of
``DescribeExecution``, boto3 waiters and botocore's retry back-off. On the local backends the
clock is simulated and frozen, so a real sleep would wait without anything changing (a
``Wait`` state never ends, a throttled stream never recovers). While a local environment is
open, ``time.sleep`` called in the thread that called :func:`helpers.connect` advances the
simulated clock instead (and everything scheduled on it: retries, move tasks, executions),
logged as a ``sleep`` row. Every other thread keeps the real sleep, so a background thread
never moves the main thread's time; on ``aws`` nothing is patched.

==================================  ==========================  ==================================
AWS behaviour                       moto alone                  stand-in
==================================  ==========================  ==================================
time passes while a client sleeps   the frozen clock stays      ``time.sleep`` in the connect()
(polling loops, waiters, retries)   put: a poll loop never      thread advances the simulated clock
                                    sees a change               (``sleep`` rows); other threads
                                                                sleep really
==================================  ==========================  ==================================

Example
-------
>>> import time, helpers
>>> env = helpers.connect(quiet=True)
>>> before = env.clock.elapsed(); time.sleep(90); env.clock.elapsed() - before
90.0
>>> env.log.to_frame().iloc[-1]["action"]
'sleep'
>>> _ = env.teardown()
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any
from unittest import mock

from ...platform.clock import real_sleep
from .._base import _Patches
from ..sqs import EMULATED

__all__ = ["ClockStandIns", "KERNEL_MODULES"]

#: Callers whose sleeps are the notebook machinery's, not the student's: Jupyter's kernel pauses
#: 0.5 ms after every cell in the same thread (``ipykernel.kernelbase``), which must neither move
#: the simulated clock nor fill ``env.log`` with ``sleep`` rows.
KERNEL_MODULES = ("ipykernel.", "IPython.", "jupyter_client.", "zmq.", "tornado.", "asyncio.")


class ClockStandIns(_Patches):
    """``time.sleep`` on the simulated clock for the thread that opened the environment."""

    SERVICE = "clock"
    NAMES = ("time.sleep moves the simulated clock",)

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.owner = threading.current_thread()

    def _patches(self) -> list[Any]:
        stand_ins = self

        def sleep(seconds: float) -> None:
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if threading.current_thread() is not stand_ins.owner or caller.startswith(KERNEL_MODULES):
                real_sleep(seconds)
                return
            stand_ins.sleep(seconds)

        return [mock.patch.object(time, "sleep", sleep)]

    def sleep(self, seconds: float) -> None:
        """Advance the simulated clock by ``seconds`` (Python's own error for a negative value)."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")  # as time.sleep says
        clock = self.env.clock
        start = clock.elapsed()
        clock.advance(seconds)
        self.env.log.record(service="kernel", action="sleep", resource="time.sleep",
                            outcome=EMULATED,
                            detail=f"simulated clock +{clock.elapsed() - start:g} s in one "
                                   f"time.sleep({seconds:g}) of the connect() thread")
