"""Pins the EventBridge target stand-ins (helpers/emulation/events/delivery.py, helpers/rules/input_transformer.py):
every target kind delivers, InputPath / Input / InputTransformer shape the input as AWS does,
PutTargets refuses bad input options in AWS's words, the SQS envelope carries ``account``;
and what moto alone does instead.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

import helpers.events as eb


def _queue(env, name):
    url = env.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, eb.queue_arn(env, url)


def _bodies(env, url):
    sqs, out = env.client("sqs"), []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        out += [m["Body"] for m in got]
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def _rule(env, targets, pattern=None):
    events = env.client("events")
    events.put_rule(Name="r", EventPattern=json.dumps(pattern or {"source": ["securecart.orders"]}))
    events.put_targets(Rule="r", Targets=targets)
    return events


def _put(events, detail=None, n=1):
    return events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced",
                                       "Detail": json.dumps(detail or {"order_id": f"ord-{i:05d}", "total": 12.5})}
                                      for i in range(n)])


def test_sqs_envelope_is_aws_shaped(env):
    # GIVEN a rule with an SQS target
    url, arn = _queue(env, "q")
    events = _rule(env, [{"Id": "q", "Arn": arn}])
    # WHEN an event is put
    _put(events)
    # THEN the envelope has AWS's fields, account and an ISO time included
    body = json.loads(_bodies(env, url)[0])
    assert set(body) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert body["account"] == env.account and body["time"] == "2026-03-02T09:00:00Z"


def test_fifo_target_uses_the_message_group(env):
    # GIVEN a FIFO queue target with SqsParameters
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName="q.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    events = _rule(env, [{"Id": "q", "Arn": eb.queue_arn(env, url), "SqsParameters": {"MessageGroupId": "g1"}}])
    # WHEN two events are put
    _put(events, n=2)
    # THEN both arrive in group g1
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])["Messages"]
    assert [m["Attributes"]["MessageGroupId"] for m in got] == ["g1", "g1"]


def test_sns_target_delivers_through_the_topic(env):
    # GIVEN a rule whose target is an SNS topic with an SQS subscription
    url, arn = _queue(env, "sub")
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    events = _rule(env, [{"Id": "t", "Arn": topic}])
    # WHEN an event is put
    _put(events)
    # THEN the subscriber got the event
    assert json.loads(_bodies(env, url)[0])["detail-type"] == "OrderPlaced"


def test_lambda_target_calls_the_registered_handler(env):
    # GIVEN a Python handler registered as a Lambda function
    seen = []
    arn = eb.register_handler(env, "notify", lambda event, context: seen.append(event))
    events = _rule(env, [{"Id": "f", "Arn": arn, "InputPath": "$.detail"}])
    # WHEN two events are put
    _put(events, n=2)
    # THEN the handler ran once per event with the InputPath's part
    assert [e["order_id"] for e in seen] == ["ord-00000", "ord-00001"]


def test_step_functions_target_starts_an_execution(env):
    # GIVEN a state machine target
    sfn = env.client("stepfunctions")
    machine = sfn.create_state_machine(name="m", roleArn="arn:aws:iam::123456789012:role/r", definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    events = _rule(env, [{"Id": "m", "Arn": machine}])
    # WHEN an event is put
    _put(events)
    # THEN one execution ran to completion with the event as input
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [e["status"] for e in executions] == ["SUCCEEDED"]
    output = json.loads(sfn.describe_execution(executionArn=executions[0]["executionArn"])["output"])
    assert output["detail-type"] == "OrderPlaced"


def test_another_bus_target_routes_on_that_bus(env):
    # GIVEN a rule on the default bus forwarding to bus "second", whose rule feeds a queue
    events = env.client("events")
    second = events.create_event_bus(Name="second")["EventBusArn"]
    url, arn = _queue(env, "q")
    events.put_rule(Name="there", EventBusName="second", EventPattern='{"source": ["securecart.orders"]}')
    events.put_targets(Rule="there", EventBusName="second", Targets=[{"Id": "q", "Arn": arn}])
    _rule(env, [{"Id": "bus", "Arn": second}])
    # WHEN an event is put on the default bus
    _put(events)
    # THEN it reached the queue through the second bus
    assert len(_bodies(env, url)) == 1


def test_api_destination_on_loopback_gets_the_event(env):
    # GIVEN an HTTP endpoint on 127.0.0.1 and an API destination for it
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env.allow_endpoint(f"http://127.0.0.1:{server.server_port}/events")  # the student's own
    events = env.client("events")
    connection = events.create_connection(Name="c", AuthorizationType="API_KEY", AuthParameters={
        "ApiKeyAuthParameters": {"ApiKeyName": "x-key", "ApiKeyValue": "secret"}})["ConnectionArn"]
    destination = events.create_api_destination(
        Name="hook", ConnectionArn=connection, HttpMethod="POST",
        InvocationEndpoint=f"http://127.0.0.1:{server.server_port}/events")["ApiDestinationArn"]
    _rule(env, [{"Id": "api", "Arn": destination}])
    # WHEN an event is put
    try:
        _put(events)
    finally:
        server.shutdown()
    # THEN the endpoint received it
    assert [r["detail-type"] for r in received] == ["OrderPlaced"]


@pytest.mark.parametrize("option, expected", [
    ({"InputPath": "$.detail.total"}, "12.5"),
    ({"Input": '{"constant": true}'}, '{"constant": true}'),
    ({"InputTransformer": {"InputPathsMap": {"id": "$.detail.order_id", "t": "$.detail.total"},
                           "InputTemplate": '{"order": "<id>", "total": <t>, "rule": "<aws.events.rule-name>"}'}},
     '{"order": "ord-00000", "total": 12.5, "rule": "securecart-RUN-r"}'),
    ({"InputTransformer": {"InputPathsMap": {"id": "$.detail.order_id", "gone": "$.detail.nope"},
                           "InputTemplate": '"Order <id> placed<gone>"'}}, '"Order ord-00000 placed"'),
])
def test_input_options_shape_what_the_target_gets(env, option, expected):
    # GIVEN an SQS target with an input option
    url, arn = _queue(env, "q")
    events = _rule(env, [{"Id": "q", "Arn": arn, **option}])
    # WHEN an event is put
    _put(events, {"order_id": "ord-00000", "total": 12.5})
    # THEN the body is exactly what AWS would deliver
    assert _bodies(env, url) == [expected.replace("RUN", env.run)]


@pytest.mark.parametrize("target, message", [
    ({"Input": "{}", "InputPath": "$.detail"},
     "Only one of Input, InputPath, or InputTransformer must be provided for target q."),
    ({"InputTransformer": {"InputPathsMap": {"a": "$.detail"}, "InputTemplate": '"<a> and <notdefinedkey>"'}},
     "InputTemplate for target q contains invalid placeholder notdefinedkey."),
    ({"RetryPolicy": {"MaximumRetryAttempts": 186}},
     "1 validation error detected: Value '186' at 'targets.1.member.retryPolicy.maximumRetryAttempts' failed to "
     "satisfy constraint: Member must have value less than or equal to 185"),
    # (a MaximumEventAgeInSeconds under 60 never leaves botocore: its client-side min check refuses it)
])
def test_put_targets_refuses_bad_options_in_aws_words(env, target, message):
    # GIVEN a rule
    _, arn = _queue(env, "q")
    events = env.client("events")
    events.put_rule(Name="r", EventPattern='{"source": ["x"]}')
    # WHEN a target with a bad option is put
    with pytest.raises(ClientError) as error:
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, **target}])
    # THEN AWS's ValidationException; the rule has no target
    assert error.value.response["Error"] == {"Code": "ValidationException", "Message": message}
    assert events.list_targets_by_rule(Rule="r")["Targets"] == []


def test_nested_names_are_prefixed(env):
    # GIVEN a bus, a queue and a DLQ created by short name
    events = env.client("events")
    events.create_event_bus(Name="shop")
    url, _ = _queue(env, "q")
    _queue(env, "q-dlq")
    account = env.account
    events.put_rule(Name="r", EventBusName="shop", EventPattern='{"source": ["securecart.orders"]}')
    # WHEN targets and entries name them by short name
    events.put_targets(Rule="r", EventBusName="shop", Targets=[{
        "Id": "q", "Arn": f"arn:aws:sqs:us-east-1:{account}:q",
        "DeadLetterConfig": {"Arn": f"arn:aws:sqs:us-east-1:{account}:q-dlq"}}])
    answer = events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced",
                                         "Detail": "{}", "EventBusName": "shop"}])
    # THEN everything resolved to the prefixed resources
    assert answer["FailedEntryCount"] == 0 and len(_bodies(env, url)) == 1
    target = events.list_targets_by_rule(Rule="r", EventBusName="shop")["Targets"][0]
    assert target["Arn"].endswith(f":{env.prefix}q") and target["DeadLetterConfig"]["Arn"].endswith(f":{env.prefix}q-dlq")


# -- moto alone ----------------------------------------------------------------------------
def _plain_rule(targets):
    events = boto3.client("events", region_name="us-east-1")
    events.put_rule(Name="r", EventPattern='{"source": ["s"]}')
    events.put_targets(Rule="r", Targets=targets)
    return events


def _plain_queue():
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    return sqs, url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_moto_alone_cannot_deliver_to_sns():
    with moto.mock_aws():
        topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="t")["TopicArn"]
        events = _plain_rule([{"Id": "t", "Arn": topic}])
        with pytest.raises(NotImplementedError):
            events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])


def test_moto_alone_ignores_input_path_and_has_no_account():
    with moto.mock_aws():
        sqs, url, arn = _plain_queue()
        events = _plain_rule([{"Id": "q", "Arn": arn, "InputPath": "$.detail"}])
        events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": '{"a": 1}'}])
        body = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
        assert "detail" in body and "account" not in body


def test_moto_alone_accepts_an_undefined_placeholder():
    with moto.mock_aws():
        _, _, arn = _plain_queue()
        events = _plain_rule([{"Id": "q", "Arn": arn, "InputTransformer": {
            "InputPathsMap": {}, "InputTemplate": '"<notdefinedkey>"'}}])
        assert len(events.list_targets_by_rule(Rule="r")["Targets"]) == 1


def test_stand_ins_work_over_http_too(server_env):
    # GIVEN the server backend (moto over real HTTP): SNS, Step Functions and a transformer
    env = server_env
    url, arn = _queue(env, "sub")
    sns = env.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sfn = env.client("stepfunctions")
    machine = sfn.create_state_machine(name="m", roleArn="arn:aws:iam::123456789012:role/r", definition=json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    events = _rule(env, [{"Id": "t", "Arn": topic, "InputTransformer": {
        "InputPathsMap": {"id": "$.detail.order_id"}, "InputTemplate": '"Order <id>"'}}, {"Id": "m", "Arn": machine}])
    # WHEN an event is put, and a pattern tested
    _put(events, {"order_id": "ord-00009", "total": 1})
    answer = events.test_event_pattern(EventPattern='{"source": ["x"]}', Event=json.dumps(
        eb.sample_event(env, "d", {}, source="x")))
    # THEN the same behaviour as in-process
    assert _bodies(env, url) == ['"Order ord-00009"']
    assert [e["status"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]] == ["SUCCEEDED"]
    assert answer["Result"] is True


def test_transformer_predefined_missing_and_array_placeholders(env):
    # GIVEN a string template with a predefined, a missing and an array placeholder
    url, arn = _queue(env, "q")
    events = _rule(env, [{"Id": "q", "Arn": arn, "InputTransformer": {
        "InputPathsMap": {"items": "$.detail.items", "m": "$.detail.nope"},
        "InputTemplate": '"<aws.events.rule-name>: <items> <m>!"'}}])
    # WHEN an event is put
    _put(events, {"items": ["A", "B"]})
    # THEN AWS's substitutions: the rule's name, the array as text, the missing value as nothing
    assert _bodies(env, url) == [f'"{env.prefix}r: [A,B] !"']


def test_moto_alone_mishandles_these_placeholders():
    with moto.mock_aws():
        sqs, url, arn = _plain_queue()
        events = _plain_rule([{"Id": "q", "Arn": arn, "InputTransformer": {
            "InputPathsMap": {"m": "$.detail.nope"}, "InputTemplate": '"<aws.events.rule-name> <m>"'}}])
        events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": '{"a": 1}'}])
        # THEN the placeholders stay as written (AWS substitutes them)
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == '"<aws.events.rule-name> <m>"'
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, "InputTransformer": {
            "InputPathsMap": {"items": "$.detail.items"}, "InputTemplate": '"Items <items>"'}}])
        # AND an array inside a string template crashes put_events
        with pytest.raises(json.JSONDecodeError):
            events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": '{"items": ["A"]}'}])


def test_json_template_gets_an_empty_string_for_a_missing_path(any_env):
    # GIVEN a JSON template whose placeholders stand outside strings, one path not in the event
    url, arn = _queue(any_env, "q")
    events = _rule(any_env, [{"Id": "q", "Arn": arn, "InputTransformer": {
        "InputPathsMap": {"type": "$.detail-type", "command": "$.detail.notinmessage"},
        "InputTemplate": '{"detailType": <type>, "command": <command>}'}}])
    # WHEN an event is put
    _put(events, {"command": "update-account"})
    # THEN AWS's body: the missing value is an empty JSON string (recorded against AWS)
    assert [json.loads(b) for b in _bodies(any_env, url)] == [{"detailType": "OrderPlaced", "command": ""}]


def test_moto_alone_fails_on_a_missing_path_in_a_json_template():
    with moto.mock_aws():
        _, _, arn = _plain_queue()
        events = _plain_rule([{"Id": "q", "Arn": arn, "InputTransformer": {
            "InputPathsMap": {"command": "$.detail.notinmessage"}, "InputTemplate": '{"command": <command>}'}}])
        # THEN PutEvents fails inside moto (AWS delivers {"command": ""})
        with pytest.raises(json.JSONDecodeError):
            events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": '{"a": 1}'}])
