"""The two consumer runners: virtual workers on the simulated clock, real threads on AWS.

See :func:`helpers.sqs.consumer.run_consumers` for the contract; :mod:`helpers.sqs.mapping`
for what one batch goes through.
"""

from __future__ import annotations

import heapq
import threading
import time
from typing import Any

from .mapping import _EPSILON, _NEVER, ConsumerReport, _Batch, _Run

__all__: list[str] = []

# -- the simulated runner -------------------------------------------------------------------
def _simulate(run: _Run, *, workers: int, max_seconds: float, stop_when_empty: bool,
              poll_interval: float, restart_seconds: float, api_call_seconds: float,
              bar: Any) -> ConsumerReport:
    env, clock, scenario = run.env, run.env.clock, run.scenario
    start = run.start
    # Each SQS call takes effect when it is made and costs its worker ``api_call_seconds``
    # (the round trip) before the worker can do anything else.
    call = api_call_seconds
    free_at = [start] * workers  # when each worker's last SQS call has returned
    deleted_by = start  # when the last DeleteMessageBatch returned
    deadline = start + max_seconds
    events: list[tuple[float, int, int, str, Any]] = []
    counter = 0
    token = [0] * workers  # the live poll event of each worker
    busy: list[_Batch | None] = [None] * workers
    hidden: dict[str, float] = {}  # receipt handle -> clock time it becomes visible again

    def push(at: float, worker: int, kind: str, payload: Any = None) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(events, (at, counter, worker, kind, payload))

    def poll_at(at: float, worker: int) -> None:
        token[worker] += 1
        push(at, worker, "poll", token[worker])

    def wake_idle(now: float) -> None:
        for w in range(workers):
            at = max(now, free_at[w])
            if busy[w] is None and wakeable[w] and pending_poll[w] > at:
                pending_poll[w] = at
                poll_at(at, w)

    pending_poll = [start] * workers
    wakeable = [True] * workers  # False while restarting after a crash or in an outage
    for w in range(workers):
        poll_at(start, w)

    stopped = "max_seconds"
    last = start
    while events:
        at, _, w, kind, payload = heapq.heappop(events)
        if kind == "poll" and payload != token[w]:
            continue  # superseded by an earlier wake-up
        if at > deadline:
            break
        clock.advance_to(at)
        now = max(at, clock.elapsed())
        last = now
        if kind == "poll":
            since = now - start
            if scenario.in_outage(since):
                nxt = start + scenario.outage[1]
                pending_poll[w], wakeable[w] = nxt, False
                poll_at(nxt, w)
                continue
            wakeable[w] = True
            with env.acting(run.names[w]):
                messages = run.receive()
            free_at[w] = now + call
            if messages:
                if len(messages) == run.batch_size:
                    wake_idle(now)  # there may be more: the long poll of the others returns
                run.received(w, len(messages))
                batch = run.prepare(w, messages, now)
                batch.started = t = now + call  # processing starts when the receive returns
                busy[w] = batch
                pending_poll[w] = _NEVER
                for m in messages:
                    hidden[m["ReceiptHandle"]] = now + run.vt
                # A heartbeat extends the visibility (counted from the receive) every
                # beat_every seconds while the batch outlasts the timeout; its call pauses
                # the processing for one round trip.
                beats = run.heartbeat and run.vt > 0 and (
                    call + sum(it.duration for it in batch.items) > run.vt)
                beat = now + run.beat_every
                for it in batch.items:
                    t += it.duration
                    while beats and beat < t:
                        push(beat, w, "beat", batch)
                        beat += run.beat_every
                        t += call
                    push(t, w, "done", (batch, it))
                batch.ends = t
                push(t, w, "end", batch)
                continue
            # Nothing received. With no batch in progress, the queue may be drained: check.
            anyone_busy = any(b is not None for b in busy)
            depth = None if anyone_busy else run.depth()
            if depth == (0, 0, 0):
                if stop_when_empty:
                    stopped = "empty"
                    last = max(now, deleted_by)
                    break
                clock.advance_to(deadline)  # nothing can ever arrive: idle to the end
                last = deadline
                break
            # One idle worker watches the queue; the others wait until a full batch or (FIFO)
            # a deleted batch says there may be more to take.
            if any(o != w and busy[o] is None and wakeable[o] and pending_poll[o] != _NEVER
                   for o in range(workers)):
                pending_poll[w] = _NEVER
                token[w] += 1
                continue
            visible, in_flight, delayed = depth if depth is not None else run.depth()
            for handle in [h for h, v in hidden.items() if v <= now]:
                del hidden[handle]
            candidates = [v + _EPSILON for v in hidden.values()]
            unknown = in_flight + delayed > len(hidden) or (visible and not run.fifo)
            if unknown or (not candidates and not anyone_busy):
                candidates.append(now + poll_interval)
            if not candidates:  # only the busy workers can change anything; they poll next
                pending_poll[w] = _NEVER
                token[w] += 1
                continue
            nxt = max(min(candidates), free_at[w])
            pending_poll[w] = nxt
            poll_at(nxt, w)
        elif kind == "done":
            batch, it = payload
            run.settle(batch, it)
        elif kind == "beat":
            batch = payload
            if busy[w] is batch:
                run.beat(batch, now)
                for it in batch.items:
                    hidden[it.record["receiptHandle"]] = now + run.vt
        elif kind == "end":
            batch = payload
            calls = run.report.sqs_calls
            deleted = run.finish(batch)
            free_at[w] = now + call * (run.report.sqs_calls - calls)
            if bar is not None and deleted:
                bar.update(deleted)
            busy[w] = None
            if not batch.crash:
                for it in batch.items:
                    if it.ok:
                        hidden.pop(it.record["receiptHandle"], None)
                deleted_by = max(deleted_by, free_at[w])
                pending_poll[w], wakeable[w] = free_at[w], True
            else:
                pending_poll[w], wakeable[w] = now + restart_seconds, False
            poll_at(pending_poll[w], w)
            if run.fifo and deleted:
                wake_idle(now)  # deletes unlock FIFO groups
    return run.close(last - start, stopped)


# -- the threaded runner (AWS, external endpoints) ---------------------------------------------
def _threads(run: _Run, *, workers: int, max_seconds: float, stop_when_empty: bool,
             restart_seconds: float, wait_seconds: int, bar: Any) -> ConsumerReport:
    env, clock, scenario = run.env, run.env.clock, run.scenario
    start = run.start
    stop = threading.Event()
    busy = [False] * workers
    stopped = ["max_seconds"]
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        name = run.names[w]
        try:
            while not stop.is_set():
                since = clock.elapsed() - start
                remaining = max_seconds - since
                if remaining <= 0:
                    return
                if scenario.in_outage(since):
                    time.sleep(min(scenario.outage[1] - since, remaining))
                    continue
                with env.acting(name):
                    messages = run.receive(wait=int(min(wait_seconds, max(1, remaining))))
                if not messages:
                    if stop_when_empty and not any(busy) and sum(run.depth()) == 0:
                        stopped[0] = "empty"
                        stop.set()
                    continue
                busy[w] = True
                try:
                    run.received(w, len(messages))
                    received_at = clock.elapsed()
                    batch = run.prepare(w, messages, received_at)
                    last_beat = received_at
                    for it in batch.items:
                        left = it.duration
                        while left > 0:
                            chunk = left
                            if run.heartbeat and run.vt > 0:
                                chunk = min(left, last_beat + run.beat_every - clock.elapsed())
                                if chunk <= 0:
                                    last_beat = clock.elapsed()
                                    run.beat(batch, last_beat)
                                    continue
                            time.sleep(chunk)
                            left -= chunk
                        run.settle(batch, it)
                    deleted = run.finish(batch)
                    if bar is not None and deleted:
                        bar.update(deleted)
                finally:
                    busy[w] = False
                if batch.crash:
                    time.sleep(restart_seconds)
        except BaseException as exc:  # surfaced in the caller's thread
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=worker, args=(w,), name=run.names[w], daemon=True)
               for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return run.close(clock.elapsed() - start, stopped[0])
