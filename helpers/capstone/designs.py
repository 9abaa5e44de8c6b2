"""Building blocks of a design, the instructor's three right designs and the wrong ones.

The blocks are the plain boto3 calls a student writes in notebook 08, gathered so the
designs below (and the tests' catalogue of wrong designs) stay short: :func:`deploy_function`
creates a Lambda function whose Python handler runs on moto (emulated on moto) with its
destination in the ``EVENTS_ARN`` environment variable; :func:`service_queue` a queue with its
DLQ and an alarm on the DLQ; :func:`consume` an event source mapping.

Right designs: :func:`sns_fanout` (choreography over one SNS topic), :func:`eventbridge_routing`
(choreography over an EventBridge bus) and :func:`stepfunctions_fulfillment` (an EventBridge
rule starts a Step Functions workflow that orchestrates fulfillment). Each takes knobs whose
defaults are right; the catalogue :data:`WRONG_DESIGNS` turns one knob each.

Example
-------
>>> sorted(RIGHT_DESIGNS)
['eventbridge', 'sns', 'stepfunctions']
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from .services import (
    COURSE_HANDLERS,
    CUSTOMER_EVENTS,
    STATUS_EVENTS,
    checkout_solution,
    payments_not_idempotent,
    payments_solution,
)

__all__ = ["SECURITY_ACCOUNT", "deploy_function", "service_queue", "consume", "dlq_alarm",
           "orders_front", "sns_fanout", "eventbridge_routing", "stepfunctions_fulfillment",
           "RIGHT_DESIGNS", "WRONG_DESIGNS", "NEEDS", "checkout_per_order"]

#: The security team's account, where audit copies go (a cross-account target).
SECURITY_ACCOUNT = "222222222222"
#: Lambda timeout of the course's functions, seconds.
FUNCTION_TIMEOUT = 30
#: AWS: set the queue's visibility timeout to at least 6 times the function's timeout.
VISIBILITY = 6 * FUNCTION_TIMEOUT

#: What each downstream service needs: (event types it consumes, SNS filter on ``type``).
NEEDS = {
    "inventory": ("PaymentSucceeded",), "shipping": ("InventoryReserved",),
    "refunds": ("OutOfStock",), "notifications": CUSTOMER_EVENTS, "analytics": STATUS_EVENTS,
    "support": ("PaymentFailed", "OrderRefunded"), "security": ("PaymentFailed",),
    "restock": ("InventoryLow",),
}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    raise NotImplementedError\n")
    return buffer.getvalue()


def _role(env: Any) -> str:
    iam = env.client("iam")
    name = env.name("capstone-role")[:64]
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def deploy_function(env: Any, name: str, handler: Any, *, events_arn: str | None = None,
                    timeout: int = FUNCTION_TIMEOUT, dlq_arn: str | None = None) -> str:
    """Create (or update) Lambda function ``name`` running ``handler``; its ARN.

    ``events_arn`` is where the handler's ``publish`` sends (its ``EVENTS_ARN`` variable);
    ``dlq_arn`` the function's DLQ for failed asynchronous invocations.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> deploy_function(env, "payments", payments_solution).endswith(env.name("payments"))
    True
    >>> _ = env.teardown()
    """
    lam = env.client("lambda")
    full = env.name(name)
    config: dict[str, Any] = {"Timeout": timeout,
                              "Environment": {"Variables": {"EVENTS_ARN": events_arn} if events_arn else {}}}
    config["DeadLetterConfig"] = {"TargetArn": dlq_arn} if dlq_arn else {}
    try:
        arn = lam.get_function(FunctionName=full)["Configuration"]["FunctionArn"]
        lam.update_function_configuration(FunctionName=full, **config)
    except lam.exceptions.ResourceNotFoundException:
        arn = lam.create_function(FunctionName=full, Runtime="python3.12", Role=_role(env),
                                  Handler="handler.handler", Code={"ZipFile": _zip()}, **config)["FunctionArn"]
    if env.local:
        env.emulation["lambda"].register(full, handler)
    return arn


def _arn(env: Any, url: str) -> str:
    return env.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def dlq_alarm(env: Any, queue_name: str) -> None:
    """An alarm when ``queue_name`` (a DLQ) holds any message."""
    env.client("cloudwatch").put_metric_alarm(
        AlarmName=env.name(queue_name.replace(".", "-") + "-not-empty"), Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": env.prefix + queue_name}], Statistic="Maximum",
        Period=60, EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold")


def service_queue(env: Any, name: str, *, fifo: bool = False, dlq: bool = True,
                  max_receives: int = 5, visibility: int = VISIBILITY, alarm: bool = True) -> str:
    """Create queue ``name`` (and ``name-dlq`` with an alarm); the queue's ARN."""
    sqs = env.client("sqs")
    suffix = ".fifo" if fifo else ""
    base = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    attrs = {**base, "VisibilityTimeout": str(visibility)}
    if dlq:
        dlq_url = sqs.create_queue(QueueName=env.name(f"{name}-dlq") + suffix, Attributes={
            **base, "MessageRetentionPeriod": "1209600"})["QueueUrl"]
        attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": _arn(env, dlq_url),
                                             "maxReceiveCount": str(max_receives)})
        if alarm:
            dlq_alarm(env, f"{name}-dlq{suffix}")
    return _arn(env, sqs.create_queue(QueueName=env.name(name) + suffix, Attributes=attrs)["QueueUrl"])


def consume(env: Any, queue_arn: str, function: str, *, batch_size: int = 10,
            report_failures: bool = True) -> None:
    """An event source mapping: Lambda polls ``queue_arn`` and invokes ``function`` (once:
    running it again leaves the existing mapping, since two would compete for messages)."""
    lam = env.client("lambda")
    existing = lam.list_event_source_mappings(EventSourceArn=queue_arn,
                                              FunctionName=env.name(function))["EventSourceMappings"]
    if existing:
        return
    lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=env.name(function), BatchSize=batch_size,
        FunctionResponseTypes=["ReportBatchItemFailures"] if report_failures else [])


def checkout_per_order(order: dict, context: Any = None) -> dict:
    """A wrong checkout: one FIFO group per order, so a customer's orders interleave."""
    from .runtime import publish
    publish("OrderPlaced", order, group=order["order_id"], dedup=order["order_id"])
    return {"statusCode": 202}


def orders_front(env: Any, *, payments: Any = payments_solution, checkout: Any = checkout_solution,
                 fifo: bool = True, dlq: bool = True, max_receives: int = 5,
                 visibility: int = VISIBILITY, report_failures: bool = True, alarm: bool = True,
                 sync: bool = False, events_arn: str | None = None) -> str:
    """Step 1: checkout queues orders in front of payments; the orders queue's ARN."""
    orders = service_queue(env, "orders", fifo=fifo, dlq=dlq, max_receives=max_receives,
                           visibility=visibility, alarm=alarm)
    pay = deploy_function(env, "payments", payments, events_arn=events_arn)
    deploy_function(env, "checkout", checkout, events_arn=pay if sync else orders)
    if not sync:
        consume(env, orders, "payments", report_failures=report_failures)
    return orders


def _services(env: Any, events_arn: str, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Deploy the course's services publishing to ``events_arn``; name -> ARN."""
    return {name: deploy_function(env, name, handler, events_arn=events_arn)
            for name, handler in COURSE_HANDLERS.items() if name not in skip}


def sns_fanout(env: Any, *, shared_queue: tuple[str, ...] = (), unfiltered: tuple[str, ...] = (),
               direct: tuple[str, ...] = (), audit: bool = True, **front: Any) -> None:
    """Right design 1: every service publishes to topic ``events``; one queue per subscriber.

    Knobs (wrong when set): ``shared_queue`` services read one queue; ``unfiltered`` services
    subscribe with no filter policy; ``direct`` services are subscribed as Lambda functions
    (no queue, no DLQ); ``audit=False`` sends no copy to the security account.
    """
    sns = env.client("sns")
    topic = sns.create_topic(Name=env.name("events"))["TopicArn"]
    orders_front(env, events_arn=topic, **front)
    fns = _services(env, topic, skip=("audit",))
    shared = service_queue(env, "status") if shared_queue else None
    for name, kinds in NEEDS.items():
        policy = None if name in unfiltered else json.dumps({"type": list(kinds)})
        attrs = {"RawMessageDelivery": "true", **({"FilterPolicy": policy} if policy else {})}
        if name in direct:
            sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fns[name],
                          Attributes={"FilterPolicy": policy} if policy else {})
            continue
        queue = shared if name in shared_queue else service_queue(env, name)
        if name in shared_queue:
            attrs.pop("FilterPolicy", None)
            attrs["FilterPolicy"] = json.dumps({"type": sorted({k for n in shared_queue for k in NEEDS[n]})})
            if name != shared_queue[0]:
                consume(env, queue, name)
                continue
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes=attrs)
        consume(env, queue, name)
    if audit:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{env.region}:"
                      f"{SECURITY_ACCOUNT}:securecart-audit", Attributes={"RawMessageDelivery": "true"})


def _bus(env: Any) -> str:
    events = env.client("events")
    return events.create_event_bus(Name=env.name("securecart"))["EventBusArn"]


def _rule(env: Any, bus: str, name: str, pattern: dict, targets: list[dict]) -> None:
    events = env.client("events")
    events.put_rule(Name=env.name(name), EventBusName=bus.rsplit("/", 1)[-1],
                    EventPattern=json.dumps(pattern))
    events.put_targets(Rule=env.name(name), EventBusName=bus.rsplit("/", 1)[-1], Targets=targets)


def eventbridge_routing(env: Any, *, direct: tuple[str, ...] = (), broad: tuple[str, ...] = (),
                        audit: bool = True, orchestrate: bool = False, **front: Any) -> str:
    """Right design 2: services put events on bus ``securecart``; a rule per consumer to its queue.

    Knobs (wrong when set): ``direct`` consumers are rule targets as Lambda functions (no queue,
    no DLQ); ``broad`` consumers' rules match every SecureCart event; ``audit=False`` no
    cross-account copy. Returns the bus ARN.
    """
    bus = _bus(env)
    orders_front(env, events_arn=bus, **front)
    fns = _services(env, bus, skip=("audit",))
    for name, kinds in NEEDS.items():
        if orchestrate and name in ("inventory", "shipping", "refunds"):
            continue
        pattern = {"source": [{"prefix": "securecart."}]} if name in broad else {"detail-type": list(kinds)}
        if name in direct:
            target = {"Id": name, "Arn": fns[name]}
        else:
            queue = service_queue(env, name)
            consume(env, queue, name)
            target = {"Id": name, "Arn": queue, "DeadLetterConfig": {"Arn": queue}}
            target["DeadLetterConfig"]["Arn"] = queue.replace(env.name(name), env.name(f"{name}-dlq"))
        _rule(env, bus, f"to-{name}", pattern, [target])
    if audit:
        _rule(env, bus, "to-audit", {"source": [{"prefix": "securecart."}]},
              [{"Id": "audit", "Arn": f"arn:aws:events:{env.region}:{SECURITY_ACCOUNT}:event-bus/audit"}])
    return bus


def _task(function_arn: str, nxt: str | None, retry: bool = True) -> dict:
    state: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                             "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                             "OutputPath": "$.Payload"}
    if retry:
        state["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3,
                           "BackoffRate": 2.0}]
    state.update({"Next": nxt} if nxt else {"End": True})
    return state


def stepfunctions_fulfillment(env: Any, *, machine_type: str = "STANDARD", **knobs: Any) -> str:
    """Right design 3: a rule on ``PaymentSucceeded`` starts workflow ``fulfillment``
    (reserve -> in stock? -> ship, else refund); notifications and the rest as in design 2."""
    bus = eventbridge_routing(env, orchestrate=True, **knobs)
    lam = env.client("lambda")
    arn = {n: lam.get_function(FunctionName=env.name(n))["Configuration"]["FunctionArn"]
           for n in ("inventory", "shipping", "refunds")}
    definition = {"Comment": "SecureCart fulfillment", "StartAt": "Reserve", "States": {
        "Reserve": {**_task(arn["inventory"], "InStock?"), "InputPath": "$.detail"},
        "InStock?": {"Type": "Choice", "Choices": [{"Variable": "$.reserved", "BooleanEquals": True,
                                                    "Next": "Ship"}], "Default": "Refund"},
        "Ship": _task(arn["shipping"], None), "Refund": _task(arn["refunds"], None)}}
    sfn = env.client("stepfunctions")
    machine = sfn.create_state_machine(name=env.name("fulfillment"), definition=json.dumps(definition),
                                       roleArn=_role(env).replace(":role/", ":role/"), type=machine_type)
    _rule(env, bus, "to-fulfillment", {"detail-type": ["PaymentSucceeded"]},
          [{"Id": "fulfillment", "Arn": machine["stateMachineArn"], "RoleArn": _role(env)}])
    return machine["stateMachineArn"]


RIGHT_DESIGNS = {"sns": sns_fanout, "eventbridge": eventbridge_routing,
                 "stepfunctions": stepfunctions_fulfillment}

#: Plausible wrong designs: (builder, knobs, the requirement key it breaks, the cause key).
WRONG_DESIGNS: dict[str, tuple[Any, dict, str, str]] = {
    "synchronous checkout": (sns_fanout, {"sync": True}, "checkout", "sync-call"),
    "two consumers on one queue": (sns_fanout, {"shared_queue": ("notifications", "analytics")},
                                   "fanout", "competing-consumers"),
    "standard queue for payments": (sns_fanout, {"fifo": False}, "order", "standard-queue"),
    "FIFO group per order": (sns_fanout, {"checkout": checkout_per_order}, "order", "group-per-order"),
    "no DLQ on orders": (sns_fanout, {"dlq": False}, "lost", "no-dlq"),
    "visibility below processing": (sns_fanout, {"visibility": 20}, "inflight", "short-visibility"),
    "payments not idempotent": (sns_fanout, {"payments": payments_not_idempotent}, "twice",
                                "not-idempotent"),
    "maxReceiveCount of 1": (sns_fanout, {"max_receives": 1}, "dlq-only-poison", "max-receive-low"),
    "security filter too broad": (sns_fanout, {"unfiltered": ("security",)}, "security", "broad-filter"),
    "subscription without queue or DLQ": (sns_fanout, {"direct": ("notifications",)}, "notify",
                                          "async-no-dlq"),
    "DLQ without alarm": (sns_fanout, {"alarm": False}, "alarms", "missing-alarm"),
    "EventBridge target without queue or DLQ": (eventbridge_routing, {"direct": ("notifications",)},
                                                "notify", "async-no-dlq"),
    "restock rule too broad": (eventbridge_routing, {"broad": ("restock",)}, "restock", "broad-rule"),
    "no audit copy": (eventbridge_routing, {"audit": False}, "audit", "no-audit"),
    "partial batch failures ignored": (sns_fanout, {"report_failures": False}, "lost",
                                       "partial-failures-ignored"),
}
