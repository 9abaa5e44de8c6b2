"""The grader's day: SecureCart's traffic run through a discovered design, on a simulated clock.

The day is a discrete-event model of the AWS semantics of the resources the student created
(emulated on moto; the smoke day of :mod:`helpers.capstone.smoke` sends real traffic through
them): SQS visibility timeouts, receive counts and redrive to the DLQ, FIFO groups and
5-minute deduplication, at-least-once duplicates and best-effort order on standard queues;
SNS filter policies (the course's SNS matcher) and raw delivery; EventBridge patterns (the
course's EventBridge matcher); Lambda event source mappings with batches and partial batch
responses; asynchronous invocations with Lambda's two retries then the function's DLQ; Step
Functions Task/Choice/Retry/Catch. The student's registered handlers run for every invocation.
Time never waits on the wall clock: a day of 86,400 s runs in seconds.

Example
-------
>>> from helpers.capstone.discovery import Design
>>> rec = Day(Design("x-", "123456789012"), [], seed=1).run()
>>> rec.accepted
0
"""

from __future__ import annotations

import hashlib
import heapq
import json
import random
from collections import Counter, defaultdict
from typing import Any

from ..emulation.awslambda import LambdaContext
from ..rules.filter_policies import matches as sns_matches
from ..rules.patterns import compile_pattern
from ..rules.patterns import matches as event_matches
from .chaos import Chaos
from .discovery import Design, Function
from .invocation import Invocation
from .record import DayRecord, _Msg
from .runtime import bound
from .services import COURSE_HANDLERS
from .traffic import DAY_SECONDS, POISON_ORDER, Shop
from .workflows import Workflows

__all__ = ["Day", "DayRecord", "FIFO_DEDUP_SECONDS", "ASYNC_RETRY_DELAYS", "DRAIN_SECONDS"]

#: SQS FIFO deduplication interval (SQS developer guide).
FIFO_DEDUP_SECONDS = 300.0
#: Lambda's asynchronous invocation retries: two more attempts, about 1 and 2 minutes apart.
ASYNC_RETRY_DELAYS = (60.0, 120.0)
#: After the last order, how long the day keeps running so queues can drain.
DRAIN_SECONDS = 3_600.0
#: Lambda starts this many concurrent batches per SQS event source mapping.
POLLERS = 5
#: Which of the monolith's remaining functions handle an event a service emits with no
#: destination yet (the strangler fig: what is not carved out still runs in the monolith).
LEGACY_ROUTES = {
    "PaymentSucceeded": ("inventory", "analytics"),
    "PaymentFailed": ("notifications", "analytics", "support", "security"),
    "InventoryReserved": ("shipping",), "OutOfStock": ("refunds",),
    "OrderShipped": ("notifications", "analytics"),
    "OrderRefunded": ("notifications", "analytics", "support"),
    "InventoryLow": ("restock",),
}
_PROCESS = {"payments": (1.0, 3.0), "checkout": (0.02, 0.05)}


class Day(Workflows):
    """One day of traffic through ``design`` under ``chaos``; :meth:`run` returns a :class:`DayRecord`."""

    def __init__(self, design: Design, orders: list[dict], *, chaos: Chaos | None = None,
                 seed: int = 7, shop: Shop | None = None, seconds: float = DAY_SECONDS) -> None:
        shop = shop or Shop.for_orders(len(orders))
        self.design, self.chaos, self.shop = design, chaos or Chaos(), shop
        self.orders = orders
        self.rng = random.Random(f"capstone-engine:{seed}")
        self.seconds = seconds
        self.rec = DayRecord(design, chaos=self.chaos)
        self.heap: list[tuple[float, int, Any, tuple]] = []
        self.n = 0
        self.stock = {f"sku-{k + 1:02d}": shop.stock for k in range(shop.products)}
        self.idem: dict[str, dict[str, float]] = defaultdict(dict)
        self.queues = {q.arn: [] for q in design.queues.values()}
        self.by_arn = {q.arn: q for q in design.queues.values()}
        self.dedup: dict[str, dict[str, float]] = defaultdict(dict)
        self.poll_at: dict[str, float] = {}
        self.slots: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.rr: Counter = Counter()
        self.restarted = False
        self.ids = 0
        self.t = 0.0
        self.last_proc = 0.0
        self.sync_extra = 0.0
        self.legacy_fns: dict[str, Function] = {}
        self.requests_made = 0
        fns = {f.arn: f for f in design.functions.values()}
        self.functions = fns
        self.mappings = defaultdict(list)
        for m in design.mappings:
            if m.enabled and m.function in design.functions:
                self.mappings[m.queue_arn].append(m)
        for arn, ms in self.mappings.items():
            self.rec.consumers[design.name(arn)] = [m.function for m in ms]
        self.patterns = {r.name: compile_pattern(r.pattern) for r in design.rules.values()}

    # -- the clock --------------------------------------------------------------------
    def at(self, t: float, fn: Any, *args: Any) -> None:
        self.n += 1
        heapq.heappush(self.heap, (t, self.n, fn, args))

    @staticmethod
    def within(window: tuple[float, float] | None, t: float) -> bool:
        return bool(window) and window[0] <= t < window[1]

    def restocked(self, sku: str) -> None:
        self.stock[sku] += self.shop.restock_units

    def run(self) -> DayRecord:
        """Run the day to its end plus :data:`DRAIN_SECONDS`; the record."""
        for order in self.orders:
            if not self.chaos.poison and order["order_id"] == POISON_ORDER:
                order = {**order, "amount": 42.0}
            self.rec.orders[order["order_id"]] = order
            self.at(order["placed_at"], self.checkout, order)
        for t in range(0, int(self.seconds + DRAIN_SECONDS), 300):
            self.at(float(t), self.sample)
        end = self.seconds + DRAIN_SECONDS
        while self.heap and self.heap[0][0] <= end:
            t, _, fn, args = heapq.heappop(self.heap)
            self.t = t
            fn(*args)
        self.rec.end = end
        for m in self.design.mappings:  # Lambda's pollers long-poll (20 s) while idle
            q = self.by_arn.get(m.queue_arn)
            if q is not None:
                self.rec.requests[_sqs(q), "ReceiveMessage (empty)"] += int(end / 20) * POLLERS
        return self.rec

    def sample(self) -> None:
        for arn, msgs in self.queues.items():
            self.rec.depth[self.design.name(arn)].append((self.t, sum(not m.deleted for m in msgs)))
            if len(msgs) > 200:  # forget deleted messages now and then
                self.queues[arn] = [m for m in msgs if not m.deleted]

    def legacy(self, event_type: str, detail: dict) -> None:
        """The monolith's remaining code handles an event for each service not carved out yet
        (no function of that name): the strangler fig keeps the system whole between steps.
        Its own events go where ``payments`` sends (the new channel), once there is one."""
        payments = self.design.functions.get("payments")
        channel = payments.destination if payments else None
        for name in LEGACY_ROUTES.get(event_type, ()):
            if name in self.design.functions:
                continue
            self.rec.requests["legacy", "calls"] += 1
            fn = self.legacy_fns.get(name)
            if fn is None:
                fn = self.legacy_fns[name] = Function(name, f"legacy:{name}", 900, channel, None,
                                                      COURSE_HANDLERS[name])
            self.invoke(fn, {"id": "legacy", "detail-type": event_type, "detail": detail}, self.t)

    # -- checkout -----------------------------------------------------------------------
    def checkout(self, order: dict) -> None:
        fn = self.design.functions.get("checkout")
        if fn is None or fn.handler is None:
            self.rec.rejected[order["order_id"]] = "no checkout function"
            return
        self.sync_extra = 0.0
        ok, _ = self.invoke(fn, order, self.t, sync=True)
        if ok:
            self.rec.checkout_latency[order["order_id"]] = 0.03 + self.sync_extra
        else:
            self.rec.rejected[order["order_id"]] = "checkout failed"

    def proc_time(self, fn: Function, start: float) -> float:
        low, high = _PROCESS.get(fn.name, (0.1, 0.4))
        if fn.name == "payments" and self.within(self.chaos.slow_consumer, start):
            return self.chaos.slow_seconds
        if fn.name == "payments" and self.within(self.chaos.payment_outage, start):
            return min(10.0, fn.timeout)  # waits for the provider's timeout
        return self.rng.uniform(low, high)

    def invoke(self, fn: Function, event: Any, start: float, *, sync: bool = False) -> tuple[bool, Any]:
        """Run ``fn``'s handler; (succeeded, result). A run longer than the timeout fails."""
        proc = self.proc_time(fn, start)
        self.last_proc = proc
        self.rec.requests["lambda", "Invoke"] += 1
        self.rec.requests["lambda", "GB-seconds"] += 0.125 * proc
        items = len(event["Records"]) if isinstance(event, dict) and "Records" in event else 1
        self.rec.invocations[fn.name].append((start, items))
        if fn.handler is None:
            self.rec.dropped.append((start, fn.name, "", "no handler registered"))
            return False, None
        if sync:
            self.sync_extra += proc
        self.requests_made += 1
        context = LambdaContext(fn.name, fn.arn, f"{self.requests_made:08d}-0000-4000-8000-000000000000",
                                log_group_name=f"/aws/lambda/{fn.name}")
        with bound(Invocation(self, fn, start, start + proc)):
            try:
                result = fn.handler(event, context)
            except Exception:  # any unhandled error fails the invocation, as in Lambda
                return False, None
        return proc <= fn.timeout, result

    # -- routing --------------------------------------------------------------------------
    def send(self, dest: str, event_type: str, detail: dict, group: str | None,
             dedup: str | None, source: str) -> None:
        service = dest.split(":")[2] if dest.startswith("arn:") else ""
        self.legacy(event_type, detail)
        if dest in self.by_arn:
            self.enqueue(dest, json.dumps(detail), group, dedup)
        elif service == "sns":
            self.rec.requests["sns", "Publish"] += 1
            self.publish_topic(dest, event_type, detail, group)
        elif service == "events":
            self.rec.requests["events", "PutEvents"] += 1
            self.put_event(dest, event_type, detail, source)
        elif dest in self.functions:
            self.invoke(self.functions[dest], detail, self.t, sync=source == "checkout")
        elif service == "states":
            self.start_machine(dest, detail)
        else:
            self.rec.nowhere[source] += 1

    def enqueue(self, arn: str, body: str, group: str | None, dedup: str | None, copies: bool = True) -> bool:
        q = self.by_arn[arn]
        if q.fifo:
            if group is None:
                self.rec.dropped.append((self.t, q.name, body[:40], "FIFO send without MessageGroupId"))
                return False
            key = dedup or (hashlib.sha256(body.encode()).hexdigest() if q.content_dedup else None)
            if key is None:
                self.rec.dropped.append((self.t, q.name, body[:40], "FIFO send without deduplication id"))
                return False
            seen = self.dedup[arn]
            if key in seen and self.t - seen[key] < FIFO_DEDUP_SECONDS:
                return True
            seen[key] = self.t
        self.ids += 1
        self.rec.requests[_sqs(q), "SendMessage"] += 1
        delay = 0.0 if q.fifo else self.rng.uniform(0, self.chaos.reorder_seconds)
        self.queues[arn].append(_Msg(f"m-{self.ids:07d}", body, group if q.fifo else None,
                                     self.ids, self.t + delay, self.t))
        if not q.fifo and copies and self.rng.random() < self.chaos.duplicate_rate:
            self.enqueue(arn, body, group, dedup, copies=False)
        self.kick(arn, self.t + delay)
        return True

    def publish_topic(self, arn: str, event_type: str, detail: dict, group: str | None) -> None:
        topic = next((t for t in self.design.topics.values() if t.arn == arn), None)
        if topic is None:
            return
        attrs = {"type": {"Type": "String", "Value": event_type}}
        if "status" in detail:
            attrs["status"] = {"Type": "String", "Value": str(detail["status"])}
        message = json.dumps(detail)
        self.rec.requests["sns", "deliveries filtered out"] += len(topic.subscriptions)
        for sub in topic.subscriptions:
            if not sns_matches(sub.filter_policy, sub.scope, attrs, message):
                continue
            self.rec.requests["sns", f"deliveries ({sub.protocol})"] += 1
            self.rec.requests["sns", "deliveries filtered out"] -= 1
            self.deliver(sub.endpoint, message, group, detail.get("order_id"), event_type,
                         sub.dlq_arn, f"subscription of {self.design.name(sub.endpoint)} on {topic.name}")

    def put_event(self, arn: str, event_type: str, detail: dict, source: str) -> None:
        bus = self.design.name(arn)
        self.ids += 1
        event = {"version": "0", "id": f"evt-{self.ids:07d}", "detail-type": event_type,
                 "source": f"securecart.{source}", "account": self.design.account,
                 "time": f"{self.t:.0f}", "region": "us-east-1", "resources": [], "detail": detail}
        for rule in self.design.rules.values():
            if rule.bus != bus or not event_matches(self.patterns[rule.name], event):
                continue
            for target in rule.targets:
                self.rec.requests["events", "target invocations"] += 1
                self.deliver(target.arn, json.dumps(event), target.group_path, event["id"],
                             event_type, target.dlq_arn, f"rule {rule.name} -> {self.design.name(target.arn)}",
                             event=event)

    def deliver(self, endpoint: str, body: str, group: str | None, dedup: str | None,
                event_type: str, dlq: str | None, via: str, event: Any = None) -> None:
        """One delivery of a topic or rule to an endpoint (queue, function, machine, other account)."""
        account = endpoint.split(":")[4] if endpoint.count(":") >= 5 else self.design.account
        if account != self.design.account:
            self.rec.requests["events" if ":events:" in endpoint else "sns", "cross-account deliveries"] += 1
            self.rec.audit.append((self.t, event_type, via))
            return
        if endpoint in self.by_arn:
            self.enqueue(endpoint, body, group, dedup)
        elif endpoint in self.functions:
            payload = event if event is not None else {"Records": [{"Sns": {
                "MessageId": f"sns-{self.n}", "Message": body, "Type": "Notification"}}]}
            self.async_invoke(self.functions[endpoint], payload, 0, dlq, via)
        elif endpoint.split(":")[2:3] == ["states"]:
            self.start_machine(endpoint, json.loads(body))
        elif endpoint.split(":")[2:3] == ["events"]:
            self.put_event(endpoint, event_type, json.loads(body).get("detail", {}), "bus")

    def async_invoke(self, fn: Function, payload: Any, attempt: int, dlq: str | None, via: str) -> None:
        ok, _ = self.invoke(fn, payload, self.t)
        if ok:
            return
        if attempt < len(ASYNC_RETRY_DELAYS):
            self.at(self.t + ASYNC_RETRY_DELAYS[attempt], self.async_invoke, fn, payload, attempt + 1, dlq, via)
            return
        target = fn.dlq_arn or None
        key = json.dumps(payload)[:60]
        if target and target in self.by_arn:
            self.rec.dlq[self.design.name(target)].append((self.t, payload))
        else:
            self.rec.dropped.append((self.t, fn.name, key, f"{via}: async invocation failed 3 times, no DLQ"))

    # -- SQS consumers -----------------------------------------------------------------
    def kick(self, arn: str, t: float) -> None:
        if arn not in self.mappings:
            return
        due = self.poll_at.get(arn)
        if due is not None and due <= t:
            return
        self.poll_at[arn] = t
        self.at(max(t, self.t), self.poll, arn, t)

    def poll(self, arn: str, due: float) -> None:
        if self.poll_at.get(arn) != due:
            return
        del self.poll_at[arn]
        q = self.by_arn[arn]
        nxt: float | None = None
        for mapping in self._mappings(arn):
            fn = self.design.functions[mapping.function]
            slots = self.slots[arn, mapping.function]
            slots[:] = [s for s in slots if s > self.t]
            while len(slots) < POLLERS:
                batch, wait = self.take(q, mapping.batch_size)
                if wait is not None:
                    nxt = wait if nxt is None else min(nxt, wait)
                if not batch:
                    break
                end = self.consume(q, fn, mapping, batch)
                slots.append(end)
            if len(slots) >= POLLERS:
                nxt = min(slots) if nxt is None else min(nxt, min(slots))
        if nxt is not None:
            self.kick(arn, nxt)

    def _mappings(self, arn: str) -> list:
        ms = self.mappings[arn]
        if len(ms) == 1:
            return ms
        self.rr[arn] += 1  # competing consumers: each receive goes to one of them
        k = self.rr[arn] % len(ms)
        return ms[k:] + ms[:k]

    def take(self, q: Any, size: int) -> tuple[list[_Msg], float | None]:
        msgs = self.queues[q.arn]
        batch: list[_Msg] = []
        wait: float | None = None
        locked = set()
        for m in msgs:
            if m.deleted:
                continue
            if q.fifo and m.group in locked:
                continue
            if m.visible_at > self.t:
                wait = m.visible_at if wait is None else min(wait, m.visible_at)
                if q.fifo:
                    locked.add(m.group)
                continue
            if q.max_receives is not None and m.receives >= q.max_receives:
                m.deleted = True  # redrive on the receive after maxReceiveCount
                self.rec.dlq[self.design.name(q.dlq_arn)].append((self.t, json.loads(m.body)))
                continue
            if q.fifo and batch and batch[0].group != m.group:
                locked.add(m.group)
                continue
            if m.busy_until > self.t:
                self.rec.inflight_redeliveries[q.name] += 1
            m.receives += 1
            m.receipt += 1
            m.visible_at = self.t + q.visibility
            self.rec.receives[_order_key(m.body)] += 1
            batch.append(m)
            if len(batch) >= size:
                break
        if batch:
            self.rec.requests[_sqs(q), "ReceiveMessage"] += 1
            self.rec.requests[_sqs(q), "messages received"] += len(batch)
        return batch, wait

    def consume(self, q: Any, fn: Function, mapping: Any, batch: list[_Msg]) -> float:
        event = {"Records": [{
            "messageId": m.id, "receiptHandle": f"{m.id}:{m.receipt}", "body": m.body,
            "attributes": {"ApproximateReceiveCount": str(m.receives), "SenderId": self.design.account,
                           "SentTimestamp": str(int(m.sent_at * 1000)),
                           "ApproximateFirstReceiveTimestamp": str(int(self.t * 1000)),
                           **({"MessageGroupId": m.group} if m.group else {})},
            "messageAttributes": {}, "md5OfBody": hashlib.md5(m.body.encode()).hexdigest(),
            "eventSource": "aws:sqs", "eventSourceARN": q.arn, "awsRegion": q.arn.split(":")[3]}
            for m in batch]}
        start = self.t
        ok, result = self.invoke(fn, event, start)
        end = start + self.last_proc
        for m in batch:
            m.busy_until = max(m.busy_until, end)
        failed: set[str] | None = None
        if ok:
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])} \
                if mapping.report_failures else set()
        if fn.name == "payments" and self.chaos.restart_at is not None and not self.restarted \
                and start >= self.chaos.restart_at:
            self.restarted = True
            failed = None  # restarted before it deleted anything
        receipts = [(m, m.receipt) for m in batch]
        self.at(end, self.complete, q.arn, receipts, failed)
        return end

    def complete(self, arn: str, receipts: list[tuple[_Msg, int]], failed: set[str] | None) -> None:
        if failed is not None:
            done = [(m, r) for m, r in receipts if m.id not in failed]
            for m, receipt in done:
                # A delete with an older receipt handle succeeds but deletes nothing.
                if m.receipt == receipt:
                    m.deleted = True
            if done:
                self.rec.requests[_sqs(self.by_arn[arn]), "DeleteMessageBatch"] += 1
        self.kick(arn, self.t)

def _sqs(queue: Any) -> str:
    return "sqs-fifo" if queue.fifo else "sqs-standard"


def _order_key(body: str) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return body[:20]
    while isinstance(payload, dict) and ("Message" in payload or "detail" in payload):
        inner = payload.get("detail", payload.get("Message"))
        payload = json.loads(inner) if isinstance(inner, str) else inner
    return payload.get("order_id", "?") if isinstance(payload, dict) else "?"
