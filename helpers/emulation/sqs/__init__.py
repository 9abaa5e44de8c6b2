"""SQS behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Each stand-in patches moto's SQS backend while a local environment is open (``moto`` and the
in-process ``server`` backend share the same backend objects), so the helpers *and* a
student's own ``env.client("sqs")`` calls meet AWS's behaviour. On ``aws`` none of this is
installed: the real service does it. Where moto already behaves as AWS does (PurgeQueue
forgetting FIFO deduplication ids, a MessageGroupId on a standard queue), it is left alone.

==  ====================================  =====================================  ==========================================
#   AWS behaviour                         moto alone                             stand-in (module)
==  ====================================  =====================================  ==========================================
1   time checks and GetQueueAttributes    a datetime per message per check; the  simulated clock read directly; counts only
    cost little; a deleted message is     whole queue counted on every send      when asked; one-pass delete; ReceiveMessage
    gone                                  and receive; deep copy and a generic   answered as JSON directly; messages left
                                          serializer per received message;       out of the tracker (``speed``, ``receive``)
                                          every message kept forever (tracker)
2   FIFO deduplication id remembered 5    forgotten once the message is deleted  5-minute memory per queue, cleared by
    min, also after delete; PurgeQueue                                           PurgeQueue (``fifo``)
    clears it
3   long poll waits up to                 blocks wall time; hangs under a        advances the simulated clock, only from
    WaitTimeSeconds                       frozen clock; any thread moves it      the thread that called connect(); logged
                                                                                 as ``long-poll`` (``receive``)
4   standard queues: at-least-once,       strictly once, in send order           seeded duplicates (own receive count) and
    best-effort order                                                            swaps; suspended for the course's own
                                                                                 inspection (``delivery``)
5   RedriveAllowPolicy kept and           dropped; a standard queue may use a    kept, returned, enforced; DLQ type and
    enforced; DLQ same type as source;    FIFO DLQ; any count                    range checked (``redrive``)
    maxReceiveCount 1-1000
6   message move tasks run                NotImplementedError                    RUNNING tasks on the simulated clock,
    asynchronously                                                               AWS's handle and errors (``movetasks``)
7   DLQ messages carry                    moved silently, no attribute           ``move-to-dlq`` rows in env.log; the
    DeadLetterQueueSourceArn                                                     attribute returned (``receive``)
8   FIFO: a group's messages together     interleaves groups; keeps a group      group-ordered receive; a group reopens
    and in order; a group reopens when    locked while any message is in         when one message is visible (``fifo``)
    one message is visible again          flight; later message first after
                                          a timeout
9   ChangeMessageVisibility 0: visible    visible only once the clock moves      visible at once (``handles``)
    at once
10  FIFO DeleteMessage with an expired    deletes                                InvalidParameterValue "... The receipt
    handle fails                                                                 handle has expired." (``handles``)
11  receipt-handle errors in AWS's text   "The input receipt handle is           AWS's texts (``handles``)
                                          invalid." for every case
12  size limit counts attributes;         body characters only; batch: body      body + attribute bytes; BatchRequestTooLong;
    batch total 1 MiB; one bad entry      lengths; one bad entry fails the       the entry alone in ``Failed``
    fails alone                           whole call                             (``validation``)
13  DeleteMessageBatch /                  accepts any number                     TooManyEntriesInBatchRequest (``handles``)
    ChangeMessageVisibilityBatch max 10
14  queue-type rules (FifoQueue on a      accepted or a different error          InvalidAttributeName / InvalidAttributeValue
    standard queue, type change, .fifo                                           / InvalidParameterValue (``validation``)
    name without FifoQueue)
15  CreateQueue with a different          "The specified queue already exists."  names the attribute (``validation``)
    attribute names it
16  group / dedup id 1-128 punctuation;   accepted                               InvalidParameterValue in AWS's words;
    empty or invalid body refused; no                                            MissingParameter / InvalidMessageContents
    dedup id on a standard queue                                                 (``validation``)
17  ReceiveMessage bounds in AWS's        HTML-escaped, bounds backwards;        AWS's texts (``receive``)
    words (WaitTimeSeconds,               VisibilityTimeout -1 accepted
    MaxNumberOfMessages,
    VisibilityTimeout)
18  queue attribute values in range       50000, -1, 'abc' accepted or a         InvalidAttributeValue "Invalid value for
    (VisibilityTimeout 0-43200 ...)       Python ValueError (HTTP 500)           the parameter VisibilityTimeout."
                                                                                 (``validation``, ``handles``)
19  every FIFO message has a             random digits, and none under          increasing per queue, on every send
    SequenceNumber (SendMessage answer,   content-based deduplication            (``__init__``)
    its attributes), increasing
==  ====================================  =====================================  ==========================================

Tests: ``tests/emulation/test_emulation_sqs*.py`` (``_aws``, ``_rules``, ``_safety``) pin each row and
prove plain moto lacks it (``test_moto_alone_*``): when a moto upgrade makes one unnecessary,
its test tells you.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.stand_ins.names()[0]
'cheap clock'
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest import mock

from moto.sqs import models as sqs_models

from .._base import _Patches
from .common import EMULATED, DeliveryModel
from .delivery import Delivery
from .fifo import Deduplication, enqueue_group
from .handles import handle_patches
from .movetasks import MoveTasks, task_patches
from .receive import Receiver, receive_patches
from .redrive import redrive_patches
from .speed import attribute_patches, clock_patches, untracked_messages
from .validation import validation_patches

if TYPE_CHECKING:  # pragma: no cover
    from ...environment import Environment

__all__ = ["DeliveryModel", "SqsStandIns", "EMULATED"]

_Queue = sqs_models.Queue
_Backend = sqs_models.SQSBackend


class SqsStandIns(_Patches):
    """Installs and removes the SQS stand-ins for one environment."""

    SERVICE = "sqs"
    NAMES = (
        "cheap clock",
        "FIFO deduplication interval (cleared by PurgeQueue)",
        "long polling on the simulated clock (one thread moves time)",
        "at-least-once delivery and best-effort order",
        "RedriveAllowPolicy and DLQ rules",
        "message move tasks (asynchronous DLQ redrive)",
        "DLQ moves in env.log and DeadLetterQueueSourceArn",
        "FIFO group order and unlocking",
        "ChangeMessageVisibility 0 visible at once",
        "FIFO delete with an expired receipt handle",
        "receipt-handle errors in AWS's words",
        "size limits counting attributes",
        "batch entry limits",
        "queue-type rules",
        "CreateQueue with a different attribute",
        "group and deduplication id rules",
        "ReceiveMessage bounds in AWS's words",
        "queue attribute ranges",
        "FIFO SequenceNumber on every send",
    )

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self.dedup = Deduplication(env)
        self.delivery = Delivery(env)
        self.origins: dict[str, str] = {}  # message id -> source queue ARN (set on DLQ move)
        self.sequence: dict[str, int] = {}  # FIFO queue ARN -> last SequenceNumber given
        self.tasks = MoveTasks(self)
        self.receiver = Receiver(self)

    def _patches(self) -> list[Any]:
        """Patches of moto's SQS backend (without the cheap-clock ones on a real clock)."""
        me = self
        clock = self.env.clock
        orig_add = _Queue.add_message
        orig_purge = _Backend.purge_queue
        self.receiver = Receiver(self)  # the thread that opens the environment moves time

        def add_message(queue: Any, message: Any) -> None:
            if me.dedup.is_duplicate(queue, message):
                return
            if queue.fifo_queue:
                enqueue_group(queue, message)
                # Every FIFO message gets a SequenceNumber, increasing per queue (moto gives a
                # random one, and none under content-based deduplication).
                me.sequence[queue.queue_arn] = me.sequence.get(queue.queue_arn, 0) + 1
                message.sequence_number = f"{me.sequence[queue.queue_arn]:020d}"
            orig_add(queue, message)

        def purge_queue(backend: Any, queue_name: str) -> None:
            orig_purge(backend, queue_name)
            me.dedup.forget_queue(backend.get_queue(queue_name).queue_arn)

        patchers = clock_patches(clock) if clock.simulated else []
        return [
            *patchers,
            *attribute_patches(),
            *untracked_messages(),
            mock.patch.object(_Queue, "add_message", add_message),
            mock.patch.object(_Backend, "purge_queue", purge_queue),
            *receive_patches(self.receiver),
            *handle_patches(clock),
            *validation_patches(),
            *redrive_patches(),
            *task_patches(self.tasks),
        ]
