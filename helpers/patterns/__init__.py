"""Notebook 09 · production patterns: idempotency everywhere, the outbox, invocation models...

``idempotency``  duplicates from SNS -> Lambda, EventBridge replay, Step Functions Retry and a
                 Kinesis re-read; Powertools idempotency keyed on the producer's id
``outbox``       the dual write and the transactional outbox on DynamoDB Streams
``invocation``   Lambda's synchronous, asynchronous (retries, destinations) and poll-based models
``ordering``     ordering myths: FIFO + DLQ, replay, Lambda async
``status``       telling the customer after an asynchronous checkout: polling, notification, DLQ
``design``       event design: envelope, claim check, parallel versions
``realtime``     Kinesis with a Lambda event source mapping: IteratorAge, bisect, partial batches
``workflows``    Step Functions Standard vs Express: semantics, limits, price, fit
``plots``        the notebook's figures
``access``       IAM and KMS as AWS would decide: the key policy of an SSE-KMS queue
``lake``         S3 event log as partitioned JSON lines, a Glue table, SQL (DuckDB for Athena)
``search``       OpenSearch query DSL (subset) on an embedded index standing in for a domain
``monitoring``   AWS/Events delivery metrics and a composite alarm that pages outside deploys
``checks``       the exercises: ``check(env, "exercise N", answer)`` and ``hint(env, "exercise N")``
"""

from __future__ import annotations

from . import (
    access,
    checks,
    design,
    idempotency,
    invocation,
    lake,
    monitoring,
    ordering,
    outbox,
    plots,
    realtime,
    search,
    status,
    workflows,
)
from .checks import check, hint

__all__ = ["idempotency", "outbox", "invocation", "ordering", "plots", "workflows", "status", "design",
           "realtime", "access", "lake", "search", "checks", "check", "hint",
           "monitoring"]
