"""A subscription's dead-letter queue: look inside without consuming, and redrive after a fix.

SNS has no redrive API for subscription DLQs: after fixing the subscriber, a small job reads
the DLQ and delivers each message again. :func:`redrive_subscription_dlq` is that job for
webhook and queue subscribers; it deletes a message from the DLQ only once it was delivered.

Example
-------
>>> import helpers
>>> from helpers.sns import create_topic, subscribe_queue
>>> env = helpers.connect(quiet=True)
>>> sub = subscribe_queue(env, create_topic(env, "status"), "support", dlq=True)
>>> len(peek_subscription_dlq(env, sub))
0
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd
import requests

from ..platform import limits
from ..platform.errors import InvalidParameterError
from .subscriptions import Subscription

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["peek_subscription_dlq", "redrive_subscription_dlq"]

#: Simulated seconds after which a message made visible again can be received (moto compares
#: "later than", so the clock must move).
_VISIBLE_AGAIN = 0.001


def _receive_all(env: Environment, url: str, visibility: int) -> list[dict[str, Any]]:
    sqs, out = env.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=limits.SQS_MAX_BATCH_ENTRIES,
                                  VisibilityTimeout=visibility, WaitTimeSeconds=0,
                                  MessageAttributeNames=["All"]).get("Messages", [])
        if not got:
            return out
        out += got


def _need_dlq(sub: Subscription) -> str:
    if not isinstance(sub, Subscription) or not sub.dlq_url:
        raise InvalidParameterError(f"{sub!r} has no subscription DLQ: subscribe with dlq=True "
                                    "(queues) or dlq_name= (webhooks).")
    return sub.dlq_url


def _message_of(body: str) -> tuple[str | None, str]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None, body
    if isinstance(parsed, dict) and parsed.get("Type") == "Notification":
        return parsed.get("MessageId"), parsed.get("Message", "")
    return None, body


def peek_subscription_dlq(env: Environment, sub: Subscription) -> pd.DataFrame:
    """The DLQ's messages (SNS message id and message), left in the DLQ as they were."""
    url = _need_dlq(sub)
    messages = _receive_all(env, url, 60)
    sqs = env.client("sqs")
    for m in messages:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                      VisibilityTimeout=0)
    if messages and env.clock.simulated:
        env.clock.advance(_VISIBLE_AGAIN)  # moto: visible again once the clock has moved
    rows = [dict(zip(("sns_message_id", "message"), _message_of(m["Body"]), strict=True))
            for m in messages]
    return pd.DataFrame(rows, columns=["sns_message_id", "message"])


def redrive_subscription_dlq(env: Environment, sub: Subscription) -> dict[str, int]:
    """Deliver every DLQ message to the (fixed) subscriber again; ``{"redriven", "still_failing"}``."""
    url = _need_dlq(sub)
    sqs = env.client("sqs")
    done = failing = 0
    for m in _receive_all(env, url, 300):
        try:
            if sub.protocol in ("http", "https"):
                ok = 200 <= requests.post(sub.endpoint, data=m["Body"].encode(), timeout=5, headers={
                    "x-amz-sns-message-type": "Notification",
                    "Content-Type": "text/plain; charset=UTF-8"}).status_code < 300
            else:
                sqs.send_message(QueueUrl=sub.queue_url, MessageBody=m["Body"])
                ok = True
        except requests.RequestException:
            ok = False
        if ok:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            env.log.record(service="sns", action="redrive", resource=sub.label,
                           message_id=_message_of(m["Body"])[0], detail=f"from {url.rsplit('/', 1)[-1]}")
            done += 1
        else:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                          VisibilityTimeout=0)
            failing += 1
    if failing and env.clock.simulated:
        env.clock.advance(_VISIBLE_AGAIN)
    return {"redriven": done, "still_failing": failing}
