"""State machine definitions: the rule check with a clear error, and SecureCart's fulfillment.

Example
-------
>>> d = fulfillment_definition({n: f"arn:aws:lambda:us-east-1:123456789012:function:{n}"
...                             for n in FUNCTIONS}, "arn:aws:sns:us-east-1:123456789012:t",
...                             "https://sqs.us-east-1.amazonaws.com/123456789012/review")
>>> validate_definition(d)["StartAt"]
'ValidateOrder'
>>> list(d["States"])[:3]
['ValidateOrder', 'AmountCheck', 'ManualReview']
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ..platform.errors import InvalidStateMachineError
from ..rules.asl_definitions import aws_message, problems

__all__ = ["validate_definition", "fulfillment_definition", "FUNCTIONS", "REVIEW_THRESHOLD",
           "PAYMENT_RETRY", "SHIP_TIMEOUT_SECONDS", "callback_definition"]

#: The Lambda functions of the fulfillment workflow (role -> short name).
FUNCTIONS = ("validate", "charge", "reserve", "ship", "release", "refund")
#: Orders above this amount (USD) wait for a person's review first.
REVIEW_THRESHOLD = 500
#: The Ship task's TimeoutSeconds: below its function's Lambda timeout (30 s), so Step
#: Functions stops waiting on a hung carrier first, with States.Timeout (an error name that
#: States.TaskFailed does not match).
SHIP_TIMEOUT_SECONDS = 20
#: Retry of the flaky payment provider: 2 s, 4 s, 8 s between attempts, then give up.
PAYMENT_RETRY = [{"ErrorEquals": ["PaymentProviderUnavailable"], "IntervalSeconds": 2,
                  "BackoffRate": 2.0, "MaxAttempts": 3}]


def validate_definition(definition: Any) -> dict:
    """``definition`` (dict or JSON text) as a dict, or one clear error naming state and rule.

    Raises
    ------
    InvalidStateMachineError
        With AWS's ``InvalidDefinition`` code and path, the state and the fix.

    Example
    -------
    >>> validate_definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    Traceback (most recent call last):
    ...
    helpers.platform.errors.InvalidStateMachineError: State 'A' breaks the rule MISSING_TRANSITION_TARGET: Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'. Fix: name an existing state (one of A) or end the state with "End": true.
    """
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError as err:
            raise InvalidStateMachineError(f"The definition is not JSON ({err}). Fix: pass a dict "
                                           "or json.dumps(...) of one.") from None
    found = problems(definition)
    if found:
        code, state, message = found[0]
        names = ", ".join(definition.get("States", {})) if isinstance(definition, dict) else ""
        fixes = {"MISSING_TRANSITION_TARGET": f"name an existing state (one of {names}) or end the "
                                              'state with "End": true',
                 "SCHEMA_VALIDATION_FAILED": "add or correct the field the message names"}
        raise InvalidStateMachineError(f"State {state!r} breaks the rule {code}: "
                                       f"{aws_message(code, message)}. Fix: {fixes[code]}.")
    return definition


def fulfillment_definition(functions: dict[str, str], topic_arn: str, review_queue_url: str,
                           *, ship_catch: Any = "default") -> dict:
    """SecureCart's order fulfillment: validate, review above a threshold, charge (with Retry),
    reserve, ship, notify in parallel; failures compensate (release stock, refund: a saga).

    ``ship_catch`` replaces the Ship state's ``Catch`` (the exercise); ``None`` leaves it out.
    """
    f = functions
    ship_catch = ([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}]
                  if ship_catch == "default" else ship_catch)
    ship: dict[str, Any] = {"Type": "Task", "Resource": f["ship"], "ResultPath": "$.shipment",
                            "TimeoutSeconds": SHIP_TIMEOUT_SECONDS, "Next": "Notify"}
    if ship_catch is not None:
        ship["Catch"] = copy.deepcopy(ship_catch)
    notify = {"Type": "Parallel", "ResultPath": None, "Next": "Fulfilled", "Branches": [
        {"StartAt": "EmailCustomer", "States": {"EmailCustomer": {
            "Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
            "Parameters": {"TopicArn": topic_arn, "Subject": "Your order has shipped",
                           "Message.$": "$.order"}}}},
        {"StartAt": "RecordAnalytics", "States": {"RecordAnalytics": {
            "Type": "Pass", "Result": {"recorded": True}, "End": True}}}]}
    return {
        "Comment": "SecureCart order fulfillment (orchestrated saga)",
        "StartAt": "ValidateOrder",
        "States": {
            "ValidateOrder": {"Type": "Task", "Resource": f["validate"], "ResultPath": "$.validation",
                              "Next": "AmountCheck",
                              "Catch": [{"ErrorEquals": ["InvalidOrder"], "ResultPath": "$.error",
                                         "Next": "OrderRejected"}]},
            "AmountCheck": {"Type": "Choice", "Default": "ChargePayment", "Choices": [
                {"Variable": "$.order.amount", "NumericGreaterThan": REVIEW_THRESHOLD,
                 "Next": "ManualReview"}]},
            "ManualReview": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                             "HeartbeatSeconds": 3600, "ResultPath": "$.review", "Next": "ChargePayment",
                             "Parameters": {"QueueUrl": review_queue_url, "MessageBody": {
                                 "token.$": "$$.Task.Token", "order.$": "$.order"}},
                             "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                        "Next": "OrderRejected"}]},
            "ChargePayment": {"Type": "Task", "Resource": f["charge"], "ResultPath": "$.payment",
                              "Retry": copy.deepcopy(PAYMENT_RETRY), "Next": "ReserveStock",
                              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                         "Next": "PaymentFailed"}]},
            "ReserveStock": {"Type": "Task", "Resource": f["reserve"], "ResultPath": "$.reservation",
                             "Next": "Ship",
                             "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                        "Next": "RefundPayment"}]},
            "Ship": ship,
            "Notify": notify,
            "Fulfilled": {"Type": "Succeed"},
            "ReleaseStock": {"Type": "Task", "Resource": f["release"], "ResultPath": "$.release",
                             "Next": "RefundPayment"},
            "RefundPayment": {"Type": "Task", "Resource": f["refund"], "ResultPath": "$.refund",
                              "Next": "OrderFailed"},
            "OrderFailed": {"Type": "Fail", "Error": "OrderFailed",
                            "Cause": "A step failed after payment; the payment was refunded."},
            "PaymentFailed": {"Type": "Fail", "Error": "PaymentFailed",
                              "Cause": "The payment was declined or the provider stayed down."},
            "OrderRejected": {"Type": "Fail", "Error": "OrderRejected",
                              "Cause": "The order failed validation or review."},
        },
    }


def callback_definition(queue_url: str, heartbeat_seconds: int) -> dict:
    """A payment step that waits for the payment service's callback (``.waitForTaskToken``)."""
    return {"StartAt": "AwaitPayment", "States": {
        "AwaitPayment": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                         "HeartbeatSeconds": heartbeat_seconds, "ResultPath": "$.payment",
                         "Parameters": {"QueueUrl": queue_url, "MessageBody": {
                             "token.$": "$$.Task.Token", "order.$": "$.order"}},
                         "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                    "Next": "PaymentNotTaken"}],
                         "Next": "Paid"},
        "Paid": {"Type": "Succeed"},
        "PaymentNotTaken": {"Type": "Fail", "Error": "PaymentNotTaken",
                            "Cause": "The payment service declined or went silent."}}}
