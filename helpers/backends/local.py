"""The local backends (``moto``, and ``server`` = moto over HTTP inside the kernel): what they
change in the process while open, and how they put it back (see :mod:`helpers.backends`).

Example
-------
>>> values = child_variables("http://127.0.0.1:5000")
>>> values["AWS_ENDPOINT_URL"], values["AWS_ACCESS_KEY_ID"], values["HTTPS_PROXY"]
('http://127.0.0.1:5000', 'testing', None)
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import socket
import tempfile
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from unittest import mock

import boto3
import botocore.loaders
import botocore.session

from ..platform import awscli_plugin
from ..platform.errors import EnvironmentClosedError
from ..platform.safety import LoopbackGuard

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["LocalBackend", "ProcessEnvironment", "child_variables", "fake_session",
           "reset_moto", "PROXY_VARIABLES", "HIDDEN_VARIABLES", "ChildConfig", "MOTO_CHILD_NOTE"]

#: Proxy variables hidden while a local backend is open (a proxy would relay to the internet).
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
                   "http_proxy", "https_proxy", "all_proxy", "no_proxy")
#: Variables hidden from the process (and its children) while a local backend is open.
HIDDEN_VARIABLES = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CA_BUNDLE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    *PROXY_VARIABLES,
)
#: Why a child's AWS CLI call fails at once on ``moto`` (the plugin prints it).
MOTO_CHILD_NOTE = (
    "Stopped before sending: the notebook is on the course's 'moto' backend, and moto runs "
    "inside the notebook's kernel, so no other process (this AWS CLI, a script run with !) "
    "can reach it; nothing left this machine. Fix: make the call from the notebook "
    "(env.client('sqs').list_queues()), or connect with helpers.connect('server'): then "
    "child processes reach the course's server.")


def child_variables(endpoint_url: str, region: str = "us-east-1") -> dict[str, str | None]:
    """The variables set (str) or removed (None) while a local backend is open."""
    values: dict[str, str | None] = {key: None for key in HIDDEN_VARIABLES}
    values.update({
        key: None for key in os.environ if key.startswith("AWS_ENDPOINT_URL_")})
    values.update({
        "AWS_ENDPOINT_URL": endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    return values


class ChildConfig:
    """A generated AWS config directory for child processes (removed at teardown).

    Holds ``config`` (region; the AWS CLI v1 plugin) and the plugin module itself, so a
    child's ``aws`` reads nothing of the user's and keeps every service on the course's
    endpoint. :meth:`variables` are what children need to find it.

    Example
    -------
    >>> config = ChildConfig("us-east-1"); "plugins" in config.path.joinpath("config").read_text()
    True
    >>> config.remove(); config.path.exists()
    False
    """

    def __init__(self, region: str) -> None:
        from pathlib import Path

        self.path = Path(tempfile.mkdtemp(prefix="securecart-aws-"))
        shutil.copyfile(awscli_plugin.__file__,
                        self.path / f"{awscli_plugin.MODULE_NAME}.py")
        (self.path / "config").write_text(
            f"[default]\nregion = {region}\n\n"
            f"[plugins]\nsecurecart_local = {awscli_plugin.MODULE_NAME}\n")

    def variables(self, note: str | None) -> dict[str, str | None]:
        """``AWS_CONFIG_FILE``, the plugin on ``PYTHONPATH``, and on ``moto`` the note."""
        path = os.pathsep.join(p for p in (str(self.path), os.environ.get("PYTHONPATH")) if p)
        return {"AWS_CONFIG_FILE": str(self.path / "config"), "PYTHONPATH": path,
                awscli_plugin.NOTE_VARIABLE: note}

    def remove(self) -> None:
        """Delete the directory (idempotent)."""
        shutil.rmtree(self.path, ignore_errors=True)


class ProcessEnvironment:
    """Changes to ``os.environ`` that can be undone exactly (other keys are left alone).

    Example
    -------
    >>> changes = ProcessEnvironment()
    >>> changes.apply({"SECURECART_DOCTEST": "1"}); os.environ["SECURECART_DOCTEST"]
    '1'
    >>> changes.restore(); "SECURECART_DOCTEST" in os.environ
    False
    """

    def __init__(self) -> None:
        self._original: dict[str, str | None] = {}
        self._applied: dict[str, str | None] = {}

    def apply(self, values: dict[str, str | None]) -> None:
        """Set (str) or remove (None) each variable, remembering its original value once."""
        for key, value in values.items():
            self._original.setdefault(key, os.environ.get(key))
            self._applied[key] = value
            _set(key, value)

    def restore(self) -> None:
        """Put back every variable :meth:`apply` touched."""
        for key, value in self._original.items():
            _set(key, value)
        self._original.clear()
        self._applied.clear()

    def original(self, key: str) -> str | None:
        """The value ``key`` had before :meth:`apply` (the shell's)."""
        return self._original[key] if key in self._original else os.environ.get(key)

    @contextlib.contextmanager
    def as_before(self) -> Iterator[None]:
        """Inside the block the process sees the shell's variables again."""
        for key, value in self._original.items():
            _set(key, value)
        try:
            yield
        finally:
            for key, value in self._applied.items():
                _set(key, value)


def _set(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    """One loader of botocore's JSON models for every local session of this process.

    Each new botocore session otherwise parses endpoints.json and each service model again
    (about 0.1 s a session); the loader caches what it parsed and nothing changes it.
    """
    return botocore.loaders.create_loader()


def fake_session(region: str, credentials: dict[str, str] | None = None) -> boto3.Session:
    """A boto3 session that reads no user configuration at all: fake credentials, or the
    ``credentials`` an ``AssumeRole`` on the local backend returned (``AccessKeyId``,
    ``SecretAccessKey``, ``SessionToken``)."""
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    core.register_component("data_loader", _shared_loader())
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    core.set_config_variable("ignore_configured_endpoint_urls", "true")
    if credentials is None:
        core.set_credentials("testing", "testing")
    else:
        core.set_credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                             credentials.get("SessionToken"))
    return boto3.Session(botocore_session=core, region_name=region)


def reset_moto() -> None:
    """Empty every moto backend and moto's instance tracker (``POST /moto-api/reset``)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _closed_refusal(env: Environment) -> Any:
    ref = weakref.ref(env)

    def refuse(**kwargs: Any) -> None:
        owner = ref()
        if owner is None or (owner.closed and not owner._tearing_down):
            run = owner.run if owner is not None else "?"
            raise EnvironmentClosedError(
                f"This boto3 client was made while the local environment (run {run!r}) was "
                "open, and that environment was torn down: its backend is gone, and the "
                "client would otherwise send your request (with the shell's credentials) to "
                "real AWS. Fix: run the `env = helpers.connect()` cell again and make the "
                "client from it: env.client('sqs').")
    return refuse


def _tag_caller(request: Any, **_: Any) -> None:
    """Name the sending thread (the simulated clock belongs to the one that connected)."""
    from ..emulation.sqs.receive import CALLER_HEADER, caller_tag

    request.headers[CALLER_HEADER] = caller_tag()


class LocalBackend:
    """Everything a local environment changes in the process, started and stopped together.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> os.environ["AWS_ACCESS_KEY_ID"], env._local_backend.guard.active
    ('testing', True)
    >>> _ = env.teardown()
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.guard = LoopbackGuard()
        self.environ = ProcessEnvironment()
        self._patches: list[Any] = []
        self._mock: Any = None
        self._server: Any = None
        self._closed_port: socket.socket | None = None
        self._child_config: ChildConfig | None = None

    def start(self, moto_config: dict[str, Any]) -> None:
        """Guard, variables, clock, moto (or its server), stand-ins: in that order."""
        import moto
        from moto.core.config import default_user_config
        from moto.moto_api._internal import mock_random

        from ..emulation._preload import defer_iri_syntax, light_batch_utils

        light_batch_utils()  # Step Functions without moto's EC2 backend: ~3 s less (make bench)
        defer_iri_syntax()  # API Gateway without compiling an unused grammar: ~1.3 s less
        env = self.env
        self.guard.start()
        env.clock.start()
        mock_random.seed(env.seed)
        if env.backend == "moto":
            # Children cannot reach the in-process moto: a bound, never listening port
            # refuses them at once. In this process, boto3 ignores that variable (moto
            # intercepts every call), so plain boto3.client(...) keeps working.
            self._closed_port = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._closed_port.bind(("127.0.0.1", 0))
            endpoint = f"http://127.0.0.1:{self._closed_port.getsockname()[1]}"
            self.environ.apply(child_variables(endpoint, env.region))
            self._child_config = ChildConfig(env.region)
            self.environ.apply(self._child_config.variables(MOTO_CHILD_NOTE))
            self._patch(mock.patch(
                "botocore.configprovider.ConfiguredEndpointProvider.provide",
                return_value=None))
            self._mock = moto.mock_aws(config=moto_config)
            self._mock.start()
            # moto sets its own fake keys; children see the course's (also fake).
            self.environ.apply({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
        else:
            from moto.server import ThreadedMotoServer

            reset_moto()
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
            self._patch(mock.patch.dict(default_user_config, moto_config))
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.guard.allow(port)
            env.endpoint_url = f"http://{host}:{port}"
            # MOTO_PORT: moto's own Step Functions tasks call the server they run in.
            self.environ.apply({**child_variables(env.endpoint_url, env.region),
                                "MOTO_PORT": str(port)})
            self._child_config = ChildConfig(env.region)
            self.environ.apply(self._child_config.variables(None))
        self._refuse_clients_after_teardown()
        for group in env.emulation.values():
            group.start()
        from ..emulation._signatures import check
        check(env.emulation.values())  # a moto upgrade that changed a patched function warns

    def _patch(self, patcher: Any) -> None:
        patcher.start()
        self._patches.append(patcher)

    def _refuse_clients_after_teardown(self) -> None:
        from botocore.client import ClientCreator

        original = ClientCreator.create_client
        refuse = _closed_refusal(self.env)
        server = self.env.backend == "server"

        def create_client(creator: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(creator, *args, **kwargs)
            client.meta.events.register("before-parameter-build", refuse)
            if server:  # the server's stand-ins learn which thread sent a request
                client.meta.events.register("before-send", _tag_caller)
            return client

        self._patch(mock.patch.object(ClientCreator, "create_client", create_client))

    def stop(self) -> None:
        """Undo :meth:`start` (safe on a half-started backend)."""
        for group in reversed(list(self.env.emulation.values())):
            group.stop()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._server is not None:
            self._server.stop()
            self._server = None
            reset_moto()
        while self._patches:
            self._patches.pop().stop()
        self.env.clock.stop()
        self.environ.restore()
        if self._closed_port is not None:
            self._closed_port.close()
            self._closed_port = None
        if self._child_config is not None:
            self._child_config.remove()
            self._child_config = None
        self.guard.stop()
