"""Lambda behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

moto runs a function's code only in Docker. The course's functions are Python handlers in the
kernel: :meth:`LambdaStandIns.register` binds one to a function created in moto, and moto's
single place that runs a function (``LambdaFunction._invoke_lambda``) calls it in-process, so
``Invoke``, Step Functions Lambda tasks and SNS -> Lambda all run it.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
``Invoke`` runs the function's code    needs Docker; without it the    the registered Python handler runs
and returns what the handler returned  call fails or returns a canned  in-process with a Lambda context;
(an unhandled error: ``errorType``,    "Simple Lambda happy path OK"   an exception becomes AWS's error
``errorMessage``, ``stackTrace`` and                                   payload and ``FunctionError``;
``X-Amz-Function-Error: Unhandled``)                                   ``invoke`` rows ``emulated on moto``
event source mappings (SQS, Kinesis,  moto invokes once per message   pollers on the simulated clock
DynamoDB Streams): ``BatchSize``,      as it is sent (SQS) or put      (:mod:`helpers.emulation._pollers`):
``MaximumBatchingWindowInSeconds``,    (streams), ignores the batching batches, batching window, partial
``ReportBatchItemFailures`` partial    window and partial batch        batch responses, bisect-on-error,
batch responses,                       responses; a failed SQS batch   retry attempts; they run whenever
``BisectBatchOnFunctionError``,        is deleted anyway               the clock moves (``env.sleep``)
``MaximumRetryAttempts``; a failed
SQS batch returns after its
visibility timeout
=====================================  ==============================  ==================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["lambda"].names()
['Lambda runs the registered Python handler', 'event source mapping pollers']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import threading
import traceback
from dataclasses import dataclass
from typing import Any
from unittest import mock

from moto.awslambda import models as lambda_models
from moto.awslambda.models import lambda_backends

from .._base import _Patches
from .._pollers import SqsPoller, StreamPoller
from ..sqs import EMULATED

__all__ = ["LambdaStandIns", "LambdaContext", "HandlerError"]


def _mapping(esm: Any) -> dict[str, Any]:
    """The settings of a moto EventSourceMapping, under their API names."""
    return {"EventSourceArn": esm.event_source_arn, "BatchSize": esm.batch_size,
            "MaximumBatchingWindowInSeconds": esm.max_batch_window,
            "FunctionResponseTypes": esm.function_response_types,
            "BisectBatchOnFunctionError": esm.bisect_on_error,
            "MaximumRetryAttempts": esm.max_retry_attempts, "StartingPosition": esm.starting_position}


@dataclass
class LambdaContext:
    """The context object a Python handler receives (the attributes Powertools reads)."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        """Time left before the function's timeout (the stand-in never times out)."""
        return 300_000


class HandlerError(Exception):
    """An unhandled error of a handler, as Lambda reports it (``errorType``, ``errorMessage``)."""

    def __init__(self, error_type: str, message: str, payload: dict) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.payload = payload


class LambdaStandIns(_Patches):
    """Installs and removes the Lambda stand-ins; holds the registered handlers."""

    SERVICE = "lambda"
    NAMES = ("Lambda runs the registered Python handler", "event source mapping pollers")

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.handlers: dict[str, Any] = {}
        self.pollers: dict[str, Any] = {}
        self._requests = 0
        self._polling = False

    def poll(self) -> int:
        """Run every enabled mapping's poller once at the clock's now; invocations made."""
        if self._polling:
            return 0
        self._polling = True
        try:
            done = 0
            for uuid, (esm, poller) in list(self.pollers.items()):
                backend = lambda_models.lambda_backends[esm.account_id][esm.region]
                if uuid not in backend._event_source_mappings:
                    self.pollers.pop(uuid)
                    continue
                if esm.enabled:
                    poller.mapping = _mapping(esm)
                    with self.env.acting(f"esm:{esm.function_arn.rsplit(':', 1)[-1]}"):
                        done += poller.poll(self.env.clock.time())
            return done
        finally:
            self._polling = False

    def _waiting(self) -> bool:
        return any(isinstance(p, SqsPoller) and p.window_start is not None for _, p in self.pollers.values())

    def _busy(self) -> bool:
        return any(esm.enabled and poller.busy() for esm, poller in self.pollers.values())

    def register(self, function_name: str, handler: Any) -> None:
        """Run ``handler(event, context)`` whenever moto invokes ``function_name``."""
        self.handlers[function_name.rsplit(":", 1)[-1]] = handler

    @staticmethod
    def _configured_handler(name: str, region: str, account: str) -> str:
        """The function's ``Handler`` setting (``module.function``), as AWS's runtime reads it."""
        try:
            return lambda_backends[account][region].get_function(name).handler or "index.handler"
        except Exception:  # noqa: BLE001 - a function moto does not know: the default name
            return "index.handler"

    def run(self, function_name: str, region: str, account: str, event: Any) -> Any:
        """Call the handler of ``function_name`` (its result; raises :class:`HandlerError`)."""
        name = function_name.rsplit(":function:", 1)[-1].split(":", 1)[0]
        handler = self.handlers.get(name)
        if handler is None:
            # AWS's wording for a handler its runtime cannot find, then how to give moto one.
            module, _, function = self._configured_handler(name, region, account).rpartition(".")
            message = (f"Handler '{function}' missing on module '{module}'. {EMULATED}: moto runs "
                       f"no code; register a Python function for {name} first: "
                       f"env.emulation['lambda'].register({name!r}, handler) with "
                       "def handler(event, context), or helpers.stepfunctions.deploy_function("
                       f"env, ..., handler) to create and register it in one step.")
            raise HandlerError("Runtime.HandlerNotFound", message,
                               {"errorMessage": message, "errorType": "Runtime.HandlerNotFound"})
        self._requests += 1
        request_id = f"{self.env.seed:08d}-0000-4000-8000-{self._requests:012d}"
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        context = LambdaContext(name, arn, request_id, log_group_name=f"/aws/lambda/{name}")
        try:
            result = handler(event, context)
        except Exception as exc:  # an unhandled error, as Lambda reports it
            payload = {"errorMessage": str(exc), "errorType": type(exc).__name__,
                       "requestId": request_id,
                       "stackTrace": traceback.format_tb(exc.__traceback__)[-3:]}
            self.env.log.record(service="lambda", action="invoke", resource=name,
                                outcome=f"{EMULATED}: {type(exc).__name__}", detail=str(exc)[:120])
            raise HandlerError(type(exc).__name__, str(exc), payload) from exc
        self.env.log.record(service="lambda", action="invoke", resource=name, outcome=EMULATED)
        return result

    def _patches(self) -> list[Any]:
        """Patch moto's one place that runs a function."""
        group = self

        def invoke_lambda(function: Any, event: Any = None) -> tuple[str, bool, str]:
            if isinstance(event, str):
                event = json.loads(event or "{}")
            try:
                result = group.run(function.function_name, function.region, function.account_id,
                                   event if event is not None else {})
            except HandlerError as err:
                return json.dumps(err.payload), True, f"{err.error_type}: {err.message}"
            return json.dumps(result), False, ""

        orig_invoke = lambda_models.LambdaFunction.invoke

        def invoke(function: Any, body: str, request_headers: Any, response_headers: Any) -> Any:
            out = orig_invoke(function, body, request_headers, response_headers)
            if response_headers.get("x-amz-function-error") == "Handled":
                response_headers["x-amz-function-error"] = "Unhandled"  # AWS's word for a raise
            return out

        orig_create = lambda_models.LambdaBackend.create_event_source_mapping

        def create_mapping(backend: Any, spec: dict[str, Any]) -> Any:
            esm = orig_create(backend, spec)
            # Unhook moto's own per-message invocation; the poller takes over.
            from moto.dynamodb.models import dynamodb_backends
            from moto.kinesis.models import kinesis_backends
            from moto.sqs.models import sqs_backends
            arn = esm.event_source_arn
            service = arn.split(":")[2]
            name = esm.function_arn.rsplit(":", 1)[-1]

            def run(event: Any) -> Any:
                return group.run(name, esm.region, esm.account_id, event)

            if service == "sqs":
                for queue in sqs_backends[esm.account_id][esm.region].queues.values():
                    queue.lambda_event_source_mappings.pop(esm.function_arn, None)
                poller: Any = SqsPoller(_mapping(esm), run, group.env)
            elif service == "kinesis":
                stream = next(s for s in kinesis_backends[esm.account_id][esm.region].streams.values()
                              if s.arn == arn)
                stream.lambda_event_source_mappings.pop(arn, None)
                poller = StreamPoller(_mapping(esm), run, group.env, "kinesis")
                if esm.starting_position == "LATEST":
                    for shard in stream.shards.values():
                        if shard.records:
                            poller.positions[shard.shard_id] = str(shard.get_max_sequence_number())
            else:
                poller = StreamPoller(_mapping(esm), run, group.env, "dynamodb")
                for table in dynamodb_backends[esm.account_id][esm.region].tables.values():
                    table.lambda_event_source_mappings.pop(esm.function_arn, None)
                    shard = getattr(table, "stream_shard", None)
                    if esm.starting_position == "LATEST" and shard is not None and shard.items \
                            and table.table_arn in arn:
                        poller.positions[shard.id] = shard.items[-1].record["dynamodb"]["SequenceNumber"]
            group.pollers[esm.uuid] = (esm, poller)
            return esm

        clock = self.env.clock
        orig_advance = clock.advance
        owner = threading.get_ident()

        def advance(seconds: float) -> None:
            # While a mapping has work, move in 1-s steps and poll after each (Lambda polls
            # continuously); otherwise jump. Only the kernel's thread polls (not a server
            # thread advancing the clock inside a long poll).
            if not group.pollers or group._polling or threading.get_ident() != owner:
                return orig_advance(seconds)
            try:
                target = clock.time() + float(seconds)
            except (TypeError, ValueError):
                return orig_advance(seconds)
            if not target >= clock.time():
                return orig_advance(seconds)
            group.poll()
            while clock.time() < target:
                step = min(1.0, target - clock.time()) if group._busy() or group._waiting() else target - clock.time()
                orig_advance(step)
                group.poll()
            return None

        return [mock.patch.object(lambda_models.LambdaFunction, "_invoke_lambda", invoke_lambda),
                mock.patch.object(lambda_models.LambdaFunction, "invoke", invoke),
                mock.patch.object(lambda_models.LambdaBackend, "create_event_source_mapping", create_mapping),
                mock.patch.object(clock, "advance", advance)]
