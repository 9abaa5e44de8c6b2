"""Lab 2 exercise checks: each runs the student's answer against a scenario on this environment.

A notebook cell reads ``helpers.lab2.check("exercise 1")`` (the names are found in the
notebook) and ``helpers.lab2.hint("exercise 1")``; the older ``check_*(env, answer)`` and
``hint(env, key)`` still work. Each check grades against the specification, not a list:

exercise 1  the 9 published payments of the lesson, then curated distinguishing payments (a
            status that only starts or ends like "failed", other capitalisation, amounts just
            above 100) and a seeded search of 24 more, all published through SNS; a ✘ shows the
            first payment your policy gets wrong.
exercise 2  the Subscribe parameters on a fresh topic and queue of the check's own (a hard-coded
            ARN fails), three updates published, the queue read.
exercise 3  IAM's evaluation (:mod:`helpers.rules.iam`: every statement counts, explicit deny
            wins, condition operators honoured) over the alerts topic and the senders that must
            be refused (another topic, the same name in another account, another account's
            principal, another service, other actions), then a real delivery on the queue.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ParamValidationError

from ..course.checks import Exercise, Hints, Verdict
from ..course.grading import Workbook, seeded_cases
from ..platform.errors import (
    InvalidFilterPolicyError,
    InvalidPolicyDocumentError,
    InvalidQueuePolicyError,
)
from ..rules.iam import Request, evaluate
from ..sns.filters import validate_filter_policy
from ..sns.policies import check_queue_policy
from ..sns.publisher import publish_events
from ..sqs.plumbing import drain, plain_queue
from .common import fresh_name, fresh_queue_subscription, fresh_topic, hint_book

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["check_failed_payments_filter", "check_raw_analytics", "check_queue_policy_fix",
           "check", "hint", "EXERCISES", "WORKBOOK", "FILTER_CASES", "EXTRA_FILTER_CASES",
           "OVER_BROAD_POLICY", "ANSWER_TOKENS"]

_MODULE = "helpers.lab2"

EXERCISES = {
    "exercise 1": Exercise("exercise 1", "failed payments over 100", Hints(
        concept="Keys in a filter policy are ANDed; the values listed for one key are ORed. "
                "A number needs a numeric comparison, not a string.",
        api="FilterPolicy maps each message attribute to a list of allowed values (exact strings); "
            'a number is compared with {"numeric": [<operator>, <number>]}, operators =, <, <=, >, >=.',
        answer='FILTER_POLICY = {"status": ["failed"], "amount": [{"numeric": [">", 100]}]}'),
        module=_MODULE),
    "exercise 2": Exercise("exercise 2", "analytics subscriber with raw delivery", Hints(
        concept="Raw message delivery hands the queue the published message itself, without "
                "SNS's JSON envelope, with the message attributes as SQS attributes.",
        api="Subscribe(TopicArn, Protocol, Endpoint, Attributes): a queue subscribes by its ARN; "
            "the subscription attribute RawMessageDelivery turns the envelope off; attribute "
            "values are strings.",
        answer='return {"TopicArn": topic_arn, "Protocol": "sqs", "Endpoint": queue_arn, '
               '"Attributes": {"RawMessageDelivery": "true"}}'), module=_MODULE),
    "exercise 3": Exercise("exercise 3", "least-privilege queue policy", Hints(
        concept="Allow exactly one sender: the SNS service, one action, this queue, and only "
                "on behalf of this topic.",
        api="A statement has Effect, Principal {\"Service\": <the service's principal>}, Action, "
            "Resource (the queue ARN) and a Condition whose global key names the resource that "
            "sends on the service's behalf. IAM reads every statement: a Deny wins, then any Allow.",
        answer='return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
               '{"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": '
               'queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}'),
        module=_MODULE),
}

#: The payments exercise 1 publishes: (status, amount); the answer must pass exactly the
#: failed ones strictly over 100.
FILTER_CASES = (("failed", 20.0), ("failed", 99.99), ("failed", 100.0), ("failed", 100.01),
                ("failed", 250.0), ("failed", 1200.0), ("authorized", 50.0),
                ("authorized", 150.0), ("authorized", 900.0))

#: The policy exercise 3 starts from: anyone may do anything to the queue.
OVER_BROAD_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}


#: Per exercise, fragments of the answer that no concept/API hint and no ✘ may contain.
ANSWER_TOKENS = {
    "exercise 1": ('[">", 100]', '"numeric": [">"'),
    "exercise 2": ('"RawMessageDelivery": "true"', 'Protocol="sqs"', '"Protocol": "sqs"'),
    "exercise 3": ('"sns.amazonaws.com"', '"ArnEquals"', '"aws:SourceArn": topic_arn'),
}


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


#: Payments that tell a right filter from plausible wrong ones the lesson's 9 cannot: statuses
#: that only start, end or look like "failed", and amounts just around 100.
EXTRA_FILTER_CASES = (("FAILED", 150.0), ("failed-retry", 150.0), ("payment-failed", 150.0),
                      ("refunded", 150.0), ("declined", 500.0), ("failed", 100.001),
                      ("failed", 101.0), ("failed", 99.999), ("failed", 0.0), ("failed", 1_000_000.0))
_STATUSES = ("failed", "authorized", "refunded", "declined", "pending", "captured", "FAILED",
             "failed_retry", "not-failed")


def _random_payment(rng: Any) -> tuple[str, float]:
    amount = rng.choice([round(rng.uniform(0, 2000), 2), round(rng.uniform(99, 101), 3)])
    return rng.choice(_STATUSES), amount


def _wanted(case: tuple[str, float]) -> bool:
    """The specification: a failed payment strictly over 100."""
    return case[0] == "failed" and case[1] > 100


def _publish_cases(env: Environment, policy: Any, cases: list[tuple[str, float]], tag: str) -> set[int]:
    topic = fresh_topic(env, "exercise-payments")
    sub = fresh_queue_subscription(env, topic, "exercise-security", raw=True, filter_policy=policy)
    events = [{"type": "Payment", "order_id": f"ord-{tag}{i:02d}", "event_id": f"{tag}-{i}",
               "status": s, "amount": a} for i, (s, a) in enumerate(cases)]
    publish_events(env, topic, events)
    return {int(e["order_id"][len(tag) + 4:]) for e in drain(env, sub.queue_url, actor="security")}


def _search_filter(env: Environment, policy: Any) -> tuple[str, str] | None:
    """The first extra or generated payment the policy gets wrong, as (cause, text)."""
    cases = [*EXTRA_FILTER_CASES, *seeded_cases(_random_payment, seed=104, n=24)]
    got = _publish_cases(env, policy, cases, "xs")
    for i, case in enumerate(cases):
        if (i in got) == _wanted(case):
            continue
        status, amount = case
        shown = f'{{"status": "{status}", "amount": {amount}}}'
        if i in got and status != "failed":
            return "status-too-broad", (f"your policy also let through the payment {shown}: only "
                                        "the status failed itself may pass (a status is compared "
                                        "as an exact string; a prefix, suffix or anything-but "
                                        "lets other statuses in).")
        if i in got:
            return "boundary", f"your policy also let through the payment {shown}: not over 100."
        return "threshold", f"your policy missed the payment {shown}: a failed payment over 100."
    return None


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
    got = _publish_cases(env, policy, list(FILTER_CASES), "ex")
    cause = _filter_cause(got)
    counterexample = _search_filter(env, policy) if cause == "ok" else None
    if counterexample is not None:
        return _fail(env, key, counterexample[0], counterexample[1])
    if cause == "ok":
        amounts = ", ".join(str(FILTER_CASES[i][1]) for i in sorted(got))
        return _ok(env, key, f"{len(got)} of {len(FILTER_CASES)} payments reached the security "
                             f"team: exactly the failed ones over 100 ({amounts}).")
    return _fail(env, key, cause, f"{len(got)} of {len(FILTER_CASES)} payments reached the security"
                                  f" team; {_FILTER_TEXT[cause]}")


# -- exercise 2 -----------------------------------------------------------------------------
def check_raw_analytics(env: Environment, subscription: Any) -> Verdict:
    """Exercise 2: ``subscription(topic_arn, queue_arn)`` returns Subscribe parameters for raw delivery.

    Subscribes a fresh analytics queue to a fresh order-status topic of the check's own (so a
    hard-coded ARN fails) with them, publishes three status updates and reads the queue.
    """
    key = "exercise 2"
    if subscription is None:
        return _fail(env, key, "not-set", "analytics_subscription is still None: write the "
                                          "function.", counts=False)
    topic_arn = fresh_topic(env, "exercise-order-status").arn
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
        sub_arn = env.client("sns").subscribe(**{**params, "ReturnSubscriptionArn": True})[
            "SubscriptionArn"]
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
def _must_refuse(queue_arn: str, topic_arn: str) -> list[tuple[str, Request]]:
    """Senders the alerts queue must refuse, in the student's terms, with IAM's request."""
    account = topic_arn.split(":")[4]
    other_account = "999999999999" if account != "999999999999" else "111122223333"
    sns = {"Service": "sns.amazonaws.com"}
    region = topic_arn.split(":")[3]

    def via_sns(source: str) -> Request:
        return Request("sqs:SendMessage", queue_arn, sns,
                       {"aws:SourceArn": source, "aws:SourceAccount": source.split(":")[4]})

    stranger = {"AWS": f"arn:aws:iam::{other_account}:root"}
    return [
        ("another topic of this account (marketing)", via_sns(topic_arn.rsplit(":", 1)[0] + ":marketing")),
        ("a topic whose name starts like the alerts topic's", via_sns(topic_arn + "-copy")),
        ("a topic of the same name in another account",
         via_sns(f"arn:aws:sns:{region}:{other_account}:{topic_arn.rsplit(':', 1)[-1]}")),
        ("another account sending directly", Request("sqs:SendMessage", queue_arn, stranger, {})),
        ("another account reading the alerts", Request("sqs:ReceiveMessage", queue_arn, stranger, {})),
        ("another account purging the queue", Request("sqs:PurgeQueue", queue_arn, stranger, {})),
        ("the SNS service deleting messages for the alerts topic",
         Request("sqs:DeleteMessage", queue_arn, sns, {"aws:SourceArn": topic_arn})),
        ("an EventBridge rule", Request("sqs:SendMessage", queue_arn, {"Service": "events.amazonaws.com"},
                                        {"aws:SourceArn": f"arn:aws:events:{region}:{account}:rule/x"})),
    ]


#: What each policy mistake means, in words that do not give the answer away.
_POLICY_TEXT = {
    "any-principal": 'Principal "*" lets anyone (any account, any service) use the statement; name '
                     "the one service that delivers.",
    "wrong-principal": "no statement allows the service that delivers the alerts, so it cannot send.",
    "wrong-action": "the action SNS needs to deliver is not allowed, so it cannot send.",
    "broad-action": "the statement grants more actions than delivering a message needs.",
    "wrong-resource": "Resource is not exactly this queue's ARN.",
    "no-source-condition": "no condition names the topic: every topic, in any account, could "
                           "send here through the service.",
    "other-topic": "the condition names another topic, so the alerts topic is refused.",
    "wildcard-source": "the condition's ARN has a wildcard: it matches more topics than this one.",
    "denied": "a Deny statement matches the alerts topic's deliveries: a Deny wins over any Allow.",
    "no-allow": "no Allow statement: nothing may send.",
}


def _policy_text(problem: tuple[str, str]) -> str:
    return _POLICY_TEXT.get(problem[0], problem[1])


def _negated(statement: Any) -> bool:
    condition = statement.get("Condition") if isinstance(statement, dict) else None
    return isinstance(condition, dict) and any("Not" in op for op in condition)


def _iam_verdict(env: Environment, key: str, policy: Any, queue_arn: str,
                 topic_arn: str, problems: list[tuple[str, str]]) -> Verdict | None:
    """A ✘ when IAM refuses the alerts topic or allows a sender it must refuse, else None."""
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    statements = statements if isinstance(statements, list) else [statements]
    own = evaluate(policy, Request("sqs:SendMessage", queue_arn, {"Service": "sns.amazonaws.com"},
                                   {"aws:SourceArn": topic_arn, "aws:SourceAccount": topic_arn.split(":")[4]}))
    if not own.allowed:
        # the statements that refused it: an explicit Deny names its own; else every Allow
        refusing = own.statements or [i for i, st in enumerate(statements)
                                      if isinstance(st, dict) and st.get("Effect") == "Allow"]
        negated = [i for i in refusing if _negated(statements[i])]
        if negated:
            return _fail(env, key, "negated-condition", "IAM would refuse the alerts topic itself: "
                         f"statement #{negated[0] + 1}'s condition operator is a negation, so it "
                         "applies to every sender except the one it names.")
        return None  # check_queue_policy names the reason in the course's terms
    for who, request in _must_refuse(queue_arn, topic_arn):
        decision = evaluate(policy, request)
        if decision.allowed:
            n = decision.statements[0]
            if problems and not (len(statements) > 1 and n > 0):
                return _fail(env, key, problems[0][0], f"IAM would also allow {who} "
                             f"({request.action}): {decision.explain()}; {_policy_text(problems[0])}")
            cause = "extra-statement" if len(statements) > 1 and n > 0 else "too-broad"
            return _fail(env, key, cause, f"IAM would also allow {who} ({request.action}): "
                         f"{decision.explain()}. Every statement counts: one broad statement "
                         "opens the queue whatever the others say.")
    return None


def check_queue_policy_fix(env: Environment, make_policy: Any) -> Verdict:
    """Exercise 3: ``make_policy(queue_arn, topic_arn)`` is a least-privilege queue policy.

    The policy is evaluated as IAM does (:mod:`helpers.rules.iam`) for the alerts topic and for
    senders it must refuse; then set on a real queue, which receives the alerts topic's test
    alert and refuses another topic's message (the stand-in enforces queue policies on moto).
    """
    key = "exercise 3"
    if make_policy is None:
        return _fail(env, key, "not-set", "fixed_policy is still None: write the function.",
                     counts=False)
    if not callable(make_policy):
        return _fail(env, key, "not-a-function", f"fixed_policy is a {type(make_policy).__name__}: "
                     "write a function fixed_policy(queue_arn, topic_arn) that returns the policy.")
    topic = fresh_topic(env, "exercise-alerts")
    url, queue_arn = plain_queue(env, fresh_name(env, "exercise-alerts-queue", "queue"))
    policy = make_policy(queue_arn, topic.arn)
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return _fail(env, key, "not-json", f"The queue policy is not JSON: {policy[:60]!r}. "
                         "Return a dict with Version and Statement.")
    if not isinstance(policy, dict):
        return _fail(env, key, "not-a-dict", f"fixed_policy returned a {type(policy).__name__}: "
                     "return the policy document as a dict with Version and Statement.")
    try:
        own = check_queue_policy(policy, queue_arn=queue_arn, topic_arn=topic.arn)
        iam = _iam_verdict(env, key, policy, queue_arn, topic.arn, own.problems)
    except (InvalidPolicyDocumentError, InvalidQueuePolicyError) as err:
        return _fail(env, key, "invalid-policy", f"AWS would refuse this policy document: {err}")
    if iam is not None:
        return iam
    other = check_queue_policy(policy, queue_arn=queue_arn,
                               topic_arn=topic.arn.rsplit(":", 1)[0] + ":someone-elses-topic")
    if not own.allowed:
        return _fail(env, key, own.problems[0][0], "AWS would refuse the alerts topic's own "
                                                   f"deliveries: {_policy_text(own.problems[0])}")
    if own.problems:
        return _fail(env, key, own.problems[0][0], f"AWS would deliver, but the policy is too "
                                                   f"broad: {_policy_text(own.problems[0])}")
    sqs, sns = env.client("sqs"), env.client("sns")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    stranger = fresh_topic(env, "exercise-marketing")
    for source in (topic.arn, stranger.arn):
        sns.subscribe(TopicArn=source, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=stranger.arn, Message='{"offer": "20% off"}')
    sns.publish(TopicArn=topic.arn, Message='{"alert": "test"}')
    delivered = len(drain(env, url, actor="security"))
    return _ok(env, key, f"only the alerts topic may send (another topic: "
                         f"{'refused' if not other.allowed else 'allowed'}); the test alert "
                         f"arrived ({delivered} message).")


#: Lab 2's exercises with the names each check reads from the notebook.
WORKBOOK = Workbook(_MODULE, EXERCISES, {
    "exercise 1": (check_failed_payments_filter, (("FILTER_POLICY", "Exercise 1's cell"),)),
    "exercise 2": (check_raw_analytics, (("analytics_subscription", "Exercise 2's cell"),)),
    "exercise 3": (check_queue_policy_fix, (("fixed_policy", "Exercise 3's cell"),)),
})



#: ``check("exercise N")`` and ``hint("exercise N")`` for the notebook's cells.
check, hint = WORKBOOK.api()
