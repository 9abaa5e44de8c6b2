"""Network probes a careless or curious student might run while the moto backend is open.

Used in-process by tests/platform/test_safety.py, and as a script (``python tests/network_probes.py``)
inside a network namespace (``unshare -rn``), where it prints one JSON object:
``{"outcomes": {probe: outcome}, "proxy_connections": n, ...}``.

Outcomes: ``refused`` (NetworkBlockedError raised, possibly wrapped by the library),
``refused-quietly`` (the library swallowed the refusal, e.g. ``getfqdn`` returns the name
it was given; the guard recorded it), ``escaped`` (anything else: the call reached the OS).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

#: The machine's sleep (an open local environment puts time.sleep on the simulated clock).
_real_sleep = time.sleep

PUBLIC_V4 = "203.0.113.7"  # TEST-NET-3: documentation addresses, never routed
PUBLIC_V6 = "2001:db8::7"


def _close_after(sock: socket.socket, action: Callable[[socket.socket], Any]) -> Any:
    try:
        return action(sock)
    finally:
        sock.close()


class SneakyHost(str):
    """A host whose own methods claim loopback; its characters are a public address."""

    def lower(self) -> str:
        return "localhost"

    def split(self, *args: Any, **kwargs: Any) -> list[str]:
        return ["127.0.0.1"]

    def startswith(self, *args: Any) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class SneakyBytes(bytes):
    """A bytes host whose ``decode`` claims loopback."""

    def decode(self, *args: Any, **kwargs: Any) -> str:
        return "localhost"


class IndexPort:
    """A port that is not an int but converts to one (as ``numpy.int64`` does)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def __index__(self) -> int:
        return self.port


class UnixLookalike(socket.socket):
    """An IP socket that reports itself as a Unix socket."""

    @property
    def family(self) -> socket.AddressFamily:  # type: ignore[override]
        return socket.AF_UNIX


def _bound_then_connect(proxy_port: int, kind: int) -> Any:
    """Bind a socket of this kernel to the proxy's port (127.0.0.2), then connect to it."""
    squatter = socket.socket(socket.AF_INET, kind)
    try:
        squatter.bind(("127.0.0.2", proxy_port))
        return socket.create_connection(("127.0.0.1", proxy_port), timeout=1).close()
    finally:
        squatter.close()


def probes(proxy_port: int, early: dict[str, socket.socket] | None = None
           ) -> dict[str, Callable[[], Any]]:
    """Every probe by name; ``proxy_port`` is a loopback port another program listens on,
    ``early`` the sockets :func:`connect_early` made before ``helpers.connect()``."""
    import _socket
    import asyncio
    import email.utils
    import ftplib
    import http.client
    import smtplib
    import urllib.request

    import requests

    proxy = f"http://127.0.0.1:{proxy_port}"
    tcp, udp = socket.SOCK_STREAM, socket.SOCK_DGRAM
    v4, v6 = socket.AF_INET, socket.AF_INET6
    import numpy

    found = {
        "create_connection": lambda: socket.create_connection((PUBLIC_V4, 443), timeout=1),
        "socket.connect": lambda: _close_after(socket.socket(v4, tcp),
                                               lambda s: s.connect((PUBLIC_V4, 443))),
        "socket.connect_ex": lambda: _close_after(socket.socket(v4, tcp),
                                                  lambda s: s.connect_ex((PUBLIC_V4, 443))),
        "_socket.connect": lambda: _close_after(_socket.socket(), lambda s: s.connect(
            (PUBLIC_V4, 443))),
        "mro[1].connect": lambda: _close_after(socket.socket(), lambda s: socket.socket.__mro__[
            1].connect(s, (PUBLIC_V4, 443))),
        "ipv6.connect": lambda: _close_after(socket.socket(v6, tcp),
                                             lambda s: s.connect((PUBLIC_V6, 443))),
        "0.0.0.0.connect": lambda: _close_after(socket.socket(v4, tcp),
                                                lambda s: s.connect(("0.0.0.0", 443))),
        "udp.sendto": lambda: _close_after(socket.socket(v4, udp),
                                           lambda s: s.sendto(b"x", (PUBLIC_V4, 53))),
        "udp.sendmsg": lambda: _close_after(socket.socket(v4, udp), lambda s: s.sendmsg(
            [b"x"], [], 0, (PUBLIC_V4, 53))),
        "udp.connect+send": lambda: _close_after(socket.socket(v4, udp),
                                                 lambda s: (s.connect((PUBLIC_V4, 53)),
                                                            s.send(b"x"))),
        "raw socket": lambda: socket.socket(v4, socket.SOCK_RAW, socket.IPPROTO_ICMP).close(),
        "getaddrinfo": lambda: socket.getaddrinfo("example.com", 443),
        "gethostbyname": lambda: socket.gethostbyname("example.com"),
        "gethostbyname_ex": lambda: socket.gethostbyname_ex("example.com"),
        "gethostbyaddr": lambda: socket.gethostbyaddr("8.8.8.8"),
        "getnameinfo": lambda: socket.getnameinfo(("8.8.8.8", 53), 0),
        "getfqdn": lambda: socket.getfqdn("example.com"),
        "getfqdn()": lambda: socket.getfqdn(),
        "make_msgid": lambda: email.utils.make_msgid(),
        "urllib http": lambda: urllib.request.urlopen("http://example.com/", timeout=1),
        "urllib https ip": lambda: urllib.request.urlopen(f"https://{PUBLIC_V4}/", timeout=1),
        "urllib ftp": lambda: urllib.request.urlopen("ftp://ftp.example.com/x", timeout=1),
        "ftplib": lambda: ftplib.FTP(PUBLIC_V4, timeout=1),
        "http.client": lambda: http.client.HTTPSConnection("example.com", timeout=1).request(
            "GET", "/"),
        "smtplib": lambda: smtplib.SMTP(PUBLIC_V4, 25, timeout=1),
        "requests": lambda: requests.get("https://example.com/", timeout=1),
        "requests via proxy": lambda: requests.get("https://example.com/", timeout=1,
                                                   proxies={"https": proxy, "http": proxy}),
        "asyncio.open_connection": lambda: asyncio.run(asyncio.open_connection(
            "example.com", 443)),
        "loopback dns stub": lambda: _close_after(socket.socket(v4, udp), lambda s: s.sendto(
            b"x", ("127.0.0.53", 53))),
        "loopback proxy port": lambda: socket.create_connection(("127.0.0.1", proxy_port),
                                                                timeout=1),
        "localhost proxy port": lambda: socket.create_connection(("localhost", proxy_port),
                                                                 timeout=1),
        # -- round two: the destination the socket layer really uses ----------------------
        "numpy.int64 port to proxy": lambda: _close_after(socket.socket(v4, tcp), lambda s: s.connect(
            ("127.0.0.1", numpy.int64(proxy_port)))),
        "__index__ port to proxy": lambda: _close_after(socket.socket(v4, tcp), lambda s: s.connect(
            ("127.0.0.1", IndexPort(proxy_port)))),
        "__index__ port udp sendto dns stub": lambda: _close_after(socket.socket(v4, udp),
                                                                   lambda s: s.sendto(
            b"x", ("127.0.0.53", IndexPort(53)))),
        "str subclass host connect": lambda: _close_after(socket.socket(v4, tcp), lambda s: s.connect(
            (SneakyHost(PUBLIC_V4), 443))),
        "str subclass host sendto": lambda: _close_after(socket.socket(v4, udp), lambda s: s.sendto(
            b"x", (SneakyHost(PUBLIC_V4), 53))),
        "str subclass getaddrinfo": lambda: socket.getaddrinfo(SneakyHost("example.com"), 443),
        "str subclass gethostbyname": lambda: socket.gethostbyname(SneakyHost("example.com")),
        "bytes subclass getaddrinfo": lambda: socket.getaddrinfo(SneakyBytes(b"example.com"), 443),
        "socket subclass says AF_UNIX": lambda: _close_after(UnixLookalike(v4, tcp), lambda s: s.connect(
            (PUBLIC_V4, 443))),
        "socket subclass says AF_UNIX to proxy": lambda: _close_after(
            UnixLookalike(v4, tcp), lambda s: s.connect(("127.0.0.1", proxy_port))),
        "socket subclass sendto": lambda: _close_after(UnixLookalike(v4, udp), lambda s: s.sendto(
            b"x", (PUBLIC_V4, 53))),
        "udp bound to proxy port, then connect": lambda: _bound_then_connect(proxy_port, udp),
        "tcp bound to proxy port, then connect": lambda: _bound_then_connect(proxy_port, tcp),
        "source_address with proxy port": lambda: socket.create_connection(
            ("127.0.0.1", proxy_port), timeout=1, source_address=("127.0.0.2", proxy_port)).close(),
        "localhost.localdomain lookup": lambda: socket.getaddrinfo("localhost.localdomain", 80),
        "ip6-localhost lookup": lambda: socket.gethostbyname("ip6-localhost"),
        "ip6-loopback connect": lambda: socket.create_connection(("ip6-loopback", 80), timeout=1),
    }
    if early:
        found.update({
            "socket connected before connect()": lambda: early["early"].sendall(b"leak"),
            "fromfd twin made before connect()": lambda: early["twin"].sendall(b"leak"),
            "fromfd of it made after connect()": lambda: socket.fromfd(
                early["early"].fileno(), v4, tcp).sendall(b"leak"),
        })
    return found


#: Probes whose library swallows the refusal (an OSError) and goes on without a lookup.
QUIET = {"getfqdn", "getfqdn()", "make_msgid"}
#: Probes that look up this machine's own name: local when the hosts file lists it.
LOCAL_NAME_LOOKUPS = {"getfqdn()", "make_msgid"}


def is_loopback(host: Any) -> bool:
    from helpers.platform.safety import is_loopback as judge

    return judge(host)


def expected_outcome(name: str) -> str:
    """What the guard should make of probe ``name`` on this machine."""
    if name in LOCAL_NAME_LOOKUPS and is_loopback(socket.gethostname()):
        return "local"
    if name in NAMED and is_loopback(NAMED[name]):
        return "local"
    if name in CUT:
        return "refused-cut"
    return "refused-quietly" if name in QUIET else "refused"


def refused_in_chain(err: BaseException | None) -> bool:
    """True when a NetworkBlockedError is ``err`` or anywhere in its cause/context/reason."""
    from helpers.platform.errors import NetworkBlockedError

    seen: set[int] = set()
    stack: list[Any] = [err]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, NetworkBlockedError):
            return True
        if isinstance(item, BaseException):
            stack += [item.__cause__, item.__context__, getattr(item, "reason", None),
                      *[a for a in item.args if isinstance(a, BaseException)]]
    return False


#: Probes that use a connection made before the guard: it is cut (shut down) at connect().
CUT = {"socket connected before connect()", "fromfd twin made before connect()",
       "fromfd of it made after connect()"}
#: Probes of a name that is local only if this machine's hosts file lists it.
NAMED = {"localhost.localdomain lookup": "localhost.localdomain",
         "ip6-localhost lookup": "ip6-localhost"}


def run_probe(name: str, probe: Callable[[], Any], guard: Any) -> str:
    """Run one probe; return its outcome."""
    before = len(guard.blocked)
    try:
        probe()
    except BaseException as err:  # noqa: BLE001 - classify every outcome
        if refused_in_chain(err):
            return "refused"
        cut = [b for b in guard.blocked if isinstance(b, tuple) and b[:1] == (
            "connected before connect()",)]
        if name in CUT and isinstance(err, OSError) and cut:
            return "refused-cut"
        return f"escaped: {type(err).__name__}: {err}"
    if name in NAMED and is_loopback(NAMED[name]):
        return "local"
    if name in QUIET and len(guard.blocked) > before:
        return "refused-quietly"
    if name in LOCAL_NAME_LOOKUPS and is_loopback(socket.gethostname()):
        return "local"  # this machine's own name is in its hosts file: no DNS query
    return "escaped: returned"


def start_proxy() -> tuple[subprocess.Popen, int]:
    """A fake proxy in ANOTHER process on a loopback port; it counts connections and bytes.

    It keeps every connection open and reads from it, so a socket connected before the guard
    started shows whether anything it sends afterwards arrives (``data`` lines).
    """
    code = (
        "import selectors,socket,sys\n"
        "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\n"
        "print(s.getsockname()[1], flush=True)\n"
        "sel=selectors.DefaultSelector(); sel.register(s, selectors.EVENT_READ)\n"
        "while True:\n"
        "    for key,_ in sel.select(0.2):\n"
        "        if key.fileobj is s:\n"
        "            c,_=s.accept(); sel.register(c, selectors.EVENT_READ)\n"
        "            print('conn', flush=True)\n"
        "        else:\n"
        "            try: data=key.fileobj.recv(65536)\n"
        "            except OSError: data=b''\n"
        "            if data: print('data', len(data), flush=True)\n"
        "            else: sel.unregister(key.fileobj); key.fileobj.close()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            stdin=subprocess.PIPE)
    port = int(proc.stdout.readline())
    return proc, port


def stop_proxy(proc: subprocess.Popen, data: bool = False) -> Any:
    """Stop the fake proxy; return how many connections reached it (and bytes, with data)."""
    _real_sleep(0.6)  # let it accept and read what is in its backlog (it polls every 0.2 s)
    proc.kill()
    out, _ = proc.communicate()
    connections = out.count("conn")
    received = sum(int(line.split()[1]) for line in out.splitlines() if line.startswith("data"))
    return (connections, received) if data else connections


def connect_early(proxy_port: int) -> dict[str, socket.socket]:
    """Sockets connected to the proxy BEFORE ``helpers.connect()`` (and a ``fromfd`` twin)."""
    early = socket.create_connection(("127.0.0.1", proxy_port), timeout=2)
    twin = socket.fromfd(early.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    return {"early": early, "twin": twin}


def cli_child() -> dict[str, Any]:
    """``aws sqs list-queues`` as a child (the AWS CLI next to this Python, when installed)."""
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    if not os.path.exists(aws):
        return {"call": "no AWS CLI installed"}
    done = subprocess.run([aws, "sqs", "list-queues", "--output", "json"], capture_output=True,
                          text=True, timeout=120)
    return {"returncode": done.returncode, "stdout": done.stdout[-300:],
            "stderr": done.stderr[-300:]}


def main(backend: str = "moto") -> None:
    """The whole attack in one fresh interpreter (run it inside a network namespace)."""
    proxy_proc, port = start_proxy()
    early_sockets = connect_early(port)  # before `import helpers`
    proxy = f"http://127.0.0.1:{port}"
    shell = {"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "ALL_PROXY": proxy, "all_proxy": proxy,
             "NO_PROXY": "", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
             "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
             "AWS_DEFAULT_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true"}
    os.environ.update(shell)
    import boto3
    import botocore.config

    early = boto3.client("sqs", config=botocore.config.Config(
        retries={"total_max_attempts": 1}, connect_timeout=1))  # before `import helpers`

    import helpers

    env = helpers.connect(backend, quiet=True)
    outcomes = {name: run_probe(name, p, env._guard)
                for name, p in probes(port, early_sockets).items()}
    try:
        early.list_queues()
        outcomes["boto3 client made before connect"] = "escaped: returned"
    except Exception as err:  # noqa: BLE001
        outcomes["boto3 client made before connect"] = (
            "refused" if refused_in_chain(err) else f"escaped: {type(err).__name__}: {err}")
    child = subprocess.run(
        [sys.executable, "-c",
         "import os,json,boto3\n"
         "keys=['AWS_ENDPOINT_URL','AWS_ACCESS_KEY_ID','HTTPS_PROXY','ALL_PROXY','all_proxy']\n"
         "out={k: os.environ.get(k) for k in keys}\n"
         "try:\n"
         "    boto3.client('sqs', config=__import__('botocore.config').config.Config("
         "retries={'total_max_attempts':1})).list_queues(); out['call']='answered'\n"
         "except Exception as e: out['call']=type(e).__name__\n"
         "print(json.dumps(out))"],
        capture_output=True, text=True, timeout=60)
    cli = cli_child()
    during = boto3.client("sqs")
    env.teardown()
    try:
        during.list_queues()
        after = "escaped: returned"
    except helpers.EnvironmentClosedError:
        after = "refused"
    except Exception as err:  # noqa: BLE001
        after = f"escaped: {type(err).__name__}"
    _real_sleep(0.3)
    connections, received = stop_proxy(proxy_proc, data=True)
    print(json.dumps({
        "backend": backend,
        "outcomes": outcomes,
        "child": json.loads(child.stdout or "{}"),
        "child_stderr": child.stderr[-500:],
        "cli": cli,
        "client_after_teardown": after,
        # the connection made before `import helpers` is the one expected; no byte after it
        "proxy_connections": connections - 1,
        "proxy_bytes": received,
        "proxy_port": port,
    }))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main(*sys.argv[1:2])
