"""SNS behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real service does it. API validation in
AWS's words lives in :mod:`.validation`, the filter-policy rules in
:mod:`helpers.rules.filter_policies`, retries/envelope/outbox in :mod:`.delivery`, delivery to
each kind of endpoint in :mod:`.targets`.

==========================================  =================================  ======================================
AWS behaviour                               moto alone                         stand-in
==========================================  =================================  ======================================
each delivery and each filter-policy drop   routes silently                    ``deliver`` / ``filter-drop`` rows
is observable (delivery logs)                                                  in ``env.log``, one per subscription
each subscriber is delivered independently  a failing http subscriber makes    every subscriber tried; a failure is
(the publish is accepted)                   ``publish`` raise; later           retried or dead-lettered alone
                                            subscribers get nothing
filter policies: every documented operator  ``cidr`` refused;                  :mod:`filter_policies` validates and
(cidr, anything-but prefix, $or ...);       non-JSON raises JSONDecodeError;   matches (dotted and nested body keys,
``wildcard`` refused as AWS does; AWS's     errors worded differently;         ``$or``); ``""`` removes the policy;
nothing half-created                        a bad policy leaves the            Subscribe validates before creating
                                            subscription created
publish validation: empty message, 256 KB   empty accepted; size without       AWS's ``InvalidParameter`` texts
with attributes, FIFO ``MessageGroupId``    attributes; ``MissingParameter``
``InvalidParameter``; PublishBatch dedup    batch dedup ids not checked
FIFO topics: SQS endpoints only; dedup      e-mail/SMS/http/lambda accepted;   refused in AWS's words; 5-minute
before fan-out (5 min); FIFO DLQ for a      dedup left to each queue (a        dedup on the topic; content-based
FIFO subscription; content-based dedup on   standard queue gets duplicates);   dedup id passed on
the topic alone suffices                    DLQ type unchecked
FIFO archive (``ArchivePolicy``) and        stored, unused                     archive kept on the simulated clock;
replay (``ReplayPolicy``)                   (ReplayPolicy refused)             ReplayPolicy redelivers a window
subscription DLQ (``RedrivePolicy``):       stored, unused; a deleted queue    client-side failures go to the DLQ;
client-side errors straight to the DLQ;     raises; no retries                 server-side ones retried on the clock
server-side retried per delivery policy                                        (SQS/Lambda: 100,015 attempts over
(SQS/Lambda managed schedule, HTTP(S)                                          ~23 days; HTTP(S) policy), then DLQ or
``healthyRetryPolicy``), then DLQ or drop                                      dropped, logged
Lambda subscribers run the function with    needs Docker; the event is a       ``_invoke_lambda`` calls the
the real SNS event; async retries (2)       fixed sample without attributes    registered Python handler; real event
e-mail and SMS subscribers are sent         e-mail: nothing; SMS subscription  :class:`Outbox` rows; SMS also in
                                            deliveries not recorded            moto's ``sms_messages``
envelope: SignatureVersion "1", Signature,  SignatureVersion "2", fixed        AWS's fields and order, signed SHA1
SigningCertURL, UnsubscribeURL; raw         UnsubscribeURL; raw delivery with  withRSA; Binary attributes delivered;
delivery with Binary attributes;            a Binary attribute crashes the     ``SubscriptionPrincipal`` attribute
``SubscriptionPrincipal``                   receive
HTTP(S): SubscriptionConfirmation with a    confirmed at once, any host        loopback only; pending until
token; ConfirmSubscription                                                     ConfirmSubscription with the token
topic ``MaximumMessageSize`` (1,024 to      stored, not returned, not          validated, returned by
1,048,576 bytes; 262,144 default); above    checked: every publish capped at   GetTopicAttributes, applied to
256 KiB at most 100 subscriptions, SQS,     256 KiB; any subscription          Publish and PublishBatch;
Lambda or Firehose only                                                        :mod:`helpers.rules.sns_sizes`
==========================================  =================================  ======================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["sns"].names()[:2]
['SNS deliver / filter-drop rows', 'independent delivery per subscriber']
>>> _ = env.teardown()
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any
from unittest import mock

from moto.sns import models as sns_models
from moto.sns import responses as sns_responses
from moto.sns.exceptions import SNSInvalidParameter

from ...platform import limits
from ...platform.recorder import ACTOR
from ...rules.filter_policies import SUBSCRIBE_PREFIX
from ...rules.sns_sizes import (
    MessageSizeRuleError,
    check_large_topic_subscription,
    check_maximum_message_size,
)
from .._base import _Patches, short_name
from .delivery import Envelope, Outbox, RetryQueue
from .targets import Deliveries
from .validation import (
    check_batch,
    check_publish,
    check_subscribe,
    check_subscription_attribute,
    topic_limit,
)

__all__ = ["SnsStandIns", "EMULATED", "CONFIRM_SUBJECT"]

#: The protocols whose subscriptions wait for the recipient to confirm by e-mail.
EMAIL = ("email", "email-json")
#: The subject of the confirmation e-mail SNS sends a new e-mail subscriber.
CONFIRM_SUBJECT = "AWS Notification - Subscription Confirmation"

EMULATED = "emulated on moto"


def _fifo(topic: Any) -> bool:
    return topic.fifo_topic in (True, "true", "True")


class SnsStandIns(_Patches):
    """Installs and removes the SNS stand-ins for one environment.

    Attributes
    ----------
    outbox
        E-mail, SMS and Lambda deliveries (:class:`~helpers.emulation.sns.delivery.Outbox`).
    retries
        Deliveries waiting for their next attempt on the simulated clock.
    handlers
        Lambda function name -> Python handler ``handler(event, context)``; see
        :meth:`register_handler`.
    """

    SERVICE = "sns"
    NAMES = ("SNS deliver / filter-drop rows", "independent delivery per subscriber",
             "filter policies: every operator, AWS's errors", "publish validation",
             "FIFO topic rules and deduplication", "FIFO archive and replay",
             "subscription DLQ and delivery retries", "Lambda subscribers",
             "e-mail and SMS outbox", "envelope and raw delivery", "HTTP(S) confirmation",
             "topic MaximumMessageSize (large message payloads)")

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.outbox = Outbox()
        self.retries = RetryQueue()
        self.envelope = Envelope(getattr(env, "region", "us-east-1") if env else "us-east-1")
        self._dedup: dict[str, dict[str, tuple[float, str]]] = {}
        self._archives: dict[str, list[dict[str, Any]]] = {}
        self._sequence: dict[str, int] = {}
        #: A FIFO topic's message id -> its SequenceNumber (Publish and PublishBatch answer it).
        self._sequence_numbers: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self.outages: dict[str, float] = {}
        self.deliveries = Deliveries(self)

    # -- public helpers -------------------------------------------------------------------
    def register_handler(self, function_name: str, handler: Any) -> None:
        """Run ``handler(event, context)`` whenever moto would run Lambda ``function_name``.

        The handler lives in the one registry of the Lambda stand-ins
        (``env.emulation["lambda"]``), which runs it wherever moto would run the function.
        """
        self.env.emulation["lambda"].register(function_name, handler)

    def outage(self, endpoint: str, seconds: float) -> None:
        """Make an SQS/Lambda endpoint fail server-side for ``seconds`` (an emulated fault)."""
        self.outages[endpoint] = self.env.clock.elapsed() + float(seconds)

    def archive(self, topic_arn: str) -> list[dict[str, Any]]:
        """The archived messages of a FIFO topic with an ``ArchivePolicy`` (oldest first)."""
        return [dict(m) for m in self._archives.get(topic_arn, [])]

    def token(self, subscription_arn: str) -> str | None:
        """The confirmation token sent to a pending HTTP(S) subscription."""
        return next((t for t, arn in self._tokens.items() if arn == subscription_arn), None)

    def log(self, action: str, endpoint: str, message_id: Any, *, outcome: str = "ok",
            group: Any = None, attempt: int | None = None, detail: str | None = None) -> None:
        """One ``sns`` row in ``env.log``."""
        self.env.log.record(service="sns", action=action, resource=short_name(endpoint),
                            message_id=message_id, group=group, attempt=attempt,
                            outcome=outcome, actor=ACTOR.get(), detail=detail)

    def stop(self) -> None:
        """Unpatch and forget waiting retries."""
        super().stop()
        self.retries.clear()

    # -- the patches ----------------------------------------------------------------------
    def _patches(self) -> list[Any]:
        """Patches of moto's SNS models and responses, Lambda's runner and the clock."""
        stand_ins = self
        backend_cls = sns_models.SNSBackend
        orig_publish = backend_cls.publish
        orig_batch = backend_cls.publish_batch
        orig_subscribe = backend_cls.subscribe
        orig_set_attr = backend_cls.set_subscription_attributes
        orig_get_attrs = backend_cls.get_subscription_attributes
        orig_response_subscribe = sns_responses.SNSResponse.subscribe
        orig_response_publish = sns_responses.SNSResponse.publish
        orig_create_topic = backend_cls.create_topic
        orig_set_topic_attr = backend_cls.set_topic_attribute
        orig_topic_attrs = sns_responses.SNSResponse.get_topic_attributes

        def publish(backend: Any, message: str, arn: str | None, phone_number: str | None = None,
                    subject: str | None = None, message_attributes: Any = None,
                    group_id: Any = None, deduplication_id: Any = None,
                    message_structure: Any = None) -> str:
            topic = None
            if arn and not phone_number:
                try:
                    topic = backend.get_topic(arn)
                except sns_models.SNSNotFoundError:
                    topic = None
            check_publish(topic, message, message_attributes, group_id, deduplication_id)
            if topic is not None and _fifo(topic) and not deduplication_id:
                deduplication_id = hashlib.sha256(message.encode()).hexdigest()
            return orig_publish(backend, message, arn, phone_number=phone_number, subject=subject,
                                message_attributes=message_attributes, group_id=group_id,
                                deduplication_id=deduplication_id,
                                message_structure=message_structure)

        def publish_batch(backend: Any, topic_arn: str,
                          publish_batch_request_entries: list[dict[str, Any]]) -> Any:
            entries = publish_batch_request_entries
            check_batch(backend.get_topic(topic_arn), entries)
            successful, failed = orig_batch(backend, topic_arn, publish_batch_request_entries=entries)
            for entry in successful:
                stand_ins._add_sequence_number(entry)
            return successful, failed

        def response_publish(handler: Any) -> Any:
            result = orig_response_publish(handler)
            stand_ins._add_sequence_number(result.result)
            return result

        def topic_publish(topic: Any, message: str, subject: Any = None,
                          message_attributes: Any = None, group_id: Any = None,
                          deduplication_id: Any = None, message_structure: Any = None) -> str:
            return stand_ins._fan_out(topic, message, subject, message_attributes, group_id,
                                      deduplication_id, message_structure)

        def subscribe(backend: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
            topic = backend.get_topic(topic_arn)
            check_subscribe(topic, protocol, endpoint)
            existing = backend._find_subscription(topic_arn, endpoint, protocol)
            if existing is None:
                count = len(backend.list_subscriptions_by_topic(topic_arn=topic_arn)[0])
                try:
                    check_large_topic_subscription(topic_limit(topic), protocol, count)
                except MessageSizeRuleError as err:
                    raise SNSInvalidParameter(f"Invalid parameter: {err}") from None
            sub = orig_subscribe(backend, topic_arn, endpoint, protocol)
            sub.attributes["SubscriptionPrincipal"] = (
                f"arn:aws:iam::{backend.account_id}:user/securecart-student")
            if existing is None and protocol in ("http", "https"):
                stand_ins._confirm_request(sub)
            elif existing is None and protocol in EMAIL:
                stand_ins._confirm_by_email(sub)
            return sub

        def set_attr(backend: Any, arn: str, name: str, value: Any,
                     _prefix: str = "Invalid parameter: ") -> None:
            sub = backend.subscriptions.get(arn)
            if sub is None:
                return orig_set_attr(backend, arn, name, value)
            scope = sub.attributes.get("FilterPolicyScope") or "MessageAttributes"
            parsed = check_subscription_attribute(sub.topic, name, value, scope, _prefix)
            if name == "FilterPolicy":
                sub._filter_policy, sub._filter_policy_matcher = parsed, None
                if parsed is None:
                    sub.attributes.pop("FilterPolicy", None)
                    return None
            elif name == "FilterPolicyScope" and sub._filter_policy is not None:
                check_subscription_attribute(sub.topic, "FilterPolicy",
                                             json.dumps(sub._filter_policy), value, _prefix)
            sub.attributes[name] = value
            if name == "ReplayPolicy" and value:
                stand_ins._replay(sub, json.loads(value))
            return None

        def get_attrs(backend: Any, arn: str) -> dict[str, Any]:
            attrs = orig_get_attrs(backend, arn)
            sub = backend.subscriptions[arn]
            if sub.protocol in ("http", "https", *EMAIL):
                attrs["PendingConfirmation"] = "false" if sub.confirmed else "true"
            return attrs

        def response_subscribe(response: Any) -> Any:
            backend = response.backend
            topic = backend.get_topic(response._get_param("TopicArn"))
            attributes = dict(response._get_param("Attributes", {}) or {})  # as sent, not coerced
            scope = attributes.get("FilterPolicyScope") or "MessageAttributes"
            for name in sorted(attributes, key=lambda n: n != "FilterPolicyScope"):
                check_subscription_attribute(topic, name, attributes[name], scope,
                                             SUBSCRIBE_PREFIX)
            return orig_response_subscribe(response)

        def confirm(response: Any) -> Any:
            from moto.core.responses import ActionResult
            arn = stand_ins._tokens.get(response._get_param("Token"))
            backend = response.backend
            if arn is None or arn not in backend.subscriptions:
                raise SNSInvalidParameter("Invalid parameter: Token")
            sub = backend.subscriptions[arn]
            sub.confirmed = True
            sub.attributes["PendingConfirmation"] = "false"
            stand_ins.log("confirm", sub.endpoint, None, outcome=EMULATED,
                          detail=f"subscription to {sub.topic.name} confirmed")
            return ActionResult({"SubscriptionArn": arn})

        def create_topic(backend: Any, name: str, attributes: Any = None, tags: Any = None) -> Any:
            if attributes and "MaximumMessageSize" in attributes:
                try:
                    size = check_maximum_message_size(attributes["MaximumMessageSize"], [])
                except MessageSizeRuleError as err:
                    raise SNSInvalidParameter(f"Invalid parameter: Attributes Reason: {err}") from None
                attributes = {**attributes, "MaximumMessageSize": str(size)}
            return orig_create_topic(backend, name, attributes, tags)

        def set_topic_attr(backend: Any, topic_arn: str, name: str, value: str) -> None:
            if name == "maximum_message_size":
                subs, _ = backend.list_subscriptions_by_topic(topic_arn=topic_arn)
                try:
                    value = str(check_maximum_message_size(value, [s.protocol for s in subs]))
                except MessageSizeRuleError as err:
                    raise SNSInvalidParameter(f"Invalid parameter: {err}") from None
            return orig_set_topic_attr(backend, topic_arn, name, value)

        def topic_attrs(response: Any) -> Any:
            result = orig_topic_attrs(response)
            topic = response.backend.get_topic(response._get_param("TopicArn"))
            result.result["Attributes"]["MaximumMessageSize"] = str(topic_limit(topic))
            return result

        clock = self.env.clock
        orig_advance = clock.advance

        def advance(seconds: float) -> None:
            try:
                value = float(seconds)
            except (TypeError, ValueError):
                value = float("nan")
            if not len(stand_ins.retries) or not value >= 0:
                return orig_advance(seconds)  # nothing waiting, or the clock's own error
            target = clock.elapsed() + value
            while (due := stand_ins.retries.next_due()) is not None and due <= target:
                if due > clock.elapsed():
                    orig_advance(due - clock.elapsed())
                stand_ins.retries.run_due(max(due, clock.elapsed()))  # rounding-safe
            orig_advance(max(0.0, target - clock.elapsed()))

        return [
            mock.patch.object(backend_cls, "publish", publish),
            mock.patch.object(backend_cls, "publish_batch", publish_batch),
            mock.patch.object(sns_models.Topic, "publish", topic_publish),
            mock.patch.object(backend_cls, "subscribe", subscribe),
            mock.patch.object(backend_cls, "set_subscription_attributes", set_attr),
            mock.patch.object(backend_cls, "get_subscription_attributes", get_attrs),
            mock.patch.object(sns_responses.SNSResponse, "subscribe", response_subscribe),
            mock.patch.object(sns_responses.SNSResponse, "publish", response_publish),
            mock.patch.object(sns_responses.SNSResponse, "confirm_subscription", confirm),
            mock.patch.object(clock, "advance", advance),
            # moto caps every publish at 256 KiB; the topic's own limit is checked before it
            mock.patch.object(sns_models, "MAXIMUM_MESSAGE_LENGTH",
                              limits.SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES),
            mock.patch.object(backend_cls, "create_topic", create_topic),
            mock.patch.object(backend_cls, "set_topic_attribute", set_topic_attr),
            mock.patch.object(sns_responses.SNSResponse, "get_topic_attributes", topic_attrs),
        ]

    # -- fan-out --------------------------------------------------------------------------
    def _fan_out(self, topic: Any, message: str, subject: Any, attributes: Any, group_id: Any,
                 dedup_id: Any, structure: Any) -> str:
        """Dedup (FIFO), archive, then deliver to every subscription independently."""
        from moto.moto_api._internal import mock_random
        now = self.env.clock.elapsed()
        if _fifo(topic) and dedup_id:
            seen = self._dedup.setdefault(topic.arn, {})
            hit = seen.get(dedup_id)
            if hit and now - hit[0] < limits.SNS_FIFO_DEDUPLICATION_INTERVAL_SECONDS:
                self.log("duplicate", topic.arn, hit[1], outcome=EMULATED, group=group_id,
                         detail=f"dedup id {dedup_id[:16]} seen {now - hit[0]:.0f} s ago: "
                                "not delivered to any subscriber")
                return hit[1]
        message_id = str(mock_random.uuid4())
        sequence = None
        if _fifo(topic):
            self._dedup.setdefault(topic.arn, {})[dedup_id] = (now, message_id)
            self._sequence[topic.arn] = self._sequence.get(topic.arn, 0) + 1
            sequence = f"{self._sequence[topic.arn]:020d}"
            self._sequence_numbers[message_id] = sequence
            if getattr(topic, "archive_policy", None):
                self._archives.setdefault(topic.arn, []).append(dict(
                    time=now, message_id=message_id, message=message, subject=subject,
                    attributes=attributes, group_id=group_id, dedup_id=dedup_id,
                    sequence=sequence, timestamp=self.env.clock.now().isoformat()))
        subs, _ = topic.sns_backend.list_subscriptions_by_topic(topic_arn=topic.arn)
        for sub in subs:
            self.deliveries.first_attempt(sub, dict(
                message=message, message_id=message_id, subject=subject, attributes=attributes,
                group_id=group_id, dedup_id=dedup_id, structure=structure, sequence=sequence))
        topic.sent_notifications.append((message_id, message, subject, attributes, group_id))
        return message_id

    def _add_sequence_number(self, answer: dict[str, Any]) -> None:
        """A FIFO topic's Publish / PublishBatch entry answers its SequenceNumber, as AWS's does."""
        sequence = self._sequence_numbers.get(answer.get("MessageId", ""))
        if sequence:
            answer["SequenceNumber"] = sequence

    def _confirm_request(self, sub: Any) -> None:
        """POST the SubscriptionConfirmation (with a token) to a new HTTP(S) subscription."""
        token = uuid.UUID(int=self.env.random("sns-token").getrandbits(128)).hex * 2
        self._tokens[token] = sub.arn
        sub.confirmed = False
        sub.attributes["PendingConfirmation"] = "true"
        body = self.envelope.confirmation(token=token, message_id=str(uuid.UUID(
            int=self.env.random("sns-token").getrandbits(128))), topic_arn=sub.topic.arn,
            timestamp=self._timestamp())
        self.deliveries.post(sub, body, kind="SubscriptionConfirmation")

    def _confirm_by_email(self, sub: Any) -> None:
        """Mail the confirmation link (with its token) of a new e-mail subscription to the outbox.

        AWS sends it from no-reply@sns.amazonaws.com; the subscription stays pending (and gets
        nothing) until the link is visited, i.e. ConfirmSubscription with the token.
        """
        token = uuid.UUID(int=self.env.random("sns-token").getrandbits(128)).hex * 2
        self._tokens[token] = sub.arn
        sub.confirmed = False
        sub.attributes["PendingConfirmation"] = "true"
        link = (f"https://sns.{self.envelope.region}.amazonaws.com/?Action=ConfirmSubscription"
                f"&TopicArn={sub.topic.arn}&Token={token}")
        self.outbox.add(protocol=sub.protocol, endpoint=sub.endpoint, subject=CONFIRM_SUBJECT,
                        message=f"You have chosen to subscribe to the topic: {sub.topic.arn}\n"
                                f"To confirm this subscription, click or visit the link below "
                                f"(If this was in error no action is necessary):\n{link}",
                        message_id=None, time=self.env.clock.elapsed(), topic=sub.topic.name)
        self.log("confirm-request", sub.endpoint, None, outcome=EMULATED,
                 detail=f"confirmation e-mail for {sub.topic.name} in the outbox")

    def _timestamp(self) -> str:
        now = self.env.clock.now()
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"

    def _replay(self, sub: Any, policy: dict[str, Any]) -> None:
        """Redeliver the archived messages of ``policy``'s window to ``sub`` alone."""
        start, end = policy.get("StartingPoint"), policy.get("EndingPoint")
        count = 0
        for item in self._archives.get(sub.topic.arn, []):
            if (start and item["timestamp"] < _iso(start)) or (end and item["timestamp"] > _iso(end)):
                continue
            count += 1
            self.deliveries.first_attempt(sub, dict(
                message=item["message"], message_id=item["message_id"], subject=item["subject"],
                attributes=item["attributes"], group_id=item["group_id"],
                dedup_id=item["dedup_id"], structure=None, sequence=item["sequence"],
                replayed=True))
        self.log("replay", sub.endpoint, None, outcome=EMULATED,
                 detail=f"{count} archived messages of {sub.topic.name} replayed")


def _iso(value: str) -> str:
    """An ISO timestamp as ``clock.now().isoformat()`` writes it (for comparisons)."""
    import datetime as dt
    text = value.replace("Z", "+00:00")
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()
