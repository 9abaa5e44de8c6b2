"""What the design costs: the request counts the grader measured, priced with AWS's published
per-request prices and scaled to a month.

Prices are US East (N. Virginia) on-demand list prices, without the free tier, as published on
each service's pricing page (checked 5 December 2026). Each is one named constant with its source;
AWS changes prices, so read the page before quoting one.

Example
-------
>>> round(SQS_STANDARD_PER_MILLION * 2, 2)
0.8
"""

from __future__ import annotations

from typing import Any

from .engine import DayRecord

__all__ = ["SQS_STANDARD_PER_MILLION", "SQS_FIFO_PER_MILLION", "SNS_PUBLISH_PER_MILLION",
           "EVENTBRIDGE_CUSTOM_EVENTS_PER_MILLION", "EVENTBRIDGE_CROSS_ACCOUNT_PER_MILLION",
           "LAMBDA_REQUESTS_PER_MILLION", "LAMBDA_GB_SECOND", "SFN_STANDARD_PER_THOUSAND_TRANSITIONS",
           "SFN_EXPRESS_PER_MILLION", "SFN_EXPRESS_GB_SECOND", "CLOUDWATCH_ALARM_PER_MONTH",
           "PRICES_CHECKED", "price", "what_if", "monthly_factor"]

#: When the prices below were read from AWS's pricing pages.
PRICES_CHECKED = "2026-12-05"
#: SQS standard queue requests, USD per million (aws.amazon.com/sqs/pricing; each 64 KB
#: chunk of a payload is one request; SNS and EventBridge deliveries into a queue are requests).
SQS_STANDARD_PER_MILLION = 0.40
#: SQS FIFO queue requests, USD per million (aws.amazon.com/sqs/pricing).
SQS_FIFO_PER_MILLION = 0.50
#: SNS publishes, USD per million (aws.amazon.com/sns/pricing; deliveries to SQS and Lambda
#: are not charged by SNS).
SNS_PUBLISH_PER_MILLION = 0.50
#: EventBridge custom events published, USD per million 64 KB chunks
#: (aws.amazon.com/eventbridge/pricing).
EVENTBRIDGE_CUSTOM_EVENTS_PER_MILLION = 1.00
#: EventBridge deliveries of custom events to another account, USD per million
#: (aws.amazon.com/eventbridge/pricing, effective 1 January 2025).
EVENTBRIDGE_CROSS_ACCOUNT_PER_MILLION = 0.05
#: Lambda requests, USD per million (aws.amazon.com/lambda/pricing).
LAMBDA_REQUESTS_PER_MILLION = 0.20
#: Lambda duration, USD per GB-second on x86 (aws.amazon.com/lambda/pricing).
LAMBDA_GB_SECOND = 0.0000166667
#: Step Functions Standard workflows, USD per 1,000 state transitions
#: (aws.amazon.com/step-functions/pricing).
SFN_STANDARD_PER_THOUSAND_TRANSITIONS = 0.025
#: Step Functions Express workflows, USD per million requests (executions started)
#: (aws.amazon.com/step-functions/pricing).
SFN_EXPRESS_PER_MILLION = 1.00
#: Step Functions Express duration, USD per GB-second for the first 1,000 hours
#: (aws.amazon.com/step-functions/pricing; billed at 64 MB minimum, 100 ms increments).
SFN_EXPRESS_GB_SECOND = 0.00001667
#: A standard-resolution CloudWatch metric alarm, USD per alarm-month (aws.amazon.com/cloudwatch/pricing).
CLOUDWATCH_ALARM_PER_MONTH = 0.10
_EXPRESS_SECONDS = 1.0  # an Express fulfillment run: three short Lambda tasks
_EXPRESS_GB = 0.064
_DAYS = 30


def monthly_factor(rec: DayRecord, monthly_orders: int) -> float:
    """How many of this day make ``monthly_orders`` orders."""
    return monthly_orders / max(1, len(rec.orders))


def _sqs_requests(rec: DayRecord, kind: str, factor: float, batch: bool = True,
                  long_poll: bool = True) -> float:
    """A month of requests: traffic scales with orders; idle polls with time (they are made
    whether orders come or not)."""
    r = rec.requests
    received = r[kind, "messages received"]
    receives = r[kind, "ReceiveMessage"] if batch else received
    deletes = r[kind, "DeleteMessageBatch"] if batch else received
    empty = r[kind, "ReceiveMessage (empty)"] * (1 if long_poll else 20)
    return (r[kind, "SendMessage"] + receives + deletes) * factor + empty * _DAYS * 86_400 / max(rec.end, 1)


def _lines(rec: DayRecord, factor: float, *, batch: bool = True, long_poll: bool = True,
           filtered: bool = True, express: bool = False) -> list[tuple[str, float, str, float]]:
    r = rec.requests
    extra = 0 if filtered else r["sns", "deliveries filtered out"]
    out = [(name, n, "requests", n * unit_price) for name, n, unit_price in (
        ("SQS standard", _sqs_requests(rec, "sqs-standard", factor, batch, long_poll) + 3 * extra * factor,
         SQS_STANDARD_PER_MILLION / 1e6),
        ("SQS FIFO", _sqs_requests(rec, "sqs-fifo", factor, batch, long_poll), SQS_FIFO_PER_MILLION / 1e6))
        if n]
    lines = [
        ("SNS", r["sns", "Publish"], "publishes", SNS_PUBLISH_PER_MILLION / 1e6),
        ("EventBridge", r["events", "PutEvents"], "custom events", EVENTBRIDGE_CUSTOM_EVENTS_PER_MILLION / 1e6),
        ("EventBridge cross-account", r["events", "cross-account deliveries"], "deliveries",
         EVENTBRIDGE_CROSS_ACCOUNT_PER_MILLION / 1e6),
        ("Lambda requests", r["lambda", "Invoke"] + extra, "invocations", LAMBDA_REQUESTS_PER_MILLION / 1e6),
        ("Lambda duration", r["lambda", "GB-seconds"], "GB-seconds", LAMBDA_GB_SECOND),
    ]
    runs = r["states-standard", "executions"] + r["states-express", "executions"]
    transitions = r["states-standard", "transitions"] + r["states-express", "transitions"]
    if runs and not express:
        lines.append(("Step Functions Standard", transitions, "state transitions",
                      SFN_STANDARD_PER_THOUSAND_TRANSITIONS / 1e3))
    elif runs:
        lines.append(("Step Functions Express", runs, "executions", SFN_EXPRESS_PER_MILLION / 1e6))
        lines.append(("Step Functions Express duration", runs * _EXPRESS_SECONDS * _EXPRESS_GB,
                      "GB-seconds", SFN_EXPRESS_GB_SECOND))
    out += [(name, n * factor, unit, n * factor * unit_price) for name, n, unit, unit_price in lines if n]
    alarms = len(rec.design.alarms)
    if alarms:
        out.append(("CloudWatch alarms", alarms, "alarms", alarms * CLOUDWATCH_ALARM_PER_MONTH))
    return out


def price(rec: DayRecord, monthly_orders: int = 1_000_000, **options: Any) -> Any:
    """The month's bill for the design, one row per priced item (a pandas table).

    ``options`` turn the levers of :func:`what_if` (``batch``, ``long_poll``, ``filtered``,
    ``express``).
    """
    import pandas as pd
    factor = monthly_factor(rec, monthly_orders)
    rows = _lines(rec, factor, **options)
    table = pd.DataFrame(rows, columns=["item", "per month", "unit", "USD per month"])
    table["per month"] = table["per month"].round(0).astype("int64")
    table["USD per month"] = table["USD per month"].round(2)
    return table


def what_if(rec: DayRecord, monthly_orders: int = 1_000_000) -> Any:
    """The monthly total as measured, and with each lever turned the other way."""
    import pandas as pd
    factor = monthly_factor(rec, monthly_orders)
    base = sum(row[3] for row in _lines(rec, factor))
    cases = [("as designed (batches of 10, long polling, filter policies)", {}),
             ("no batching (one message per receive and delete)", {"batch": False}),
             ("short polling once a second instead of 20-s long polls", {"long_poll": False}),
             ("no filter policies (every subscriber gets every event)", {"filtered": False})]
    if rec.requests["states-standard", "executions"] or rec.requests["states-express", "executions"]:
        cases.append(("Express instead of Standard workflows", {"express": True}))
    rows = []
    for label, opts in cases:
        total = sum(row[3] for row in _lines(rec, factor, **opts))
        rows.append((label, round(total, 2), f"{total - base:+.2f}"))
    return pd.DataFrame(rows, columns=[f"{monthly_orders:,} orders a month", "USD per month", "change"])
