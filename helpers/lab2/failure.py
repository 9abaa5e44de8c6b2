"""Lab 2 experiments 6-8: a secure subscription, a failing webhook with its DLQ, replay."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..emulation.sns.delivery import AWS_MANAGED_PHASES, retry_delays
from ..sns.dlq import peek_subscription_dlq, redrive_subscription_dlq
from ..sns.plots import plot_deliveries_over_time, plot_fanout_latency, plot_retry_timeline
from ..sns.policies import PolicyReport, check_queue_policy
from ..sns.publisher import publish_events
from ..sns.subscriptions import subscribe_http
from ..sns.webhook import Webhook
from ..sqs.plumbing import drain
from .common import fresh_name, fresh_queue_subscription, fresh_topic, labels_of, status_events

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

__all__ = ["SecureResult", "experiment_secure", "FailureResult", "experiment_failure",
           "ReplayResult", "experiment_replay", "WEBHOOK_DELIVERY_POLICY", "sqs_schedule"]

#: The support webhook's delivery policy: 5 retries, 10 s growing to 60 s.
WEBHOOK_DELIVERY_POLICY = {"healthyRetryPolicy": {
    "numRetries": 5, "numNoDelayRetries": 0, "minDelayTarget": 10, "maxDelayTarget": 60,
    "numMinDelayRetries": 0, "numMaxDelayRetries": 0, "backoffFunction": "exponential"}}


def sqs_schedule() -> pd.DataFrame:
    """SNS's retry phases for SQS and Lambda endpoints: attempts and seconds in each."""
    rows, first = [], True
    for phase, count, low, high in AWS_MANAGED_PHASES:
        attempts = count + (1 if first else 0)
        rows.append({"phase": phase, "attempts": attempts,
                     "delay between": f"{low:g} s" if low == high else f"{low:g}-{high:g} s"})
        first = False
    total = 1 + sum(1 for _ in retry_delays("sqs"))
    days = sum(retry_delays("sqs")) / 86_400
    rows.append({"phase": "total", "attempts": total, "delay between": f"{days:.1f} days"})
    return pd.DataFrame(rows)


@dataclass(repr=False)
class SecureResult:
    """Experiment 6: the queue policy, what AWS would decide, and what moto did."""

    policy: dict[str, Any]
    own_topic: PolicyReport
    other_topic: PolicyReport
    moto_delivered_from_other: int

    def __repr__(self) -> str:
        return "\n".join([
            "From the subscribed topic:", f"  {self.own_topic!r}".replace("\n", "\n  "),
            "From another topic (subscribed to the same queue):",
            f"  {self.other_topic!r}".replace("\n", "\n  "),
            f"delivered from the other topic: {self.moto_delivered_from_other} messages (the queue "
            "policy refused it, as AWS does; emulated on moto, where moto alone delivers it)."])


def experiment_secure(env: Environment) -> SecureResult:
    """Check the alerts queue's policy against its topic and against another topic."""
    topic = fresh_topic(env, "payments-secure")
    other = fresh_topic(env, "marketing")
    sub = fresh_queue_subscription(env, topic, "security-alerts-secure", raw=True)
    sqs, sns = env.client("sqs"), env.client("sns")
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=sub.queue_url, AttributeNames=["Policy"])[
        "Attributes"]["Policy"])
    sns.subscribe(TopicArn=other.arn, Protocol="sqs", Endpoint=sub.endpoint,
                  Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=other.arn, Message='{"offer": "20% off"}')
    got = drain(env, sub.queue_url, actor="security")
    return SecureResult(policy, check_queue_policy(policy, queue_arn=sub.endpoint,
                                                   topic_arn=topic.arn),
                        check_queue_policy(policy, queue_arn=sub.endpoint, topic_arn=other.arn),
                        len(got))


@dataclass(repr=False)
class FailureResult:
    """Experiment 7: a short outage (retries succeed), a long one (DLQ), the fix, the redrive."""

    published: int
    recovered_after: dict[str, int]
    attempts_each: int
    in_dlq: int
    dlq_table: pd.DataFrame
    redriven: dict[str, int]
    processed: int
    span_seconds: float
    frame: pd.DataFrame = field(repr=False)
    labels: dict[str, str] = field(repr=False, default_factory=dict)

    def __repr__(self) -> str:
        lost = 2 * self.published - self.processed
        recovered = ", ".join(f"{k} after {v} attempts" for k, v in self.recovered_after.items())
        return (f"Short outage (30 s): {self.published} updates delivered by retries ({recovered}); "
                f"the support queue got each at once\n"
                f"Long outage: {self.published} updates, {self.attempts_each} attempts each over "
                f"{self.span_seconds:.0f} s (1 + 5 retries, 10 s -> 60 s), then the subscription "
                f"DLQ: {self.in_dlq} messages\n"
                f"After the fix: {self.redriven['redriven']} delivered from the DLQ by the reprocessor; "
                f"the webhook processed "
                f"{self.processed} of {2 * self.published} updates, {lost} lost")

    def figure(self) -> Figure:
        """Every delivery attempt to the webhook, and the moves to the DLQ."""
        return plot_retry_timeline(self.frame, "support-webhook", labels=self.labels)

    def latency_figure(self) -> Figure:
        """Seconds from publish to delivery: the queue at once, the webhook after retries."""
        return plot_fanout_latency(self.frame, labels=self.labels)

    def timeline_figure(self) -> Figure:
        """Deliveries per subscriber over the clock."""
        return plot_deliveries_over_time(self.frame, labels=self.labels)


def _reprocess(env: Environment, sub: Any, reprocessor: Any) -> dict[str, int]:
    """Run the student's ``reprocessor(dlq_url, endpoint)``; log each message it took out."""
    before = peek_subscription_dlq(env, sub)["sns_message_id"].tolist()
    done = int(reprocessor(sub.dlq_url, sub.endpoint) or 0)
    if env.clock.simulated:
        env.clock.advance(0.001)  # a message left in the DLQ is visible again once time moves
    left = set(peek_subscription_dlq(env, sub)["sns_message_id"])
    for message_id in before:
        if message_id not in left:
            env.log.record(service="sns", action="redrive", resource=sub.label,
                           message_id=message_id, detail="your reprocessor")
    return {"redriven": done, "still_failing": len(left)}


def experiment_failure(env: Environment, updates: int = 3, *,
                       reprocessor: Any = None, long_outage_seconds: float | None = None) -> FailureResult:
    """The support webhook fails twice: 30 s (retries win), then 10 minutes (DLQ, fix, redrive).

    ``reprocessor(dlq_url, endpoint)`` delivers the DLQ's messages after the fix and returns how
    many (SNS has no redrive); default :func:`helpers.sns.redrive_subscription_dlq`. The long
    outage lasts ``long_outage_seconds``: 600, in the short scenario 200 (the delivery policy's
    retries are spent after about 150 s either way; the rest is waiting).
    """
    long_outage_seconds = env.sized(long_outage_seconds, full=600.0, short=200.0)
    topic = fresh_topic(env, "support-updates")
    queue = fresh_queue_subscription(env, topic, "support-queue", raw=True)
    hook = Webhook(status=503)
    try:
        sub = subscribe_http(env, topic, hook.url, label="support-webhook",
                             delivery_policy=WEBHOOK_DELIVERY_POLICY,
                             dlq_name=fresh_name(env, "support-webhook-dlq", "queue"))
        hook.confirm(env)
        labels = {hook.url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]: "support-webhook",
                  **labels_of(queue)}
        events = status_events(updates)
        mark = env.log.mark()
        publish_events(env, topic, events[:updates], batch=False)
        env.sleep(30)
        hook.status = 200
        env.sleep(120)
        short = env.log.to_frame(mark)
        ok = short[(short["action"] == "deliver") & short["outcome"].astype(str).str.startswith(
            "ok after")]
        recovered = {str(e["order_id"]): int(a) for e, a in zip(events[:updates], ok["attempt"],
                                                                  strict=False)}
        hook.status = 503
        long_mark = env.log.mark()
        publish_events(env, topic, events[updates:2 * updates], batch=False)
        env.sleep(long_outage_seconds)
        long = env.log.to_frame(long_mark)
        attempts = long[(long["action"] == "deliver") & (long["resource"] != queue.endpoint.rsplit(
            ":", 1)[-1])]
        per = attempts.groupby("message_id").size()
        span = float(attempts["time"].max() - attempts["time"].min()) if len(attempts) else 0.0
        table = peek_subscription_dlq(env, sub)
        hook.status = 200
        redriven = (_reprocess(env, sub, reprocessor) if reprocessor is not None
                    else redrive_subscription_dlq(env, sub))
        processed = len(hook.notifications())
        drain(env, queue.queue_url, actor="support")
        frame = env.log.to_frame(mark)
    finally:
        hook.close()
    table = table.assign(order_id=[json.loads(m)["order_id"] for m in table["message"]],
                         status=[json.loads(m)["status"] for m in table["message"]])
    return FailureResult(updates, recovered, int(per.max()) if len(per) else 0, len(table),
                         table[["order_id", "status"]], redriven, processed, span,
                         frame=frame, labels=labels)


@dataclass(repr=False)
class ReplayResult:
    """Experiment 8: yesterday's order events replayed to a new analytics subscriber."""

    archived: int
    live_before: int
    replayed: int
    in_order: bool
    statuses: dict[str, list[str]]
    #: Clock seconds between the publishes and the new subscriber (a day; a minute when short).
    later_seconds: float = 86_400.0

    def __repr__(self) -> str:
        day = self.later_seconds >= 86_400
        when, now = ("yesterday", "today") if day else (f"{self.later_seconds:g} s earlier", "now")
        return (f"{self.archived} order events published {when} and archived by the FIFO topic\n"
                f"A new analytics subscriber {now}: {self.live_before} messages before the replay, "
                f"{self.replayed} after it (each order in order: {self.in_order}; "
                "archive and replay emulated on moto)")


def experiment_replay(env: Environment, orders: int = 4, *,
                      later_seconds: float | None = None) -> ReplayResult:
    """Archive a day of order events; a subscriber created a day later replays them.

    ``later_seconds`` after the publishes the subscriber is created: a day, a minute in the
    short scenario (the archive replays the same events; only the wait is shorter).
    """
    later_seconds = env.sized(later_seconds, full=86_400.0, short=60.0)
    topic = fresh_topic(env, "order-events", fifo=True, archive_days=7)
    start = env.clock.now()
    events = status_events(orders)
    publish_events(env, topic, events)
    env.sleep(later_seconds)
    sub = fresh_queue_subscription(env, topic, "analytics-replay", raw=True)
    before = drain(env, sub.queue_url, actor="analytics")
    env.client("sns").set_subscription_attributes(
        SubscriptionArn=sub.arn, AttributeName="ReplayPolicy", AttributeValue=json.dumps({
            "PointType": "Timestamp", "StartingPoint": start.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    got = drain(env, sub.queue_url, actor="analytics")
    statuses: dict[str, list[str]] = {}
    for event in got:
        statuses.setdefault(event["order_id"], []).append(event["status"])
    in_order = all(s == ["created", "paid", "shipped"] for s in statuses.values())
    return ReplayResult(len(events), len(before), len(got), in_order, statuses, later_seconds)
