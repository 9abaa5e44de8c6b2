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

The guard judges the destination the socket layer will really use, not what the caller's
objects say about themselves: a port is normalised as C does (any ``__index__``: a
``numpy.int64`` port is the port it stands for), a ``str`` subclass host is copied to a plain
``str`` (its own methods are never called), and a socket's family is read from the C socket
(a subclass cannot report another). Deliberate tampering with the guard's own objects
(replacing :class:`LoopbackGuard`'s methods, clearing ``LoopbackGuard._current``) is out of
scope: the guard protects against accidents and against libraries that try to phone home,
not against code that sets out to disable it.

The rule while a guard is active:

============================  =================================================================
destination                   verdict
============================  =================================================================
outside loopback              refused (``NetworkBlockedError``), recorded in ``guard.blocked``
a name lookup                 refused unless this machine resolves the name without DNS to
                              a loopback address (``/etc/hosts``: usually only ``localhost``),
                              or the name is a loopback address
loopback, a course server     allowed: the course's moto server, the course's webhook
(:func:`course_server`)       receivers (:class:`helpers.sns.webhook.Webhook`)
loopback, a port the guard    allowed: an endpoint the student named
was told (:meth:`allow`)      (``env.allow_endpoint(url)``)
any other loopback port       refused, even one a socket of this kernel bound: another
                              program's port may be a proxy to the internet
a socket connected before     shut down when the guard starts (so a ``socket.fromfd``
the guard started             duplicate is dead too), unless it is connected to an allowed
                              loopback port; recorded in ``guard.blocked``
raw packet sockets            refused (``AF_PACKET``, ``SOCK_RAW``)
Unix sockets                  allowed (they do not leave the machine)
other families (vsock, ...)   refused on connect and send
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

import _socket
import gc
import ipaddress
import operator
import socket
import sys
import threading
import weakref
from pathlib import Path
from typing import Any, ClassVar

from .errors import NetworkBlockedError

__all__ = ["LoopbackGuard", "is_loopback", "course_server", "loopback_names",
           "GUARDED_EVENTS", "HOSTS_FILE"]

#: Where this machine's resolver finds names without DNS (``nsswitch``'s ``files``).
HOSTS_FILE = Path("/etc/hosts")

#: The audit events the guard judges (every other event passes untouched).
GUARDED_EVENTS = frozenset({
    "socket.__new__", "socket.bind", "socket.connect", "socket.sendto", "socket.sendmsg",
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
})

_AF_UNIX = getattr(socket, "AF_UNIX", None)
_AF_PACKET = getattr(socket, "AF_PACKET", None)
_AF_INET = (socket.AF_INET, socket.AF_INET6)
#: The C-level fields: what the socket layer uses, whatever a subclass's properties say.
_C_FAMILY = _socket.socket.family.__get__
_C_FILENO = _socket.socket.fileno


def loopback_names(hosts_file: Path | None = None) -> frozenset[str]:
    """The names this machine resolves to a loopback address without DNS (its hosts file).

    Example
    -------
    >>> "localhost" in loopback_names()
    True
    """
    names = {""}  # connect(("", port)) is INADDR_ANY: this machine
    try:
        lines = (hosts_file or HOSTS_FILE).read_text(errors="replace").splitlines()
    except OSError:
        return frozenset(names)
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and _is_loopback_address(fields[0]):
            names.update(name.lower() for name in fields[1:])
    return frozenset(names)


def _is_loopback_address(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return False


def _plain(host: Any) -> str | None:
    """The text the socket layer will read from ``host`` (never calling its own methods)."""
    if isinstance(host, str):
        return str.__str__(host)  # a str subclass: an exact copy of its characters
    if isinstance(host, bytes | bytearray):
        return bytes(memoryview(host)).decode(errors="replace")
    return None


def is_loopback(host: Any, names: frozenset[str] | None = None) -> bool:
    """True for loopback addresses (127.0.0.0/8, ::1) and names the hosts file maps to them.

    Example
    -------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("203.0.113.7")
    (True, True, False)
    """
    text = _plain(host)
    if text is None:
        return False
    if text.lower() in (names if names is not None else loopback_names()):
        return True
    return _is_loopback_address(text)


def _port(value: Any) -> int | None:
    """The port C will use: any ``__index__`` (``numpy.int64``, ``True``...), else None."""
    try:
        return operator.index(value)
    except TypeError:
        return None


def course_server(sock: Any) -> None:
    """Register a listening socket the course itself opened (its port stays reachable).

    Only the course's own servers call this (the moto server, :class:`Webhook`); a student's
    own server is named with ``env.allow_endpoint(url)``.
    """
    try:
        LoopbackGuard._course_servers.add(sock)
    except TypeError:  # an object without weak references
        return


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
        "traffic may go only to the course's own servers and to an endpoint you named; a "
        "port another program listens on may be a proxy that relays to the internet (a "
        "socket of this kernel bound to that port does not make it yours). Fix: name it "
        "with env.allow_endpoint('http://127.0.0.1:<port>')."
    )


def _blocked_family(family: Any) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"Blocked a socket of address family {family!r}: while the local backend is open "
        "only loopback IP (127.0.0.1, ::1) and Unix sockets are allowed. To use a real AWS "
        "account, connect with helpers.connect(backend='aws')."
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
    #: Listening sockets the course opened (:func:`course_server`).
    _course_servers: ClassVar[weakref.WeakSet[Any]] = weakref.WeakSet()
    #: Every socket this process made since the hook was installed (and those it found then).
    _sockets: ClassVar[weakref.WeakSet[Any]] = weakref.WeakSet()
    _installed: ClassVar[bool] = False
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self.blocked: list[Any] = []
        self.allowed_ports: set[int] = set()
        self.names: frozenset[str] = loopback_names()
        self._started = False

    @property
    def active(self) -> bool:
        """True while this guard is the one in force."""
        return self._started and LoopbackGuard._current is self

    def allow(self, port: int) -> None:
        """Let loopback traffic reach ``port`` (a named endpoint)."""
        self.allowed_ports.add(operator.index(port))

    def start(self) -> None:
        """Make this guard the active one (idempotent); cut connections made before it."""
        LoopbackGuard.install()
        self.names = loopback_names()
        self._started = True
        LoopbackGuard._current = self
        self._cut_earlier_connections()

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
            # Sockets made before the hook (before `import helpers`): found once, so that a
            # connection opened then is cut when a guard starts.
            for obj in gc.get_objects():
                if isinstance(obj, _socket.socket):
                    _remember(obj)
            sys.addaudithook(_audit)
            setattr(sys, marker, True)
            cls._installed = True

    def _cut_earlier_connections(self) -> None:
        """Shut down IP connections opened before this guard to a destination it refuses.

        ``send`` raises no audit event, so an earlier connection (and any ``fromfd``
        duplicate: shutdown acts on the connection, not the descriptor) is ended here.
        """
        for sock in list(LoopbackGuard._sockets):
            try:
                if _C_FILENO(sock) == -1 or _C_FAMILY(sock) not in _AF_INET:
                    continue
                peer = sock.getpeername()
            except (OSError, TypeError, ValueError):
                continue  # closed, or not connected
            if is_loopback(peer[0], self.names) and self._loopback_port_allowed(peer[1]):
                continue
            try:
                _socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                continue
            self.blocked.append(("connected before connect()", peer[0], peer[1]))

    def _refuse(self, target: Any, error: NetworkBlockedError) -> None:
        self.blocked.append(target)
        raise error

    def _loopback_port_allowed(self, port: int | None) -> bool:
        if port is None or port in self.allowed_ports:
            return True
        for sock in list(LoopbackGuard._course_servers):
            try:
                if _C_FILENO(sock) != -1 and sock.getsockname()[1] == port:
                    return True
            except (OSError, IndexError, TypeError):
                continue
        return False

    def _check_address(self, sock: Any, address: Any) -> None:
        try:
            family = _C_FAMILY(sock)
        except TypeError:
            family = None
        if address is None or family == _AF_UNIX:
            return
        if family not in _AF_INET:
            self._refuse((family, address), _blocked_family(family))
        if not isinstance(address, tuple) or len(address) < 2:
            self._refuse(address, _blocked(address))  # C would refuse it too
        host, port = _plain(address[0]), _port(address[1])
        plain = (host, port, *address[2:])
        if host is None or not is_loopback(host, self.names):
            self._refuse(plain, _blocked(plain))
        if port is None or not self._loopback_port_allowed(port):
            self._refuse(plain, _blocked_port(plain))

    def _check_name(self, host: Any) -> None:
        if host is not None and not is_loopback(host, self.names):
            plain = _plain(host)
            self._refuse(plain if plain is not None else host,
                         _blocked(plain if plain is not None else host))

    def judge(self, event: str, args: tuple[Any, ...]) -> None:
        """Raise :class:`NetworkBlockedError` when ``event`` could leave the machine."""
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            self._check_address(args[0], args[1])
        elif event == "socket.getaddrinfo":
            self._check_name(args[0])
        elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
            if args[0] is None:
                self._refuse(args[0], _blocked(args[0]))
            self._check_name(args[0])
        elif event == "socket.getnameinfo":
            sockaddr = args[0]
            host = sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr
            if not is_loopback(host, self.names):
                self._refuse(sockaddr, _blocked(sockaddr))
        elif event == "socket.__new__":
            family, kind = (args[1], args[2]) if len(args) >= 3 else (None, None)
            kind_int = _port(kind)
            raw = kind_int is not None and (kind_int & 0xF) == socket.SOCK_RAW
            if raw or (_AF_PACKET is not None and _port(family) == _AF_PACKET):
                self._refuse(f"raw socket (family {family}, type {kind})",
                             _blocked(f"a raw packet socket (family {family})"))


def _remember(sock: Any) -> None:
    try:
        LoopbackGuard._sockets.add(sock)
    except TypeError:  # a bare _socket.socket has no weak references
        pass


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """The process-wide audit hook: cheap for every event that is not a guarded socket one."""
    if not event.startswith("socket.") or event not in GUARDED_EVENTS:
        return
    if event in ("socket.__new__", "socket.bind", "socket.connect") and args:
        _remember(args[0])
    guard = LoopbackGuard._current
    if guard is not None and event != "socket.bind":
        guard.judge(event, args)


LoopbackGuard.install()
