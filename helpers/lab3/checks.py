"""Lab 3 exercise checks: the InventoryLow pattern, the notification transformer, cross-account audit.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> check_restock_pattern(env, {"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]})
✔ exercise 1 (InventoryLow rule pattern): matched the 2 InventoryLow events from inventory and none of the 4 others.
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ParamValidationError

from .. import events as eb
from ..course.checks import Exercise, Hints, Verdict
from ..course.grading import Workbook, seeded_cases
from ..platform.errors import InvalidEventPatternError
from .common import MODULE, lab_book, next_run
from .custom_bus import EXERCISE_4, check_ordered_subscriber

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["check_restock_pattern", "check_notification_transformer", "check_audit_route", "check", "hint",
           "EXERCISES", "WORKBOOK", "ANSWER_TOKENS"]

_MODULE = MODULE

EXERCISES = {
    "exercise 1": Exercise("exercise 1", "InventoryLow rule pattern", Hints(
        concept="A rule should match exactly the events its target handles: the type AND who may send it.",
        api='Each key is a list of allowed values: {"source": [...], "detail-type": [...]}; values are case-sensitive.',
        answer='{"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]}'), module=_MODULE),
    "exercise 2": Exercise("exercise 2", "input transformer for the notification", Hints(
        concept="The customer gets a small message, not the whole event: pick the fields, place them in a template.",
        api="InputTransformer = {InputPathsMap: {name: JSONPath into the event, $.detail.<field>}, "
            "InputTemplate: a string with <name> placeholders}; inside quotes a value becomes text, "
            "outside quotes it keeps its JSON type.",
        answer='{"InputPathsMap": {"order": "$.detail.order_id", "total": "$.detail.total"}, "InputTemplate": '
               "'{\"message\": \"Order <order> is confirmed\", \"order_id\": \"<order>\", \"total\": <total>}'}"),
        module=_MODULE),
    "exercise 3": Exercise("exercise 3", "route audit events cross-account", Hints(
        concept="Audit events leave SecureCart's account: a rule forwards them to the security account's bus.",
        api="Content filtering on detail-type with a prefix matcher ({<matcher>: <text>} inside the "
            "list); the target is the security account's bus ARN "
            "(arn:aws:events:<region>:<account>:event-bus/<name>).",
        answer='{"pattern": {"detail-type": [{"prefix": "Audit"}]}, "target_arn": SECURITY_BUS.arn}'),
        module=_MODULE),
    "exercise 4": EXERCISE_4,
}


#: Per exercise, fragments of the answer that no concept/API hint and no ✘ may contain.
ANSWER_TOKENS = {
    "exercise 1": ('["securecart.inventory"]', '["InventoryLow"]'),
    "exercise 2": ('"$.detail.total"', '"$.detail.order_id"', '<total>}'),
    "exercise 3": ('{"prefix": "Audit"}',),
    "exercise 4": ('"Type": "FIFO"', '"MaxRetryAttempts": 20'),
}


_book, _next_run = lab_book, next_run




# -- exercise 1 ---------------------------------------------------------------------------
_RESTOCK_CASES = [
    ("InventoryLow", "securecart.inventory", True),
    ("InventoryLow", "securecart.inventory", True),
    ("InventoryLow", "securecart.test", False),
    ("InventoryRestocked", "securecart.restock", False),
    ("InventoryReserved", "securecart.inventory", False),
    ("OrderPlaced", "securecart.orders", False),
]


#: Events that tell a right pattern from plausible wrong ones: a look-alike source, look-alike
#: types, other capitalisation.
_RESTOCK_EXTRA = [
    ("InventoryLow", "securecart.inventory-replica"), ("InventoryLow", "securecart.inventory.test"),
    ("InventoryLowAlert", "securecart.inventory"), ("inventorylow", "securecart.inventory"),
    ("InventoryLow", "Securecart.Inventory"), ("StockLow", "securecart.inventory"),
    ("InventoryLow", "inventory"),
]
_TYPES = ("InventoryLow", "InventoryRestocked", "InventoryReserved", "InventoryLowAlert", "OrderPlaced",
          "LowInventory", "InventoryLow.v2")
_SOURCES = ("securecart.inventory", "securecart.test", "securecart.restock", "securecart.orders",
            "securecart.inventory-replica", "securecart.inventory2", "partner.inventory")


def _restock_wanted(case: tuple[str, str]) -> bool:
    """The specification: InventoryLow events from the inventory service only."""
    return case == ("InventoryLow", "securecart.inventory")


def _restock_counterexample(env: Environment, pattern: Any) -> tuple[str, str] | None:
    cases = [*_RESTOCK_EXTRA, *seeded_cases(lambda r: (r.choice(_TYPES), r.choice(_SOURCES)), seed=105, n=16)]
    for detail_type, source in cases:
        event = eb.sample_event(env, detail_type, {"sku": "SKU-0001", "stock": 3, "restock_threshold": 5},
                                source=source)
        if eb.test_pattern(env, pattern, event) != _restock_wanted((detail_type, source)):
            if detail_type == "InventoryLow" and source != "securecart.inventory":
                return "any-source", (f"your pattern also matched an InventoryLow from {source}: only "
                                      "the inventory service itself may trigger a restock.")
            return "too-broad", f"your pattern also matched a {detail_type} from {source}."
    return None


def check_restock_pattern(env: Environment, pattern: Any) -> Verdict:
    """Exercise 1: does ``pattern`` match exactly inventory's InventoryLow events (TestEventPattern)?"""
    ex, book = EXERCISES["exercise 1"], _book(env)
    if pattern is None:
        return ex.fail(book, "missing", "RESTOCK_PATTERN is still None: write the pattern.", counts=False)
    results = []
    try:
        for detail_type, source, _ in _RESTOCK_CASES:
            event = eb.sample_event(env, detail_type, {"sku": "SKU-0001", "stock": 3, "restock_threshold": 5},
                                    source=source)
            results.append(eb.test_pattern(env, pattern, event))
    except InvalidEventPatternError as error:
        return ex.fail(book, "invalid-pattern", str(error).split(" Fix:")[0])
    want = [case[2] for case in _RESTOCK_CASES]
    extra = [f"{c[0]} from {c[1]}" for c, got in zip(_RESTOCK_CASES, results, strict=True) if got and not c[2]]
    if not any(results):
        return ex.fail(book, "matches-nothing", "matched none of the 6 events, not even InventoryLow from inventory "
                       "(values are case-sensitive; keys are envelope fields such as detail-type).")
    if results[:2] != want[:2]:
        return ex.fail(book, "misses-low", "missed an InventoryLow event from inventory.")
    if extra and all("InventoryLow" in e for e in extra):
        return ex.fail(book, "any-source", f"also matched {', '.join(extra)}: anyone can publish that type; "
                       "restrict the source.")
    if extra:
        return ex.fail(book, "too-broad", f"also matched {', '.join(extra)}: the restock workflow would run for them.")
    try:
        counter = _restock_counterexample(env, pattern)
    except InvalidEventPatternError as error:
        return ex.fail(book, "invalid-pattern", str(error).split(" Fix:")[0])
    if counter is not None:
        return ex.fail(book, *counter)
    return ex.ok(book, "matched the 2 InventoryLow events from inventory and none of the 4 others.")


# -- exercise 2 ---------------------------------------------------------------------------
_ORDERS = [{"order_id": "ord-00101", "total": 42.5}, {"order_id": "ord-00102", "total": 730.0},
           {"order_id": "ord-00103", "total": 8.0}]


def check_notification_transformer(env: Environment, transformer: Any) -> Verdict:
    """Exercise 2: does ``transformer`` give a JSON message with the order id and the total as a number?"""
    from .content import transformed_messages

    ex, book = EXERCISES["exercise 2"], _book(env)
    if transformer is None:
        return ex.fail(book, "missing", "NOTIFICATION is still None: write the InputTransformer.", counts=False)
    try:
        # the check's scratch bus, queue and rule are deleted whatever the verdict
        with env.resources.scratch(env.client):
            bus = eb.create_bus(env, "shop")
            bodies = transformed_messages(env, bus, transformer, _ORDERS,
                                          name=f"check-messages-{_next_run(env)}")
    except ClientError as error:
        return ex.fail(book, "refused", f"PutTargets refused it: {error.response['Error']['Message']}")
    except ParamValidationError as error:  # a wrong type: boto3 refuses before sending
        return ex.fail(book, "refused", f"boto3 refused it before PutTargets: {error}")
    try:
        messages = [json.loads(b) for b in bodies]
    except ValueError:
        return ex.fail(book, "not-json", f"the customer got {bodies[0]!r}: not a JSON document.")
    if not all(isinstance(m, dict) for m in messages):
        return ex.fail(book, "not-json", f"the customer got {bodies[0]!r}: a string, not a JSON object.")
    pairs = list(zip(messages, _ORDERS, strict=True))

    def first_bad(wrong: Any) -> tuple[dict, dict] | None:  # the first customer whose message is wrong
        return next(((m, o) for m, o in pairs if wrong(m, o)), None)

    if bad := first_bad(lambda m, o: m.get("order_id") != o["order_id"]):
        return ex.fail(book, "wrong-order-id", f"order_id came out as {bad[0].get('order_id')!r}, "
                       f"not {bad[1]['order_id']!r} (check the path: $.detail...).")
    # a path that finds nothing leaves the placeholder empty
    if bad := first_bad(lambda m, o: m.get("total") in (None, "")):
        return ex.fail(book, "wrong-total-path", f"total came out as {bad[0].get('total')!r}: the path "
                       "for total finds nothing in the event (where in the event is the total?).")
    if bad := first_bad(lambda m, o: m.get("total") == str(o["total"])):
        return ex.fail(book, "total-not-number", f"total came out as {bad[0].get('total')!r}: a number "
                       "keeps its type only outside quotes.")
    if bad := first_bad(lambda m, o: m.get("total") != o["total"]):
        return ex.fail(book, "wrong-total", f"total came out as {bad[0].get('total')!r} for the order of "
                       f"{bad[1]['total']!r}: it must be each order's own total.")
    if bad := first_bad(lambda m, o: o["order_id"] not in str(m.get("message", ""))):
        return ex.fail(book, "no-message", f"message {bad[0].get('message')!r} does not name the order.")
    first = messages[0]
    return ex.ok(book, f"3 customers got e.g. {json.dumps(first)}")


# -- exercise 3 ---------------------------------------------------------------------------
_AUDIT_CASES = [("AuditLogin", "securecart.audit", True), ("AuditRefundApproved", "securecart.audit", True),
                ("Heartbeat", "securecart.audit", False), ("OrderPlaced", "securecart.orders", False)]


def _security_bus(env: Environment) -> Any:
    """The security account's bus of section 5, or None when that cell has not run."""
    events = eb.client_in_account(env, eb.SECURITY_ACCOUNT, "events")
    try:
        answer = events.describe_event_bus(Name=env.name("security", "events"))
    except ClientError:
        return None
    return eb.Bus(answer["Name"], answer["Arn"])


def _forwarded_types(env: Environment, rule: Any, shop_bus: Any, arn: str) -> list[str]:
    """The detail-types the route forwarded to ``arn``, sorted."""
    eb.add_targets(env, rule, [{"Id": "security", "Arn": arn}])
    return _forwarded(env, rule, shop_bus, _AUDIT_CASES)


def check_audit_route(env: Environment, route: Any) -> Verdict:
    """Exercise 3: does ``route`` ({"pattern", "target_arn"}) deliver exactly the Audit* events to the
    security account's bus (created by section 5)?"""
    ex, book = EXERCISES["exercise 3"], _book(env)
    if _security_bus(env) is None:
        return ex.fail(book, "run-section-5", "there is no security bus yet: run the section 5 cell "
                       "`audit = helpers.lab3.experiment_audit(env, shop)` first.", counts=False)
    if not isinstance(route, dict) or route.get("pattern") is None or route.get("target_arn") is None:
        return ex.fail(book, "missing", 'AUDIT_ROUTE must be {"pattern": ..., "target_arn": ...}.', counts=False)
    arn = str(route["target_arn"])
    if ":event-bus/" not in arn:
        return ex.fail(book, "not-a-bus", f"{arn} is not an event bus: cross-account routing targets the "
                       "other account's bus, whose rules decide where events go there.")
    if arn.split(":")[4] != eb.SECURITY_ACCOUNT:
        return ex.fail(book, "same-account", f"{arn} is in account {arn.split(':')[4]}, not the security "
                       f"account {eb.SECURITY_ACCOUNT}.")
    run = _next_run(env)
    with env.resources.scratch(env.client):  # the check's bus and rule go when it ends
        try:
            shop_bus = eb.create_bus(env, f"audit-check-{run}")
            rule = eb.create_rule(env, f"audit-check-{run}", route["pattern"], shop_bus)
        except InvalidEventPatternError as error:
            return ex.fail(book, "invalid-pattern", str(error).split(" Fix:")[0])
        types = _forwarded_types(env, rule, shop_bus, arn)
        extra_cases = [*_AUDIT_EXTRA, *seeded_cases(_random_audit, seed=106, n=8)]
        got = _forwarded(env, rule, shop_bus, extra_cases)
    want = sorted(t for t, _, ok in _AUDIT_CASES if ok)
    if not types:
        return ex.fail(book, "matches-nothing", "no event reached the security bus (is the bus name right, "
                       "and is the pattern case-sensitive?).")
    if types != want:
        extra = sorted(set(types) - set(want))
        if extra:
            return ex.fail(book, "too-broad", f"also forwarded {', '.join(extra)}: only Audit* events may leave.")
        return ex.fail(book, "misses-audit", f"forwarded only {', '.join(types)}; every Audit* type must go.")
    for detail_type, _, wanted in extra_cases:
        if (detail_type in got) != wanted:
            verb = "also forwarded" if not wanted else "did not forward"
            why = ("only types that start with Audit may leave" if not wanted else
                   "every type that starts with Audit must go, including ones added later")
            return ex.fail(book, "too-broad" if not wanted else "misses-audit",
                           f"your route {verb} a {detail_type} event: {why}.")
    return ex.ok(book, f"forwarded {', '.join(types)} to the security account; Heartbeat and OrderPlaced stayed.")


#: Audit types a list of today's types misses, and look-alikes an infix or a case-blind match lets out.
_AUDIT_EXTRA = [("AuditPasswordReset", "securecart.audit", True), ("PreAuditCheck", "securecart.audit", False),
                ("auditLogin", "securecart.audit", False), ("Audit", "securecart.orders", True),
                ("OrderAudited", "securecart.orders", False)]


def _random_audit(rng: Any) -> tuple[str, str, bool]:
    head = rng.choice(["Audit", "audit", "Pre", "Order", "Heartbeat", "AUDIT"])
    detail_type = head + rng.choice(["Login", "Export", "Audit", "", "Refund"]) + str(rng.randrange(10))
    return detail_type, "securecart.audit", detail_type.startswith("Audit")


def _forwarded(env: Environment, rule: Any, bus: Any, cases: list[tuple[str, str, bool]]) -> list[str]:
    """The detail-types of ``cases`` that ``rule`` delivered to its target, sorted."""
    mark = env.log.mark()
    eb.publish(env, [eb.entry(t, {"n": i}, bus, source=s) for i, (t, s, _) in enumerate(cases)])
    frame = env.log.to_frame(since=mark)
    sent = frame[(frame.action == "deliver") & (frame.detail.fillna("").str.contains(rule.name))]
    ids = frame[(frame.action == "put-event")].set_index("message_id").detail
    return sorted(ids.get(m, "?") for m in sent.message_id)


#: Lab 3's exercises with the names each check reads from the notebook.
WORKBOOK = Workbook(_MODULE, EXERCISES, {
    "exercise 1": (check_restock_pattern, (("RESTOCK_PATTERN", "Exercise 1's cell"),)),
    "exercise 2": (check_notification_transformer, (("NOTIFICATION", "Exercise 2's cell"),)),
    "exercise 3": (check_audit_route, (("AUDIT_ROUTE", "Exercise 3's cell"),)),
    "exercise 4": (check_ordered_subscriber, (("ORDERED_SUBSCRIBER", "Exercise 4's cell"),)),
})

#: ``check("exercise N")`` and ``hint("exercise N")`` for the notebook's cells.
check, hint = WORKBOOK.api()
