"""SNS delivery retries, the envelope and the outbox: the pieces the SNS stand-ins share.

:func:`retry_delays` gives the delivery policy's schedule (the SQS/Lambda schedule AWS applies
to its own endpoints, or an HTTP(S) ``healthyRetryPolicy``); :class:`RetryQueue` runs due
retries when the simulated clock moves; :class:`Envelope` writes the JSON an SQS or HTTP
subscriber receives, with AWS's fields; :class:`Outbox` records what e-mail, SMS and Lambda
subscribers were sent.

Example
-------
>>> delays = retry_delays("sqs")
>>> [next(delays) for _ in range(6)]
[0.0, 0.0, 1.0, 1.0, 1.35, 1.82]
>>> sum(1 for _ in retry_delays("http"))
3
"""

from __future__ import annotations

import base64
import heapq
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["retry_delays", "RetryQueue", "Envelope", "Outbox", "DEFAULT_HTTP_POLICY",
           "AWS_MANAGED_PHASES", "LAMBDA_ASYNC_RETRY_DELAYS", "validate_delivery_policy",
           "DeliveryPolicyError"]

#: The delivery schedule SNS applies to SQS and Lambda endpoints (SNS Developer Guide, "Amazon
#: SNS message delivery retries"): (phase, retries, delay-from, delay-to) in seconds; 3 + 2 +
#: 10 + 100,000 = 100,015 attempts over about 23 days.
AWS_MANAGED_PHASES = (("immediate", 2, 0.0, 0.0), ("pre-backoff", 2, 1.0, 1.0),
                      ("backoff", 10, 1.0, 20.0), ("post-backoff", 100_000, 20.0, 20.0))
#: The default HTTP(S) delivery policy (SNS Developer Guide, "Creating an HTTP/S delivery
#: policy"): 3 retries, 20 s apart.
DEFAULT_HTTP_POLICY = {"numRetries": 3, "numNoDelayRetries": 0, "minDelayTarget": 20,
                       "maxDelayTarget": 20, "numMinDelayRetries": 0, "numMaxDelayRetries": 0,
                       "backoffFunction": "linear"}
#: Lambda's asynchronous invocation retries a function error twice: 1 minute, then 2 minutes
#: later (Lambda Developer Guide, "Error handling and automatic retries").
LAMBDA_ASYNC_RETRY_DELAYS = (60.0, 120.0)
_BACKOFF = ("linear", "arithmetic", "geometric", "exponential")


class DeliveryPolicyError(ValueError):
    """An HTTP(S) delivery policy SNS refuses."""


def validate_delivery_policy(policy: dict) -> dict:
    """The ``healthyRetryPolicy`` of an HTTP(S) delivery policy, defaults filled in, checked.

    Limits (SNS Developer Guide, delivery policies): ``numRetries`` 0-100, delays 1-3,600 s,
    ``minDelayTarget`` <= ``maxDelayTarget``, the retry counts within ``numRetries``.

    Example
    -------
    >>> validate_delivery_policy({"healthyRetryPolicy": {"numRetries": 5}})["numRetries"]
    5
    """
    healthy = {**DEFAULT_HTTP_POLICY, **(policy.get("healthyRetryPolicy") or {})}
    n = healthy["numRetries"]
    if not isinstance(n, int) or not 0 <= n <= 100:
        raise DeliveryPolicyError(f"numRetries={n!r}: must be a whole number from 0 to 100")
    for key in ("minDelayTarget", "maxDelayTarget"):
        if not isinstance(healthy[key], (int, float)) or not 1 <= healthy[key] <= 3600:
            raise DeliveryPolicyError(f"{key}={healthy[key]!r}: must be 1 to 3600 seconds")
    if healthy["minDelayTarget"] > healthy["maxDelayTarget"]:
        raise DeliveryPolicyError("minDelayTarget must not exceed maxDelayTarget")
    fixed = healthy["numNoDelayRetries"] + healthy["numMinDelayRetries"] + healthy["numMaxDelayRetries"]
    if fixed > n:
        raise DeliveryPolicyError(f"numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries "
                                  f"= {fixed} exceeds numRetries = {n}")
    if healthy["backoffFunction"] not in _BACKOFF:
        raise DeliveryPolicyError(f"backoffFunction={healthy['backoffFunction']!r}: one of "
                                  f"{', '.join(_BACKOFF)}")
    return healthy


def _curve(kind: str, low: float, high: float, k: int) -> list[float]:
    """``k`` delays from ``low`` to ``high`` shaped by the backoff function (approximated)."""
    if k <= 0:
        return []
    out = []
    for i in range(1, k + 1):
        t = i / k
        if kind == "linear" or low == high:
            d = low + (high - low) * t
        elif kind == "arithmetic":
            d = low + (high - low) * t * t
        elif kind == "geometric":
            d = low * (high / low) ** t
        else:  # exponential
            d = low + (high - low) * (math.exp(3 * t) - 1) / (math.exp(3) - 1)
        out.append(round(d, 2))
    return out


def retry_delays(protocol: str, delivery_policy: dict | None = None) -> Iterator[float]:
    """The delays (seconds) before each retry after a failed first attempt.

    ``protocol`` ``"sqs"`` / ``"lambda"`` get AWS's managed schedule (100,014 retries after
    the first attempt: 100,015 attempts); ``"http"`` / ``"https"`` get the
    ``healthyRetryPolicy`` of ``delivery_policy`` (default: 3 retries 20 s apart).
    """
    if protocol in ("sqs", "lambda"):
        for phase, count, low, high in AWS_MANAGED_PHASES:
            if phase == "backoff":
                yield from _curve("exponential", low, high, count)
            else:
                yield from itertools.repeat(low, count)
        return
    healthy = validate_delivery_policy(delivery_policy or {})
    n, low, high = healthy["numRetries"], healthy["minDelayTarget"], healthy["maxDelayTarget"]
    no_delay, at_min, at_max = (healthy["numNoDelayRetries"], healthy["numMinDelayRetries"],
                                healthy["numMaxDelayRetries"])
    backoff = n - no_delay - at_min - at_max
    yield from itertools.repeat(0.0, no_delay)
    yield from itertools.repeat(float(low), at_min)
    yield from _curve(healthy["backoffFunction"], low, high, backoff)
    yield from itertools.repeat(float(high), at_max)


@dataclass(order=True)
class _Due:
    due: float
    seq: int
    job: Any = field(compare=False)


class RetryQueue:
    """Retries waiting for the simulated clock; :meth:`run_due` runs those whose time came.

    Example
    -------
    >>> q = RetryQueue(); ran = []
    >>> q.schedule(30.0, lambda: ran.append("a")); q.schedule(10.0, lambda: ran.append("b"))
    >>> q.next_due()
    10.0
    >>> q.run_due(20.0); ran
    ['b']
    """

    def __init__(self) -> None:
        self._heap: list[_Due] = []
        self._seq = itertools.count()

    def schedule(self, due: float, job: Callable[[], None]) -> None:
        """Run ``job`` once the clock reaches ``due`` (seconds since the clock started)."""
        heapq.heappush(self._heap, _Due(due, next(self._seq), job))

    def next_due(self) -> float | None:
        """When the next retry is due, or ``None``."""
        return self._heap[0].due if self._heap else None

    def run_due(self, now: float) -> None:
        """Run every job due at or before ``now``, earliest first."""
        while self._heap and self._heap[0].due <= now:
            heapq.heappop(self._heap).job()

    def __len__(self) -> int:
        return len(self._heap)

    def clear(self) -> None:
        """Forget every waiting retry."""
        self._heap.clear()


class Envelope:
    """The JSON SNS wraps a message in, with AWS's fields (``SignatureVersion`` ``"1"``).

    The signature is a real SHA1withRSA signature of AWS's canonical string, made with one
    key per environment (its certificate is not published anywhere; do not verify it).
    """

    def __init__(self, region: str) -> None:
        self.region = region
        self._key: Any = None

    def _sign(self, text: str) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        if self._key is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return base64.b64encode(self._key.sign(text.encode(), padding.PKCS1v15(),
                                               hashes.SHA1())).decode()

    def notification(self, *, message: str, message_id: str, topic_arn: str, timestamp: str,
                     subscription_arn: str, subject: str | None = None,
                     attributes: dict | None = None, sequence_number: str | None = None) -> dict:
        """The ``Notification`` envelope, fields in AWS's order (a FIFO topic's is unsigned)."""
        fields = [("Message", message), ("MessageId", message_id)]
        if subject:
            fields.append(("Subject", subject))
        fields += [("Timestamp", timestamp), ("TopicArn", topic_arn), ("Type", "Notification")]
        canonical = "".join(f"{k}\n{v}\n" for k, v in fields)
        out: dict[str, Any] = {"Type": "Notification", "MessageId": message_id}
        if sequence_number:
            out["SequenceNumber"] = sequence_number
        out["TopicArn"] = topic_arn
        if subject:
            out["Subject"] = subject
        out.update({"Message": message, "Timestamp": timestamp})
        if not sequence_number:
            # A FIFO topic's envelope is not signed: AWS sends it without the three signature
            # fields (LocalStack's AWS-validated FIFO snapshots, 2025).
            out.update({"SignatureVersion": "1", "Signature": self._sign(canonical),
                        "SigningCertURL": f"https://sns.{self.region}.amazonaws.com/"
                                          "SimpleNotificationService-securecart-emulated.pem"})
        out["UnsubscribeURL"] = (f"https://sns.{self.region}.amazonaws.com/?Action=Unsubscribe"
                                 f"&SubscriptionArn={subscription_arn}")
        if attributes:
            out["MessageAttributes"] = {k: {"Type": v["Type"], "Value": v["Value"]}
                                        for k, v in attributes.items()}
        return out

    def confirmation(self, *, token: str, message_id: str, topic_arn: str, timestamp: str) -> dict:
        """The ``SubscriptionConfirmation`` an HTTP(S) endpoint receives on subscribe."""
        message = (f"You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the "
                   "subscription, visit the SubscribeURL included in this message.")
        fields = [("Message", message), ("MessageId", message_id),
                  ("SubscribeURL", self.subscribe_url(topic_arn, token)),
                  ("Timestamp", timestamp), ("Token", token), ("TopicArn", topic_arn),
                  ("Type", "SubscriptionConfirmation")]
        canonical = "".join(f"{k}\n{v}\n" for k, v in fields)
        return {"Type": "SubscriptionConfirmation", "MessageId": message_id, "Token": token,
                "TopicArn": topic_arn, "Message": message,
                "SubscribeURL": self.subscribe_url(topic_arn, token), "Timestamp": timestamp,
                "SignatureVersion": "1", "Signature": self._sign(canonical),
                "SigningCertURL": f"https://sns.{self.region}.amazonaws.com/"
                                  "SimpleNotificationService-securecart-emulated.pem"}

    def subscribe_url(self, topic_arn: str, token: str) -> str:
        """Where a real endpoint would confirm (on moto: call ``ConfirmSubscription``)."""
        return (f"https://sns.{self.region}.amazonaws.com/?Action=ConfirmSubscription"
                f"&TopicArn={topic_arn}&Token={token}")


class Outbox:
    """What e-mail, SMS and Lambda subscribers were sent on moto (one row per delivery).

    Example
    -------
    >>> box = Outbox(); box.add(protocol="email", endpoint="a@example.com", message="hi",
    ...                         message_id="m1", subject="Invoice", time=0.0, topic="t")
    >>> [row["endpoint"] for row in box.rows("email")]
    ['a@example.com']
    """

    def __init__(self) -> None:
        self._rows: list[dict[str, Any]] = []

    def add(self, **row: Any) -> None:
        """Record one delivery."""
        self._rows.append(row)

    def rows(self, protocol: str | None = None) -> list[dict[str, Any]]:
        """Every delivery (of one protocol), in the order they were made."""
        return [dict(r) for r in self._rows if protocol is None or r["protocol"] == protocol]

    def clear(self) -> None:
        """Forget every delivery."""
        self._rows.clear()
