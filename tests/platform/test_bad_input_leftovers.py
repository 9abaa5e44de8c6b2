"""Nothing half-created: a helper (or a check) whose later call fails deletes what it made."""

from __future__ import annotations

import bad_input_cases as cases
import pytest
from botocore.exceptions import ClientError

import helpers.apigateway as ag
import helpers.events as eb
from helpers.lab3 import checks
from helpers.sqs import create_queue


def test_a_rest_api_whose_deployment_fails_is_deleted(env, monkeypatch):
    # GIVEN a queue, and an API Gateway whose CreateDeployment fails (the last of 9 calls)
    queue = create_queue(env, "orders")
    before = cases.inventory(env)
    gw = env.client("apigateway")
    real = gw.create_deployment

    def refuse(**kwargs):
        raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}},
                          "CreateDeployment")

    monkeypatch.setattr(gw, "create_deployment", refuse)
    # WHEN the helper builds the API
    with pytest.raises(ClientError, match="slow down"):
        ag.create_orders_api(env, queue)
    monkeypatch.setattr(gw, "create_deployment", real)
    # THEN the REST API it had created is gone again, and the run records nothing of it
    assert cases.inventory(env) == before
    assert env.resources.of("rest-api") == []


def test_moto_alone_keeps_the_half_made_rest_api(env, monkeypatch):
    # GIVEN the same failure without the helper's undo (the raw calls): the API stays
    gw = env.client("apigateway")
    api = gw.create_rest_api(name="half-made")["id"]
    # THEN it is listed until someone deletes it (what the helper now does for you)
    assert [a["id"] for a in gw.get_rest_apis()["items"]] == [api]


@pytest.mark.parametrize("transformer", [
    {"InputPathsMap": {"id": "$.detail.order_id"}, "InputTemplate": "order <id>"},
    {"InputPathsMap": {"id": "$.detail.order_id"}, "InputTemplate": 7},
])
def test_a_wrong_or_refused_transformer_leaves_no_scratch_bus_queue_or_rule(env, transformer):
    # GIVEN the inventory before checking exercise 2
    before = cases.inventory(env)
    # WHEN the transformer is wrong (not JSON) or refused by PutTargets
    verdict = checks.check_notification_transformer(env, transformer)
    # THEN the check says so, and its scratch bus, queue and rule are gone
    assert not verdict.passed
    assert cases.inventory(env) == before


def test_a_refused_audit_pattern_leaves_no_scratch_bus(env):
    # GIVEN the security account's bus (section 5), and the inventory
    security = eb.client_in_account(env, eb.SECURITY_ACCOUNT, "events")
    security.create_event_bus(Name=env.name("security", "events"))
    before = cases.inventory(env)
    arn = f"arn:aws:events:us-east-1:{eb.SECURITY_ACCOUNT}:event-bus/{env.name('security', 'events')}"
    # WHEN the route's pattern is invalid (a value that is not a list)
    verdict = checks.check_audit_route(env, {"pattern": {"detail-type": "AuditLogin"},
                                             "target_arn": arn})
    # THEN the check names the pattern problem, and its scratch bus is gone
    assert not verdict.passed
    assert cases.inventory(env) == before
