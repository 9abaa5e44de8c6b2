"""One SNS delivery to one subscriber, as AWS makes it: filter, send, retry, dead-letter.

Used by :class:`~helpers.emulation.sns.SnsStandIns`: every subscriber of a topic gets its own
:meth:`Deliveries.first_attempt`, so one failing subscriber never stops another.

* **client-side** failures (the queue or function is gone, an HTTP 4xx other than 429) go to
  the subscription's dead-letter queue at once;
* **server-side** failures (an outage, HTTP 5xx / 429, a refused connection) are retried on
  the simulated clock as the delivery policy says, then dead-lettered;
* without a ``RedrivePolicy`` a message that cannot be delivered is dropped, and the log says
  so.

Example
-------
>>> from helpers.emulation.sns.targets import FailureKind
>>> FailureKind.CLIENT.value
'client-side'
"""

from __future__ import annotations

import base64
import enum
import json
from typing import Any
from urllib.parse import urlsplit

import requests
from moto.sqs.exceptions import QueueDoesNotExist
from moto.sqs.models import sqs_backends

from ...rules.filter_policies import matches
from ..queue_policy import delivery_decision, refusal
from .delivery import LAMBDA_ASYNC_RETRY_DELAYS, retry_delays

__all__ = ["Deliveries", "FailureKind", "DeliveryFailed", "lambda_event"]

EMULATED = "emulated on moto"
#: Attempts logged one by one; after that one row per this many (AWS's 100,015 are too many).
_LOG_EACH_UP_TO = 15
_LOG_EVERY = 180


class FailureKind(enum.Enum):
    """Why a delivery failed, as SNS's retry rules see it."""

    CLIENT = "client-side"
    SERVER = "server-side"


class DeliveryFailed(Exception):
    """One failed attempt: its kind and what went wrong."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def lambda_event(sub: Any, msg: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
    """The event Lambda receives from SNS (one record; Lambda's field names ``...Url``)."""
    sns = {"Type": "Notification", "MessageId": envelope["MessageId"],
           "TopicArn": envelope["TopicArn"], "Subject": envelope.get("Subject"),
           "Message": envelope["Message"], "Timestamp": envelope["Timestamp"],
           "SignatureVersion": "1", "Signature": envelope["Signature"],
           "SigningCertUrl": envelope["SigningCertURL"],
           "UnsubscribeUrl": envelope["UnsubscribeURL"],
           "MessageAttributes": envelope.get("MessageAttributes", {})}
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "EventSubscriptionArn": sub.arn, "Sns": sns}]}


def _raw_attributes(attributes: dict[str, Any] | None) -> dict[str, Any]:
    out = {}
    for key, value in (attributes or {}).items():
        kind = value["Type"]
        if kind.startswith("Binary"):
            raw = value["Value"]
            out[key] = {"DataType": kind, "BinaryValue": raw if isinstance(raw, bytes)
                        else base64.b64decode(raw)}
        else:
            out[key] = {"DataType": kind, "StringValue": str(value["Value"])}
    return out


class Deliveries:
    """Delivers one message to one subscription at a time, for :class:`SnsStandIns`."""

    def __init__(self, stand_ins: Any) -> None:
        self.si = stand_ins

    # -- the steps ------------------------------------------------------------------------
    def first_attempt(self, sub: Any, msg: dict[str, Any]) -> None:
        """Filter, then try once; retries and dead-lettering follow from there."""
        si = self.si
        policy = sub._filter_policy
        scope = sub.attributes.get("FilterPolicyScope") or "MessageAttributes"
        if policy and not matches(policy, scope, msg["attributes"], msg["message"]):
            si.log("filter-drop", sub.endpoint, msg["message_id"], group=msg["group_id"],
                   detail=f"from {sub.topic.name}: filter policy {json.dumps(policy)}")
            return
        if sub.protocol in ("http", "https", "email", "email-json") and not getattr(sub, "confirmed", True):
            si.log("deliver", sub.endpoint, msg["message_id"], group=msg["group_id"],
                   outcome="skipped: pending confirmation",
                   detail=f"from {sub.topic.name}: SNS delivers only to confirmed subscriptions")
            return
        self._attempt(sub, msg, 1, None)

    def _attempt(self, sub: Any, msg: dict[str, Any], attempt: int, delays: Any) -> None:
        si = self.si
        while True:
            if sub.arn not in sub.topic.sns_backend.subscriptions:
                si.log("drop", sub.endpoint, msg["message_id"], group=msg["group_id"],
                       attempt=attempt, outcome=EMULATED, detail="unsubscribed before the retry")
                return
            try:
                self._send(sub, msg, attempt)
            except DeliveryFailed as failure:
                if attempt <= _LOG_EACH_UP_TO or attempt % _LOG_EVERY == 0:
                    si.log("deliver", sub.endpoint, msg["message_id"], group=msg["group_id"],
                           attempt=attempt, outcome=f"failed: {failure.kind.value}",
                           detail=f"from {sub.topic.name} via {sub.protocol}: {failure.reason}")
                if failure.kind is FailureKind.CLIENT:
                    self.dead_letter(sub, msg, failure, attempt)
                    return
                if delays is None:
                    delays = retry_delays(sub.protocol, self._delivery_policy(sub))
                delay = next(delays, None)
                if delay is None:
                    self.dead_letter(sub, msg, failure, attempt)
                    return
                attempt += 1
                if delay == 0:
                    continue
                due = si.env.clock.elapsed() + delay
                si.retries.schedule(due, lambda a=attempt, d=delays: self._attempt(sub, msg, a, d))
                return
            detail = f"from {sub.topic.name} via {sub.protocol}"
            if msg.get("replayed"):
                detail += " (replayed from the archive)"
            si.log("deliver", sub.endpoint, msg["message_id"], group=msg["group_id"],
                   attempt=attempt, outcome="ok" if attempt == 1 else f"ok after {attempt} attempts",
                   detail=detail)
            return

    @staticmethod
    def _delivery_policy(sub: Any) -> dict[str, Any] | None:
        text = sub.attributes.get("DeliveryPolicy") or sub.topic.delivery_policy
        if not text:
            return None
        policy = json.loads(text)
        return policy.get("http", policy) if isinstance(policy, dict) else None

    def _message(self, sub: Any, msg: dict[str, Any]) -> str:
        message = msg["message"]
        if msg.get("structure") == "json":
            message = sub._parse_message_structure(message, sub.protocol)
        return message

    def _envelope(self, sub: Any, msg: dict[str, Any], message: str) -> dict[str, Any]:
        """The signed envelope (made only when a subscriber receives it: signing costs)."""
        return self.si.envelope.notification(
            message=message, message_id=msg["message_id"], topic_arn=sub.topic.arn,
            timestamp=self.si._timestamp(), subscription_arn=sub.arn, subject=msg["subject"],
            attributes=msg["attributes"], sequence_number=msg.get("sequence"))

    def _wire(self, sub: Any, msg: dict[str, Any]) -> str:
        """What a queue or webhook receives: the message itself (raw) or the envelope."""
        message = self._message(sub, msg)
        return message if self._raw(sub) else json.dumps(self._envelope(sub, msg, message))

    def _raw(self, sub: Any) -> bool:
        return str(sub.attributes.get("RawMessageDelivery", "false")).lower() == "true"

    def _send(self, sub: Any, msg: dict[str, Any], attempt: int) -> None:
        si = self.si
        now = si.env.clock.elapsed()
        if si.outages.get(sub.endpoint, -1.0) > now:
            raise DeliveryFailed(FailureKind.SERVER, "endpoint unavailable (emulated outage)")
        if sub.protocol == "sqs":
            self._to_queue(sub.endpoint, self._wire(sub, msg), msg, source=sub.topic.arn, attributes=
                           _raw_attributes(msg["attributes"]) if self._raw(sub) else {})
        elif sub.protocol in ("http", "https"):
            self.post(sub, self._wire(sub, msg), kind="Notification", message_id=msg["message_id"])
        elif sub.protocol == "lambda":
            message = self._message(sub, msg)
            self._to_lambda(sub, msg, self._envelope(sub, msg, message), attempt)
        elif sub.protocol in ("email", "email-json", "sms"):
            message = self._message(sub, msg)
            text = (json.dumps(self._envelope(sub, msg, message)) if sub.protocol == "email-json"
                    else message)
            si.outbox.add(protocol=sub.protocol, endpoint=sub.endpoint, message=text,
                          subject=msg["subject"], message_id=msg["message_id"], time=now,
                          topic=sub.topic.name)
            if sub.protocol == "sms":
                backend = sub.topic.sns_backend
                backend.sms_messages[f"{msg['message_id']}-{sub.endpoint}"] = (sub.endpoint, text)

    def _to_queue(self, arn: str, body: str, msg: dict[str, Any], *, source: str,
                  attributes: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        parts = arn.split(":")
        account, region, name = parts[4], parts[3], parts[5]
        backend = sqs_backends[account][region]
        try:
            queue = backend.get_queue(name)
        except QueueDoesNotExist:
            raise DeliveryFailed(FailureKind.CLIENT, f"queue {name} does not exist") from None
        decision = delivery_decision(queue, arn, "sns.amazonaws.com", source)
        if decision is not None and not decision.allowed:
            raise DeliveryFailed(FailureKind.CLIENT, refusal(decision, name, source))
        fifo = bool(queue.fifo_queue)
        backend.send_message(name, body, message_attributes={**attributes, **(extra or {})},
                             deduplication_id=msg.get("dedup_id") if fifo else None,
                             # A FIFO topic's group id stays with FIFO queues: a standard queue's
                             # message carries none (recorded against AWS, 2025-08-18).
                             group_id=msg.get("group_id") if fifo else None, validate_group_id=False)

    def post(self, sub: Any, body: Any, *, kind: str, message_id: str | None = None) -> None:
        """POST one message to an HTTP(S) endpoint (loopback only on moto)."""
        data = body if isinstance(body, str) else json.dumps(body)
        headers = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": kind,
                   "x-amz-sns-topic-arn": sub.topic.arn, "x-amz-sns-subscription-arn": sub.arn}
        if message_id:
            headers["x-amz-sns-message-id"] = message_id
        try:
            reply = requests.post(sub.endpoint, data=data.encode(), headers=headers, timeout=5)
        except requests.RequestException as err:
            if kind != "Notification":
                return
            raise DeliveryFailed(FailureKind.SERVER,
                                 f"connection failed ({type(err).__name__})") from None
        if kind != "Notification" or 200 <= reply.status_code < 300:
            return
        failure = (FailureKind.SERVER if reply.status_code >= 500 or reply.status_code == 429
                   else FailureKind.CLIENT)
        raise DeliveryFailed(failure, f"HTTP {reply.status_code}")

    def _to_lambda(self, sub: Any, msg: dict[str, Any], envelope: dict[str, Any],
                   attempt: int) -> None:
        from moto.awslambda.exceptions import UnknownFunctionException
        from moto.awslambda.utils import get_backend
        parts = sub.endpoint.split(":")
        name, qualifier = parts[6], (parts[7] if len(parts) == 8 else None)
        try:
            function = get_backend(parts[4], parts[3])._lambdas.get_function_by_name_or_arn_with_qualifier(
                name, qualifier)
        except UnknownFunctionException:
            raise DeliveryFailed(FailureKind.CLIENT, f"function {name} does not exist") from None
        event = lambda_event(sub, msg, envelope)
        self._invoke_async(sub, function, event, msg, 1)

    def _invoke_async(self, sub: Any, function: Any, event: dict[str, Any], msg: dict[str, Any],
                      run: int) -> None:
        """Lambda accepted the event; a function error is retried twice (1 min, 2 min)."""
        si = self.si
        headers = {"x-amz-invocation-type": "Event"}
        response: dict[str, str] = {}
        function.invoke(json.dumps(event), headers, response)
        errored = "x-amz-function-error" in response
        name = function.function_name
        si.outbox.add(protocol="lambda", endpoint=name, message=event["Records"][0]["Sns"]["Message"],
                      subject=msg["subject"], message_id=msg["message_id"],
                      time=si.env.clock.elapsed(), topic=sub.topic.name,
                      outcome="error" if errored else "ok", run=run)
        si.env.log.record(service="lambda", action="invoke", resource=name,
                          message_id=msg["message_id"], attempt=run,
                          outcome="error" if errored else "ok",
                          detail=f"asynchronous invocation from {sub.topic.name} ({EMULATED})")
        if not errored:
            return
        if run > len(LAMBDA_ASYNC_RETRY_DELAYS):
            si.log("drop", sub.endpoint, msg["message_id"], outcome=EMULATED, attempt=run,
                   detail=f"{name} failed {run} times: Lambda's asynchronous retries are spent "
                          "(an on-failure destination or the function's DLQ would get it)")
            return
        due = si.env.clock.elapsed() + LAMBDA_ASYNC_RETRY_DELAYS[run - 1]
        si.retries.schedule(due, lambda: self._invoke_async(sub, function, event, msg, run + 1))

    def dead_letter(self, sub: Any, msg: dict[str, Any], failure: DeliveryFailed,
                    attempt: int) -> None:
        """Send the undeliverable message to the subscription's DLQ, or drop it (logged)."""
        si = self.si
        redrive = sub.attributes.get("RedrivePolicy")
        why = (f"{failure.kind.value} failure after {attempt} attempt{'s' if attempt > 1 else ''}: "
               f"{failure.reason}")
        if redrive:
            dlq = json.loads(redrive)["deadLetterTargetArn"]
            body = self._wire(sub, msg)
            try:
                self._to_queue(dlq, body, msg, source=sub.topic.arn, attributes=_raw_attributes(
                    msg["attributes"]) if self._raw(sub) else {})
            except DeliveryFailed as err:
                why += f"; the DLQ failed too ({err.reason})"
            else:
                si.log("move-to-dlq", dlq, msg["message_id"], group=msg["group_id"],
                       attempt=attempt, outcome=EMULATED,
                       detail=f"{_logged_endpoint(sub.endpoint)}: {why}")
                return
        si.log("drop", sub.endpoint, msg["message_id"], group=msg["group_id"], attempt=attempt,
               outcome=EMULATED, detail=f"dropped (no subscription DLQ): {why}")


def _logged_endpoint(endpoint: str) -> str:
    """The endpoint as a log row shows it: a loopback webhook's port is random per run, so
    it is written ``<port>`` (two runs of an experiment log the same rows).

    Example
    -------
    >>> _logged_endpoint("http://127.0.0.1:38603/sns")
    'http://127.0.0.1:<port>/sns'
    """
    parts = urlsplit(endpoint) if endpoint.startswith(("http://", "https://")) else None
    if parts is None or parts.port is None:
        return endpoint
    return parts._replace(netloc=f"{parts.hostname}:<port>").geturl()
