"""Lab 1 checks against catalogues of known-wrong answers: each gets ✘ and the right cause.

Every check's scenario must tell the right answer from the plausible wrong ones:
exercise 3 rejects 45, 55 and 59 s although the slowest payment takes 60 s, exercise 4 rejects
``MessageDeduplicationId = customer_id`` (real payments never charged), exercise 2 rejects a
handler keyed on the SQS ``messageId`` (a producer resend gets a new one).
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import uuid

import pytest
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from helpers import lab1
from helpers.lab1 import PaymentGateway
from helpers.sqs import idempotency_table


# -- exercise 1 ---------------------------------------------------------------------------
@pytest.mark.parametrize("value, cause", [
    (None, "missing"), ("5", "not-a-count"), (2.5, "not-a-count"), (True, "not-a-count"),
    (0, "out-of-range"), (1001, "out-of-range"),
    (1, "too-low"), (3, "too-low"), (4, "too-low"),
    (12, "too-slow"), (50, "too-slow"), (1000, "too-slow"),
])
def test_exercise_1_rejects_each_wrong_max_receive_count(env, value, cause):
    # WHEN the DLQ check gets a wrong maxReceiveCount
    verdict = lab1.check_dlq_config(env, value)
    # THEN it fails, naming the cause
    assert not verdict and verdict.cause == cause, verdict


@pytest.mark.parametrize("value", [5, 8, 11])
def test_exercise_1_accepts_the_lambda_guides_band(env, value):
    verdict = lab1.check_dlq_config(env, value)
    assert verdict and verdict.cause is None, verdict
    assert f"maxReceiveCount={value}" in repr(verdict)


# -- exercise 2 ---------------------------------------------------------------------------
def _powertools(env, gateway, *, key="order_id", swallow=False, idempotent=True, remember=None):
    """A Powertools handler as a student writes it, with one deliberate mistake (or none)."""
    persistence = DynamoDBPersistenceLayer(table_name=idempotency_table(env),
                                           boto3_client=env.client("dynamodb"))
    config = IdempotencyConfig(event_key_jmespath=key)
    processor = BatchProcessor(event_type=EventType.SQS)

    def charge(payment):
        gateway.charge(payment["order_id"], payment["amount"])

    charge_once = idempotent_function(data_keyword_argument="payment", config=config,
                                      persistence_store=persistence,
                                      key_prefix=uuid.uuid4().hex)(charge)

    def record_handler(record):
        payment = {**json.loads(record.body), "message_id": record.message_id}
        if remember is not None:  # a hand-written "seen" set, filled before the charge
            if payment["order_id"] in remember:
                return
            remember.add(payment["order_id"])
        try:
            (charge_once if idempotent else charge)(payment=payment)
        except ConnectionError:
            if not swallow:
                raise

    def payment_handler(event, context):
        config.register_lambda_context(context)
        return process_partial_response(event=event, record_handler=record_handler,
                                        processor=processor, context=context)

    return payment_handler


def _returns_a_list(env, gateway):
    return lambda event, context: [r["messageId"] for r in event["Records"]]


class _Table:
    """A store outside Lambda (shared by every instance, like a DynamoDB table)."""

    def __init__(self):
        self.done = set()
        self.lock = threading.Lock()


def _hand_written(env, gateway, *, memory="table"):
    """A handler without Powertools' idempotency: a check-then-act table, or memory."""
    processor = BatchProcessor(event_type=EventType.SQS)
    table, seen = _Table(), set()

    @functools.cache
    def charge_cached(order_id, amount):
        gateway.charge(order_id, amount)

    def record_handler(record):
        payment = json.loads(record.body)
        if memory == "claim":  # claimed atomically before the charge, released on failure
            with table.lock:
                if payment["order_id"] in table.done:
                    return
                table.done.add(payment["order_id"])
            try:
                gateway.charge(payment["order_id"], payment["amount"])
            except ConnectionError:
                table.done.discard(payment["order_id"])
                raise
            return
        if memory == "lru_cache":
            charge_cached(payment["order_id"], payment["amount"])
            return
        store = table.done if memory == "table" else seen
        if payment["order_id"] in store:  # check ...
            return
        gateway.charge(payment["order_id"], payment["amount"])
        store.add(payment["order_id"])  # ... then act: a second copy in flight sees nothing yet

    def payment_handler(event, context):
        return process_partial_response(event=event, record_handler=record_handler,
                                        processor=processor, context=context)

    return payment_handler


WRONG_HANDLERS = {
    "check-then-act on a shared table": (lambda env, g: _hand_written(env, g), "in-flight"),
    "a module-level set": (lambda env, g: _hand_written(env, g, memory="set"), "module-state"),
    "an lru_cache around the charge": (lambda env, g: _hand_written(env, g, memory="lru_cache"),
                                       "module-state"),
    "no idempotency": (lambda env, g: _powertools(env, g, idempotent=False), "not-idempotent"),
    "keyed on the SQS messageId": (lambda env, g: _powertools(env, g, key="message_id"),
                                   "message-id-key"),
    "keyed on customer_id": (lambda env, g: _powertools(env, g, key="customer_id"), "key-too-coarse"),
    "swallows the provider time-out": (lambda env, g: _powertools(env, g, swallow=True),
                                       "failure-swallowed"),
    "remembers before charging": (lambda env, g: _powertools(env, g, idempotent=False, remember=set()),
                                  "module-state"),
    "claims in a shared set in memory": (lambda env, g: _hand_written(env, g, memory="claim"),
                                         "not-persisted"),
    "returns a list": (_returns_a_list, "handler-error"),
    "not a function": (lambda env, g: 42, "not-a-handler"),
    "still None": (lambda env, g: None, "missing"),
}


@pytest.mark.parametrize("name", WRONG_HANDLERS)
def test_exercise_2_rejects_each_wrong_handler(env, name):
    # GIVEN a handler with a known mistake
    gateway = PaymentGateway(env)
    make, cause = WRONG_HANDLERS[name]
    # WHEN the idempotency check runs it
    verdict = lab1.check_idempotent_handler(env, make(env, gateway), gateway)
    # THEN it fails, naming the cause
    assert not verdict and verdict.cause == cause, verdict


def test_exercise_2_accepts_a_powertools_handler_keyed_on_order_id(env):
    gateway = PaymentGateway(env)
    verdict = lab1.check_idempotent_handler(env, _powertools(env, gateway), gateway)
    assert verdict and "each payment was charged once" in repr(verdict), verdict
    # AND again in the same environment (new order ids), and after a reconnect
    assert lab1.check_idempotent_handler(env, _powertools(env, gateway), gateway)


def _conditional_put(env, gateway):
    """A handler written by hand: a conditional put claims the payment before the charge."""
    ddb, table = env.client("dynamodb"), idempotency_table(env)
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record):
        order_id = json.loads(record.body)["order_id"]
        try:
            ddb.put_item(TableName=table, Item={"id": {"S": f"charge#{order_id}"}},
                         ConditionExpression="attribute_not_exists(id)")
        except ddb.exceptions.ConditionalCheckFailedException:
            return  # charged (or being charged) by another delivery
        try:
            gateway.charge(order_id, json.loads(record.body)["amount"])
        except ConnectionError:
            ddb.delete_item(TableName=table, Key={"id": {"S": f"charge#{order_id}"}})
            raise

    return lambda event, context: process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context)


RIGHT_HANDLERS = {
    "Powertools keyed on [order_id, customer_id]":
        lambda env, g: _powertools(env, g, key="[order_id, customer_id]"),
    "Powertools keyed on order_id written as a JMESPath": lambda env, g: _powertools(env, g, key="@.order_id"),
    "a conditional put written by hand": _conditional_put,
}


@pytest.mark.parametrize("name", RIGHT_HANDLERS)
def test_exercise_2_accepts_right_handlers_written_differently(env, name):
    # GIVEN a right handler written another way
    gateway = PaymentGateway(env)
    # WHEN it is checked three times (a fresh handler each time, as a re-run cell makes)
    verdicts = [lab1.check_idempotent_handler(env, RIGHT_HANDLERS[name](env, gateway), gateway)
                for _ in range(3)]
    # THEN it passes every time, with the same text
    assert all(verdicts) and len({v.text() for v in verdicts}) == 1, verdicts


def test_exercise_2_a_handler_keeping_records_in_memory_fails_every_run(env):
    gateway = PaymentGateway(env)
    make, cause = WRONG_HANDLERS["claims in a shared set in memory"]
    causes = [lab1.check_idempotent_handler(env, make(env, gateway), gateway).cause for _ in range(3)]
    assert causes == [cause] * 3


_FEW = settings(max_examples=2, deadline=None,  # each example runs 36 payments through SQS
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FEW
@given(key=st.sampled_from(["order_id", "@.order_id", "[order_id, amount]", "[customer_id, order_id]",
                            "{o: order_id}"]))
def test_exercise_2_property_any_key_that_names_the_payment_passes(env, key):
    gateway = PaymentGateway(env)
    assert lab1.check_idempotent_handler(env, _powertools(env, gateway, key=key), gateway), key


@_FEW
@given(name=st.sampled_from(sorted(n for n in WRONG_HANDLERS if n not in ("not a function", "still None"))))
def test_exercise_2_property_any_catalogued_mutation_fails(env, name):
    gateway = PaymentGateway(env)
    make, cause = WRONG_HANDLERS[name]
    assert lab1.check_idempotent_handler(env, make(env, gateway), gateway).cause == cause, name


def test_exercise_2_after_reconnecting_names_the_stale_objects(run_id):
    # GIVEN a handler and gateway made for one environment
    first = helpers.connect(run=run_id, quiet=True)
    gateway = PaymentGateway(first)
    handler = _powertools(first, gateway)
    # WHEN the connect cell runs again and the check runs with the old objects
    second = helpers.connect(run=run_id, quiet=True)
    try:
        verdict = lab1.check_idempotent_handler(second, handler, gateway)
        # THEN it names the stale object and the cell to re-run; no hint tier is used
        assert verdict.cause == "stale" and "re-run the cell that creates `gateway`" in repr(verdict)
        fresh = PaymentGateway(second)
        verdict = lab1.check_idempotent_handler(second, handler, fresh)
        assert verdict.cause == "stale" and verdict.tier == 0  # the handler still uses old ones
        persistence = DynamoDBPersistenceLayer(table_name=idempotency_table(second),
                                               boto3_client=first._clients["dynamodb"])
        verdict = lab1.check_idempotent_handler(second, lambda e, c: persistence, fresh)
        assert verdict.cause == "stale" and "`persistence`" in repr(verdict)
        # AND with objects remade for the new environment, correct code passes
        assert lab1.check_idempotent_handler(second, _powertools(second, fresh), fresh)
    finally:
        second.teardown()


# -- exercise 3 ---------------------------------------------------------------------------
@pytest.mark.parametrize("value, cause", [
    (None, "missing"), ("90", "not-seconds"), (90.5, "not-seconds"), (-1, "out-of-range"),
    (43_201, "out-of-range"), (0, "too-short"), (30, "too-short"), (45, "too-short"),
    (55, "too-short"), (59, "too-short"), (60, "too-short"), (900, "too-long"),
    (43_200, "too-long"),
])
def test_exercise_3_rejects_each_wrong_visibility_timeout(env, value, cause):
    verdict = lab1.check_visibility_timeout(env, value)
    assert not verdict and verdict.cause == cause, verdict


@pytest.mark.parametrize("value", [61, 90, 360, 600])
def test_exercise_3_accepts_a_timeout_above_the_slowest_payment(env, value):
    verdict = lab1.check_visibility_timeout(env, value)
    assert verdict, verdict


# -- exercise 4 ---------------------------------------------------------------------------
WRONG_MESSAGES = {
    "no group": (lambda p: {"MessageBody": json.dumps(p),
                            "MessageDeduplicationId": p["order_id"]}, "missing-group"),
    "no deduplication id": (lambda p: {"MessageBody": json.dumps(p),
                                       "MessageGroupId": p["customer_id"]}, "missing-dedup"),
    "group per order": (lambda p: {"MessageBody": json.dumps(p), "MessageGroupId": p["order_id"],
                                   "MessageDeduplicationId": p["order_id"]}, "group-per-order"),
    "one group": (lambda p: {"MessageBody": json.dumps(p), "MessageGroupId": "payments",
                             "MessageDeduplicationId": p["order_id"]}, "shared-group"),
    "dedup = customer_id": (lambda p: {"MessageBody": json.dumps(p),
                                       "MessageGroupId": p["customer_id"],
                                       "MessageDeduplicationId": p["customer_id"]},
                            "dedup-too-coarse"),
    "dedup = seq": (lambda p: {"MessageBody": json.dumps(p), "MessageGroupId": p["customer_id"],
                               "MessageDeduplicationId": str(p["seq"])}, "dedup-too-coarse"),
    "dedup = a new uuid": (lambda p: {"MessageBody": json.dumps(p),
                                      "MessageGroupId": p["customer_id"],
                                      "MessageDeduplicationId": uuid.uuid4().hex},
                           "dedup-differs"),
    "no body": (lambda p: {"MessageGroupId": p["customer_id"]}, "no-body"),
    "returns the JSON text, not the parameters": (lambda p: json.dumps(p), "no-body"),
    "reads a field the payment lacks": (lambda p: {"MessageBody": json.dumps(p),
                                                   "MessageGroupId": p["customerId"]}, "raised"),
    "group id as a number": (lambda p: {"MessageBody": json.dumps(p), "MessageGroupId": 7,
                                        "MessageDeduplicationId": p["order_id"]}, "bad-parameters"),
    "a per-message delay on a FIFO queue": (lambda p: {
        "MessageBody": json.dumps(p), "MessageGroupId": p["customer_id"],
        "MessageDeduplicationId": p["order_id"], "DelaySeconds": 5}, "rejected"),
    "still None": (None, "missing"),
}


@pytest.mark.parametrize("name", WRONG_MESSAGES)
def test_exercise_4_rejects_each_wrong_send(env, name):
    make, cause = WRONG_MESSAGES[name]
    verdict = lab1.check_fifo_group(env, make)
    assert not verdict and verdict.cause == cause, verdict


def test_exercise_4_accepts_group_customer_and_dedup_order(env):
    verdict = lab1.check_fifo_group(env, lambda p: {
        "MessageBody": json.dumps(p), "MessageGroupId": p["customer_id"],
        "MessageDeduplicationId": p["order_id"]})
    assert verdict and "every payment charged once" in repr(verdict), verdict


RIGHT_MESSAGES = {
    "dedup = a hash of order_id": lambda p: {
        "MessageBody": json.dumps(p, sort_keys=True), "MessageGroupId": p["customer_id"],
        "MessageDeduplicationId": hashlib.sha256(p["order_id"].encode()).hexdigest()},
    "group and dedup with prefixes": lambda p: {
        "MessageBody": json.dumps(p), "MessageGroupId": f"customer-{p['customer_id']}",
        "MessageDeduplicationId": f"payment-{p['order_id']}"},
    "dedup = customer and seq": lambda p: {
        "MessageBody": json.dumps(p), "MessageGroupId": p["customer_id"],
        "MessageDeduplicationId": f"{p['customer_id']}.{p['seq']}"},
    "extra message attributes": lambda p: {
        "MessageBody": json.dumps(p), "MessageGroupId": p["customer_id"],
        "MessageDeduplicationId": p["order_id"],
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "payment"}}},
}


@pytest.mark.parametrize("name", RIGHT_MESSAGES)
def test_exercise_4_accepts_right_sends_written_differently(env, name):
    # WHEN a right answer written another way is checked three times
    verdicts = [lab1.check_fifo_group(env, RIGHT_MESSAGES[name]) for _ in range(3)]
    # THEN each is a pass with the same text
    assert all(verdicts) and len({v.text() for v in verdicts}) == 1, verdicts[0]


def test_exercise_4_catalogue_verdicts_are_stable_across_runs(env):
    for name in ("dedup = a new uuid", "a per-message delay on a FIFO queue", "still None"):
        make, cause = WRONG_MESSAGES[name]
        assert [lab1.check_fifo_group(env, make).cause for _ in range(3)] == [cause] * 3, name


# -- hints ----------------------------------------------------------------------------------
def test_hints_go_concept_api_answer_and_the_first_miss_gives_no_answer(env):
    # WHEN the same wrong answer is checked three times in a row
    first, second, third = (lab1.check_visibility_timeout(env, 59) for _ in range(3))
    answer = lab1.EXERCISES["exercise 3"].hints.answer
    # THEN the tiers grow one by one, and only the third shows the answer
    assert (first.tier, second.tier, third.tier) == (1, 2, 3)
    assert answer not in repr(first) and answer not in repr(second) and answer in repr(third)
    assert "90" not in repr(first) and "e.g." not in repr(first)
    # AND a pass starts again at the concept
    assert lab1.check_visibility_timeout(env, 90)
    assert lab1.check_visibility_timeout(env, 45).tier == 1


def test_hint_on_request_and_per_environment(env, run_id):
    assert lab1.hint("exercise 4", env=env).startswith("Hint 1/3 (concept)")
    assert lab1.hint("exercise 4", env=env).startswith("Hint 2/3 (API)")
    assert "order_id" in lab1.hint("exercise 4", env=env)
    other = helpers.connect(run=run_id, quiet=True)
    try:
        assert lab1.hint("exercise 4", env=other).startswith("Hint 1/3 (concept)")
    finally:
        other.teardown()


# -- cells run out of order, torn-down environments ----------------------------------------
@pytest.mark.parametrize("key, missing", [("exercise 1", "configure_dlq"),
                                          ("exercise 2", "gateway"),
                                          ("exercise 3", "set_visibility_timeout"),
                                          ("exercise 4", "payment_message")])
def test_a_check_run_before_its_cell_says_which_cell_to_run(env, key, missing):
    verdict = lab1.check(key, namespace={"env": env})
    assert verdict.cause == "cell-not-run" and f"`{missing}` is not defined yet: run" in repr(verdict)
    assert verdict.tier == 0 and len(repr(verdict).splitlines()) == 1


def test_a_check_before_connect_or_after_teardown_says_to_run_connect(run_id):
    verdict = lab1.check("exercise 3", namespace={"VISIBILITY_TIMEOUT": 90})
    assert verdict.cause == "no-environment" and "helpers.connect" in repr(verdict)
    env = helpers.connect(run=run_id, quiet=True)
    env.teardown()
    verdict = lab1.check("exercise 3", namespace={"env": env, "VISIBILITY_TIMEOUT": 90})
    assert verdict.cause == "environment-closed" and len(repr(verdict).splitlines()) == 1
    with pytest.raises(helpers.platform.errors.EnvironmentClosedError) as err:
        lab1.panel(env)
    assert len(err.value._render_traceback_()) == 1


def test_check_finds_the_names_in_the_notebook_namespace(env):
    verdict = lab1.check("exercise 1", namespace={"env": env, "MAX_RECEIVE_COUNT": 5})
    assert verdict and verdict.exercise == "exercise 1"


# -- exercises 1 and 3 as the SetQueueAttributes call ---------------------------------------
def _redrive(count, *, arn=None, as_text=True):
    def configure_dlq(sqs, queue_url, dlq_arn):
        policy = {"deadLetterTargetArn": arn or dlq_arn, "maxReceiveCount": count}
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
            "RedrivePolicy": json.dumps(policy) if as_text else policy})
    return configure_dlq


def _starter(sqs, queue_url, dlq_arn):
    ...


WRONG_DLQ_CALLS = {
    "one receive": (_redrive("1"), "too-low"),
    "four receives": (_redrive(4), "too-low"),
    "policy as a dict, not JSON text": (_redrive("5", as_text=False), "raised"),
    "the DLQ's URL instead of its ARN": (_redrive("5", arn="https://sqs.us-east-1.amazonaws.com/1/x"),
                                         "raised"),
    "the starter": (_starter, "no-redrive-policy"),
    "a number, not a function": ("5", "not-a-function"),
}


@pytest.mark.parametrize("name", WRONG_DLQ_CALLS)
def test_exercise_1_call_rejects_each_wrong_call(env, name):
    answer, cause = WRONG_DLQ_CALLS[name]
    verdict = lab1.check("exercise 1", namespace={"env": env, "configure_dlq": answer})
    assert not verdict and verdict.cause == cause, (name, verdict)
    assert "at least 5" not in verdict.text() and "Traceback" not in verdict.text()


@pytest.mark.parametrize("count", ["5", 6])
def test_exercise_1_call_accepts_right_calls_written_differently(env, count):
    verdict = lab1.check("exercise 1", namespace={"env": env, "configure_dlq": _redrive(count)})
    assert verdict, verdict


def _visibility(value):
    def set_visibility_timeout(sqs, queue_url):
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": value})
    return set_visibility_timeout


@pytest.mark.parametrize("value, cause", [("30", "too-short"), ("60", "too-short"), ("900", "too-long"),
                                          (90, "raised"), ("ninety", "raised")])
def test_exercise_3_call_rejects_each_wrong_call(env, value, cause):
    verdict = lab1.check("exercise 3", namespace={"env": env, "set_visibility_timeout": _visibility(value)})
    assert not verdict and verdict.cause == cause, verdict


def test_exercise_3_call_accepts_the_answer_three_times_in_a_row(env):
    ns = {"env": env, "set_visibility_timeout": _visibility("90")}
    verdicts = [lab1.check("exercise 3", namespace=ns) for _ in range(3)]
    assert all(verdicts) and len({v.text() for v in verdicts}) == 1
    assert lab1.check("exercise 3", namespace={"env": env, "set_visibility_timeout": _visibility("120")})
