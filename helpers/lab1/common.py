"""Lab 1 shared pieces: the payment gateway, fresh queues, labelled frames and the result bases.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..course.instances import instance
from ..course.workspace import bind
from ..sqs.dlq import inspect_dlq
from ..sqs.idempotency import make_batch_handler, record_body
from ..sqs.invariants import check_delivery
from ..sqs.queues import OrderQueue, create_queue

if TYPE_CHECKING:  # pragma: no cover

    from ..environment import Environment



__all__ = ["PaymentGateway", "TwoInstances"]



# -- shared pieces ------------------------------------------------------------------------
class PaymentGateway:
    """A stand-in payment provider that remembers every charge: the side effect to protect.

    Example
    -------
    >>> gateway = PaymentGateway()
    >>> gateway.charge("ord-00001", 12.5); gateway.charge("ord-00001", 12.5)
    >>> gateway.charged_twice()
    ['ord-00001']
    """

    def __init__(self, env: Environment | None = None) -> None:
        self.charges: Counter[str] = Counter()
        #: Orders whose next charge fails once with a ``ConnectionError`` (a provider hiccup).
        self.fail_once: set[str] = set()
        #: Charge attempts that failed, in order.
        self.failed: list[str] = []
        #: Called with the order id before each charge is counted (a check's probe), or None.
        self.on_charge: Any = None
        if env is not None:
            bind(self, env)  # a check can tell a gateway of an earlier connect()

    def charge(self, order_id: str, amount: float) -> None:
        """Charge ``amount`` for ``order_id`` (a real provider would move money here)."""
        order_id = str(order_id)
        if order_id in self.fail_once:
            self.fail_once.discard(order_id)
            self.failed.append(order_id)
            raise ConnectionError(f"payment provider timed out charging {order_id}")
        if self.on_charge is not None:
            self.on_charge(order_id)
        self.charges[order_id] += 1

    def charged(self) -> list[str]:
        """Every charge's order id, repeated as often as it was charged."""
        return list(self.charges.elements())

    def charged_twice(self) -> list[str]:
        """Order ids charged more than once, sorted."""
        return sorted(k for k, v in self.charges.items() if v > 1)

    def reset(self) -> None:
        """Forget every charge (and the pending failures)."""
        self.charges.clear()
        self.fail_once.clear()
        self.failed.clear()

    def __repr__(self) -> str:
        return (f"PaymentGateway({sum(self.charges.values())} charges for {len(self.charges)} "
                f"orders, {len(self.charged_twice())} charged twice)")


def _amount(order: dict[str, Any]) -> float:
    return float(order.get("amount", order.get("total", 0.0)))


def _charging(gateway: PaymentGateway) -> Callable[[dict[str, Any]], None]:
    def charge_payment(record: dict[str, Any]) -> None:
        order = record_body(record)
        gateway.charge(order["order_id"], _amount(order))
    return charge_payment


def _payment_handler(env: Environment, gateway: PaymentGateway, *, idempotent: bool = True) -> Callable:
    """The course's payment handler: a Powertools batch handler charging each order (once,
    with Powertools idempotency on the environment's DynamoDB, unless ``idempotent=False``)."""
    return make_batch_handler(_charging(gateway), idempotency=env if idempotent else None)


def _fresh_queue(env: Environment, base: str, **options: Any) -> OrderQueue:
    """``create_queue`` under a name this environment has not used yet (``base``, ``base-2``...).

    A re-run of an experiment then starts from an empty queue without purging (on AWS a
    purge takes up to 60 s and a deleted name is blocked for 60 s).
    """
    n = _run_index(env, base, bool(options.get("fifo")))
    return create_queue(env, base if n == 0 else f"{base}-{n + 1}", **options)



def _queue_labels(queue: OrderQueue, label: str) -> dict[str, str]:
    labels = {queue.name: label}
    if queue.dlq_name:
        labels[queue.dlq_name] = f"{label}-dlq"
    return labels


def _dlq_order_ids(env: Environment, queue: OrderQueue) -> list[str]:
    if not queue.dlq_url:
        return []
    table = inspect_dlq(env, queue)
    return [str(x) for x in table["order_id"]] if len(table) else []


def _invariant(env: Environment, queue: OrderQueue, sent: Iterable[str], gateway: PaymentGateway,
               dlq: list[str] | None = None) -> Any:
    return check_delivery(env, list(sent), processed_order_ids=gateway.charged(),
                          dlq_order_ids=_dlq_order_ids(env, queue) if dlq is None else dlq)


def _fmt_rate(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"



def _run_index(env: Environment, base: str, fifo: bool = False) -> int:
    """How many queues named ``base`` (``base-2``...) this environment made already."""
    suffix = ".fifo" if fifo else ""
    existing = {url.rsplit("/", 1)[-1] for url in env.resources.of("queue")}
    n = 0
    while env.name(f"{base}{'' if n == 0 else f'-{n + 1}'}{suffix}") in existing:
        n += 1
    return n


def _order_of(record: Any) -> Any:
    try:
        return json.loads(record["body"]).get("order_id")
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class TwoInstances:
    """The student's handler as two Lambda instances (own module state each), invoked in turn.

    During the first charge of ``probe``, the other instance receives a copy of the same
    message (SQS's at-least-once delivery while the first copy is still in flight).
    """

    def __init__(self, handler: Any, gateway: PaymentGateway, *, probe: str) -> None:
        self.instances = [instance(handler), instance(handler)]
        self.gateway, self.probe = gateway, probe
        self.current = 0
        self.calls = 0
        self.charged_by: dict[str, set[int]] = {}
        self.probe_charged_twice = False
        self._event: Any = None
        self._context: Any = None
        self._probing = False
        gateway.on_charge = self._charging

    def _charging(self, order_id: str) -> None:
        self.charged_by.setdefault(order_id, set()).add(self.current)
        if order_id != self.probe or self._probing or self._event is None:
            return
        copies = [r for r in self._event["Records"] if _order_of(r) == self.probe]
        if not copies:
            return
        self._probing = True
        before, other = self.current, 1 - self.current
        self.current = other
        try:
            self.instances[other]({"Records": copies[:1]}, self._context)
        except Exception:  # the duplicate failing is a right outcome (it is retried later)
            pass
        finally:
            self.current = before
        self.probe_charged_twice = self.gateway.charges[self.probe] >= 1

    def __call__(self, event: Any, context: Any) -> Any:
        self.current = self.calls % 2
        self.calls += 1
        self._event, self._context = event, context
        try:
            return self.instances[self.current](event, context)
        finally:
            self._event = None
