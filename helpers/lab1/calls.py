"""Lab 1's exercises 1 and 3 as the call a student writes, and ``check("exercise N")``.

Exercise 1 asks for ``configure_dlq(sqs, queue_url, dlq_arn)``, exercise 3 for
``set_visibility_timeout(sqs, queue_url)``: each makes the ``SetQueueAttributes`` call it names.
The check runs the function on a fresh queue, reads the attribute back from SQS and grades the
value with the exercise's scenario (:mod:`helpers.lab1.checks`). A notebook that still sets
``MAX_RECEIVE_COUNT`` / ``VISIBILITY_TIMEOUT`` (a student's older copy) is graded on the integer.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> def configure_dlq(sqs, queue_url, dlq_arn):
...     redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}
...     sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"RedrivePolicy": json.dumps(redrive)})
>>> check_dlq_call(env, configure_dlq).cause
'too-low'
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..course.workspace import caller_namespace
from ..platform import limits
from .checks import (
    _whole,
    check_dlq_config,
    check_fifo_group,
    check_idempotent_handler,
    check_visibility_timeout,
)
from .common import _fresh_queue
from .exercises import EXERCISES, NEEDS, WORKBOOK, book

if TYPE_CHECKING:  # pragma: no cover
    from ..course.checks import Verdict
    from ..environment import Environment

__all__ = ["check", "check_dlq_call", "check_visibility_call"]


def _starter(func: Any) -> bool:
    """A function that calls nothing at all (``...`` or ``pass``): an untouched starter."""
    return not getattr(getattr(func, "__code__", None), "co_names", ("x",))


def _attributes_after(env: Environment, base: str, call: Any, *args: Any) -> dict[str, str]:
    """Run the student's ``call(sqs, url, *args)`` on a fresh queue; the queue's attributes after."""
    sqs = env.client("sqs")
    url = _fresh_queue(env, base, dlq=False).url
    call(sqs, url, *args)
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def check_dlq_call(env: Environment, configure_dlq: Any) -> Verdict:
    """Exercise 1 as the call: ``configure_dlq(sqs, queue_url, dlq_arn)`` sets the RedrivePolicy.

    The check runs the function on a fresh queue and DLQ, reads the queue's ``RedrivePolicy``
    back from SQS, and grades its ``maxReceiveCount`` with :func:`check_dlq_config`'s scenario.
    An integer (the older form of the exercise) is graded directly.
    """
    if configure_dlq is None or _whole(configure_dlq):
        return check_dlq_config(env, configure_dlq)
    ex, hints = EXERCISES["exercise 1"], book(env)
    if not callable(configure_dlq):
        return ex.fail(hints, "not-a-function", f"configure_dlq is a {type(configure_dlq).__name__}: "
                       "write def configure_dlq(sqs, queue_url, dlq_arn): with one SQS call.")
    dlq = _fresh_queue(env, "check-dlq-target", dlq=False)
    attributes = _attributes_after(env, "check-dlq-call", configure_dlq, dlq.arn)
    if "RedrivePolicy" not in attributes:
        return ex.fail(hints, "no-redrive-policy", "after configure_dlq the queue has no RedrivePolicy: "
                       "set the queue attribute that names the DLQ and the receive count.",
                       counts=not _starter(configure_dlq))
    policy = json.loads(attributes["RedrivePolicy"])
    if policy.get("deadLetterTargetArn") != dlq.arn:
        return ex.fail(hints, "wrong-dlq", f"the RedrivePolicy names {policy.get('deadLetterTargetArn')!r}, "
                       "not the DLQ passed in as dlq_arn.")
    n = policy.get("maxReceiveCount")
    n = int(n) if str(n).isdigit() else n
    return check_dlq_config(env, n)


def check_visibility_call(env: Environment, set_visibility_timeout: Any) -> Verdict:
    """Exercise 3 as the call: ``set_visibility_timeout(sqs, queue_url)`` sets VisibilityTimeout.

    The check runs the function on a fresh queue, reads ``VisibilityTimeout`` back from SQS and
    grades it with :func:`check_visibility_timeout`'s scenario (an integer is graded directly).
    """
    if set_visibility_timeout is None or _whole(set_visibility_timeout):
        return check_visibility_timeout(env, set_visibility_timeout)
    ex, hints = EXERCISES["exercise 3"], book(env)
    if not callable(set_visibility_timeout):
        return ex.fail(hints, "not-a-function", f"set_visibility_timeout is a "
                       f"{type(set_visibility_timeout).__name__}: write def set_visibility_timeout("
                       "sqs, queue_url): with one SQS call.")
    default = str(limits.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS)
    attributes = _attributes_after(env, "check-visibility-call", set_visibility_timeout)
    if attributes.get("VisibilityTimeout", default) == default and _starter(set_visibility_timeout):
        return ex.fail(hints, "missing", "set_visibility_timeout does not call SQS yet: the queue "
                       f"kept the default visibility timeout ({default} s).", counts=False)
    return check_visibility_timeout(env, int(attributes["VisibilityTimeout"]))


WORKBOOK.checks.update({
    "exercise 1": (check_dlq_call, NEEDS["exercise 1"]),
    "exercise 2": (lambda env, gateway, handler: check_idempotent_handler(env, handler, gateway),
                   NEEDS["exercise 2"]),
    "exercise 3": (check_visibility_call, NEEDS["exercise 3"]),
    "exercise 4": (check_fifo_group, NEEDS["exercise 4"]),
})


def check(key: str, *, namespace: dict[str, Any] | None = None) -> Verdict:
    """Run exercise ``key``'s check on the names the notebook defined (✔ green / ✘ red).

    Parameters
    ----------
    key
        ``"exercise 1"`` ... ``"exercise 4"``.
    namespace
        Where to find ``env`` and the exercise's names (default: the calling notebook's).
    """
    return WORKBOOK.check(key, namespace=caller_namespace() if namespace is None else namespace)
