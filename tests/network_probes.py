"""Network probes a careless or curious student might run while the moto backend is open.

Used in-process by tests/test_safety.py, and as a script (``python tests/network_probes.py``)
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


def probes(proxy_port: int) -> dict[str, Callable[[], Any]]:
    """Every probe by name; ``proxy_port`` is a loopback port another program listens on."""
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
    return {
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
    }


#: Probes whose library swallows the refusal (an OSError) and goes on without a lookup.
QUIET = {"getfqdn", "getfqdn()", "make_msgid"}


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


def run_probe(name: str, probe: Callable[[], Any], guard: Any) -> str:
    """Run one probe; return its outcome."""
    before = len(guard.blocked)
    try:
        probe()
    except BaseException as err:  # noqa: BLE001 - classify every outcome
        return "refused" if refused_in_chain(err) else f"escaped: {type(err).__name__}: {err}"
    if name in QUIET and len(guard.blocked) > before:
        return "refused-quietly"
    return "escaped: returned"


def start_proxy() -> tuple[subprocess.Popen, int]:
    """A fake proxy in ANOTHER process on a loopback port; it counts connections it gets."""
    code = (
        "import socket,sys\n"
        "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); s.settimeout(0.2)\n"
        "print(s.getsockname()[1], flush=True); n=0\n"
        "while True:\n"
        "    try:\n"
        "        c,_=s.accept(); n+=1; print('conn', flush=True); c.close()\n"
        "    except socket.timeout:\n"
        "        if sys.stdin.closed: break\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            stdin=subprocess.PIPE)
    port = int(proc.stdout.readline())
    return proc, port


def stop_proxy(proc: subprocess.Popen) -> int:
    """Stop the fake proxy; return how many connections reached it."""
    _real_sleep(0.6)  # let it accept what is in its backlog (it polls every 0.2 s)
    proc.kill()
    out, _ = proc.communicate()
    return out.count("conn")


def main() -> None:
    """The whole attack in one fresh interpreter (run it inside a network namespace)."""
    proxy_proc, port = start_proxy()
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

    env = helpers.connect(quiet=True)
    outcomes = {name: run_probe(name, p, env._guard) for name, p in probes(port).items()}
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
    print(json.dumps({
        "outcomes": outcomes,
        "child": json.loads(child.stdout or "{}"),
        "child_stderr": child.stderr[-500:],
        "client_after_teardown": after,
        "proxy_connections": stop_proxy(proxy_proc),
        "proxy_port": port,
    }))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
