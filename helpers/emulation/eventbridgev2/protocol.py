"""The smithy-rpc-v2-cbor wire protocol of ``eventbridgev2``, answered inside moto.

botocore sends every call as ``POST /service/AWSEventsV2/operation/<Operation>`` with a CBOR
body (``smithy-protocol: rpc-v2-cbor``). :func:`is_ours` recognises such a request by its path,
on any host: ``https://eventsv2.<region>.amazonaws.com`` in-process (moto's
``BotocoreStubber``) or the ``ThreadedMotoServer`` endpoint (moto's WSGI dispatcher).
:func:`answer` decodes the body with ``cbor2``, runs the operation and encodes the answer or the
error (``__type`` and ``Message``, with the status the model gives the error).

Example
-------
>>> is_ours("https://eventsv2.us-east-1.amazonaws.com/service/AWSEventsV2/operation/ListEventBuses")
'ListEventBuses'
>>> status, headers, body = error_response(ServiceError("InvalidInputException", "bad"))
>>> status, cbor2.loads(body)["__type"]
(400, 'InvalidInputException')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import cbor2

from .validation import ServiceError

__all__ = ["PATH", "is_ours", "answer", "error_response", "credentials"]

#: The request path of every operation (``targetPrefix`` of the model is ``AWSEventsV2``).
PATH = re.compile(r"^(?:https?://[^/]+)?/service/AWSEventsV2/operation/([A-Za-z]+)$")
_HEADERS = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/")


def is_ours(url_or_path: str) -> str | None:
    """The operation name when the request is an ``eventbridgev2`` call, else ``None``."""
    match = PATH.match(url_or_path.split("?", 1)[0])
    return match.group(1) if match else None


def credentials(authorization: str | None) -> tuple[str | None, str | None]:
    """``(access key, region)`` from a SigV4 ``Authorization`` header."""
    match = _CREDENTIAL.search(authorization or "")
    return (match.group(1), match.group(2)) if match else (None, None)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def error_response(error: ServiceError) -> tuple[int, dict[str, str], bytes]:
    """An error as the service answers it."""
    body = cbor2.dumps({"__type": error.code, "Message": error.message})
    return error.status, dict(_HEADERS), body


def answer(operation: str, body: bytes | None,
           run: Callable[[str, dict[str, Any]], dict[str, Any]]) -> tuple[int, dict[str, str], bytes]:
    """Decode ``body``, ``run(operation, params)``, encode the result (or the error)."""
    try:
        params = cbor2.loads(body) if body else {}
        if not isinstance(params, dict):
            raise ServiceError("InvalidInputException", "The request body is not a CBOR map.")
        result = run(operation, params)
    except ServiceError as error:
        return error_response(error)
    except cbor2.CBORDecodeError as error:
        return error_response(ServiceError("InvalidInputException", f"The request body is not valid CBOR: {error}"))
    return 200, dict(_HEADERS), cbor2.dumps(_plain(result), datetime_as_timestamp=True)
