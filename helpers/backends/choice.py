"""Which backend :func:`helpers.connect` opens: its argument, else ``SECURECART_BACKEND``.

Example
-------
>>> resolve_backend("Server")
'server'
>>> resolve_backend("cloud")
Traceback (most recent call last):
...
helpers.platform.errors.UnknownBackendError: Unknown backend 'cloud' (from the backend argument): the course runs on one of moto, server, aws. Fix: use 'moto' (default, no AWS account), 'server' (moto over HTTP) or 'aws' (your own account, explicit opt-in).
"""

from __future__ import annotations

import os

from ..platform.errors import UnknownBackendError

__all__ = ["BACKENDS", "BACKEND_VARIABLE", "ENDPOINT_VARIABLE", "resolve_backend"]

#: The backends :func:`connect` accepts.
BACKENDS = ("moto", "server", "aws")
#: Environment variable that picks the backend when ``connect()`` is not told.
BACKEND_VARIABLE = "SECURECART_BACKEND"
#: Environment variable naming an external endpoint for the ``server`` backend.
ENDPOINT_VARIABLE = "SECURECART_ENDPOINT_URL"


def resolve_backend(backend: str | None) -> str:
    """``backend``, else the ``SECURECART_BACKEND`` variable, else ``"moto"``; checked."""
    chosen = backend if backend is not None else os.environ.get(BACKEND_VARIABLE, "")
    if not isinstance(chosen, str):
        raise UnknownBackendError(
            f"backend={backend!r} is a {type(backend).__name__}, not a backend name: the course "
            f"runs on one of {', '.join(BACKENDS)} (a string). Fix: connect() for moto, or "
            "connect('server') / connect('aws').")
    chosen = (chosen or "moto").strip().lower()
    if chosen not in BACKENDS:
        source = "backend argument" if backend is not None else f"{BACKEND_VARIABLE} variable"
        raise UnknownBackendError(
            f"Unknown backend {chosen!r} (from the {source}): the course runs on one of "
            f"{', '.join(BACKENDS)}. Fix: use 'moto' (default, no AWS account), 'server' "
            "(moto over HTTP) or 'aws' (your own account, explicit opt-in)."
        )
    return chosen
