"""Every place where the helpers stand in for an AWS behaviour moto lacks.

The stand-ins are installed only on the local backends (``moto`` and the in-process
``server``); on ``aws`` the real service behaves as documented. Each row a stand-in writes
to ``env.log`` carries the outcome ``"emulated on moto"`` where a student would otherwise
mistake it for moto's own behaviour.

SQS (:mod:`helpers.emulation.sqs`)
    cheap clock; FIFO deduplication interval after delete; long polling on the simulated
    clock; at-least-once delivery and best-effort order (seeded); RedriveAllowPolicy and DLQ
    type and ``maxReceiveCount`` rules; message move tasks (DLQ redrive); DLQ moves logged;
    FIFO group order after a visibility timeout.

SNS and EventBridge (:mod:`helpers.emulation.routing`)
    SNS ``deliver`` / ``filter-drop`` and EventBridge ``route`` rows in ``env.log``; a
    DISABLED rule delivers nothing (moto still delivers).

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

from .routing import RoutingStandIns
from .sqs import EMULATED, DeliveryModel, SqsStandIns

__all__ = ["DeliveryModel", "SqsStandIns", "RoutingStandIns", "EMULATED"]
