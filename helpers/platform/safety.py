"""The local backends never leave this machine.

While a ``moto`` or in-process ``server`` environment is open, :class:`LoopbackGuard` refuses
every connection, datagram and name lookup that could leave the machine, whatever AWS keys,
profile, endpoint variables or proxies the user's shell has.

How: one Python audit hook (:func:`sys.addaudithook`), installed once per process when this
module is imported. CPython raises the ``socket.*`` audit events in C, inside the socket
module itself, before any packet or query: ``socket.connect`` (``connect`` and
``connect_ex``), ``socket.sendto``, ``socket.sendmsg``, ``socket.getaddrinfo``,
``socket.gethostbyname`` (also ``gethostbyname_ex``), ``socket.gethostbyaddr`` (so
``getfqdn`` and ``email.utils.make_msgid``) and ``socket.getnameinfo``. So nothing that goes
through Python's socket module gets around it: not ``_socket.socket().connect``, not
``socket.socket.__mro__[1].connect``, not an ``ftp://`` URL, not UDP ``sendmsg``. An audit
hook cannot be removed: it consults the guard that is active now and does nothing when none
is.

The rule while a guard is active:

============================  =================================================================
destination                   verdict
============================  =================================================================
outside loopback              refused (``NetworkBlockedError``), recorded in ``guard.blocked``
a name lookup                 refused unless the name is ``localhost`` (or a loopback address)
loopback, a port of a socket  allowed: a server this process started (the course's own moto
bound in this process         server, a test webhook)
loopback, a port the guard    allowed: the course's server, an endpoint the student named
was told (:meth:`allow`)      (``env.allow_endpoint(url)``)
any other loopback port       refused: another program's port may be a proxy to the internet
raw packet sockets            refused (``AF_PACKET``, ``SOCK_RAW``)
Unix sockets                  allowed (they do not leave the machine)
============================  =================================================================

What it cannot see: a program that is not Python (``!curl ...``, a Node process), and C code
that calls the operating system directly (``ctypes``, a C extension's own sockets). Child
processes get an environment that points AWS SDKs and the CLI at the local backend (see
:mod:`helpers.environment`), but the guard itself lives in this process only.

Example
-------
>>> guard = LoopbackGuard(); guard.start()
>>> import socket
>>> try:
...     socket.create_connection(("203.0.113.7", 443), timeout=1)
... except Exception as err:
...     type(err).__name__
'NetworkBlockedError'
>>> try:
...     socket.gethostbyname("example.com")
... except Exception as err:
...     type(err).__name__
'NetworkBlockedError'
>>> guard.stop()
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import weakref
from typing import Any, ClassVar

from .errors import NetworkBlockedError

__all__ = ["LoopbackGuard", "is_loopback", "GUARDED_EVENTS"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}

#: The audit events the guard judges (every other event passes untouched).
GUARDED_EVENTS = frozenset({
    "socket.__new__", "socket.bind", "socket.connect", "socket.sendto", "socket.sendmsg",
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
})

_AF_UNIX = getattr(socket, "AF_UNIX", None)
_AF_PACKET = getattr(socket, "AF_PACKET", None)


def is_loopback(host: Any) -> bool:
    """True for loopback addresses (127.0.0.0/8, ::1) and the name ``localhost``.

    Example
    -------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("203.0.113.7")
    (True, True, False)
    """
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode(errors="replace")
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
        "machine; only loopback (127.0.0.1, ::1) is allowed, and no name is looked up. To use "
        "a real AWS account, connect with helpers.connect(backend='aws'); for a classroom "
        "server set SECURECART_ENDPOINT_URL and use backend='server'."
    )


def _blocked_port(address: Any) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"Blocked a connection to {address!r}: while the local backend is open, loopback "
        "traffic may go only to the course's own server, to a server this kernel started, "
        "and to an endpoint you named; a port another program listens on may be a proxy "
        "that relays to the internet. Fix: start the server from this notebook, or name it "
        "with env.allow_endpoint('http://127.0.0.1:<port>')."
    )


class LoopbackGuard:
    """Refuses traffic that could leave the machine while started (process-wide).

    Only one guard is active at a time; starting one makes it the active one.

    Attributes
    ----------
    blocked : list
        Every address or name refused while this guard was active.

    Example
    -------
    >>> g = LoopbackGuard(); g.start(); g.active
    True
    >>> g.stop(); g.active
    False
    """

    #: The guard the process-wide audit hook consults (None: the hook does nothing).
    _current: ClassVar[LoopbackGuard | None] = None
    #: Sockets bound in this process since the hook was installed (servers it started).
    _bound: ClassVar[weakref.WeakSet[Any]] = weakref.WeakSet()
    _installed: ClassVar[bool] = False
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self.blocked: list[Any] = []
        self.allowed_ports: set[int] = set()
        self._started = False

    @property
    def active(self) -> bool:
        """True while this guard is the one in force."""
        return self._started and LoopbackGuard._current is self

    def allow(self, port: int) -> None:
        """Let loopback traffic reach ``port`` (the course's server, a named endpoint)."""
        self.allowed_ports.add(int(port))

    def start(self) -> None:
        """Make this guard the active one (idempotent)."""
        LoopbackGuard.install()
        self._started = True
        LoopbackGuard._current = self

    def stop(self) -> None:
        """Stand this guard down (idempotent); the audit hook stays, doing nothing."""
        self._started = False
        if LoopbackGuard._current is self:
            LoopbackGuard._current = None

    # -- the hook -----------------------------------------------------------------------
    @classmethod
    def install(cls) -> None:
        """Add the process-wide audit hook once (audit hooks cannot be removed)."""
        with cls._lock:
            marker = "_securecart_audit_hook"
            if cls._installed or getattr(sys, marker, False):
                cls._installed = True
                return
            sys.addaudithook(_audit)
            setattr(sys, marker, True)
            cls._installed = True

    def _refuse(self, target: Any, error: NetworkBlockedError) -> None:
        self.blocked.append(target)
        raise error

    def _loopback_port_allowed(self, port: Any) -> bool:
        if not isinstance(port, int) or port in self.allowed_ports:
            return True
        for sock in list(LoopbackGuard._bound):
            try:
                if sock.fileno() != -1 and sock.getsockname()[1] == port:
                    return True
            except (OSError, IndexError, TypeError):
                continue
        return False

    def _check_address(self, sock: Any, address: Any) -> None:
        family = getattr(sock, "family", None)
        if family == _AF_UNIX or address is None:
            return
        if isinstance(address, tuple) and address:
            host = address[0]
            port = address[1] if len(address) > 1 else None
        else:
            host, port = address, None
        if not is_loopback(host):
            self._refuse(address, _blocked(address))
        if not self._loopback_port_allowed(port):
            self._refuse(address, _blocked_port(address))

    def judge(self, event: str, args: tuple[Any, ...]) -> None:
        """Raise :class:`NetworkBlockedError` when ``event`` could leave the machine."""
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            self._check_address(args[0], args[1])
        elif event == "socket.getaddrinfo":
            host = args[0]
            if host is not None and not is_loopback(host):
                self._refuse(host, _blocked(host))
        elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
            if not is_loopback(args[0]):
                self._refuse(args[0], _blocked(args[0]))
        elif event == "socket.getnameinfo":
            sockaddr = args[0]
            host = sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr
            if not is_loopback(host):
                self._refuse(sockaddr, _blocked(sockaddr))
        elif event == "socket.__new__":
            family, kind = (args[1], args[2]) if len(args) >= 3 else (None, None)
            raw = isinstance(kind, int) and (kind & 0xF) == socket.SOCK_RAW
            if raw or (_AF_PACKET is not None and family == _AF_PACKET):
                self._refuse(f"raw socket (family {family}, type {kind})",
                             _blocked(f"a raw packet socket (family {family})"))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """The process-wide audit hook: cheap for every event that is not a guarded socket one."""
    if not event.startswith("socket.") or event not in GUARDED_EVENTS:
        return
    if event == "socket.bind":
        try:
            LoopbackGuard._bound.add(args[0])
        except TypeError:  # an object without weak references
            pass
        return
    guard = LoopbackGuard._current
    if guard is not None:
        guard.judge(event, args)


LoopbackGuard.install()
