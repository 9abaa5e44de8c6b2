"""``helpers.connect()`` and the one environment object every helper takes.

The environment carries the backend, the boto3 clients, the clock, the event log, the
resources a run created and their teardown. Nothing lives in module globals except the
record of which local environment holds the process-wide moto patches, so that re-running a
notebook's first cell closes the previous one instead of stacking patches.

Backends
--------
``moto`` (default)
    In-process moto, region ``us-east-1``, fake credentials, simulated clock, AWS behaviours
    moto lacks supplied by :mod:`helpers.emulation`, and every connection outside loopback
    refused, whatever ``AWS_*`` variables or profile the shell has.
``server``
    The same moto, started inside the kernel on ``127.0.0.1`` (ephemeral port) and reached
    over real HTTP. With ``SECURECART_ENDPOINT_URL`` set, that external endpoint instead (a
    classroom moto server, LocalStack): real clock, no stand-ins.
``aws``
    Your real account through the standard credential chain, only on explicit opt-in.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.backend, env.region
('moto', 'us-east-1')
>>> env.teardown()
Teardown of run 'demo': deleted 0 resources.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import secrets
from collections.abc import Iterator
from typing import Any, ClassVar
from unittest import mock

import boto3
import botocore.session
from botocore.config import Config

from .emulation import GROUPS, DeliveryModel
from .platform.clock import RealClock, SimClock
from .platform.errors import (
    CredentialsMissingError,
    EnvironmentClosedError,
    InvalidParameterError,
    UnknownBackendError,
)
from .platform.eventlog import EventLog
from .platform.naming import Naming
from .platform.recorder import ACTOR, Recorder
from .platform.resources import Resources
from .platform.safety import LoopbackGuard

__all__ = ["connect", "Environment", "TeardownReport", "BACKENDS", "BACKEND_VARIABLE", "ENDPOINT_VARIABLE"]

#: The backends :func:`connect` accepts.
BACKENDS = ("moto", "server", "aws")
#: Environment variable that picks the backend when ``connect()`` is not told.
BACKEND_VARIABLE = "SECURECART_BACKEND"
#: Environment variable naming an external endpoint for the ``server`` backend.
ENDPOINT_VARIABLE = "SECURECART_ENDPOINT_URL"
#: Region of the local backends.
LOCAL_REGION = "us-east-1"
#: moto's default account id.
LOCAL_ACCOUNT = "123456789012"
#: Run id of the local backends when none is given (stable notebook outputs).
LOCAL_RUN = "demo"

#: Variables hidden from the process while a local backend is open, so that neither the
#: helpers nor moto's own internal boto3 sessions read the user's AWS settings.
_HIDDEN_VARIABLES = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE",
    "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
    "https_proxy",
)

_SERVICE_ALIASES = {"eventbridge": "events", "sfn": "stepfunctions", "lambda_": "lambda"}
_MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}


def _resolve_backend(backend: str | None) -> str:
    chosen = backend if backend is not None else os.environ.get(BACKEND_VARIABLE, "")
    chosen = (chosen or "moto").strip().lower()
    if chosen not in BACKENDS:
        source = "backend argument" if backend is not None else f"{BACKEND_VARIABLE} variable"
        raise UnknownBackendError(
            f"Unknown backend {chosen!r} (from the {source}): the course runs on one of "
            f"{', '.join(BACKENDS)}. Fix: use 'moto' (default, no AWS account), 'server' "
            "(moto over HTTP) or 'aws' (your own account, explicit opt-in)."
        )
    return chosen


class TeardownReport(list):
    """What :meth:`Environment.teardown` deleted (a list of ``"kind name"``), shown as one line.

    Example
    -------
    >>> TeardownReport("demo", ["queue securecart-demo-orders"])
    Teardown of run 'demo': deleted 1 resource (queue securecart-demo-orders).
    """

    def __init__(self, run: str, deleted: list[str], again: bool = False) -> None:
        super().__init__(deleted)
        self.run = run
        self.again = again

    def __repr__(self) -> str:
        if self.again:
            return f"Teardown of run {self.run!r}: already torn down, nothing left to delete."
        noun = "resource" if len(self) == 1 else "resources"
        listing = f" ({', '.join(self)})" if self else ""
        return f"Teardown of run {self.run!r}: deleted {len(self)} {noun}{listing}."


class Environment:
    """The course environment: backend, clients, clock, log, resources and teardown.

    Make one with :func:`connect`; do not construct it directly.

    Attributes
    ----------
    backend : str
        ``"moto"``, ``"server"`` or ``"aws"``.
    clock : SimClock | RealClock
        ``clock.now()``, ``clock.advance(seconds)``; simulated on the local backends.
    log : EventLog
        One row per operation; ``log.to_frame()`` for pandas.
    resources : Resources
        What this run created and still exists.
    delivery : DeliveryModel
        Standard-queue duplicates and reordering emulated on moto (ignored on AWS).

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> sqs = env.client("sqs")
    >>> env.sleep(30)  # no waiting on moto
    >>> env.clock.elapsed()
    30.0
    >>> env.teardown()
    Teardown of run 'demo': deleted 0 resources.
    """

    #: The local environment that currently holds the process-wide moto patches.
    _active_local: ClassVar[Environment | None] = None

    def __init__(self, backend: str, *, run: str, seed: int, region: str,
                 endpoint_url: str | None, quiet: bool) -> None:
        self.backend = backend
        self.region = region
        self.seed = seed
        self.naming = Naming(run)
        self.endpoint_url = endpoint_url
        self.local = backend == "moto" or (backend == "server" and endpoint_url is None)
        self.clock: SimClock | RealClock = SimClock() if self.local else RealClock()
        self.log = EventLog(self.clock)
        self.resources = Resources()
        self.delivery = DeliveryModel()
        #: The stand-ins of each AWS service (:mod:`helpers.emulation`), local backends only.
        self.emulation = {group.SERVICE: group(self) for group in GROUPS} if self.local else {}
        self.stand_ins = self.emulation.get("sqs")
        self.account = LOCAL_ACCOUNT if backend != "aws" else ""
        self.closed = False
        self._quiet = quiet
        self._clients: dict[str, Any] = {}
        self._streams: dict[str, random.Random] = {}
        self._recorder = Recorder(self)
        self._guard = LoopbackGuard() if self.local else None
        self._mock: Any = None
        self._server: Any = None
        self._config_patch: Any = None
        self._environ_patch: Any = None
        self._session: boto3.Session | None = None
        self._tearing_down = False
        #: Per-environment state of the course modules (a notebook's hint book, counters...):
        #: a fresh ``connect()`` starts from nothing. Keyed by the module that owns it.
        self.state: dict[str, Any] = {}

    # -- identity ---------------------------------------------------------------------
    @property
    def run(self) -> str:
        """The run id in every name (``securecart-<run>-...``)."""
        return self.naming.run

    @property
    def prefix(self) -> str:
        """The prefix of every name this run creates."""
        return self.naming.prefix

    @property
    def tags(self) -> dict[str, str]:
        """The tags every resource of this run carries."""
        return dict(self.naming.tags)

    @property
    def emulated(self) -> bool:
        """True when the AWS behaviours moto lacks are supplied by :mod:`helpers.emulation`."""
        return self.stand_ins is not None

    def name(self, base: str, service: str = "sqs") -> str:
        """``base`` with the run prefix, checked against the AWS naming rule of ``service``."""
        return self.naming.name(base, service)

    # -- start ------------------------------------------------------------------------
    def _start(self) -> None:
        if self.local:
            self._start_local()
            return
        # A local environment still open would keep moto intercepting every call (and the
        # loopback guard refusing AWS): close it, so "aws" really means the real account.
        previous = Environment._active_local
        if previous is not None and not previous.closed:
            previous.teardown()
        if self.backend == "server":
            self._session = self._fake_session()
        else:
            self._start_aws()

    def _fake_session(self) -> boto3.Session:
        # Read no user config: AWS_PROFILE is not consulted, no config or credentials file,
        # no credential_process, no configured endpoint URLs.
        core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        core.set_config_variable("config_file", os.devnull)
        core.set_config_variable("credentials_file", os.devnull)
        core.set_config_variable("ignore_configured_endpoint_urls", "true")
        core.set_credentials("testing", "testing")
        return boto3.Session(botocore_session=core, region_name=self.region)

    def _start_local(self) -> None:
        import moto
        from moto.core.config import default_user_config
        from moto.moto_api._internal import mock_random

        from .emulation._preload import light_batch_utils

        light_batch_utils()  # Step Functions without moto's EC2 backend: ~3 s less (make bench)

        previous = Environment._active_local
        if previous is not None and not previous.closed:
            previous.teardown(quiet=True)
        Environment._active_local = self
        try:
            self._guard.start()
            hidden = {k: "" for k in os.environ if k.startswith("AWS_ENDPOINT_URL_")}
            self._environ_patch = mock.patch.dict(os.environ, {
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": self.region,
            })
            self._environ_patch.start()
            for key in (*_HIDDEN_VARIABLES, *hidden):
                os.environ.pop(key, None)
            self.clock.start()
            mock_random.seed(self.seed)
            if self.backend == "moto":
                self._mock = moto.mock_aws(config=_MOTO_CONFIG)
                self._mock.start()
            else:
                from moto.server import ThreadedMotoServer

                logging.getLogger("werkzeug").setLevel(logging.ERROR)
                self._config_patch = mock.patch.dict(default_user_config, _MOTO_CONFIG)
                self._config_patch.start()
                self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
                self._server.start()
                host, port = self._server.get_host_and_port()
                self.endpoint_url = f"http://{host}:{port}"
            for group in self.emulation.values():
                group.start()
            self._session = self._fake_session()
        except BaseException:
            self._stop_local()
            raise

    def _start_aws(self) -> None:
        session = boto3.Session(region_name=self.region or None)
        if session.get_credentials() is None:
            raise CredentialsMissingError(
                "Backend 'aws' was asked for but no AWS credentials were found (environment "
                "variables, AWS_PROFILE, ~/.aws/credentials, SSO, instance role). The aws "
                "backend uses the standard credential chain. Fix: run `aws configure` or "
                "`aws sso login` and set AWS_PROFILE, or use backend='moto' (no account needed)."
            )
        if not session.region_name:
            raise InvalidParameterError(
                "Backend 'aws' needs a region and none is configured (AWS_REGION, AWS_PROFILE's "
                "region, or connect(region=...)). Fix: connect(backend='aws', region='us-east-1')."
            )
        self._session = session
        self.region = session.region_name
        self.account = session.client("sts").get_caller_identity()["Account"]

    # -- clients ----------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` bound to this backend, named, tagged and logged.

        Parameters
        ----------
        service
            As for ``boto3.client``: ``"sqs"``, ``"sns"``, ``"events"``, ``"stepfunctions"``...

        Example
        -------
        >>> import helpers
        >>> env = helpers.connect(quiet=True)
        >>> env.client("sqs").list_queues().get("QueueUrls", [])
        []
        >>> env.teardown()
        Teardown of run 'demo': deleted 0 resources.
        """
        self._require_open(f"client({service!r})")
        service = _SERVICE_ALIASES.get(service, service)
        if service not in self._clients:
            self._clients[service] = self._make_client(service)
        return self._clients[service]

    def _make_client(self, service: str) -> Any:
        options: dict[str, Any] = {}
        if self.local or self.backend == "server":
            options["retries"] = {"total_max_attempts": 1}
            options["proxies"] = {"http": None, "https": None}
        else:
            options["retries"] = {"mode": "standard", "max_attempts": 5}
        if service.startswith("dynamodb"):
            # DynamoDB Streams on moto need it; harmless on AWS.
            options["account_id_endpoint_mode"] = "disabled"
        client = self._session.client(service, region_name=self.region,
                                      endpoint_url=self.endpoint_url, config=Config(**options))
        self._recorder.attach(client, service)
        return client

    # -- time -------------------------------------------------------------------------
    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass: instantly on the simulated clock, really on AWS."""
        self._require_open("sleep()")
        self.clock.advance(seconds)

    def random(self, stream: str) -> random.Random:
        """A seeded random stream named ``stream`` (independent of every other stream)."""
        if stream not in self._streams:
            self._streams[stream] = random.Random(f"{self.seed}:{stream}")
        return self._streams[stream]

    @contextlib.contextmanager
    def acting(self, actor: str) -> Iterator[None]:
        """Rows logged inside the block carry ``actor`` (e.g. ``"consumer-2"``)."""
        token = ACTOR.set(actor)
        try:
            yield
        finally:
            ACTOR.reset(token)

    # -- state ------------------------------------------------------------------------
    def _require_open(self, what: str) -> None:
        if self.closed and not self._tearing_down:
            raise EnvironmentClosedError(
                f"Cannot call {what}: this environment (run {self.run!r}) was torn down, and "
                "a torn-down environment has no resources or clients. Fix: run the "
                "`env = helpers.connect()` cell again, then the cells after it."
            )

    def describe(self) -> str:
        """Backend, region, account, clock and what exists, as a few lines of text."""
        if self.backend == "moto":
            where = "moto (in-process; AWS behaviours moto lacks are emulated on moto)"
        elif self.local:
            where = f"server (moto over HTTP at {self.endpoint_url}; emulated on moto)"
        elif self.backend == "server":
            where = f"server (external endpoint {self.endpoint_url}; real clock)"
        else:
            where = "aws (REAL account: resources cost money until teardown)"
        kind = "simulated" if self.clock.simulated else "real"
        state = "torn down" if self.closed else self.resources.summary()
        return (
            f"SecureCart environment\n"
            f"  backend  : {where}\n"
            f"  region   : {self.region}    account: {self.account}\n"
            f"  run      : {self.run}    names: {self.prefix}*    tags: course=securecart, run={self.run}\n"
            f"  clock    : {kind}, {self.clock.now():%Y-%m-%d %H:%M:%S} UTC (+{self.clock.elapsed():.1f} s)\n"
            f"  resources: {state}"
        )

    def __repr__(self) -> str:
        return self.describe()

    # -- teardown ---------------------------------------------------------------------
    def teardown(self, quiet: bool | None = None) -> TeardownReport:
        """Delete everything this run created, dependents first; safe to call twice.

        On ``aws`` it also deletes leftovers that carry this run's tags. Returns what was
        deleted; its repr is one line for the notebook (``quiet`` is kept for symmetry with
        :func:`connect` and changes nothing).
        """
        if self.closed:
            return TeardownReport(self.run, [], again=True)
        self._tearing_down = True
        self.closed = True
        deleted: list[str] = []
        try:
            deleted = self.resources.teardown(self.client)
            if self.backend == "aws":
                deleted += self._delete_tagged_leftovers()
        finally:
            self._tearing_down = False
            if self.local:
                self._stop_local()
        return TeardownReport(self.run, deleted)

    def _stop_local(self) -> None:
        for group in reversed(list(self.emulation.values())):
            group.stop()
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._config_patch is not None:
            self._config_patch.stop()
            self._config_patch = None
        self.clock.stop()
        if self._environ_patch is not None:
            self._environ_patch.stop()
            self._environ_patch = None
        if self._guard is not None:
            self._guard.stop()
        if Environment._active_local is self:
            Environment._active_local = None

    def _delete_tagged_leftovers(self) -> list[str]:
        """Delete what still carries this run's tags or prefix (a crashed kernel's leftovers).

        Tags find every taggable resource; the name prefix also finds the few the tagging
        API does not list (EventBridge rules on some accounts, and on moto).
        """
        tagging = self._session.client("resourcegroupstaggingapi", region_name=self.region)
        filters = [{"Key": "course", "Values": ["securecart"]}, {"Key": "run", "Values": [self.run]}]
        leftovers = Resources()
        sqs = self.client("sqs")
        for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
            for item in page["ResourceTagMappingList"]:
                leftovers.adopt(item["ResourceARN"], sqs)
        for url in sqs.list_queues(QueueNamePrefix=self.prefix).get("QueueUrls", []):
            leftovers.adopt(sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"], sqs)
        for rule in self.client("events").list_rules(NamePrefix=self.prefix)["Rules"]:
            leftovers.adopt(rule["Arn"])
        for page in self.client("sns").get_paginator("list_topics").paginate():
            for topic in page["Topics"]:
                if topic["TopicArn"].rsplit(":", 1)[-1].startswith(self.prefix):
                    leftovers.adopt(topic["TopicArn"])
        return [f"leftover {item}" for item in leftovers.teardown(self.client)]


def connect(backend: str | None = None, *, run: str | None = None, seed: int = 42,
            region: str | None = None, quiet: bool = False) -> Environment:
    """Open the course environment: the first cell of every notebook.

    Parameters
    ----------
    backend
        ``"moto"`` (default), ``"server"`` or ``"aws"``. When not given, the
        ``SECURECART_BACKEND`` variable decides (unset or empty means ``"moto"``).
    run
        Run id in every name (``securecart-<run>-...``). Local backends default to
        ``"demo"`` (stable outputs); ``aws`` to a random 6-character id.
    seed
        Seeds every random choice (message ids on moto, faults, order data).
    region
        ``us-east-1`` on the local backends; on ``aws`` your configured region by default.
    quiet
        Print nothing.

    Returns
    -------
    Environment
        Re-running ``connect()`` on a local backend closes the previous environment first,
        so a notebook run twice in one kernel does the same thing twice.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> env.prefix
    'securecart-demo-'
    >>> env.teardown()
    Teardown of run 'demo': deleted 0 resources.
    """
    chosen = _resolve_backend(backend)
    endpoint = os.environ.get(ENDPOINT_VARIABLE) or None if chosen == "server" else None
    if run is None:
        run = secrets.token_hex(3) if chosen == "aws" else LOCAL_RUN
    if chosen != "aws":
        region = LOCAL_REGION if region is None else region
    env = Environment(chosen, run=run, seed=seed, region=region or "", endpoint_url=endpoint, quiet=quiet)
    env._start()
    if not quiet:
        print(env.describe())
        if chosen == "aws":
            print(f"  will create: queues, topics, rules named {env.prefix}*, tagged course=securecart "
                  f"and run={env.run}; call env.teardown() when done.")
    return env
