"""Notebook 06 · Lambda on the payments queue: a Powertools handler that flags suspicious
payments (amount, velocity per card) and publishes them to the security topic.

Example
-------
>>> import helpers
>>> from helpers.orchestration.fraud import FraudDetection
>>> env = helpers.connect(quiet=True)
>>> fraud = FraudDetection.deploy(env)
>>> result = fraud.experiment(payments=20)
>>> result.flagged_orders() == sorted(result.expected)
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

from ..sqs.queues import create_queue
from ..stepfunctions import deploy_function

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["FraudDetection", "FraudResult", "make_handler", "AMOUNT_LIMIT", "VELOCITY_LIMIT",
           "VELOCITY_WINDOW_SECONDS"]

#: A payment above this amount (USD) is suspicious.
AMOUNT_LIMIT = 2_000
#: More than this many payments on one card within the window is suspicious.
VELOCITY_LIMIT = 3
#: The velocity window, in seconds.
VELOCITY_WINDOW_SECONDS = 60


def make_handler(env: Environment, topic_arn: str, seen: dict[str, list[float]],
                 batches: list[int]) -> Any:
    """The Lambda handler: Powertools BatchProcessor with partial batch responses."""
    logger = Logger(service="fraud-detector", level="ERROR")
    tracer = Tracer(service="fraud-detector", disabled=True)  # no X-Ray daemon here
    processor = BatchProcessor(event_type=EventType.SQS)
    sns = env.client("sns")

    def reasons(payment: dict) -> list[str]:
        now = env.clock.time()
        times = [t for t in seen[payment["card"]] if now - t < VELOCITY_WINDOW_SECONDS] + [now]
        seen[payment["card"]] = times
        out = []
        if payment["amount"] > AMOUNT_LIMIT:
            out.append(f"amount {payment['amount']:.2f} > {AMOUNT_LIMIT}")
        if len(times) > VELOCITY_LIMIT:
            out.append(f"{len(times)} payments on card {payment['card']} in {VELOCITY_WINDOW_SECONDS} s")
        return out

    @tracer.capture_method
    def record_handler(record: Any) -> None:
        payment = json.loads(record.body)  # a malformed body raises: reported as a failure
        found = reasons(payment)
        if found:
            sns.publish(TopicArn=topic_arn, Subject="Suspicious payment",
                        Message=json.dumps({"order_id": payment["order_id"], "reasons": found}))

    @logger.inject_lambda_context
    def handler(event: dict, context: Any) -> dict:
        batches.append(len(event["Records"]))
        return process_partial_response(event=event, record_handler=record_handler,
                                        processor=processor, context=context)

    return handler


@dataclass
class FraudResult:
    """What one run showed: batch sizes, alerts on the security topic, the DLQ."""

    batches: list[int]
    alerts: list[dict]
    dlq: int
    expected: set[str] = field(default_factory=set)

    def flagged_orders(self) -> list[str]:
        """Order ids of the alerts, sorted."""
        return sorted(a["order_id"] for a in self.alerts)

    def __repr__(self) -> str:
        lines = [f"Lambda invocations: {len(self.batches)} (batch sizes {self.batches}; emulated on moto)",
                 f"alerts on the security topic: {len(self.alerts)}"]
        lines += [f"  {a['order_id']}: {'; '.join(a['reasons'])}" for a in self.alerts]
        lines.append(f"malformed payments in the DLQ: {self.dlq}")
        return "\n".join(lines)


#: Receives before a payment goes to the DLQ: at least 5 behind Lambda (Lambda developer guide,
#: "Using Lambda with Amazon SQS": "set the maxReceiveCount on the source queue's redrive policy
#: to at least 5").
MAX_RECEIVE_COUNT = 5


@dataclass
class FraudDetection:
    """The payments queue (with DLQ), the security topic (-> a queue), the function and its
    event source mapping (batch 10, 2-s batching window, partial batch responses)."""

    env: Environment
    queue: Any
    topic_arn: str
    alerts_url: str
    batches: list[int]
    seen: dict[str, list[float]]
    function_arn: str = ""

    @classmethod
    def deploy(cls, env: Environment, *, name: str = "fraud", connect: bool = True) -> FraudDetection:
        """Create everything with plain boto3 where it is new to this notebook.

        The payments queue's ``maxReceiveCount`` is 5, the Lambda developer guide's advice for a
        queue behind Lambda (a batch that fails for its neighbours' sake still has retries).
        ``connect=False`` leaves out the event source mapping, for the notebook to create.
        """
        queue = create_queue(env, f"{name}-payments", max_receive_count=MAX_RECEIVE_COUNT,
                             visibility_timeout=10)
        sns = env.client("sns")
        topic = sns.create_topic(Name=f"{name}-security-alerts")["TopicArn"]
        alerts = create_queue(env, f"{name}-security-inbox", dlq=False)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=alerts.arn,
                      Attributes={"RawMessageDelivery": "true"})
        seen: dict[str, list[float]] = defaultdict(list)
        batches: list[int] = []
        arn = deploy_function(env, f"{name}-detector", make_handler(env, topic, seen, batches))
        if connect:
            env.client("lambda").create_event_source_mapping(
                EventSourceArn=queue.arn, FunctionName=arn, BatchSize=10,
                MaximumBatchingWindowInSeconds=2, FunctionResponseTypes=["ReportBatchItemFailures"])
        return cls(env, queue, topic, alerts.url, batches, seen, arn)

    def experiment(self, payments: int = 40) -> FraudResult:
        """Send seeded payments (a few large, one card used 5 times in 20 s, one malformed),
        let a minute pass, read the security inbox and the DLQ."""
        rng = self.env.random(f"fraud-{payments}")
        sqs = self.env.client("sqs")
        expected = set()
        for i in range(payments):
            card = "card-4242" if i in (3, 7, 11, 15, 19) else f"card-{rng.randrange(1000, 9999)}"
            amount = 2_500.0 if i in (5, 13) else round(rng.uniform(5, 300), 2)
            order = {"order_id": f"ord-{i + 1:05d}", "card": card, "amount": amount}
            if amount > AMOUNT_LIMIT or i in (15, 19):
                expected.add(order["order_id"])
            body = "{not json" if i == 9 else json.dumps(order)
            sqs.send_message(QueueUrl=self.queue.url, MessageBody=body)
            self.env.sleep(1)
        self.env.sleep(60)
        alerts = []
        while got := sqs.receive_message(QueueUrl=self.alerts_url, MaxNumberOfMessages=10).get("Messages", []):
            for m in got:
                alerts.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=self.alerts_url, ReceiptHandle=m["ReceiptHandle"])
        alerts.sort(key=lambda a: a["order_id"])
        dlq = int(sqs.get_queue_attributes(QueueUrl=self.queue.dlq_url, AttributeNames=[
            "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
        return FraudResult(list(self.batches), alerts, dlq, expected)
