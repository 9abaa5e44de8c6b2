"""Lab 1 · SQS order processing: the experiments, the exercise checks and the panel.

``notebooks/03_lab1_sqs_order_processing.ipynb`` calls one function per experiment; each
creates its own queues (a fresh name on every run, so a cell re-run does the same thing
twice), runs producers and consumers on the environment's clock, and returns a small result:
the numbers, ``frame`` (its slice of ``env.log``), ``figure()`` and a deterministic text
summary (its ``repr``) that ends with the delivery invariant: every order sent is charged
once or sits in the DLQ, none lost.

Experiments
-----------
experiment_async_checkout
    The checkout queues orders and answers at once; a slow payment consumer drains the queue.
experiment_ordering
    The same payments through a standard and a FIFO queue: per-customer order and duplicates.
experiment_deduplication
    The same payment sent again inside and after the 5-minute FIFO deduplication interval.
experiment_poison
    Poison orders reach the DLQ after ``maxReceiveCount`` receives; inspect, fix, redrive.
experiment_visibility
    45-second processing against visibility timeouts of 10, 30 and 60 s, then a heartbeat.
experiment_visibility_timeline
    Per message: receive, expiry, second receive, the stale delete; 1/2/4 consumers, extra charges.
experiment_independent_scaling
    The checkout keeps 1 order/s; 1/2/4 payment consumers drain the backlog (peak, time to drain).
experiment_throughput
    Consumers 1/2/4/8/16 x batch size 1/10 (16 shows the queue running dry), with a modelled 20 ms round trip per SQS call.

Exercises
---------
``check("exercise N")`` runs exercise N's check on the names the notebook defined and returns a
:class:`~helpers.course.checks.Verdict` (✔/✘, the cause, hints in tiers); ``hint("exercise N")``
shows the next hint. The checks themselves: check_dlq_config, check_idempotent_handler,
check_visibility_timeout, check_fifo_group (:mod:`helpers.lab1.checks`).
Solution cells of the notebook are tagged ``solution`` and keep the student's starting code in
their metadata (``"starter"``); :func:`helpers.course.student.blank_solutions` makes the
student version.

Example
-------
>>> import helpers
>>> from helpers import lab1
>>> env = helpers.connect(quiet=True)
>>> lab1.check_dlq_config(env, 5)  # doctest: +ELLIPSIS
✔ exercise 1 (maxReceiveCount): maxReceiveCount=5: the 2 poison orders reached the DLQ ...
>>> _ = env.teardown()
"""


from __future__ import annotations

from ..course.student import SOLUTION_TAG, STARTER_KEY, blank_solutions
from .calls import check, check_dlq_call, check_visibility_call
from .checks import (
    check_dlq_config,
    check_fifo_group,
    check_idempotent_handler,
    check_visibility_timeout,
)
from .common import PaymentGateway
from .delivery import (
    CheckoutResult,
    DeduplicationResult,
    OrderingResult,
    experiment_async_checkout,
    experiment_deduplication,
    experiment_ordering,
)
from .exercises import EXERCISES, hint
from .failures import (
    THROUGHPUT_API_CALL_SECONDS,
    PoisonResult,
    ThroughputResult,
    VisibilityResult,
    experiment_poison,
    experiment_throughput,
    experiment_visibility,
)
from .scaling import ScalingResult, experiment_independent_scaling
from .sliders import PANEL_DEFAULTS, PanelResult, panel, run_panel_experiment
from .timeline import VisibilityTimelineResult, experiment_visibility_timeline

__all__ = [
    "PaymentGateway",
    "CheckoutResult",
    "OrderingResult",
    "DeduplicationResult",
    "experiment_async_checkout",
    "experiment_ordering",
    "experiment_deduplication",
    "PoisonResult",
    "VisibilityResult",
    "ThroughputResult",
    "experiment_poison",
    "experiment_visibility",
    "experiment_throughput",
    "VisibilityTimelineResult",
    "ScalingResult",
    "experiment_independent_scaling",
    "experiment_visibility_timeline",
    "THROUGHPUT_API_CALL_SECONDS",
    "check",
    "hint",
    "EXERCISES",
    "check_dlq_config",
    "check_dlq_call",
    "check_visibility_call",
    "check_idempotent_handler",
    "check_visibility_timeout",
    "check_fifo_group",
    "PanelResult",
    "run_panel_experiment",
    "panel",
    "PANEL_DEFAULTS",
    "blank_solutions",
    "SOLUTION_TAG",
    "STARTER_KEY",
]
