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

import itertools
import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ParamValidationError

from .. import events as eb
from ..course.checks import Exercise, HintBook, Hints, Verdict
from ..platform.errors import InvalidEventPatternError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["check_restock_pattern", "check_notification_transformer", "check_audit_route", "hint", "EXERCISES"]

EXERCISES = {
    "exercise 1": Exercise("exercise 1", "InventoryLow rule pattern", Hints(
        concept="A rule should match exactly the events its target handles: the type AND who may send it.",
        api='Each key is a list of allowed values: {"source": [...], "detail-type": [...]}; values are case-sensitive.',
        answer='{"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]}')),
    "exercise 2": Exercise("exercise 2", "input transformer for the notification", Hints(
        concept="The customer gets a small message, not the whole event: pick the fields, place them in a template.",
        api="InputPathsMap names JSONPaths ($.detail.order_id); InputTemplate uses <name>; inside quotes a "
            "value becomes text, outside quotes it keeps its JSON type.",
        answer='{"InputPathsMap": {"order": "$.detail.order_id", "total": "$.detail.total"}, "InputTemplate": '
               "'{\"message\": \"Order <order> is confirmed\", \"order_id\": \"<order>\", \"total\": <total>}'}")),
    "exercise 3": Exercise("exercise 3", "route audit events cross-account", Hints(
        concept="Audit events leave SecureCart's account: a rule forwards them to the security account's bus.",
        api='A prefix match on detail-type ([{"prefix": "Audit"}]); the target is the security bus ARN '
            "(arn:aws:events:<region>:<security account>:event-bus/<name>).",
        answer='{"pattern": {"detail-type": [{"prefix": "Audit"}]}, "target_arn": SECURITY_BUS.arn}')),
}


def _book(env: Environment) -> HintBook:
    if not hasattr(env, "_lab3_hints"):
        env._lab3_hints = HintBook()
    return env._lab3_hints


def _next_run(env: Environment) -> int:
    """A per-environment counter for the checks' fresh resources (same names on every run)."""
    if not hasattr(env, "_lab3_runs"):
        env._lab3_runs = itertools.count(1)
    return next(env._lab3_runs)


def hint(env: Environment, key: str) -> str:
    """The next hint tier for ``key`` (``"exercise 1"`` ...)."""
    return EXERCISES[key].hint(_book(env))


# -- exercise 1 ---------------------------------------------------------------------------
_RESTOCK_CASES = [
    ("InventoryLow", "securecart.inventory", True),
    ("InventoryLow", "securecart.inventory", True),
    ("InventoryLow", "securecart.test", False),
    ("InventoryRestocked", "securecart.restock", False),
    ("InventoryReserved", "securecart.inventory", False),
    ("OrderPlaced", "securecart.orders", False),
]


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
    first = messages[0]
    if any(m.get("order_id") != o["order_id"] for m, o in zip(messages, _ORDERS, strict=True)):
        return ex.fail(book, "wrong-order-id", f"order_id came out as {first.get('order_id')!r}, "
                       f"not {_ORDERS[0]['order_id']!r} (check the path: $.detail...).")
    if any(m.get("total") != o["total"] for m, o in zip(messages, _ORDERS, strict=True)):
        return ex.fail(book, "total-not-number", f"total came out as {first.get('total')!r}: a number "
                       "keeps its type only outside quotes.")
    if not all(o["order_id"] in str(m.get("message", "")) for m, o in zip(messages, _ORDERS, strict=True)):
        return ex.fail(book, "no-message", f"message {first.get('message')!r} does not name the order.")
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
    mark = env.log.mark()
    eb.publish(env, [eb.entry(t, {"n": i}, shop_bus, source=s) for i, (t, s, _) in enumerate(_AUDIT_CASES)])
    frame = env.log.to_frame(since=mark)
    sent = frame[(frame.action == "deliver") & (frame.detail.fillna("").str.contains(rule.name))]
    ids = frame[(frame.action == "put-event")].set_index("message_id").detail
    return sorted(ids.get(m, "?") for m in sent.message_id)


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
    want = sorted(t for t, _, ok in _AUDIT_CASES if ok)
    if not types:
        return ex.fail(book, "matches-nothing", "no event reached the security bus (is the bus name right, "
                       "and is the pattern case-sensitive?).")
    if types != want:
        extra = sorted(set(types) - set(want))
        if extra:
            return ex.fail(book, "too-broad", f"also forwarded {', '.join(extra)}: only Audit* events may leave.")
        return ex.fail(book, "misses-audit", f"forwarded only {', '.join(types)}; every Audit* type must go.")
    return ex.ok(book, f"forwarded {', '.join(types)} to the security account; Heartbeat and OrderPlaced stayed.")
