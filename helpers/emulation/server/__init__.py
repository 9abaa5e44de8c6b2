"""The ``server`` backend answers every failure as AWS does: an error document, never HTML.

moto's HTTP server runs Flask in debug mode: an operation moto lacks (``NotImplementedError``)
or a bug in a handler comes back as an HTML page with a Python traceback and status 500,
which botocore cannot parse (and retries, as a 500). AWS answers every error with its error
document: JSON (``{"__type": ..., "message": ...}``) for the JSON protocols, XML
(``<ErrorResponse><Error>...``) for the query protocol.

======================================  ==========================  ==================================
AWS behaviour                           moto's server alone         stand-in
======================================  ==========================  ==================================
an unknown or unsupported operation is  HTML 500 with a traceback   ``InvalidAction`` (400), AWS's
refused with an error document                                      JSON or XML, naming the operation
an internal failure is an error         HTML 500 with a traceback   ``InternalFailure`` (500), AWS's
document                                                            JSON or XML (the traceback: debug log)
======================================  ==========================  ==================================

Example
-------
>>> status, body = error_document({"CONTENT_TYPE": "application/x-amz-json-1.0"},
...                               NotImplementedError("GetActivityTask"))
>>> status, json.loads(body)["__type"]
('400 Bad Request', 'InvalidAction')
"""

from __future__ import annotations

import json
import logging
from typing import Any
from unittest import mock
from xml.sax.saxutils import escape

from .._base import _Patches
from ..sqs import EMULATED

__all__ = ["ServerStandIns", "error_document"]

_LOG = logging.getLogger(__name__)


def error_document(environ: dict[str, Any], error: BaseException) -> tuple[str, bytes]:
    """The HTTP status and AWS error document for ``error`` raised while serving ``environ``."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target.rsplit(".", 1)[-1] or "this operation"
    if isinstance(error, NotImplementedError):
        status, code = "400 Bad Request", "InvalidAction"
        message = (f"The action {operation} is not valid for this endpoint: moto does not "
                   f"implement it ({EMULATED}).")
    else:
        status, code = "500 Internal Server Error", "InternalFailure"
        message = (f"The request processing has failed because of an unknown error "
                   f"({EMULATED}: {type(error).__name__} in moto's handler).")
    if "json" in environ.get("CONTENT_TYPE", "") or target:
        return status, json.dumps({"__type": code, "message": message}).encode()
    xml = (f"<ErrorResponse><Error><Type>{'Sender' if status[0] == '4' else 'Receiver'}</Type>"
           f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
           "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>")
    return status, xml.encode()


class ServerStandIns(_Patches):
    """Error documents instead of HTML pages from moto's server (``server`` backend only)."""

    SERVICE = "server"
    NAMES = ("AWS error documents, never an HTML 500",)

    def _patches(self) -> list[Any]:
        if self.env.backend != "server":
            return []
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
        original = DomainDispatcherApplication.__call__

        def dispatch(app: Any, environ: dict[str, Any], start_response: Any) -> Any:
            try:
                return original(app, environ, start_response)
            except Exception as error:  # noqa: BLE001 - every failure becomes AWS's document
                _LOG.debug("moto's server failed on %s", environ.get("PATH_INFO"), exc_info=True)
                status, body = error_document(environ, error)
                kind = "application/x-amz-json-1.0" if body.startswith(b"{") else "text/xml"
                start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
                return [body]

        return [mock.patch.object(DomainDispatcherApplication, "__call__", dispatch)]
