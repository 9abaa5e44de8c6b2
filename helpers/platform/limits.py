"""AWS limits and guarantees the course teaches, one named constant each, with its unit.

Every figure comes from the AWS developer guides and API references of SQS, SNS and
EventBridge, or from the AWS announcement that changed it (see ``shared/aws-facts.md`` in the
course repository); a figure that changed says when. ``tests/platform/test_limits.py`` pins each one
with its source. Tests may shrink a limit by patching the constant; helpers always read it
from here.

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
    "EVENTBRIDGE_PUT_EVENTS_TPS_US_EAST_1",
    "LAMBDA_MAX_ASYNC_PAYLOAD_BYTES",
    "KINESIS_DEFAULT_RETENTION_HOURS",
    "KINESIS_MAX_RETENTION_HOURS",
    "SNS_FIFO_MAX_ARCHIVE_DAYS",
    "SQS_QUEUE_NAME_REUSE_WAIT_SECONDS",
    "EVENTBRIDGE_MAX_EVENT_BYTES_BEFORE_2026",
    "EVENTBRIDGE_MAX_RETRY_ATTEMPTS",
    "EVENTBRIDGE_MIN_EVENT_AGE_SECONDS",
    "EVENTBRIDGE_MAX_TARGETS_PER_RULE",
    # nb06: Step Functions, Kinesis, DynamoDB Streams
    "SFN_DEFAULT_RETRY_INTERVAL_SECONDS",
    "SFN_DEFAULT_RETRY_MAX_ATTEMPTS",
    "SFN_DEFAULT_RETRY_BACKOFF_RATE",
    "SFN_MAX_TASK_TOKEN_WAIT_SECONDS",
    "SFN_ACTIVITY_POLL_SECONDS",
    "SFN_MAX_EXECUTION_NAME_CHARS",
    "KINESIS_SHARD_WRITE_RECORDS_PER_SECOND",
    "KINESIS_SHARD_WRITE_BYTES_PER_SECOND",
    "KINESIS_MAX_PUT_RECORDS_ENTRIES",
    "KINESIS_MAX_RECORD_BYTES",
    "KINESIS_MAX_PUT_RECORDS_BYTES",
    "KINESIS_DEFAULT_RETENTION_HOURS",
    "DYNAMODB_STREAMS_RETENTION_HOURS",
    "SQS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES",
    "SQS_MAX_MOVE_TASK_MESSAGES_PER_SECOND",
]

# --- SQS -------------------------------------------------------------------------------
# Sources: SQS developer guide (quotas, dead-letter queues, FIFO); SQS API reference (CreateQueue,
# SendMessage, SendMessageBatch). Checked 2026-12-05; the figures the SDK's SQS model states are
# compared with it by tests/platform/test_limits_sdk.py.
#: Largest message, in bytes, attributes included: 1 MiB since August 2025 (256 KiB,
#: 262,144 bytes, before). AWS What's New, "Amazon SQS increases maximum message payload size
#: to 1 MiB" (August 2025); SQS developer guide, quotas.
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
#: Smallest ``maxReceiveCount`` of a redrive policy the API accepts (range 1-1,000, SQS
#: developer guide, dead-letter queues). For a queue behind Lambda, the Lambda developer guide
#: advises at least 5; the API range is all this constant states.
SQS_MIN_MAX_RECEIVE_COUNT = 1
#: Largest ``maxReceiveCount`` of a redrive policy.
SQS_MAX_MAX_RECEIVE_COUNT = 1000
#: Source queues a ``byQueue`` redrive-allow policy may name.
SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES = 10
#: Characters in a queue name, ``.fifo`` suffix included.
SQS_QUEUE_NAME_MAX_CHARS = 80

# --- SNS -------------------------------------------------------------------------------
# Sources: SNS developer guide (quotas, large message payloads, filter policy constraints,
# delivery retries); SNS API reference. Checked 2026-12-05 (tests/platform/test_limits_sdk.py for what
# the SDK's SNS model states).
#: Largest SNS message, in bytes, attributes included, on a topic that keeps the default
#: ``MaximumMessageSize`` (256 KiB). A topic may set 1,024-1,048,576 bytes (see
#: ``SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES``); ``helpers.sns`` reads the topic's own setting.
#: SNS developer guide, "Publishing large messages with Amazon SNS"; botocore 1.44
#: ``SetTopicAttributes`` documentation (checked 2026-12-05; the SNS quotas page said 256 KB,
#: unchanged, until the attribute arrived).
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
# Lab 2 (SNS notifications) -- SNS Developer Guide: "Amazon SNS message delivery retries",
# "Amazon SNS message archiving and replay", "Publishing to batch"; Lambda Developer Guide:
# "Error handling and automatic retries in Lambda" (asynchronous invocation).
#: Entries in one PublishBatch call.
SNS_MAX_BATCH_ENTRIES = 10
#: FIFO topic deduplication interval, in seconds.
SNS_FIFO_DEDUPLICATION_INTERVAL_SECONDS = 300
#: Retries of the default HTTP(S) delivery policy (20 s apart).
SNS_HTTP_DEFAULT_RETRIES = 3
#: Largest ``numRetries`` of an HTTP(S) delivery policy.
SNS_HTTP_MAX_RETRIES = 100
#: Longest retention of a FIFO topic's message archive, in days.
SNS_ARCHIVE_MAX_RETENTION_DAYS = 365
#: Retries Lambda makes of a failed asynchronous invocation (1 min, then 2 min later).
LAMBDA_ASYNC_MAX_RETRIES = 2

# --- EventBridge -----------------------------------------------------------------------
# Sources: EventBridge user guide (quotas, retry policy); API reference (PutEvents, RetryPolicy,
# PutRule). Checked 2026-12-05 (tests/platform/test_limits_sdk.py for the model's ranges).
#: Entries in one PutEvents call; failures are reported per entry (re-send those).
EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES = 10
#: Size of the entries of one PutEvents call (one event or up to 10), in bytes, counted as the
#: User Guide's "Calculating PutEvents event entry size" says: 1 MB since 29 January 2026
#: (256 KB, 262,144 bytes, before). AWS Compute Blog, "More room to build: serverless services
#: now support payloads up to 1 MB"; the API reference pages still cite 256 KB in places. AWS
#: writes "1 MB"; counted here as 1,048,576 bytes, like SQS's 1 MiB. Over it, PutEvents fails
#: with ValidationException "Total size of the entries in the request is over the limit."
#: (LocalStack snapshot, recorded against AWS).
EVENTBRIDGE_MAX_EVENT_BYTES = 1_048_576
#: Default retry attempts to a target (with backoff and jitter) before dropping or DLQ.
EVENTBRIDGE_DEFAULT_RETRY_ATTEMPTS = 185
#: Default maximum event age for target retries, in seconds (24 hours).
EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400
#: Characters in a rule name.
EVENTBRIDGE_RULE_NAME_MAX_CHARS = 64

# --- Corrected facts (notebooks 00-02) -------------------------------------------------
# Each constant below names its page; checked 2026-12-05.
#: PutEvents throttle quota, in transactions per second, per account in us-east-1 (other
#: Regions are lower). A quota per Region, adjustable through Service Quotas: EventBridge has
#: no shards. EventBridge user guide, "Amazon EventBridge quotas".
EVENTBRIDGE_PUT_EVENTS_TPS_US_EAST_1 = 10_000
#: Largest payload of an asynchronous Lambda invocation, in bytes: 1 MB since January 2026
#: (256 KB before; synchronous invocations: 6 MB). Lambda API reference, Invoke; AWS Compute
#: Blog, "More room to build: serverless services now support payloads up to 1 MB".
LAMBDA_MAX_ASYNC_PAYLOAD_BYTES = 1_048_576
#: Kinesis Data Streams keeps records this many hours by default (24 h). Kinesis developer
#: guide, "Change the data retention period".
KINESIS_DEFAULT_RETENTION_HOURS = 24
#: ... and at most this many hours (8,760 h = 365 days), same page.
KINESIS_MAX_RETENTION_HOURS = 8_760
#: Days an SNS FIFO topic's archive policy may keep messages for replay (1-365). SNS
#: developer guide, "Amazon SNS message archiving and replay for FIFO topics" (since 2023).
SNS_FIFO_MAX_ARCHIVE_DAYS = 365
#: Seconds to wait after DeleteQueue before a queue of the same name can be created
#: (``QueueDeletedRecently``). SQS API reference, CreateQueue.
SQS_QUEUE_NAME_REUSE_WAIT_SECONDS = 60
# --- EventBridge (Lab 3) -----------------------------------------------------------------
# EventBridge API reference (RetryPolicy, PutTargets) and quotas; checked 2026-12-05.
#: The same limit before 29 January 2026 (256 KB).
EVENTBRIDGE_MAX_EVENT_BYTES_BEFORE_2026 = 262_144
#: Largest RetryPolicy.MaximumRetryAttempts (API reference, RetryPolicy: 0-185).
EVENTBRIDGE_MAX_RETRY_ATTEMPTS = 185
#: Smallest RetryPolicy.MaximumEventAgeInSeconds (API reference, RetryPolicy: 60-86,400 s).
EVENTBRIDGE_MIN_EVENT_AGE_SECONDS = 60
#: Targets per rule (EventBridge quotas: 5).
EVENTBRIDGE_MAX_TARGETS_PER_RULE = 5
# --- Step Functions (nb06) -------------------------------------------------------------
# AWS Step Functions Developer Guide, "Handling errors in Step Functions workflows" (Retry
# fields) and "Service quotas" (checked 2026-12-01).
#: Default ``IntervalSeconds`` of a Retrier, in seconds.
SFN_DEFAULT_RETRY_INTERVAL_SECONDS = 1
#: Default ``MaxAttempts`` of a Retrier (retries after the first attempt).
SFN_DEFAULT_RETRY_MAX_ATTEMPTS = 3
#: Default ``BackoffRate`` of a Retrier (multiplier per retry).
SFN_DEFAULT_RETRY_BACKOFF_RATE = 2.0
#: Longest a ``.waitForTaskToken`` task may wait for its callback, in seconds (a Standard
#: workflow's one-year execution limit).
SFN_MAX_TASK_TOKEN_WAIT_SECONDS = 365 * 86_400
#: Longest one ``GetActivityTask`` call waits for a task before answering without one, in
#: seconds. Step Functions API Reference, "GetActivityTask": "the maximum time the service
#: holds on to the request before responding is 60 seconds" (checked 2026-12-05).
SFN_ACTIVITY_POLL_SECONDS = 60
#: StartExecution's ``name``: 1 to 80 characters (botocore model ``Name``: min 1, max 80).
SFN_MAX_EXECUTION_NAME_CHARS = 80

# --- Kinesis Data Streams (nb06) -------------------------------------------------------
# Kinesis Data Streams API Reference, "PutRecords": "Each PutRecords request can support up
# to 500 records. Each record in the request can be as large as 10 MiB, up to a limit of 10 MiB
# for the entire request, including partition keys. Each shard can support writes up to 1,000
# records per second, up to a maximum data write total of 1 MB per second." (checked
# 2026-12-05; a record above 1 MiB needs the stream's UpdateMaxRecordSize, see below). Developer Guide, "Change the data retention period": 24 hours by default.
#: Records one shard accepts per second (writes).
KINESIS_SHARD_WRITE_RECORDS_PER_SECOND = 1_000
#: Bytes (data + partition key) one shard accepts per second (writes; 1 MiB).
KINESIS_SHARD_WRITE_BYTES_PER_SECOND = 1_048_576
#: Records in one PutRecords call.
KINESIS_MAX_PUT_RECORDS_ENTRIES = 500
#: Largest record (data + partition key), in bytes, of a stream that keeps the default (1 MiB);
#: ``UpdateMaxRecordSize`` raises it per stream to up to 10 MiB.
KINESIS_MAX_RECORD_BYTES = 1_048_576
#: Largest PutRecords request, partition keys included, in bytes: 10 MiB (5 MiB before the
#: large-records change; Kinesis API reference, PutRecords, checked 2026-12-05).
KINESIS_MAX_PUT_RECORDS_BYTES = 10_485_760
#: Default retention of a stream, in hours (extendable to 8,760).
KINESIS_DEFAULT_RETENTION_HOURS = 24

# --- DynamoDB Streams (nb06) -----------------------------------------------------------
# DynamoDB Developer Guide, "Change data capture for DynamoDB Streams": stream records are
# kept for 24 hours (checked 2026-12-01).
#: How long a DynamoDB stream keeps a record, in hours.
DYNAMODB_STREAMS_RETENTION_HOURS = 24
# --- CloudWatch, CloudWatch Logs, X-Ray (notebook 07) ---------------------------------------
# Checked 2026-12-05 (tests/platform/test_limits_sdk.py for the CloudWatch and Logs models' figures).
# Sources: Amazon SQS Developer Guide, "Available CloudWatch metrics for Amazon SQS"; CloudWatch
# API Reference (PutMetricData, GetMetricData); CloudWatch Logs API Reference (PutLogEvents);
# X-Ray API Reference (BatchGetTraces, PutTraceSegments).
#: Seconds between the AWS/SQS datapoints SQS publishes for a queue (one-minute resolution).
SQS_METRICS_PERIOD_SECONDS = 60
#: Receives after which ApproximateAgeOfOldestMessage skips a message (SQS Developer Guide).
SQS_AGE_METRIC_SKIPS_AFTER_RECEIVES = 3
#: Shortest period of a standard-resolution metric alarm, in seconds.
CLOUDWATCH_STANDARD_PERIOD_SECONDS = 60
#: Metric datums in one PutMetricData call (1,000 since 2023; 20 before).
CLOUDWATCH_PUT_METRIC_DATA_MAX_DATUMS = 1_000
#: Queries in one GetMetricData call.
CLOUDWATCH_GET_METRIC_DATA_MAX_QUERIES = 500
#: Characters in a composite alarm's AlarmRule (CloudWatch API Reference, PutCompositeAlarm).
CLOUDWATCH_ALARM_RULE_MAX_CHARS = 10_240
#: Log events in one PutLogEvents batch.
LOGS_PUT_MAX_EVENTS = 10_000
#: Bytes in one PutLogEvents batch (sum of UTF-8 messages plus 26 bytes per event).
LOGS_PUT_MAX_BYTES = 1_048_576
#: Bytes PutLogEvents adds to each event's message when it sizes a batch.
LOGS_EVENT_OVERHEAD_BYTES = 26
#: Trace ids in one BatchGetTraces call.
XRAY_BATCH_GET_TRACES_MAX_IDS = 5
#: Bytes in one segment document sent with PutTraceSegments (64 KB).
XRAY_SEGMENT_DOCUMENT_MAX_BYTES = 65_536

__all__ += [
    "SQS_METRICS_PERIOD_SECONDS", "SQS_AGE_METRIC_SKIPS_AFTER_RECEIVES",
    "CLOUDWATCH_STANDARD_PERIOD_SECONDS", "CLOUDWATCH_PUT_METRIC_DATA_MAX_DATUMS",
    "CLOUDWATCH_GET_METRIC_DATA_MAX_QUERIES", "LOGS_PUT_MAX_EVENTS", "LOGS_PUT_MAX_BYTES",
    "LOGS_EVENT_OVERHEAD_BYTES", "XRAY_BATCH_GET_TRACES_MAX_IDS", "XRAY_SEGMENT_DOCUMENT_MAX_BYTES",
    "CLOUDWATCH_ALARM_RULE_MAX_CHARS",
]
# --- Safety and reliability -----------------------------------------------------------------
# Checked 2026-12-05.
# Sources: SQS API reference, CreateQueue ("After you delete a queue, you must wait at least
# 60 seconds before creating a queue with the same name") and the QueueDeletedRecently error;
# SendMessage ("A message can include only XML, JSON, and unformatted text ... #x9 | #xA |
# #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"; "The minimum size is one
# character"); MessageGroupId ("The maximum length of MessageGroupId is 128 characters.
# Valid values: alphanumeric characters and punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)").
__all__ += ["SQS_QUEUE_NAME_REUSE_SECONDS", "SQS_MIN_MESSAGE_CHARS"]
#: Seconds AWS refuses a deleted queue's name for a new queue (QueueDeletedRecently).
SQS_QUEUE_NAME_REUSE_SECONDS = 60
#: Characters a message body has at least (SQS rejects an empty body).
SQS_MIN_MESSAGE_CHARS = 1
# --- SQS: limits the SQS stand-ins check (helpers.emulation.sqs) -------------------------
# CreateQueue and StartMessageMoveTask API references; checked 2026-12-05.
#: Smallest MaximumMessageSize a queue may set, in bytes (1 KiB). CreateQueue API reference.
SQS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES = 1_024
#: Largest MaxNumberOfMessagesPerSecond of a message move task, in messages per second; the
#: emulated task also moves at this rate when none is given (AWS: "system optimized").
#: StartMessageMoveTask API reference.
SQS_MAX_MOVE_TASK_MESSAGES_PER_SECOND = 500
# --- Lambda asynchronous invocation and Step Functions workflow types (notebook 09) -------
# Sources: Lambda Developer Guide, "Configuring error handling for asynchronous invocation"
# and the PutFunctionEventInvokeConfig API reference (MaximumEventAgeInSeconds 60-21,600,
# MaximumRetryAttempts 0-2); Step Functions Developer Guide, "Choosing workflow type in Step
# Functions" (Standard up to one year, Express up to five minutes); checked 2026-12-05.
__all__ += ["LAMBDA_ASYNC_MAX_EVENT_AGE_SECONDS", "LAMBDA_ASYNC_MIN_EVENT_AGE_SECONDS",
            "SFN_STANDARD_MAX_DURATION_SECONDS", "SFN_EXPRESS_MAX_DURATION_SECONDS"]
#: Longest (and default) age of an event in Lambda's asynchronous queue, in seconds (6 h).
LAMBDA_ASYNC_MAX_EVENT_AGE_SECONDS = 21_600
#: Smallest MaximumEventAgeInSeconds, in seconds.
LAMBDA_ASYNC_MIN_EVENT_AGE_SECONDS = 60
#: Longest Standard workflow execution, in seconds (one year).
SFN_STANDARD_MAX_DURATION_SECONDS = 31_536_000
#: Longest Express workflow execution, in seconds (five minutes).
SFN_EXPRESS_MAX_DURATION_SECONDS = 300
# Step Functions prices, us-east-1, from aws.amazon.com/step-functions/pricing (checked
# December 2026): Standard per state transition (retries included; 4,000 free per month);
# Express per request plus duration, rounded up to 100 ms, memory billed in 64-MB chunks.
__all__ += ["SFN_STANDARD_USD_PER_TRANSITION", "SFN_STANDARD_FREE_TRANSITIONS_PER_MONTH",
            "SFN_EXPRESS_USD_PER_REQUEST", "SFN_EXPRESS_USD_PER_GB_SECOND"]
#: Standard: US dollars per state transition ($0.025 per 1,000).
SFN_STANDARD_USD_PER_TRANSITION = 0.000025
#: Standard: state transitions free each month (the free tier does not expire).
SFN_STANDARD_FREE_TRANSITIONS_PER_MONTH = 4_000
#: Express: US dollars per request ($1.00 per million).
SFN_EXPRESS_USD_PER_REQUEST = 0.000001
#: Express: US dollars per GB-second of duration (first tier).
SFN_EXPRESS_USD_PER_GB_SECOND = 0.00001667
# --- EventBridge Custom Event Bus (API eventbridgev2, 2025-05-15; checked 2026-12-05) --------
# Sources, read 5 December 2026: the botocore model of the service (eventbridgev2 2025-05-15:
# RetryPolicy "0-185, default: 5" and "60-86400, default: 300"; RetentionPeriodInDays 1-365;
# PutEventsRequestEntryList 1-100; PutEvents "must not exceed 1 MB (1,048,576 bytes) ... applies
# to the request as a whole"; BatchConfiguration 1-500 (default 10) and 0-300 s (default 0);
# FilterList 1-50); the User Guide chapter "Amazon EventBridge event bus (Custom)" (ordering and
# deduplication: duplicates suppressed within "5 minutes (300 seconds)"); "Custom Event Bus
# quotas" (5 buses per account, 10,000 subscribers per bus, both adjustable).
__all__ += [
    "EVENTBRIDGE_V2_DEFAULT_RETRY_ATTEMPTS", "EVENTBRIDGE_V2_MAX_RETRY_ATTEMPTS",
    "EVENTBRIDGE_V2_DEFAULT_MAX_EVENT_AGE_SECONDS", "EVENTBRIDGE_V2_MIN_EVENT_AGE_SECONDS",
    "EVENTBRIDGE_V2_MAX_EVENT_AGE_SECONDS", "EVENTBRIDGE_V2_MIN_RETENTION_DAYS",
    "EVENTBRIDGE_V2_MAX_RETENTION_DAYS", "EVENTBRIDGE_V2_MAX_PUT_EVENTS_ENTRIES",
    "EVENTBRIDGE_V2_MAX_REQUEST_BYTES", "EVENTBRIDGE_V2_DEDUPLICATION_WINDOW_SECONDS",
    "EVENTBRIDGE_V2_DEFAULT_BATCH_SIZE", "EVENTBRIDGE_V2_MAX_BATCH_SIZE",
    "EVENTBRIDGE_V2_MAX_BATCH_WINDOW_SECONDS", "EVENTBRIDGE_V2_MAX_FILTERS",
    "EVENTBRIDGE_V2_BUSES_PER_ACCOUNT", "EVENTBRIDGE_V2_SUBSCRIBERS_PER_BUS",
]
#: Retries of a subscriber's delivery when its RetryPolicy sets none (Classic: 185). Model.
EVENTBRIDGE_V2_DEFAULT_RETRY_ATTEMPTS = 5
#: Largest RetryPolicy.MaxRetryAttempts of a subscriber. Model (0-185).
EVENTBRIDGE_V2_MAX_RETRY_ATTEMPTS = 185
#: Seconds a subscriber keeps retrying one event when its RetryPolicy sets none (Classic: 24 h).
EVENTBRIDGE_V2_DEFAULT_MAX_EVENT_AGE_SECONDS = 300
#: Smallest RetryPolicy.MaxEventAgeInSeconds of a subscriber, in seconds. Model (60-86400).
EVENTBRIDGE_V2_MIN_EVENT_AGE_SECONDS = 60
#: Largest RetryPolicy.MaxEventAgeInSeconds of a subscriber, in seconds (24 hours). Model.
EVENTBRIDGE_V2_MAX_EVENT_AGE_SECONDS = 86_400
#: Fewest days a bus retains every event (StorageConfiguration.RetentionPeriodInDays). Model.
EVENTBRIDGE_V2_MIN_RETENTION_DAYS = 1
#: Most days a bus retains every event. Model and User Guide ("1 to 365 days").
EVENTBRIDGE_V2_MAX_RETENTION_DAYS = 365
#: Entries in one PutEvents call of the Custom Event Bus (Classic: 10). Model (1-100).
EVENTBRIDGE_V2_MAX_PUT_EVENTS_ENTRIES = 100
#: Bytes of all entries of one PutEvents request together (1 MB). PutEvents API reference.
EVENTBRIDGE_V2_MAX_REQUEST_BYTES = 1_048_576
#: Seconds within which a repeated DeduplicationId (or content) is answered DEDUPLICATED.
EVENTBRIDGE_V2_DEDUPLICATION_WINDOW_SECONDS = 300
#: Events in one delivery to the target when BatchConfiguration sets no MaxBatchSize. Model.
EVENTBRIDGE_V2_DEFAULT_BATCH_SIZE = 10
#: Largest BatchConfiguration.MaxBatchSize. Model (1-500).
EVENTBRIDGE_V2_MAX_BATCH_SIZE = 500
#: Largest BatchConfiguration.MaxBatchWindowInSeconds, in seconds (default 0: no wait). Model.
EVENTBRIDGE_V2_MAX_BATCH_WINDOW_SECONDS = 300
#: Filters in one subscriber's FilterConfiguration (all must match). Model (FilterList 1-50).
EVENTBRIDGE_V2_MAX_FILTERS = 50
#: Custom Event Buses an account owns per Region by default (adjustable). Quotas page.
EVENTBRIDGE_V2_BUSES_PER_ACCOUNT = 5
#: Subscribers on one bus by default (adjustable). Quotas page.
EVENTBRIDGE_V2_SUBSCRIBERS_PER_BUS = 10_000
# --- SNS large messages, Kinesis record size (checked 2026-12-05) -----------------------
# SNS developer guide, "Publishing large messages with Amazon SNS"; botocore's SNS model,
# SetTopicAttributes/CreateTopic ("Valid values are 1024 to 1048576 (1 MiB). The default is
# 262144 (256 KiB). A topic with a MaximumMessageSize above 256 KiB must have 100 or fewer
# subscriptions, and each subscription must be an Amazon SQS, Amazon Data Firehose, or Lambda
# subscription."). Kinesis developer guide, "Handle large records"; Kinesis API reference,
# UpdateMaxRecordSize ("between 1024 and 10240 KiB"); shard throughput unchanged.
__all__ += ["SNS_DEFAULT_MAXIMUM_MESSAGE_SIZE_BYTES", "SNS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES",
            "SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES", "SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS",
            "SNS_LARGE_MESSAGE_PROTOCOLS", "SNS_FILTER_POLICY_PROPAGATION_SECONDS",
            "KINESIS_MIN_MAX_RECORD_SIZE_KIB", "KINESIS_MAX_MAX_RECORD_SIZE_KIB",
            "KINESIS_DEFAULT_MAX_RECORD_SIZE_KIB"]
#: A topic's ``MaximumMessageSize`` when none is set, in bytes (256 KiB).
SNS_DEFAULT_MAXIMUM_MESSAGE_SIZE_BYTES = SNS_MAX_MESSAGE_BYTES
#: Smallest ``MaximumMessageSize`` a topic may set, in bytes.
SNS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES = 1_024
#: Largest ``MaximumMessageSize`` a topic may set, in bytes (1 MiB).
SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES = 1_048_576
#: Subscriptions a topic set above 256 KiB may have.
SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS = 100
#: Protocols a topic set above 256 KiB may deliver to (Amazon SQS, AWS Lambda, Amazon Data
#: Firehose).
SNS_LARGE_MESSAGE_PROTOCOLS = ("sqs", "lambda", "firehose")
#: Seconds a new or changed subscription filter policy may take to take full effect on AWS
#: (up to 15 minutes). SNS developer guide, "Amazon SNS subscription filter policies".
SNS_FILTER_POLICY_PROPAGATION_SECONDS = 15 * 60
#: Smallest ``MaxRecordSizeInKiB`` of UpdateMaxRecordSize (1 MiB).
KINESIS_MIN_MAX_RECORD_SIZE_KIB = 1_024
#: Largest ``MaxRecordSizeInKiB`` of UpdateMaxRecordSize (10 MiB).
KINESIS_MAX_MAX_RECORD_SIZE_KIB = 10_240
#: A stream's maximum record size until UpdateMaxRecordSize changes it, in KiB (1 MiB).
KINESIS_DEFAULT_MAX_RECORD_SIZE_KIB = 1_024
# --- X-Ray (notebook 07; checked 2026-12-05) -----------------------------------------------
# X-Ray developer guide: the X-Ray SDKs and daemon entered maintenance mode on 25 February 2026;
# AWS recommends OpenTelemetry (AWS Distro for OpenTelemetry) for new instrumentation.
__all__ += ["XRAY_SDK_MAINTENANCE_SINCE"]
#: ISO date since which the X-Ray SDKs and daemon are in maintenance mode (X-Ray developer guide).
XRAY_SDK_MAINTENANCE_SINCE = "2026-02-25"
