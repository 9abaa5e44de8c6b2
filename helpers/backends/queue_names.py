"""AWS's 60-second rule for a deleted queue's name, on the ``aws`` backend.

AWS refuses ``CreateQueue`` with the name of a queue deleted less than 60 seconds ago
(``QueueDeletedRecently``). Teardown deletes a run's queues, and a student who re-runs the
notebook reconnects with the same run id at once, so :class:`DeletedQueueNames` remembers per
run prefix when its queues were last deleted (the environment keeps one record for the whole
process), and :func:`attach` turns AWS's refusal into one error that names the queue, the
rule and the wait.

Example
-------
>>> names = DeletedQueueNames()
>>> names.deleted("securecart-lab1-")
>>> 59 < names.seconds_left("securecart-lab1-") <= 60, names.seconds_left("securecart-lab2-")
(True, 0.0)
"""

from __future__ import annotations

import time
from typing import Any

from ..platform import limits
from ..platform.errors import QueueDeletedRecentlyError

__all__ = ["DeletedQueueNames", "attach"]


class DeletedQueueNames:
    """When each run prefix last had queues deleted (``time.monotonic`` seconds)."""

    def __init__(self) -> None:
        self._when: dict[str, float] = {}

    def deleted(self, prefix: str) -> None:
        """The queues of ``prefix`` were deleted now."""
        self._when[prefix] = time.monotonic()

    def seconds_left(self, prefix: str) -> float:
        """Seconds until AWS accepts ``prefix``'s deleted queue names again (0 if it does)."""
        when = self._when.get(prefix)
        if when is None:
            return 0.0
        return max(0.0, limits.SQS_QUEUE_NAME_REUSE_SECONDS - (time.monotonic() - when))

    def note(self, prefix: str) -> str | None:
        """The line ``connect()`` prints while the names are still refused, else ``None``."""
        left = self.seconds_left(prefix)
        if not left:
            return None
        return (f"  note: this run's queues were deleted "
                f"{limits.SQS_QUEUE_NAME_REUSE_SECONDS - left:.0f} s ago; AWS refuses a deleted "
                f"queue's name for {limits.SQS_QUEUE_NAME_REUSE_SECONDS} s. "
                f"env.wait_for_queue_names() waits the {left:.0f} s left.")

    def wait(self, prefix: str) -> float:
        """Sleep until the names may be reused; the seconds waited."""
        left = self.seconds_left(prefix)
        if left:
            time.sleep(left)
        return left


def attach(sqs: Any) -> None:
    """Make an SQS client's ``QueueDeletedRecently`` one course error naming the queue."""
    sqs.meta.events.register("before-parameter-build.sqs.CreateQueue", _remember_queue_name)
    sqs.meta.events.register("after-call.sqs.CreateQueue", _name_reuse_error)


def _remember_queue_name(params: Any = None, context: Any = None, **_: Any) -> None:
    """``before-parameter-build``: keep the queue name of a CreateQueue for the error text."""
    if isinstance(context, dict) and isinstance(params, dict):
        context["securecart_queue_name"] = params.get("QueueName", "?")


def _name_reuse_error(parsed: Any = None, context: Any = None, **_: Any) -> None:
    code = (parsed or {}).get("Error", {}).get("Code", "")
    if not code.endswith("QueueDeletedRecently"):
        return
    name = (context or {}).get("securecart_queue_name", "?")
    raise QueueDeletedRecentlyError(
        f"Queue name {name!r} was deleted less than {limits.SQS_QUEUE_NAME_REUSE_SECONDS} s "
        f"ago, and AWS refuses to reuse a deleted queue's name for "
        f"{limits.SQS_QUEUE_NAME_REUSE_SECONDS} seconds (QueueDeletedRecently). Fix: "
        "env.wait_for_queue_names() waits the seconds left, then run the cell again; or connect with another run id.")
