"""Lambda functions as SNS subscribers: a Python handler that runs for every delivery.

moto cannot run Lambda code without Docker. On the local backends
:func:`create_function` creates the function (and its execution role) in moto and registers
the Python ``handler`` with the SNS stand-in, which moto then calls in-process, with the real
SNS event, wherever it would run the function (SNS deliveries, ``Invoke``). Emulated on moto.
On ``aws`` deploy the function yourself (console, SAM, CDK) and pass its ARN to
:func:`helpers.sns.subscribe_lambda`.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> arn = create_function(env, "alerts", lambda event, context: {"ok": True})
>>> arn.rsplit(":", 1)[-1]
'securecart-demo-alerts'
>>> _ = env.teardown()
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..platform.errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["create_function", "LAMBDA_RUNTIME"]

#: The runtime the course's functions are declared with.
LAMBDA_RUNTIME = "python3.11"

_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    raise NotImplementedError"
                                       "('runs in-process on moto')\n")
    return buffer.getvalue()


def create_function(env: Environment, name: str, handler: Callable[[dict, Any], Any], *,
                    timeout: int = 30) -> str:
    """Create Lambda function ``name`` running ``handler`` (local backends); its ARN.

    Raises
    ------
    InvalidParameterError
        ``handler`` is not callable, or the backend is ``aws`` (deploy the code there).
    """
    if not callable(handler):
        raise InvalidParameterError(f"handler={handler!r} is not a function (event, context).")
    if not env.emulated:
        raise InvalidParameterError(
            "On AWS a Lambda function's code must be deployed (console, SAM or CDK); then pass "
            "its ARN to helpers.sns.subscribe_lambda(env, topic, function_arn).")
    full = env.name(name, "lambda")
    lam, iam = env.client("lambda"), env.client("iam")
    role_name = f"{full}-role"[:64]
    try:
        role = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName=role_name,
                               AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"]
    try:
        arn = lam.get_function(FunctionName=full)["Configuration"]["FunctionArn"]
    except lam.exceptions.ResourceNotFoundException:
        arn = lam.create_function(FunctionName=full, Runtime=LAMBDA_RUNTIME, Role=role,
                                  Handler="handler.handler", Code={"ZipFile": _zip()},
                                  Timeout=timeout)["FunctionArn"]
    env.emulation["sns"].register_handler(full, handler)
    return arn
