"""Every place where the helpers stand in for an AWS behaviour moto lacks.

The stand-ins are installed only on the local backends (``moto`` and the in-process
``server``); on ``aws`` the real service behaves as documented. Each row a stand-in writes
to ``env.log`` carries the outcome ``"emulated on moto"`` where a student would otherwise
mistake it for moto's own behaviour.

SQS (:mod:`helpers.emulation.sqs`)
    cheap clock; FIFO deduplication interval after delete; long polling on the simulated
    clock; at-least-once delivery and best-effort order (seeded); RedriveAllowPolicy and DLQ
    type and ``maxReceiveCount`` rules; message move tasks (DLQ redrive); DLQ moves logged;
    FIFO group order after a visibility timeout. Since issue 10, a package: the table of
    every SQS stand-in (AWS behaviour | moto alone | stand-in) is in its docstring.

SNS (:mod:`helpers.emulation.sns`)
    ``deliver`` / ``filter-drop`` rows in ``env.log``.

EventBridge (:mod:`helpers.emulation.events`)
    ``route`` rows in ``env.log``; a DISABLED rule delivers nothing (moto still delivers).

Environment (:mod:`helpers.environment`)
    Step Functions executions switched on (moto needs a config flag); DynamoDB Streams
    reached with ``account_id_endpoint_mode="disabled"``; message ids seeded.

Tests in ``tests/test_emulation_sqs.py`` pin each stand-in; when a moto upgrade makes one
unnecessary, its test tells you.

Example
-------
>>> from helpers.emulation import DeliveryModel
>>> DeliveryModel().active
False
"""

from __future__ import annotations

from ._base import _Patches
from .events import EventsStandIns
from .sns import SnsStandIns
from .sqs import EMULATED, DeliveryModel, SqsStandIns

__all__ = ["DeliveryModel", "SqsStandIns", "SnsStandIns", "EventsStandIns", "EMULATED", "GROUPS"]

#: One group of stand-ins per AWS service, started in this order (stopped in reverse) by every
#: local environment; ``env.emulation[service]`` is the group. A new service's module adds its
#: class here.
GROUPS: tuple[type[_Patches], ...] = (
    SqsStandIns,
    SnsStandIns,
    EventsStandIns,
)
