"""Pins the EventBridge pattern stand-ins (helpers/rules/patterns.py, helpers/emulation/events/):
every operator of the User Guide's content-filtering page through TestEventPattern AND real
routing, AWS's InvalidEventPatternException reasons, and what moto alone does instead.

Reason texts: LocalStack's ``tests/aws/services/events/test_events_patterns.snapshot.json``,
recorded against real AWS.
"""

from __future__ import annotations

import json

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from helpers.events import sample_event

# (case, pattern, detail, extra envelope fields, expected) -- the content-filtering page's examples
CASES = [
    ("exact string", {"detail": {"state": ["running"]}}, {"state": "running"}, {}, True),
    ("exact string is case-sensitive", {"detail": {"state": ["Running"]}}, {"state": "running"}, {}, False),
    ("exact number", {"detail": {"count": [5]}}, {"count": 5.0}, {}, True),
    ("number is not a string", {"detail": {"count": ["5"]}}, {"count": 5}, {}, False),
    ("null", {"detail": {"responseElements": [None]}}, {"responseElements": None}, {}, True),
    ("empty string", {"detail": {"eventVersion": [""]}}, {"eventVersion": ""}, {}, True),
    ("boolean", {"detail": {"vip": [True]}}, {"vip": True}, {}, True),
    ("prefix", {"detail": {"id": [{"prefix": "ord-"}]}}, {"id": "ord-00001"}, {}, True),
    ("prefix on time", {"time": [{"prefix": "2026-03-02"}]}, {}, {}, True),
    ("prefix equals-ignore-case", {"detail": {"state": [{"prefix": {"equals-ignore-case": "RUN"}}]}},
     {"state": "running"}, {}, True),
    ("suffix", {"detail": {"FileName": [{"suffix": ".png"}]}}, {"FileName": "image.png"}, {}, True),
    ("suffix miss", {"detail": {"FileName": [{"suffix": ".png"}]}}, {"FileName": "image.jpg"}, {}, False),
    ("suffix equals-ignore-case", {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".PNG"}}]}},
     {"FileName": "image.png"}, {}, True),
    ("equals-ignore-case", {"detail-type": [{"equals-ignore-case": "inventorylow"}]}, {}, {}, True),
    ("wildcard", {"detail": {"path": [{"wildcard": "dir/*.png"}]}}, {"path": "dir/a/b.png"}, {}, True),
    ("wildcard miss", {"detail": {"path": [{"wildcard": "dir/*.png"}]}}, {"path": "dir/a/b.jpg"}, {}, False),
    ("anything-but value", {"detail": {"state": [{"anything-but": "initializing"}]}}, {"state": "stopped"}, {}, True),
    ("anything-but hit", {"detail": {"state": [{"anything-but": "initializing"}]}}, {"state": "initializing"}, {},
     False),
    ("anything-but list", {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
     {"state": "stopped"}, {}, False),
    ("anything-but number", {"detail": {"x": [{"anything-but": 100}]}}, {"x": 101}, {}, True),
    ("anything-but prefix", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
     {"state": "initializing"}, {}, False),
    ("anything-but suffix", {"detail": {"f": [{"anything-but": {"suffix": ".txt"}}]}}, {"f": "a.png"}, {}, True),
    ("anything-but equals-ignore-case", {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["STOPPED"]}}]}},
     {"state": "stopped"}, {}, False),
    ("anything-but wildcard", {"detail": {"p": [{"anything-but": {"wildcard": "*/lib/*"}}]}}, {"p": "/usr/lib/x"}, {},
     False),
    ("anything-but on a missing field", {"detail": {"state": [{"anything-but": "x"}]}}, {}, {}, False),
    ("numeric range", {"detail": {"c": [{"numeric": [">", 0, "<=", 5]}]}}, {"c": 5}, {}, True),
    ("numeric range miss", {"detail": {"c": [{"numeric": [">", 0, "<=", 5]}]}}, {"c": 6}, {}, False),
    ("numeric equals", {"detail": {"x-limit": [{"numeric": ["=", 3.018e2]}]}}, {"x-limit": 301.8}, {}, True),
    ("numeric on a string", {"detail": {"c": [{"numeric": [">", 0]}]}}, {"c": "5"}, {}, False),
    ("exists true", {"detail": {"state": [{"exists": True}]}}, {"state": "x"}, {}, True),
    ("exists false", {"detail": {"state": [{"exists": False}]}}, {"other": 1}, {}, True),
    ("exists false on present", {"detail": {"state": [{"exists": False}]}}, {"state": "x"}, {}, False),
    ("cidr", {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}, {"sourceIPAddress": "10.0.0.255"}, {}, True),
    ("cidr miss", {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}, {"sourceIPAddress": "10.0.1.1"}, {},
     False),
    ("cidr v6", {"detail": {"ip": [{"cidr": "2001:db8::/32"}]}}, {"ip": "2001:db8::1"}, {}, True),
    ("$or", {"detail": {"$or": [{"c": [{"numeric": [">", 0, "<=", 5]}]}, {"d": [{"numeric": ["<", 10]}]}]}},
     {"c": 50, "d": 3}, {}, True),
    ("$or miss", {"detail": {"$or": [{"c": [{"numeric": [">", 0, "<=", 5]}]}, {"d": [{"numeric": ["<", 10]}]}]}},
     {"c": 50, "d": 30}, {}, False),
    ("array in the event", {"detail": {"tags": ["blue"]}}, {"tags": ["red", "blue"]}, {}, True),
    ("resources array", {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b"]}, {},
     {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-a",
                    "arn:aws:ec2:us-east-1:123456789012:instance/i-b"]}, True),
    ("list of objects in the event", {"detail": {"items": {"sku": ["SKU-0002"]}}},
     {"items": [{"sku": "SKU-0001"}, {"sku": "SKU-0002"}]}, {}, True),
    ("nested objects", {"detail": {"a": {"b": {"c": ["x"]}}}}, {"a": {"b": {"c": "x"}}}, {}, True),
    ("several values (OR)", {"detail": {"state": ["stopped", "running"]}}, {"state": "running"}, {}, True),
    ("several fields (AND)", {"detail-type": ["InventoryLow"], "detail": {"state": ["x"]}}, {"state": "y"}, {}, False),
    # Recorded against AWS (LocalStack's AWS-validated event_pattern_templates, 2024-2025):
    ("anything-but prefix on null", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
     {"state": None}, {}, True),
    ("anything-but prefix on a number", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
     {"state": 12}, {}, True),
    ("anything-but prefix list", {"detail": {"state": [{"anything-but": {"prefix": ["init", "test"]}}]}},
     {"state": "post-init"}, {}, True),
    ("anything-but prefix list hit", {"detail": {"state": [{"anything-but": {"prefix": ["init", "test"]}}]}},
     {"state": "test-1"}, {}, False),
    ("anything-but suffix list", {"detail": {"f": [{"anything-but": {"suffix": [".txt", ".md"]}}]}},
     {"f": "a.md"}, {}, False),
    ("anything-but wildcard on a number", {"detail": {"p": [{"anything-but": {"wildcard": "*/dir/*"}}]}},
     {"p": 123}, {}, True),
    ("anything-but equals-ignore-case on null",
     {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["initializing", "stopped"]}}]}},
     {"state": None}, {}, True),
    ("dotted key in the event", {"detail": {"state": {"status": ["running"]}}}, {"state.status": "running"}, {},
     True),
    ("dotted key in the pattern", {"detail": {"state.status": ["running"]}}, {"state": {"status": "running"}}, {},
     True),
    ("exists on an object", {"detail": {"key": [{"exists": True}]}}, {"key": {"S": "x"}}, {}, False),
    ("exists on an empty array", {"detail": {"key": [{"exists": True}]}}, {"key": []}, {}, False),
]

INVALID = [
    ({"source": "shop"}, '"source" must be an object or an array'),
    ({"source": []}, "Empty arrays are not allowed"),
    ({"a": [{"NUMERIC": [">", 1]}]}, "Unrecognized match type NUMERIC"),
    ({"a": [{"EXISTS": True}]}, "Unrecognized match type EXISTS"),
    ({"a": [{"numeric": [">", 1, ">", 5]}]}, "Bad numeric range operator: >"),
    ({"a": [{"numeric": ["<", "x"]}]}, "Value of < must be numeric"),
    ({"a": [{"numeric": 5}]}, "Value of numeric must be an array."),
    ({"a": [{"wildcard": "abc**"}]}, "Consecutive wildcard characters at pos 4"),
    ({"a": [{"wildcard": 5}]}, "wildcard match pattern must be a string"),
    ({"a": [{"equals-ignore-case": 5}]}, "equals-ignore-case match pattern must be a string"),
    ({"a": [{"prefix": ["x"]}]}, "prefix match pattern must be a string"),
    ({"a": [{"suffix": 5}]}, "suffix match pattern must be a string"),
    ({"a": [{"cidr": "10.0.0.0"}]}, "Malformed CIDR, one '/' required"),
    ({"a": [{"cidr": "10.0.0.0/x"}]}, "Malformed CIDR, mask bits must be an integer"),
    ({"a": [{"cidr": "xx.11.xx/24"}]}, "Nonstandard IP address: xx.11.xx"),
    ({"a": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
    ({"a": [{"anything-but": {"prefix": 5}}]}, "prefix/suffix match pattern must be a string"),
    ({"a": [{"anything-but": [None]}]}, "Inside anything but list, start|null|boolean is not supported."),
    ({"a": [{"anything-but": {"equals-ignore-case": [5]}}]},
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
    ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
    # Recorded against AWS (LocalStack's AWS-validated event_pattern_templates, 2025-10-15):
    ({"a": [{"numeric": [">", 0, "<"]}]}, "Value of < must be numeric"),
    ({"a": [{"anything-but": {"equals-ignore-case": 123}}]},
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."),
    ({"a": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]},
     "Value of anything-but must be an array or single string/number value."),
    ({"a": [{"anything-but": {"suffix": ["x", None]}}]}, "prefix/suffix match pattern must be a string"),
    ({"a": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}, "wildcard match pattern must be a string"),
    ({"a": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}, "Rule is too complex - try using fewer wildcard "
     "characters or fewer repeating character sequences after a wildcard character"),
]


def _event(env, detail, extra):
    return sample_event(env, "InventoryLow", detail, source="securecart.inventory", **extra)


@pytest.mark.parametrize("case, pattern, detail, extra, expected", CASES, ids=[c[0] for c in CASES])
def test_test_event_pattern_answers_like_aws(env, case, pattern, detail, extra, expected):
    # GIVEN a documented pattern and an event
    events = env.client("events")
    # WHEN TestEventPattern is asked
    answer = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(_event(env, detail, extra)))
    # THEN it answers {"Result": bool} as AWS does
    assert answer["Result"] is expected


def test_rules_route_with_the_same_matcher(env):
    # GIVEN one rule (with its own queue) per documented case on one bus
    events, sqs = env.client("events"), env.client("sqs")
    events.create_event_bus(Name="patterns")
    urls = {}
    for i, (case, pattern, *_rest) in enumerate(CASES):
        url = sqs.create_queue(QueueName=f"case-{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=f"case-{i}", EventBusName="patterns", EventPattern=json.dumps(pattern))
        events.put_targets(Rule=f"case-{i}", EventBusName="patterns", Targets=[{"Id": "q", "Arn": arn}])
        urls[case] = (url, i)
    # WHEN each case's event is put on the bus
    for i, (case, _pattern, detail, extra, _expected) in enumerate(CASES):
        events.put_events(Entries=[{"Source": "securecart.inventory", "DetailType": "InventoryLow",
                                    "Detail": json.dumps(detail), "EventBusName": "patterns",
                                    "Resources": extra.get("resources", [])}])
        # (only this case's rule is checked: other rules may match this event too)
        url, _ = urls[case]
        bodies = []
        while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            bodies += [json.loads(m["Body"]) for m in got]
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # THEN the rule delivered it exactly when TestEventPattern said it matches
        matched = any(b["detail"] == detail for b in bodies)
        assert matched is CASES[i][4], case


@pytest.mark.parametrize("pattern, reason", INVALID, ids=[r for _, r in INVALID])
def test_invalid_patterns_are_refused_in_aws_words(env, pattern, reason):
    # GIVEN an invalid pattern
    events = env.client("events")
    message = f"Event pattern is not valid. Reason: {reason}"
    # WHEN TestEventPattern and PutRule get it
    with pytest.raises(ClientError) as tested:
        events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(_event(env, {}, {})))
    with pytest.raises(ClientError) as put:
        events.put_rule(Name="bad", EventPattern=json.dumps(pattern))
    # THEN both refuse it with InvalidEventPatternException and AWS's reason; no rule was created
    for error in (tested.value, put.value):
        assert error.response["Error"]["Code"] == "InvalidEventPatternException"
        assert error.response["Error"]["Message"] == message
    assert events.list_rules()["Rules"] == []


def test_invalid_json_and_invalid_events_are_refused(env):
    # GIVEN TestEventPattern
    events = env.client("events")
    # WHEN the pattern is not JSON, or the event lacks envelope fields
    with pytest.raises(events.exceptions.InvalidEventPatternException) as bad_json:
        events.test_event_pattern(EventPattern="{not json", Event=json.dumps(_event(env, {}, {})))
    with pytest.raises(ClientError) as bad_event:
        events.test_event_pattern(EventPattern="{}", Event=json.dumps({"source": "x"}))
    # THEN each gets one clear AWS error
    assert "Reason: Filter is not valid JSON" in str(bad_json.value)
    assert bad_event.value.response["Error"] == {"Code": "ValidationException", "Message": "Parameter Event is not valid."}


def test_test_event_pattern_needs_no_resources_or_detail(any_env):
    # GIVEN an event with AWS's envelope fields but neither resources nor detail
    events = any_env.client("events")
    event = {"id": "1", "source": "securecart.inventory", "detail-type": "InventoryLow",
             "account": "123456789012", "region": "us-east-1", "time": "2026-03-02T10:00:00Z"}
    # WHEN TestEventPattern is asked, and asked again without the time
    answer = events.test_event_pattern(EventPattern='{"source": ["securecart.inventory"]}', Event=json.dumps(event))
    with pytest.raises(ClientError) as no_time:
        events.test_event_pattern(EventPattern="{}", Event=json.dumps({k: v for k, v in event.items() if k != "time"}))
    # THEN AWS's answer: it matches; an event without time is not valid
    assert answer["Result"] is True
    assert no_time.value.response["Error"]["Message"] == "Parameter Event is not valid."


# -- moto alone ----------------------------------------------------------------------------
def _plain():
    return boto3.client("events", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")


def test_moto_alone_test_event_pattern_answers_nothing():
    with moto.mock_aws():
        events, _ = _plain()
        answer = events.test_event_pattern(EventPattern='{"source": ["x"]}', Event=json.dumps(
            {"id": "1", "account": "1", "source": "x", "time": "t", "region": "r", "resources": [], "detail-type": "d"}))
        # THEN no Result (AWS answers {"Result": true})
        assert "Result" not in answer


def test_moto_alone_accepts_patterns_aws_refuses():
    with moto.mock_aws():
        events, _ = _plain()
        events.put_rule(Name="bad", EventPattern=json.dumps({"a": [{"numeric": ["<", "x"]}]}))
        events.put_rule(Name="bad2", EventPattern=json.dumps({"a": [{"wildcard": "abc**"}]}))
        assert len(events.list_rules()["Rules"]) == 2


def test_moto_alone_prefix_on_time_does_not_match():
    with moto.mock_aws():
        events, sqs = _plain()
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="r", EventPattern=json.dumps({"time": [{"prefix": "20"}]}))
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
        events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])
        # THEN nothing arrives (AWS delivers: every event's time starts with "20")
        assert "Messages" not in sqs.receive_message(QueueUrl=url)



def test_moto_alone_exists_matches_an_empty_array():
    with moto.mock_aws():
        events, sqs = _plain()
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # GIVEN a rule asking that a field exists
        events.put_rule(Name="r", EventPattern=json.dumps({"detail": {"key": [{"exists": True}]}}))
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
        # WHEN an event carries the field as an empty array
        events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": json.dumps({"key": []})}])
        # THEN moto delivers it (AWS does not: an empty array is no value)
        assert "Messages" in sqs.receive_message(QueueUrl=url)
