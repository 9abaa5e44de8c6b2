"""The local backends never leave the machine, whatever AWS settings the shell has."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import network_probes
import pytest
from conftest import random_run

import helpers
from helpers.platform.errors import NetworkBlockedError
from helpers.platform.safety import LoopbackGuard, is_loopback

FAKE_REAL_KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLETOKEN",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL_SQS": "https://sqs.eu-west-1.amazonaws.com",
}


class SocketSpy:
    """Records every address passed to socket.connect / getaddrinfo, then calls through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.addresses: list = []
        self.original_connect = socket.socket.connect
        self.original_getaddrinfo = socket.getaddrinfo
        spy = self

        def connect(sock, address):
            spy.addresses.append(address)
            return spy.original_connect(sock, address)

        def getaddrinfo(host, *args, **kwargs):
            spy.addresses.append(host)
            return spy.original_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        self.connect, self.getaddrinfo = connect, getaddrinfo

    def outside_loopback(self) -> list:
        hosts = [a[0] if isinstance(a, tuple) else a for a in self.addresses]
        return [h for h in hosts if h is not None and not is_loopback(h)]


def _exercise(env) -> dict:
    """SQS, SNS and EventBridge calls a lab makes; returns what came back."""
    sqs, sns, events = env.client("sqs"), env.client("sns"), env.client("events")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    topic = sns.create_topic(Name="status")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                  Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["securecart.orders"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "inbox", "Arn": arn}])
    sqs.send_message(QueueUrl=url, MessageBody="direct")
    sns.publish(TopicArn=topic, Message="via-sns")
    events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced",
                                "Detail": json.dumps({"order_id": "ord-00001"})}])
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    bodies = [m["Body"] if not m["Body"].startswith("{") else json.loads(m["Body"])["detail-type"]
              for m in got]
    return {"url": url, "bodies": sorted(bodies)}


@pytest.mark.parametrize("profile", ["missing", "present"])
def test_moto_makes_no_connection_outside_loopback(monkeypatch, tmp_path, profile):
    # GIVEN real-looking keys, an endpoint override, and AWS_PROFILE naming a missing profile
    # or one in a config file whose credential_process would leave a marker if it ran
    for key, value in FAKE_REAL_KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_PROFILE", "student-prod")
    marker = tmp_path / "credential_process_ran"
    if profile == "present":
        config = tmp_path / "config"
        config.write_text(
            "[profile student-prod]\nregion = ap-southeast-2\n"
            f"credential_process = touch {marker}\n"
            "endpoint_url = https://sns.ap-southeast-2.amazonaws.com\n"
        )
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    else:
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "does-not-exist"))
    spy = SocketSpy(monkeypatch)

    # WHEN connecting on moto and making SQS / SNS / EventBridge calls
    env = helpers.connect(run=random_run(), quiet=True)
    try:
        result = _exercise(env)
        blocked = list(env._guard.blocked)
    finally:
        env.teardown()

    # THEN everything worked locally: the fake region, not the shell's, and no socket left
    # loopback (neither through the spy nor refused by the guard)
    assert result["url"].startswith("https://sqs.us-east-1.amazonaws.com/123456789012/")
    assert result["bodies"] == ["OrderPlaced", "direct", "via-sns"]
    assert spy.outside_loopback() == []
    assert blocked == []
    assert not marker.exists()
    import os

    assert os.environ["AWS_PROFILE"] == "student-prod"  # the shell's settings come back


def test_guard_blocks_plain_http_and_raw_sockets_while_open(env):
    # GIVEN an open moto environment

    # WHEN / THEN urllib's lookup of example.com is refused (urllib wraps it in URLError)
    with pytest.raises(urllib.error.URLError) as caught:
        urllib.request.urlopen("http://example.com", timeout=1)
    assert isinstance(caught.value.reason, NetworkBlockedError)
    assert "'example.com'" in str(caught.value.reason)

    # AND a raw socket connect to a public address is refused before any packet is sent
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkBlockedError, match=r"203\.0\.113\.7.*only loopback"):
            sock.connect(("203.0.113.7", 443))
    finally:
        sock.close()
    assert ("203.0.113.7", 443) in env._guard.blocked


def test_the_guard_replaces_no_socket_function_and_stands_down_at_teardown(monkeypatch):
    # GIVEN the functions in place before connect()
    spy = SocketSpy(monkeypatch)
    env = helpers.connect(run=random_run(), quiet=True)
    # THEN the guard sits in the audit hook, not in front of the functions
    assert socket.socket.connect is spy.connect and socket.getaddrinfo is spy.getaddrinfo
    assert env._guard.active and LoopbackGuard._current is env._guard

    # WHEN
    env.teardown()

    # THEN the guard stands down: the hook consults no guard any more
    assert not env._guard.active and LoopbackGuard._current is None
    assert socket.getaddrinfo("localhost", 80)  # loopback lookups always work


def test_server_backend_over_loopback_works_while_guarded(monkeypatch):
    # GIVEN a spy, then the server backend (moto over HTTP on 127.0.0.1)
    spy = SocketSpy(monkeypatch)
    env = helpers.connect("server", run=random_run(), quiet=True)
    try:
        # WHEN making the same calls over HTTP
        result = _exercise(env)
        guarded = env._guard.active
    finally:
        env.teardown()

    # THEN they worked, the guard was on, and every connection went to loopback
    assert guarded
    assert result["url"].startswith("http://127.0.0.1:")
    assert result["bodies"] == ["OrderPlaced", "direct", "via-sns"]
    assert spy.addresses, "the server backend should have opened loopback connections"
    assert spy.outside_loopback() == []


def test_udp_datagram_outside_loopback_is_blocked(env):
    # GIVEN an open moto environment
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        # WHEN code sends a UDP datagram to a public address
        # THEN the guard refuses it, naming the address
        with pytest.raises(helpers.NetworkBlockedError, match="203.0.113.9"):
            sock.sendto(b"x", ("203.0.113.9", 53))
    finally:
        sock.close()


def test_course_tags_win_over_student_tags(env):
    # GIVEN a student who passes their own run tag
    url = env.client("sqs").create_queue(QueueName="tagged", tags={"run": "mine", "team": "a"})["QueueUrl"]
    # THEN the course's run tag is kept (teardown on AWS finds leftovers by it), theirs too
    tags = env.client("sqs").list_queue_tags(QueueUrl=url)["Tags"]
    assert tags == {"course": "securecart", "run": env.run, "team": "a"}


# -- the network probes, in process -------------------------------------------------------
class AuditSpy:
    """An audit hook added after the guard's: it sees only the socket events the guard let
    through (a hook that raises stops the event before later hooks and before the OS)."""

    events: list = []
    recording = False
    installed = False

    @classmethod
    def install(cls) -> None:
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True

    @classmethod
    def _hook(cls, event, args):
        if cls.recording and event in ("socket.connect", "socket.sendto", "socket.sendmsg",
                                       "socket.getaddrinfo", "socket.gethostbyname",
                                       "socket.gethostbyaddr", "socket.getnameinfo"):
            target = args[1] if event in ("socket.connect", "socket.sendto",
                                          "socket.sendmsg") else args[0]
            cls.events.append((event, target))

    @classmethod
    def outside_loopback(cls) -> list:
        out = []
        for event, target in cls.events:
            host = target[0] if isinstance(target, tuple) else target
            if target is not None and host is not None and not is_loopback(host):
                out.append((event, target))
        return out


@pytest.fixture(scope="module")
def proxy():
    """A fake proxy in another process, on a loopback port; counts connections it gets."""
    proc, port = network_probes.start_proxy()
    yield port
    assert network_probes.stop_proxy(proc) == 0, "a probe reached the loopback proxy"


@pytest.mark.parametrize("name", sorted(network_probes.probes(1)))
def test_every_probe_is_refused_before_it_reaches_the_os(any_env, proxy, name):
    # GIVEN an open moto (then server) environment, an audit spy behind the guard, and a
    # loopback proxy of another program
    env = any_env
    AuditSpy.install()
    probe = network_probes.probes(proxy)[name]
    AuditSpy.events.clear()
    AuditSpy.recording = True
    try:
        # WHEN the probe runs
        outcome = network_probes.run_probe(name, probe, env._guard)
    finally:
        AuditSpy.recording = False
    # THEN the guard refused it (NetworkBlockedError, or recorded where the library swallows
    # the refusal), and no socket event outside loopback got past the guard
    expected = network_probes.expected_outcome(name)
    assert outcome == expected
    assert env._guard.blocked or expected == "local"
    assert AuditSpy.outside_loopback() == []
    if "proxy" in name or "dns stub" in name:
        assert not [e for e in AuditSpy.events if e[0] == "socket.connect"
                    and isinstance(e[1], tuple) and e[1][1] in (proxy, 53)]


def _namespace_prefix() -> list[str] | None:
    """``unshare -rn`` where this machine allows a network namespace, else None."""
    if not shutil.which("unshare"):
        return None
    try:
        done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return ["unshare", "-rn"] if done.returncode == 0 else None


def _probe_script(prefix: list[str], backend: str) -> dict:
    script = Path(__file__).resolve().parents[1] / "network_probes.py"
    lo_up = "ip link set lo up 2>/dev/null || true; " if prefix else ""
    done = subprocess.run([*prefix, "sh", "-c", f"{lo_up}{sys.executable} {script} {backend}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_zero_escapes(result: dict) -> None:
    """Every probe met its expected outcome, the proxy got nothing, children stayed local."""
    assert {k: v for k, v in result["outcomes"].items()
            if v != network_probes.expected_outcome(k)} == {}
    assert len(result["outcomes"]) >= 50
    assert result["proxy_connections"] == 0 and result["proxy_bytes"] == 0
    assert result["child"]["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert result["child"]["HTTPS_PROXY"] is None and result["child"]["ALL_PROXY"] is None
    assert result["client_after_teardown"] == "refused"
    if "returncode" in result["cli"]:
        if result["backend"] == "server":  # the CLI v1 child reached the course's server
            assert result["cli"]["returncode"] == 0, result["cli"]["stderr"]
        else:  # moto: stopped at once, saying why
            assert result["cli"]["returncode"] == 255
            assert "moto runs inside the notebook's kernel" in result["cli"]["stderr"]


@pytest.mark.parametrize("backend", ["moto", "server"])
def test_the_probe_script_without_a_namespace_refuses_everything_too(backend):
    # GIVEN / WHEN the whole attack in a fresh interpreter, on this machine's own network:
    # a socket (and its fromfd twin) connected to a loopback proxy before `import helpers`,
    # real-looking keys and proxies in the shell, a boto3 client made before connect
    result = _probe_script([], backend)
    # THEN the same zero escapes (the guard refused before any packet or lookup, and cut the
    # earlier connection: the proxy received no byte after it)
    _assert_zero_escapes(result)


@pytest.mark.parametrize("backend", ["moto", "server"])
def test_the_probes_in_a_network_namespace_make_zero_escapes(backend):
    # GIVEN a network namespace (nothing could physically leave), with real-looking keys and
    # a loopback proxy in the shell, and a boto3 client made before `import helpers`
    prefix = _namespace_prefix()
    if prefix is None:
        pytest.skip("this machine allows no network namespace (`unshare -rn` failed: "
                    "unprivileged user namespaces are off); the in-process probes still ran")
    # WHEN the whole attack runs in a fresh interpreter inside it
    result = _probe_script(prefix, backend)
    # THEN every probe was refused by the guard (0 escapes), the proxy saw nothing, a child
    # process was pointed at loopback without proxies, and a client made during the
    # environment refuses after teardown
    _assert_zero_escapes(result)
    if backend == "moto":
        assert result["child"]["call"] == "EndpointConnectionError"


def test_a_connection_made_before_connect_is_cut_and_its_fromfd_twins_too(run_id):
    # GIVEN a loopback proxy of another program, and a socket connected to it (with a fromfd
    # twin) before helpers.connect()
    proc, port = network_probes.start_proxy()
    early = network_probes.connect_early(port)
    early["early"].sendall(b"before")
    # WHEN the environment opens and the probes use those connections
    env = helpers.connect(run=run_id, quiet=True)
    try:
        outcomes = {name: network_probes.run_probe(name, probe, env._guard)
                    for name, probe in network_probes.probes(port, early).items()
                    if name in network_probes.CUT}
        blocked = list(env._guard.blocked)
    finally:
        env.teardown(quiet=True)
        for sock in early.values():
            sock.close()
        connections, received = network_probes.stop_proxy(proc, data=True)
    # THEN each send failed (the guard shut the connection down when it started), the guard
    # recorded why, and the proxy received only what was sent before connect()
    assert outcomes == dict.fromkeys(network_probes.CUT, "refused-cut")
    assert ("connected before connect()", "127.0.0.1", port) in blocked
    assert (connections, received) == (1, len(b"before"))


# -- proxies, children, clients after teardown ------------------------------------------------
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                   "http_proxy", "https_proxy", "all_proxy", "no_proxy")


def test_every_proxy_variable_is_hidden_while_open_and_restored_after(monkeypatch, run_id):
    # GIVEN a shell with every kind of proxy variable
    for key in PROXY_VARIABLES:
        monkeypatch.setenv(key, "http://127.0.0.1:3128")
    # WHEN an environment is open
    env = helpers.connect(run=run_id, quiet=True)
    seen = {key: os.environ.get(key) for key in PROXY_VARIABLES}
    env.teardown()
    # THEN none is visible, and all come back afterwards
    assert seen == dict.fromkeys(PROXY_VARIABLES)
    assert all(os.environ[key] == "http://127.0.0.1:3128" for key in PROXY_VARIABLES)


_CHILD = ("import os, json, boto3, botocore.config\n"
          "out = {k: os.environ.get(k) for k in ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', "
          "'AWS_PROFILE', 'AWS_DEFAULT_REGION', 'HTTPS_PROXY', 'ALL_PROXY', 'AWS_ENDPOINT_URL_SQS']}\n"
          "cfg = botocore.config.Config(retries={'total_max_attempts': 1}, connect_timeout=2)\n"
          "try:\n"
          "    out['queues'] = boto3.client('sqs', config=cfg).list_queues().get('QueueUrls', [])\n"
          "except Exception as err:\n"
          "    out['queues'] = type(err).__name__\n"
          "print(json.dumps(out))\n")


@pytest.mark.parametrize("backend", ["moto", "server"])
def test_a_child_process_is_pointed_at_the_local_backend(monkeypatch, run_id, backend):
    # GIVEN the shell's real-looking keys, a profile, an endpoint override and a proxy
    for key, value in FAKE_REAL_KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_PROFILE", "student-prod")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    env = helpers.connect(backend, run=run_id, quiet=True)
    try:
        url = env.client("sqs").create_queue(QueueName="seen-by-child")["QueueUrl"]
        # WHEN a Python child runs boto3 (as `!python script.py` or `!aws ...` would)
        done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                              timeout=120)
    finally:
        env.teardown()
    child = json.loads(done.stdout)
    # THEN it sees fake credentials, the local region, no profile, no proxy, no service
    # endpoint override, and AWS_ENDPOINT_URL pointing at loopback
    assert child["AWS_ACCESS_KEY_ID"] == "testing"
    assert child["AWS_PROFILE"] is None and child["HTTPS_PROXY"] is None
    assert child["AWS_ENDPOINT_URL_SQS"] is None and child["AWS_DEFAULT_REGION"] == "us-east-1"
    if backend == "server":
        # the course's server itself: the child sees the parent's queue
        assert child["AWS_ENDPOINT_URL"] == env.endpoint_url
        assert child["queues"] == [url]
    else:
        # a closed loopback port: the in-process moto cannot be reached, so the call fails
        # at once instead of reaching AWS
        assert child["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        assert child["queues"] == "EndpointConnectionError"


def test_in_process_boto3_still_meets_moto_on_the_moto_backend(env):
    # GIVEN AWS_ENDPOINT_URL set for children; WHEN the student makes a plain boto3 client
    import boto3

    url = env.client("sqs").create_queue(QueueName="plain")["QueueUrl"]
    # THEN moto still answers it in this process (the variable is for children only)
    assert boto3.client("sqs", region_name="us-east-1").list_queues()["QueueUrls"] == [url]


@pytest.mark.parametrize("backend", ["moto", "server"])
def test_clients_made_during_the_environment_refuse_after_teardown(run_id, backend):
    # GIVEN a plain boto3 client and an env.client made while the environment was open
    import boto3
    from botocore.client import ClientCreator

    original = ClientCreator.create_client
    env = helpers.connect(backend, run=run_id, quiet=True)
    plain = boto3.client("sqs", region_name="us-east-1")
    own = env.client("sqs")
    own.list_queues()
    # WHEN the environment is torn down
    env.teardown()
    # THEN both refuse with the course's error, before any request is built or sent
    for client in (plain, own):
        with pytest.raises(helpers.EnvironmentClosedError, match="was torn down"):
            client.list_queues()
    # AND clients made afterwards are made by botocore's own, unpatched code again
    assert ClientCreator.create_client is original


def test_only_the_course_servers_and_named_endpoints_are_reachable_on_loopback(env):
    # GIVEN a course webhook, and a student's own server started in this kernel
    import http.server
    import threading
    import urllib.request

    from helpers.sns.webhook import Webhook

    hook = Webhook()
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    own = f"http://127.0.0.1:{server.server_port}/"
    try:
        # WHEN / THEN the course's webhook answers at once
        assert requests_post(hook.url) == 200
        # AND the student's own server only once it is named (binding a port is not naming it)
        with pytest.raises(urllib.error.URLError, match="env.allow_endpoint"):
            urllib.request.urlopen(own, timeout=5)
        env.allow_endpoint(own)
        with urllib.request.urlopen(own, timeout=5) as answer:
            assert answer.status == 200
    finally:
        hook.close()
        server.shutdown()
        server.server_close()
    # AND another program's loopback port is refused until the student names it
    other, port = network_probes.start_proxy()
    try:
        with pytest.raises(NetworkBlockedError, match="env.allow_endpoint"):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        env.allow_endpoint(f"http://127.0.0.1:{port}/hook")
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        reached = network_probes.stop_proxy(other)
    assert reached == 1  # the named one only
    with pytest.raises(helpers.InvalidParameterError, match="only a loopback URL"):
        env.allow_endpoint("https://hooks.example.com:443/x")


def requests_post(url: str) -> int:
    import requests

    return requests.post(url, data=b"{}", timeout=5).status_code


def test_the_audit_hook_is_installed_once_per_process():
    # WHEN guards start and stop many times
    for _ in range(5):
        guard = LoopbackGuard()
        guard.start()
        guard.stop()
        LoopbackGuard.install()
    # THEN one hook (a marker on sys) and no guard is left active
    assert getattr(sys, "_securecart_audit_hook", False) is True
    assert LoopbackGuard._current is None


def test_moto_sns_http_deliveries_meet_the_guard_too(env):
    # GIVEN SNS topics with an http subscription outside loopback, and one to another
    # program's loopback port (a proxy, say), delivered by moto's own SNS code (the SNS
    # stand-in, which refuses such subscriptions up front, is stopped: the guard must hold
    # without it)
    other, port = network_probes.start_proxy()
    sns = env.client("sns")
    env.emulation["sns"].stop()
    AuditSpy.install()
    AuditSpy.events.clear()
    AuditSpy.recording = True
    try:
        for i, endpoint in enumerate(("http://203.0.113.7/hook", f"http://127.0.0.1:{port}/hook")):
            topic = sns.create_topic(Name=f"status-{i}")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)
            # WHEN something is published (moto POSTs to the http subscriber)
            try:
                sns.publish(TopicArn=topic, Message="paid")
            except Exception as err:  # noqa: BLE001 - fan-out on failure is Lab 2's concern
                assert network_probes.refused_in_chain(err) or "Blocked" in str(err)
    finally:
        AuditSpy.recording = False
        reached = network_probes.stop_proxy(other)
    # THEN the guard refused both, no request left loopback, none reached the other port
    assert "203.0.113.7" in env._guard.blocked
    assert ("127.0.0.1", port) in env._guard.blocked
    assert AuditSpy.outside_loopback() == []
    assert reached == 0


def test_the_sns_stand_in_refuses_an_http_subscription_off_this_machine(env):
    # GIVEN a topic on the local backend
    sns = env.client("sns")
    topic = sns.create_topic(Name="status")["TopicArn"]
    # WHEN a student subscribes an endpoint outside loopback
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://203.0.113.7/hook")
    # THEN SNS-style InvalidParameter names the endpoint and the loopback rule
    assert "http://203.0.113.7/hook is not on this machine" in str(err.value)
    assert "127.0.0.1" in str(err.value)
