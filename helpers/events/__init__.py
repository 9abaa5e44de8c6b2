"""Lab 3 toolkit: EventBridge buses, rules, targets, publishing, schemas, accounts and plots.

``buses``      create a bus, allow another account on it, archive it, replay a window
``rules``      sample events, TestEventPattern, create a rule (one clear error for a bad pattern)
``targets``    PutTargets entries for SQS (FIFO), SNS, Lambda handlers, Step Functions, buses,
               API destinations, with RetryPolicy and DeadLetterConfig
``publisher``  PutEvents in batches of 10, failed entries re-sent, limits checked first
``schemas``    the schema registry (AWS's, or a local one on moto), validation, examples
``accounts``   clients in another account through STS AssumeRole
``plots``      routing matrix, events per rule, retries and DLQ arrivals, stock timeline
``types``      Bus, Rule, PublishResult
``custom_bus`` the Custom Event Bus (eventbridgev2): bus, subscribers, PutEvents with groups

Example
-------
>>> import helpers
>>> from helpers.events import create_bus, create_rule, target, add_targets, publish, entry
>>> env = helpers.connect(quiet=True)
>>> bus = create_bus(env, "shop")
>>> rule = create_rule(env, "low", {"detail-type": ["InventoryLow"]}, bus)
>>> url = env.client("sqs").create_queue(QueueName="restock")["QueueUrl"]
>>> add_targets(env, rule, [target(env, "sqs", queue_arn(env, url))])
>>> publish(env, [entry("InventoryLow", {"sku": "SKU-0001", "stock": 2, "restock_threshold": 5}, bus)])
published 1 events in 1 PutEvents calls (0 entries re-sent, 0 failed)
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import custom_bus, plots
from .accounts import OTHER_ACCOUNT, SECURITY_ACCOUNT, client_in_account
from .buses import allow_account, bus_policy, create_archive, create_bus, replay
from .publisher import batches, entry, publish, put_batch
from .rules import SOURCES, create_rule, sample_event, test_pattern
from .schemas import LocalSchemaRegistry, SchemaRegistry, example_from_schema, schema_registry
from .targets import KINDS, add_targets, queue_arn, register_handler, target
from .types import Bus, PublishResult, Rule

__all__ = [
    "plots", "custom_bus", "OTHER_ACCOUNT", "SECURITY_ACCOUNT", "client_in_account", "allow_account", "bus_policy",
    "create_archive", "create_bus", "replay", "batches", "entry", "publish", "put_batch", "SOURCES",
    "create_rule", "sample_event", "test_pattern", "LocalSchemaRegistry", "SchemaRegistry",
    "example_from_schema", "schema_registry", "KINDS", "add_targets", "queue_arn", "register_handler",
    "target", "Bus", "PublishResult", "Rule", "wait",
]


if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment


def wait(env: Environment, seconds: float) -> None:
    """Let ``seconds`` of time pass; on moto, EventBridge's target retries fall due on the way.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> wait(env, 90); env.clock.elapsed()
    90.0
    >>> _ = env.teardown()
    """
    from ..platform.errors import InvalidParameterError
    from ..platform.inputs import finite

    seconds = finite(seconds, "seconds", rule="time only moves forward",
                     fix="wait(env, 90) with 0 or more seconds")
    if seconds < 0:
        raise InvalidParameterError(f"seconds={seconds!r}: time only moves forward. "
                                    "Fix: wait(env, 90) with 0 or more seconds.")
    stand_in = env.emulation.get("events")
    if stand_in is not None:
        stand_in.advance(seconds)
    else:
        env.sleep(seconds)
