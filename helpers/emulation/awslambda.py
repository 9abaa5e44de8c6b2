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
=====================================  ==============================  ==================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["lambda"].names()
['Lambda runs the registered Python handler']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from typing import Any
from unittest import mock

from moto.awslambda import models as lambda_models

from ._base import _Patches
from .sqs import EMULATED

__all__ = ["LambdaStandIns", "LambdaContext", "HandlerError"]


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
    NAMES = ("Lambda runs the registered Python handler",)

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.handlers: dict[str, Any] = {}
        self._requests = 0

    def register(self, function_name: str, handler: Any) -> None:
        """Run ``handler(event, context)`` whenever moto invokes ``function_name``."""
        self.handlers[function_name.rsplit(":", 1)[-1]] = handler

    def run(self, function_name: str, region: str, account: str, event: Any) -> Any:
        """Call the handler of ``function_name`` (its result; raises :class:`HandlerError`)."""
        name = function_name.rsplit(":function:", 1)[-1].split(":", 1)[0]
        handler = self.handlers.get(name)
        if handler is None:
            raise HandlerError("Runtime.HandlerNotFound", f"No Python handler is registered for "
                               f"{name} (emulated on moto: deploy it with a handler).",
                               {"errorType": "Runtime.HandlerNotFound"})
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

        return [mock.patch.object(lambda_models.LambdaFunction, "_invoke_lambda", invoke_lambda),
                mock.patch.object(lambda_models.LambdaFunction, "invoke", invoke)]
