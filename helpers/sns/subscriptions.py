"""Subscribe queues, e-mail, SMS, Lambda functions and webhooks to a topic, validated first.

Every function checks its input (the filter policy, the address, the protocol a FIFO topic
takes) before it creates anything, so bad input leaves nothing half-made.

Example
-------
>>> import helpers
>>> from helpers.sns import create_topic
>>> env = helpers.connect(quiet=True)
>>> topic = create_topic(env, "order-status")
>>> sub = subscribe_queue(env, topic, "analytics", raw=True)
>>> print(sub)
sqs subscription analytics -> securecart-demo-analytics (raw delivery)
>>> subscribe_email(env, topic, "not-an-address")
Traceback (most recent call last):
...
helpers.platform.errors.InvalidEndpointError: 'not-an-address' is not an e-mail address SNS can send to (name@domain.tld). Fix: subscribe_email(env, topic, 'ops@example.com').
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..emulation.sns import CONFIRM_SUBJECT
from ..platform.errors import InvalidEndpointError, ProtocolNotSupportedError
from ..platform.inputs import json_text, one_of
from ..sqs.plumbing import plain_queue
from .filters import validate_filter_policy
from .policies import queue_policy
from .propagation import note_filter_change
from .topics import Topic, require_topic

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Subscription", "subscribe_queue", "subscribe_email", "subscribe_sms",
           "subscribe_http", "subscribe_lambda", "E164", "EMAIL"]

#: A phone number in E.164 form (``+`` country code and number, at most 15 digits).
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
#: An e-mail address SNS accepts (one ``@``, a dotted domain).
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Subscription:
    """One subscription: who gets the topic's messages, and how.

    Attributes
    ----------
    label
        The short name the plots and tables use (``"analytics"``).
    arn, topic_arn, protocol, endpoint
        As SNS knows it.
    queue_url, dlq_url
        SQS subscribers: the queue, and the subscription's dead-letter queue (or ``None``).
    raw
        Raw message delivery (the message itself, not SNS's JSON envelope).
    filter_policy, scope
        What the subscriber asked for (``None``: everything).
    """

    label: str
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    queue_url: str | None = None
    dlq_url: str | None = None
    raw: bool = False
    filter_policy: dict | None = None
    scope: str = "MessageAttributes"

    def __str__(self) -> str:
        target = self.endpoint.rsplit(":", 1)[-1] if self.protocol in ("sqs", "lambda") else self.endpoint
        extras = [x for x in ("raw delivery" if self.raw else "",
                              f"filter on {self.scope}" if self.filter_policy else "",
                              "DLQ" if self.dlq_url else "") if x]
        more = f" ({', '.join(extras)})" if extras else ""
        return f"{self.protocol} subscription {self.label} -> {target}{more}"


def _is_fifo(env: Environment, arn: str) -> bool:
    attrs = env.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    return str(attrs.get("FifoTopic", "false")).lower() == "true"


def _only_sqs_on_fifo(env: Environment, arn: str, protocol: str) -> None:
    if _is_fifo(env, arn):
        raise ProtocolNotSupportedError(
            f"{arn.rsplit(':', 1)[-1]} is a FIFO topic: it delivers only to SQS queues (FIFO or "
            f"standard), not to {protocol}. Subscribe {protocol} to a standard topic, or put a "
            "queue and a consumer in between.")


def _queue(env: Environment, name: str, fifo: bool, source: str) -> tuple[str, str]:
    attrs = {"FifoQueue": "true"} if fifo else {}
    url, arn = plain_queue(env, f"{name}.fifo" if fifo else name, attrs)
    env.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={
        "Policy": json.dumps(queue_policy(arn, source))})
    return url, arn


def _subscribe(env: Environment, arn: str, protocol: str, endpoint: str,
               attributes: dict[str, str]) -> str:
    if "FilterPolicy" in attributes:
        note_filter_change(env, arn)
    return env.client("sns").subscribe(TopicArn=arn, Protocol=protocol, Endpoint=endpoint,
                                       Attributes=attributes,
                                       ReturnSubscriptionArn=True)["SubscriptionArn"]


#: FilterPolicyScope's values (SNS Subscribe attributes).
SCOPES = ("MessageAttributes", "MessageBody")


def subscribe_queue(env: Environment, topic: Topic | str, name: str, *, raw: bool = False,
                    filter_policy: dict | None = None, scope: str = "MessageAttributes",
                    dlq: bool = False, fifo: bool | None = None) -> Subscription:
    """A queue (with the least-privilege queue policy) subscribed to the topic.

    Parameters
    ----------
    name
        The queue's short name (the run prefix is added; ``.fifo`` for a FIFO queue).
    raw
        Raw message delivery: the queue gets the published message itself.
    filter_policy, scope
        Validated first; ``scope`` ``"MessageAttributes"`` or ``"MessageBody"``.
    dlq
        Also a subscription dead-letter queue ``<name>-sub-dlq`` (``RedrivePolicy``): messages
        SNS cannot deliver go there instead of being dropped. FIFO on a FIFO topic.
    fifo
        The queue's type; default: FIFO behind a FIFO topic, else standard (a FIFO topic can
        also feed a standard queue).
    """
    scope = one_of(scope, "scope", SCOPES, rule="FilterPolicyScope")
    arn = require_topic(env, topic)
    if filter_policy is not None:
        filter_policy = validate_filter_policy(filter_policy, scope)
    topic_fifo = _is_fifo(env, arn)
    fifo = topic_fifo if fifo is None else fifo
    if fifo and not topic_fifo:
        raise ProtocolNotSupportedError(
            f"A FIFO queue cannot subscribe to the standard topic {arn.rsplit(':', 1)[-1]}. Use a "
            "FIFO topic, or a standard queue.")
    url, queue_arn = _queue(env, name, fifo, arn)
    attributes = {"RawMessageDelivery": "true" if raw else "false"}
    dlq_url = None
    if dlq:
        dlq_url, dlq_arn = _queue(env, f"{name}-sub-dlq", topic_fifo, arn)
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn})
    if filter_policy is not None:
        attributes["FilterPolicyScope"] = scope
        attributes["FilterPolicy"] = json.dumps(filter_policy)
    sub_arn = _subscribe(env, arn, "sqs", queue_arn, attributes)
    return Subscription(name, sub_arn, arn, "sqs", queue_arn, url, dlq_url, raw, filter_policy,
                        scope)


def subscribe_email(env: Environment, topic: Topic | str, address: str, *,
                    label: str | None = None, json_format: bool = False,
                    confirm: bool = True) -> Subscription:
    """An e-mail subscriber; it receives nothing until the recipient confirms.

    SNS mails a confirmation link and keeps the subscription pending until it is visited. On
    the local backends the course plays the recipient when ``confirm`` is true: it reads the
    link's token from the emulated inbox and calls ``ConfirmSubscription``; on AWS the
    recipient clicks the link in the real e-mail.
    """
    if not isinstance(address, str) or not EMAIL.match(address):
        raise InvalidEndpointError(f"{address!r} is not an e-mail address SNS can send to "
                                   "(name@domain.tld). Fix: subscribe_email(env, topic, "
                                   "'ops@example.com').")
    arn = require_topic(env, topic)
    protocol = "email-json" if json_format else "email"
    _only_sqs_on_fifo(env, arn, protocol)
    sub_arn = _subscribe(env, arn, protocol, address, {})
    if confirm and env.emulated:
        _visit_confirmation_link(env, arn, address)
    return Subscription(label or address, sub_arn, arn, protocol, address)


def _visit_confirmation_link(env: Environment, topic_arn: str, address: str) -> None:
    """ConfirmSubscription with the token of the newest confirmation e-mail to ``address``."""
    mails = [r for r in env.emulation["sns"].outbox.rows()
             if r["endpoint"] == address and r.get("subject") == CONFIRM_SUBJECT
             and topic_arn in r["message"]]
    if mails:
        token = re.search(r"Token=(\w+)", mails[-1]["message"]).group(1)
        env.client("sns").confirm_subscription(TopicArn=topic_arn, Token=token)


def subscribe_sms(env: Environment, topic: Topic | str, phone: str, *,
                  label: str | None = None) -> Subscription:
    """An SMS subscriber; ``phone`` in E.164 (``+12025550161``; dashes and spaces are dropped)."""
    number = re.sub(r"[\s\-().]", "", phone) if isinstance(phone, str) else phone
    if not isinstance(number, str) or not E164.match(number):
        raise InvalidEndpointError(f"{phone!r} is not a phone number in E.164 form: + then the "
                                   "country code and number, at most 15 digits. Fix: "
                                   "subscribe_sms(env, topic, '+12025550161').")
    arn = require_topic(env, topic)
    _only_sqs_on_fifo(env, arn, "sms")
    sub_arn = _subscribe(env, arn, "sms", number, {})
    return Subscription(label or number, sub_arn, arn, "sms", number)


def subscribe_http(env: Environment, topic: Topic | str, url: str, *, label: str = "webhook",
                   delivery_policy: dict | None = None, raw: bool = False,
                   dlq_name: str | None = None) -> Subscription:
    """A webhook subscriber with an optional HTTP delivery policy and subscription DLQ.

    SNS first POSTs a ``SubscriptionConfirmation``; deliveries start once the endpoint
    confirms (:meth:`helpers.sns.webhook.Webhook.confirm`).
    """
    if not isinstance(url, str) or not re.match(r"^https?://", url):
        raise InvalidEndpointError(f"{url!r} is not an http:// or https:// URL (the http and "
                                   "https protocols of Subscribe). Fix: pass e.g. hook.url of a "
                                   "helpers.sns.Webhook().")
    arn = require_topic(env, topic)
    _only_sqs_on_fifo(env, arn, url.split(":", 1)[0])
    attributes = {"RawMessageDelivery": "true" if raw else "false"}
    if delivery_policy is not None:
        attributes["DeliveryPolicy"] = json_text(delivery_policy, "delivery_policy",
                                                 rule="a DeliveryPolicy is a JSON object")
    dlq_url = None
    if dlq_name:
        dlq_url, dlq_arn = _queue(env, dlq_name, False, arn)
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn})
    protocol = url.split(":", 1)[0]
    sub_arn = _subscribe(env, arn, protocol, url, attributes)
    return Subscription(label, sub_arn, arn, protocol, url, None, dlq_url, raw)


def subscribe_lambda(env: Environment, topic: Topic | str, function_arn: str, *,
                     label: str | None = None, filter_policy: dict | None = None,
                     scope: str = "MessageAttributes") -> Subscription:
    """A Lambda subscriber; SNS gets permission to invoke the function (``AddPermission``)."""
    scope = one_of(scope, "scope", SCOPES, rule="FilterPolicyScope")
    arn = require_topic(env, topic)
    if filter_policy is not None:
        filter_policy = validate_filter_policy(filter_policy, scope)
    _only_sqs_on_fifo(env, arn, "lambda")
    name = function_arn.rsplit(":", 1)[-1]
    env.client("lambda").add_permission(
        FunctionName=name, StatementId=f"sns-{arn.rsplit(':', 1)[-1]}"[:100],
        Action="lambda:InvokeFunction", Principal="sns.amazonaws.com", SourceArn=arn)
    attributes: dict[str, Any] = {}
    if filter_policy is not None:
        attributes = {"FilterPolicyScope": scope, "FilterPolicy": json.dumps(filter_policy)}
    sub_arn = _subscribe(env, arn, "lambda", function_arn, attributes)
    return Subscription(label or name, sub_arn, arn, "lambda", function_arn, None, None, False,
                        filter_policy, scope)
