"""Lab 3 sections 5-6: audit events to the security account; a target outage, the DLQ and replay.

Example
-------
>>> import helpers
>>> from helpers.lab3 import build_shop
>>> env = helpers.connect(quiet=True)
>>> shop = build_shop(env)
>>> view = experiment_audit(env, shop)
>>> view.received, view.third_account_error
(3, 'AccessDeniedException')
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import events as eb
from ..emulation.events.delivery import Fault
from ..platform.errors import InvalidParameterError
from ..sqs.plumbing import drain
from .workflow import Shop

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["AUDIT_PATTERN", "AuditView", "experiment_audit", "FailureRun", "experiment_failure",
           "OUTAGE_SECONDS", "security_setup"]

#: The forwarding rule's pattern (exercise 3 writes it).
AUDIT_PATTERN = {"detail-type": [{"prefix": "Audit"}]}
#: The restock target's outage in section 6, in seconds of clock time.
OUTAGE_SECONDS = 600


@dataclass
class AuditView:
    """What the security account saw, and what the third account was told."""

    sent: int
    received: int
    types: list[str]
    accounts: list[str]
    third_account_error: str
    policy_principals: list[str]
    bus: eb.Bus | None = None

    def __repr__(self) -> str:
        return (f"security account {eb.SECURITY_ACCOUNT}: {self.received} of {self.sent} audit events in its "
                f"queue ({', '.join(self.types)}) from account(s) {', '.join(self.accounts)}; bus policy "
                f"allows {', '.join(self.policy_principals)}; account {eb.OTHER_ACCOUNT} refused "
                f"({self.third_account_error})")


def security_setup(env: Environment) -> tuple[Any, eb.Bus, str]:
    """The security account's bus (policy allows SecureCart's account), its rule and its queue."""
    events = eb.client_in_account(env, eb.SECURITY_ACCOUNT, "events")
    sqs = eb.client_in_account(env, eb.SECURITY_ACCOUNT, "sqs")
    bus = eb.create_bus(env, "security", client=events)
    eb.allow_account(env, bus, env.account, client=events)
    url = sqs.create_queue(QueueName="audit-log")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all-audit", EventBusName=bus.name, EventPattern=json.dumps({"account": [env.account]}))
    events.put_targets(Rule="all-audit", EventBusName=bus.name, Targets=[{"Id": "audit-log", "Arn": arn}])
    return sqs, bus, url


def forward_audit(env: Environment, shop: Shop, pattern: dict[str, Any], security_bus: eb.Bus) -> eb.Rule:
    """The rule on the shop bus that forwards ``pattern``'s events to the security bus."""
    rule = eb.create_rule(env, "audit-to-security", pattern, shop.bus)
    eb.add_targets(env, rule, [eb.target(env, "bus", security_bus.arn, id="security-bus")])
    return rule


def _audit_entries(shop: Shop) -> list[dict[str, Any]]:
    return [
        eb.entry("AuditLogin", {"user": "admin", "ok": True}, shop.bus, source="securecart.audit"),
        eb.entry("AuditRefundApproved", {"order_id": "ord-00007", "by": "ops"}, shop.bus, source="securecart.audit"),
        eb.entry("AuditPolicyChanged", {"policy": "refunds", "by": "admin"}, shop.bus, source="securecart.audit"),
        eb.entry("OrderPlaced", {"order_id": "ord-00008", "total": 20.0}, shop.bus),
    ]


def experiment_audit(env: Environment, shop: Shop, pattern: dict[str, Any] | None = None) -> AuditView:
    """Forward Audit* events to the security account; read its queue there; try a third account."""
    sqs, bus, url = security_setup(env)
    forward_audit(env, shop, pattern or AUDIT_PATTERN, bus)
    entries = _audit_entries(shop)
    eb.publish(env, entries)
    bodies = []
    for _ in range(3):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        bodies += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    third = eb.client_in_account(env, eb.OTHER_ACCOUNT, "events")
    answer = third.put_events(Entries=[{**eb.entry("AuditLogin", {"user": "intruder"}, bus.arn),
                                        "EventBusName": bus.arn}])
    policy = eb.bus_policy(env, bus, eb.client_in_account(env, eb.SECURITY_ACCOUNT, "events"))
    principals = sorted({str(s["Principal"].get("AWS", s["Principal"])).rsplit(":", 2)[-2]
                         if "arn:" in str(s["Principal"]) else str(s["Principal"])
                         for s in policy["Statement"]})
    return AuditView(sum(e["DetailType"].startswith("Audit") for e in entries), len(bodies),
                     sorted(b["detail-type"] for b in bodies), sorted({b["account"] for b in bodies}),
                     answer["Entries"][0].get("ErrorCode", "accepted"), principals, bus)


@dataclass
class FailureRun:
    """Section 6: what the outage did and what the replay recovered.

    ``dlq_table`` lists the DLQ's messages (still in the DLQ: the experiment reads them without
    hiding them); ``processed`` counts, per SKU, the messages the restock consumer received
    after the replay, so ``processed_twice`` is 0 when the recovery chose one way only.
    """

    published: int
    delivered_first_try: int
    delivered_after_retry: int
    in_dlq: int
    replayed: int
    dlq_attributes: dict[str, str]
    frame: pd.DataFrame
    dlq_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    processed: dict[str, int] = field(default_factory=dict)

    @property
    def processed_twice(self) -> int:
        """How many events the restock consumer received more than once."""
        return sum(count > 1 for count in self.processed.values())

    def invariant(self) -> str:
        """The nothing-lost line: published = delivered (first try + after a retry) + DLQ, DLQ replayed."""
        reached = self.delivered_first_try + self.delivered_after_retry + self.replayed
        lost = self.published - reached
        mark = "✔" if lost == 0 else "✘"
        return (f"{mark} {self.published} InventoryLow published = {self.delivered_first_try} delivered at once "
                f"+ {self.delivered_after_retry} after retries + {self.in_dlq} parked in the DLQ and replayed "
                f"from the archive ({self.replayed}); {lost} lost; "
                f"{len(self.processed)} processed by the restock consumer, {self.processed_twice} twice")

    def __repr__(self) -> str:
        return self.invariant()

    def figure(self, ax: Any = None) -> Any:
        """Failed attempts, late deliveries and DLQ arrivals over time."""
        return eb.plots.retries_and_dlq(self.frame, ax=ax)


def experiment_failure(env: Environment, shop: Shop, *, max_age_seconds: int = 300, events: int = 12) -> FailureRun:
    """The restock queue is down for 10 minutes while InventoryLow events arrive (one a minute)."""
    if env.emulation.get("events") is None:
        raise InvalidParameterError("The outage scenario injects faults on moto only (emulated on moto).")
    events_client = env.client("events")
    archive = eb.create_archive(env, shop.bus, "inventory-archive", {"detail-type": ["InventoryLow"]})
    rule = shop.rules["inventory-low"]
    eb.add_targets(env, rule, [eb.target(env, "sqs", shop.restock_arn, id="restock-queue", dlq_arn=shop.dlq_arn,
                                         max_age_seconds=max_age_seconds)])
    events_client.remove_targets(Rule=rule.name, EventBusName=rule.bus, Ids=["restock-workflow"])
    delivery = env.emulation["events"].delivery
    sqs = env.client("sqs")
    drain(env, shop.restock_url, actor="restock")  # section 2's messages: processed before the outage
    mark = env.log.mark()
    t0 = env.clock.elapsed() + 60
    delivery.faults.append(Fault(shop.restock_url.rsplit("/", 1)[-1], t0, t0 + OUTAGE_SECONDS))
    for i in range(events):
        eb.publish(env, [eb.entry("InventoryLow", {"sku": f"SKU-{i + 1:04d}", "stock": 2, "restock_threshold": 5},
                                  shop.bus)])
        eb.wait(env, 60)
    eb.wait(env, 900)
    frame = env.log.to_frame(since=mark)
    deliveries = frame[(frame.action == "deliver") & (frame.resource == shop.restock_url.rsplit("/", 1)[-1])]
    # VisibilityTimeout 0: a look at the DLQ that leaves its messages there for the student to see
    dlq = sqs.receive_message(QueueUrl=shop.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                              VisibilityTimeout=0).get("Messages", [])
    attributes = {k: v["StringValue"] for k, v in (dlq[0]["MessageAttributes"] if dlq else {}).items()}
    times = sorted(json.loads(m["Body"])["time"] for m in dlq)
    before = len(deliveries)
    if times:
        first = dt.datetime.strptime(times[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        last = dt.datetime.strptime(times[-1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        # replays cannot be deleted: a kernel that reruns this on the server backend (whose moto
        # state outlives an environment) needs a fresh name
        done = events_client.list_replays(NamePrefix=env.name("after-outage", "events")).get("Replays", [])
        eb.replay(env, archive, shop.bus, first, last + dt.timedelta(seconds=1),
                  "after-outage" + (f"-{len(done) + 1}" if done else ""))
    frame = env.log.to_frame(since=mark)
    deliveries = frame[(frame.action == "deliver") & (frame.resource == shop.restock_url.rsplit("/", 1)[-1])]
    processed = Counter(body["detail"]["sku"] for body in drain(env, shop.restock_url, actor="restock"))
    return FailureRun(events, int((deliveries.attempt[:before] == 1).sum()), int((deliveries.attempt[:before] > 1).sum()),
                      len(dlq), len(deliveries) - before, attributes, frame, _dlq_table(dlq), dict(sorted(processed.items())))


def _dlq_table(messages: list[dict]) -> pd.DataFrame:
    """One row per DLQ message: the event's SKU and time, and why EventBridge gave up."""
    keys = ("ERROR_CODE", "EXHAUSTED_RETRY_CONDITION")
    bodies = [json.loads(m["Body"]) for m in messages]
    rows = [{"sku": body["detail"]["sku"], "event time": body["time"][11:19],
             **{k: m.get("MessageAttributes", {}).get(k, {}).get("StringValue") for k in keys}}
            for body, m in zip(bodies, messages, strict=True)]
    return pd.DataFrame(rows, columns=["sku", "event time", *keys]).sort_values("event time").set_index("sku")
