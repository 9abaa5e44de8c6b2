"""Notebook 08's tools: step checks and hints, pricing, the exported template (cfn-lint and
moto's CloudFormation), the smoke day's plumbing on both backends, the dashboard."""

from __future__ import annotations

import pytest

import helpers
from helpers import capstone as cap
from helpers.capstone import export, pricing
from helpers.capstone.designs import orders_front


def test_step_one_passes_with_the_monolith_doing_the_rest(env):
    # GIVEN only step 1: orders queued in front of payments, payments publishing nowhere yet
    orders_front(env, alarm=False)
    # WHEN step 1 is checked
    verdict = cap.check(env, "step 1")
    # THEN its six requirements hold (the monolith's remaining code still ships the orders)
    assert verdict, verdict.text()
    assert "6/6" in verdict.message


def test_a_wrong_step_one_names_its_cause_and_hints_in_tiers(env):
    # GIVEN a standard queue for payments
    orders_front(env, fifo=False)
    # WHEN checked twice, then a hint is asked for
    first = cap.check(env, "step 1")
    second = cap.check(env, "step 1")
    # THEN the cause is the queue type, and the hints go concept -> API -> answer
    assert not first and first.cause == "standard-queue" and "`orders`" in first.message
    assert (first.tier, second.tier) == (1, 2)
    assert cap.hint(env, "step 1").startswith("Hint 3/3 (answer)")


def test_unknown_step_and_torn_down_env_say_what_to_do():
    e = helpers.connect(quiet=True)
    assert cap.check(e, "step 9").cause == "unknown-step"
    e.teardown()
    assert cap.check(e, "step 1").cause == "closed"


def test_pricing_levers_move_the_bill(env):
    cap.RIGHT_DESIGNS["stepfunctions"](env)
    rec = cap.grade(env, orders=400).record
    table = pricing.what_if(rec)
    change = dict(zip(table.iloc[:, 0], table["USD per month"], strict=True))
    base = table["USD per month"].iloc[0]
    assert change["short polling once a second instead of 20-s long polls"] > base
    assert change["Express instead of Standard workflows"] < base
    assert set(pricing.price(rec)["item"]) >= {"SQS FIFO", "EventBridge", "Step Functions Standard"}


@pytest.mark.parametrize("name", sorted(cap.RIGHT_DESIGNS))
def test_exported_template_passes_cfn_lint_and_deploys_on_moto(env, tmp_path, name):
    # GIVEN a right design exported
    cap.RIGHT_DESIGNS[name](env)
    folder = export.export(cap.discover(env), tmp_path / "sam")
    # THEN cfn-lint finds nothing and every handler file is there
    assert export.lint(folder) == []
    assert {"checkout.py", "payments.py", "runtime.py", "aws_services.py"} <= {
        p.name for p in (folder / "handlers").iterdir()}
    # AND moto's CloudFormation creates every resource type it implements, as many as declared
    table = export.deploy_on_moto(env, folder)
    made = table[table["note"] == ""]
    assert (made["in the template"] == made["created by the stack"]).all()
    assert {"AWS::SQS::Queue", "AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping"} <= set(made["resource type"])


def test_moto_alone_cloudformation_skips_subscriptions_and_alarms(env, tmp_path):
    # moto's CloudFormation does not implement these types: the table must say so, not hide it
    cap.RIGHT_DESIGNS["sns"](env)
    table = export.deploy_on_moto(env, export.export(cap.discover(env), tmp_path / "sam"))
    skipped = set(table[table["note"] != ""]["resource type"])
    assert skipped == {"AWS::SNS::Subscription", "AWS::CloudWatch::Alarm", "AWS::SQS::QueuePolicy"}


def test_smoke_day_sends_real_orders_prices_first_and_tears_down(any_env, capsys):
    # GIVEN a right design on the backend (moto in-process, or moto over HTTP)
    cap.RIGHT_DESIGNS["sns"](any_env)
    # WHEN the smoke day runs
    result = cap.smoke.smoke_day(any_env, orders=12)
    # THEN the cost was printed before, every order was charged, shipped and told, and the
    # run is torn down
    assert "estimated cost $" in capsys.readouterr().out
    assert (result.ledger["charged"], result.ledger["shipped"], result.ledger["notified"]) == (12, 12, 12)
    assert result.torn_down and any_env.closed


def test_dashboard_plots_render(env):
    cap.RIGHT_DESIGNS["sns"](env)
    rec = cap.grade(env, orders=300).record
    mono = cap.run_monolith(cap.day(seed=env.seed, orders=300))
    for fig in (cap.dashboard.plot_throughput(rec), cap.dashboard.plot_depths(rec),
                cap.dashboard.plot_latency(mono, rec)):
        assert fig.axes and fig.axes[0].get_title()
    panel = cap.dashboard.replay(cap.discover(env), orders=200)
    assert "Replay" in repr(panel)
    assert panel.run().accepted > 0
