"""API Gateway toolkit: a REST API whose ``POST /orders`` validates and queues the order.

Modules
-------
orders_api   ``create_orders_api`` (model from a course JSON Schema, request validator,
             direct SQS integration, stage), ``post`` (invoke a stage), ``ApiResponse``

Example
-------
>>> from helpers.apigateway import draft4
>>> draft4({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"})
{'type': 'object', '$schema': 'http://json-schema.org/draft-04/schema#'}
"""

from __future__ import annotations

from .orders_api import ApiResponse, OrdersApi, create_orders_api, draft4, post

__all__ = ["create_orders_api", "post", "ApiResponse", "OrdersApi", "draft4"]
