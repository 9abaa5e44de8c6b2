"""Shared fixtures: a fresh moto environment per test, with a random run id."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings

import helpers

# On CI the property tests draw the same examples every run (a failure there reproduces);
# on a developer's machine they explore new ones each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def random_run() -> str:
    """A random run id, so no test depends on another's names."""
    return "t" + uuid.uuid4().hex[:7]


@pytest.fixture
def env():
    """An open moto environment; torn down after the test."""
    environment = helpers.connect(run=random_run(), quiet=True)
    yield environment
    environment.teardown(quiet=True)


@pytest.fixture
def server_env():
    """An open in-process moto server environment (real HTTP); torn down after the test."""
    environment = helpers.connect("server", run=random_run(), quiet=True)
    yield environment
    environment.teardown(quiet=True)


@pytest.fixture(params=["env", "server_env"])
def any_env(request):
    """The in-process moto environment, then the same test over HTTP (server backend)."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def run_id() -> str:
    """A random run id for tests that call ``helpers.connect`` themselves."""
    return random_run()


@pytest.fixture
def sqs_bare(env):
    """The moto environment with every SQS stand-in removed (the clock stays simulated): the
    ``test_moto_alone_*`` tests prove moto still lacks what a stand-in supplies."""
    env.stand_ins.stop()
    return env
