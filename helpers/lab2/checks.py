"""Lab 2 exercise checks: each runs the student's answer against a scenario on this environment.

Every check returns a :class:`~helpers.course.checks.Verdict` (``✔``/``✘`` with the numbers,
the cause as a stable key, and hints in tiers concept -> API -> answer); ``hint(env, key)``
shows the next tier.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ParamValidationError

from ..course.checks import Exercise, Hints, Verdict
from ..platform.errors import InvalidFilterPolicyError, InvalidQueuePolicyError
from ..sns.filters import validate_filter_policy
from ..sns.policies import check_queue_policy
from ..sns.publisher import publish_events
from ..sqs.plumbing import drain, plain_queue
from .common import fresh_name, fresh_queue_subscription, fresh_topic, hint_book

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["check_failed_payments_filter", "check_raw_analytics", "check_queue_policy_fix",
           "hint", "EXERCISES", "FILTER_CASES", "OVER_BROAD_POLICY"]

EXERCISES = {
    "exercise 1": Exercise("exercise 1", "failed payments over 100", Hints(
        concept="Keys in a filter policy are ANDed; the values listed for one key are ORed. "
                "A number needs a numeric comparison, not a string.",
        api='Use "status": ["failed"] and "amount": [{"numeric": [">", 100]}] (strictly over).',
        answer='FILTER_POLICY = {"status": ["failed"], "amount": [{"numeric": [">", 100]}]}')),
    "exercise 2": Exercise("exercise 2", "analytics subscriber with raw delivery", Hints(
        concept="Raw message delivery hands the queue the published message itself, without "
                "SNS's JSON envelope, with the message attributes as SQS attributes.",
        api='Subscribe(TopicArn=..., Protocol="sqs", Endpoint=<queue ARN>, Attributes='
            '{"RawMessageDelivery": "true"}) - attribute values are strings.',
        answer='return {"TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn, '
               '"Attributes": {"RawMessageDelivery": "true"}}')),
    "exercise 3": Exercise("exercise 3", "least-privilege queue policy", Hints(
        concept="Allow exactly one sender: the SNS service, one action, this queue, and only "
                "on behalf of this topic.",
        api='Principal {"Service": "sns.amazonaws.com"}, Action "sqs:SendMessage", Resource '
            'the queue ARN, Condition {"ArnEquals": {"aws:SourceArn": topic_arn}}.',
        answer="return helpers.sns.queue_policy(queue_arn, topic_arn)  # or write it out")),
}

#: The payments exercise 1 publishes: (status, amount); the answer must pass exactly the
#: failed ones strictly over 100.
FILTER_CASES = (("failed", 20.0), ("failed", 99.99), ("failed", 100.0), ("failed", 100.01),
                ("failed", 250.0), ("failed", 1200.0), ("authorized", 50.0),
                ("authorized", 150.0), ("authorized", 900.0))

#: The policy exercise 3 starts from: anyone may do anything to the queue.
OVER_BROAD_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}


def hint(env: Environment, key: str) -> str:
    """The next hint tier for ``key`` (``"exercise 1"``...)."""
    return EXERCISES[key].hint(hint_book(env))


def _fail(env: Environment, key: str, cause: str, message: str, counts: bool = True) -> Verdict:
    return EXERCISES[key].fail(hint_book(env), cause, message, counts=counts)


def _ok(env: Environment, key: str, message: str) -> Verdict:
    return EXERCISES[key].ok(hint_book(env), message)


# -- exercise 1 -----------------------------------------------------------------------------
def _filter_cause(got: set[int]) -> str:
    cases = FILTER_CASES
    authorized = {i for i, (s, _) in enumerate(cases) if s != "failed"}
    low_failed = {i for i, (s, a) in enumerate(cases) if s == "failed" and a < 100}
    at_100 = {i for i, (s, a) in enumerate(cases) if s == "failed" and a == 100}
    expected = {i for i, (s, a) in enumerate(cases) if s == "failed" and a > 100}
    if got & authorized:
        return "or-instead-of-and" if got & low_failed else "no-status"
    if got & low_failed:
        return "no-amount"
    if got & at_100:
        return "boundary" if expected <= got else "exact-number"
    if not got:
        return "matches-nothing"
    return "threshold" if got != expected else "ok"


_FILTER_TEXT = {
    "or-instead-of-and": "it let authorized payments through, and failed ones of any amount: the "
                         "conditions are ORed ($or) instead of ANDed.",
    "no-status": "authorized payments over 100 reached the security team: the status is not "
                 "checked.",
    "no-amount": "failed payments of 100 or less reached the security team: the amount is not "
                 "checked.",
    "boundary": "the failed payment of exactly 100.00 got through: 'over 100' is > 100, not >= 100.",
    "exact-number": "only a payment of exactly 100 matched: a number in the list is an exact "
                    "match; use a numeric range.",
    "matches-nothing": "no payment matched at all (a string like \">100\" or \"Failed\" is compared "
                       "literally, and case matters).",
    "threshold": "some failed payments over 100 were missed: check the threshold.",
}


def check_failed_payments_filter(env: Environment, policy: Any) -> Verdict:
    """Exercise 1: does ``policy`` pass exactly the failed payments over 100?

    Publishes :data:`FILTER_CASES` to a topic whose security queue uses the policy.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> check_failed_payments_filter(env, {"status": ["failed"],
    ...                                    "amount": [{"numeric": [">", 100]}]})
    ✔ exercise 1 (failed payments over 100): 3 of 9 payments reached the security team: exactly the failed ones over 100 (100.01, 250.0, 1200.0).
    >>> _ = env.teardown()
    """
    key = "exercise 1"
    if policy is None:
        return _fail(env, key, "not-set", "FILTER_POLICY is still None: write the filter policy "
                                          "as a dict.", counts=False)
    try:
        validate_filter_policy(policy)
    except InvalidFilterPolicyError as err:
        return _fail(env, key, "invalid-policy", str(err))
    topic = fresh_topic(env, "exercise-payments")
    sub = fresh_queue_subscription(env, topic, "exercise-security", raw=True, filter_policy=policy)
    events = [{"type": "Payment", "order_id": f"ord-ex{i:02d}", "event_id": f"ex1-{i}",
               "status": s, "amount": a} for i, (s, a) in enumerate(FILTER_CASES)]
    publish_events(env, topic, events)
    got = {int(e["order_id"][6:]) for e in drain(env, sub.queue_url, actor="security")}
    cause = _filter_cause(got)
    if cause == "ok":
        amounts = ", ".join(str(FILTER_CASES[i][1]) for i in sorted(got))
        return _ok(env, key, f"{len(got)} of {len(FILTER_CASES)} payments reached the security "
                             f"team: exactly the failed ones over 100 ({amounts}).")
    return _fail(env, key, cause, f"{len(got)} of {len(FILTER_CASES)} payments reached the security"
                                  f" team; {_FILTER_TEXT[cause]}")


# -- exercise 2 -----------------------------------------------------------------------------
def _fanout_topic(env: Environment) -> str | None:
    topics = [arn for arn in env.resources.of("topic") if ":" in arn and
              arn.rsplit(":", 1)[-1].startswith(env.name("order-status", "sns"))]
    return topics[0] if topics else None


def check_raw_analytics(env: Environment, subscription: Any) -> Verdict:
    """Exercise 2: ``subscription(topic_arn, queue_arn)`` returns Subscribe parameters for raw delivery.

    Subscribes a fresh analytics queue to section 1's order-status topic with them, publishes
    three status updates and reads the queue.
    """
    key = "exercise 2"
    if subscription is None:
        return _fail(env, key, "not-set", "analytics_subscription is still None: write the "
                                          "function.", counts=False)
    topic_arn = _fanout_topic(env)
    if topic_arn is None:
        return _fail(env, key, "not-ready", "Run the cell of section 1 (experiment_fanout) first: "
                                            "the analytics subscriber joins its order-status "
                                            "topic.", counts=False)
    url, queue_arn = plain_queue(env, fresh_name(env, "exercise-analytics", "queue"))
    env.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    try:
        params = subscription(topic_arn, queue_arn)
        if not isinstance(params, dict):
            return _fail(env, key, "not-a-dict", f"the function returned {type(params).__name__}; "
                                                 "return the dict of Subscribe parameters.")
        sub_arn = env.client("sns").subscribe(**params, ReturnSubscriptionArn=True)["SubscriptionArn"]
    except ParamValidationError as err:
        return _fail(env, key, "not-a-string", f"boto3 refused the parameters: {err}".split("\n")[0]
                     + " (attribute values are strings such as \"true\").")
    except ClientError as err:
        text = err.response["Error"]["Message"]
        cause = ("queue-url-not-arn" if "SQS endpoint ARN" in text else
                 "invalid-attribute" if "RawMessageDelivery" in text else "subscribe-refused")
        return _fail(env, key, cause, f"SNS refused the subscription: {text}")
    events = [{"type": "OrderStatusChanged", "order_id": f"ord-ex2{i}", "status": s,
               "amount": 10.0 * (i + 1)} for i, s in enumerate(("created", "paid", "shipped"))]
    publish_events(env, topic_arn, events)
    messages = env.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                 MessageAttributeNames=["All"]).get("Messages", [])
    env.client("sns").unsubscribe(SubscriptionArn=sub_arn)
    if not messages:
        protocol = params.get("Protocol")
        cause = ("wrong-protocol" if protocol != "sqs" else
                 "wrong-endpoint" if params.get("Endpoint") != queue_arn else "filtered")
        return _fail(env, key, cause, f"the analytics queue received 0 of {len(events)} updates "
                                      f"(Protocol {protocol!r}, Endpoint "
                                      f"{str(params.get('Endpoint'))[-30:]!r}).")
    body = messages[0]["Body"]
    if '"Type": "Notification"' in body or body.lstrip().startswith('{\n  "Type"'):
        return _fail(env, key, "envelope", f"the queue received {len(messages)} messages wrapped in "
                                           "SNS's JSON envelope (Type, MessageId, Signature...): "
                                           "raw message delivery is off.")
    if len(messages) < len(events):
        return _fail(env, key, "filtered", f"only {len(messages)} of {len(events)} updates arrived: "
                                           "a filter policy drops some.")
    attrs = sorted(messages[0].get("MessageAttributes", {}))
    return _ok(env, key, f"{len(messages)} of {len(events)} updates arrived as the published JSON "
                         f"itself, attributes {attrs} as SQS message attributes.")


# -- exercise 3 -----------------------------------------------------------------------------
def check_queue_policy_fix(env: Environment, make_policy: Any) -> Verdict:
    """Exercise 3: ``make_policy(queue_arn, topic_arn)`` is a least-privilege queue policy."""
    key = "exercise 3"
    if make_policy is None:
        return _fail(env, key, "not-set", "fixed_policy is still None: write the function.",
                     counts=False)
    topic = fresh_topic(env, "exercise-alerts")
    url, queue_arn = plain_queue(env, fresh_name(env, "exercise-alerts-queue", "queue"))
    policy = make_policy(queue_arn, topic.arn)
    try:
        own = check_queue_policy(policy, queue_arn=queue_arn, topic_arn=topic.arn)
    except InvalidQueuePolicyError as err:
        return _fail(env, key, "not-json", str(err))
    other = check_queue_policy(policy, queue_arn=queue_arn,
                               topic_arn=topic.arn.rsplit(":", 1)[0] + ":someone-elses-topic")
    if not own.allowed:
        return _fail(env, key, own.problems[0][0], "AWS would refuse the alerts topic's own "
                                                   f"deliveries: {own.problems[0][1]}")
    if own.problems:
        return _fail(env, key, own.problems[0][0], f"AWS would deliver, but the policy is too "
                                                   f"broad: {own.problems[0][1]}")
    env.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    env.client("sns").subscribe(TopicArn=topic.arn, Protocol="sqs", Endpoint=queue_arn,
                                Attributes={"RawMessageDelivery": "true"})
    env.client("sns").publish(TopicArn=topic.arn, Message='{"alert": "test"}')
    delivered = len(drain(env, url, actor="security"))
    return _ok(env, key, f"only the alerts topic may send (another topic: "
                         f"{'refused' if not other.allowed else 'allowed'}); the test alert "
                         f"arrived ({delivered} message).")
