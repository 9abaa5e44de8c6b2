"""Start-up and shut-down of the backends behind :func:`helpers.connect`.

A local backend (``moto``, or ``server`` = moto over HTTP inside the kernel) changes the
whole process while it is open, and puts everything back at teardown:

=====================================  ==========================================================
what                                   while a local backend is open
=====================================  ==========================================================
sockets, name lookups                  :class:`~helpers.platform.safety.LoopbackGuard`: nothing
                                       leaves loopback; loopback only to the course's server,
                                       servers this kernel started, endpoints the student named
``os.environ`` (what children          ``AWS_ENDPOINT_URL`` = the course's server, or on ``moto``
inherit: ``!aws ...``, a Python        a closed loopback port (the in-process moto cannot be
child running boto3)                   reached from another process); fake credentials
                                       ``testing``; region ``us-east-1``; no profile, config
                                       or credentials file of the user's (a generated config:
                                       region, and an AWS CLI v1 plugin that keeps SQS on
                                       ``AWS_ENDPOINT_URL`` and, on ``moto``, stops a call at
                                       once, saying why); no ``AWS_ENDPOINT_URL_<SERVICE>``;
                                       no proxies (``HTTP(S)_PROXY``, ``ALL_PROXY``,
                                       ``NO_PROXY``, either case)
boto3 clients made meanwhile           refuse with ``EnvironmentClosedError`` after teardown
                                       (they would otherwise target real AWS)
moto's state                           reset at connect and at teardown (``server`` too: the
                                       same reset as ``POST /moto-api/reset``, and moto's
                                       instance tracker is emptied, so memory stays flat)
=====================================  ==========================================================

On ``aws``, :func:`check_aws` validates the profile, the credentials and the region offline
*before* a local environment still open is torn down, and :func:`classroom_run` makes the run
id unique per user and kernel (``lab1`` becomes ``lab1-<6 hex>``), so that students sharing an
account never share names, and the leftover sweep at teardown touches only this run.

Four modules: :mod:`.choice` (which backend), :mod:`.local` (the table above), :mod:`.aws`,
and :mod:`.queue_names` (AWS's 60-second rule for a deleted queue's name).

Example
-------
>>> from helpers.backends import child_variables
>>> child_variables("http://127.0.0.1:5000")["AWS_ENDPOINT_URL"]
'http://127.0.0.1:5000'
"""

from .aws import CLASSROOM_SUFFIX_CHARS, check_aws, classroom_run, tagged_leftovers
from .choice import BACKEND_VARIABLE, BACKENDS, ENDPOINT_VARIABLE, resolve_backend
from .local import (
    HIDDEN_VARIABLES,
    MOTO_CHILD_NOTE,
    PROXY_VARIABLES,
    ChildConfig,
    LocalBackend,
    ProcessEnvironment,
    child_variables,
    fake_session,
    reset_moto,
)

__all__ = ["BACKENDS", "BACKEND_VARIABLE", "ENDPOINT_VARIABLE", "resolve_backend", "LocalBackend", "ProcessEnvironment", "child_variables", "fake_session",
           "reset_moto", "check_aws", "classroom_run", "tagged_leftovers", "PROXY_VARIABLES",
           "HIDDEN_VARIABLES", "CLASSROOM_SUFFIX_CHARS", "ChildConfig", "MOTO_CHILD_NOTE"]
