"""Queue policies decide service deliveries (emulated on moto): SNS -> SQS and EventBridge -> SQS.

On AWS an SNS topic or an EventBridge rule may send to a queue only when the queue's policy
allows the service principal (``sns.amazonaws.com``, ``events.amazonaws.com``) the action
``sqs:SendMessage`` on the queue, for that source (``aws:SourceArn``, ``aws:SourceAccount``),
decided by IAM's evaluation logic (:mod:`helpers.rules.iam`: explicit deny wins, then any
allow). Moto stores the ``Policy`` attribute and never reads it: every topic delivers to every
queue. The SNS and EventBridge stand-ins ask :func:`delivery_decision` before they send.

A queue with *no* policy at all is refused by AWS too; on moto it is still delivered to (the
course's older plumbing subscribes some queues without a policy) and the log row says so.

Example
-------
>>> class Queue:
...     policy = None
>>> delivery_decision(Queue(), "arn:aws:sqs:us-east-1:123456789012:q", "sns.amazonaws.com",
...                   "arn:aws:sns:us-east-1:123456789012:t") is None
True
"""

from __future__ import annotations

from typing import Any

from ..rules.iam import Decision, Request, evaluate

__all__ = ["delivery_decision", "refusal"]


def delivery_decision(queue: Any, queue_arn: str, service: str, source_arn: str) -> Decision | None:
    """IAM's decision on ``service`` sending to ``queue`` for ``source_arn``; ``None``: no policy."""
    policy = getattr(queue, "policy", None)
    if not policy:
        return None
    request = Request(action="sqs:SendMessage", resource=queue_arn, principal={"Service": service},
                      context={"aws:SourceArn": source_arn, "aws:SourceAccount": source_arn.split(":")[4]})
    return evaluate(policy, request)


def refusal(decision: Decision, queue_name: str, source_arn: str) -> str:
    """The reason a delivery was refused, as the log and the DLQ's ERROR_MESSAGE show it."""
    return (f"the policy of queue {queue_name} does not allow sqs:SendMessage from "
            f"{source_arn.rsplit(':', 1)[-1]} ({decision.explain()}; emulated on moto)")
