"""Notebook 07's exercise: which orders were charged but never shipped?

The check compares the student's order ids with the truth of the day's run (charged by payment,
no shipping notification) and names the plausible wrong answers: every failed order, the
orders DLQ (declined cards: never charged), ids repeated by duplicate deliveries, only the
first affected order, a superset, message or correlation ids instead of order ids.

Example
-------
>>> import helpers
>>> from helpers.observability_lab import build_pipeline, run_day
>>> env = helpers.connect(quiet=True)
>>> check_incident(env, ["ord-00001"]).cause
'not-ready'
>>> _ = env.teardown()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..course.checks import Exercise, HintBook, Hints, Verdict
from ..course.grading import Workbook, book_of, crash_proof
from .pipeline import last_day

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["INCIDENT", "check_incident", "check", "hint", "affected_orders", "WORKBOOK", "ANSWER_TOKENS"]

_MODULE = "helpers.observability_lab"

INCIDENT = Exercise("incident", "charged but never shipped", Hints(
    concept="An order that was charged but never shipped got past payment and failed after it: "
            "look at the inventory step, not at payment. Declined cards were never charged.",
    api="Follow the alarm that fired to the queue it watches: receive its messages (the failed "
        "events, the order id inside each) or filter the matching log group for ERROR events "
        "(filter_log_events with a filterPattern on the level). One id per order.",
    answer="AFFECTED_ORDER_IDS = sorted({json.loads(b)['detail']['order_id'] for b in "
           "helpers.sqs.inspect_dlq(env, pipe.inventory)['body']})"), module=_MODULE)

#: Fragments of the answer that no concept/API hint and no ✘ may contain.
ANSWER_TOKENS = {"incident": ("pipe.inventory", "inspect_dlq(env")}


def _book(env: Environment) -> HintBook:
    return book_of(env, _MODULE)


def affected_orders(env: Environment) -> list[str]:
    """The truth of the last day: charged, and no shipping notification (for the tests)."""
    day = last_day(env)
    return [] if day is None else sorted(set(day.charged) - set(day.shipped))




@crash_proof(INCIDENT)
def check_incident(env: Environment, answer: Iterable[str] | None) -> Verdict:
    """✔ when ``answer`` is exactly the orders charged but never shipped, each once."""
    book = _book(env)
    day = last_day(env)
    if day is None:
        return INCIDENT.fail(book, "not-ready", "no day has run in this environment yet. Run the "
                             "cell `day = helpers.observability_lab.run_day(env, pipe)` (section "
                             "'A day at SecureCart') first, then this one.", counts=False)
    if answer is None:
        return INCIDENT.fail(book, "not-answered", "AFFECTED_ORDER_IDS is still None: set it to the "
                             "list of order ids that were charged but never shipped.", counts=False)
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return INCIDENT.fail(book, "not-a-list", f"{answer!r} is not a list of order ids.")
    ids = [str(a) for a in answer]
    padded = [i for i in ids if i != i.strip()]
    if padded:
        return INCIDENT.fail(book, "whitespace", f"{padded[0]!r} has spaces or a newline around the id: "
                             "strip each id (an order id is exactly ord-NNNNN).")
    truth = set(affected_orders(env))
    declined = set(day.declined)
    got = set(ids)
    if ids and not any(i.startswith("ord-") for i in ids):
        kind = "correlation ids" if all(i.startswith("req-") for i in ids) else (
            "trace ids" if all(i.startswith("1-") for i in ids) else "message ids or other ids")
        cause = {"correlation ids": "correlation-ids", "trace ids": "trace-ids"}.get(kind, "message-ids")
        return INCIDENT.fail(book, cause, f"these look like {kind}, not order ids: customers "
                             "and support speak in order ids (ord-NNNNN). Each log event carries "
                             "the order_id next to the correlation id.")
    repeated = sorted(k for k, v in Counter(ids).items() if v > 1)
    if repeated:
        return INCIDENT.fail(book, "duplicates", f"{', '.join(repeated)} appear more than once: "
                             "SQS delivers at least once, so one order can fail (and be logged, or "
                             "sit in a DLQ) twice. Count each order once.")
    if got == truth:
        return INCIDENT.ok(book, f"the {len(truth)} orders charged but never shipped all contain "
                           f"{day.poison_sku}, whose stock record is corrupt; the inventory step failed "
                           "them after payment. Fix the record, redrive the inventory DLQ.")
    if got == declined:
        return INCIDENT.fail(book, "wrong-dlq", f"these {len(got)} are the orders DLQ: their cards were "
                             "declined, so they were never charged. The incident is about orders "
                             "that payment charged.")
    if got == truth | declined:
        return INCIDENT.fail(book, "all-failed", f"{len(got)} orders: every failed order, including "
                             f"{len(declined)} whose card was declined (never charged).")
    if got < truth:
        cause = "only-first" if len(got) == 1 else "missing-some"
        return INCIDENT.fail(book, cause, f"{len(got)} of the affected orders found; "
                             f"{len(truth - got)} more were charged and never shipped.")
    if got > truth:
        return INCIDENT.fail(book, "superset", f"{len(got - truth)} of these orders were shipped or "
                             "never charged. Keep only the charged orders with no shipping "
                             "notification.")
    return INCIDENT.fail(book, "wrong-orders", f"{len(got & truth)} of {len(got)} ids are affected "
                         f"orders; {len(truth - got)} affected orders are missing.")


#: Notebook 07's exercise ("exercise 1", also "incident") with the name its check reads.
WORKBOOK = Workbook(_MODULE, {"incident": INCIDENT}, {
    "incident": (check_incident, (("AFFECTED_ORDER_IDS", "the exercise's cell"),)),
}, aliases={"exercise 1": "incident"})

#: ``check("exercise N")`` and ``hint("exercise N")`` for the notebook's cells.
check, hint = WORKBOOK.api()
