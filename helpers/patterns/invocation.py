"""Lambda's three invocation models: synchronous, asynchronous, poll-based.

* **Synchronous** (``RequestResponse``): the caller waits and gets the result or the error
  (``FunctionError``); retrying is the *caller's* job (API Gateway, Step Functions).
* **Asynchronous** (``Event``): Lambda queues the event and answers 202. A failed run is
  retried twice (1 min, then 2 min later); ``PutFunctionEventInvokeConfig`` sets
  ``MaximumRetryAttempts`` (0-2), ``MaximumEventAgeInSeconds`` (60-21,600) and the
  ``OnSuccess`` / ``OnFailure`` destinations. SNS, EventBridge and S3 invoke this way.
  (On moto: :mod:`helpers.emulation.awslambda.asynchronous`, emulated.)
* **Poll-based** (event source mappings): Lambda polls SQS, Kinesis or DynamoDB Streams and
  invokes with batches; the *mapping* owns retries (``MaximumRetryAttempts``,
  ``BisectBatchOnFunctionError``, partial batch responses) and ``ScalingConfig``'s
  ``MaximumConcurrency`` caps the concurrent invocations an SQS mapping drives (2-1,000).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> run = async_receipts(env)
>>> run.order_of_completion
['ord-8001', 'ord-8003', 'ord-8004', 'ord-8006', 'ord-8002']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..sqs import create_queue
from ..stepfunctions import deploy_function

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["AsyncRun", "async_receipts", "RECEIPT_ORDERS", "FLAKY", "BROKEN", "drain", "wait_for_retries"]

#: The orders whose receipts are sent asynchronously, in the order they were invoked.
RECEIPT_ORDERS = tuple(f"ord-800{n}" for n in range(1, 7))
#: The order whose receipt fails once (the mail provider timed out), then succeeds.
FLAKY = "ord-8002"
#: The order whose receipt always fails (an address the provider refuses).
BROKEN = "ord-8005"


def drain(env: Environment, url: str) -> list[dict[str, Any]]:
    """Every message body (JSON) on the queue at ``url``, deleted as read."""
    sqs, out = env.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return out


@dataclass
class AsyncRun:
    """Six receipts invoked asynchronously: every run, and what reached the destinations.

    Attributes
    ----------
    runs
        One row per run: ``time`` (s since the first invoke), ``order_id``, ``attempt``,
        ``outcome`` (``ok`` / ``error``).
    on_success, on_failure
        The invocation records delivered to each destination queue.
    """

    runs: pd.DataFrame
    on_success: list[dict[str, Any]] = field(default_factory=list)
    on_failure: list[dict[str, Any]] = field(default_factory=list)

    @property
    def order_of_completion(self) -> list[str]:
        """Orders in the order their receipt finally succeeded."""
        done = self.runs[self.runs["outcome"] == "ok"]
        return done["order_id"].tolist()

    def summary(self) -> pd.DataFrame:
        """One row per destination record: order, condition, invoke count."""
        rows = [{"destination": side, "order_id": r["requestPayload"]["order_id"],
                 "condition": r["requestContext"]["condition"],
                 "approximateInvokeCount": r["requestContext"]["approximateInvokeCount"]}
                for side, records in (("OnSuccess", self.on_success), ("OnFailure", self.on_failure))
                for r in records]
        return pd.DataFrame(rows)


def wait_for_retries(env: Environment) -> float:
    """Let Lambda's asynchronous retries play out; the seconds waited.

    Lambda retries a failed asynchronous invocation at most twice: about a minute after the
    first attempt, then about two minutes after the second (Lambda developer guide,
    asynchronous invocation). Ten minutes leave ample room; five in the short scenario (the
    same retries, less waiting).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True, scenario="short")
    >>> wait_for_retries(env)
    300.0
    >>> _ = env.teardown()
    """
    seconds = env.sized(None, full=600.0, short=300.0)
    env.sleep(seconds)
    return seconds


def async_receipts(env: Environment, *, max_retries: int = 2, name: str = "send-receipt") -> AsyncRun:
    """Invoke the receipt function asynchronously for six orders and let 10 minutes pass
    (:func:`wait_for_retries`: 5 in the short scenario).

    The function's event invoke config has ``MaximumRetryAttempts`` ``max_retries`` and two
    destination queues. :data:`FLAKY` fails once; :data:`BROKEN` always fails.
    """
    rows: list[dict[str, Any]] = []
    start = env.clock.elapsed()

    def handler(event: dict, context: Any) -> dict:
        order = event["order_id"]
        attempt = 1 + sum(1 for r in rows if r["order_id"] == order)
        failed = order == BROKEN or (order == FLAKY and attempt == 1)
        rows.append({"time": env.clock.elapsed() - start, "order_id": order, "attempt": attempt,
                     "outcome": "error" if failed else "ok"})
        if failed:
            raise TimeoutError(f"mail provider timed out for {order}")
        return {"receipt": f"rcpt-{order}"}

    function = deploy_function(env, name, handler)
    ok_queue = create_queue(env, f"{name}-succeeded", dlq=False)
    failed_queue = create_queue(env, f"{name}-failed", dlq=False)
    lam = env.client("lambda")
    lam.put_function_event_invoke_config(
        FunctionName=function, MaximumRetryAttempts=max_retries, MaximumEventAgeInSeconds=3600,
        DestinationConfig={"OnSuccess": {"Destination": ok_queue.arn},
                           "OnFailure": {"Destination": failed_queue.arn}})
    for order in RECEIPT_ORDERS:
        lam.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps({"order_id": order}))
    wait_for_retries(env)
    return AsyncRun(pd.DataFrame(rows), drain(env, ok_queue.url), drain(env, failed_queue.url))
