"""The local backends never leave the machine, whatever AWS settings the shell has."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest
from conftest import random_run

import helpers
from helpers.platform.errors import NetworkBlockedError
from helpers.platform.safety import is_loopback

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


def test_teardown_restores_the_original_socket_functions(monkeypatch):
    # GIVEN the functions in place before connect()
    spy = SocketSpy(monkeypatch)
    env = helpers.connect(run=random_run(), quiet=True)
    assert socket.socket.connect is not spy.connect  # the guard sits in front while open

    # WHEN
    env.teardown()

    # THEN exactly the previous functions are back
    assert socket.socket.connect is spy.connect
    assert socket.getaddrinfo is spy.getaddrinfo
    assert not env._guard.active


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
