"""Notebook 02 · choosing AWS event services: one short live demo per service, the decision helper.

Modules
-------
services
    The service table, the payload limits, and what surrounds each service's boto3 calls in
    the notebook (queues for topics and rules, the bus, the state machine, the stream, the
    table and its pipe to notifications).
decision
    ``recommend()`` and the questionnaire.
"""

from __future__ import annotations

from . import decision, services

__all__ = ["decision", "services"]
