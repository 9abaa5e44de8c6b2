"""Notebook 07 (observability and analytics): the SecureCart pipeline, its day, the incident check.

``pipeline``  build the pipeline (queues, bus, topics, Powertools handlers) and run a seeded day
``views``     the notebook's metric, alarm, log and trace views over a day
``checks``    the incident exercise: orders charged but never shipped

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> pipe = build_pipeline(env)
>>> sorted(pipe.queues)
['inventory', 'inventory-dlq', 'orders', 'orders-dlq']
>>> _ = env.teardown()
"""

from __future__ import annotations

from .checks import INCIDENT, affected_orders, check, check_incident, hint
from .pipeline import (
           BUSINESS_NAMESPACE,
           SERVICES,
           DayRun,
           Pipeline,
           build_pipeline,
           last_day,
           run_day,
)
from .views import business_math, metrics_vs_log, operator_metrics, order_trace

__all__ = ["Pipeline", "DayRun", "build_pipeline", "run_day", "last_day", "SERVICES",
           "BUSINESS_NAMESPACE", "INCIDENT", "check", "check_incident", "hint", "affected_orders",
           "operator_metrics", "business_math", "metrics_vs_log", "order_trace"]
