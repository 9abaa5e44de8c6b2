"""Idempotent batch handlers with Powertools for AWS Lambda (Python), on the environment's DynamoDB.

SQS delivers at least once (standard queues duplicate; any queue redelivers after a crash or
an expired visibility timeout), so a consumer must make a second delivery harmless. The
course does not hand-write that: handlers are Powertools handlers, as on real Lambda.

* Partial batch responses: :class:`~aws_lambda_powertools.utilities.batch.BatchProcessor`
  (standard queues) or
  :class:`~aws_lambda_powertools.utilities.batch.SqsFifoPartialProcessor` (FIFO: after a
  failure, the later records of the same message group fail too, so the group's order holds)
  with ``process_partial_response``.
* Idempotency: ``idempotent_function`` with a ``DynamoDBPersistenceLayer`` on a table of this
  environment (moto locally, the real table on AWS). The key is the ``order_id`` in the body
  (``IdempotencyConfig(event_key_jmespath="order_id")``), never the SQS ``messageId``: a
  producer's resend of the same payment is a new message with a new ``messageId``.

What stays course code, and why
-------------------------------
:func:`idempotency_table`
    Powertools expects the table to exist (partition key ``id``, TTL on ``expiration``);
    creating it is the one step Powertools leaves to infrastructure code (SAM/CDK).
:class:`BatchHandler` / :func:`make_batch_handler`
    A thin builder of the Powertools objects above for the course's own experiments (one
    line per experiment instead of twelve), which also keeps each failed record's exception
    (``handler.errors``) so the event log and ``inspect_dlq`` can show *why* it failed.

Example
-------
>>> import helpers
>>> from helpers.sqs.types import LambdaContext
>>> env = helpers.connect(quiet=True)
>>> seen = []
>>> handler = make_batch_handler(lambda record: seen.append(record.message_id), idempotency=env)
>>> event = {"Records": [_record("m1", '{"order_id": "ord-1"}'),
...                      _record("m2", '{"order_id": "ord-1"}')]}
>>> handler(event, LambdaContext("order-processor", "req-1"))
{'batchItemFailures': []}
>>> seen
['m1']
>>> _ = env.teardown()
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from .types import PartialBatchResponse, SQSEvent

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["idempotency_table", "persistence_layer", "make_batch_handler", "BatchHandler",
           "record_body", "IDEMPOTENCY_TABLE", "IDEMPOTENCY_KEY"]

#: Base name of the environment's idempotency table (``securecart-<run>-idempotency``).
IDEMPOTENCY_TABLE = "idempotency"
#: The JMESPath of the idempotency key in a payment/order body.
IDEMPOTENCY_KEY = "order_id"


def _record(message_id: str, body: str, arn: str = "arn:aws:sqs:us-east-1:123456789012:q") -> dict:
    """A minimal Lambda SQS record (for examples and tests)."""
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}", "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0",
                           "SenderId": "x", "ApproximateFirstReceiveTimestamp": "0"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": arn, "awsRegion": "us-east-1"}


def record_body(record: Any) -> Any:
    """The record's body decoded from JSON (the raw text when it is not JSON).

    ``record`` is a Lambda record dict or a Powertools ``SQSRecord``.

    Example
    -------
    >>> record_body({"body": '{"order_id": "ord-1"}'})
    {'order_id': 'ord-1'}
    """
    body = record.get("body") if isinstance(record, dict) else getattr(record, "body", None)
    try:
        return json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return body


def idempotency_table(env: Environment, base: str = IDEMPOTENCY_TABLE) -> str:
    """The DynamoDB table Powertools' idempotency utility writes to, created once per environment.

    Partition key ``id`` (string) and TTL on ``expiration``: the layout
    ``DynamoDBPersistenceLayer`` expects by default. The table is one of this run's resources,
    so ``env.teardown()`` deletes it and a new ``connect()`` starts from an empty one.

    Returns
    -------
    str
        The table name (``securecart-<run>-idempotency``).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> idempotency_table(env)
    'securecart-demo-idempotency'
    >>> idempotency_table(env) in env.client("dynamodb").list_tables()["TableNames"]
    True
    >>> _ = env.teardown()
    """
    name = env.name(base, "dynamodb")
    if name in env.resources.of("table"):
        return name
    ddb = env.client("dynamodb")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ddb.get_waiter("table_exists").wait(TableName=name)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expiration"})
    return name


def persistence_layer(env: Environment, table: str | None = None) -> DynamoDBPersistenceLayer:
    """``DynamoDBPersistenceLayer(table_name=..., boto3_client=env.client("dynamodb"))``.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> persistence_layer(env).table_name
    'securecart-demo-idempotency'
    >>> _ = env.teardown()
    """
    return DynamoDBPersistenceLayer(table_name=table or idempotency_table(env),
                                    boto3_client=env.client("dynamodb"))


class BatchHandler:
    """A Lambda SQS batch handler built from a per-record function with Powertools.

    Call it as ``handler(event, context)``: it runs ``process_partial_response`` with a
    ``BatchProcessor`` (or a ``SqsFifoPartialProcessor(skip_group_on_error=True)`` when the
    records come from a ``.fifo`` queue) and returns ``{"batchItemFailures": [...]}``. With an
    idempotency layer, ``process`` is wrapped in ``idempotent_function`` keyed on the body's
    ``order_id``, under a key prefix of its own (``name``), so two handlers sharing the table
    never see each other's orders.

    Attributes
    ----------
    process
        The per-record function (it receives a Powertools ``SQSRecord``; ``record["body"]``
        and ``record.body`` both work).
    persistence
        The ``DynamoDBPersistenceLayer`` or ``None``.
    errors
        ``messageId -> exception`` of the last call's failed records.
    calls
        Invocations so far.

    Example
    -------
    >>> def process(record):
    ...     if "bad" in record.body:
    ...         raise ValueError("cannot parse")
    >>> handler = BatchHandler(process)
    >>> handler({"Records": [_record("a", "ok"), _record("b", "bad")]}, None)
    {'batchItemFailures': [{'itemIdentifier': 'b'}]}
    >>> str(handler.errors["b"])
    'cannot parse'
    """

    def __init__(self, process: Callable[[Any], Any], *,
                 persistence: DynamoDBPersistenceLayer | None = None,
                 key: str = IDEMPOTENCY_KEY, name: str = "order-processor") -> None:
        self.persistence = persistence
        self.errors: dict[str, BaseException] = {}
        self.calls = 0
        self.name = name
        self._config = IdempotencyConfig(event_key_jmespath=key)
        if persistence is not None:
            @idempotent_function(data_keyword_argument="body", config=self._config,
                                 persistence_store=persistence, key_prefix=name)
            def once(body: Any, record: Any) -> None:
                process(record)

            self.process: Callable[[Any], Any] = lambda record: once(body=record_body(record),
                                                                     record=record)
        else:
            # Powertools calls the record handler as handler(record=...): any name works here.
            self.process = lambda record: process(record)
        self._standard = BatchProcessor(event_type=EventType.SQS)
        self._fifo = SqsFifoPartialProcessor(skip_group_on_error=True)
        functools.update_wrapper(self, process, updated=())

    def __call__(self, event: SQSEvent, context: Any = None) -> PartialBatchResponse:
        self.calls += 1
        self.errors = {}
        records = event.get("Records", [])
        fifo = bool(records) and str(records[0].get("eventSourceARN", "")).endswith(".fifo")
        processor = self._fifo if fifo else self._standard
        if context is not None:
            self._config.register_lambda_context(context)
        try:
            return process_partial_response(event=event, record_handler=self.process,
                                            processor=processor, context=context)
        finally:
            for record, info in zip(processor.fail_messages, processor.exceptions, strict=False):
                self.errors[record.message_id] = info[1]


def make_batch_handler(process: Callable[[Any], Any], *,
                       idempotency: Environment | DynamoDBPersistenceLayer | None = None,
                       key: str = IDEMPOTENCY_KEY, name: str | None = None) -> BatchHandler:
    """Turn ``process(record)`` into a Powertools SQS batch handler with partial batch responses.

    Parameters
    ----------
    process
        Called once per record (a Powertools ``SQSRecord``); raising marks that record failed
        (the others succeed).
    idempotency
        ``None``: every delivery is processed. An environment: records whose ``order_id`` was
        processed before are skipped, remembered in the environment's DynamoDB table under a
        key prefix of this handler's own. A ``DynamoDBPersistenceLayer``: use that one.
    key
        JMESPath of the idempotency key in the body (default ``order_id``).
    name
        The key prefix (default: ``order-processor-N``, numbered per environment).

    Example
    -------
    >>> handler = make_batch_handler(lambda record: None)
    >>> handler({"Records": [_record("m1", "{}")]}, None)
    {'batchItemFailures': []}
    """
    persistence = idempotency
    if idempotency is not None and not isinstance(idempotency, DynamoDBPersistenceLayer):
        env = idempotency
        if name is None:
            count = env.state.get("idempotent-handlers", 0) + 1
            env.state["idempotent-handlers"] = count
            name = f"order-processor-{count}"
        persistence = persistence_layer(env)
    return BatchHandler(process, persistence=persistence, key=key,  # type: ignore[arg-type]
                        name=name or "order-processor")
