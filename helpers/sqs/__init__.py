"""Lab 1 runtime: SQS order processing with DLQs, partial batches, faults and idempotency.

One module per concept:

``queues``       create a source queue with its DLQ in one validated step; depth; attach a DLQ
``producer``     send orders in validated batches, re-sending failed entries
``consumer``     the stand-in for Lambda's SQS event source mapping (virtual workers on moto)
``faults``       seeded fault scenarios (crash, slow, poison, outage; duplicates emulated)
``idempotency``  Powertools batch handlers; the DynamoDB table of Powertools' idempotency
``mapping``      the event source mapping's batch logic (Lambda event/context, outcomes)
``runners``      virtual workers on the simulated clock, threads on AWS
``dlq``          inspect a DLQ without consuming it, redrive it, count it
``invariants``   the "sent = processed once + in the DLQ; none lost" check
``validation``   queue settings checked against the SQS rules before anything is created
``series``       the numbers behind the plots, from env.log frames
``plots``        the plots (optional ax, PNG)
``types``        the Lambda wire shapes (SQSEvent, SQSRecord, PartialBatchResponse)
``plumbing``     plain queues for notebooks 01-02: create, subscribe to SNS, allow sends, drain

Example
-------
>>> import helpers
>>> from helpers.sqs import (create_queue, send_orders, run_consumers, make_batch_handler,
...                          inspect_dlq, check_delivery)
>>> env = helpers.connect(quiet=True)
>>> q = create_queue(env, "orders")
>>> orders = [{"order_id": f"ord-{i}", "customer_id": "c", "seq": i} for i in range(1, 11)]
>>> _ = send_orders(env, q, orders)
>>> report = run_consumers(env, q, make_batch_handler(lambda record: None))
>>> print(check_delivery(env, [o["order_id"] for o in orders],
...                      processed_order_ids=report.processed_ids,
...                      dlq_order_ids=inspect_dlq(env, q)["order_id"]))
✔ 10 sent = 10 charged once + 0 in the DLQ; 0 lost; 0 charged twice
>>> _ = env.teardown()
"""

from __future__ import annotations

from .consumer import ConsumerReport, build_event, run_consumers
from .dlq import dlq_depth, inspect_dlq, redrive
from .faults import Scenario
from .idempotency import (
    BatchHandler,
    idempotency_table,
    make_batch_handler,
    persistence_layer,
    record_body,
)
from .invariants import DeliveryCheck, check_delivery
from .plumbing import allow_service_sends, drain, plain_queue, subscribe_queue
from .producer import SendReport, send_order, send_orders
from .queues import OrderQueue, attach_dlq, create_queue, delete_queue, queue_depth
from .types import BatchItemFailure, LambdaContext, PartialBatchResponse, SQSEvent, SQSRecord

__all__ = [
    "OrderQueue",
    "create_queue",
    "queue_depth",
    "attach_dlq",
    "delete_queue",
    "SendReport",
    "send_orders",
    "send_order",
    "Scenario",
    "ConsumerReport",
    "run_consumers",
    "build_event",
    "idempotency_table",
    "persistence_layer",
    "make_batch_handler",
    "BatchHandler",
    "record_body",
    "inspect_dlq",
    "redrive",
    "dlq_depth",
    "DeliveryCheck",
    "check_delivery",
    "plain_queue",
    "allow_service_sends",
    "subscribe_queue",
    "drain",
    "SQSEvent",
    "SQSRecord",
    "BatchItemFailure",
    "PartialBatchResponse",
    "LambdaContext",
]
