"""Lab 1 experiments on fixed seeds: the numbers the notebook states, and re-run stability."""

from __future__ import annotations

import pytest

import helpers
from helpers import lab1
from helpers.platform.errors import InvalidParameterError, NotReadyError
from helpers.sqs.plots import DUPLICATE, OUT_OF_ORDER


def _marked(fig, gid: str) -> list[int]:
    return [len(c.get_offsets()) for ax in fig.axes for c in ax.collections if c.get_gid() == gid]


def test_checkout_answers_at_once_and_the_consumer_drains_later(env):
    # GIVEN a checkout of 30 orders and a payment consumer needing 2 s per payment
    # WHEN the experiment runs
    result = lab1.experiment_async_checkout(env, orders=30, processing_seconds=2.0)
    # THEN the checkout took no clock time, all 30 waited, and draining took 60 s
    assert result.checkout_seconds == 0.0
    assert result.waiting_after_checkout == 30
    assert result.drain_seconds == 60.0 and result.synchronous_wait_seconds == 60.0
    assert result.invariant.ok and result.invariant.processed_once == 30
    assert "Checkout accepted 30 orders in 0.0 s" in str(result)
    assert [ax.get_title() for ax in result.figure().axes] == [
        "Checkout queues orders at once; the payment consumer drains them", "Throughput per consumer"]


def test_fifo_keeps_each_customers_order_and_standard_does_not(env):
    # GIVEN the same 200 payments for 20 customers through a standard and a FIFO queue
    # WHEN the ordering experiment runs (standard with emulated reordering and duplicates)
    result = lab1.experiment_ordering(env)
    # THEN FIFO: every payment once, in order; standard: reordered and duplicated
    assert result.deliveries["FIFO"] == 200
    assert result.out_of_order["FIFO"] == 0 and result.duplicates["FIFO"] == 0
    assert result.out_of_order["standard"] > 0 and result.duplicates["standard"] > 0
    assert result.deliveries["standard"] == 200 + result.duplicates["standard"]
    # and the idempotent handler charged each payment once on both queues
    assert result.charged_twice == {"standard": 0, "FIFO": 0}
    assert all(inv.ok for inv in result.invariants.values())
    assert "emulated on moto" in str(result)
    # and the figure marks exactly the out-of-order and duplicate deliveries counted
    fig = result.figure()
    assert _marked(fig, OUT_OF_ORDER) == [result.out_of_order["standard"], 0]
    assert _marked(fig, DUPLICATE) == [result.duplicates["standard"], 0]
    # one row per customer (20) in each panel, and the text names the overtaken payment
    assert [len(ax.get_yticklabels()) for ax in fig.axes] == [20, 20]
    assert len(fig.axes[0].texts) == result.out_of_order["standard"] and not fig.axes[1].texts
    assert "out of order (after a later payment of the customer)" in str(result)


def test_deduplication_drops_a_resend_inside_five_minutes_only(env):
    # GIVEN a FIFO queue deduplicating on order_id
    # WHEN a payment is resent after 60 s and after 6 minutes
    table = lab1.experiment_deduplication(env).table
    # THEN the 60-s resend is dropped, the 6-minute one delivered but not charged again
    assert table["clock_s"].tolist() == [0, 60, 120, 360]
    assert table["delivered"].tolist() == [1, 0, 1, 1]
    assert table["charged"].tolist() == [1, 0, 1, 0]


def test_poison_orders_reach_the_dlq_and_come_back_after_the_fix(env):
    # GIVEN 40 orders, 3 of them poison, and maxReceiveCount=3
    # WHEN the buggy handler runs, then the fix and the redrive
    result = lab1.experiment_poison(env, orders=40, poison=3, max_receive_count=3)
    # THEN each poison order was received exactly 3 times and parked in the DLQ
    assert len(result.poison) == 3
    assert result.receives_per_poison == {order: 3 for order in result.poison}
    assert result.dlq_after_first_run == 3
    assert result.dlq_table["order_id"].tolist() == result.poison
    assert set(result.dlq_table["last_error"]) == {"ValueError: unsupported currency 'EUR'"}
    assert result.invariant_before.ok and result.invariant_before.in_dlq == 3
    # and after the redrive the DLQ is empty and nothing was lost
    assert result.redriven == 3 and result.dlq_after_redrive == 0
    assert result.invariant_after.ok and result.invariant_after.processed_once == 40
    # and the DLQ depth plot rises to 3 and returns to 0
    depth = result.figure().axes[0].lines[0].get_ydata().tolist()
    assert max(depth) == 3 and depth[-1] == 0


def test_visibility_timeout_shorter_than_processing_duplicates(env):
    # GIVEN 45-s processing (some 55 s) and timeouts of 10, 30 and 60 s, then 30 s + heartbeat
    # WHEN the visibility experiment runs
    result = lab1.experiment_visibility(env)
    duplicates = dict(zip(result.table["setting"], result.table["duplicates"], strict=True))
    # THEN 10 s and 30 s charge orders twice; 60 s and the heartbeat do not
    assert duplicates["10 s"] > 0 and duplicates["30 s"] > 0
    assert duplicates["60 s"] == 0 and duplicates["30 s + heartbeat"] == 0
    assert not result.invariants["30 s"].ok and result.invariants["30 s + heartbeat"].ok
    assert [p.get_height() for p in result.figure().axes[0].patches] == list(duplicates.values())


def test_throughput_rises_with_consumers_and_batches_cut_calls(env):
    # GIVEN 80 orders
    # WHEN they are consumed by 1/2/4/8/16 consumers with batches of 1 and 10
    table = lab1.experiment_throughput(env).table
    # THEN throughput rises with the consumers for each batch size
    for _, rows in table.groupby("batch_size"):
        assert rows.sort_values("consumers")["throughput"].is_monotonic_increasing
        assert rows["throughput"].iloc[-1] > rows["throughput"].iloc[0]
    # and batches of 10 need a tenth of the handler calls
    calls = table.groupby("batch_size")["batches"].max()
    assert calls[1] == 80 and calls[10] == 8
    assert (table["processed"] == 80).all()


def test_experiments_say_the_same_when_rerun_in_one_environment(env):
    # GIVEN an experiment that draws from the emulated delivery model and a scenario
    first = str(lab1.experiment_ordering(env, payments=60, customers=6))
    panel_first = str(lab1.run_panel_experiment(env, orders=40))
    # WHEN the cells run again in the same environment
    again = str(lab1.experiment_ordering(env, payments=60, customers=6))
    panel_again = str(lab1.run_panel_experiment(env, orders=40))
    # THEN they print the same
    assert again == first and panel_again == panel_first


def test_experiments_say_the_same_after_reconnecting():
    # GIVEN the poison and visibility experiments in one environment
    texts = []
    for _ in range(2):
        env = helpers.connect(run="lab1", quiet=True)
        try:
            texts.append((str(lab1.experiment_poison(env)), str(lab1.experiment_visibility(env))))
        finally:
            env.teardown()
    # THEN a fresh environment prints the same
    assert texts[0] == texts[1]


def test_panel_runs_static_and_as_widgets(env):
    # GIVEN the panel's experiment with poison and crashes
    result = lab1.run_panel_experiment(env, orders=40, poison_rate=0.1, crash_rate=0.2, seed=3)
    # THEN nothing is lost and the poison sits in the DLQ
    assert result.invariant.ok and result.dlq == result.poison > 0
    assert len(result.figure().axes) == 4
    # and the static panel is the same kind of result
    assert isinstance(lab1.panel(env, static=True, orders=20), lab1.PanelResult)
    # and the widget panel shows a fixed text next to its widget view
    shown = lab1.panel(env)
    bundle = shown._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == lab1.sliders._Panel.TEXT
    assert "application/vnd.jupyter.widget-view+json" in data
    # and pressing Run draws one more run with the sliders' values
    assert isinstance(shown.run(), lab1.PanelResult)


def test_panel_rejects_unknown_settings(env):
    # WHEN a setting the panel does not have is passed
    # THEN the error names the settings it has
    with pytest.raises(InvalidParameterError, match="visibility_timeout"):
        lab1.run_panel_experiment(env, visibility=10)


def test_blank_solutions_uses_the_starter_and_needs_one():
    # GIVEN a solution cell with and one without starter code
    good = {"cells": [{"cell_type": "code", "source": "X = 3", "outputs": [{"output_type": "stream"}],
                       "execution_count": 4,
                       "metadata": {"tags": ["solution"], "starter": "X = None  # TODO"}}]}
    bad = {"cells": [{"cell_type": "code", "source": "X = 3", "outputs": [],
                      "metadata": {"tags": ["solution"]}}]}
    # WHEN blanked
    cell = lab1.blank_solutions(good)["cells"][0]
    # THEN the starter replaces the solution, outputs go, the original is untouched
    assert cell["source"] == "X = None  # TODO" and cell["outputs"] == []
    assert good["cells"][0]["source"] == "X = 3"
    with pytest.raises(NotReadyError, match="starter"):
        lab1.blank_solutions(bad)


def test_panel_progress_bar_shows_simulated_seconds_not_a_wall_rate(env, capsys):
    # GIVEN the panel's experiment on the simulated clock with its progress bar on
    # WHEN it runs 30 orders
    result = lab1.run_panel_experiment(env, orders=30, seed=1, progress=True)
    # THEN the bar's last line counts the messages deleted (emulated duplicates are deleted
    # too: the total grows past the 30 queued) and the run's simulated seconds, and shows no
    # wall-clock rate or elapsed<remaining time
    last = capsys.readouterr().err.rsplit("\r", 1)[-1].strip()
    deleted = result.report.deleted
    assert deleted > 30  # the panel's default emulated duplicates
    assert last.endswith(f"| {deleted}/{deleted} msg, simulated {result.report.elapsed:.1f} s; "
                         f"{deleted - 30} repeats")
    assert len(last) <= 100  # one line: the notebook's output area does not wrap it
    assert "/s" not in last and "<" not in last and "?" not in last


def test_visibility_timeline_shows_why_only_some_orders_are_charged_again(env):
    # GIVEN 8 orders of 45-55 s against a 10 s visibility timeout, a handler that is not idempotent
    # WHEN 1, 2 and 4 consumers process them
    result = lab1.experiment_visibility_timeline(env, consumers=(1, 2, 4))
    table = result.table.set_index("consumers")
    # THEN one consumer is never free to receive an expired message: no extra charge, although
    # every one of its receives expired while it worked
    one = result.timelines[1]
    assert table.loc[1, ["charges", "extra_charges", "charged_twice", "stale_deletes"]].tolist() == [8, 0, 0, 0]
    assert (one["event"] == "expiry").sum() == 8 and (one["event"] == "receive again").sum() == 0
    # and with more consumers a free one receives the expired message and charges it again;
    # the first consumer's delete comes later, with a handle that is no longer the newest
    assert table.loc[2, ["charges", "extra_charges", "charged_twice", "stale_deletes"]].tolist() == [13, 5, 5, 5]
    assert table.loc[4, ["charges", "extra_charges", "charged_twice", "stale_deletes"]].tolist() == [14, 6, 5, 6]
    four = result.timelines[4]
    thrice = four[four["message"] == "ord-00007"]["event"].tolist()
    assert thrice.count("receive") + thrice.count("receive again") == 3  # charged 3 times: 2 extra
    assert thrice.count("stale delete") == 2 and thrice[-1] == "delete"
    # and the figure draws the 4-consumer timeline's markers and the extra-charge bars
    fig = result.figure()
    gids = {c.get_gid(): len(c.get_offsets()) for c in fig.axes[0].collections}
    assert gids == {"receive": 8, "expiry": 14, "receive again": 6, "delete": 8, "stale delete": 6}
    assert [int(p.get_height()) for p in fig.axes[1].patches] == [0, 5, 6, 0, 5, 5]
    assert "extra charges" in str(result) and str(result.invariants[1]).startswith("✔")


def test_payments_scale_alone_while_the_checkout_keeps_its_rate(env):
    # GIVEN a checkout sending 40 orders at 1 per second and payments of 2.5 s each
    # WHEN 1, 2 and 4 payment consumers drain the same queue
    result = lab1.experiment_independent_scaling(env, consumers=(1, 2, 4))
    table = result.table.set_index("consumers")
    # THEN the checkout's rate and its last order's time are the same in every run
    assert table["checkout_rate"].tolist() == [1.0] * 3 and table["checkout_seconds"].tolist() == [39.0] * 3
    # and the backlog peaks lower and drains sooner with each doubling of the payment side:
    # one consumer pays 0.4 orders/s (100 s for 40), two 0.8/s, four keep up (1.6/s)
    assert table["peak_backlog"].tolist() == [25, 10, 3]
    assert table["drained_at"].tolist() == [100.0, 51.0, 41.5]
    assert table["drain_after_checkout"].tolist() == [61.0, 12.0, 2.5]
    assert all(inv.ok and inv.processed_once == 40 for inv in result.invariants.values())
    # and the backlog curve ends at 0 for each run, drawn as one line per consumer count
    assert [int(b["backlog"].iloc[-1]) for b in result.backlogs.values()] == [0, 0, 0]
    fig = result.figure()
    assert [line.get_label() for line in fig.axes[0].get_lines()][:3] == [
        "1 payment consumer", "2 payment consumers", "4 payment consumers"]
    assert "every order charged once" in str(result)


def test_panel_after_a_new_connect_uses_the_notebooks_current_env(run_id):
    # GIVEN the panel drawn in a notebook namespace, then Restart & Run All's teardown
    ns = {"helpers": helpers, "env": helpers.connect(run=run_id, quiet=True)}
    exec("import helpers.lab1\np = helpers.lab1.panel(env, orders=20)", ns)  # noqa: S102 - a notebook cell
    ns["env"].teardown()
    # WHEN only the connect cell is run again and the button pressed
    ns["env"] = helpers.connect(run=run_id, quiet=True)
    try:
        result = ns["p"].run()
        # THEN the panel runs on the new environment (no "torn down" line)
        assert result is not None and str(result.invariant).startswith("✔")
    finally:
        ns["env"].teardown()
