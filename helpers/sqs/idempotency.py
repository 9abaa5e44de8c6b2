"""Idempotent processing: remember which orders were processed, skip the repeats.

SQS delivers at least once (standard queues duplicate; any queue redelivers after a crash or
an expired visibility timeout), so the consumer must make a second delivery harmless. The
pattern, as in Powertools for AWS Lambda: before processing, *claim* the record's key
(``order_id``) in a store with a conditional write; a claim that finds the key completed is
a duplicate and is skipped (the stored result is returned); a failed processing releases the
claim so the retry can run.

Stores
------
memory (moto and server backends, default)
    A dict held by the store object.
DynamoDB (``aws`` backend, or ``IdempotencyStore(env, use_dynamodb=True)`` anywhere)
    A table ``securecart-<run>-idempotency`` (key ``id``), created on first use and deleted by
    ``env.teardown()``; the claim is ``PutItem`` with ``attribute_not_exists(id)``, so
    concurrent Lambda invocations cannot both claim an order.

Example
-------
>>> from helpers.sqs.idempotency import IdempotencyStore, make_batch_handler
>>> store = IdempotencyStore()
>>> seen = []
>>> handler = make_batch_handler(lambda record: seen.append(record["body"]), store=store)
>>> event = {"Records": [{"messageId": "m1", "body": '{"order_id": "ord-1"}'},
...                      {"messageId": "m2", "body": '{"order_id": "ord-1"}'}]}
>>> handler(event, None)
{'batchItemFailures': []}
>>> seen, store.hits
(['{"order_id": "ord-1"}'], 1)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..platform.errors import GroupBlockedError, IdempotencyInProgressError
from .types import PartialBatchResponse, SQSEvent, SQSRecord

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["IdempotencyStore", "idempotent", "make_batch_handler", "BatchHandler", "order_key",
           "record_body"]

_IN_PROGRESS = "IN_PROGRESS"
_COMPLETED = "COMPLETED"


def record_body(record: SQSRecord | dict) -> Any:
    """The record's body decoded from JSON (the raw text when it is not JSON)."""
    body = record.get("body")
    try:
        return json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return body


def order_key(record: SQSRecord | dict, body: Any) -> str:
    """The default idempotency key: the order's ``order_id``."""
    return body["order_id"]


class IdempotencyStore:
    """Keys already processed, with their results; counts the duplicates it skipped.

    Parameters
    ----------
    env
        The course environment; needed for the DynamoDB store. ``None`` gives a memory store.
    use_dynamodb
        ``None`` (default): DynamoDB on ``aws``, memory otherwise. ``True``/``False`` forces.
    name
        Base name of the DynamoDB table (the run prefix is added).

    Attributes
    ----------
    hits : int
        Duplicates skipped (claims that found the key completed).
    backend : str
        ``"memory"`` or ``"dynamodb"``.

    Example
    -------
    >>> store = IdempotencyStore()
    >>> store.begin("ord-1")
    (True, None)
    >>> store.complete("ord-1", "charged")
    >>> store.begin("ord-1"), store.hits
    ((False, 'charged'), 1)
    """

    def __init__(self, env: Environment | None = None, *, use_dynamodb: bool | None = None,
                 name: str = "idempotency") -> None:
        if use_dynamodb is None:
            use_dynamodb = env is not None and env.backend == "aws"
        if use_dynamodb and env is None:
            raise ValueError("A DynamoDB idempotency store needs the environment: "
                             "IdempotencyStore(env, use_dynamodb=True).")
        self.env = env
        self.backend = "dynamodb" if use_dynamodb else "memory"
        self.hits = 0
        self._items: dict[str, tuple[str, Any]] = {}
        self._table: str | None = None
        self._name = name

    def __repr__(self) -> str:
        return f"IdempotencyStore({self.backend}, {len(self)} keys, {self.hits} duplicates skipped)"

    # -- DynamoDB -----------------------------------------------------------------------
    def _ddb(self) -> Any:
        ddb = self.env.client("dynamodb")
        if self._table is None:
            table = self.env.name(self._name, "dynamodb")
            try:
                ddb.create_table(
                    TableName=table, BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                )
                ddb.get_waiter("table_exists").wait(TableName=table)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ResourceInUseException":
                    raise
            self._table = table
        return ddb

    # -- the protocol -------------------------------------------------------------------
    def begin(self, key: str) -> tuple[bool, Any]:
        """Claim ``key``: ``(True, None)`` when new; ``(False, result)`` for a duplicate.

        Raises
        ------
        IdempotencyInProgressError
            Another worker claimed the key and has not finished (retry the record later).
        """
        key = str(key)
        if self.backend == "memory":
            state = self._items.get(key)
            if state is None:
                self._items[key] = (_IN_PROGRESS, None)
                return True, None
        else:
            ddb = self._ddb()
            try:
                ddb.put_item(TableName=self._table, Item={"id": {"S": key}, "status": {"S": _IN_PROGRESS}},
                             ConditionExpression="attribute_not_exists(id)")
                return True, None
            except ClientError as err:
                if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            item = ddb.get_item(TableName=self._table, Key={"id": {"S": key}},
                                ConsistentRead=True).get("Item", {})
            result = json.loads(item["result"]["S"]) if "result" in item else None
            state = (item.get("status", {}).get("S", _IN_PROGRESS), result)
        if state[0] == _COMPLETED:
            self.hits += 1
            return False, state[1]
        raise IdempotencyInProgressError(
            f"Order key {key!r} is being processed by another worker right now (its claim is "
            "IN_PROGRESS). The record fails this time and SQS redelivers it after the visibility "
            "timeout, when the first worker has finished. Nothing to fix unless it repeats: "
            "then a worker died mid-processing; call store.release(key)."
        )

    def complete(self, key: str, result: Any = None) -> None:
        """Mark ``key`` processed, with ``result`` (JSON-serialisable on DynamoDB)."""
        key = str(key)
        if self.backend == "memory":
            self._items[key] = (_COMPLETED, result)
        else:
            self._ddb().put_item(TableName=self._table, Item={
                "id": {"S": key}, "status": {"S": _COMPLETED},
                "result": {"S": json.dumps(result, default=str)}})

    def release(self, key: str) -> None:
        """Forget a claim (processing failed: the retry must run)."""
        key = str(key)
        if self.backend == "memory":
            self._items.pop(key, None)
        else:
            self._ddb().delete_item(TableName=self._table, Key={"id": {"S": key}})

    def __contains__(self, key: object) -> bool:
        if self.backend == "memory":
            state = self._items.get(str(key))
            return state is not None and state[0] == _COMPLETED
        item = self._ddb().get_item(TableName=self._table, Key={"id": {"S": str(key)}},
                                    ConsistentRead=True).get("Item")
        return bool(item) and item["status"]["S"] == _COMPLETED

    def keys(self) -> list[str]:
        """The completed keys (a scan on DynamoDB)."""
        if self.backend == "memory":
            return [k for k, (status, _) in self._items.items() if status == _COMPLETED]
        keys: list[str] = []
        for page in self._ddb().get_paginator("scan").paginate(TableName=self._table):
            keys += [i["id"]["S"] for i in page["Items"] if i["status"]["S"] == _COMPLETED]
        return keys

    def __len__(self) -> int:
        return len(self.keys())

    def clear(self) -> None:
        """Forget every key and reset ``hits`` (memory store; on DynamoDB deletes the items)."""
        if self.backend == "dynamodb":
            for key in self.keys():
                self.release(key)
        self._items.clear()
        self.hits = 0


def idempotent(store: IdempotencyStore,
               key: Callable[[SQSRecord, Any], Any] = order_key) -> Callable[[Callable], Callable]:
    """Decorate a per-record ``process(record)`` so a repeated key is skipped.

    Parameters
    ----------
    store
        Where processed keys live.
    key
        ``key(record, body) -> key`` (``body`` is the decoded JSON); default ``order_id``.

    Example
    -------
    >>> store = IdempotencyStore()
    >>> @idempotent(store)
    ... def charge(record):
    ...     return "charged"
    >>> charge({"body": '{"order_id": "o-1"}'}), charge({"body": '{"order_id": "o-1"}'})
    ('charged', 'charged')
    >>> store.hits
    1
    """

    def decorate(process: Callable[[SQSRecord], Any]) -> Callable[[SQSRecord], Any]:
        @functools.wraps(process)
        def wrapper(record: SQSRecord) -> Any:
            k = str(key(record, record_body(record)))
            fresh, result = store.begin(k)
            if not fresh:
                return result
            try:
                result = process(record)
            except BaseException:
                store.release(k)
                raise
            store.complete(k, result)
            return result

        wrapper.store = store  # type: ignore[attr-defined]
        return wrapper

    return decorate


class BatchHandler:
    """A Lambda-shaped batch handler built from a per-record function.

    Call it as ``handler(event, context)``; it returns ``{"batchItemFailures": [...]}``
    naming each record whose ``process`` raised. On a FIFO queue (``eventSourceARN`` ending in
    ``.fifo``) a failure also fails the later records of the same group in the batch, without
    processing them, so the group's order holds on the retry.

    Attributes
    ----------
    process
        The per-record function (wrapped by :func:`idempotent` when a store is given).
    store
        The idempotency store, or ``None``.
    errors
        ``messageId -> exception`` of the last call's failed records.
    calls
        Invocations so far.

    Example
    -------
    >>> def process(record):
    ...     if "bad" in record["body"]:
    ...         raise ValueError("cannot parse")
    >>> handler = BatchHandler(process)
    >>> handler({"Records": [{"messageId": "a", "body": "ok"}, {"messageId": "b", "body": "bad"}]}, None)
    {'batchItemFailures': [{'itemIdentifier': 'b'}]}
    >>> str(handler.errors["b"])
    'cannot parse'
    """

    def __init__(self, process: Callable[[SQSRecord], Any], *, store: IdempotencyStore | None = None,
                 key: Callable[[SQSRecord, Any], Any] = order_key) -> None:
        self.process = idempotent(store, key)(process) if store is not None else process
        self.store = store
        self.errors: dict[str, BaseException] = {}
        self.calls = 0
        functools.update_wrapper(self, process, updated=())

    def __call__(self, event: SQSEvent, context: Any = None) -> PartialBatchResponse:
        self.calls += 1
        self.errors = {}
        failures = []
        failed_groups: set[str] = set()
        for record in event["Records"]:
            message_id = record["messageId"]
            fifo = str(record.get("eventSourceARN", "")).endswith(".fifo")
            group = (record.get("attributes") or {}).get("MessageGroupId") if fifo else None
            if group is not None and group in failed_groups:
                self.errors[message_id] = GroupBlockedError(
                    f"not processed: an earlier message of group {group!r} failed in this batch "
                    "(FIFO order)")
                failures.append({"itemIdentifier": message_id})
                continue
            try:
                self.process(record)
            except Exception as exc:  # every failure is reported per record
                self.errors[message_id] = exc
                failures.append({"itemIdentifier": message_id})
                if group is not None:
                    failed_groups.add(group)
        return {"batchItemFailures": failures}


def make_batch_handler(process: Callable[[SQSRecord], Any], *, store: IdempotencyStore | None = None,
                       key: Callable[[SQSRecord, Any], Any] = order_key) -> BatchHandler:
    """Turn ``process(record)`` into a Lambda SQS batch handler with partial batch responses.

    Parameters
    ----------
    process
        Called once per record; raising marks that record failed (the others succeed).
    store
        An :class:`IdempotencyStore`: records whose key was processed before are skipped.
    key
        ``key(record, body)``; default ``body["order_id"]``.

    Returns
    -------
    BatchHandler
        ``handler(event, context) -> {"batchItemFailures": [{"itemIdentifier": id}, ...]}``.

    Example
    -------
    >>> handler = make_batch_handler(lambda record: None)
    >>> handler({"Records": [{"messageId": "m1", "body": "{}"}]}, None)
    {'batchItemFailures': []}
    """
    return BatchHandler(process, store=store, key=key)
