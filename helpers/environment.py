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
import os
import random
import secrets
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from .backends import (
    BACKEND_VARIABLE,
    BACKENDS,
    ENDPOINT_VARIABLE,
    LocalBackend,
    check_aws,
    classroom_run,
    fake_session,
    queue_names,
    resolve_backend,
    tagged_leftovers,
)
from .backends.queue_names import DeletedQueueNames
from .emulation import GROUPS, DeliveryModel
from .platform.clock import RealClock, SimClock
from .platform.errors import (
    EnvironmentClosedError,
    InvalidParameterError,
)
from .platform.eventlog import EventLog
from .platform.naming import Naming
from .platform.recorder import ACTOR, Recorder
from .platform.resources import Resources, TeardownReport
from .platform.scenario import SCENARIO_VARIABLE, SCENARIOS, resolve_scenario, sized

__all__ = ["connect", "Environment", "TeardownReport", "BACKENDS", "BACKEND_VARIABLE", "ENDPOINT_VARIABLE",
           "SCENARIOS", "SCENARIO_VARIABLE"]

#: Region of the local backends.
LOCAL_REGION = "us-east-1"
#: moto's default account id.
LOCAL_ACCOUNT = "123456789012"
#: Run id of the local backends when none is given (stable notebook outputs).
LOCAL_RUN = "demo"

_SERVICE_ALIASES = {"eventbridge": "events", "sfn": "stepfunctions", "lambda_": "lambda"}
_MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}


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
    scenario : str
        ``"full"`` or ``"short"``: the sizes the experiments run with (:meth:`sized`).

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
    #: On aws: when each run prefix last had queues deleted (AWS's 60-second name rule).
    _deleted_queues: ClassVar[DeletedQueueNames] = DeletedQueueNames()

    def __init__(self, backend: str, *, run: str, seed: int, region: str,
                 endpoint_url: str | None, quiet: bool, scenario: str = "full") -> None:
        self.backend = backend
        self.scenario = scenario
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
        #: The SQS stand-ins (``env.emulation["sqs"]``); ``stand_ins`` is its older name.
        self.sqs_stand_ins = self.emulation.get("sqs")
        self.stand_ins = self.sqs_stand_ins
        self.account = LOCAL_ACCOUNT if backend != "aws" else ""
        self.closed = False
        self._quiet = quiet
        self._clients: dict[str, Any] = {}
        self._streams: dict[str, random.Random] = {}
        self._recorder = Recorder(self)
        self._local_backend = LocalBackend(self) if self.local else None
        self._guard = self._local_backend.guard if self._local_backend else None
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
    def _start(self, exact_run: bool = False) -> None:
        if self.local:
            self._start_local()
            return
        # A local environment still open would keep moto intercepting every call (and the
        # loopback guard refusing AWS): close it, so "aws" really means the real account.
        # Validate first, against the shell's own variables: a failed connect leaves it open.
        previous = Environment._active_local
        open_local = previous if previous is not None and not previous.closed else None
        if self.backend == "aws":
            before = open_local._local_backend.environ if open_local is not None else None
            region = check_aws(self.region or None, before)
        if open_local is not None:
            open_local.teardown()
        if self.backend == "server":
            self._session = fake_session(self.region)
        else:
            self._start_aws(region, exact_run)

    def _start_local(self) -> None:
        previous = Environment._active_local
        if previous is not None and not previous.closed:
            previous.teardown(quiet=True)
        Environment._active_local = self
        try:
            self._local_backend.start(_MOTO_CONFIG)
            self._session = fake_session(self.region)
        except BaseException:
            self._stop_local()
            raise

    def _start_aws(self, region: str, exact_run: bool) -> None:
        session = boto3.Session(region_name=region)
        self._session = session
        self.region = region
        identity = session.client("sts").get_caller_identity()
        self.account = identity["Account"]
        if not exact_run:
            self.naming = Naming(classroom_run(self.run, identity["Arn"]))
        note = Environment._deleted_queues.note(self.prefix)
        if note and not self._quiet:
            print(note)

    def wait_for_queue_names(self) -> float:
        """On ``aws``: wait until this run's deleted queue names may be reused; seconds waited.

        AWS refuses to create a queue with the name of one deleted less than 60 seconds ago
        (``QueueDeletedRecently``). Elsewhere this returns 0 at once.
        """
        return Environment._deleted_queues.wait(self.prefix) if self.backend == "aws" else 0.0

    def allow_endpoint(self, url: str) -> None:
        """Let the local backend's guard pass loopback traffic to ``url``'s port.

        Only a loopback URL may be named (``http://127.0.0.1:8080/hook``): the guard still
        refuses everything outside loopback. The course's own servers (its moto server, a
        :class:`helpers.sns.webhook.Webhook`) need no naming; a server you start yourself in
        the notebook (``http.server``, Flask) does: binding a port does not make it trusted,
        since any socket could bind the port a local proxy listens on.

        Example
        -------
        >>> import helpers
        >>> env = helpers.connect(quiet=True)
        >>> env.allow_endpoint("http://127.0.0.1:8080/hook")
        >>> 8080 in env._guard.allowed_ports
        True
        >>> _ = env.teardown()
        """
        self._require_open("allow_endpoint()")
        parts = urlsplit(url if isinstance(url, str) else "")
        from .platform.safety import is_loopback

        if not parts.port or not is_loopback(parts.hostname):
            raise InvalidParameterError(
                f"allow_endpoint({url!r}): only a loopback URL with a port can be named "
                "(e.g. 'http://127.0.0.1:8080/hook'); the local backend never leaves this "
                "machine. Fix: run your test server on 127.0.0.1 and name its port.")
        if self._guard is not None:
            self._guard.allow(parts.port)

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
        if service == "sqs":
            queue_names.attach(client)
        return client

    # -- scenario ---------------------------------------------------------------------
    @property
    def short(self) -> bool:
        """True in the ``short`` scenario (``SECURECART_SCENARIO=short``, ``make test-aws``)."""
        return self.scenario == "short"

    @property
    def requests(self) -> int:
        """API requests this environment's clients have made so far (reads included)."""
        return self._recorder.calls

    def sized(self, given: Any = None, *, full: Any, short: Any) -> Any:
        """``given`` if chosen, else this scenario's size (:func:`helpers.platform.scenario.sized`)."""
        return sized(self.scenario, given, full=full, short=short)

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
            + (f"\n  scenario : short (smaller sizes, same effects; {SCENARIO_VARIABLE})"
               if self.short else "")
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
                deleted += tagged_leftovers(self)
                if any(item.split(" ")[-2:-1] == ["queue"] for item in deleted):
                    Environment._deleted_queues.deleted(self.prefix)
        finally:
            self._tearing_down = False
            if self.local:
                self._stop_local()
        return TeardownReport(self.run, deleted)

    def _stop_local(self) -> None:
        self._local_backend.stop()
        if Environment._active_local is self:
            Environment._active_local = None


def connect(backend: str | None = None, *, run: str | None = None, seed: int = 42,
            region: str | None = None, quiet: bool = False,
            exact_run: bool = False, scenario: str | None = None) -> Environment:
    """Open the course environment: the first cell of every notebook.

    Parameters
    ----------
    backend
        ``"moto"`` (default), ``"server"`` or ``"aws"``. When not given, the
        ``SECURECART_BACKEND`` variable decides (unset or empty means ``"moto"``).
    run
        Run id in every name (``securecart-<run>-...``). Local backends default to
        ``"demo"`` (stable outputs); ``aws`` to a random 6-character id. On ``aws`` a
        given run id gets a suffix unique to the user and the kernel (``lab1`` becomes
        ``lab1-3f9a2c``), so students sharing an account never share names.
    seed
        Seeds every random choice (message ids on moto, faults, order data).
    region
        ``us-east-1`` on the local backends; on ``aws`` your configured region by default.
    quiet
        Print nothing.
    exact_run
        On ``aws``, use ``run`` exactly as given (e.g. to tear down what a crashed kernel
        left: ``connect("aws", run="lab1-3f9a2c", exact_run=True).teardown()``).
    scenario
        ``"full"`` (default) or ``"short"``: the sizes the experiments run with (fewer orders,
        shorter waits in ``short``, the same effects; see :meth:`Environment.sized`). When
        not given, the ``SECURECART_SCENARIO`` variable decides (unset or empty: ``"full"``).

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
    chosen = resolve_backend(backend)
    sizes = resolve_scenario(scenario)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidParameterError(
            f"seed={seed!r}: the seed of every random choice (message ids, faults, order data) "
            "is a whole number, so that a run is repeatable. Fix: connect(seed=42) or another "
            "int.")
    for flag, value in (("quiet", quiet), ("exact_run", exact_run)):
        if not isinstance(value, bool):
            raise InvalidParameterError(f"{flag}={value!r}: {flag} is a yes/no option. "
                                        f"Fix: {flag}=True or {flag}=False.")
    endpoint = os.environ.get(ENDPOINT_VARIABLE) or None if chosen == "server" else None
    run_was_random = run is None
    if run is None:
        run = secrets.token_hex(3) if chosen == "aws" else LOCAL_RUN
    if chosen != "aws":
        region = LOCAL_REGION if region is None else region
    env = Environment(chosen, run=run, seed=seed, region=region or "", endpoint_url=endpoint, quiet=quiet,
                      scenario=sizes)
    env._start(exact_run=exact_run or run_was_random)
    if not quiet:
        print(env.describe())
        if chosen == "aws":
            print(f"  will create: queues, topics, rules named {env.prefix}*, tagged course=securecart "
                  f"and run={env.run}; call env.teardown() when done.")
    return env
