"""The scorecard: each requirement a line with numbers; a failure names its cause in the design.

Example
-------
>>> from helpers.capstone.monolith import run_monolith
>>> from helpers.capstone.traffic import day
>>> card = score(run_monolith(day(orders=300)))
>>> card.line("audit").passed
False
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from .engine import DayRecord
from .services import CUSTOMER_EVENTS, STATUS_EVENTS
from .traffic import POISON_ORDER

__all__ = ["Line", "Scorecard", "score", "REQUIREMENTS", "NOTIFY_P95_SECONDS", "CHECKOUT_P95_SECONDS"]

#: Customers hear of a status change within this many seconds (95th percentile).
NOTIFY_P95_SECONDS = 120.0
#: Checkout answers within this many seconds (95th percentile), payments in trouble or not.
CHECKOUT_P95_SECONDS = 1.0

#: Requirement keys and their wording, in scorecard order.
REQUIREMENTS = {
    "checkout": "checkout latency does not depend on payments",
    "lost": "no accepted order lost",
    "dlq-only-poison": "DLQs hold only what can never succeed",
    "twice": "no customer charged twice",
    "order": "each customer's payments in order",
    "inflight": "no order delivered again while still being processed",
    "notify": f"customers notified (p95 within {NOTIFY_P95_SECONDS:g} s)",
    "fanout": "analytics and support get every event they need",
    "restock": "restock started once per product at its threshold",
    "security": "security alerted only for failed payments",
    "audit": "audit events in the security account",
    "alarms": "every DLQ alarmed",
}


@dataclass
class Line:
    key: str
    passed: bool
    numbers: str
    cause: str | None = None
    why: str = ""

    def text(self) -> str:
        mark = "✔" if self.passed else "✘"
        out = f"{mark} {REQUIREMENTS[self.key]}: {self.numbers}"
        return out + (f"\n    cause: {self.why}" if self.why else "")


@dataclass
class Scorecard:
    """The lines of one graded day; ``passed`` when every line passed."""

    title: str
    lines: list[Line]

    @property
    def passed(self) -> bool:
        return all(line.passed for line in self.lines)

    def line(self, key: str) -> Line:
        """The line of requirement ``key``."""
        return next(line for line in self.lines if line.key == key)

    def failed(self) -> dict[str, str | None]:
        """Requirement key -> cause key, for the failed lines."""
        return {line.key: line.cause for line in self.lines if not line.passed}

    def text(self) -> str:
        n = sum(line.passed for line in self.lines)
        head = f"Scorecard: {self.title} — {n}/{len(self.lines)} requirements met"
        return "\n".join([head] + [line.text() for line in self.lines])

    __repr__ = text
    __str__ = text

    def table(self) -> Any:
        """The scorecard as a pandas table."""
        import pandas as pd
        return pd.DataFrame([(REQUIREMENTS[x.key], "✔" if x.passed else "✘", x.numbers, x.why)
                             for x in self.lines], columns=["requirement", "met", "numbers", "cause"])


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(0.95 * len(values)))]


def _trouble(rec: DayRecord, t: float) -> bool:
    return any(w and w[0] <= t < w[1] for w in (rec.chaos.payment_outage, rec.chaos.slow_consumer))


def _checkout(rec: DayRecord) -> Line:
    inside = [lat for oid, lat in rec.checkout_latency.items() if _trouble(rec, rec.orders[oid]["placed_at"])]
    outside = [lat for oid, lat in rec.checkout_latency.items() if not _trouble(rec, rec.orders[oid]["placed_at"])]
    refused = [o for o in rec.rejected if _trouble(rec, rec.orders[o]["placed_at"])]
    p_in, p_out = _p95(inside), _p95(outside)
    ok = p_in <= CHECKOUT_P95_SECONDS and not refused
    numbers = (f"p95 {p_in:.2f} s while payments were down or slow, {p_out:.2f} s otherwise; "
               f"{len(rec.rejected)} orders refused")
    why = ""
    if not ok:
        fn = rec.design.functions.get("checkout")
        if fn and fn.destination and ":function:" in fn.destination:
            why = (f"`checkout` calls `{rec.design.name(fn.destination)}` synchronously (its EVENTS_ARN "
                   f"is the function): {len(refused)} orders refused while payments were in trouble")
        else:
            why = "checkout waits for payments (the monolith calls each service in turn)"
    return Line("checkout", ok, numbers, None if ok else "sync-call", why)


def _dlq_orders(rec: DayRecord) -> dict[str, str]:
    where = {}
    for queue, items in rec.dlq.items():
        for _, body in items:
            oid = _oid(body)
            if oid:
                where.setdefault(oid, queue)
    return where


def _oid(body: Any) -> str | None:
    if isinstance(body, dict):
        if "detail" in body:
            return _oid(body["detail"])
        if "Records" in body:
            return None
        return body.get("order_id")
    return None


def _lost(rec: DayRecord) -> Line:
    alarmed = {a.queue for a in rec.design.alarms}
    in_dlq = _dlq_orders(rec)
    ended = set(rec.shipped) | set(rec.refunds) | set(rec.declined)
    lost = [o for o in rec.checkout_latency if o not in ended and not (o in in_dlq and in_dlq[o] in alarmed)]
    numbers = (f"{len(rec.checkout_latency)} accepted: {len(rec.shipped)} shipped, {len(rec.refunds)} "
               f"refunded, {len(rec.declined)} declined, {len(in_dlq)} in a DLQ; {len(lost)} lost")
    if not lost:
        return Line("lost", True, numbers)
    first = lost[0]
    front = rec.design.queues.get("orders") or rec.design.queues.get("orders.fifo")
    if first in in_dlq:
        return Line("lost", False, numbers, "missing-alarm",
                    f"{first} is in `{in_dlq[first]}`, which has no alarm: nobody will look")
    if front is not None and front.dlq_arn is None and rec.receives.get(first, 0) > 10:
        return Line("lost", False, numbers, "no-dlq", f"`{front.name}` has no DLQ: {first} was received "
                    f"{rec.receives[first]:,} times and is still there")
    mapping = next((m for m in rec.design.mappings if m.function == "payments"), None)
    if mapping is not None and not mapping.report_failures:
        return Line("lost", False, numbers, "partial-failures-ignored",
                    f"`payments` returns batchItemFailures but its mapping lacks ReportBatchItemFailures: "
                    f"Lambda deleted the whole batch, {first} included")
    if not rec.charges and not rec.declined and not rec.receives:
        fn = rec.design.functions.get("checkout")
        where = f"its EVENTS_ARN is `{rec.design.name(fn.destination)}`" if fn and fn.destination \
            else "it has no EVENTS_ARN (destination)"
        return Line("lost", False, numbers, "nothing-published",
                    f"no order reached payments: `checkout` accepted {len(lost)} orders but "
                    f"published none onward ({where})")
    drops = [d for d in rec.dropped if d[2] and first in d[2]] or rec.dropped
    if drops:
        return Line("lost", False, numbers, "dropped", f"{first}: {drops[0][3]}")
    return Line("lost", False, numbers, "unfinished", f"{first} was accepted and never finished "
                f"(received {rec.receives.get(first, 0)} times)")


def _dlq_only_poison(rec: DayRecord) -> Line:
    healthy = {o: q for o, q in _dlq_orders(rec).items() if o != POISON_ORDER}
    numbers = f"{sum(len(v) for v in rec.dlq.values())} messages in DLQs, {len(healthy)} of them healthy orders"
    if not healthy:
        return Line("dlq-only-poison", True, numbers)
    queue = next(iter(healthy.values()))
    src = next((q for q in rec.design.queues.values() if q.dlq_arn and rec.design.name(q.dlq_arn) == queue), None)
    if len(healthy) > rec.accepted / 2:
        fns = [m.function for m in rec.design.mappings if src is not None and m.queue_arn == src.arn]
        return Line("dlq-only-poison", False, numbers, "handler-fails",
                    f"{len(healthy)} of {rec.accepted} orders ended in `{queue}`: "
                    f"`{'`, `'.join(fns) or 'its consumer'}` fails on healthy orders (does the handler "
                    "raise, or report every item failed?)")
    why = f"{len(healthy)} healthy orders ended in `{queue}`"
    if src is not None:
        why += (f": `{src.name}` has maxReceiveCount={src.max_receives} and visibility {src.visibility} s, "
                "too few retries to outlast a 10-minute outage")
    return Line("dlq-only-poison", False, numbers, "max-receive-low", why)


def _twice(rec: DayRecord) -> Line:
    counts = Counter(oid for _, oid, _ in rec.charges)
    twice = sorted(o for o, n in counts.items() if n > 1)
    numbers = f"{len(counts)} orders charged, {len(twice)} of them more than once"
    if not twice:
        return Line("twice", True, numbers)
    return Line("twice", False, numbers, "not-idempotent",
                f"`payments` is not idempotent: {twice[0]} was charged {counts[twice[0]]} times "
                "(duplicate deliveries and a restart redeliver an order; key the charge on order_id)")


def _order(rec: DayRecord) -> Line:
    charged = {}
    for t, oid, _ in rec.charges:
        charged.setdefault(oid, t)
    per: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for oid, t in charged.items():
        order = rec.orders[oid]
        per[order["customer_id"]].append((order["placed_at"], t, oid))
    bad = []
    for items in per.values():
        items.sort()
        bad += [(b[2], a[2]) for a, b in zip(items, items[1:], strict=False) if b[1] < a[1]]
    numbers = f"{len(per)} customers, {len(bad)} pairs of orders charged out of order"
    if not bad:
        return Line("order", True, numbers)
    front = next((q for q in rec.design.queues.values() if q.name.startswith("orders") and "dlq" not in q.name), None)
    checkout = rec.design.functions.get("checkout")
    if checkout is not None and checkout.destination and ":function:" in checkout.destination:
        return Line("order", False, numbers, "sync-call",
                    f"`checkout` calls `payments` directly, so requests finish in any order: {bad[0][0]} "
                    f"was charged before {bad[0][1]}, placed earlier by the same customer")
    if front is not None and front.fifo:
        return Line("order", False, numbers, "group-per-order",
                    f"`{front.name}` is FIFO but its MessageGroupId is not the customer: {bad[0][0]} was "
                    f"charged before {bad[0][1]}, placed earlier by the same customer")
    where = f"`{front.name}` is a standard queue (best-effort order)" if front else "no FIFO queue"
    return Line("order", False, numbers, "standard-queue", f"{where}: {bad[0][0]} was charged before "
                f"{bad[0][1]}, placed earlier by the same customer")


def _inflight(rec: DayRecord) -> Line:
    total = sum(rec.inflight_redeliveries.values())
    numbers = f"{total} deliveries of a message still being processed"
    if not total:
        return Line("inflight", True, numbers)
    queue, n = rec.inflight_redeliveries.most_common(1)[0]
    q = rec.design.queues[queue]
    fn = next((m.function for m in rec.design.mappings if m.queue_arn == q.arn), "?")
    return Line("inflight", False, numbers, "short-visibility",
                f"`{queue}` visibility timeout {q.visibility} s is below `{fn}`'s processing time in the "
                f"slow hour ({rec.chaos.slow_seconds:g} s): {n} deliveries while still in flight "
                "(AWS: at least 6 x the function timeout)")


def _notify(rec: DayRecord) -> Line:
    due = {(o, k): t for (o, k), t in rec.status_at.items() if k in CUSTOMER_EVENTS and o in rec.checkout_latency}
    got: dict[tuple[str, str], float] = {}
    for t, o, k in rec.notices:
        got.setdefault((o, k), t)
    missing = [key for key in due if key not in got]
    delays = [got[k] - t for k, t in due.items() if k in got]
    p95 = _p95(delays)
    numbers = f"{len(due)} status changes, {len(missing)} never told, p95 {p95:.0f} s"
    ok = not missing and p95 <= NOTIFY_P95_SECONDS
    if ok:
        return Line("notify", True, numbers)
    drops = [d for d in rec.dropped if d[1] == "notifications"]
    if drops:
        return Line("notify", False, numbers, "async-no-dlq",
                    f"{drops[0][3].split(':')[0]} invokes `notifications` directly with no queue or DLQ: "
                    f"Lambda retried twice and dropped {len(drops)} notices while the e-mail provider was down")
    shared = _shared(rec)
    if shared:
        return Line("notify", False, numbers, "competing-consumers", shared)
    in_dlq = sum(len(v) for k, v in rec.dlq.items() if k.startswith("notifications"))
    if in_dlq:
        return Line("notify", False, numbers, "max-receive-low",
                    f"{in_dlq} notices went to `notifications-dlq` during the outage")
    if not rec.design.functions:
        return Line("notify", False, numbers, "swallowed", f"the monolith logged and forgot {len(missing)} "
                    "e-mails while the provider was down")
    return Line("notify", False, numbers, "late", f"{len(missing)} status changes never reached "
                "`notifications` (check its subscription or rule)")


def _shared(rec: DayRecord) -> str:
    for queue, fns in rec.consumers.items():
        if len(fns) > 1:
            got = {f: len(rec.records.get(f, [])) + (len(rec.notices) if f == "notifications" else 0) for f in fns}
            return (f"`{'` and `'.join(fns)}` read the same queue `{queue}`: each got part of the messages "
                    f"({', '.join(f'{f} {n}' for f, n in got.items())})")
    return ""


def _fanout(rec: DayRecord) -> Line:
    short = {}
    for service, kinds in (("analytics", STATUS_EVENTS), ("support", ("PaymentFailed", "OrderRefunded"))):
        due = {(o, k) for (o, k) in rec.status_at if k in kinds}
        got = {(o, k) for _, o, k in rec.records.get(service, [])}
        short[service] = (len(due - got), len(due))
    numbers = ", ".join(f"{s} missed {m} of {n}" for s, (m, n) in short.items())
    if not any(m for m, _ in short.values()):
        return Line("fanout", True, numbers)
    return Line("fanout", False, numbers, "competing-consumers" if _shared(rec) else "missing-subscription",
                _shared(rec) or "a subscriber has no subscription or rule for events it needs")


def _restock(rec: DayRecord) -> Line:
    starts = Counter(sku for _, sku, _ in rec.restocks)
    lows = Counter(sku for _, sku in rec.lows)
    wrong = {s for s in set(starts) | set(lows) if starts[s] != lows[s]}
    numbers = f"{sum(lows.values())} threshold crossings, {sum(starts.values())} restocks started"
    if not wrong:
        return Line("restock", True, numbers)
    sku = sorted(wrong)[0]
    rule = next((r.name for r in rec.design.rules.values() if "restock" in r.name), "its subscription")
    return Line("restock", False, numbers, "broad-rule",
                f"{sku} crossed its threshold {lows[sku]} times and restock started {starts[sku]} times: "
                f"`{rule}` matches more than InventoryLow")


def _security(rec: DayRecord) -> Line:
    got = Counter(k for _, _, k in rec.records.get("security", []))
    failed = {o for (o, k) in rec.status_at if k == "PaymentFailed"}
    extra = sum(n for k, n in got.items() if k != "PaymentFailed")
    seen = {o for _, o, k in rec.records.get("security", []) if k == "PaymentFailed"}
    numbers = f"{sum(got.values())} alerts for {len(failed)} failed payments ({extra} not failed payments)"
    if not extra and failed <= seen:
        return Line("security", True, numbers)
    sub = next((s for t in rec.design.topics.values() for s in t.subscriptions
                if "security" in s.endpoint), None)
    why = (f"the subscription of `security` on `{sub.topic}` has no filter policy" if sub and not sub.filter_policy
           else "security does not get exactly the PaymentFailed events")
    return Line("security", False, numbers, "broad-filter", f"{why}: {extra} alerts that are not failed payments")


def _audit(rec: DayRecord) -> Line:
    events = len(rec.status_at)
    numbers = f"{len(rec.audit)} copies in another account for {events} status events"
    if len(rec.audit) >= events and events:
        return Line("audit", True, numbers)
    return Line("audit", False, numbers, "no-audit", "no subscription or rule sends events to the "
                "security account (a target or endpoint ARN with its account id)")


def _alarms(rec: DayRecord) -> Line:
    dlqs = sorted(rec.design.dlqs())
    alarmed = {a.queue for a in rec.design.alarms}
    missing = [d for d in dlqs if d not in alarmed]
    numbers = f"{len(dlqs)} DLQs, {len(dlqs) - len(missing)} alarmed"
    if not dlqs:
        return Line("alarms", False, numbers, "no-dlq", "the design has no DLQ at all")
    if not missing:
        return Line("alarms", True, numbers)
    return Line("alarms", False, numbers, "missing-alarm",
                f"`{missing[0]}` has no alarm on ApproximateNumberOfMessagesVisible")


def score(rec: DayRecord, title: str = "your design") -> Scorecard:
    """Grade one day: a :class:`Scorecard` with a line per requirement of :data:`REQUIREMENTS`."""
    lines = [f(rec) for f in (_checkout, _lost, _dlq_only_poison, _twice, _order, _inflight,
                              _notify, _fanout, _restock, _security, _audit, _alarms)]
    return Scorecard(title, lines)


def latencies(rec: DayRecord) -> list[float]:
    """Checkout latencies of the day, seconds."""
    return list(rec.checkout_latency.values())


_ = statistics
