"""SecureCart workbook helpers: ``env = helpers.connect()`` and the modules of each lab.

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

from . import architecture, data, decision, lab1, limits, quiz, services, sqs, sqs_plots, topology
from .about import versions
from .clock import RealClock, SimClock
from .emulation import EMULATED, DeliveryModel
from .environment import BACKENDS, Environment, connect
from .errors import (
    CredentialsMissingError,
    DataValidationError,
    EnvironmentClosedError,
    InvalidNameError,
    InvalidParameterError,
    InvalidRedrivePolicyError,
    MessageTooLargeError,
    MissingGroupIdError,
    NetworkBlockedError,
    NotReadyError,
    QueueTypeMismatchError,
    SecureCartError,
    UnknownBackendError,
)
from .eventlog import COLUMNS, EventLog

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
    "topology",
    "services",
    "decision",
    "quiz",
    "sqs",
    "sqs_plots",
    "lab1",
    "SecureCartError",
    "UnknownBackendError",
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
    "__version__",
]
