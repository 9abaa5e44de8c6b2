"""What the SecureCart runtime does inside a real Lambda function (exported by notebook 08).

``publish`` sends to the function's ``EVENTS_ARN`` with boto3 (an SQS queue, SNS topic,
EventBridge bus, Lambda function or Step Functions state machine). The business side effects
(charge, refund, reserve, ship, notify, record, restock) are logged as JSON lines: plug in your
payment provider, stock table, carrier and e-mail service here. ``once`` keeps its keys in
memory, which lasts one execution environment only: for production use Powertools'
idempotency utility with a DynamoDB table.
"""

import contextlib
import json
import os

import boto3
import runtime


class AwsServices:
    def __init__(self):
        self.seen = {}

    def publish(self, event_type, detail, *, group=None, dedup=None):
        arn = os.environ.get("EVENTS_ARN")
        if not arn:
            return
        body = json.dumps({**detail, "type": event_type})
        service = arn.split(":")[2]
        if service == "sqs":
            _, _, _, region, account, name = arn.split(":")
            url = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            extra = {"MessageGroupId": group, "MessageDeduplicationId": dedup or detail.get("order_id")} \
                if name.endswith(".fifo") else {}
            boto3.client("sqs").send_message(QueueUrl=url, MessageBody=body, **extra)
        elif service == "sns":
            attrs = {"type": {"DataType": "String", "StringValue": event_type}}
            boto3.client("sns").publish(TopicArn=arn, Message=body, MessageAttributes=attrs)
        elif service == "events":
            boto3.client("events").put_events(Entries=[{
                "EventBusName": arn, "Source": f"securecart.{os.environ.get('AWS_LAMBDA_FUNCTION_NAME', 'app')}",
                "DetailType": event_type, "Detail": body}])
        elif service == "lambda":
            boto3.client("lambda").invoke(FunctionName=arn, Payload=body.encode())
        elif service == "states":
            boto3.client("stepfunctions").start_execution(stateMachineArn=arn, input=body)

    def _log(self, what, detail):
        print(json.dumps({"securecart": what, **{k: v for k, v in detail.items() if k != "card"}}))

    def charge(self, order):
        if not isinstance(order.get("amount"), (int, float)):
            raise ValueError(f"amount {order.get('amount')!r} is not a number")
        self._log("charge", order)
        return "declined" if order.get("card") == "4000-0000-0000-0002" else "paid"

    def refund(self, order):
        self._log("refund", order)

    def reserve(self, order):
        self._log("reserve", order)
        return {"reserved": True, "low": False, "stock": -1}

    def ship(self, order):
        self._log("ship", order)

    def notify(self, detail):
        self._log("notify", detail)

    def record(self, detail):
        self._log("record", detail)

    def start_restock(self, detail):
        self._log("restock", detail)

    @contextlib.contextmanager
    def once(self, key):
        if key in self.seen:
            yield False
            return
        self.seen[key] = True
        try:
            yield True
        except BaseException:
            self.seen.pop(key, None)
            raise


_SERVICES = AwsServices()


def bind(function):
    """The Lambda entry point for ``function``: runs it with the AWS services bound."""
    def handler(event, context):
        with runtime.bound(_SERVICES):
            return function(event, context)
    return handler
