"""Step Functions toolkit: definitions (validated), functions, state machines, executions, history.

Modules
-------
definitions   ``validate_definition`` (one clear error naming state and rule), SecureCart's
              fulfillment saga and the payment-callback workflow
executions    ``deploy_function``, ``create_state_machine``, ``run_execution``,
              ``wait_for_execution``, ``history_frame``
plots         ``timeline``: the states of one execution over time

Example
-------
>>> from helpers.stepfunctions import validate_definition
>>> validate_definition('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')["StartAt"]
'A'
"""

from __future__ import annotations

from .definitions import (
    FUNCTIONS,
    PAYMENT_RETRY,
    REVIEW_THRESHOLD,
    SHIP_TIMEOUT_SECONDS,
    callback_definition,
    fulfillment_definition,
    validate_definition,
)
from .executions import (
    create_state_machine,
    deploy_function,
    history_frame,
    run_execution,
    start_execution,
    wait_for_execution,
)
from .plots import timeline

__all__ = ["validate_definition", "fulfillment_definition", "callback_definition", "FUNCTIONS",
           "REVIEW_THRESHOLD", "PAYMENT_RETRY", "SHIP_TIMEOUT_SECONDS", "deploy_function", "create_state_machine",
           "start_execution", "wait_for_execution", "run_execution", "history_frame", "timeline"]
