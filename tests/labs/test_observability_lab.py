"""Notebook 07 end to end on one seeded day: metrics against env.log, every order's trace,
the analytics, and the incident check with its catalogue of known-wrong answers."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers
from helpers import observability as obs
from helpers import observability_lab as lab
from helpers.observability_lab.pipeline import MAX_RECEIVE_COUNT
from helpers.platform.errors import InvalidAlarmError


@pytest.fixture(scope="module")
def day_env():
    """One environment with the pipeline, two alarms and a finished seeded day.

    Opening another local environment closes this one: the tests that use it come first.
    """
    env = helpers.connect(run="t" + uuid.uuid4().hex[:7], quiet=True)
    pipe = lab.build_pipeline(env)
    alarms = [obs.put_queue_alarm(env, "inv-dlq", queue_name=pipe.inventory.dlq_name, threshold=0,
                                  metric="ApproximateNumberOfMessagesVisible",
                                  treat_missing="notBreaching", topic_arn=pipe.oncall_topic),
              obs.put_queue_alarm(env, "ord-dlq", queue_name=pipe.orders.dlq_name, threshold=0,
                                  metric="ApproximateNumberOfMessagesVisible",
                                  treat_missing="notBreaching", topic_arn=pipe.oncall_topic)]
    day = lab.run_day(env, pipe)
    logs = obs.read_logs(env, pipe.log_groups)
    yield env, pipe, day, logs, alarms
    env.teardown()


# --- the day itself ----------------------------------------------------------------------------
def test_the_day_has_declines_and_poisoned_inventory(day_env):
    env, pipe, day, logs, _ = day_env
    truth = lab.affected_orders(env)
    poisoned = sorted(o["order_id"] for o in day.orders if any(i["sku"] == day.poison_sku for i in o["items"]))
    # THEN the affected orders are exactly the charged orders containing the poison SKU
    assert truth == sorted(set(poisoned) - set(day.declined))
    assert 3 <= len(truth) <= 6
    assert set(day.charged) == {o["order_id"] for o in day.orders} - set(day.declined)
    assert set(day.shipped) == set(day.charged) - set(truth)


def test_metrics_match_env_log_minute_by_minute(day_env):
    # GIVEN the AWS/SQS metrics of the orders queue and the SQS calls in env.log
    env, pipe, day, _, _ = day_env
    metrics = lab.operator_metrics(env, pipe, day)
    orders = metrics[metrics["queue"] == "orders"]
    counted = obs.log_counts_per_minute(env, pipe.orders.name, since=day.log_mark)
    # WHEN both are lined up per minute
    for metric, column in (("NumberOfMessagesSent", "sent"), ("NumberOfMessagesReceived", "received"),
                           ("NumberOfMessagesDeleted", "deleted")):
        series = orders[orders["metric"] == metric].set_index("timestamp")["value"]
        nonzero = series[series > 0].astype(int)
        # THEN every minute agrees
        assert nonzero.to_dict() == {k: v for k, v in counted[column].to_dict().items() if v}, metric
    totals = lab.metrics_vs_log(env, pipe, day)
    assert (totals["AWS/SQS metric"] == totals["env.log"]).all()
    assert totals.loc["NumberOfMessagesSent", "env.log"] == 60


def test_dlq_depth_metric_ends_at_the_dlq_contents(day_env):
    env, pipe, day, _, _ = day_env
    metrics = lab.operator_metrics(env, pipe, day)
    depth = metrics[(metrics["metric"] == "ApproximateNumberOfMessagesVisible")]
    last = depth.sort_values("timestamp").groupby("queue")["value"].last()
    assert last["inventory-dlq"] == len(helpers.sqs.inspect_dlq(env, pipe.inventory))
    assert last["orders-dlq"] == len(day.declined)
    assert last["orders"] == last["inventory"] == 0


def test_both_dlq_alarms_fired_and_paged(day_env):
    env, pipe, _, _, alarms = day_env
    states = obs.alarm_states(env, alarms)
    assert states["state"].tolist() == ["ALARM", "ALARM"]
    pages = obs.notifications(env, pipe.oncall_inbox)
    assert sorted(pages.loc[pages["change"] == "OK -> ALARM", "alarm"]) == ["inv-dlq", "ord-dlq"]


def test_business_metric_math_counts_the_gap(day_env):
    env, _, day, _, _ = day_env
    table = lab.business_math(env, day)
    assert int(table["charged - shipped"].sum()) == len(lab.affected_orders(env))
    assert int(table["accepted"].sum()) == 60


def test_every_order_has_a_reconstructed_trace(day_env):
    # GIVEN every order's trace id, found in the logs
    env, _, day, logs, _ = day_env
    truth = set(lab.affected_orders(env))
    trace_of = logs.dropna(subset=["trace_id"]).groupby("order_id")["trace_id"].first()
    assert set(trace_of.index) == {o["order_id"] for o in day.orders}
    traces = obs.get_traces(env, trace_of.tolist())
    for order_id, trace_id in trace_of.items():
        # WHEN its segments are read back
        trace = traces[traces["trace_id"] == trace_id]
        names = trace["name"].tolist()
        ok = trace[~trace["error"]]["name"].tolist()
        # THEN the path is the pipeline's, every parent exists, and failures are where they belong
        assert set(trace["order_id"]) == {order_id}
        assert names.count("checkout") == 1 and names[0] == "checkout"
        assert set(trace["parent_id"].dropna()) <= set(trace["id"])
        if order_id in day.declined:
            assert names.count("payment") == trace["error"].sum() == MAX_RECEIVE_COUNT
            assert "order-bus" not in names
        elif order_id in truth:
            assert ok.count("payment") == 1 and "notification" not in names
            assert trace.loc[trace["name"] == "inventory", "error"].tolist() == [True] * MAX_RECEIVE_COUNT
        else:
            assert ok.count("payment") == ok.count("inventory") == ok.count("notification") == 1
            assert not trace["error"].any()


def test_analytics_agree_with_the_truth(day_env):
    env, _, day, logs, _ = day_env
    outcomes = obs.orders_by_outcome(logs).set_index("outcome")["orders"].to_dict()
    truth = lab.affected_orders(env)
    assert outcomes == {"shipped": 60 - len(truth) - len(day.declined),
                        "charged, not shipped": len(truth), "payment declined": len(day.declined)}
    ranking = obs.failure_ranking(logs)
    assert day.poison_sku in ranking.loc[0, "reason"] and ranking.loc[0, "orders"] == len(truth)
    index = obs.LogIndex(logs)
    assert sorted(index.search(f"{day.poison_sku} unreadable")["order_id"].unique()) == truth
    assert set(index.search(truth[0])["group"]) == {"checkout", "payment", "inventory"}
    latency = obs.latency_per_service(obs.get_traces(env, logs["trace_id"].dropna().unique().tolist()))
    assert latency.loc["inventory", "errors"] == MAX_RECEIVE_COUNT * len(truth)


def test_json_filter_finds_one_correlation_id_in_every_function(day_env):
    env, pipe, _, logs, _ = day_env
    shipped = logs[logs["message"] == "shipping notification sent"].iloc[0]
    journey = obs.filter_logs(env, pipe.log_groups, f'{{ $.correlation_id = "{shipped["correlation_id"]}" }}')
    assert journey["group"].tolist() == ["checkout", "payment", "inventory", "notification"]
    assert set(journey["order_id"]) == {shipped["order_id"]}


# --- the incident check --------------------------------------------------------------------------
def _dlq_order_ids(env, queue):
    return [json.loads(b)["detail"]["order_id"] for b in helpers.sqs.inspect_dlq(env, queue)["body"]]


def test_incident_right_answer_passes(day_env):
    env, pipe, _, _, _ = day_env
    answer = sorted(set(_dlq_order_ids(env, pipe.inventory)))
    verdict = lab.check_incident(env, answer)
    assert verdict.passed, verdict
    assert verdict.message.startswith(f"the {len(answer)} orders charged but never shipped")


def _wrong_answers(env, pipe, day, logs):
    truth = lab.affected_orders(env)
    shipped = day.shipped
    failed = logs[logs["level"] == "ERROR"]
    cids = failed[failed["group"] == "inventory"]["correlation_id"].unique().tolist()
    tids = failed[failed["group"] == "inventory"]["trace_id"].unique().tolist()
    mids = helpers.sqs.inspect_dlq(env, pipe.inventory)["message_id"].tolist()
    return [
        ("all-failed", sorted(set(failed["order_id"]))),
        ("wrong-dlq", sorted(set(helpers.sqs.inspect_dlq(env, pipe.orders)["order_id"]))),
        ("duplicates", failed[failed["group"] == "inventory"]["order_id"].tolist()),
        ("only-first", truth[:1]),
        ("missing-some", truth[:-1]),
        ("superset", truth + shipped[:2]),
        ("correlation-ids", cids),
        ("trace-ids", tids),
        ("message-ids", mids),
        ("wrong-orders", shipped[:len(truth)]),
        ("not-a-list", "ord-00001"),
        ("whitespace", [f"{truth[0]}\n", *truth[1:]]),
        ("not-a-list", 42),
    ]


def test_incident_right_answers_written_differently_pass_three_times(day_env):
    # GIVEN the affected orders as a set, a tuple, reverse-sorted and as a generator
    env, pipe, _, _, _ = day_env
    truth = lab.affected_orders(env)
    for make in (lambda: set(truth), lambda: tuple(truth), lambda: sorted(truth, reverse=True),
                 lambda: (o for o in truth)):
        # WHEN each is checked three times THEN each passes with the same text
        verdicts = [lab.check_incident(env, make()) for _ in range(3)]
        assert all(v.passed for v in verdicts) and len({v.text() for v in verdicts}) == 1, verdicts[0]


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_incident_property_right_answers_pass_and_mutations_fail(day_env, data):
    # GIVEN the truth in any order and container, and one breaking mutation of it
    env, _, day, _, _ = day_env
    truth = lab.affected_orders(env)
    order = data.draw(st.permutations(truth))
    container = data.draw(st.sampled_from([list, tuple, set]))
    assert lab.check_incident(env, container(order)).passed
    others = sorted(set(day.shipped) | set(day.declined))
    i = data.draw(st.integers(0, len(order) - 1))
    mutation = data.draw(st.sampled_from(["drop", "add", "repeat", "swap", "pad"]))
    extra = data.draw(st.sampled_from(others))
    wrong = {"drop": order[:i] + order[i + 1:], "add": [*order, extra],
             "repeat": [*order, order[i]], "swap": [*order[:i], extra, *order[i + 1:]],
             "pad": [*order[:i], f" {order[i]}", *order[i + 1:]]}[mutation]
    # THEN the mutation always fails
    assert not lab.check_incident(env, wrong).passed, (mutation, wrong)


def test_incident_catalogue_of_wrong_answers(day_env):
    env, pipe, day, logs, _ = day_env
    catalogue = _wrong_answers(env, pipe, day, logs)
    assert len(catalogue) >= 10
    for cause, answer in catalogue:
        verdict = lab.check_incident(env, answer)
        assert not verdict.passed, (cause, answer)
        assert verdict.cause == cause, (cause, verdict)
        below_answer = [verdict.message, *(h for h in verdict.hints if not h.startswith("Hint 3/3"))]
        assert not [t for t in lab.checks.ANSWER_TOKENS["incident"] if t in "\n".join(below_answer)]


def test_incident_hints_climb_and_a_pass_resets(day_env):
    env, pipe, day, _, _ = day_env
    lab.check_incident(env, sorted(set(_dlq_order_ids(env, pipe.inventory))))  # reset
    assert lab.check_incident(env, day.declined).tier == 1
    assert lab.check_incident(env, day.declined).tier == 2
    third = lab.check_incident(env, day.declined)
    assert third.tier == 3 and "inspect_dlq" in third.text()
    assert lab.check_incident(env, None).cause == "not-answered"


def test_notebook_starter_fails_and_solution_passes(day_env):
    # GIVEN the exercise cell of notebook 07 (solution source, starter in its metadata)
    import nbformat

    nb = nbformat.read("notebooks/07_observability_and_analytics.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []))
    env, pipe, _, _, _ = day_env
    for source, passes in ((cell.metadata["starter"], False), ("".join(cell.source), True)):
        scope = {"env": env, "pipe": pipe, "json": json, "helpers": helpers}
        # WHEN it runs and the check looks at its answer
        exec(source, scope)
        verdict = lab.check_incident(env, scope["AFFECTED_ORDER_IDS"])
        # THEN the starter is not an answer yet, the solution is the right one
        assert bool(verdict) is passes, verdict


def test_incident_check_before_the_day_says_which_cell_to_run(run_id):
    env = helpers.connect(run=run_id, quiet=True)
    try:
        verdict = lab.check_incident(env, ["ord-00001"])
        assert verdict.cause == "not-ready"
        assert "run_day(env, pipe)" in verdict.message
    finally:
        env.teardown()


# --- toolkit pieces ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, words", [
    ({"evaluation_periods": 2, "datapoints_to_alarm": 3}, "1 <= M <= N"),
    ({"treat_missing": "zero"}, "TreatMissingData is one of"),
    ({"period": 90}, "multiple of 60"),
    ({"comparison": "Above"}, "GreaterThanThreshold"),
])
def test_put_queue_alarm_refuses_what_cloudwatch_refuses(env, kwargs, words):
    with pytest.raises(InvalidAlarmError, match=words):
        obs.put_queue_alarm(env, "bad", queue_name="q", metric="ApproximateAgeOfOldestMessage",
                            threshold=1, **kwargs)
    assert env.client("cloudwatch").describe_alarms()["MetricAlarms"] == []


def test_ship_batches_respect_put_log_events_limits(env, monkeypatch):
    # GIVEN a sink with 25 lines and a limit of 10 events per batch
    monkeypatch.setattr(helpers.limits, "LOGS_PUT_MAX_EVENTS", 10)
    logger, sink = obs.service_logger(env, "batchy")
    for i in range(25):
        logger.info("line", extra={"n": i})
    calls = []
    logs = env.client("logs")
    original = logs.put_log_events
    monkeypatch.setattr(logs, "put_log_events", lambda **kw: calls.append(len(kw["logEvents"])) or original(**kw))
    # WHEN it is shipped
    group = obs.ship(env, "batchy", sink)
    # THEN three calls carried all 25 lines, in order
    assert calls == [10, 10, 5]
    assert obs.read_logs(env, [group])["n"].tolist() == list(range(25))



def test_hint_on_request_climbs_to_the_answer(run_id):
    env = helpers.connect(run=run_id, quiet=True)
    try:
        tiers = [lab.hint(env) for _ in range(4)]
        assert [t.split(" ", 2)[1] for t in tiers] == ["1/3", "2/3", "3/3", "3/3"]
        assert "inspect_dlq" in tiers[2]
    finally:
        env.teardown()
