"""The local backends never leave this machine.

While a ``moto`` or in-process ``server`` environment is open, :class:`LoopbackGuard` refuses
every socket connection, UDP datagram and name lookup outside loopback, whatever AWS keys, profile,
endpoint variables or proxies the user's shell has. moto itself intercepts boto3's requests,
but SNS http(s) subscriptions and plain HTTP libraries would otherwise reach the network.

Example
-------
>>> guard = LoopbackGuard(); guard.start()
>>> import socket
>>> try:
...     socket.create_connection(("203.0.113.7", 443), timeout=1)
... except Exception as err:
...     type(err).__name__
'NetworkBlockedError'
>>> guard.stop()
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from .errors import NetworkBlockedError

__all__ = ["LoopbackGuard", "is_loopback"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def is_loopback(host: Any) -> bool:
    """True for loopback addresses (127.0.0.0/8, ::1) and the name ``localhost``."""
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _blocked(target: Any) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"Blocked a connection to {target!r}: the local backend (moto) never leaves this "
        "machine; only loopback (127.0.0.1, ::1) is allowed. To use a real AWS account, "
        "connect with helpers.connect(backend='aws'); for a classroom server set "
        "SECURECART_ENDPOINT_URL and use backend='server'."
    )


class LoopbackGuard:
    """Refuses non-loopback connects and lookups while started (process-wide).

    Example
    -------
    >>> g = LoopbackGuard(); g.start(); g.active
    True
    >>> g.stop(); g.active
    False
    """

    def __init__(self) -> None:
        self._saved: dict[str, Any] | None = None
        self.blocked: list[Any] = []

    @property
    def active(self) -> bool:
        """True while the guard is installed."""
        return self._saved is not None

    def _check(self, family: Any, address: Any) -> None:
        if family == getattr(socket, "AF_UNIX", object()):
            return
        host = address[0] if isinstance(address, tuple) else address
        if not is_loopback(host):
            self.blocked.append(address)
            raise _blocked(address)

    def start(self) -> None:
        """Install the guard (idempotent)."""
        if self._saved is not None:
            return
        guard = self
        saved = {
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
            "getaddrinfo": socket.getaddrinfo,
            "sendto": socket.socket.sendto,
        }

        def connect(sock: socket.socket, address: Any) -> Any:
            guard._check(sock.family, address)
            return saved["connect"](sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> Any:
            guard._check(sock.family, address)
            return saved["connect_ex"](sock, address)

        def sendto(sock: socket.socket, data: Any, *args: Any) -> Any:
            guard._check(sock.family, args[-1])  # UDP: the address is the last argument
            return saved["sendto"](sock, data, *args)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and not is_loopback(host):
                guard.blocked.append(host)
                raise _blocked(host)
            return saved["getaddrinfo"](host, *args, **kwargs)

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.socket.sendto = sendto  # type: ignore[method-assign]
        socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
        self._saved = saved

    def stop(self) -> None:
        """Remove the guard (idempotent)."""
        if self._saved is None:
            return
        socket.socket.connect = self._saved["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = self._saved["connect_ex"]  # type: ignore[method-assign]
        socket.socket.sendto = self._saved["sendto"]  # type: ignore[method-assign]
        socket.getaddrinfo = self._saved["getaddrinfo"]  # type: ignore[assignment]
        self._saved = None
