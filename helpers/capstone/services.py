"""SecureCart's services as Lambda handlers: the course's own, and the two the student writes.

The course supplies the services whose logic is not the lesson (inventory, shipping,
refunds, notifications, analytics, support, security, restock, audit). The student writes the
``checkout`` and ``payments`` handlers; :func:`checkout_solution` and
:func:`payments_solution` are the instructor's. Each handler works however it is invoked (an
SQS batch with ``batchItemFailures``, an SNS or EventBridge invocation, a Step Functions task).

Example
-------
>>> sorted(COURSE_HANDLERS)[:3]
['analytics', 'audit', 'inventory']
"""

from __future__ import annotations

from typing import Any

from .runtime import (
    charge,
    events_of,
    notify,
    once,
    publish,
    record,
    refund,
    reserve,
    ship,
    start_restock,
)

__all__ = ["COURSE_HANDLERS", "STATUS_EVENTS", "CUSTOMER_EVENTS", "batch", "checkout_solution",
           "payments_solution", "payments_powertools", "payments_not_idempotent", "inventory", "shipping", "refunds",
           "notifications", "analytics", "support", "security", "restock", "audit"]

#: Order status changes (analytics wants all of them).
STATUS_EVENTS = ("PaymentSucceeded", "PaymentFailed", "OrderShipped", "OrderRefunded")
#: The status changes a customer is told about.
CUSTOMER_EVENTS = ("PaymentFailed", "OrderShipped", "OrderRefunded")


def batch(event: Any, work: Any) -> dict | Any:
    """Run ``work(payload)`` on each payload; an SQS batch answers ``batchItemFailures``.

    Other invocations raise the first error (so Lambda's retries and DLQs apply) and return
    ``work``'s result for a direct (Step Functions) invocation.
    """
    items = events_of(event)
    if not (isinstance(event, dict) and "Records" in event and "messageId" in event["Records"][0]):
        result = None
        for _, payload in items:
            result = work(payload)
        return result
    failures = []
    for item_id, payload in items:
        try:
            work(payload)
        except Exception:  # one bad message must not fail its neighbours
            failures.append({"itemIdentifier": item_id})
    return {"batchItemFailures": failures}


# -- the student's two services: the instructor's answers --------------------------------
def checkout_solution(order: dict, context: Any = None) -> dict:
    """Accept the order and queue it for payment, grouped per customer (order per customer)."""
    publish("OrderPlaced", order, group=order["customer_id"], dedup=order["order_id"])
    return {"statusCode": 202, "order_id": order["order_id"]}


def _pay(order: dict) -> None:
    with once(order["order_id"]) as first:
        if first:
            _charge_and_tell(order)


def _charge_and_tell(order: dict) -> None:
    status = charge(order)
    kind = "PaymentSucceeded" if status == "paid" else "PaymentFailed"
    publish(kind, {**order, "status": status}, group=order["customer_id"])


def payments_solution(event: dict, context: Any = None) -> dict:
    """Charge each order once (idempotent on ``order_id``), reporting failed items only."""
    return batch(event, _pay)


def payments_powertools(event: dict, context: Any = None) -> dict:
    """The same payments service on Powertools' batch utility (SQS batches only): each record is
    charged once, and only the failed records are reported back."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=_pay_record, processor=processor,
                                    context=context)


def _pay_record(record: Any) -> None:
    _pay(record.json_body)


def payments_not_idempotent(event: dict, context: Any = None) -> dict:
    """A payments handler without idempotency (a known-wrong answer)."""
    return batch(event, _charge_and_tell)


# -- the course's services ----------------------------------------------------------------
def _fulfil(order: dict) -> dict:
    if order.get("type", "PaymentSucceeded") != "PaymentSucceeded":
        return {"reserved": False, "skipped": True}
    with once(f"reserve:{order['order_id']}") as first:
        if not first:
            return {"reserved": True, "duplicate": True}
        result = reserve(order)
    if result["low"]:
        publish("InventoryLow", {"sku": order["sku"], "stock": result["stock"],
                                 "order_id": order["order_id"]}, group=order["sku"])
    return result


def inventory(event: Any, context: Any = None) -> Any:
    """Reserve stock for paid orders; publish ``InventoryLow`` when a product crosses its threshold.

    Invoked by a workflow (a direct payload) it returns ``{"reserved": ...}`` and the workflow
    decides; invoked by events it publishes ``InventoryReserved`` or ``OutOfStock``.
    """
    direct = events_of(event)[0][0] == "direct"

    def work(order: dict) -> dict:
        result = _fulfil(order)
        if not direct and not result.get("skipped") and not result.get("duplicate"):
            kind = "InventoryReserved" if result["reserved"] else "OutOfStock"
            publish(kind, {**order, "type": kind}, group=order["customer_id"])
        return {**order, "reserved": result["reserved"]}
    return batch(event, work)


def shipping(event: Any, context: Any = None) -> Any:
    """Ship reserved orders (once each) and publish ``OrderShipped``."""
    def work(order: dict) -> dict:
        with once(f"ship:{order['order_id']}") as first:
            if first:
                ship(order)
                publish("OrderShipped", {**order, "type": "OrderShipped", "status": "shipped"},
                        group=order["customer_id"])
        return order
    return batch(event, work)


def refunds(event: Any, context: Any = None) -> Any:
    """Refund orders that could not be fulfilled (once each) and publish ``OrderRefunded``."""
    def work(order: dict) -> dict:
        with once(f"refund:{order['order_id']}") as first:
            if first:
                refund(order)
                publish("OrderRefunded", {**order, "type": "OrderRefunded", "status": "refunded"},
                        group=order["customer_id"])
        return order
    return batch(event, work)


def notifications(event: Any, context: Any = None) -> Any:
    """E-mail the customer about each status change (raises while the provider is down)."""
    return batch(event, notify)


def analytics(event: Any, context: Any = None) -> Any:
    """Count every status change."""
    return batch(event, record)


support = analytics
security = analytics
audit = analytics


def restock(event: Any, context: Any = None) -> Any:
    """Start restocking each product it is told is low (idempotent on the low-stock event)."""
    def work(detail: dict) -> None:
        with once(f"restock:{detail['sku']}:{detail['order_id']}") as first:
            if first:
                start_restock(detail)
    return batch(event, work)


#: The handlers the course deploys for the services the student does not write.
COURSE_HANDLERS = {"inventory": inventory, "shipping": shipping, "refunds": refunds,
                   "notifications": notifications, "analytics": analytics, "support": support,
                   "security": security, "restock": restock, "audit": audit}
