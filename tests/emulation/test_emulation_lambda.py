"""Pins what the Lambda stand-in (helpers/emulation/awslambda/) says when no handler is registered."""

from __future__ import annotations

import io
import json
import zipfile

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "lambda.amazonaws.com"}}]}


def test_handler_not_found_says_how_to_register_one(any_env):
    # GIVEN a function created with plain boto3 and no Python handler registered for it
    role = any_env.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    code = io.BytesIO()
    zipfile.ZipFile(code, "w").writestr("lambda_function.py", "def lambda_handler(event, context): ...")
    lam = any_env.client("lambda")
    lam.create_function(FunctionName="f", Runtime="python3.12", Role=role, Handler="lambda_function.lambda_handler",
                        Code={"ZipFile": code.getvalue()})
    # WHEN it is invoked
    answer = lam.invoke(FunctionName="f", Payload=b"{}")
    error = json.loads(answer["Payload"].read())
    # THEN AWS's error type and wording, then the call that registers a handler
    assert answer["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.HandlerNotFound"
    assert error["errorMessage"].startswith("Handler 'lambda_handler' missing on module 'lambda_function'.")
    assert "env.emulation['lambda'].register('f', handler)" in error["errorMessage"]
