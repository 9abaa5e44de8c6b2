"""Lab 3 section 7: the Classic bus and the Custom Event Bus side by side, and exercise 4.

:func:`experiment_side_by_side` publishes the same per-customer order events to a Custom Event
Bus - Classic (a rule, an SQS queue target) and to a Custom Event Bus (a FIFO subscriber, an SQS
FIFO queue, the customer as event group) while both targets are down for
:data:`OUTAGE_SECONDS` (the fault scenario, emulated on moto), then reads both queues: the
Classic target's retries land out of order, the FIFO subscriber holds each customer's later
events behind the one being retried. :func:`check_ordered_subscriber` runs the Custom half of it
with a student's subscriber settings.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> run = experiment_side_by_side(env, customers=2, steps=3)
>>> run.in_order("custom"), run.lost("custom")
(2, 0)
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from botocore.exceptions import ClientError, ParamValidationError

from ..course.checks import Exercise, Hints, Verdict
from ..emulation.events.delivery import Fault
from ..events import custom_bus as cb
from ..events import queue_arn
from ..platform.errors import InvalidParameterError
from ..platform.plotting import new_figure
from .common import MODULE
from .common import lab_book as _book
from .common import next_run as _next_run

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

__all__ = ["OUTAGE_SECONDS", "STEP_SECONDS", "SECTION_SETTINGS", "SideBySide", "experiment_side_by_side",
           "check_ordered_subscriber", "EXERCISE_4", "ANSWER_4"]

#: Seconds both targets are down, starting with the first event (the fault scenario).
OUTAGE_SECONDS = 120
#: Seconds between two steps of one customer's order.
STEP_SECONDS = 10
_STEPS = ("placed", "paid", "packed", "shipped", "delivered")

#: The section's subscriber: FIFO, retrying long enough for the outage (defaults: 5 / 300 s).
SECTION_SETTINGS = {"Type": "FIFO", "RetryPolicy": {"MaxRetryAttempts": 185, "MaxEventAgeInSeconds": 3600}}
#: Exercise 4's answer (the hint's third tier says it too).
ANSWER_4 = {"Type": "FIFO", "RetryPolicy": {"MaxRetryAttempts": 20, "MaxEventAgeInSeconds": 900}}
EXERCISE_4 = Exercise("exercise 4", "an ordered subscriber that outlasts the outage", Hints(
    concept="Order is a property of the subscriber, per event group; and a subscriber gives up "
            "after 5 retries or 300 s by default (Classic: 185 attempts, 24 h): the retries must "
            f"outlast a {OUTAGE_SECONDS}-s outage.",
    api='CreateSubscriber takes Type ("FIFO" or "UNORDERED") and RetryPolicy {"MaxRetryAttempts": '
        '0-185, "MaxEventAgeInSeconds": 60-86400}; retries back off, doubling to a minute.',
    answer=json.dumps(ANSWER_4)), module=MODULE)


@dataclass
class SideBySide:
    """What each consumer received: one row per message, in arrival order, per bus."""

    frame: pd.DataFrame
    published: int
    customers: list[str] = field(default_factory=list)

    def arrivals(self, bus: str) -> pd.DataFrame:
        return self.frame[self.frame.bus == bus]

    def in_order(self, bus: str) -> int:
        """Customers whose steps arrived in the order they happened (none missing)."""
        rows = self.arrivals(bus)
        return sum(list(rows[rows.customer == c].step) == sorted(rows[rows.customer == c].step)
                   for c in self.customers if (rows.customer == c).any())

    def lost(self, bus: str) -> int:
        """Published events that never reached the consumer (dropped or in a failure queue)."""
        return self.published - self.arrivals(bus).drop_duplicates(["customer", "step"]).shape[0]

    @property
    def table(self) -> pd.DataFrame:
        """Per bus: customers in order, events lost, duplicates delivered."""
        rows = []
        for bus, label in (("classic", "Classic: rule -> queue"),
                           ("custom", "Custom: FIFO subscriber -> FIFO queue")):
            got = self.arrivals(bus)
            rows.append({"bus": label, "customers in order": f"{self.in_order(bus)} of {len(self.customers)}",
                         "events lost": self.lost(bus),
                         "duplicates": int(got.duplicated(["customer", "step"]).sum())})
        return pd.DataFrame(rows).set_index("bus")

    def figure(self, ax: Any = None) -> Figure:
        """Each customer's steps in arrival order, Classic beside Custom (a rising line is in order);
        ``ax``: two axes to draw into."""
        fig, axes = new_figure(ax, size=(11, 3.8), ncols=2)
        for axis, bus, title in zip(axes, ("classic", "custom"),
                                    ("Classic: rule target (unordered)", "Custom: FIFO subscriber"), strict=True):
            got = self.arrivals(bus)
            for index, customer in enumerate(self.customers):
                mine = got[got.customer == customer]
                # A small vertical offset per customer, so identical (in-order) lines stay visible.
                offset = (index - (len(self.customers) - 1) / 2) * 0.08
                axis.plot(range(1, len(mine) + 1), mine.step + offset, marker="o", label=customer)
            axis.set_title(title)
            axis.set_xticks(range(1, len(_STEPS) + 1))
            axis.set_xlabel("arrival at the consumer (nth message of this customer)")
            axis.set_yticks(range(1, len(_STEPS) + 1), [f"{i} {s}" for i, s in enumerate(_STEPS, 1)])
        axes[0].set_ylabel("order step")
        axes[1].legend(title="customer (lines offset)", loc="lower right", fontsize="small")
        fig.suptitle(f"Per-customer order under a {OUTAGE_SECONDS}-s target outage (emulated on moto)")
        return fig


def _entries(customers: list[str], steps: int) -> list[tuple[float, str, int]]:
    return [(step * STEP_SECONDS + i, c, step + 1) for step in range(steps) for i, c in enumerate(customers)]


def _drain(env: Environment, url: str, bus: str) -> list[dict[str, Any]]:
    sqs, rows = env.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for m in messages:
            detail = json.loads(m["Body"])["detail"]
            rows.append({"bus": bus, "customer": detail["customer"], "step": detail["step"]})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return rows


def _custom_half(env: Environment, name: str, settings: dict[str, Any], t0: float) -> tuple[str, str]:
    """A Custom Event Bus with a subscriber (``settings``) to a FIFO queue; (bus ARN, queue URL)."""
    sqs = env.client("sqs")
    url = sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    bus = cb.create_custom_bus(env, name)
    env.client("eventbridgev2").create_subscriber(
        Name=name, EventBusArn=bus, InvokeConfiguration={"RoleArn": cb.role_arn(env), "TargetArn": queue_arn(env, url)},
        **settings)
    env.emulation["events"].delivery.faults.append(Fault(queue_arn(env, url), t0, t0 + OUTAGE_SECONDS))
    return bus, url


def experiment_side_by_side(env: Environment, customers: int = 4, steps: int = 5,
                            settings: dict[str, Any] | None = None) -> SideBySide:
    """Publish ``customers`` x ``steps`` order events to both buses under the same outage."""
    if not env.local:
        raise InvalidParameterError("The side-by-side outage injects faults on moto only (emulated on moto).")
    from ..events import add_targets, create_bus, create_rule, target

    run, names = _next_run(env), [f"cus-{i:03d}" for i in range(1, customers + 1)]
    t0 = env.clock.elapsed()
    classic_url = env.client("sqs").create_queue(QueueName=f"classic-orders-{run}")["QueueUrl"]
    classic_bus = create_bus(env, f"classic-orders-{run}")
    rule = create_rule(env, f"orders-{run}", {"source": [cb.SOURCE]}, classic_bus)
    add_targets(env, rule, [target(env, "sqs", queue_arn(env, classic_url))])
    env.emulation["events"].delivery.faults.append(Fault(queue_arn(env, classic_url), t0, t0 + OUTAGE_SECONDS))
    bus, custom_url = _custom_half(env, f"custom-orders-{run}", settings or SECTION_SETTINGS, t0)
    events = env.client("events")
    for at, customer, step in _entries(names, steps):
        env.sleep(max(0.0, t0 + at - env.clock.elapsed()))
        entry = cb.order_event(customer, step)
        events.put_events(Entries=[{"Source": entry["Source"], "DetailType": entry["DetailType"],
                                    "Detail": entry["Detail"], "EventBusName": classic_bus.name}])
        cb.publish_v2(env, bus, [entry, entry])  # a producer's retry: answered DEDUPLICATED
    env.emulation["events"].advance(OUTAGE_SECONDS + 600)
    rows = _drain(env, classic_url, "classic") + _drain(env, custom_url, "custom")
    return SideBySide(pd.DataFrame(rows, columns=["bus", "customer", "step"]), len(names) * steps, names)


def check_ordered_subscriber(env: Environment, settings: Any) -> Verdict:
    """Exercise 4: with ``settings`` (CreateSubscriber's Type, RetryPolicy...), does every
    customer's order reach the FIFO queue complete and in order through the outage?"""
    ex, book = EXERCISE_4, _book(env)
    if settings is None:
        return ex.fail(book, "missing", "ORDERED_SUBSCRIBER is still None: write the subscriber's settings.",
                       counts=False)
    if not isinstance(settings, dict):
        return ex.fail(book, "not-a-dict", f"ORDERED_SUBSCRIBER is a {type(settings).__name__}: write a dict "
                       'of CreateSubscriber keyword arguments, e.g. {"Type": ...}.')
    try:
        # the check's buses, subscriber and queues go when it ends (5 Custom Event Buses per
        # account: a sixth check would be refused)
        with env.resources.scratch(env.client):
            run = experiment_side_by_side(env, customers=3, steps=5, settings=settings)
    except ClientError as error:
        return ex.fail(book, "refused", f"CreateSubscriber refused it: {error.response['Error']['Message']}")
    except (ParamValidationError, TypeError) as error:
        return ex.fail(book, "refused", f"boto3 refused it before sending: {str(error).splitlines()[-1]}")
    custom, total = run.arrivals("custom"), len(run.customers)
    if run.lost("custom"):
        return ex.fail(book, "gave-up", f"{run.lost('custom')} of {run.published} events never reached the queue: "
                       f"the subscriber stopped retrying before the {OUTAGE_SECONDS}-s outage ended.")
    if run.in_order("custom") < total:
        return ex.fail(book, "unordered", f"only {run.in_order('custom')} of {total} customers got their steps "
                       "in order: later events overtook the one being retried.")
    if custom.duplicated(["customer", "step"]).any():
        return ex.fail(book, "duplicates", "a step arrived twice: publish with a DeduplicationId.")
    return ex.ok(book, f"all {run.published} events arrived, each of the {total} customers in order, none twice.")
