"""Lambda's asynchronous invocation, which moto 5.2 runs as a synchronous one.

``Invoke`` with ``InvocationType="Event"`` hands the event to Lambda's internal queue and
answers ``202`` at once; Lambda runs the function later, retries a failed run, drops an event
that grew too old, and reports the outcome to the function's destinations.

=========================================  ==============================  ===================================
AWS behaviour                              moto alone                      stand-in
=========================================  ==============================  ===================================
``202`` with an empty payload; the         runs the function at once,      the event waits in Lambda's queue
function runs later, from Lambda's queue   in the call, and returns its    until the simulated clock moves
                                           result as the payload           (``env.sleep``); ``202``, no payload
a function error is retried twice: 1 min,  no retry                        retries on the simulated clock at
then 2 min later; ``MaximumRetryAttempts``                                 1 min and 2 min, as many as the
(0-2) in ``PutFunctionEventInvokeConfig``                                  function's event invoke config says
``MaximumEventAgeInSeconds`` (60-21,600):  stored, unused                  an event older than that is not run
older events are discarded                                                 again: condition ``EventAgeExceeded``
``DestinationConfig`` ``OnSuccess`` /      stored, unused                  the invocation record (version 1.0,
``OnFailure``: an invocation record to an                                  ``requestContext``, ``requestPayload``,
SQS queue, SNS topic, Lambda function or                                   ``responseContext``,
EventBridge bus                                                            ``responsePayload``) sent there
=========================================  ==============================  ===================================

Sources: Lambda Developer Guide, "Invoking a Lambda function asynchronously", "Configuring
error handling for asynchronous invocation" and "Capturing records of asynchronous
invocations" (destinations); Lambda API Reference, ``PutFunctionEventInvokeConfig``.
Every row written to ``env.log`` carries ``emulated on moto``.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["lambda-async"].names()
['asynchronous invocation: queue, retries, event age, destinations']
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from unittest import mock

from moto.awslambda import models as lambda_models

from ...platform import limits
from .._base import _Patches, short_name
from ..sns.delivery import RetryQueue
from ..sqs import EMULATED
from . import HandlerError

__all__ = ["LambdaAsyncStandIns", "AsyncEvent", "invocation_record", "RETRY_DELAYS_SECONDS"]

#: Waits before Lambda's first and second retry of a failed asynchronous run, in seconds
#: (Lambda Developer Guide, "Configuring error handling for asynchronous invocation").
RETRY_DELAYS_SECONDS = (60.0, 120.0)


@dataclass
class AsyncEvent:
    """One event in Lambda's asynchronous queue."""

    function: Any  # moto's LambdaFunction
    payload: Any
    request_id: str
    accepted: float  # clock.elapsed() when Invoke answered 202
    attempts: int = 0


def invocation_record(event: AsyncEvent, now: dt.datetime, condition: str, response: Any,
                      error: bool) -> dict[str, Any]:
    """The record Lambda sends to a destination (its documented shape, version 1.0).

    Example
    -------
    >>> e = AsyncEvent(type("F", (), {"function_arn": "arn:aws:lambda:us-east-1:1:function:f"})(),
    ...                {"order_id": "ord-1"}, "req-1", 0.0, 3)
    >>> r = invocation_record(e, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "RetriesExhausted",
    ...                       {"errorType": "TimeoutError"}, True)
    >>> r["requestContext"]["condition"], r["responseContext"]["functionError"]
    ('RetriesExhausted', 'Unhandled')
    """
    context = {"statusCode": 200, "executedVersion": "$LATEST"}
    if error:
        context["functionError"] = "Unhandled"
    return {"version": "1.0", "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "requestContext": {"requestId": event.request_id,
                               "functionArn": f"{event.function.function_arn}:$LATEST",
                               "condition": condition, "approximateInvokeCount": event.attempts},
            "requestPayload": event.payload, "responseContext": context, "responsePayload": response}


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return value
    return None


class LambdaAsyncStandIns(_Patches):
    """Lambda's asynchronous queue, retries, event age and destinations on the simulated clock."""

    SERVICE = "lambda-async"
    NAMES = ("asynchronous invocation: queue, retries, event age, destinations",)

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.queue = RetryQueue()
        self._accepted = 0

    def stop(self) -> None:
        """Unpatch and forget the events still waiting."""
        super().stop()
        self.queue.clear()

    # -- Lambda's side ----------------------------------------------------------------
    def accept(self, function: Any, payload: Any) -> str:
        """Queue ``payload`` for ``function`` (what ``Invoke`` with ``Event`` does); its request id."""
        self._accepted += 1
        request_id = f"{self.env.seed:08d}-0000-4000-a000-{self._accepted:012d}"
        event = AsyncEvent(function, payload, request_id, self.env.clock.elapsed())
        self.queue.schedule(event.accepted, lambda: self._attempt(event))
        self._log("accept", function, event, "queued (202)")
        return request_id

    @staticmethod
    def _config(function: Any) -> dict[str, Any]:
        configs = getattr(function, "event_invoke_config", None) or []
        return dict(configs[0].config) if configs else {}

    def _attempt(self, event: AsyncEvent) -> None:
        config = self._config(event.function)
        max_age = config.get("MaximumEventAgeInSeconds", limits.LAMBDA_ASYNC_MAX_EVENT_AGE_SECONDS)
        age = self.env.clock.elapsed() - event.accepted
        if event.attempts and age > max_age:
            self._log("discard", event.function, event, f"event age {age:.0f} s > MaximumEventAgeInSeconds {max_age}")
            self._finish(event, config, "EventAgeExceeded", None, True)
            return
        event.attempts += 1
        fn = event.function
        try:
            result = self.env.emulation["lambda"].run(fn.function_name, fn.region, fn.account_id, event.payload)
        except HandlerError as err:
            retries = config.get("MaximumRetryAttempts", limits.LAMBDA_ASYNC_MAX_RETRIES)
            if event.attempts <= retries:
                wait = RETRY_DELAYS_SECONDS[event.attempts - 1]
                self._log("retry", fn, event, f"{err.error_type}: retry {event.attempts} of {retries} in {wait:.0f} s")
                self.queue.schedule(self.env.clock.elapsed() + wait, lambda: self._attempt(event))
                return
            self._log("fail", fn, event, f"{err.error_type}: retries spent ({retries})")
            self._finish(event, config, "RetriesExhausted", err.payload, True)
            return
        self._finish(event, config, "Success", result, False)

    def _finish(self, event: AsyncEvent, config: dict[str, Any], condition: str, response: Any,
                error: bool) -> None:
        side = "OnFailure" if error else "OnSuccess"
        target = config.get("DestinationConfig", {}).get(side, {}).get("Destination")
        if not target:
            if error:
                self._log("drop", event.function, event, f"{condition}: no {side} destination")
            return
        record = invocation_record(event, self.env.clock.now(), condition, response, error)
        self._send(target, record, error)
        self._log(f"destination-{side[2:].lower()}", event.function, event, f"{condition} -> {short_name(target)}")

    def _send(self, arn: str, record: dict[str, Any], error: bool) -> None:
        parts = arn.split(":")
        service, region, account = parts[2], parts[3], parts[4]
        body = json.dumps(record)
        if service == "sqs":
            from moto.sqs.models import sqs_backends
            sqs_backends[account][region].send_message(parts[5], body)
        elif service == "sns":
            from moto.sns.models import sns_backends
            sns_backends[account][region].publish(message=body, arn=arn)
        elif service == "lambda":
            target = lambda_models.lambda_backends[account][region].get_function(parts[6])
            self.accept(target, record)
        elif service == "events":
            from moto.events.models import events_backends
            kind = "Failure" if error else "Success"
            events_backends[account][region].put_events([{
                "Source": "lambda", "DetailType": f"Lambda Function Invocation Result - {kind}",
                "Detail": body, "EventBusName": arn, "Resources": [record["requestContext"]["functionArn"]]}])

    def _log(self, action: str, function: Any, event: AsyncEvent, detail: str) -> None:
        self.env.log.record(service="lambda", action=action, resource=function.function_name,
                            message_id=event.request_id, attempt=event.attempts or None,
                            outcome=EMULATED, detail=detail)

    # -- the patches ------------------------------------------------------------------
    def _patches(self) -> list[Any]:
        group = self
        orig_invoke = lambda_models.LambdaBackend.invoke

        def invoke(backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any,
                   response_headers: Any) -> Any:
            if _header(headers, "x-amz-invocation-type") != "Event":
                return orig_invoke(backend, function_name, qualifier, body, headers, response_headers)
            function = backend.get_function(function_name, qualifier)
            payload = json.loads(body) if body else {}
            response_headers["x-amzn-requestid"] = group.accept(function, payload)
            return b""

        clock = self.env.clock
        orig_advance = clock.advance

        def advance(seconds: float) -> None:
            group.queue.advance(clock, orig_advance, seconds)

        return [mock.patch.object(lambda_models.LambdaBackend, "invoke", invoke),
                mock.patch.object(clock, "advance", advance)]
