"""Notebook 02 · choosing AWS event services: one short live demo per service, the decision helper.

Modules
-------
services
    The service table and the demos (SQS, SNS, EventBridge, Step Functions, Kinesis,
    DynamoDB Streams).
decision
    ``recommend()`` and the questionnaire.
"""

from __future__ import annotations

from . import decision, services

__all__ = ["decision", "services"]
