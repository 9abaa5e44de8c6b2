"""helpers.platform.naming: run prefixes, course tags and the AWS name rules, checked before any call."""

from __future__ import annotations

import pytest

from helpers.platform.errors import InvalidNameError
from helpers.platform.naming import Naming


@pytest.fixture
def rules() -> Naming:
    return Naming("demo")


def test_prefix_is_added_once(rules):
    # GIVEN / WHEN prefixing a short name and then the result again
    once = rules.name("orders")
    twice = rules.name(once)

    # THEN the prefix is there exactly once
    assert once == twice == "securecart-demo-orders"
    assert rules.is_ours(once) and not rules.is_ours("orders")


def test_fifo_suffix_is_kept(rules):
    # GIVEN / WHEN / THEN
    assert rules.name("status.fifo") == "securecart-demo-status.fifo"
    assert rules.name("status.fifo", "sns") == "securecart-demo-status.fifo"


def test_reserved_default_bus_is_not_prefixed(rules):
    # GIVEN / WHEN / THEN
    assert rules.name("default", "events") == "default"


@pytest.mark.parametrize(("service", "limit"), [("sqs", 80), ("events", 64)])
def test_too_long_name_says_how_many_characters_remain(rules, service, limit):
    # GIVEN a name one character over the limit once the 16-character prefix is added
    room = limit - len("securecart-demo-")
    name = "x" * (room + 1)

    # WHEN / THEN the error gives the length with the prefix and the room left for the name
    with pytest.raises(InvalidNameError) as caught:
        rules.name(name, service)
    message = str(caught.value)
    assert f"with the run prefix 'securecart-demo-' it has {limit + 1} characters" in message
    assert f"keep the name to {room} characters" in message
    assert rules.name("x" * room, service) == "securecart-demo-" + "x" * room


def test_invalid_characters_are_listed(rules):
    # GIVEN / WHEN / THEN every offending character is named once, in order
    with pytest.raises(InvalidNameError) as caught:
        rules.name("new orders!/v2 !")
    message = str(caught.value)
    assert "Name 'new orders!/v2 !' is not valid" in message
    assert "Characters not allowed: ' ', '!', '/'." in message
    assert "letters, digits, hyphens and underscores" in message


@pytest.mark.parametrize("name", ["orders\n", "bad.name", "a.fifo.fifo"])
def test_misplaced_dots_and_trailing_newline_are_rejected(rules, name):
    # GIVEN / WHEN / THEN (a trailing newline once slipped through a `$` anchor)
    with pytest.raises(InvalidNameError, match="is not valid: SQS queue names"):
        rules.name(name)


@pytest.mark.parametrize("name", ["", None, 42])
def test_empty_or_non_string_name_is_rejected(rules, name):
    # GIVEN / WHEN / THEN
    with pytest.raises(InvalidNameError, match="empty or not a string"):
        rules.name(name)


@pytest.mark.parametrize("run", ["lab1", "t1234567", "a", "x" * 16, "lab-2"])
def test_valid_run_ids(run):
    # GIVEN / WHEN
    naming = Naming(run)

    # THEN prefix and tags carry the run id
    assert naming.prefix == f"securecart-{run}-"
    assert naming.tags == {"course": "securecart", "run": run}


@pytest.mark.parametrize("run", ["", "Lab1", "-lab", "x" * 17, "lab_1", "lab 1", "lab1\n", None])
def test_invalid_run_ids(run):
    # GIVEN / WHEN / THEN the message names the value and the rule
    with pytest.raises(InvalidNameError) as caught:
        Naming(run)
    message = str(caught.value)
    assert f"Run id {run!r} is not valid" in message
    assert "1-16 lower-case letters, digits or hyphens" in message


def test_apply_prefixes_and_tags_boto_parameters(rules):
    # GIVEN the parameters of a student's CreateQueue and PutRule calls
    queue = {"QueueName": "orders", "tags": {"team": "ops"}}
    rule = {"Name": "route", "EventBusName": "default",
            "Tags": [{"Key": "team", "Value": "ops"}]}
    target = {"Rule": "route", "Targets": []}

    # WHEN
    rules.apply("sqs", "CreateQueue", queue)
    rules.apply("events", "PutRule", rule)
    rules.apply("events", "PutTargets", target)

    # THEN names are prefixed, course tags added, a student's own tags kept
    assert queue == {"QueueName": "securecart-demo-orders",
                     "tags": {"course": "securecart", "run": "demo", "team": "ops"}}
    assert rule["Name"] == "securecart-demo-route" and rule["EventBusName"] == "default"
    assert rule["Tags"] == [{"Key": "team", "Value": "ops"},
                            {"Key": "course", "Value": "securecart"},
                            {"Key": "run", "Value": "demo"}]
    assert target["Rule"] == "securecart-demo-route"


def test_arns_are_left_alone(rules):
    # GIVEN a parameter that already holds an ARN
    params = {"Name": "arn:aws:events:us-east-1:123456789012:event-bus/partner"}

    # WHEN / THEN
    rules.apply("events", "DescribeEventBus", params)
    assert params["Name"].startswith("arn:aws:events:")


def test_custom_event_bus_tags_are_a_map_and_its_arns_prefixed(rules):
    # GIVEN the Custom Event Bus (eventbridgev2), whose TagMap is a map, not a list of pairs
    bus = {"Name": "orders", "Tags": {"team": "ops"}}
    subscriber = {"Name": "ledger", "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-busv2/x/y",
                  "InvokeConfiguration": {"RoleArn": "r", "TargetArn": "arn:aws:sqs:us-east-1:123456789012:q"},
                  "OnFailureConfiguration": {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"}}
    # WHEN the hook applies
    rules.apply("eventbridgev2", "CreateEventBus", bus)
    rules.apply("eventbridgev2", "CreateSubscriber", subscriber)
    # THEN names are prefixed, tags stay a map, target and failure queue ARNs are the run's
    assert bus == {"Name": "securecart-demo-orders", "Tags": {"team": "ops", "course": "securecart", "run": "demo"}}
    assert subscriber["Name"] == "securecart-demo-ledger" and subscriber["Tags"]["run"] == "demo"
    assert subscriber["InvokeConfiguration"]["TargetArn"].endswith(":securecart-demo-q")
    assert subscriber["OnFailureConfiguration"]["Arn"].endswith(":securecart-demo-dlq")
