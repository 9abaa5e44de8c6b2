"""Notebook 06 exercise checks (verdicts from :mod:`helpers.course.checks`).

Example
-------
>>> import helpers
>>> from helpers.orchestration import checks
>>> env = helpers.connect(quiet=True)
>>> checks.check_partition_key(env, lambda click: click["customer"])  # doctest: +ELLIPSIS
✔ exercise 2 (partition key): ...
>>> _ = env.teardown()
"""

from __future__ import annotations

import inspect
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ParamValidationError

from ..course.checks import Exercise, HintBook, Hints, Verdict
from ..course.grading import Workbook, book_of, crash_proof
from ..kinesis import ShardReader, create_stream, put_records
from ..platform.errors import InvalidParameterError, InvalidStateMachineError
from ..stepfunctions import SHIP_TIMEOUT_SECONDS
from .fulfillment import Fulfillment
from .status import OrderStatusFeed

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["REFUND", "PARTITION", "RESUME", "check_refund_catch", "check_partition_key",
           "check_resume", "check", "hint", "clickstream", "WORKBOOK", "ANSWER_TOKENS"]

_MODULE = "helpers.orchestration"

REFUND = Exercise("exercise 1", "refund Catch", Hints(
    concept="A saga compensates: when a step after the payment fails, undo what was done "
            "(release the stock, refund the payment) instead of leaving the customer charged.",
    api='A Task state\'s "Catch" is a list of {"ErrorEquals": [<error names>], "Next": <state>, '
        '"ResultPath": <path>}; a ResultPath puts the error next to the state\'s input instead of '
        "replacing it. Shipping can fail in more ways than the one you know of.",
    answer='SHIP_CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}]',
), module=_MODULE)
PARTITION = Exercise("exercise 2", "partition key", Hints(
    concept="Kinesis keeps order per shard and a key always maps to the same shard: the key "
            "must group what needs order and spread the load over many values.",
    api="PutRecords' PartitionKey is MD5-hashed onto a shard; a shard takes 1,000 records/s.",
    answer='PARTITION_KEY = lambda click: click["customer"]'), module=_MODULE)
RESUME = Exercise("exercise 3", "resume from the checkpoint", Hints(
    concept="After a restart, continue right after the last record you processed: nothing "
            "missed, nothing notified twice.",
    api="GetShardIterator(ShardIteratorType=..., SequenceNumber=...): the types are AT_ and "
        "AFTER_ a sequence number, TRIM_HORIZON (the oldest record kept), LATEST (only new ones); "
        "which one when there is a checkpoint, and which when there is none?",
    answer='return {"ShardIteratorType": "TRIM_HORIZON"} if checkpoint is None else '
           '{"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": checkpoint}'), module=_MODULE)
_EXERCISES = {e.key: e for e in (REFUND, PARTITION, RESUME)}


#: Per exercise, fragments of the answer that no concept/API hint and no ✘ may contain.
ANSWER_TOKENS = {
    "exercise 1": ('["States.ALL"]', '"ResultPath": "$.error"'),
    "exercise 2": ('click["customer"]',),
    "exercise 3": ('"TRIM_HORIZON"} if', '"AFTER_SEQUENCE_NUMBER", "SequenceNumber": checkpoint'),
}


def _book(env: Environment) -> HintBook:
    return book_of(env, _MODULE)




def _next_run(env: Environment) -> int:
    """A per-environment number for the check's resources: never a name of an earlier run."""
    n = env.state.get(f"{_MODULE}.runs", 0) + 1
    env.state[f"{_MODULE}.runs"] = n
    return n


# -- exercise 1 --------------------------------------------------------------------------
@crash_proof(REFUND)
def check_refund_catch(env: Environment, ship_catch: Any) -> Verdict:
    """Does ``ship_catch`` (the Ship state's Catch) refund the payment when shipping fails,
    and leave a good order alone?"""
    book = _book(env)
    if ship_catch is None:
        return REFUND.fail(book, "not-set", "SHIP_CATCH is still None: give the Ship state a "
                           "Catch list.", counts=False)
    if not isinstance(ship_catch, list):
        return REFUND.fail(book, "not-a-list", f"SHIP_CATCH is a {type(ship_catch).__name__}: "
                           "Catch is a list of catchers.")
    run = f"{uuid.uuid5(uuid.NAMESPACE_URL, repr(ship_catch)).hex[:6]}-{_next_run(env)}"
    try:
        flow = Fulfillment.deploy(env, ship_catch=ship_catch, name=f"check-refund-{run}")
    except InvalidStateMachineError as err:
        return REFUND.fail(book, "invalid-definition", f"Step Functions would reject it: {err}")
    except ClientError as err:
        return REFUND.fail(book, "invalid-definition", "Step Functions would reject it: "
                           f"{err.response['Error']['Message']}")
    bad = flow.run({"order_id": "ord-ship-fails", "amount": 80, "fault": "ship-fails"})
    good = flow.run({"order_id": "ord-good", "amount": 80})
    # the other ways shipping fails: read below from the services' ledger, not the runs
    for fault in ("ship-crashes", "ship-hangs"):
        flow.run({"order_id": f"ord-{fault}", "amount": 80, "fault": fault})
    balance = flow.services.balance("ord-ship-fails")
    if bad["status"] == "SUCCEEDED":
        return REFUND.fail(book, "hides-failure", "the order whose shipment failed ended "
                           "SUCCEEDED: the Catch went on as if it had shipped. Send it to the "
                           "compensation (ReleaseStock, then RefundPayment).")
    if bad.get("error") == "ShippingUnavailable":
        return REFUND.fail(book, "not-caught", f"the shipment failure (ShippingUnavailable) was not "
                           f"caught: the execution failed with the customer charged ${balance:.2f}.")
    if balance > 0 and bad.get("error") == "OrderFailed":
        return REFUND.fail(book, "skips-refund", f"the Catch skipped the refund: the order failed "
                           f"with ${balance:.2f} still charged.")
    if balance > 0:
        return REFUND.fail(book, "lost-input", f"the compensation itself failed "
                           f"({bad.get('error')}): without ResultPath the error replaced the order, "
                           f"so the refund did not know what to refund (${balance:.2f} still charged).")
    if flow.services.reserved.get("ord-ship-fails"):
        return REFUND.fail(book, "stock-kept", "the payment was refunded but the stock stayed "
                           "reserved: go through ReleaseStock first.")
    if good["status"] != "SUCCEEDED":
        return REFUND.fail(book, "breaks-good", f"a good order now ends {good['status']}.")
    left = flow.services.balance("ord-ship-crashes")
    if left > 0 or flow.services.reserved.get("ord-ship-crashes"):
        return REFUND.fail(book, "catches-one-error", "a shipment that failed with another error "
                           f"(RuntimeError: label printer crashed) was not compensated: ${left:.2f} "
                           "still charged. The Catch names only the error you expected; any "
                           "failure after the payment must be undone.")
    left = flow.services.balance("ord-ship-hangs")
    if left > 0 or flow.services.reserved.get("ord-ship-hangs"):
        return REFUND.fail(book, "misses-timeout", "a shipment that timed out was not compensated: "
                           f"the carrier did not answer within the Ship state's TimeoutSeconds "
                           f"({SHIP_TIMEOUT_SECONDS} s), Step Functions failed the task with "
                           f"States.Timeout, and ${left:.2f} stayed charged. That error name is "
                           "not a task failure: States.TaskFailed does not match it.")
    return REFUND.ok(book, "the failed shipment released the stock and refunded $80.00 "
                     "(execution FAILED with OrderFailed, nothing charged); the good order shipped.")


# -- exercise 2 --------------------------------------------------------------------------
def clickstream(env: Environment, n: int = 2400, customers: int = 60, seed: int = 6) -> list[dict]:
    """A flash-sale minute: ``n`` clicks, 70 % on one product, ``seq`` per customer."""
    rng = env.random(f"clickstream-{seed}-{n}")
    seq: dict[str, int] = defaultdict(int)
    clicks = []
    for i in range(n):
        customer = f"cus-{rng.randrange(customers):03d}"
        seq[customer] += 1
        product = "flash-sale-tv" if rng.random() < 0.7 else f"sku-{rng.randrange(12):02d}"
        action = rng.choices(["view", "cart", "purchase"], [8, 2, 1])[0]
        clicks.append({"click": i, "customer": customer, "seq": seq[customer],
                       "product": product, "action": action})
    return clicks


@crash_proof(PARTITION)
def check_partition_key(env: Environment, partition_key: Any) -> Verdict:
    """Does ``partition_key(click)`` keep each customer's clicks in order without a hot shard?"""
    book = _book(env)
    if partition_key is None:
        return PARTITION.fail(book, "not-set", "PARTITION_KEY is still None.", counts=False)
    # one minute of clicks per environment, drawn at the first check: the same words on a re-run
    if f"{_MODULE}.clicks" not in env.state:
        env.state[f"{_MODULE}.clicks"] = clickstream(env)
    clicks = [dict(c) for c in env.state[f"{_MODULE}.clicks"]]  # a key function may edit its click
    stream = create_stream(env, f"check-clicks-{len(book.misses)}-{env.random('pk').randrange(10**6)}",
                           shards=4)
    try:
        report = put_records(env, stream, clicks, key=partition_key, retries=0)
    except InvalidParameterError as err:
        return PARTITION.fail(book, "not-a-string", str(err))
    except (KeyError, TypeError) as err:
        return PARTITION.fail(book, "crashes", f"PARTITION_KEY raised {type(err).__name__}: {err}")
    records = ShardReader(env, stream).read()
    last: dict[str, int] = {}
    broken = set()
    for record in records:
        if record["seq"] < last.get(record["customer"], 0):
            broken.add(record["customer"])
        last[record["customer"]] = record["seq"]
    hottest = max(report.per_shard.values()) + report.gave_up if report.per_shard else 0
    if report.throttled:
        return PARTITION.fail(book, "hot-shard", f"{report.throttled} of {len(clicks)} clicks were "
                              f"throttled (ProvisionedThroughputExceededException): one shard got "
                              f"{hottest} clicks in one second, over its 1,000 records/s.")
    if broken:
        return PARTITION.fail(book, "order-broken", f"{len(broken)} customers' clicks came back out "
                              "of order: their clicks were spread over several shards.")
    return PARTITION.ok(book, f"{len(clicks)} clicks over {len(report.per_shard)} shards (at most "
                        f"{max(report.per_shard.values())} on one), none throttled, every customer's "
                        "clicks in order.")


# -- exercise 3 --------------------------------------------------------------------------
#: DynamoDB Streams' iterator types (the ShardIteratorType enum of botocore's model).
_ITERATOR_TYPES = ("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "AT_TIMESTAMP")


@crash_proof(RESUME)
def check_resume(env: Environment, resume: Any) -> Verdict:
    """Does ``resume(checkpoint)`` make the status consumer miss nothing and repeat nothing
    across a restart?"""
    book = _book(env)
    if resume is None:
        return RESUME.fail(book, "not-set", "resume is still None.", counts=False)
    if not callable(resume):
        return RESUME.fail(book, "not-a-function", f"resume is a {type(resume).__name__}: write "
                           "def resume(checkpoint): returning the GetShardIterator arguments.")
    try:  # a wrong arity raises in the check's own frame, so the crash guard cannot name it
        inspect.signature(resume).bind(None)
    except TypeError:
        return RESUME.fail(book, "wrong-signature", "resume must take one argument, the checkpoint "
                           "(None before the first record): def resume(checkpoint): ...")
    except ValueError:  # a builtin without a signature: let the call decide
        pass
    for probe in (None, "49590338271490256608559692538361571095921575989136588898"):
        answer = resume(probe)
        if answer is None:
            return RESUME.fail(book, "returns-none", f"resume({probe!r}) returned None: return the "
                               "GetShardIterator arguments as a dict (ShardIteratorType, and "
                               "SequenceNumber where the type needs one).", counts=False)
        if not isinstance(answer, dict):
            return RESUME.fail(book, "not-a-dict", f"resume({probe!r}) returned a "
                               f"{type(answer).__name__}: return a dict of GetShardIterator arguments.")
        kind = answer.get("ShardIteratorType")
        if kind not in _ITERATOR_TYPES:  # AWS refuses it; moto's DynamoDB Streams would crash on it
            return RESUME.fail(book, "crashes", f"resume({probe!r}) gave ShardIteratorType={kind!r}; "
                               "GetShardIterator refused the arguments: ValidationException: Value "
                               f"{kind!r} at 'shardIteratorType' failed to satisfy constraint: Member "
                               f"must satisfy enum value set: [{', '.join(_ITERATOR_TYPES)}]")
        if kind == "AT_TIMESTAMP" and env.backend != "aws":  # moto's DynamoDB Streams lacks it
            return RESUME.fail(book, "not-emulated", "AT_TIMESTAMP is not available on moto's DynamoDB "
                               "Streams: resume from a sequence number, or from the oldest record kept.",
                               counts=False)
    feed = OrderStatusFeed.create(env, f"check-status-{_next_run(env)}-{env.random('resume').randrange(10**6)}")
    try:
        for order in ("ord-1", "ord-2"):
            feed.set_status(order, "created")
        feed.consume(resume)
        feed.set_status("ord-1", "paid")
        feed.consume(resume)
        # the consumer stops; two changes happen while it is down; it restarts
        feed.set_status("ord-2", "paid")
        feed.set_status("ord-1", "shipped")
        feed.consume(resume)
    except (ClientError, ParamValidationError) as err:  # the AWS call the answer makes
        text = err.response["Error"]["Message"] if isinstance(err, ClientError) else str(err)
        return RESUME.fail(book, "crashes", f"GetShardIterator refused the arguments: "
                           f"{type(err).__name__}: {text.splitlines()[-1].strip()}")
    want = [("ord-1", "created"), ("ord-2", "created"), ("ord-1", "paid"), ("ord-2", "paid"),
            ("ord-1", "shipped")]
    got = feed.notified
    missed = [w for w in want if w not in got]
    if missed:
        return RESUME.fail(book, "misses", f"{len(missed)} status changes were never notified "
                           f"(e.g. {missed[0][0]} {missed[0][1]}): the consumer skipped what "
                           "happened before or while it was down.")
    if len(got) > len(want):
        return RESUME.fail(book, "duplicates", f"{len(got)} notifications for {len(want)} changes: "
                           "the consumer re-read records it had already processed.")
    return RESUME.ok(book, "5 status changes, 5 notifications, in order, across a restart.")


#: Notebook 06's exercises with the names each check reads from the notebook.
WORKBOOK = Workbook(_MODULE, _EXERCISES, {
    "exercise 1": (check_refund_catch, (("SHIP_CATCH", "Exercise 1's cell"),)),
    "exercise 2": (check_partition_key, (("PARTITION_KEY", "Exercise 2's cell"),)),
    "exercise 3": (check_resume, (("resume", "Exercise 3's cell"),)),
})

#: ``check("exercise N")`` and ``hint("exercise N")`` for the notebook's cells.
check, hint = WORKBOOK.api()
