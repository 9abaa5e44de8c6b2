"""The real AWS CLI v1, run as a child of an open environment, stays on this machine.

Each child runs under a recording audit hook that also refuses any destination outside
loopback: so the test sees where the CLI *tried* to go, and nothing leaves even when the
course's measures fail (the twin without them shows what CLI v1 does alone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import helpers

AWS = Path(sys.executable).with_name("aws")
pytestmark = pytest.mark.skipif(not AWS.exists(), reason="the AWS CLI v1 (awscli) is a test "
                                "dependency: pip install -e '.[test]'")

SHELL = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_PROFILE": "student-prod",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL_SQS": "https://sqs.eu-west-1.amazonaws.com",
}

#: Runs the `aws` script in-process under an audit hook that records every connect and
#: lookup, and refuses (so nothing leaves) any that is not loopback.
_RECORDER = """
import json, os, runpy, sys
events = []
LOCAL = {"127.0.0.1", "localhost", "::1"}
def hook(event, args):
    if event in ("socket.connect", "socket.sendto", "socket.getaddrinfo",
                 "socket.gethostbyname"):
        target = args[1] if event in ("socket.connect", "socket.sendto") else args[0]
        host = str(target[0] if isinstance(target, tuple) else target)
        events.append([event, host])
        if host not in LOCAL:
            raise ConnectionRefusedError(f"the test's recorder refused {host}")
sys.addaudithook(hook)
import atexit
atexit.register(lambda: open(os.environ["SECURECART_TEST_RECORD"], "w").write(json.dumps(events)))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_cli(args: list[str], record: Path, **extra: str) -> tuple[subprocess.CompletedProcess, list]:
    """``aws <args>`` as a child (the environment it inherits, plus ``extra``)."""
    child_env = {**os.environ, "SECURECART_TEST_RECORD": str(record), **extra}
    done = subprocess.run([sys.executable, "-c", _RECORDER, str(AWS), *args, "--output", "json"],
                          capture_output=True, text=True, timeout=120, env=child_env)
    return done, json.loads(record.read_text()) if record.exists() else []


def outside(events: list) -> list:
    return [e for e in events if e[1] not in ("127.0.0.1", "localhost", "::1")]


@pytest.fixture
def shell(monkeypatch):
    """A shell with real-looking keys, a profile, a region and an SQS endpoint override."""
    for key, value in SHELL.items():
        monkeypatch.setenv(key, value)


def test_cli_v1_on_server_reaches_the_courses_server(shell, run_id, tmp_path):
    # GIVEN the server backend with a queue and a topic
    env = helpers.connect("server", run=run_id, quiet=True)
    try:
        url = env.client("sqs").create_queue(QueueName="seen-by-cli")["QueueUrl"]
        topic = env.client("sns").create_topic(Name="seen-by-cli")["TopicArn"]
        # WHEN `aws sqs list-queues` and `aws sns list-topics` run as children
        queues, sqs_events = run_cli(["sqs", "list-queues"], tmp_path / "sqs.json")
        topics, sns_events = run_cli(["sns", "list-topics"], tmp_path / "sns.json")
    finally:
        env.teardown(quiet=True)
    # THEN both answered from the course's server (the queue and topic made above), every
    # connection went to its loopback port, and no name was looked up outside loopback
    assert queues.returncode == 0, queues.stderr
    assert json.loads(queues.stdout)["QueueUrls"] == [url]
    assert topics.returncode == 0, topics.stderr
    assert [t["TopicArn"] for t in json.loads(topics.stdout)["Topics"]] == [topic]
    assert sqs_events and outside(sqs_events + sns_events) == []


@pytest.mark.parametrize("args", [["sqs", "list-queues"], ["sns", "list-topics"]])
def test_cli_v1_on_moto_fails_at_once_and_nothing_leaves(shell, run_id, tmp_path, args):
    # GIVEN the moto backend (moto lives in this process: no child can reach it)
    env = helpers.connect(run=run_id, quiet=True)
    try:
        # WHEN the AWS CLI runs as a child
        done, events = run_cli(args, tmp_path / "record.json")
    finally:
        env.teardown(quiet=True)
    # THEN it fails with the course's message, before any connection or lookup at all
    assert done.returncode == 255
    assert "moto runs inside the notebook's kernel" in done.stderr
    assert "helpers.connect('server')" in done.stderr
    assert events == []


def test_moto_alone_cli_v1_sends_sqs_to_aws_whatever_aws_endpoint_url_says(
        shell, run_id, tmp_path):
    # GIVEN the server backend, but the child reads no generated config (no plugin): what
    # AWS_ENDPOINT_URL alone achieves
    env = helpers.connect("server", run=run_id, quiet=True)
    try:
        # WHEN `aws sqs list-queues` runs
        done, events = run_cli(["sqs", "list-queues"], tmp_path / "record.json",
                               AWS_CONFIG_FILE=os.devnull)
    finally:
        env.teardown(quiet=True)
    # THEN CLI v1 looked up AWS's SQS endpoint (the recorder refused it: nothing left)
    assert ["socket.getaddrinfo", "queue.amazonaws.com"] in events
    assert done.returncode == 255


def test_the_shells_keys_profile_and_endpoint_variables_are_hidden_from_the_cli(
        shell, run_id, tmp_path):
    # GIVEN the shell's settings, and the server backend open
    env = helpers.connect("server", run=run_id, quiet=True)
    try:
        # WHEN the CLI reports what it sees
        done, _ = run_cli(["configure", "list"], tmp_path / "record.json")
        config = Path(os.environ["AWS_CONFIG_FILE"])
        seen = {key: os.environ.get(key) for key in SHELL}
    finally:
        env.teardown(quiet=True)
    # THEN the fake keys and the course's region, no profile, no service endpoint override;
    # and the generated config is removed at teardown, the shell's values come back
    assert done.returncode == 0, done.stderr
    assert "****************ting" in done.stdout and "us-east-1" in done.stdout
    assert "student-prod" not in done.stdout
    assert seen["AWS_PROFILE"] is None and seen["AWS_ENDPOINT_URL_SQS"] is None
    assert not config.exists()
    assert {key: os.environ.get(key) for key in SHELL} == SHELL
