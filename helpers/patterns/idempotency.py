"""Idempotency beyond Lab 1: every AWS source in the course delivers some events twice.

Four sources, one failure mode each. In every scenario the handler does its side effect (a
charge, loyalty points) and then a *later* step of the same invocation fails once (a receipt
service times out, the response is lost, the consumer crashes before its checkpoint). The
platform retries the whole invocation, so the side effect runs again:

==================  =========================================================  ======================
source              why the handler runs twice                                  retried by
==================  =========================================================  ======================
SNS -> Lambda       Lambda's asynchronous invocation retries a failed run       Lambda (1 min, 2 min)
EventBridge         at-least-once delivery; a replay re-sends archived events   EventBridge / you
Step Functions      a ``Retry`` on the Task re-invokes the function             the state machine
Kinesis consumer    a restart resumes from the last *saved* checkpoint          the consumer itself
==================  =========================================================  ======================

The fix is the same everywhere: Powertools' ``idempotent_function`` around the side effect,
keyed on an id the *producer* put in the payload (``order_id``, ``event_id``), never on an
id the transport invents (SNS ``MessageId``, the EventBridge ``id`` of a replayed event, a
Kinesis sequence number, a Step Functions attempt). A deduplication window (SQS FIFO, SNS
FIFO: 5 minutes) is short; an idempotency record lasts as long as you keep it.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> run = duplicate_via_stepfunctions(env, idempotent=False)
>>> run.deliveries, run.side_effects, run.duplicated
(4, 4, ['ord-7002'])
>>> duplicate_via_stepfunctions(env, idempotent=True).side_effects
3
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

from ..events import create_archive, create_bus, create_rule, register_handler, replay
from ..sns.lambdas import create_function
from ..sns.subscriptions import subscribe_lambda
from ..sqs.idempotency import persistence_layer
from ..stepfunctions import create_state_machine, deploy_function, run_execution

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["DuplicateRun", "idempotent", "duplicate_via_sns", "duplicate_via_eventbridge",
           "duplicate_via_stepfunctions", "duplicate_via_stream", "compare", "SCENARIOS",
           "ORDERS"]

#: The orders of every scenario (producer-supplied ids); the second one meets the failure.
ORDERS = ("ord-7001", "ord-7002", "ord-7003")


@dataclass
class DuplicateRun:
    """One scenario's outcome: how often the handler ran and how often the side effect happened.

    Attributes
    ----------
    source
        Which AWS source delivered (``"SNS -> Lambda"`` ...).
    idempotent
        Whether the side effect was wrapped in Powertools idempotency.
    deliveries
        Handler runs (the first runs and the platform's retries).
    effects
        ``order_id`` of each side effect, in the order they happened.
    """

    source: str
    idempotent: bool
    deliveries: int
    effects: list[str] = field(default_factory=list)

    @property
    def side_effects(self) -> int:
        """How many times a card was charged (or points credited)."""
        return len(self.effects)

    @property
    def duplicated(self) -> list[str]:
        """The orders whose side effect happened more than once."""
        return sorted({o for o in self.effects if self.effects.count(o) > 1})

    def __repr__(self) -> str:
        kind = "idempotent" if self.idempotent else "naive"
        return (f"{self.source} ({kind}): {self.deliveries} handler runs, {self.side_effects} side "
                f"effects for {len(ORDERS)} orders; twice: {self.duplicated or 'none'}")


def idempotent(env: Environment, effect: Callable[[dict], Any], *, key: str = "order_id",
               name: str = "charge") -> Callable[[dict], Any]:
    """``effect(payload)`` made idempotent with Powertools, keyed on ``payload[key]``.

    The records live in the environment's idempotency table under a key prefix of their own
    (``name`` plus a per-environment number, so a re-run starts clean).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> done = []
    >>> charge = idempotent(env, lambda p: done.append(p["order_id"]))
    >>> _ = charge({"order_id": "ord-1"}), charge({"order_id": "ord-1"})
    >>> done
    ['ord-1']
    >>> _ = env.teardown()
    """
    count = env.state.get("patterns-idempotent", 0) + 1
    env.state["patterns-idempotent"] = count

    @idempotent_function(data_keyword_argument="payload", persistence_store=persistence_layer(env),
                         config=IdempotencyConfig(event_key_jmespath=key), key_prefix=f"{name}-{count}")
    def once(payload: dict) -> Any:
        effect(payload)
        return {"done": payload[key]}

    def call(payload: dict) -> Any:
        with warnings.catch_warnings():  # no Lambda context outside a handler: no timeout to track
            warnings.filterwarnings("ignore", "Couldn't determine the remaining time")
            return once(payload=payload)

    return call


class _Handler:
    """The side effect, then a later step that fails once for the second order."""

    def __init__(self, env: Environment, use_idempotency: bool, key: str = "order_id") -> None:
        self.effects: list[str] = []
        self.runs = 0
        self.failed: set[str] = set()
        self.key = key
        record = lambda payload: self.effects.append(payload["order_id"])  # noqa: E731
        self.effect = idempotent(env, record, key=key) if use_idempotency else record

    def __call__(self, payload: dict) -> dict:
        self.runs += 1
        self.effect(payload)
        if payload["order_id"] == ORDERS[1] and payload["order_id"] not in self.failed:
            self.failed.add(payload["order_id"])
            raise TimeoutError("the receipt service timed out after the charge")
        return {"charged": payload["order_id"]}

    def result(self, source: str, idempotent_: bool) -> DuplicateRun:
        return DuplicateRun(source, idempotent_, self.runs, list(self.effects))


def _tag(env: Environment, base: str) -> str:
    count = env.state.get(f"patterns-{base}", 0) + 1
    env.state[f"patterns-{base}"] = count
    return f"{base}-{count}"


def duplicate_via_sns(env: Environment, *, idempotent: bool) -> DuplicateRun:
    """SNS -> Lambda: the failed run is retried by Lambda's asynchronous invocation (1 min later)."""
    handler = _Handler(env, idempotent)
    name = _tag(env, "charge-sns")
    arn = create_function(env, name, lambda event, context: handler(
        json.loads(event["Records"][0]["Sns"]["Message"])))
    topic = env.client("sns").create_topic(Name=name)["TopicArn"]
    subscribe_lambda(env, topic, arn)
    for order in ORDERS:
        env.client("sns").publish(TopicArn=topic, Message=json.dumps({"order_id": order}))
    env.sleep(4 * 60)  # Lambda's retries fall due on the way (1 min, then 2 min)
    return handler.result("SNS -> Lambda", idempotent)


def duplicate_via_eventbridge(env: Environment, *, idempotent: bool) -> DuplicateRun:
    """EventBridge: OrderPlaced credits loyalty points; an operator replays the last hour.

    The replayed events reach the target again: the points are credited twice unless the
    handler remembers the producer's ``event_id``.
    """
    handler = _Handler(env, idempotent, key="event_id")
    handler.failed.add(ORDERS[1])  # no failure here: the replay is the duplicate
    name = _tag(env, "loyalty")
    bus = create_bus(env, name)
    arn = register_handler(env, name, lambda event, context: handler(event["detail"]))
    rule = create_rule(env, name, {"detail-type": ["OrderPlaced"]}, bus=bus.name)
    env.client("events").put_targets(Rule=rule.name, EventBusName=bus.name,
                                     Targets=[{"Id": "loyalty", "Arn": arn}])
    archive = create_archive(env, bus, name)
    start = env.clock.now() - dt.timedelta(minutes=1)
    env.client("events").put_events(Entries=[
        {"EventBusName": bus.name, "Source": "securecart.orders", "DetailType": "OrderPlaced",
         "Detail": json.dumps({"event_id": f"evt-{order}", "order_id": order})} for order in ORDERS])
    env.sleep(60)
    replay(env, archive, bus, start, env.clock.now(), name)
    env.sleep(60)
    return handler.result("EventBridge replay", idempotent)


def duplicate_via_stepfunctions(env: Environment, *, idempotent: bool) -> DuplicateRun:
    """Step Functions: ``Retry`` on the Charge task re-invokes the function after its failure."""
    handler = _Handler(env, idempotent)
    name = _tag(env, "charge-sfn")
    function = deploy_function(env, name, lambda event, context: handler(event))
    machine = create_state_machine(env, name, {"StartAt": "Charge", "States": {"Charge": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
        "Parameters": {"FunctionName": function, "Payload.$": "$"},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3}],
        "End": True}}})
    for order in ORDERS:
        run_execution(env, machine, {"order_id": order}, name=f"{name}-{order}")
    return handler.result("Step Functions Retry", idempotent)


def duplicate_via_stream(env: Environment, *, idempotent: bool) -> DuplicateRun:
    """Kinesis: the consumer crashes after processing, before it saves its checkpoint.

    On restart it resumes after the last *saved* sequence number and processes the same
    records again.
    """
    handler = _Handler(env, idempotent)
    kinesis = env.client("kinesis")
    name = env.name(_tag(env, "payments-stream"), "kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    for order in ORDERS:
        kinesis.put_record(StreamName=name, PartitionKey=order, Data=json.dumps({"order_id": order}).encode())
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    checkpoint: str | None = None
    for _attempt in range(2):  # the first run crashes, the restart resumes from the checkpoint
        args = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": checkpoint}
                if checkpoint else {"ShardIteratorType": "TRIM_HORIZON"})
        iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, **args)["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator)["Records"]
        try:
            for record in records:
                handler(json.loads(record["Data"]))
            checkpoint = records[-1]["SequenceNumber"] if records else checkpoint
            break
        except TimeoutError:
            continue  # crashed: the checkpoint was never saved
    kinesis.delete_stream(StreamName=name)
    return handler.result("Kinesis re-read", idempotent)


#: The four scenarios, in the notebook's order.
SCENARIOS: dict[str, Callable[..., DuplicateRun]] = {
    "SNS -> Lambda": duplicate_via_sns,
    "EventBridge replay": duplicate_via_eventbridge,
    "Step Functions Retry": duplicate_via_stepfunctions,
    "Kinesis re-read": duplicate_via_stream,
}


def compare(env: Environment) -> pd.DataFrame:
    """Every scenario naive and idempotent: handler runs and side effects per source.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> compare(env)["side effects (idempotent)"].tolist()
    [3, 3, 3, 3]
    >>> _ = env.teardown()
    """
    rows = []
    for source, scenario in SCENARIOS.items():
        naive, safe = scenario(env, idempotent=False), scenario(env, idempotent=True)
        rows.append({"source": source, "handler runs": naive.deliveries,
                     "side effects (naive)": naive.side_effects,
                     "side effects (idempotent)": safe.side_effects,
                     "charged twice (naive)": ", ".join(naive.duplicated) or "-"})
    return pd.DataFrame(rows).set_index("source")
