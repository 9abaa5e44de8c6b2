"""Lab 3 (notebook 05): EventBridge asynchronous workflows, the notebook's experiments and checks.

``workflow``   the shop bus and the restocking workflow (sections 1-2)
``content``    content filtering, TestEventPattern, the input transformer, the schema registry (3-4)
``audit``      cross-account audit routing, the bus policy; outage, retries, DLQ, replay (5-6)
``checks``     ``check("exercise N")`` / ``hint("exercise N")`` (and the older ``check_*``)
``custom_bus`` Classic and the Custom Event Bus side by side; exercise 4 (7)
"""

from __future__ import annotations

from .audit import (
    AUDIT_PATTERN,
    OUTAGE_SECONDS,
    AuditView,
    FailureRun,
    experiment_audit,
    experiment_failure,
)
from .checks import (
    check,
    check_audit_route,
    check_notification_transformer,
    check_restock_pattern,
    hint,
)
from .content import (
    NOTIFICATION_TRANSFORMER,
    PATTERNS,
    pattern_table,
    schema_story,
    transformed_messages,
)
from .custom_bus import ANSWER_4, SideBySide, check_ordered_subscriber, experiment_side_by_side
from .workflow import RESTOCK_PATTERN, RestockRun, Shop, build_shop, experiment_restocking

__all__ = [
    "AUDIT_PATTERN", "OUTAGE_SECONDS", "AuditView", "FailureRun", "experiment_audit", "experiment_failure",
    "check", "check_audit_route", "check_notification_transformer", "check_restock_pattern", "hint",
    "NOTIFICATION_TRANSFORMER", "PATTERNS", "pattern_table", "schema_story", "transformed_messages",
    "RESTOCK_PATTERN", "RestockRun", "Shop", "build_shop", "experiment_restocking",
    "ANSWER_4", "SideBySide", "check_ordered_subscriber", "experiment_side_by_side",
]
