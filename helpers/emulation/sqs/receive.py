"""ReceiveMessage as AWS answers it, cheaply: one place for every receive-side stand-in.

- Long polling on the simulated clock, with one rule for threads: only the thread that
  opened the environment moves simulated time. Its long poll advances the clock to the moment
  the next message of the queue becomes visible (and returns it) or to the end of the wait; a
  row ``long-poll`` in ``env.log`` says how far time jumped. A long poll from any other
  thread returns what is visible now and moves nothing (a warning says so once per thread),
  so a background thread cannot expire the main thread's in-flight messages. On the
  ``server`` backend every request runs in a server thread, so the course's clients name
  the thread that sent it in a header (:data:`CALLER_HEADER`, added by the local backend);
  a request without it (another process, a client made before ``connect()``) is not the
  owner either.
- FIFO group order (:mod:`.fifo`), at-least-once delivery (:mod:`.delivery`).
- DLQ moves logged as ``move-to-dlq`` and their messages carry ``DeadLetterQueueSourceArn``.
- Parameters checked in AWS's words (LocalStack snapshot ``test_send_receive_wait_time_seconds``,
  ``test_send_receive_max_number_of_messages``; Inqnuam/local-aws-sqs
  ``receive-message.test.ts`` for ``VisibilityTimeout``): moto's text for ``WaitTimeSeconds``
  is HTML-escaped and says the bounds backwards, and moto accepts a negative timeout.
- The cheap attribute path: the answer is written as JSON directly (moto's generic
  serializer walks the service model once per attribute of every message) and a received
  message is copied shallowly (moto deep-copies it).

Example
-------
>>> try:
...     check_receive_params(1, 25, None)
... except Exception as err:
...     print(err.message)
Value 25 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import warnings
from typing import Any

from moto.core.responses import ActionResult
from moto.sqs.models import _filter_message_attributes
from moto.sqs.responses import SQSResponse

from ...platform import limits
from .common import EMULATED, invalid
from .fifo import fifo_candidates, rotate_groups

__all__ = ["Receiver", "check_receive_params", "response_receive_message", "CALLER_HEADER",
           "caller_tag"]

#: The request header that names the sending thread on the ``server`` backend.
CALLER_HEADER = "x-securecart-caller-thread"


def caller_tag(thread: threading.Thread | None = None) -> str:
    """This process's name for ``thread`` (default: the current one), as the header says it."""
    return f"{os.getpid()}:{(thread or threading.current_thread()).ident}"


def _thread_named(tag: str | None) -> str:
    """How the warning names the thread a header tagged (or says it came from elsewhere)."""
    for thread in threading.enumerate():
        if tag is not None and caller_tag(thread) == tag:
            return repr(thread.name)
    return "of another process (or a client made before connect())"


def _request_caller() -> str | None:
    """The caller named in the HTTP request this server thread is answering, if any."""
    try:
        import flask
    except ImportError:  # pragma: no cover - moto[server] brings flask
        return None
    return flask.request.headers.get(CALLER_HEADER) if flask.has_request_context() else None

_SYSTEM = ("SenderId", "SentTimestamp", "ApproximateReceiveCount",
           "ApproximateFirstReceiveTimestamp", "MessageDeduplicationId", "MessageGroupId",
           "AWSTraceHeader", "SequenceNumber", "DeadLetterQueueSourceArn")


def check_receive_params(count: Any, wait: Any, visibility: Any) -> None:
    """AWS's checks of ReceiveMessage's numbers, in AWS's words."""
    if not 1 <= count <= limits.SQS_MAX_BATCH_ENTRIES:
        raise invalid(f"Value {count} for parameter MaxNumberOfMessages is invalid. Reason: Must "
                      f"be between 1 and {limits.SQS_MAX_BATCH_ENTRIES}, if provided.")
    if not 0 <= wait <= limits.SQS_MAX_WAIT_TIME_SECONDS:
        raise invalid(f"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be "
                      f">= 0 and <= {limits.SQS_MAX_WAIT_TIME_SECONDS}, if provided.")
    if visibility is not None and not 0 <= visibility <= limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS:
        raise invalid(f"Value {visibility} for parameter VisibilityTimeout is invalid. Reason: Must "
                      f"be >= 0 and <= {limits.SQS_MAX_VISIBILITY_TIMEOUT_SECONDS}, if provided.")


def _md5(message: Any) -> str:
    cached = message.__dict__.get("_sc_md5")
    if cached is None or cached[0] is not message.body:
        cached = message._sc_md5 = (message.body, message.body_md5)
    return cached[1]


def _system_attributes(message: Any, names: set[str]) -> dict[str, str]:
    everything = "All" in names
    out: dict[str, str] = {}
    for name in _SYSTEM:
        if not (everything or name in names):
            continue
        if name == "SenderId":
            out[name] = message.sender_id
        elif name == "SentTimestamp":
            out[name] = str(message.sent_timestamp)
        elif name == "ApproximateReceiveCount":
            out[name] = str(message.approximate_receive_count)
        elif name == "ApproximateFirstReceiveTimestamp":
            out[name] = str(message.approximate_first_receive_timestamp)
        elif name == "MessageDeduplicationId" and message.deduplication_id is not None:
            out[name] = message.deduplication_id
        elif name == "MessageGroupId" and message.group_id is not None:
            out[name] = message.group_id
        elif name == "AWSTraceHeader" and (message.system_attributes or {}).get("AWSTraceHeader"):
            out[name] = message.system_attributes["AWSTraceHeader"].get("StringValue")
        elif name == "SequenceNumber" and message.sequence_number is not None:
            out[name] = message.sequence_number
        elif name == "DeadLetterQueueSourceArn" and getattr(message, "_sc_dlq_source", None):
            out[name] = message._sc_dlq_source
    return out


def response_receive_message(response: Any) -> Any:
    """``SQSResponse.receive_message``: AWS's checks, DeadLetterQueueSourceArn, cheap JSON."""
    backend = response.sqs_backend
    queue_name = response._get_queue_name()
    queue = backend.get_queue(queue_name)
    names = set(response._get_param("AttributeNames", []) or [])
    names.update(response._get_param("MessageSystemAttributeNames", []) or [])
    count = response._get_param("MaxNumberOfMessages", 1)
    wait = response._get_param("WaitTimeSeconds")
    wait = int(queue.receive_message_wait_time_seconds) if wait is None else int(wait)
    visibility = response._get_param("VisibilityTimeout")
    check_receive_params(int(count), wait, None if visibility is None else int(visibility))
    visibility = queue.visibility_timeout if visibility is None else int(visibility)
    messages = backend.receive_message(queue_name, int(count), wait, visibility,
                                       response._get_param("MessageAttributeNames", []))
    out = []
    for message in messages:
        item: dict[str, Any] = {"MessageId": message.id, "ReceiptHandle": message.receipt_handle,
                                "MD5OfBody": _md5(message), "Body": message.body}
        if message.message_attributes:
            item["MessageAttributes"] = message.message_attributes
            item["MD5OfMessageAttributes"] = message.attribute_md5
        if names:
            item["Attributes"] = _system_attributes(message, names)
        out.append(item)
    result = {"Messages": out} if out else {}
    protocol = response.determine_response_protocol(_service_model())
    if protocol == "json" and not any(
            "BinaryValue" in a for m in out for a in m.get("MessageAttributes", {}).values()):
        return 200, {"status": 200, "Content-Type": "application/x-amz-json-1.0"}, json.dumps(result)
    return ActionResult(result)


_MODEL: list[Any] = []


def _service_model() -> Any:
    if not _MODEL:
        from moto.core.responses import get_service_model
        _MODEL.append(get_service_model("sqs"))
    return _MODEL[0]


class Receiver:
    """The receive loop of one environment (patched in as ``SQSBackend.receive_message``)."""

    def __init__(self, stand_ins: Any) -> None:
        self.me = stand_ins
        self.env = stand_ins.env
        self.owner = threading.current_thread()
        self.warned: set[str] = set()

    # -- the entry point ----------------------------------------------------------------
    def receive(self, backend: Any, queue_name: str, count: int, wait: int, visibility: int,
                attrs: list[str] | None = None) -> list[Any]:
        me, env = self.me, self.env
        queue = backend.get_queue(queue_name)
        me.tasks.tick(backend)
        delivery = env.delivery
        standard = not queue.fifo_queue
        if standard and delivery.active and delivery.reorder_rate:
            me.delivery.reorder(queue, count, delivery.reorder_rate)
        result = self.once(backend, queue, count, visibility, attrs)
        clock = env.clock
        if not result and wait and clock.simulated:
            result = self.long_poll(backend, queue, count, int(wait), visibility, attrs)
        if standard and delivery.active and delivery.duplicate_rate and result:
            me.delivery.duplicate(queue, result, visibility, delivery.duplicate_rate)
        return result

    # -- one pass ------------------------------------------------------------------------
    def once(self, backend: Any, queue: Any, count: int, visibility: int,
             attrs: list[str] | None) -> list[Any]:
        now = self.env.clock.time() * 1000.0
        if queue.fifo_queue:
            candidates = fifo_candidates(queue, now)
        else:
            # lazily: a receive stops after ``count`` messages, however deep the queue
            candidates = (m for m in queue._messages if now > m.visible_at and not now < m.delayed_until)
        policy = queue.redrive_policy if queue.dead_letter_queue is not None else None
        limit = policy["maxReceiveCount"] if policy else None
        retention = queue.message_retention_period * 1000.0
        to_dlq, expired, result, taken = [], [], [], []
        names = list(attrs or [])
        for message in candidates:
            if limit is not None and message.approximate_receive_count >= limit:
                to_dlq.append(message)
                continue
            if message.sent_timestamp + retention <= now:
                expired.append(message)
                continue
            queue.pending_messages.add(message)
            message.mark_received(visibility_timeout=visibility)
            if "_sc_md5" not in message.__dict__:  # the body's MD5, once per message
                message._sc_md5 = (message.body, message.body_md5)
            shown = copy.copy(message)
            _filter_message_attributes(shown, names)
            result.append(shown)
            taken.append(message)
            if len(result) >= count:
                break
        for message in expired:
            queue._messages.remove(message)
        if to_dlq:
            self.move_to_dlq(queue, to_dlq, policy)
        if queue.fifo_queue and taken:
            rotate_groups(queue, taken)
        return result

    def move_to_dlq(self, queue: Any, messages: list[Any], policy: dict[str, Any]) -> None:
        dlq = queue.dead_letter_queue
        for message in messages:
            queue._messages.remove(message)
            queue.pending_messages.discard(message)
            message._sc_dlq_source = queue.queue_arn
            self.me.origins[message.id] = queue.queue_arn
            dlq.add_message(message)
            self.env.log.record(
                service="sqs", action="move-to-dlq", resource=queue.name,
                message_id=message.id, group=message.group_id,
                attempt=message.approximate_receive_count,
                detail=f"to {dlq.name} (maxReceiveCount={policy['maxReceiveCount']})",
            )

    # -- long polling ----------------------------------------------------------------------
    def long_poll(self, backend: Any, queue: Any, count: int, wait: int, visibility: int,
                  attrs: list[str] | None) -> list[Any]:
        env, clock = self.env, self.env.clock
        thread = threading.current_thread()
        if env.backend == "server":
            caller = _request_caller()
            owner, name = caller == caller_tag(self.owner), _thread_named(caller)
        else:
            owner, name = thread is self.owner, repr(thread.name)
        if not owner:
            if name not in self.warned:
                self.warned.add(name)
                warnings.warn(
                    f"A long poll (WaitTimeSeconds={wait}) in thread {name} returned at once "
                    "without moving the simulated clock: on moto only the thread that called "
                    "connect() moves time (its long polls and env.sleep), so a background thread "
                    f"cannot expire another consumer's in-flight messages ({EMULATED}).",
                    UserWarning, stacklevel=2)
            return []
        start = clock.elapsed()
        deadline = start + wait
        result: list[Any] = []
        while not result:
            ready = self.next_ready(queue)
            if ready is None or ready > deadline:
                clock.advance_to(deadline)
                break
            clock.advance_to(ready)
            result = self.once(backend, queue, count, visibility, attrs)
        env.log.record(service="sqs", action="long-poll", resource=queue.name, outcome=EMULATED,
                       detail=f"simulated clock +{clock.elapsed() - start:g} s in one ReceiveMessage "
                              f"(WaitTimeSeconds={wait}): {len(result)} message(s)")
        return result

    def next_ready(self, queue: Any) -> float | None:
        """Elapsed clock seconds at which the next hidden or delayed message is ready."""
        clock = self.env.clock
        now_ms = clock.time() * 1000.0
        later = [t for t in (max(m.visible_at, m.delayed_until) for m in queue._messages) if t >= now_ms]
        if not later:
            return None
        start_ms = (clock.time() - clock.elapsed()) * 1000.0
        return (min(later) - start_ms) / 1000.0 + 0.001


def receive_patches(receiver: Receiver) -> list[Any]:
    """The patchers of this module."""
    from unittest import mock

    from moto.sqs.models import SQSBackend

    return [
        mock.patch.object(SQSBackend, "receive_message",
                          lambda backend, *a, **k: receiver.receive(backend, *a, **k)),
        mock.patch.object(SQSResponse, "receive_message", response_receive_message),
    ]
