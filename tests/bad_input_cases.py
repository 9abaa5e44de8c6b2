"""Bad input to the toolkits: each case, the error text it must get, and an inventory sweep.

Used by ``tests/platform/test_bad_input_toolkits.py`` (one table test per toolkit) and as a script
(``python tests/bad_input_cases.py``) that classifies every case as ``clear`` (a course
error naming the value, the rule and the fix), ``vague`` (a course error without one of
them), ``crash`` (any other exception), ``silent`` (accepted), plus ``half-created`` when a
resource was left behind. Run it against another checkout with ``PYTHONPATH``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True)
class Case:
    """One bad input: how to make the call, and text the error must contain."""

    toolkit: str
    id: str
    call: Callable[[Any, dict[str, Any]], Any]
    expect: str


def _sns(env: Any) -> dict[str, Any]:
    import helpers.sns as hs

    return {"topic": hs.create_topic(env, "status")}


def _events(env: Any) -> dict[str, Any]:
    import helpers.events as eb

    return {"bus": eb.create_bus(env, "shop")}


def _sfn(env: Any) -> dict[str, Any]:
    import helpers.stepfunctions as sf

    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    return {"machine": sf.create_state_machine(env, "noop", definition)}


def _kinesis(env: Any) -> dict[str, Any]:
    import helpers.kinesis as hk

    return {"stream": hk.create_stream(env, "clicks", shards=1)}


def _observability(env: Any) -> dict[str, Any]:
    return {"queue": env.client("sqs").create_queue(QueueName=env.name("orders"))["QueueUrl"]}


def _apigateway(env: Any) -> dict[str, Any]:
    from helpers.sqs import create_queue

    return {"queue": create_queue(env, "orders")}


def _environment(env: Any) -> dict[str, Any]:
    return {}


SETUP: dict[str, Callable[[Any], dict[str, Any]]] = {
    "sns": _sns, "events": _events, "stepfunctions": _sfn, "kinesis": _kinesis,
    "observability": _observability, "apigateway": _apigateway, "environment": _environment,
}


def _order(**extra: Any) -> dict[str, Any]:
    return {"order_id": "ord-00001", "customer_id": "cus-1", **extra}


def _publish(env: Any, ctx: dict[str, Any], events: Any, **options: Any) -> Any:
    import helpers.sns as hs

    return hs.publish_events(env, ctx["topic"], events, **options)


def _put_events(env: Any, detail: Any, **options: Any) -> Any:
    import helpers.events as eb

    return eb.publish(env, [eb.entry("OrderPlaced", detail)], **options)


def _rule(env: Any, pattern: Any, **options: Any) -> Any:
    import helpers.events as eb

    return eb.create_rule(env, "orders", pattern, **options)


def _start(env: Any, ctx: dict[str, Any], data: Any, name: Any) -> Any:
    import helpers.stepfunctions as sf

    return sf.start_execution(env, ctx["machine"], data, name=name)


def _records(env: Any, ctx: dict[str, Any], records: Any, **options: Any) -> Any:
    import helpers.kinesis as hk

    options.setdefault("key", lambda r: str(r.get("customer_id", "")))
    return hk.put_records(env, ctx["stream"], records, **options)


def _alarm(env: Any, **options: Any) -> Any:
    import helpers.observability as ob

    args = {"queue_name": env.name("orders"), "metric": "ApproximateNumberOfMessagesVisible",
            "threshold": 10, **options}
    return ob.put_queue_alarm(env, "backlog", **args)


def _metric(env: Any, namespace: Any = "SecureCart/Orders", value: Any = 1.0) -> Any:
    import helpers.observability as ob

    return ob.put_metric(env, namespace, "OrdersPlaced", value)


def _math(env: Any, expression: Any) -> Any:
    import helpers.observability as ob

    end = env.clock.now()
    queries = [ob.metric_query("m1", "NumberOfMessagesSent", env.name("orders"), return_data=False),
               {"Id": "e1", "Expression": expression, "Label": "bad"}]
    return ob.get_metrics(env, queries, end - dt.timedelta(minutes=10), end)


def _api(env: Any, queue: Any) -> Any:
    import helpers.apigateway as ag

    return ag.create_orders_api(env, queue)


def _connect(**options: Any) -> Any:
    import helpers

    env = helpers.connect(run="badinput", **{"quiet": True, **options})
    env.teardown(quiet=True)


CASES: list[Case] = [
    # -- helpers.sns --------------------------------------------------------------------
    Case("sns", "fifo name as a standard topic",
         lambda env, ctx: __import__("helpers.sns").sns.create_topic(env, "orders.fifo"),
         "quietly make a standard topic named 'orders'"),
    Case("sns", "topic name not a string",
         lambda env, ctx: __import__("helpers.sns").sns.create_topic(env, 5),
         "name=5: a topic's short name is a non-empty string"),
    Case("sns", "empty topic name",
         lambda env, ctx: __import__("helpers.sns").sns.create_topic(env, ""),
         "name='': a topic's short name"),
    Case("sns", "archive days negative",
         lambda env, ctx: __import__("helpers.sns").sns.create_topic(env, "o", fifo=True,
                                                                     archive_days=-1),
         "archive_days=-1"),
    Case("sns", "fifo flag a string",
         lambda env, ctx: __import__("helpers.sns").sns.create_topic(env, "o", fifo="yes"),
         "fifo='yes'"),
    Case("sns", "NaN amount", lambda env, ctx: _publish(env, ctx, [_order(amount=NAN)]),
         "amount=nan: the message body is the event as JSON, and JSON has no NaN"),
    Case("sns", "infinite amount", lambda env, ctx: _publish(env, ctx, [_order(amount=INF)]),
         "amount=inf"),
    Case("sns", "nested NaN", lambda env, ctx: _publish(env, ctx, [_order(lines=[{"q": NAN}])]),
         "lines.0.q=nan"),
    Case("sns", "event not a dict", lambda env, ctx: _publish(env, ctx, ["ord-1"]),
         "Event 0 is str, not a dict"),
    # -- helpers.events -----------------------------------------------------------------
    Case("events", "NaN total", lambda env, ctx: _put_events(env, {"total": NAN}),
         "total=nan: EventBridge's Detail is a JSON object (PutEvents), and JSON has no NaN"),
    Case("events", "infinite total", lambda env, ctx: _put_events(env, {"total": -INF}),
         "total=-inf"),
    Case("events", "negative max_resends",
         lambda env, ctx: _put_events(env, {"total": 1}, max_resends=-1),
         "max_resends=-1: the number of re-sends of an entry PutEvents failed is a whole number "
         "of at least 0"),
    Case("events", "max_resends a string",
         lambda env, ctx: _put_events(env, {"total": 1}, max_resends="3"), "max_resends='3'"),
    Case("events", "max_resends a float",
         lambda env, ctx: _put_events(env, {"total": 1}, max_resends=2.5), "max_resends=2.5"),
    Case("events", "rule state 'on'",
         lambda env, ctx: _rule(env, {"source": ["securecart.orders"]}, state="on"),
         "state='on': PutRule's State takes exactly one of 'ENABLED', 'DISABLED'"),
    Case("events", "rule state lower case",
         lambda env, ctx: _rule(env, {"source": ["securecart.orders"]}, state="enabled"),
         "Did you mean 'ENABLED'?"),
    Case("events", "NaN in a pattern",
         lambda env, ctx: _rule(env, {"detail": {"total": [{"numeric": [">", NAN]}]}}),
         "detail.total.0.numeric.1=nan"),
    Case("events", "pattern value not a list",
         lambda env, ctx: _rule(env, {"source": "securecart.orders"}), "source"),
    # -- helpers.stepfunctions ----------------------------------------------------------
    Case("stepfunctions", "execution name with a space",
         lambda env, ctx: _start(env, ctx, {}, "order 1"), "name='order 1' has its character ' '"),
    Case("stepfunctions", "execution name too long",
         lambda env, ctx: _start(env, ctx, {}, "x" * 81), "has 81 characters"),
    Case("stepfunctions", "execution name empty",
         lambda env, ctx: _start(env, ctx, {}, ""), "has 0 characters"),
    Case("stepfunctions", "execution name with a slash",
         lambda env, ctx: _start(env, ctx, {}, "a/b"), "character '/'"),
    Case("stepfunctions", "execution name not a string",
         lambda env, ctx: _start(env, ctx, {}, 7), "name=7 has a int"),
    Case("stepfunctions", "NaN in the input",
         lambda env, ctx: _start(env, ctx, {"amount": NAN}, "ok-1"),
         "amount=nan: an execution's input is JSON"),
    Case("stepfunctions", "input not JSON",
         lambda env, ctx: _start(env, ctx, {"when": dt.date(2026, 1, 1)}, "ok-2"),
         "cannot be written as JSON"),
    Case("stepfunctions", "definition missing its StartAt state",
         lambda env, ctx: __import__("helpers.stepfunctions").stepfunctions.create_state_machine(
             env, "broken", {"StartAt": "Nope", "States": {}}), "'States' should be non-empty"),
    # -- helpers.kinesis ----------------------------------------------------------------
    Case("kinesis", "negative retries",
         lambda env, ctx: _records(env, ctx, [_order()], retries=-1),
         "retries=-1: the number of re-sends of a throttled record is a whole number"),
    Case("kinesis", "retries NaN",
         lambda env, ctx: _records(env, ctx, [_order()], retries=NAN), "retries=nan"),
    Case("kinesis", "backoff NaN",
         lambda env, ctx: _records(env, ctx, [_order()], backoff=NAN), "backoff=nan"),
    Case("kinesis", "negative backoff",
         lambda env, ctx: _records(env, ctx, [_order()], backoff=-1), "backoff=-1"),
    Case("kinesis", "NaN in a record",
         lambda env, ctx: _records(env, ctx, [_order(price=NAN)]),
         "price=nan: a record's Data is the record as JSON"),
    Case("kinesis", "empty partition key",
         lambda env, ctx: _records(env, ctx, [_order(customer_id="")]), "Partition key ''"),
    Case("kinesis", "records not a list",
         lambda env, ctx: _records(env, ctx, "abc"), "records='abc'"),
    # -- helpers.observability ----------------------------------------------------------
    Case("observability", "NaN alarm threshold",
         lambda env, ctx: _alarm(env, threshold=NAN), "threshold=nan is not a finite number"),
    Case("observability", "infinite alarm threshold",
         lambda env, ctx: _alarm(env, threshold=INF), "threshold=inf"),
    Case("observability", "threshold a string",
         lambda env, ctx: _alarm(env, threshold="10"), "threshold='10' is a str"),
    Case("observability", "zero evaluation periods",
         lambda env, ctx: _alarm(env, evaluation_periods=0), "evaluation_periods=0"),
    Case("observability", "negative period",
         lambda env, ctx: _alarm(env, period=-60), "period=-60"),
    Case("observability", "M greater than N",
         lambda env, ctx: _alarm(env, datapoints_to_alarm=3), "datapoints_to_alarm=3"),
    Case("observability", "unknown missing-data treatment",
         lambda env, ctx: _alarm(env, treat_missing="Missing"), "treat_missing='Missing'"),
    Case("observability", "put_metric into AWS/SQS",
         lambda env, ctx: _metric(env, namespace="AWS/SQS"),
         "namespace='AWS/SQS': PutMetricData writes into your own namespace"),
    Case("observability", "NaN metric value", lambda env, ctx: _metric(env, value=NAN),
         "value=nan is not a finite number"),
    Case("observability", "metric value a string", lambda env, ctx: _metric(env, value="1"),
         "value='1' is a str"),
    Case("observability", "metric math 'm1 +'", lambda env, ctx: _math(env, "m1 +"),
         "Expression 'm1 +' (query 'e1') ends with an operator"),
    Case("observability", "metric math unbalanced", lambda env, ctx: _math(env, "SUM(m1"),
         "has unbalanced parentheses"),
    Case("observability", "metric math empty", lambda env, ctx: _math(env, " "), "is empty"),
    # -- helpers.apigateway -------------------------------------------------------------
    Case("apigateway", "queue None", lambda env, ctx: _api(env, None), "queue=None"),
    Case("apigateway", "queue a URL string", lambda env, ctx: _api(env, ctx["queue"].url),
         "needs its name and URL"),
    # -- found by probing every public function ----------------------------------------
    Case("kinesis", "zero shards",
         lambda env, ctx: __import__("helpers.kinesis").kinesis.create_stream(env, "s0", shards=0),
         "shards=0: CreateStream's ShardCount is a whole number of at least 1"),
    Case("kinesis", "NaN shards",
         lambda env, ctx: __import__("helpers.kinesis").kinesis.create_stream(env, "s1",
                                                                             shards=NAN),
         "shards=nan"),
    Case("events", "wait a negative time",
         lambda env, ctx: __import__("helpers.events").events.wait(env, -5), "seconds=-5"),
    Case("events", "wait NaN", lambda env, ctx: __import__("helpers.events").events.wait(env, NAN),
         "seconds=nan is not a finite number"),
    Case("events", "archive retention negative",
         lambda env, ctx: __import__("helpers.events").events.create_archive(
             env, ctx["bus"], "a", retention_days=-1), "retention_days=-1"),
    Case("events", "target retries negative",
         lambda env, ctx: __import__("helpers.events").events.target(
             env, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", max_retries=-1),
         "max_retries=-1: RetryPolicy.MaximumRetryAttempts is a whole number from 0 to 185"),
    Case("events", "target event age NaN",
         lambda env, ctx: __import__("helpers.events").events.target(
             env, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", max_age_seconds=NAN),
         "max_age_seconds=nan"),
    Case("events", "target event age too short",
         lambda env, ctx: __import__("helpers.events").events.target(
             env, "sqs", "arn:aws:sqs:us-east-1:123456789012:q", max_age_seconds=30),
         "from 60 to 86400"),
    Case("events", "detail not a dict",
         lambda env, ctx: __import__("helpers.events").events.entry("OrderPlaced", "x"),
         "detail='x': EventBridge's Detail is a JSON object"),
    Case("events", "entries None",
         lambda env, ctx: __import__("helpers.events").events.publish(env, None), "entries=None"),
    Case("events", "rule name empty",
         lambda env, ctx: __import__("helpers.events").events.create_rule(env, "", {"source": ["x"]}),
         "name='': a rule's short name"),
    Case("sns", "filter scope unknown",
         lambda env, ctx: __import__("helpers.sns").sns.subscribe_queue(env, ctx["topic"], "q",
                                                                        scope="Body"),
         "scope='Body': FilterPolicyScope takes exactly one of"),
    Case("sns", "NaN in a delivery policy",
         lambda env, ctx: __import__("helpers.sns").sns.subscribe_http(
             env, ctx["topic"], "http://127.0.0.1:9/x",
             delivery_policy={"healthyRetryPolicy": {"numRetries": NAN}}),
         "healthyRetryPolicy.numRetries=nan"),
    Case("sns", "bad e-mail address",
         lambda env, ctx: __import__("helpers.sns").sns.subscribe_email(env, ctx["topic"], "x"),
         "'x' is not an e-mail address"),
    Case("sns", "bad phone number",
         lambda env, ctx: __import__("helpers.sns").sns.subscribe_sms(env, ctx["topic"], "12"),
         "'12' is not a phone number in E.164 form"),
    Case("sns", "events not a list", lambda env, ctx: _publish(env, ctx, "abc"),
         "events='abc': publish_events takes a list"),
    Case("sns", "batch flag a string",
         lambda env, ctx: _publish(env, ctx, [_order()], batch="no"), "batch='no'"),
    Case("stepfunctions", "wait step zero",
         lambda env, ctx: __import__("helpers.stepfunctions").stepfunctions.wait_for_execution(
             env, "arn:aws:states:us-east-1:123456789012:execution:x:y", step=0), "step=0"),
    Case("observability", "metric name empty",
         lambda env, ctx: __import__("helpers.observability").observability.put_metric(
             env, "SecureCart/Orders", "", 1), "name='': a MetricName"),
    Case("observability", "metric unit unknown",
         lambda env, ctx: __import__("helpers.observability").observability.put_metric(
             env, "SecureCart/Orders", "n", 1, unit="Things"), "unit='Things'"),
    Case("observability", "alarm statistic unknown",
         lambda env, ctx: _alarm(env, statistic="Median"), "statistic='Median'"),
    Case("observability", "metrics window negative",
         lambda env, ctx: __import__("helpers.observability").observability.sqs_metrics(
             env, {"o": env.name("orders")}, minutes=-1), "minutes=-1"),
    Case("observability", "log groups a string",
         lambda env, ctx: __import__("helpers.observability").observability.filter_logs(env, "abc"),
         "groups='abc'"),
    # -- helpers.connect ----------------------------------------------------------------
    Case("environment", "seed a string", lambda env, ctx: _connect(seed="abc"),
         "seed='abc': the seed of every random choice"),
    Case("environment", "seed a float", lambda env, ctx: _connect(seed=4.2), "seed=4.2"),
    Case("environment", "quiet a string", lambda env, ctx: _connect(quiet="no"), "quiet='no'"),
]


def inventory(env: Any) -> dict[str, list[str]]:
    """Every resource the toolkits make, listed from the services themselves."""
    events = env.client("events")
    buses = sorted(b["Name"] for b in events.list_event_buses()["EventBuses"])
    rules = sorted(r["Name"] for b in buses for r in events.list_rules(EventBusName=b)["Rules"])
    return {
        "queues": sorted(env.client("sqs").list_queues().get("QueueUrls", [])),
        "topics": sorted(t["TopicArn"] for t in env.client("sns").list_topics()["Topics"]),
        "buses": buses, "rules": rules,
        "machines": sorted(m["name"] for m in
                           env.client("stepfunctions").list_state_machines()["stateMachines"]),
        "executions": sorted(
            e["name"] for m in env.client("stepfunctions").list_state_machines()["stateMachines"]
            for e in env.client("stepfunctions").list_executions(
                stateMachineArn=m["stateMachineArn"])["executions"]),
        "streams": sorted(env.client("kinesis").list_streams()["StreamNames"]),
        "rest_apis": sorted(a["name"] for a in env.client("apigateway").get_rest_apis()["items"]),
        "alarms": sorted(a["AlarmName"] for a in
                         env.client("cloudwatch").describe_alarms()["MetricAlarms"]),
        # AWS's own namespaces (AWS/Events, AWS/SQS) record what happened, not what a call made.
        "metrics": sorted(m["Namespace"] + "/" + m["MetricName"] for m in
                          env.client("cloudwatch").list_metrics()["Metrics"]
                          if not m["Namespace"].startswith("AWS/")),
    }


def classify(case: Case, env: Any, ctx: dict[str, Any]) -> tuple[str, str, bool]:
    """Run one case: (verdict, the error text, whether the inventory changed)."""
    from helpers.platform.errors import SecureCartError

    before = inventory(env)
    try:
        case.call(env, ctx)
    except SecureCartError as err:
        text = str(err)
        clear = case.expect in text and "Fix" in text
        verdict = "clear" if clear else "vague"
    except Exception as err:  # noqa: BLE001 - a crash is an outcome
        text, verdict = f"{type(err).__name__}: {err}", "crash"
    else:
        text, verdict = "", "silent"
    if env.closed:  # connect() succeeded and closed this environment: nothing to compare
        return verdict, text, False
    return verdict, text, inventory(env) != before


def main() -> None:
    """Classify every case on moto and print one JSON object."""
    import helpers

    results = {}
    for case in CASES:
        env = helpers.connect(run="badinput", quiet=True)
        try:
            ctx = SETUP[case.toolkit](env)
            verdict, text, changed = classify(case, env, ctx)
        finally:
            env.teardown(quiet=True)
        results[f"{case.toolkit}: {case.id}"] = {"verdict": verdict, "half-created": changed,
                                                 "text": text[:300]}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
    sys.exit(0)
