"""Notebook 01: SecureCart's services, monolith vs event-driven checkout, best practices.

What runs where
---------------
* The **monolith** checkout is simulated call by call on ``env.clock``: orders calls payments
  calls inventory calls notifications, synchronously. Its latency is the sum of the calls and
  it fails when any call fails or outlasts :data:`CALL_TIMEOUT_SECONDS`.
* The **event-driven** checkout uses a REAL SQS queue on the backend: the orders service sends
  the order and returns (its latency is the enqueue time); a payments worker drains the queue
  on the simulated clock. While payments is down the worker's attempts fail, the messages
  come back after the visibility timeout (SQS's retry) and the backlog is processed after
  recovery.
* The call latencies are a model (seeded, log-normal around a median), not measurements:
  they are stated in :data:`CALL_LATENCY_SECONDS` and :data:`ENQUEUE_SECONDS`.

Example
-------
>>> import helpers
>>> from helpers import architecture
>>> env = helpers.connect(quiet=True)
>>> runs = architecture.simulate_checkout(env, design="monolith", orders=20, outage=(5, 15))
>>> float(runs["ok"].mean())
0.7
>>> _ = env.teardown()
"""

from __future__ import annotations

from .model import (
    CALL_LATENCY_SECONDS,
    CALL_TIMEOUT_SECONDS,
    DESIGNS,
    ENQUEUE_SECONDS,
    ROLES,
    SERVICES,
    SIM_VISIBILITY_TIMEOUT_SECONDS,
    backlog,
    compare_designs,
    roles_table,
    services_table,
    simulate_checkout,
    summarize,
    summary_table,
)
from .plots import plot_comparison, plot_failures, plot_latency, plot_timeline
from .practices import (
    TARGET_DESIGN,
    create_target_design,
    demo_add_consumer,
    demo_retries_and_dlq,
    demo_trace,
)

__all__ = [
    "SERVICES", "ROLES", "DESIGNS", "CALL_LATENCY_SECONDS", "CALL_TIMEOUT_SECONDS",
    "ENQUEUE_SECONDS", "SIM_VISIBILITY_TIMEOUT_SECONDS", "services_table", "roles_table",
    "simulate_checkout", "summarize", "summary_table", "backlog", "compare_designs",
    "plot_latency", "plot_failures", "plot_comparison", "plot_timeline", "TARGET_DESIGN",
    "create_target_design", "demo_add_consumer", "demo_retries_and_dlq", "demo_trace",
]
