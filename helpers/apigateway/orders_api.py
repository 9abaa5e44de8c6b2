"""``POST /orders``: a REST API that validates an order against OrderPlaced and queues it.

Example
-------
>>> import helpers, json
>>> from helpers.apigateway import create_orders_api, post
>>> env = helpers.connect(quiet=True)
>>> queue = helpers.sqs.create_queue(env, "api-orders", dlq=False)
>>> api = create_orders_api(env, queue)
>>> post(env, api, {"order_id": "oops"}).status
400
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests

from ..data import load_schema
from ..platform.errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["create_orders_api", "post", "ApiResponse", "OrdersApi", "draft4", "STAGE"]

#: The stage the course deploys.
STAGE = "prod"


def draft4(schema: dict) -> dict:
    """A course schema as the JSON Schema draft 4 that API Gateway models use."""
    out = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    out["$schema"] = "http://json-schema.org/draft-04/schema#"
    return out


@dataclass
class OrdersApi:
    """The REST API's id, stage, invoke URL and the queue behind it."""

    api_id: str
    stage: str
    url: str
    queue_url: str


@dataclass
class ApiResponse:
    """A response of the API: status code and JSON body."""

    status: int
    body: dict

    def __repr__(self) -> str:
        return f"{self.status} {json.dumps(self.body)}"


def create_orders_api(env: Environment, queue: Any, *, name: str = "orders-api") -> OrdersApi:
    """REST API with ``POST /orders`` -> the queue (AWS integration, ``SendMessage``), the
    request body validated against OrderPlaced; deployed to stage ``prod``."""
    if not all(isinstance(getattr(queue, attr, None), str) for attr in ("name", "url")):
        raise InvalidParameterError(
            f"queue={queue!r}: the API sends to an SQS queue and needs its name and URL. Fix: "
            "pass the queue helpers.sqs.create_queue(env, ...) returned.")
    with env.resources.undone_on_error(env.client):  # nothing half-created if a call fails
        return _create_orders_api(env, queue, name)


def _create_orders_api(env: Environment, queue: Any, name: str) -> OrdersApi:
    gw = env.client("apigateway")
    api = gw.create_rest_api(name=env.name(name), endpointConfiguration={"types": ["REGIONAL"]})
    api_id = api["id"]
    root = next(r["id"] for r in gw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    orders = gw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    gw.create_model(restApiId=api_id, name="OrderPlaced", contentType="application/json",
                    schema=json.dumps(draft4(load_schema("OrderPlaced"))))
    validator = gw.create_request_validator(restApiId=api_id, name="body",
                                            validateRequestBody=True)["id"]
    gw.put_method(restApiId=api_id, resourceId=orders, httpMethod="POST", authorizationType="NONE",
                  requestValidatorId=validator, requestModels={"application/json": "OrderPlaced"})
    role = f"arn:aws:iam::{env.account or '123456789012'}:role/{env.name('apigw-sqs')}"
    gw.put_integration(
        restApiId=api_id, resourceId=orders, httpMethod="POST", type="AWS", integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{env.region}:sqs:path/{env.account}/{queue.name}", credentials=role,
        requestParameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        requestTemplates={"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"})
    gw.put_method_response(restApiId=api_id, resourceId=orders, httpMethod="POST", statusCode="200")
    gw.put_integration_response(restApiId=api_id, resourceId=orders, httpMethod="POST",
                                statusCode="200", selectionPattern="")
    gw.create_deployment(restApiId=api_id, stageName=STAGE)
    url = f"https://{api_id}.execute-api.{env.region}.amazonaws.com/{STAGE}"
    return OrdersApi(api_id, STAGE, url, queue.url)


def post(env: Environment, api: OrdersApi, order: Any, *, path: str = "/orders") -> ApiResponse:
    """``POST`` ``order`` (a dict, or raw text for a malformed request) to the API's stage.

    On the local backends the request goes through the course's stand-in (emulated on moto);
    on ``aws`` to the real invoke URL.
    """
    body = order if isinstance(order, str) else json.dumps(order)
    if env.local:
        status, text = env.emulation["apigateway"].invoke(api.api_id, api.stage, "POST", path, body)
    elif env.backend == "aws":
        answer = requests.post(api.url + path, data=body, timeout=10,
                               headers={"Content-Type": "application/json"})
        status, text = answer.status_code, answer.text
    else:
        raise InvalidParameterError("post() needs the moto/server backends (stand-in) or aws; an "
                                    "external endpoint has no execute-api. Fix: use backend='moto'.")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = {"raw": text}
    return ApiResponse(status, parsed)
