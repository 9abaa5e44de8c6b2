"""IAM and KMS as AWS would decide: the SSE-KMS queue whose key policy must admit SNS and
EventBridge.

A queue encrypted with a customer managed KMS key (``KmsMasterKeyId``) only accepts messages
from SNS or EventBridge if the **key policy** lets the service principal use the key:
``kms:GenerateDataKey*`` and ``kms:Decrypt`` for ``sns.amazonaws.com`` /
``events.amazonaws.com`` (SQS Developer Guide, "Key management": *enable compatibility between
AWS services and encrypted queues*). A key's default policy admits only the account's own IAM
principals, so the delivery fails — and silently: the publisher's ``Publish`` or ``PutEvents``
succeeds, the message never arrives.

moto does not enforce key policies (a delivery on moto proves nothing), so this module asks
the course's policy evaluator (:mod:`helpers.rules.iam`) what AWS would decide for each
request the services make, labelled "as AWS would decide".

Example
-------
>>> policy = fixed_key_policy("123456789012", ["arn:aws:sns:us-east-1:123456789012:orders"],
...                           ["arn:aws:events:us-east-1:123456789012:rule/orders"])
>>> [d["verdict"] for d in decide(policy, "arn:aws:kms:us-east-1:123456789012:key/k", "123456789012",
...  "arn:aws:sns:us-east-1:123456789012:orders", "arn:aws:events:us-east-1:123456789012:rule/orders")][:2]
['Allow', 'Allow']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..rules.iam import Request, evaluate

__all__ = ["SERVICE_ACTIONS", "requests_for", "decide", "fixed_key_policy", "decision_table",
           "OTHER_ACCOUNT"]

#: What a service asks KMS for when it sends to an SSE-KMS queue.
SERVICE_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
#: An account that is not SecureCart's: its topic must not be able to use SecureCart's key.
OTHER_ACCOUNT = "444455556666"


def requests_for(key_arn: str, account: str, topic_arn: str, rule_arn: str) -> list[tuple[str, Request]]:
    """The KMS requests behind SNS -> queue and EventBridge -> queue, plus a foreign topic's."""
    foreign = topic_arn.replace(f":{account}:", f":{OTHER_ACCOUNT}:")
    who = [("SNS, SecureCart's topic", "sns.amazonaws.com", topic_arn, account),
           ("EventBridge, SecureCart's rule", "events.amazonaws.com", rule_arn, account),
           ("SNS, another account's topic", "sns.amazonaws.com", foreign, OTHER_ACCOUNT)]
    return [(f"{label}: {action}", Request(action=action, resource=key_arn, principal={"Service": service},
                                           context={"aws:SourceArn": source, "aws:SourceAccount": owner}))
            for label, service, source, owner in who for action in SERVICE_ACTIONS]


def decide(policy: Any, key_arn: str, account: str, topic_arn: str, rule_arn: str) -> list[dict[str, str]]:
    """IAM's verdict on each request of :func:`requests_for` under ``policy``."""
    rows = []
    for label, request in requests_for(key_arn, account, topic_arn, rule_arn):
        decision = evaluate(policy, request)
        rows.append({"request": label, "verdict": decision.verdict, "why": decision.explain()})
    return rows


def decision_table(before: Any, after: Any, key_arn: str, account: str, topic_arn: str,
                   rule_arn: str) -> pd.DataFrame:
    """Verdicts under the default and the fixed key policy, side by side."""
    first = decide(before, key_arn, account, topic_arn, rule_arn)
    second = decide(after, key_arn, account, topic_arn, rule_arn)
    return pd.DataFrame({"default key policy": [r["verdict"] for r in first],
                         "fixed key policy": [r["verdict"] for r in second]},
                        index=[r["request"] for r in first])


def fixed_key_policy(account: str, topics: list[str], rules: list[str]) -> dict[str, Any]:
    """The default statement plus one per service: its principal may use the key, only on
    behalf of SecureCart's own topics and rules (``aws:SourceArn``: no confused deputy)."""
    def statement(sid: str, service: str, sources: list[str]) -> dict[str, Any]:
        return {"Sid": sid, "Effect": "Allow", "Principal": {"Service": service},
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
                "Condition": {"ArnEquals": {"aws:SourceArn": sources}}}

    return {"Version": "2012-10-17", "Id": "securecart-queue-key", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
        statement("AllowSnsTopics", "sns.amazonaws.com", topics),
        statement("AllowEventBridgeRules", "events.amazonaws.com", rules)]}
