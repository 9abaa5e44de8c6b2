"""API Gateway (REST) behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real service does it. A request reaches a
deployed stage through :meth:`ApiGatewayStandIns.invoke` (helpers.apigateway.post calls it):
moto has no HTTP endpoint for ``execute-api`` on the server backend, and none for SQS
integrations at all.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
an ``AWS`` integration with            400 "Integration for service    ``SendMessage`` to the queue named
``arn:aws:apigateway:<region>:sqs:     sqs / path is not yet           in the URI with the request body;
path/<account>/<queue>`` sends the     supported"                      200 with SQS's
request to the queue                                                   ``SendMessageResponse``
a request validator with               stored, not applied: any body   the body is checked against the
``validateRequestBody`` checks the     reaches the integration         method's model (JSON Schema
body against the method's model;                                       draft 4); a mismatch is 400
a mismatch is 400 ``{"message":                                        ``{"message": "Invalid request
"Invalid request body"}`` and the                                      body"}`` and nothing is queued
integration is not called
=====================================  ==============================  ==================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["apigateway"].names()
['SQS integration invoked', 'request body validation']
>>> _ = env.teardown()
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import requests
from moto.sqs.models import sqs_backends

from .._base import _Patches
from .._lazy import LazyPatch, factory
from ..sqs import EMULATED

__all__ = ["ApiGatewayStandIns", "INVALID_BODY"]

#: AWS's response body when a request validator rejects the body (gateway response BAD_REQUEST_BODY).
INVALID_BODY = {"message": "Invalid request body"}


class ApiGatewayStandIns(_Patches):
    """Installs and removes the API Gateway stand-ins; ``invoke`` is the course's stage endpoint."""

    SERVICE = "apigateway"
    NAMES = ("SQS integration invoked", "request body validation")

    def invoke(self, api_id: str, stage: str, method: str, path: str, body: str) -> tuple[int, str]:
        """Send one request to a deployed stage (status, body), as its invoke URL would."""
        from moto.apigateway import models as apigw_models

        backend = apigw_models.apigateway_backends[self.env.account][self.env.region]
        api = backend.get_rest_api(api_id)
        if stage not in api.stages:
            return 403, json.dumps({"message": "Forbidden"})
        resource = api.get_resource_for_path(path)
        if resource is None or method not in resource.resource_methods:
            return 403, json.dumps({"message": "Missing Authentication Token"})
        request = requests.Request(method, f"https://{api_id}.execute-api.{self.env.region}"
                                   f".amazonaws.com/{stage}{path}", data=body,
                                   headers={"Content-Type": "application/json"}).prepare()
        return resource.get_response(request)

    def _patches(self) -> list[Any]:
        """Patches of moto's API Gateway resource responses."""
        log = self.env.log
        orig: dict[str, Any] = {}

        def rejects(resource: Any, method: Any, body: Any) -> str | None:
            import jsonschema
            from moto.apigateway import models as apigw_models

            backend = apigw_models.apigateway_backends[resource.account_id][resource.region_name]
            api = backend.get_rest_api(resource.api_id)
            validator = api.request_validators.get(method.request_validator_id or "")
            if validator is None or not validator.validate_request_body or not method.request_models:
                return None
            name = method.request_models.get("application/json")
            model = next((m for m in api.models.values() if m.name == name), None)
            if model is None:
                return None
            try:
                jsonschema.Draft4Validator(json.loads(model.schema)).validate(json.loads(body or ""))
            except (ValueError, jsonschema.ValidationError) as err:
                return getattr(err, "message", str(err))
            return None

        def get_response(resource: Any, request: Any) -> tuple[int, Any]:
            method = resource.resource_methods.get(str(request.method))
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            path = resource.get_path()
            if method is not None:
                reason = rejects(resource, method, body)
                if reason is not None:
                    log.record(service="apigateway", action="reject", resource=path, outcome=EMULATED,
                               detail=f"400 Invalid request body: {reason[:100]}")
                    return 400, json.dumps(INVALID_BODY)
            integration = resource.get_integration(str(request.method))
            uri = getattr(integration, "uri", "") or ""
            if getattr(integration, "integration_type", "") == "AWS" and ":sqs:path/" in uri:
                account, queue = uri.split(":sqs:path/", 1)[1].split("/", 1)
                region = uri.split(":")[3]
                message = sqs_backends[account][region].send_message(queue, body or "")
                log.record(service="apigateway", action="integration", resource=path,
                           message_id=message.id, outcome=EMULATED, detail=f"sqs SendMessage {queue}")
                return 200, json.dumps({"SendMessageResponse": {
                    "ResponseMetadata": {"RequestId": hashlib.md5(message.id.encode()).hexdigest()},
                    "SendMessageResult": {"MD5OfMessageBody": message.body_md5, "MessageId": message.id}}})
            return orig["get_response"](resource, request)

        def make(owner: Any) -> Any:
            orig["get_response"] = owner.get_response
            return get_response

        # moto's API Gateway takes seconds to import: patched when moto first loads it
        return [LazyPatch("moto.apigateway.models", "Resource.get_response", factory(make))]
