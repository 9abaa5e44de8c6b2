"""The short scenario (``SECURECART_SCENARIO=short``): fewer calls and seconds, same effects.

Each experiment the scenario shortens runs twice, full and short, on moto; the short run must
make at most a fraction of the full run's API requests and clock seconds, and still show what
the experiment teaches.
"""

from __future__ import annotations

import pytest

import helpers
from helpers import architecture, lab1, lab2, lab3, observability_lab

#: The short run's share of the full run's requests and clock seconds, at most.
AT_MOST = 0.6
#: Experiments whose cost is waiting (visibility timeouts) keep most calls, lose most seconds.
WAITING = {"calls": 0.8, "seconds": 0.25}


def _run(scenario: str, experiment, run_id: str):
    env = helpers.connect(run=run_id, quiet=True, scenario=scenario)
    try:
        result = experiment(env)
        return result, env.requests, env.clock.elapsed()
    finally:
        env.teardown()


def _short_and_full(experiment, run_id: str, *, calls: float = AT_MOST,
                    seconds: float | None = AT_MOST):
    # GIVEN the same experiment in both scenarios, WHEN each runs on moto
    short, short_calls, short_seconds = _run("short", experiment, run_id)
    _, full_calls, full_seconds = _run("full", experiment, run_id)
    # THEN the short one makes at most a share of the requests and the clock seconds
    assert short_calls <= calls * full_calls, (short_calls, full_calls)
    if seconds is not None:
        assert short_seconds <= seconds * full_seconds, (short_seconds, full_seconds)
    return short


# -- the knob -----------------------------------------------------------------------------
def test_the_scenario_comes_from_the_argument_then_the_variable(monkeypatch, run_id):
    # GIVEN the variable says short
    monkeypatch.setenv("SECURECART_SCENARIO", "short")
    # WHEN connect() is not told, and when it is told full
    told_nothing = helpers.connect(run=run_id, quiet=True)
    scenario, size = told_nothing.scenario, told_nothing.sized(None, full=80, short=12)
    told_nothing.teardown()
    told_full = helpers.connect(run=run_id, quiet=True, scenario="full")
    # THEN the variable decides the first, the argument the second; a given size always wins
    assert (scenario, size) == ("short", 12)
    assert told_full.scenario == "full" and told_full.sized(None, full=80, short=12) == 80
    assert told_full.sized(30, full=80, short=12) == 30
    told_full.teardown()


def test_full_is_the_default_and_the_banner_names_only_short(monkeypatch, run_id, capsys):
    # GIVEN no variable
    monkeypatch.delenv("SECURECART_SCENARIO", raising=False)
    # WHEN connect() prints its banner in each scenario
    full = helpers.connect(run=run_id)
    full_banner = capsys.readouterr().out
    full.teardown()
    short = helpers.connect(run=run_id, scenario="short")
    short_banner = capsys.readouterr().out
    short.teardown()
    # THEN full is the default and leaves the banner as it was; short says so
    assert full.scenario == "full" and "scenario" not in full_banner
    assert "scenario : short" in short_banner


@pytest.mark.parametrize(("argument", "variable", "source"), [
    ("tiny", None, "scenario argument"), (1, None, "scenario argument"),
    (None, "quick", "SECURECART_SCENARIO variable")])
def test_an_unknown_scenario_is_one_error_naming_it_and_the_allowed_ones(
        monkeypatch, run_id, argument, variable, source):
    # GIVEN a scenario name the course does not have
    if variable:
        monkeypatch.setenv("SECURECART_SCENARIO", variable)
    # WHEN connect() is asked for it
    with pytest.raises(helpers.UnknownScenarioError) as error:
        helpers.connect(run=run_id, quiet=True, scenario=argument)
    # THEN the error names the value, where it came from and the allowed ones
    text = str(error.value)
    assert repr(argument or variable) in text and source in text and "full, short" in text
    assert "Fix:" in text


# -- lab 1 --------------------------------------------------------------------------------
def test_short_checkout_still_queues_every_order_at_once(run_id):
    result = _short_and_full(lab1.experiment_async_checkout, run_id)
    assert result.waiting_after_checkout == result.orders == 12
    assert result.checkout_seconds < result.drain_seconds
    assert str(result.invariant).startswith("✔")


def test_short_ordering_still_holds_per_group_on_fifo_only(run_id):
    # the seconds are mostly the consumers' last empty polls, the same in both sizes
    result = _short_and_full(lab1.experiment_ordering, run_id, seconds=None)
    assert result.out_of_order["FIFO"] == 0 and result.duplicates["FIFO"] == 0
    assert result.out_of_order["standard"] > 0


def test_short_poison_still_reaches_the_dlq_and_is_redriven(run_id):
    result = _short_and_full(lab1.experiment_poison, run_id)
    assert result.dlq_after_first_run == len(result.poison) == 3
    assert set(result.receives_per_poison.values()) == {result.max_receive_count}
    assert result.dlq_after_redrive == 0 and str(result.invariant_after).startswith("✔")


def test_short_visibility_still_duplicates_below_the_processing_time_only(run_id):
    table = _short_and_full(lab1.experiment_visibility, run_id, **WAITING).table
    duplicates = dict(zip(table["setting"], table["duplicates"], strict=True))
    assert duplicates["3 s"] > 0 and duplicates["10 s"] > 0
    assert duplicates["20 s"] == 0 and duplicates["10 s + heartbeat"] == 0


def test_short_timeline_still_charges_again_only_with_spare_consumers(run_id):
    table = _short_and_full(
        lambda env: lab1.experiment_visibility_timeline(env, consumers=(1, 2, 4)), run_id,
        **WAITING).table
    extra = table.set_index("consumers")["extra_charges"].to_dict()
    assert extra[1] == 0 and extra[2] > 0 and extra[4] > 0


def test_short_throughput_still_rises_with_consumers_and_batches_save_calls(run_id):
    table = _short_and_full(lab1.experiment_throughput, run_id).table
    for size in (1, 10):
        rates = table[table["batch_size"] == size].sort_values("consumers")["throughput"]
        assert rates.is_monotonic_increasing and rates.iloc[-1] > rates.iloc[0]
    calls = table.groupby("batch_size")["sqs_calls"].sum()
    assert calls[10] * 5 < calls[1]


def test_short_scaling_still_lowers_the_backlog_with_consumers(run_id):
    table = _short_and_full(
        lambda env: lab1.experiment_independent_scaling(env, consumers=(1, 2, 4)), run_id).table
    peaks = table.sort_values("consumers")["peak_backlog"].tolist()
    assert peaks == sorted(peaks, reverse=True) and peaks[0] > peaks[-1]


def test_short_panel_still_parks_poison_and_loses_nothing(run_id):
    result = _short_and_full(lab1.run_panel_experiment, run_id)
    assert result.dlq_orders == result.poison > 0 and str(result.invariant).startswith("✔")


# -- notebooks 01, 04, 07 -----------------------------------------------------------------
def test_short_design_sweep_still_fails_the_monolith_in_an_outage_only(run_id):
    table = _short_and_full(architecture.compare_designs, run_id)
    outage = table[table["outage_s"] > 0].groupby("design")["failed_share"].max()
    assert outage["monolith"] > 0 and outage["event-driven"] == 0


def test_short_replay_still_delivers_the_archived_events_in_order(run_id):
    # GIVEN the replay's only long part, the day between publishing and subscribing
    short, _, seconds = _run("short", lab2.experiment_replay, run_id)
    _, _, full_seconds = _run("full", lab2.experiment_replay, run_id)
    # THEN the short run waits a minute, and the archive still replays every event in order
    assert seconds <= 0.01 * full_seconds
    assert (short.live_before, short.replayed, short.in_order) == (0, short.archived, True)
    assert "60 s earlier" in repr(short)


def test_short_day_still_parks_its_poison_order_and_charges_the_rest(run_id):
    def day(env):
        return observability_lab.run_day(env, observability_lab.build_pipeline(env))

    result = _short_and_full(day, run_id)
    assert result.accepted == 20 and len(result.charged) == result.accepted - len(result.declined)
    parked = [o["order_id"] for o in result.orders
              if any(i["sku"] == result.poison_sku for i in o["items"])]
    assert parked and set(parked).isdisjoint(result.shipped)


def test_short_webhook_outage_still_spends_every_retry_then_parks_in_the_dlq(run_id):
    # requests are the same: the short run only waits less after the retries are spent
    result = _short_and_full(lab2.experiment_failure, run_id, calls=1.0)
    assert result.attempts_each == 6 and result.in_dlq == result.published == 3
    assert result.processed == 2 * result.published


def test_short_restocking_still_emits_inventory_low_once_per_product_and_restocks(run_id):
    def restocking(env):
        return lab3.experiment_restocking(env, lab3.build_shop(env))

    # its cost is the hour of orders on the clock; most requests are the shop's set-up
    result = _short_and_full(restocking, run_id, calls=1.0, seconds=0.4)
    assert result.low_events == result.restocked_events == result.notifications > 0
    assert (result.table["low_events"] == 1).all()
    assert result.table["restocked_at"].notna().any()


def test_short_async_receipts_still_retry_then_reach_the_failure_destination(run_id):
    from helpers.patterns import invocation

    # requests are the same: the short run only waits less after the last retry
    result = _short_and_full(invocation.async_receipts, run_id, calls=1.0)
    summary = result.summary()
    failed = summary[summary["destination"] == "OnFailure"]
    assert failed["order_id"].tolist() == [invocation.BROKEN]
    assert failed["approximateInvokeCount"].tolist() == [3]
    assert invocation.FLAKY in result.order_of_completion
