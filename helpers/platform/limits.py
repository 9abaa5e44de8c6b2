"""AWS limits and guarantees the course teaches, one named constant each, with its unit.

Every figure comes from the AWS developer guides and API references of SQS, SNS and
EventBridge (see ``shared/aws-facts.md`` in the course repository). Tests may shrink a limit
by patching the constant; helpers always read it from here.

Example
-------
>>> from helpers import limits
>>> limits.SQS_MAX_BATCH_ENTRIES
10
"""

from __future__ import annotations

__all__ = [
    "SQS_MAX_MESSAGE_BYTES",
    "SQS_MAX_BATCH_ENTRIES",
    "SQS_MAX_BATCH_ENTRY_ID_CHARS",
    "SQS_MAX_BATCH_PAYLOAD_BYTES",
    "SQS_MAX_GROUP_ID_CHARS",
    "SQS_MAX_DEDUPLICATION_ID_CHARS",
    "SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS",
    "SQS_MAX_VISIBILITY_TIMEOUT_SECONDS",
    "SQS_DEFAULT_RETENTION_SECONDS",
    "SQS_MIN_RETENTION_SECONDS",
    "SQS_MAX_RETENTION_SECONDS",
    "SQS_MAX_DELAY_SECONDS",
    "SQS_MAX_WAIT_TIME_SECONDS",
    "SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS",
    "SQS_MIN_MAX_RECEIVE_COUNT",
    "SQS_MAX_MAX_RECEIVE_COUNT",
    "SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES",
    "SQS_QUEUE_NAME_MAX_CHARS",
    "SNS_MAX_MESSAGE_BYTES",
    "SNS_MAX_FILTER_POLICY_KEYS",
    "SNS_MAX_FILTER_POLICY_COMBINATIONS",
    "SNS_SQS_DELIVERY_ATTEMPTS",
    "SNS_SQS_DELIVERY_DAYS",
    "SNS_TOPIC_NAME_MAX_CHARS",
    "EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES",
    "EVENTBRIDGE_MAX_EVENT_BYTES",
    "EVENTBRIDGE_DEFAULT_RETRY_ATTEMPTS",
    "EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS",
    "EVENTBRIDGE_RULE_NAME_MAX_CHARS",
    "SQS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES",
    "SQS_MAX_MOVE_TASK_MESSAGES_PER_SECOND",
]

# --- SQS -------------------------------------------------------------------------------
#: Largest message body, in bytes (1 MiB; it was 256 KiB until 2025). SQS developer guide.
SQS_MAX_MESSAGE_BYTES = 1_048_576
#: Entries in one SendMessageBatch / DeleteMessageBatch / ReceiveMessage call.
SQS_MAX_BATCH_ENTRIES = 10
#: Characters in a batch entry ``Id`` (alphanumerics, hyphens, underscores; distinct).
SQS_MAX_BATCH_ENTRY_ID_CHARS = 80
#: Total body bytes of one SendMessageBatch call (the sum of its entries; 1 MiB).
SQS_MAX_BATCH_PAYLOAD_BYTES = 1_048_576
#: Characters in a MessageGroupId (letters, digits, punctuation).
SQS_MAX_GROUP_ID_CHARS = 128
#: Characters in a MessageDeduplicationId (letters, digits, punctuation).
SQS_MAX_DEDUPLICATION_ID_CHARS = 128
#: Default visibility timeout, in seconds.
SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30
#: Largest visibility timeout, in seconds (12 hours).
SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200
#: Default message retention, in seconds (4 days).
SQS_DEFAULT_RETENTION_SECONDS = 4 * 86_400
#: Shortest message retention, in seconds.
SQS_MIN_RETENTION_SECONDS = 60
#: Longest message retention, in seconds (14 days).
SQS_MAX_RETENTION_SECONDS = 14 * 86_400
#: Largest DelaySeconds, in seconds (15 minutes). FIFO queues have no per-message delay.
SQS_MAX_DELAY_SECONDS = 900
#: Largest WaitTimeSeconds of a long poll, in seconds.
SQS_MAX_WAIT_TIME_SECONDS = 20
#: FIFO deduplication interval, in seconds: an id is remembered this long, even after the
#: message was received and deleted.
SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS = 300
#: Smallest ``maxReceiveCount`` of a redrive policy (1 is allowed but discouraged).
SQS_MIN_MAX_RECEIVE_COUNT = 1
#: Largest ``maxReceiveCount`` of a redrive policy.
SQS_MAX_MAX_RECEIVE_COUNT = 1000
#: Source queues a ``byQueue`` redrive-allow policy may name.
SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES = 10
#: Characters in a queue name, ``.fifo`` suffix included.
SQS_QUEUE_NAME_MAX_CHARS = 80

# --- SNS -------------------------------------------------------------------------------
#: Largest SNS message, in bytes (256 KB).
SNS_MAX_MESSAGE_BYTES = 262_144
#: Keys in one filter policy.
SNS_MAX_FILTER_POLICY_KEYS = 5
#: Value combinations one filter policy may expand to.
SNS_MAX_FILTER_POLICY_COMBINATIONS = 150
#: Delivery attempts SNS makes to an SQS or Lambda endpoint before dropping the message.
SNS_SQS_DELIVERY_ATTEMPTS = 100_015
#: Days over which SNS spreads those attempts.
SNS_SQS_DELIVERY_DAYS = 23
#: Characters in a topic name (``.fifo`` included).
SNS_TOPIC_NAME_MAX_CHARS = 256

# --- EventBridge -----------------------------------------------------------------------
#: Entries in one PutEvents call; failures are reported per entry (re-send those).
EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES = 10
#: Size of one PutEvents entry, in bytes, as the PutEvents API reference gives it (256 KB).
#: Newer announcements cite 1 MB; the course teaches the API reference's figure.
EVENTBRIDGE_MAX_EVENT_BYTES = 262_144
#: Default retry attempts to a target (with backoff and jitter) before dropping or DLQ.
EVENTBRIDGE_DEFAULT_RETRY_ATTEMPTS = 185
#: Default maximum event age for target retries, in seconds (24 hours).
EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400
#: Characters in a rule name.
EVENTBRIDGE_RULE_NAME_MAX_CHARS = 64

# --- SQS: limits the SQS stand-ins check (helpers.emulation.sqs) -------------------------
#: Smallest MaximumMessageSize a queue may set, in bytes (1 KiB). CreateQueue API reference.
SQS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES = 1_024
#: Largest MaxNumberOfMessagesPerSecond of a message move task, in messages per second; the
#: emulated task also moves at this rate when none is given (AWS: "system optimized").
#: StartMessageMoveTask API reference.
SQS_MAX_MOVE_TASK_MESSAGES_PER_SECOND = 500
