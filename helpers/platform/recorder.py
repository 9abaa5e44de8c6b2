"""botocore event hooks that name, tag, track and log every call of an environment's clients.

Attached to each client :meth:`helpers.Environment.client` hands out, so a student's own boto3
calls are prefixed and tagged, show up in ``env.log`` and are deleted by ``env.teardown()``
exactly like the helpers' calls.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> sqs = env.client("sqs")
>>> url = sqs.create_queue(QueueName="hooks-demo")["QueueUrl"]
>>> url.rsplit("/", 1)[-1]
'securecart-demo-hooks-demo'
>>> _ = env.teardown()
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .environment import Environment

__all__ = ["Recorder", "ACTOR"]

#: Who is acting right now (a consumer's name, ``"producer"``); ``"client"`` otherwise.
ACTOR: contextvars.ContextVar[str] = contextvars.ContextVar("securecart_actor", default="client")

_SEQ = re.compile(r'"seq"\s*:\s*(\d+)')
_KEBAB = re.compile(r"(?<!^)(?=[A-Z])")


def _kebab(operation: str) -> str:
    return _KEBAB.sub("-", operation).lower()


def _queue(url: Any) -> str | None:
    return url.rsplit("/", 1)[-1] if isinstance(url, str) else None


def _seq_of(body: Any, attributes: dict[str, Any] | None = None) -> int | None:
    if attributes and "seq" in attributes:
        value: Any = attributes["seq"]
        value = value.get("StringValue") if isinstance(value, dict) else value
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if isinstance(body, str):
        match = _SEQ.search(body, 0, 400)  # as if the body were its first 400 characters
        if match:
            return int(match.group(1))
    return None



class Recorder:
    """Hooks for one environment.

    Parameters
    ----------
    env
        The environment whose naming, resources and log the hooks use.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.receipts: dict[str, tuple[str, str | None, int | None]] = {}
        #: Requests this environment's clients made (every API call, reads included).
        self.calls = 0
        #: ``(service, operation) -> (handler or None, action word or None)``: what the
        #: after-call hook does for an operation, decided once per operation.
        self._plans: dict[tuple[str, str], tuple[Callable[..., None] | None, str | None]] = {}

    def attach(self, client: Any, service: str) -> None:
        """Register the hooks on ``client`` (``service`` as in ``boto3.client(service)``)."""
        events = client.meta.events
        events.register("provide-client-params", self._make_before(service))
        events.register("after-call", self._make_after(service))

    # -- before the call --------------------------------------------------------------
    def _make_before(self, service: str) -> Any:
        env = self.env

        def before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            env._require_open(f"{service}.{model.name}")
            self.calls += 1
            env.naming.apply(service, model.name, params)
            if service == "sqs" and model.name == "ReceiveMessage":
                if not params.get("MessageSystemAttributeNames") and not params.get("AttributeNames"):
                    params["MessageSystemAttributeNames"] = ["All"]
            context["sc_params"] = params

        return before

    # -- after the call ---------------------------------------------------------------
    def _plan(self, service: str, op: str) -> tuple[Callable[..., None] | None, str | None]:
        """The operation's own row builder, or the action word of its generic row (``None``
        for reads: Get/List/Describe are not logged)."""
        plan = self._plans.get((service, op))
        if plan is None:
            handler = getattr(self, f"_{service}_{op}", None)
            generic = None if handler is not None or op.startswith(("Get", "List", "Describe")) \
                else _kebab(op)
            plan = self._plans[(service, op)] = (handler, generic)
        return plan

    def _make_after(self, service: str) -> Any:
        env = self.env

        def after(http_response: Any, parsed: dict[str, Any], model: Any,
                  context: dict[str, Any], **_: Any) -> None:
            params = context.get("sc_params", {})
            op = model.name
            status = getattr(http_response, "status_code", 200)
            if status >= 300:
                code = (parsed.get("Error") or {}).get("Code", str(status))
                env.log.record(service=service, action=_kebab(op), resource=self._resource(params),
                               outcome=f"error:{code}", actor=ACTOR.get())
                return
            env.resources.track(service, op, params, parsed)
            handler, generic = self._plan(service, op)
            if handler is not None:
                handler(params, parsed)
            elif generic is not None:
                env.log.record(service=service, action=generic,
                               resource=self._resource(params), actor=ACTOR.get())

        return after

    @staticmethod
    def _resource(params: dict[str, Any]) -> str | None:
        for key in ("QueueUrl", "TopicArn", "TargetArn", "Name", "Rule", "TableName",
                    "StreamName", "stateMachineArn", "FunctionName", "QueueName"):
            value = params.get(key)
            if isinstance(value, str):
                return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        return None

    # -- SQS --------------------------------------------------------------------------
    def _sqs_SendMessage(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        self.env.log.record(
            service="sqs", action="send", resource=_queue(params.get("QueueUrl")),
            message_id=parsed.get("MessageId"), group=params.get("MessageGroupId"),
            seq=_seq_of(params.get("MessageBody"), params.get("MessageAttributes")),
            actor=ACTOR.get(),
        )

    def _batch_rows(self, params: dict[str, Any], parsed: dict[str, Any], action: str,
                    ident: Callable[[dict[str, Any], bool], tuple[str | None, str | None, int | None]],
                    detail: Callable[[dict[str, Any]], str | None] = lambda entry: None) -> None:
        """Log one ``action`` row per entry of a batch call (Send/Delete/ChangeVisibility).

        A Successful entry gets outcome ``ok`` and ``detail(entry)``; a Failed one
        ``error:<Code>`` and AWS's message. ``ident(entry, succeeded)`` gives the entry's
        message id, group and seq (``entry`` is the request entry merged with its result).
        """
        queue = _queue(params.get("QueueUrl"))
        entries = {e["Id"]: e for e in params.get("Entries", [])}
        actor = ACTOR.get()
        clock_time = self.env.clock.elapsed()
        rows = []
        for ok in parsed.get("Successful", []):
            entry = {**entries.get(ok["Id"], {}), **ok}
            rows.append((clock_time, "sqs", action, queue, *ident(entry, True), None, "ok", actor,
                         detail(entry)))
        for bad in parsed.get("Failed", []):
            entry = entries.get(bad["Id"], {})
            rows.append((clock_time, "sqs", action, queue, *ident(entry, False), None,
                         f"error:{bad.get('Code')}", actor, bad.get("Message")))
        self.env.log.extend(rows)

    def _sqs_SendMessageBatch(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        def ident(entry: dict[str, Any], succeeded: bool) -> tuple[str | None, str | None, int | None]:
            return (entry.get("MessageId") if succeeded else None, entry.get("MessageGroupId"),
                    _seq_of(entry.get("MessageBody"), entry.get("MessageAttributes")))

        self._batch_rows(params, parsed, "send", ident)

    def _sqs_ReceiveMessage(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        queue = _queue(params.get("QueueUrl"))
        actor = ACTOR.get()
        clock_time = self.env.clock.elapsed()
        rows = []
        for message in parsed.get("Messages", []):
            attrs = message.get("Attributes", {})
            group = attrs.get("MessageGroupId")
            seq = _seq_of(message.get("Body"), message.get("MessageAttributes"))
            count = attrs.get("ApproximateReceiveCount")
            self.receipts[message["ReceiptHandle"]] = (message["MessageId"], group, seq)
            rows.append((clock_time, "sqs", "receive", queue, message["MessageId"], group, seq,
                         int(count) if count else None, "ok", actor, None))
        self.env.log.extend(rows)

    def _known(self, handle: str) -> tuple[str | None, str | None, int | None]:
        """The message id, group and seq of a receipt handle (kept)."""
        return self.receipts.get(handle, (None, None, None))

    def _forget(self, handle: str) -> tuple[str | None, str | None, int | None]:
        """The message id, group and seq of a receipt handle, forgotten (it was deleted)."""
        return self.receipts.pop(handle, (None, None, None))

    def _sqs_DeleteMessage(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        message_id, group, seq = self._forget(params.get("ReceiptHandle", ""))
        self.env.log.record(service="sqs", action="delete", resource=_queue(params.get("QueueUrl")),
                            message_id=message_id, group=group, seq=seq, actor=ACTOR.get())

    def _sqs_DeleteMessageBatch(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        def ident(entry: dict[str, Any], succeeded: bool) -> tuple[str | None, str | None, int | None]:
            handle = entry.get("ReceiptHandle", "")
            return self._forget(handle) if succeeded else self._known(handle)

        self._batch_rows(params, parsed, "delete", ident)

    def _sqs_ChangeMessageVisibility(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        message_id, group, seq = self._known(params.get("ReceiptHandle", ""))
        self.env.log.record(service="sqs", action="change-visibility",
                            resource=_queue(params.get("QueueUrl")), message_id=message_id,
                            group=group, seq=seq, actor=ACTOR.get(),
                            detail=f"VisibilityTimeout={params.get('VisibilityTimeout')}")

    def _sqs_ChangeMessageVisibilityBatch(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        self._batch_rows(params, parsed, "change-visibility",
                         lambda entry, _: self._known(entry.get("ReceiptHandle", "")),
                         lambda entry: f"VisibilityTimeout={entry.get('VisibilityTimeout')}")

    # -- SNS / EventBridge / Step Functions -------------------------------------------------
    def _sns_Publish(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        arn = params.get("TopicArn") or params.get("TargetArn") or ""
        self.env.log.record(service="sns", action="publish", resource=arn.rsplit(":", 1)[-1],
                            message_id=parsed.get("MessageId"), group=params.get("MessageGroupId"),
                            seq=_seq_of(params.get("Message"), params.get("MessageAttributes")),
                            actor=ACTOR.get())

    def _events_PutEvents(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        for entry, result in zip(params.get("Entries", []), parsed.get("Entries", []), strict=False):
            self.env.log.record(
                service="events", action="put-event", resource=entry.get("EventBusName", "default"),
                message_id=result.get("EventId"), outcome="ok" if result.get("EventId") else
                f"error:{result.get('ErrorCode')}", actor=ACTOR.get(), detail=entry.get("DetailType"),
            )

    def _stepfunctions_StartExecution(self, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        self.env.log.record(service="stepfunctions", action="start-execution",
                            resource=params.get("stateMachineArn", "").rsplit(":", 1)[-1],
                            message_id=parsed.get("executionArn", "").rsplit(":", 1)[-1],
                            actor=ACTOR.get())
