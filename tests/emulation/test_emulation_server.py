"""Pins the server backend's error documents (helpers/emulation/server/): a failure inside moto
answers AWS's JSON or XML error, and moto's server alone answers an HTML page.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.emulation.server import error_document


def _unimplemented_call(env):
    # An operation moto has no handler for, once the course's Step Functions stand-ins are off.
    env.emulation["stepfunctions"].stop()
    sfn = env.client("stepfunctions")
    activity = sfn.create_activity(name="a")["activityArn"]
    with pytest.raises(ClientError) as info:
        sfn.get_activity_task(activityArn=activity)
    return info.value.response


def test_an_operation_moto_lacks_is_an_aws_error_document(server_env):
    # WHEN the server meets an operation moto does not implement
    response = _unimplemented_call(server_env)
    # THEN AWS's JSON error: a code, a message naming the operation, 400 (botocore parses it)
    assert response["Error"]["Code"] == "InvalidAction"
    assert "GetActivityTask" in response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_query_protocol_gets_xml():
    status, body = error_document({"CONTENT_TYPE": "application/x-www-form-urlencoded"}, KeyError("x"))
    assert status.startswith("500") and body.startswith(b"<ErrorResponse><Error><Type>Receiver</Type>"
                                                        b"<Code>InternalFailure</Code>")


def test_the_json_protocol_gets_an_internal_failure_document_botocore_parses():
    # GIVEN a JSON-protocol request (X-Amz-Target) whose handler fails inside moto
    import json

    from botocore.parsers import create_parser

    environ = {"HTTP_X_AMZ_TARGET": "AWSStepFunctions.StartExecution",
               "CONTENT_TYPE": "application/x-amz-json-1.0"}
    # WHEN the server answers it
    status, body = error_document(environ, KeyError("x"))
    # THEN a 500 that botocore reads as AWS's InternalFailure, saying it is emulated on moto
    parsed = create_parser("json").parse({"status_code": 500, "headers": {}, "body": body}, None)
    assert status.startswith("500") and parsed["Error"]["Code"] == "InternalFailure"
    assert "emulated on moto" in json.loads(body)["message"]


def test_moto_alone_answers_an_html_500(server_env):
    server_env.emulation["server"].stop()
    response = _unimplemented_call(server_env)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert response["Error"]["Code"] == "500"  # botocore found no AWS error in the HTML page
