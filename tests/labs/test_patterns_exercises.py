"""Notebook 09's exercise checks tell the right answer from the plausible wrong ones.

GIVEN an answer WHEN its check runs a fresh scenario THEN the verdict passes only for the
right one, names the failure mode of each wrong one, and gives the same verdict on a re-run.
"""

from __future__ import annotations

import pytest

from helpers.patterns import check, hint, outbox

FAILED = {"OnFailure": {"Destination": "FAILED_RECEIPTS_ARN"}}


@pytest.mark.parametrize(("key", "answer", "cause"), [
    ("exercise 1", "powertools_json(Records[0].Sns.Message).order_id", None),
    ("exercise 1", "Records[0].Sns.MessageId", "transport-id"),
    ("exercise 1", "Records[0].Sns.Message", "changes-per-publish"),
    ("exercise 1", "Records[0].EventSource", "too-broad"),
    ("exercise 1", "Records[0].nothing", "no-key"),
    ("exercise 1", "(((", "invalid-jmespath"),
    ("exercise 1", None, "missing"),
    ("exercise 2", outbox.outbox_entry, None),
    ("exercise 2", lambda r: outbox.outbox_entry({**r, "eventName": "INSERT"}), "publishes-other-records"),
    ("exercise 2", lambda r: {"Source": "securecart.orders", "DetailType": "OrderPlaced",
                              "Detail": r["dynamodb"]["NewImage"].get("detail", {}).get("S", "{}")},
     "publishes-other-records"),
    ("exercise 2", lambda r: 1 / 0, "raises"),
    ("exercise 2", lambda r: None, "publishes-nothing"),
    ("exercise 3", {"MaximumRetryAttempts": 1, "DestinationConfig": FAILED}, None),
    ("exercise 3", {"MaximumRetryAttempts": 0, "DestinationConfig": FAILED}, "no-retry"),
    ("exercise 3", {"MaximumRetryAttempts": 2, "DestinationConfig": FAILED}, "too-many-retries"),
    ("exercise 3", {"MaximumRetryAttempts": 1}, "no-destination"),
    ("exercise 3", {"MaximumRetryAttempts": 5}, "invalid"),
    ("exercise 4", {"fulfillment": "STANDARD", "click-enrichment": "EXPRESS"}, None),
    ("exercise 4", {"fulfillment": "EXPRESS", "click-enrichment": "EXPRESS"}, "fulfillment-express"),
    ("exercise 4", {"fulfillment": "STANDARD", "click-enrichment": "STANDARD"}, "clicks-standard"),
    ("exercise 4", {"fulfillment": "standard", "click-enrichment": "LAMBDA"}, "unknown-type"),
])
def test_each_answer_gets_its_verdict(env, key, answer, cause):
    verdict = check(env, key, answer)
    assert bool(verdict) is (cause is None)
    assert verdict.cause == cause
    again = check(env, key, answer)  # a re-run: same verdict
    assert (bool(again), again.cause) == (bool(verdict), verdict.cause)


def test_hints_go_concept_api_answer(env):
    assert hint(env, "exercise 4").startswith("Hint 1/3 (concept)")
    assert hint(env, "exercise 4").startswith("Hint 2/3 (API)")
    assert "STANDARD" in hint(env, "exercise 4")


def test_exercise_1_on_the_server_backend(server_env):
    assert check(server_env, "exercise 1", "powertools_json(Records[0].Sns.Message).order_id")
    assert check(server_env, "exercise 1", "Records[0].Sns.MessageId").cause == "transport-id"


ACCOUNT = "123456789012"
_ROOT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}


def _service(service, condition=True, actions=("kms:GenerateDataKey*", "kms:Decrypt")):
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions), "Resource": "*"}
    if condition:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": f"arn:aws:*:us-east-1:{ACCOUNT}:*"}}
    return statement


@pytest.mark.parametrize(("statements", "cause"), [
    ([_ROOT, _service("sns.amazonaws.com"), _service("events.amazonaws.com")], None),
    ([_ROOT], "sns-refused"),
    ([_ROOT, _service("sns.amazonaws.com", actions=("kms:Decrypt",)), _service("events.amazonaws.com")],
     "sns-refused"),
    ([_ROOT, _service("sns.amazonaws.com")], "events-refused"),
    ([_ROOT, _service("sns.amazonaws.com", condition=False), _service("events.amazonaws.com")], "confused-deputy"),
    ([_service("sns.amazonaws.com"), _service("events.amazonaws.com")], "locks-out-admins"),
    ([_ROOT, {**_service("sns.amazonaws.com"), "Effect": "Permit"}], "invalid"),
])
def test_key_policy_verdicts(env, statements, cause):
    verdict = check(env, "exercise 5", {"Version": "2012-10-17", "Statement": statements})
    assert verdict.cause == cause, verdict.text()


def test_reference_key_policy_passes(env):
    from helpers.patterns import access
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:{env.name('orders', 'sns')}"
    rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{env.name('orders', 'events')}"
    assert check(env, "exercise 5", access.fixed_key_policy(ACCOUNT, [topic], [rule]))


def test_the_one_check_api_reads_the_notebook_and_prints_a_call_that_works(env):
    # GIVEN notebook 09's namespace with a starter left as it is and a right answer
    namespace = {"env": env, "WORKFLOW_TYPES": None}
    # WHEN the student checks it the way every lab does
    first = eval('check("exercise 4")', {"check": check, **namespace})
    # THEN the starter fails like a starter, and the hint call the ✘ prints runs as printed
    assert first.cause == "missing" and not first
    assert 'helpers.patterns.hint("exercise 4")' in first.text()
    import helpers
    shown = eval('helpers.patterns.hint("exercise 4")', {"helpers": helpers, **namespace})
    assert "exercise 4" in shown
