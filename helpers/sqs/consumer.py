"""The course's stand-in for Lambda's SQS event source mapping: consumers on a queue.

:func:`run_consumers` polls a queue with ``workers`` consumers, hands each batch to a
Lambda-shaped handler (``handler(event, context)`` with a real SQS event), deletes the
records that succeeded and leaves the failed ones to come back after the visibility timeout,
exactly as an event source mapping with ``ReportBatchItemFailures`` does. It is a stand-in
because moto's own mapping needs Docker to run a function and ignores partial batch
responses (it deletes nothing it is told failed, and sends one record per invoke).

On the local backends (moto, in-process server)
    Workers are *virtual*: a discrete-event loop on the simulated clock, no threads (moto's
    SQS is not thread-safe). Each worker polls (``ReceiveMessage`` with ``WaitTimeSeconds=0``),
    "processes" each record for ``processing_seconds`` of simulated time, then deletes what
    succeeded with one ``DeleteMessageBatch``. The loop always jumps the clock to the next
    worker event, so a run of hundreds of messages takes milliseconds of wall time. An idle
    worker polls again as soon as something can have changed: another worker finished a
    batch, a visibility timeout it knows about expires, or ``poll_interval`` seconds passed
    (for messages it cannot know about: delays, emulated duplicates). Nothing sleeps.
    SQS calls are free unless ``api_call_seconds`` models their network round trip: then
    each receive, batch delete and heartbeat costs its worker that much simulated time.
On AWS and external endpoints
    One real thread per worker, long polling (``WaitTimeSeconds`` up to 20), the same handler
    contract, faults and report; processing time is really slept.

Faults (:class:`helpers.sqs.Scenario`): a worker that crashes skips its deletes and restarts
after ``restart_seconds``; slow messages take ``slow_seconds``; poison orders fail every time
(they are not handed to the handler: they fail as a handler would); no worker polls during
an outage. With ``heartbeat=True`` a worker whose batch outlasts the visibility timeout
extends it (``ChangeMessageVisibilityBatch``, by one timeout) whenever 5 s of it are left:
the fix the lab teaches.

Every record gets a ``process`` row (outcome ``ok``) or a ``fail`` row (outcome
``"error: <reason>"``, detail the exception text) in ``env.log`` with actor ``consumer-N``,
next to the receive/delete rows the recorder writes; a crash writes a ``crash`` row.

Example
-------
>>> import helpers
>>> from helpers.sqs import create_queue, send_orders, run_consumers, make_batch_handler
>>> env = helpers.connect(quiet=True)
>>> q = create_queue(env, "orders")
>>> orders = [{"order_id": f"ord-{i}", "customer_id": "c", "seq": i} for i in range(1, 21)]
>>> _ = send_orders(env, q, orders)
>>> report = run_consumers(env, q, make_batch_handler(lambda r: None), workers=2,
...                        processing_seconds=0.5)
>>> report.processed, report.deleted, report.elapsed
(20, 20, 5.0)
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..platform import limits
from ..platform.errors import InvalidParameterError
from .faults import Scenario
from .mapping import (
    HEARTBEAT_MARGIN_SECONDS,
    POLL_INTERVAL_SECONDS,
    RESTART_SECONDS,
    ConsumerReport,
    _Run,
    build_event,
)
from .queues import OrderQueue
from .runners import _simulate, _threads

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment
    from .types import Handler

__all__ = ["ConsumerReport", "run_consumers", "SimulatedProgress", "SIMULATED_BAR_FORMAT", "build_event", "POLL_INTERVAL_SECONDS",
           "RESTART_SECONDS", "HEARTBEAT_MARGIN_SECONDS"]


# -- the progress bar ------------------------------------------------------------------------
#: The bar's layout on the simulated clock: deletes done of messages queued, and simulated
#: seconds; no wall-clock rate or elapsed/remaining time (a simulated run takes milliseconds).
SIMULATED_BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} msg{postfix}"


class SimulatedProgress:
    """A tqdm bar of messages deleted that shows *simulated* seconds, never a wall-clock rate.

    On the simulated clock a run of minutes takes milliseconds of wall time: tqdm's own
    ``elapsed<remaining, rate`` would show wall time as if it were the run's. This bar shows
    ``deleted/total msg`` and ``simulated N s`` (the run's clock seconds so far) instead. A
    duplicate delivery is deleted too: when deletes outnumber the messages queued at the start,
    the total grows to the deletes and the text says how many were queued.

    Example
    -------
    >>> import io
    >>> from helpers.platform.clock import SimClock
    >>> clock, out = SimClock(), io.StringIO()
    >>> bar = SimulatedProgress(clock, total=4, desc="consuming orders", file=out)
    >>> clock.advance(2.5); bar.update(4); bar.close()
    >>> out.getvalue().rsplit(chr(13), 1)[-1].strip().split("| ")[-1]
    '4/4 msg, simulated 2.5 s'
    """

    def __init__(self, clock: Any, *, total: int, desc: str, file: Any = None) -> None:
        from tqdm.auto import tqdm

        self.clock = clock
        self.started = clock.elapsed()
        self.queued = int(total)
        self.bar = tqdm(total=total, desc=desc, unit="msg", bar_format=SIMULATED_BAR_FORMAT,
                        file=file, ncols=None if file is None else 80, postfix=self._postfix())

    def _postfix(self) -> str:
        seconds = f"simulated {self.clock.elapsed() - self.started:.1f} s"
        if self.bar_total() > self.queued:
            return f"{seconds}; {self.bar_total() - self.queued} repeats"
        return seconds

    def bar_total(self) -> int:
        """The bar's total: the messages queued at the start, or the deletes if more."""
        bar = getattr(self, "bar", None)
        return self.queued if bar is None else int(bar.total or 0)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more messages deleted and show the simulated seconds so far."""
        if self.bar.n + n > self.bar_total():
            self.bar.total = self.bar.n + n
        self.bar.set_postfix_str(self._postfix(), refresh=False)
        self.bar.update(n)

    def close(self) -> None:
        """Show the final count and simulated seconds, and close the bar."""
        self.bar.set_postfix_str(self._postfix(), refresh=False)
        self.bar.close()


def _progress_bar(env: Environment, *, total: int, desc: str) -> Any:
    """Simulated clock: :class:`SimulatedProgress`; real clock (AWS): tqdm's usual wall-time bar."""
    if env.clock.simulated:
        return SimulatedProgress(env.clock, total=total, desc=desc)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="msg")


# -- public entry point -------------------------------------------------------------------------
def _check(value: Any, name: str, low: float, high: float | None, kind: type = float) -> None:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and (
        kind is float or isinstance(value, int))
    if ok:
        ok = value >= low and (high is None or value <= high)
    if not ok:
        upper = f" and <= {high:g}" if high is not None else ""
        raise InvalidParameterError(
            f"{name}={value!r} must be {'an int' if kind is int else 'a number'} >= {low:g}{upper}.")


def run_consumers(
    env: Environment,
    queue: OrderQueue | str,
    handler: Handler,
    *,
    workers: int = 1,
    batch_size: int = limits.SQS_MAX_BATCH_ENTRIES,
    visibility_timeout: int | None = None,
    processing_seconds: float = 0.0,
    scenario: Scenario | None = None,
    heartbeat: bool = False,
    max_seconds: float = 3600,
    stop_when_empty: bool = True,
    progress: bool = False,
    poll_interval: float = POLL_INTERVAL_SECONDS,
    restart_seconds: float = RESTART_SECONDS,
    function_name: str = "order-processor",
    wait_seconds: int = limits.SQS_MAX_WAIT_TIME_SECONDS,
    api_call_seconds: float = 0.0,
) -> ConsumerReport:
    """Consume a queue with ``workers`` consumers calling a Lambda-shaped batch handler.

    Parameters
    ----------
    env
        The course environment.
    queue
        An :class:`OrderQueue` or a queue URL.
    handler
        ``handler(event, context) -> None | {"batchItemFailures": [...]}``; raising fails
        the whole batch. :func:`make_batch_handler` builds one from a per-record function.
    workers
        Concurrent consumers (virtual on the local backends, threads on AWS).
    batch_size
        Records per invocation, 1-10 (one ``ReceiveMessage`` per batch).
    visibility_timeout
        Passed on each receive; ``None`` uses the queue's own.
    processing_seconds
        Clock seconds one record takes (simulated on the local backends).
    scenario
        Faults to apply (:class:`Scenario`); its delivery faults are active for the run.
    heartbeat
        Extend the visibility of a batch that outlasts the timeout, by one timeout, whenever
        ``HEARTBEAT_MARGIN_SECONDS`` (5 s) of it are left (half the timeout if shorter).
    max_seconds
        Stop after this many clock seconds.
    stop_when_empty
        Stop once the queue has nothing visible, in flight or delayed.
    progress
        Show a tqdm progress bar of deleted messages. On the simulated clock it shows messages
        done of total and simulated seconds (:class:`SimulatedProgress`), no wall-clock rate;
        on AWS tqdm's usual wall-time bar.
    poll_interval
        Seconds between polls of an idle worker that knows of nothing coming (simulated).
    restart_seconds
        Seconds a crashed worker takes to come back.
    function_name
        ``context.function_name`` seen by the handler.
    wait_seconds
        Threaded runner only (AWS): ``WaitTimeSeconds`` of each long poll (1-20). The run
        notices an empty queue after one empty long poll.
    api_call_seconds
        Simulated runner only: a model of the network round trip. Every SQS call a virtual
        worker makes (``ReceiveMessage``, ``DeleteMessageBatch``, a heartbeat's
        ``ChangeMessageVisibilityBatch``) costs that worker this many simulated seconds, so
        fewer, bigger batches finish sooner. The default 0 makes calls free (batching then
        shows only in ``sqs_calls``). Ignored on AWS, where every call takes its real time.

    Returns
    -------
    ConsumerReport

    Example
    -------
    >>> import helpers
    >>> from helpers.sqs import create_queue, send_orders, run_consumers, make_batch_handler
    >>> env = helpers.connect(quiet=True)
    >>> q = create_queue(env, "orders.fifo", fifo=True)
    >>> _ = send_orders(env, q, [{"order_id": f"o{i}", "customer_id": "c", "seq": i}
    ...                          for i in range(1, 6)])
    >>> run_consumers(env, q, make_batch_handler(lambda r: None)).processed_ids
    ['o1', 'o2', 'o3', 'o4', 'o5']
    >>> _ = env.teardown()
    """
    if not callable(handler):
        raise InvalidParameterError(
            f"handler={handler!r} is not callable. Pass handler(event, context), e.g. "
            "make_batch_handler(process).")
    _check(workers, "workers", 1, 1000, int)
    _check(batch_size, "batch_size", 1, limits.SQS_MAX_BATCH_ENTRIES, int)
    if visibility_timeout is not None:
        _check(visibility_timeout, "visibility_timeout", 0,
               limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, int)
    _check(processing_seconds, "processing_seconds", 0, None)
    _check(max_seconds, "max_seconds", 0, None)
    _check(poll_interval, "poll_interval", 0.001, None)
    _check(restart_seconds, "restart_seconds", 0, None)
    _check(wait_seconds, "wait_seconds", 1, limits.SQS_MAX_WAIT_TIME_SECONDS, int)
    _check(api_call_seconds, "api_call_seconds", 0, None)
    if scenario is None:
        scenario = Scenario()
    elif not isinstance(scenario, Scenario):
        raise InvalidParameterError(f"scenario={scenario!r} must be a helpers.sqs.Scenario or None.")
    scenario.reset()
    run = _Run(env, queue, handler, workers=workers, batch_size=batch_size,
               visibility_timeout=visibility_timeout, processing_seconds=float(processing_seconds),
               scenario=scenario, heartbeat=heartbeat, function_name=function_name)
    bar = _progress_bar(env, total=sum(run.depth()), desc=f"consuming {run.name}") if progress else None
    try:
        with scenario.activate(env):
            if env.clock.simulated:
                return _simulate(run, workers=workers, max_seconds=float(max_seconds),
                                 stop_when_empty=stop_when_empty, poll_interval=float(poll_interval),
                                 restart_seconds=float(restart_seconds),
                                 api_call_seconds=float(api_call_seconds), bar=bar)
            return _threads(run, workers=workers, max_seconds=float(max_seconds),
                            stop_when_empty=stop_when_empty, restart_seconds=float(restart_seconds),
                            wait_seconds=wait_seconds, bar=bar)
    finally:
        if bar is not None:
            bar.close()
