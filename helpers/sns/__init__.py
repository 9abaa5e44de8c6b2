"""Lab 2 runtime: SNS topics, subscriptions, filters, publishing, outbox, DLQs and plots.

One module per concept (the same kind of set as :mod:`helpers.sqs`, whose queues it uses):

``topics``         create standard and FIFO topics (content-based dedup, message archive)
``subscriptions``  queues (least-privilege policy, raw delivery, subscription DLQ, filters),
                   e-mail, SMS, webhooks (delivery policy), Lambda functions
``policies``       the queue policy SNS needs, and the course's check of one
``filters``        validate a filter policy in AWS's words; preview what it lets through
``publisher``      publish events with attributes (type, status, amount, region), FIFO ids
``lambdas``        a Python handler as a Lambda function (moto cannot run Lambda without Docker)
``outbox``         what e-mail/SMS/Lambda subscribers were sent on moto (emulated)
``webhook``        a loopback HTTP endpoint to break and fix
``dlq``            peek into and redrive a subscription's dead-letter queue
``plots``          delivery matrix, deliveries over time, fan-out latency, retry timeline
``types``          the SNS event a Lambda subscriber receives

Example
-------
>>> import helpers
>>> from helpers.sns import create_topic, subscribe_queue, publish_events
>>> from helpers.sqs import drain
>>> env = helpers.connect(quiet=True)
>>> topic = create_topic(env, "payments")
>>> alerts = subscribe_queue(env, topic, "security-alerts", raw=True,
...                          filter_policy={"status": ["failed"]})
>>> events = [{"type": "Payment", "order_id": f"ord-{i}", "status": s, "amount": 10.0}
...           for i, s in enumerate(["paid", "failed", "paid"])]
>>> publish_events(env, topic, events)
published 3 events in 1 calls, 0 failed
>>> [e["order_id"] for e in drain(env, alerts.queue_url, actor="security")]
['ord-1']
>>> _ = env.teardown()
"""

from __future__ import annotations

from .dlq import peek_subscription_dlq, redrive_subscription_dlq
from .filters import combinations, matches, to_sns_attributes, validate_filter_policy
from .lambdas import create_function
from .outbox import AWS_DELIVERY_NOTE, outbox
from .plots import (
    delivery_matrix,
    plot_deliveries_over_time,
    plot_delivery_matrix,
    plot_fanout_latency,
    plot_retry_timeline,
)
from .policies import PolicyReport, check_queue_policy, queue_policy
from .publisher import (
    PublishReport,
    attributes_from_event,
    build_message,
    publish_event,
    publish_events,
)
from .subscriptions import (
    Subscription,
    subscribe_email,
    subscribe_http,
    subscribe_lambda,
    subscribe_queue,
    subscribe_sms,
)
from .topics import Topic, create_topic, delete_topic, require_topic
from .types import PublishedMessage, SNSEvent, SNSMessage, SNSRecord
from .webhook import Webhook

__all__ = [
    "Topic", "create_topic", "delete_topic", "require_topic",
    "Subscription", "subscribe_queue", "subscribe_email", "subscribe_sms", "subscribe_http",
    "subscribe_lambda",
    "queue_policy", "check_queue_policy", "PolicyReport",
    "validate_filter_policy", "matches", "combinations", "to_sns_attributes",
    "attributes_from_event", "build_message", "publish_event", "publish_events", "PublishReport",
    "create_function", "outbox", "AWS_DELIVERY_NOTE", "Webhook",
    "peek_subscription_dlq", "redrive_subscription_dlq",
    "delivery_matrix", "plot_delivery_matrix", "plot_deliveries_over_time",
    "plot_fanout_latency", "plot_retry_timeline",
    "SNSEvent", "SNSRecord", "SNSMessage", "PublishedMessage",
]
