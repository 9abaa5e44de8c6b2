"""A webhook on this machine: an HTTP(S) subscriber the notebook can break and fix.

:class:`Webhook` starts a small HTTP server on ``127.0.0.1`` (a free port) in a background
thread. It answers every POST with :attr:`Webhook.status` (``200``, or ``503`` while
"broken"), records what it received, and can confirm its SNS subscription with the token
SNS sent (the HTTP(S) confirmation handshake). It works on every backend, but SNS on AWS
cannot reach this machine: use it with ``moto`` / ``server``.

Example
-------
>>> hook = Webhook(); hook.url.startswith("http://127.0.0.1:")
True
>>> import requests
>>> requests.post(hook.url, data=b'{"Type": "Notification"}').status_code
200
>>> hook.status = 503; requests.post(hook.url, data=b"{}").status_code
503
>>> len(hook.received), hook.notifications()
(2, [{'Type': 'Notification'}])
>>> hook.close()
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ..platform.errors import NotReadyError
from ..platform.safety import course_server

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["Webhook"]


class Webhook:
    """A loopback HTTP endpoint that records SNS's POSTs (see the module docstring).

    Attributes
    ----------
    status
        The HTTP status every POST gets (set 503 to make SNS retry, 200 to fix it).
    received
        ``(status answered, parsed JSON body, message type header)`` per POST, in order.
    """

    def __init__(self, status: int = 200, path: str = "/sns") -> None:
        self.status = status
        self.received: list[tuple[int, Any, str]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode()
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                code = hook.status
                hook.received.append((code, body, self.headers.get("x-amz-sns-message-type", "")))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        course_server(self._server.socket)  # the local backend's guard lets SNS reach it
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def notifications(self) -> list[Any]:
        """Bodies of the notifications answered with 2xx (what the service really processed)."""
        return [body for code, body, kind in self.received
                if 200 <= code < 300 and (kind == "Notification" or
                                          (isinstance(body, dict) and body.get("Type") == "Notification"))]

    def confirm(self, env: Environment) -> str:
        """Confirm the subscription with the token SNS sent (``ConfirmSubscription``)."""
        for _, body, _ in reversed(self.received):
            if isinstance(body, dict) and body.get("Type") == "SubscriptionConfirmation":
                return env.client("sns").confirm_subscription(
                    TopicArn=body["TopicArn"], Token=body["Token"])["SubscriptionArn"]
        raise NotReadyError("The webhook has received no SubscriptionConfirmation yet: subscribe "
                            "it to a topic first (helpers.sns.subscribe_http).")

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()

    def __repr__(self) -> str:
        return f"Webhook(answering {self.status}, {len(self.received)} requests received)"
