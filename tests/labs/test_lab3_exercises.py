"""Lab 3 exercises from notebook 05: each check fails on the starter and passes with the solution."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import helpers
import helpers.lab3

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_lab3_eventbridge_workflows.ipynb"
EXERCISES = ("restock-pattern", "transformer", "audit-route")


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


def _run(env, nb, name: str, starter: bool):
    shop = helpers.lab3.build_shop(env)
    namespace = {"helpers": helpers, "json": json, "env": env, "shop": shop,
                 "SECURITY_BUS": helpers.lab3.experiment_audit(env, shop).bus}
    verdict = None
    for cell in (c for c in nb.cells if c.cell_type == "code" and c.metadata.get("exercise") == name):
        source = cell.metadata["starter"] if starter and "starter" in cell.metadata else cell.source
        if "check" in source and "=" not in source.split("(")[0]:
            verdict = eval(compile(source, name, "eval"), namespace)
        else:
            exec(compile(source, name, "exec"), namespace)
    return verdict


@pytest.mark.parametrize("name", EXERCISES)
def test_check_fails_on_the_starter_and_passes_with_the_solution(env, notebook, name):
    starter = _run(env, notebook, name, starter=True)
    assert not starter and starter.cause == "missing"
    assert _run(env, notebook, name, starter=False)


# -- catalogues: known-wrong answers with their cause, right answers written differently ----------
WRONG_PATTERNS = [
    (None, "missing"),
    ({"detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.inventory"]}, "too-broad"),
    ({"source": [{"prefix": "securecart.inventory"}], "detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.inventory"], "detail-type": [{"prefix": "Inventory"}]}, "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"anything-but": ["InventoryRestocked"]}]},
     "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"prefix": "InventoryLow"}]}, "too-broad"),
    ({"source": ["securecart.inventory"], "detail-type": [{"equals-ignore-case": "inventorylow"}]},
     "too-broad"),
    ({"source": ["securecart.inventory", "securecart.test"], "detail-type": ["InventoryLow"]}, "any-source"),
    ({"source": ["securecart.Inventory"], "detail-type": ["InventoryLow"]}, "matches-nothing"),
    ({"source": ["securecart.inventory"], "detail-type": ["inventorylow"]}, "matches-nothing"),
]
RIGHT_PATTERNS = [
    {"source": ["securecart.inventory"], "detail-type": ["InventoryLow"]},
    {"detail-type": ["InventoryLow"], "source": ["securecart.inventory"], "detail": {"sku": [{"exists": True}]}},
    {"source": ["securecart.inventory"], "detail-type": ["InventoryLow", "InventoryLow"]},
]


@pytest.mark.parametrize("pattern, cause", WRONG_PATTERNS)
def test_restock_pattern_catalogue(env, pattern, cause):
    verdict = helpers.lab3.check_restock_pattern(env, pattern)
    assert not verdict and verdict.cause == cause, (pattern, verdict)
    assert not [t for t in helpers.lab3.checks.ANSWER_TOKENS["exercise 1"] if t in verdict.text()]


@pytest.mark.parametrize("pattern", RIGHT_PATTERNS)
def test_restock_pattern_right_answers_written_differently(env, pattern):
    assert helpers.lab3.check_restock_pattern(env, pattern), pattern


def _leaked(key, verdict, answer):
    """Answer fragments the ✘ shows that the student's own answer did not contain."""
    own = json.dumps(answer) + repr(answer)
    return [t for t in helpers.lab3.checks.ANSWER_TOKENS[key] if t in verdict.text() and t not in own]


# -- exercise 2: the notification's input transformer ---------------------------------------------
_PATHS = {"order": "$.detail.order_id", "total": "$.detail.total"}
_TEMPLATE = '{"message": "Order <order> is confirmed", "order_id": "<order>", "total": <total>}'


def _transformer(paths=None, template=_TEMPLATE, **extra):
    return {"InputPathsMap": {**_PATHS, **(paths or {})}, "InputTemplate": template, **extra}


WRONG_TRANSFORMERS = [
    (None, "missing"),
    (_transformer(template=_TEMPLATE.replace("<total>}", '"<total>"}')), "total-not-number"),
    (_transformer({"total": "$.detail.amount"}), "wrong-total-path"),
    (_transformer({"order": "$.order_id"}), "wrong-order-id"),
    (_transformer({"order": "detail.order_id"}), "wrong-order-id"),
    (_transformer(template="Order <order> is confirmed, total <total>"), "not-json"),
    (_transformer(template='"Order <order> is confirmed"'), "not-json"),
    (_transformer(template='{"order_id": "<order>", "total": <total>}'), "no-message"),
    (_transformer({"total": "$.detail.order_id"}), "wrong-total"),
    (_transformer(template=_TEMPLATE.replace("<total>}", "42.5}")), "wrong-total"),
    (_transformer(template=_TEMPLATE.replace('"order_id": "<order>"', '"order_id": "ord-00101"')),
     "wrong-order-id"),
    (_transformer(template=_TEMPLATE.replace("<order>", "<$.detail.order_id>")), "wrong-order-id"),
    ({"InputPathsMap": json.dumps(_PATHS), "InputTemplate": _TEMPLATE}, "refused"),
    ({"InputPathsMap": _PATHS}, "refused"),
]
RIGHT_TRANSFORMERS = [
    _transformer(),
    {"InputPathsMap": {"id": "$.detail.order_id", "amount": "$.detail.total"},
     "InputTemplate": '{"message": "Your order <id> is confirmed", "order_id": "<id>", "total": <amount>}'},
    _transformer({"when": "$.time"}, '{\n  "total": <total>,\n  "order_id": "<order>",\n'
                 '  "message": "Thanks! <order> ($<total>) confirmed at <when>"\n}'),
    {"InputPathsMap": {"o": "$.detail.order_id", "t": "$.detail.total", "d": "$.detail-type"},
     "InputTemplate": '{"message": "<d>: <o>", "order_id": "<o>", "total": <t>}'},
]


@pytest.mark.parametrize("transformer, cause", WRONG_TRANSFORMERS)
def test_transformer_catalogue(env, transformer, cause):
    verdict = helpers.lab3.check_notification_transformer(env, transformer)
    assert not verdict and verdict.cause == cause, (transformer, verdict)
    assert not _leaked("exercise 2", verdict, transformer)


@pytest.mark.parametrize("transformer", RIGHT_TRANSFORMERS)
def test_transformer_right_answers_written_differently(env, transformer):
    assert helpers.lab3.check_notification_transformer(env, transformer), transformer


# -- exercise 3: the cross-account audit route -----------------------------------------------------
@pytest.fixture
def security(env):
    """Section 5's security bus (the check needs it) and the environment."""
    shop = helpers.lab3.build_shop(env)
    return env, helpers.lab3.experiment_audit(env, shop).bus.arn


def _route(pattern=None, arn=lambda a: a):
    return lambda bus_arn: {"pattern": pattern or {"detail-type": [{"prefix": "Audit"}]}, "target_arn": arn(bus_arn)}


WRONG_ROUTES = [
    (lambda a: None, "missing"),
    (_route(arn=lambda a: a.replace(":events:", ":sqs:").replace("event-bus/", "")), "not-a-bus"),
    (_route(arn=lambda a: a.replace(helpers.events.SECURITY_ACCOUNT, "123456789012")), "same-account"),
    (_route({"detail-type": ["AuditLogin"]}), "misses-audit"),
    (_route({"detail-type": ["AuditLogin", "AuditRefundApproved"]}), "misses-audit"),
    (_route({"detail-type": [{"suffix": "Login"}]}), "misses-audit"),
    (_route({"source": ["securecart.audit"]}), "too-broad"),
    (_route({"detail-type": [{"wildcard": "*Audit*"}]}), "too-broad"),
    (_route({"detail-type": [{"prefix": {"equals-ignore-case": "audit"}}]}), "too-broad"),
    (_route({"detail-type": [{"anything-but": ["Heartbeat", "OrderPlaced"]}]}), "too-broad"),
    (_route({"detail-type": [{"prefix": "audit"}]}), "matches-nothing"),
    (_route(arn=lambda a: a + "-typo"), "matches-nothing"),
    (_route({"detail-type": {"prefix": "Audit"}}), "invalid-pattern"),
]
RIGHT_ROUTES = [
    _route(),
    _route({"detail-type": [{"wildcard": "Audit*"}]}),
    _route({"detail-type": [{"prefix": "Audit"}, "AuditLogin"]}),
    _route({"detail-type": [{"prefix": "Audit"}], "detail": {"n": [{"exists": True}]}}),
]


@pytest.mark.parametrize("make, cause", WRONG_ROUTES)
def test_audit_route_catalogue(security, make, cause):
    env, arn = security
    answer = make(arn)
    verdict = helpers.lab3.check_audit_route(env, answer)
    assert not verdict and verdict.cause == cause, verdict
    assert not _leaked("exercise 3", verdict, answer)


@pytest.mark.parametrize("make", RIGHT_ROUTES)
def test_audit_route_right_answers_written_differently(security, make):
    env, arn = security
    assert helpers.lab3.check_audit_route(env, make(arn))
