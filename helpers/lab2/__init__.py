"""Lab 2 · SNS notifications: the experiments and exercise checks of notebook 04.

``notebooks/04_lab2_sns_notifications.ipynb`` calls one function per section; each creates
its own topics and queues (a fresh name on every run, so a re-run does the same thing again)
and returns a small result whose ``repr`` is a deterministic summary.

Experiments
-----------
experiment_fanout          1 · one event to three subscribers; Lab 1's point-to-point; one more
experiment_multi_protocol  2 · SMS confirmations and invoice e-mails; the outbox
experiment_filtering       3 · 100 payments, 8 % failed: who got what (delivery matrix)
experiment_lambda          4 · a Powertools handler turns failed payments into alerts
experiment_ordering        5 · FIFO vs standard for created / paid / shipped
experiment_secure          6 · the queue policy, what AWS would decide, what moto does
experiment_failure         7 · a webhook down: retries on the clock, DLQ, redrive
experiment_replay          8 · a new subscriber replays yesterday from the FIFO archive

Exercises
---------
``check("exercise N")`` and ``hint("exercise N")`` find the answer in the notebook; the older
check_failed_payments_filter, check_raw_analytics, check_queue_policy_fix still work.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> experiment_fanout(env).received
{'customer-notifications': 1, 'analytics': 1, 'support': 1}
>>> _ = env.teardown()
"""

from __future__ import annotations

from .checks import (
    EXERCISES,
    check,
    check_failed_payments_filter,
    check_queue_policy_fix,
    check_raw_analytics,
    hint,
)
from .common import customers, payment_events, status_events
from .failure import (
    WEBHOOK_DELIVERY_POLICY,
    FailureResult,
    ReplayResult,
    SecureResult,
    experiment_failure,
    experiment_replay,
    experiment_secure,
    sqs_schedule,
)
from .fanout import (
    FRAUD_POLICY,
    SECURITY_POLICY,
    FanOutResult,
    FilteringResult,
    OutboxResult,
    experiment_fanout,
    experiment_filtering,
    experiment_multi_protocol,
)
from .handlers import (
    LambdaResult,
    OrderingResult,
    experiment_lambda,
    experiment_ordering,
    make_alert_handler,
)

__all__ = [
    "experiment_fanout", "experiment_multi_protocol", "experiment_filtering", "experiment_lambda",
    "experiment_ordering", "experiment_secure", "experiment_failure", "experiment_replay",
    "FanOutResult", "OutboxResult", "FilteringResult", "LambdaResult", "OrderingResult",
    "SecureResult", "FailureResult", "ReplayResult", "make_alert_handler", "sqs_schedule",
    "SECURITY_POLICY", "FRAUD_POLICY", "WEBHOOK_DELIVERY_POLICY",
    "check_failed_payments_filter", "check_raw_analytics", "check_queue_policy_fix", "check", "hint",
    "EXERCISES", "customers", "payment_events", "status_events",
]
