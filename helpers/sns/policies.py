"""The queue policy an SNS subscription needs, and the course's check of one.

SNS sends to a queue only if the queue's policy allows it: principal
``sns.amazonaws.com``, action ``sqs:SendMessage``, this queue, and a condition on
``aws:SourceArn`` naming the topic, so no other topic (in any account) can use the
permission. Moto alone stores queue policies without enforcing them; the course's stand-in
(:mod:`helpers.emulation.queue_policy`) makes deliveries follow IAM's verdict, and
:func:`check_queue_policy` explains what AWS would allow or refuse.

Example
-------
>>> q, t = "arn:aws:sqs:us-east-1:123456789012:alerts", "arn:aws:sns:us-east-1:123456789012:pay"
>>> check_queue_policy(queue_policy(q, t), queue_arn=q, topic_arn=t).ok
True
>>> report = check_queue_policy(queue_policy(q, t), queue_arn=q,
...                             topic_arn="arn:aws:sns:us-east-1:123456789012:other")
>>> report.ok, report.problems[0][0]
(False, 'other-topic')
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any

from ..platform.errors import InvalidQueuePolicyError

__all__ = ["queue_policy", "check_queue_policy", "PolicyReport", "SNS_PRINCIPAL"]

#: The service principal SNS sends as.
SNS_PRINCIPAL = "sns.amazonaws.com"


def queue_policy(queue_arn: str, topic_arn: str) -> dict[str, Any]:
    """The least-privilege policy: only ``topic_arn`` may ``sqs:SendMessage`` to the queue."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowThisTopicOnly", "Effect": "Allow",
        "Principal": {"Service": SNS_PRINCIPAL}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}


@dataclass
class PolicyReport:
    """What AWS would decide for a send from ``topic_arn``, and why.

    ``problems`` lists ``(key, explanation)``: ``"not-json"``, ``"no-allow"``,
    ``"any-principal"``, ``"wrong-principal"``, ``"broad-action"``, ``"wrong-resource"``,
    ``"no-source-condition"``, ``"other-topic"``, ``"wildcard-source"``. ``allowed`` is what AWS
    would do with the send; ``ok`` means allowed *and* least privilege.
    """

    allowed: bool
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Allowed, and nothing broader than this topic's sends."""
        return self.allowed and not self.problems

    def __repr__(self) -> str:
        head = ("✔ AWS would deliver, least privilege" if self.ok else
                "AWS would deliver, but the policy is too broad" if self.allowed else
                "✘ AWS would refuse the delivery")
        return "\n".join([head] + [f"  - {text}" for _, text in self.problems])


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _principals(statement: dict[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [str(p) for key in ("Service", "AWS") for p in _list(principal.get(key, []))]
    return []


def _source_arns(statement: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for op, block in (statement.get("Condition") or {}).items():
        for key, value in (block or {}).items():
            if key.lower() == "aws:sourcearn":
                out += [(op, str(v)) for v in _list(value)]
    return out


def _names_topic(sources: list[tuple[str, str]], topic_arn: str) -> bool:
    """Whether the statement's aws:SourceArn conditions hold for ``topic_arn``, as IAM reads
    them: the operators ANDed, a negated one (ArnNotEquals...) holding when no value matches."""
    operators: dict[str, bool] = {}
    for op, arn in sources:
        operators[op] = operators.get(op, False) or fnmatch.fnmatchcase(topic_arn, arn)
    return all(matched != ("Not" in op) for op, matched in operators.items())


def _check_statement(st: dict[str, Any], queue_arn: str, topic_arn: str) -> tuple[bool, list]:
    problems: list[tuple[str, str]] = []
    principals = _principals(st)
    actions = [str(a) for a in _list(st.get("Action", []))]
    resources = [str(r) for r in _list(st.get("Resource", []))]
    if "*" in principals or "*" in [p.split(":")[-1] for p in principals]:
        problems.append(("any-principal", 'Principal "*" lets anyone (any account, any service) '
                                          "send; name the service: {\"Service\": "
                                          f"\"{SNS_PRINCIPAL}\"}}."))
    elif SNS_PRINCIPAL not in principals:
        return False, [("wrong-principal", f"no statement allows the principal {SNS_PRINCIPAL}, "
                                           "so SNS cannot send.")]
    if not any(fnmatch.fnmatchcase("sqs:SendMessage", a) for a in actions):
        return False, [("wrong-action", "sqs:SendMessage is not allowed, so SNS cannot send.")]
    if any(a != "sqs:SendMessage" for a in actions):
        problems.append(("broad-action", f"Action {actions} grants more than sqs:SendMessage "
                                         "(SNS needs nothing else)."))
    if not any(fnmatch.fnmatchcase(queue_arn, r) for r in resources):
        return False, [("wrong-resource", f"Resource {resources} does not include this queue.")]
    if any(r != queue_arn for r in resources):
        problems.append(("wrong-resource", f"Resource {resources} is broader than this queue."))
    sources = _source_arns(st)
    if not sources:
        problems.append(("no-source-condition", "no aws:SourceArn condition: every SNS topic, in "
                                                "any account, could send here. Add "
                                                f'"Condition": {{"ArnEquals": {{"aws:SourceArn": '
                                                f'"{topic_arn}"}}}}.'))
        return True, problems
    if not _names_topic(sources, topic_arn):
        return False, [("other-topic", f"aws:SourceArn allows {[a for _, a in sources]}, not "
                                       f"{topic_arn}: AWS refuses this topic's sends.")]
    if any("*" in arn or "?" in arn for _, arn in sources):
        problems.append(("wildcard-source", f"aws:SourceArn {[a for _, a in sources]} matches "
                                            "more topics than this one; name the topic's ARN."))
    return True, problems


def check_queue_policy(policy: dict | str, *, queue_arn: str, topic_arn: str) -> PolicyReport:
    """Would AWS let ``topic_arn`` send to the queue, and is the policy least privilege?

    An explicit ``Deny`` that matches wins over any ``Allow``, as in IAM.
    """
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            raise InvalidQueuePolicyError(f"The queue policy is not JSON: {policy[:60]!r}. Pass a "
                                          "dict with Version and Statement.") from None
    statements = _list(policy.get("Statement", [])) if isinstance(policy, dict) else []
    if not statements:
        return PolicyReport(False, [("no-allow", "the policy has no statements: nothing may send.")])
    best: tuple[bool, list] | None = None
    for st in statements:
        if st.get("Effect") == "Deny":
            continue
        allowed, problems = _check_statement(st, queue_arn, topic_arn)
        if best is None or (allowed and not best[0]) or (allowed == best[0] and
                                                          len(problems) < len(best[1])):
            best = (allowed, problems)
    for st in statements:
        if st.get("Effect") == "Deny" and _check_statement(st, queue_arn, topic_arn)[0]:
            return PolicyReport(False, [("denied", "an explicit Deny matches this topic's sends.")])
    if best is None:
        return PolicyReport(False, [("no-allow", "no Allow statement: nothing may send.")])
    return PolicyReport(*best)
