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
