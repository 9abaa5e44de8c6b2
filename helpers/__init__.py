"""SecureCart workbook helpers: ``env = helpers.connect()`` and the modules of each notebook.

Layers (imports run downwards only; ``lint-imports`` checks the contracts in ``pyproject.toml``)
-----------------------------------------------------------------------------------------------
notebook modules   ``architecture`` (01), ``choosing`` (02), ``lab1`` (03), ``observability_lab`` (07), ...
course             the teaching framework: results, checks, quiz, topology, student copies
service toolkits   ``sqs`` (and the toolkits of the later labs), each the same module set
environment        ``connect()`` and the one :class:`Environment` object
emulation, data    AWS behaviours moto lacks (one module per service); SecureCart's sample data
platform           clock, event log, call recorder, naming, resources, safety, errors, limits

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.backend
'moto'
>>> env.teardown()
Teardown of run 'demo': deleted 0 resources.
"""

from __future__ import annotations

from . import (
    apigateway,
    architecture,
    choosing,
    course,
    data,
    events,
    kinesis,
    lab1,
    lab2,
    lab3,
    observability,
    observability_lab,
    orchestration,
    patterns,
    sns,
    sqs,
    stepfunctions,
)
from .emulation import EMULATED, DeliveryModel
from .environment import BACKENDS, Environment, connect
from .platform import limits
from .platform.about import versions
from .platform.clock import RealClock, SimClock
from .platform.errors import (
    CredentialsMissingError,
    DataValidationError,
    EnvironmentClosedError,
    InvalidGroupIdError,
    InvalidMessageBodyError,
    InvalidNameError,
    InvalidParameterError,
    InvalidRedrivePolicyError,
    InvalidStateMachineError,
    MessageTooLargeError,
    MissingGroupIdError,
    NetworkBlockedError,
    NoCheckpointError,
    NotReadyError,
    ProfileNotFoundError,
    QueueDeletedRecentlyError,
    QueueTypeMismatchError,
    SecureCartError,
    StreamNotFoundError,
    UnknownBackendError,
    UnknownScenarioError,
)
from .platform.eventlog import COLUMNS, EventLog

__version__ = "0.1.0"

__all__ = [
    "connect",
    "versions",
    "Environment",
    "BACKENDS",
    "EventLog",
    "COLUMNS",
    "SimClock",
    "RealClock",
    "DeliveryModel",
    "EMULATED",
    "limits",
    "data",
    "architecture",
    "choosing",
    "course",
    "sqs",
    "lab1",
    "events",
    "lab3",
    "stepfunctions",
    "kinesis",
    "orchestration",
    "apigateway",
    "observability",
    "observability_lab",
    "patterns",
    "sns",
    "lab2",
    "SecureCartError",
    "UnknownBackendError",
    "UnknownScenarioError",
    "CredentialsMissingError",
    "InvalidNameError",
    "EnvironmentClosedError",
    "NetworkBlockedError",
    "InvalidParameterError",
    "MessageTooLargeError",
    "MissingGroupIdError",
    "InvalidRedrivePolicyError",
    "QueueTypeMismatchError",
    "DataValidationError",
    "NotReadyError",
    "InvalidStateMachineError",
    "StreamNotFoundError",
    "NoCheckpointError",
    "__version__",
    "ProfileNotFoundError",
    "QueueDeletedRecentlyError",
    "InvalidMessageBodyError",
    "InvalidGroupIdError",
]
