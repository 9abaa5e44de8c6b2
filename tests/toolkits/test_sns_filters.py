"""Filter policies: every operator against the SNS Developer Guide's examples, and validation.

Examples from the *Amazon SNS Developer Guide*: "String value matching", "Numeric value
matching", "Key matching", "IP address matching", "Filter policy constraints".
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from helpers.platform.errors import InvalidFilterPolicyError
from helpers.sns import (
    combinations,
    matches,
    publish_events,
    subscribe_queue,
    validate_filter_policy,
)
from helpers.sns.topics import create_topic
from helpers.sqs import drain


def S(value):  # noqa: N802 - a String attribute, as boto3 writes it
    return {"DataType": "String", "StringValue": value}


def A(*values):  # noqa: N802 - a String.Array attribute
    return {"DataType": "String.Array", "StringValue": json.dumps(list(values))}


def N(value):  # noqa: N802 - a Number attribute
    return {"DataType": "Number", "StringValue": str(value)}


INTERESTS = "customer_interests"

# (policy, attributes, expected): each row an example of the guide
ATTRIBUTE_CASES = [
    ({INTERESTS: ["rugby", "tennis"]}, {INTERESTS: S("rugby")}, True),
    ({INTERESTS: ["rugby", "tennis"]}, {INTERESTS: A("rugby", "tennis")}, True),
    ({INTERESTS: ["rugby", "tennis"]}, {INTERESTS: S("baseball")}, False),
    ({INTERESTS: ["rugby", "tennis"]}, {INTERESTS: A("baseball")}, False),
    ({INTERESTS: [{"anything-but": ["rugby", "tennis"]}]}, {INTERESTS: S("baseball")}, True),
    ({INTERESTS: [{"anything-but": ["rugby", "tennis"]}]}, {INTERESTS: S("rugby")}, False),
    ({INTERESTS: [{"anything-but": {"prefix": "bas"}}]}, {INTERESTS: S("rugby")}, True),
    ({INTERESTS: [{"anything-but": {"prefix": "bas"}}]}, {INTERESTS: S("baseball")}, False),
    ({INTERESTS: [{"prefix": "bas"}]}, {INTERESTS: S("basketball")}, True),
    ({INTERESTS: [{"prefix": "bas"}]}, {INTERESTS: S("rugby")}, False),
    ({INTERESTS: [{"suffix": "ball"}]}, {INTERESTS: S("baseball")}, True),
    ({INTERESTS: [{"suffix": "ball"}]}, {INTERESTS: S("rugby")}, False),
    ({INTERESTS: [{"equals-ignore-case": "tennis"}]}, {INTERESTS: S("TENNIS")}, True),
    ({INTERESTS: [{"equals-ignore-case": "tennis"}]}, {INTERESTS: S("tennis ball")}, False),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": N(100)}, True),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": N(150)}, True),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": N(151)}, False),
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": N(301.5)}, True),
    ({"store": [{"exists": True}]}, {"store": S("fans")}, True),
    ({"store": [{"exists": True}]}, {INTERESTS: A("baseball")}, False),
    ({"store": [{"exists": False}]}, {INTERESTS: A("baseball")}, True),
    ({"store": [{"exists": False}]}, {}, False),  # needs at least one attribute
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": S("10.0.0.255")}, True),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": S("10.0.1.0")}, False),
    ({"source_ip": [{"cidr": "2001:db8::/32"}]}, {"source_ip": S("2001:db8::1")}, True),
    ({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]},
                                            {"namespace": ["AWS/EC2"]}]},
     {"source": S("aws.cloudwatch"), "namespace": S("AWS/EC2")}, True),
    ({"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]},
                                            {"namespace": ["AWS/EC2"]}]},
     {"source": S("aws.cloudwatch"), "namespace": S("AWS/RDS")}, False),
    ({"status": ["failed"], "amount": [{"numeric": [">", 100]}]},
     {"status": S("failed"), "amount": N(100)}, False),
]


@pytest.mark.parametrize("policy, attributes, expected", ATTRIBUTE_CASES)
def test_attribute_operators_match_as_the_guide_says(policy, attributes, expected):
    # GIVEN a valid policy / WHEN matched against the attributes / THEN the guide's answer
    assert validate_filter_policy(policy) == policy
    assert matches(policy, attributes=attributes) is expected


BODY_CASES = [
    ({"customer": {"interests": ["rugby"]}}, {"customer": {"interests": ["rugby", "soccer"]}}, True),
    ({"customer": {"interests": ["rugby"]}}, {"customer": {"interests": "tennis"}}, False),
    ({"customer.interests": ["rugby"]}, {"customer": {"interests": ["rugby"]}}, True),
    ({"order": {"amount": [{"numeric": [">=", 500]}]}}, {"order": {"amount": 499.99}}, False),
    ({"store": [{"exists": False}]}, {"customer": "x"}, True),
    ({"order": {"$or": [{"region": ["eu-west-1"]}, {"tier": ["gold"]}]}},
     {"order": {"region": "us-east-1", "tier": "gold"}}, True),
]


@pytest.mark.parametrize("policy, body, expected", BODY_CASES)
def test_body_scope_matches_nested_and_dotted_keys(policy, body, expected):
    assert validate_filter_policy(policy, "MessageBody") == policy
    assert matches(policy, body=body) is expected


@pytest.mark.parametrize("policy, fragment", [
    ('{"a": ', "failed to parse JSON"),
    ({"a": "b"}, '"a" must be an object or an array'),
    ({k: ["x"] for k in "abcdef"}, "Filter policy can not have more than 5 keys"),
    ({"a": list(range(10)), "b": list(range(16))}, "Filter policy is too complex"),
    ({"a": [{"numeric": [">", "1"]}]}, "Value of > must be numeric"),
    ({"a": [{"numeric": ["<", 1, ">", 0]}]}, "Too many elements in numeric expression"),
    ({"a": [{"numeric": [">", 3, "<", 1]}]}, "Bottom must be less than top"),
    ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
    ({"a": [{"prefix": 1}]}, "prefix match pattern must be a string"),
    ({"a": [{"cidr": "10.0.0.0/x"}]}, "Malformed CIDR, mask bits must be an integer"),
    ({"a": [{"cidr": "xx.11.xx/24"}]}, "Nonstandard IP address: xx.11.xx"),
    ({"a": [{"anything-but": {"exists": False}}]}, "Unsupported anything-but pattern: exists"),
    # SNS refuses the suffix form EventBridge accepts (recorded against AWS, 2024-05-15).
    ({"a": [{"anything-but": {"suffix": "ball"}}]}, "Unsupported anything-but pattern: suffix"),
    ({"a": [{"suffix": "x", "prefix": "y"}]}, "Only one key allowed in match expression"),
    ({"a": []}, "Empty arrays are not allowed"),
    ({"a": [["nested"]]}, "Match value must be String, number, true, false, or null"),
])
def test_invalid_policies_get_one_clear_error_quoting_aws(policy, fragment):
    with pytest.raises(InvalidFilterPolicyError) as info:
        validate_filter_policy(policy)
    assert f"Invalid parameter: FilterPolicy: {fragment}" in str(info.value)


def test_combinations_multiply_and_or_branches_add():
    assert combinations({"a": [1, 2, 3], "b": [1, 2, 3, 4, 5]}) == 15
    assert combinations({"$or": [{"a": [1, 2]}, {"b": [1, 2, 3]}]}) == 5
    assert combinations({"a": {"b": [1, 2, 3, 4]}, "c": {"d": [1, 2, 3]}}, "MessageBody") == 48


def test_every_operator_delivers_and_drops_per_subscriber(env):
    # GIVEN one topic, one queue subscriber per operator
    topic = create_topic(env, "payments")
    policies = {
        "exact": {"status": ["failed"]},
        "prefix": {"region": [{"prefix": "eu-"}]},
        "suffix": {"region": [{"suffix": "-1"}]},
        "ignore-case": {"status": [{"equals-ignore-case": "FAILED"}]},
        "anything-but": {"status": [{"anything-but": ["failed"]}]},
        "numeric": {"amount": [{"numeric": [">=", 500]}]},
        "exists": {"customer_id": [{"exists": False}]},
        "or": {"$or": [{"status": ["failed"]}, {"amount": [{"numeric": [">", 900]}]}]},
    }
    subs = {name: subscribe_queue(env, topic, f"q-{name}", raw=True, filter_policy=p)
            for name, p in policies.items()}
    events = [{"order_id": "o1", "status": "failed", "amount": 50.0, "region": "eu-west-1"},
              {"order_id": "o2", "status": "authorized", "amount": 950.0, "region": "us-east-1"},
              {"order_id": "o3", "status": "authorized", "amount": 600.0,
               "region": "ap-southeast-2"}]
    # WHEN the three events are published
    publish_events(env, topic, events)
    # THEN each subscriber received exactly the matching ones
    got = {name: [e["order_id"] for e in drain(env, s.queue_url, actor=name)]
           for name, s in subs.items()}
    assert got == {"exact": ["o1"], "prefix": ["o1"], "suffix": ["o1", "o2"],
                   "ignore-case": ["o1"], "anything-but": ["o2", "o3"], "numeric": ["o2", "o3"],
                   "exists": ["o1", "o2", "o3"], "or": ["o1", "o2"]}
    dropped = env.log.to_frame().query("action == 'filter-drop'")
    assert len(dropped) == 8 * 3 - sum(len(v) for v in got.values())


@pytest.mark.parametrize(("rule", "reason"), [
    ({"wildcard": "ap-*-2"}, "Unrecognized match type wildcard"),
    ({"anything-but": {"suffix": "ball"}}, "Unsupported anything-but pattern: suffix"),
    ({"anything-but": {"wildcard": "*ball"}}, "Unsupported anything-but pattern: wildcard"),
])
def test_sns_refuses_what_only_eventbridge_documents(env, rule, reason):
    # GIVEN a subscription (wildcard and anything-but suffix are EventBridge operators; the SNS
    # developer guide lists neither, and AWS refuses anything-but suffix in recorded snapshots)
    sns, topic = env.client("sns"), create_topic(env, "no-wildcard")
    sub = subscribe_queue(env, topic, "q-plain")
    # WHEN / THEN SNS refuses the policy in AWS's words, and the old policy stays
    with pytest.raises(ClientError) as info:
        sns.set_subscription_attributes(SubscriptionArn=sub.arn, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps({"region": [rule]}))
    assert info.value.response["Error"]["Message"] == f"Invalid parameter: FilterPolicy: {reason}"
    assert "FilterPolicy" not in sns.get_subscription_attributes(
        SubscriptionArn=sub.arn)["Attributes"]
