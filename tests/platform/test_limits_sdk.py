"""The course's limits against the installed SDK's own service models.

botocore ships AWS's API documentation with each release (``botocore/data/<service>/<version>/
service-2.json.gz``): shape ranges (``min``/``max``) and documentation strings that state
figures. Each row below names a constant of :mod:`helpers.platform.limits`, where the model
states its figure, and the AWS page the constant cites. When a boto3 upgrade brings a model
that says otherwise, the test fails naming the constant, the model's words and the source: the
lesson that teaches the figure needs a look.

Figures no model states (Step Functions retrier defaults, the SNS delivery schedule, FIFO
ordering, the DLQ ``maxReceiveCount`` range, ...) are pinned by ``tests/platform/test_limits.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
import pytest

from helpers.platform import limits

MIB = 1_048_576
WORDS = {"five": 5, "ten": 10}


@dataclass(frozen=True)
class Fact:
    """One constant and where the model states it: a shape bound or a sentence (regex)."""

    constant: str
    service: str
    where: str  # "Shape" (shape bound), "Shape.Member" or "Operation" (documentation)
    pattern: str = ""  # regex with one group: the figure; "" = the shape's bound
    bound: str = "max"
    scale: int = 1  # model figure x scale = the constant (MiB, minutes ...)
    source: str = ""


SQS_API, SQS_DG = "SQS API reference", "SQS developer guide"
FACTS = [
    # --- SQS -------------------------------------------------------------------------------
    Fact("SQS_MAX_MESSAGE_BYTES", "sqs", "SendMessageRequest.MessageBody",
         r"maximum size is 1 MiB or ([\d,]+) bytes", source=SQS_API + ", SendMessage"),
    Fact("SQS_MAX_BATCH_PAYLOAD_BYTES", "sqs", "SendMessageBatch",
         r"are both 1 MiB ([\d,]+) bytes", source=SQS_API + ", SendMessageBatch"),
    Fact("SQS_MAX_BATCH_ENTRIES", "sqs", "SendMessageBatch", r"send up to (\d+) messages",
         source=SQS_API + ", SendMessageBatch"),
    Fact("SQS_MAX_BATCH_ENTRY_ID_CHARS", "sqs", "ChangeMessageVisibilityBatchRequestEntry.Id",
         r"can have up to (\d+) characters", source=SQS_API + ", batch entry Id"),
    Fact("SQS_MAX_GROUP_ID_CHARS", "sqs", "SendMessageBatchRequestEntry.MessageGroupId",
         r"length of MessageGroupId is (\d+) characters", source=SQS_API + ", MessageGroupId"),
    Fact("SQS_MAX_DEDUPLICATION_ID_CHARS", "sqs", "SendMessageRequest.MessageDeduplicationId",
         r"maximum length of MessageDeduplicationId is (\d+) characters",
         source=SQS_API + ", MessageDeduplicationId"),
    Fact("SQS_FIFO_DEDUPLICATION_INTERVAL_SECONDS", "sqs",
         "SendMessageBatchRequestEntry.MessageDeduplicationId",
         r"within a (\d+)-minute minimum deduplication interval", scale=60,
         source=SQS_DG + ", exactly-once processing"),
    Fact("SQS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES", "sqs", "CreateQueueRequest.Attributes",
         r"integer from ([\d,]+) bytes \(1 KiB\) to", source=SQS_API + ", CreateQueue"),
    Fact("SQS_MAX_DELAY_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"DelaySeconds – .{0,200}?from 0 to (\d+) seconds \(15 minutes\)",
         source=SQS_API + ", CreateQueue"),
    Fact("SQS_MIN_RETENTION_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"from (\d+) seconds \(1 minute\) to [\d,]+ seconds \(14 days\)",
         source=SQS_API + ", CreateQueue"),
    Fact("SQS_MAX_RETENTION_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"to ([\d,]+) seconds \(14 days\)", source=SQS_API + ", CreateQueue"),
    Fact("SQS_DEFAULT_RETENTION_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"Default: ([\d,]+) \(4 days\)", source=SQS_API + ", CreateQueue"),
    Fact("SQS_MAX_WAIT_TIME_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"ReceiveMessageWaitTimeSeconds – .{0,200}?from 0 to (\d+) \(seconds\)",
         source=SQS_API + ", CreateQueue"),
    Fact("SQS_MAX_VISIBILITY_TIMEOUT_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"VisibilityTimeout – .{0,200}?from 0 to ([\d,]+) \(12 hours\)",
         source=SQS_API + ", CreateQueue"),
    Fact("SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS", "sqs", "CreateQueueRequest.Attributes",
         r"VisibilityTimeout – .{0,300}?Default: (\d+)\.", source=SQS_API + ", CreateQueue"),
    Fact("SQS_MAX_REDRIVE_ALLOW_SOURCE_QUEUES", "sqs", "CreateQueueRequest.Attributes",
         r"specify up to (\d+) source queue ARNs", source=SQS_DG + ", dead-letter queues"),
    Fact("SQS_QUEUE_NAME_MAX_CHARS", "sqs", "CreateQueueRequest.QueueName",
         r"queue name can have up to (\d+) characters", source=SQS_API + ", CreateQueue"),
    Fact("SQS_QUEUE_NAME_REUSE_SECONDS", "sqs", "CreateQueue",
         r"wait at least (\d+) seconds before creating a queue", source=SQS_API + ", CreateQueue"),
    Fact("SQS_QUEUE_NAME_REUSE_WAIT_SECONDS", "sqs", "CreateQueue",
         r"wait at least (\d+) seconds before creating a queue", source=SQS_API + ", CreateQueue"),
    # --- SNS -------------------------------------------------------------------------------
    Fact("SNS_MAX_MESSAGE_BYTES", "sns", "CreateTopicInput.Attributes",
         r"The default is (\d+) \(256 KiB\)", source="SNS developer guide, large message payloads"),
    Fact("SNS_DEFAULT_MAXIMUM_MESSAGE_SIZE_BYTES", "sns", "PublishInput.Message",
         r"at most 256 KiB in size \(([\d,]+) bytes", source="SNS API reference, Publish"),
    Fact("SNS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES", "sns", "SetTopicAttributesInput.AttributeName",
         r"MaximumMessageSize – .{0,200}?Valid values are (\d+) to \d+",
         source="SNS API reference, SetTopicAttributes"),
    Fact("SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES", "sns", "SetTopicAttributesInput.AttributeName",
         r"MaximumMessageSize – .{0,200}?Valid values are \d+ to (\d+)",
         source="SNS API reference, SetTopicAttributes"),
    Fact("SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS", "sns", "SetTopicAttributesInput.AttributeName",
         r"must have (\d+) or fewer subscriptions", source="SNS developer guide, large message payloads"),
    Fact("SNS_MAX_BATCH_ENTRIES", "sns", "PublishBatch", r"Publishes up to (\d+) messages",
         source="SNS API reference, PublishBatch"),
    Fact("SNS_FIFO_DEDUPLICATION_INTERVAL_SECONDS", "sns", "PublishBatch",
         r"across batches for (\w+) minutes", scale=60, source="SNS API reference, PublishBatch"),
    # --- EventBridge (Classic) ---------------------------------------------------------------
    Fact("EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES", "events", "PutEventsRequestEntryList",
         source="EventBridge API reference, PutEvents"),
    Fact("EVENTBRIDGE_MAX_RETRY_ATTEMPTS", "events", "MaximumRetryAttempts",
         source="EventBridge API reference, RetryPolicy"),
    Fact("EVENTBRIDGE_DEFAULT_RETRY_ATTEMPTS", "events", "MaximumRetryAttempts",
         source="EventBridge user guide, retry policy (the default is the maximum)"),
    Fact("EVENTBRIDGE_MIN_EVENT_AGE_SECONDS", "events", "MaximumEventAgeInSeconds", bound="min",
         source="EventBridge API reference, RetryPolicy"),
    Fact("EVENTBRIDGE_DEFAULT_MAX_EVENT_AGE_SECONDS", "events", "MaximumEventAgeInSeconds",
         source="EventBridge user guide, retry policy (the default is the maximum)"),
    Fact("EVENTBRIDGE_RULE_NAME_MAX_CHARS", "events", "RuleName",
         source="EventBridge API reference, PutRule"),
    Fact("EVENTBRIDGE_MAX_TARGETS_PER_RULE", "events", "PutTargets",
         r"up to \w+ \((\d+)\) targets", source="EventBridge quotas; API reference, PutTargets"),
    # --- Lambda ------------------------------------------------------------------------------
    Fact("LAMBDA_MAX_ASYNC_PAYLOAD_BYTES", "lambda", "Invoke",
         r"asynchronous invocations, the maximum payload size is (\d+) MB", scale=MIB,
         source="Lambda API reference, Invoke (AWS writes 1 MB; the course counts 1,048,576)"),
    # --- Kinesis Data Streams ----------------------------------------------------------------
    Fact("KINESIS_MAX_PUT_RECORDS_ENTRIES", "kinesis", "PutRecordsRequestEntryList",
         source="Kinesis API reference, PutRecords"),
    Fact("KINESIS_MAX_PUT_RECORDS_BYTES", "kinesis", "PutRecords",
         r"up to a limit of (\d+) MiB for the entire request", scale=MIB,
         source="Kinesis API reference, PutRecords"),
    Fact("KINESIS_SHARD_WRITE_RECORDS_PER_SECOND", "kinesis", "CreateStream",
         r"writes up to ([\d,]+) records per second", source="Kinesis API reference, CreateStream"),
    # PutRecord's own page says "10 MiB per second" (the large-records edit); CreateStream,
    # PutRecords and the developer guide ("Handle large records": shard limits unchanged) say 1.
    Fact("KINESIS_SHARD_WRITE_BYTES_PER_SECOND", "kinesis", "CreateStream",
         r"data write total of (\d+) MiB per second", scale=MIB,
         source="Kinesis developer guide, quotas; API reference, CreateStream"),
    Fact("KINESIS_MAX_RECORD_BYTES", "kinesis", "GetRecords",
         r"Each data record can be up to (\d+) MiB in size by default", scale=MIB,
         source="Kinesis developer guide, Handle large records (1 MiB default)"),
    Fact("KINESIS_DEFAULT_MAX_RECORD_SIZE_KIB", "kinesis", "GetRecords",
         r"Each data record can be up to (\d+) MiB in size by default", scale=1024,
         source="Kinesis developer guide, Handle large records (1 MiB default)"),
    Fact("KINESIS_MIN_MAX_RECORD_SIZE_KIB", "kinesis", "MaxRecordSizeInKiB", bound="min",
         source="Kinesis API reference, UpdateMaxRecordSize"),
    Fact("KINESIS_MAX_MAX_RECORD_SIZE_KIB", "kinesis", "MaxRecordSizeInKiB",
         source="Kinesis API reference, UpdateMaxRecordSize"),
    Fact("KINESIS_DEFAULT_RETENTION_HOURS", "kinesis", "PutRecord",
         r"accessible for (\d+) hours from the time", source="Kinesis developer guide, retention"),
    Fact("KINESIS_MAX_RETENTION_HOURS", "kinesis", "IncreaseStreamRetentionPeriod",
         r"maximum value of a stream's retention period is (\d+) hours",
         source="Kinesis developer guide, retention"),
    # --- DynamoDB Streams, CloudWatch, CloudWatch Logs -----------------------------------------
    Fact("DYNAMODB_STREAMS_RETENTION_HOURS", "dynamodbstreams", "TrimmedDataAccessException",
         r"trim point \((\d+) hours\)", source="DynamoDB developer guide, DynamoDB Streams"),
    Fact("CLOUDWATCH_STANDARD_PERIOD_SECONDS", "cloudwatch", "GetMetricStatisticsInput.Period",
         r"as short as one minute \((\d+) seconds\)", source="CloudWatch API reference"),
    Fact("CLOUDWATCH_PUT_METRIC_DATA_MAX_DATUMS", "cloudwatch", "PutMetricData",
         r"no more than (\d+) different metrics", source="CloudWatch API reference, PutMetricData"),
    Fact("CLOUDWATCH_GET_METRIC_DATA_MAX_QUERIES", "cloudwatch",
         "GetMetricDataInput.MetricDataQueries", r"as many as (\d+) MetricDataQuery",
         source="CloudWatch API reference, GetMetricData"),
    Fact("LOGS_PUT_MAX_EVENTS", "logs", "PutLogEvents",
         r"maximum number of log events in a batch is ([\d,]+)",
         source="CloudWatch Logs API reference, PutLogEvents"),
    Fact("LOGS_PUT_MAX_BYTES", "logs", "PutLogEvents", r"maximum batch size is ([\d,]+) bytes",
         source="CloudWatch Logs API reference, PutLogEvents"),
    Fact("LOGS_EVENT_OVERHEAD_BYTES", "logs", "PutLogEvents", r"plus (\d+) bytes for each log event",
         source="CloudWatch Logs API reference, PutLogEvents"),
]


@cache
def _model(service: str) -> dict[str, Any]:
    loader = botocore.session.get_session().get_component("data_loader")
    return loader.load_service_model(service, "service-2")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html or "")).strip()


def _documentation(model: dict[str, Any], where: str) -> str:
    if "." in where:
        shape, member = where.split(".", 1)
        return _text(model["shapes"][shape]["members"][member].get("documentation", ""))
    if where in model["operations"]:
        return _text(model["operations"][where].get("documentation", ""))
    return _text(model["shapes"][where].get("documentation", ""))


def _figure(raw: str) -> int:
    return WORDS[raw.lower()] if raw.lower() in WORDS else int(raw.replace(",", ""))


def model_says(fact: Fact) -> tuple[int, str]:
    """The figure the installed model states for ``fact``, and the words (or bound) it uses."""
    model = _model(fact.service)
    if not fact.pattern:
        shape = model["shapes"][fact.where]
        return shape[fact.bound] * fact.scale, f"shape {fact.where}: {fact.bound} {shape[fact.bound]}"
    text = _documentation(model, fact.where)
    found = re.search(fact.pattern, text)
    assert found, (f"{fact.constant}: the {fact.service} model's {fact.where} no longer says "
                   f"/{fact.pattern}/; read it and update the row (source: {fact.source}).")
    start = max(0, found.start() - 40)
    return _figure(found.group(1)) * fact.scale, "…" + text[start:found.end() + 40] + "…"


@pytest.mark.parametrize("fact", FACTS, ids=[f.constant for f in FACTS])
def test_course_constant_agrees_with_the_sdk_model(fact):
    # GIVEN the installed botocore's model of the service
    # WHEN we read the figure it states
    figure, words = model_says(fact)
    # THEN the course's constant is that figure
    ours = getattr(limits, fact.constant)
    assert ours == figure, (
        f"limits.{fact.constant} = {ours:,} but botocore's {fact.service} model "
        f"({fact.where}) says {figure:,}: {words!r}. Source the constant cites: {fact.source}. "
        "Check the AWS page, then fix the constant and the lessons that teach it.")


def test_large_sns_topics_allow_the_protocols_the_model_names():
    # GIVEN SetTopicAttributes' documentation of MaximumMessageSize
    text = _documentation(_model("sns"), "SetTopicAttributesInput.AttributeName")
    sentence = re.search(r"each subscription must be an ([^.]+) subscription", text).group(1)
    # THEN each protocol the course allows is named there, and no more
    names = {"sqs": "Amazon SQS", "firehose": "Amazon Data Firehose", "lambda": "Lambda"}
    assert {p: names[p] in sentence for p in limits.SNS_LARGE_MESSAGE_PROTOCOLS} == dict.fromkeys(
        limits.SNS_LARGE_MESSAGE_PROTOCOLS, True), sentence
    assert sentence.count(",") + 1 == len(limits.SNS_LARGE_MESSAGE_PROTOCOLS), sentence


def test_a_changed_model_fails_naming_constant_words_and_source(monkeypatch):
    # GIVEN a model whose PutEvents entry list grew to 20
    fact = next(f for f in FACTS if f.constant == "EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES")
    model = {"shapes": {"PutEventsRequestEntryList": {"max": 20}}, "operations": {}}
    monkeypatch.setitem(_model.__wrapped__.__globals__, "_model", lambda service: model)
    # WHEN the check runs
    with pytest.raises(AssertionError) as err:
        test_course_constant_agrees_with_the_sdk_model(fact)
    # THEN the failure names the constant, the model's words and the source
    message = str(err.value)
    assert "EVENTBRIDGE_MAX_PUT_EVENTS_ENTRIES = 10" in message
    assert "max 20" in message and "PutEvents" in message


def test_every_constant_names_a_source_and_the_date_it_was_checked():
    # GIVEN limits.py's text
    from pathlib import Path
    lines = Path(limits.__file__).read_text().splitlines()
    undated = []
    for name in limits.__all__:
        # WHEN we read the comments that govern the constant: its section's header block and
        # its own "#:" lines
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{name} = "))
        start = max(i for i in range(at) if lines[i].startswith("# ---"))
        block = " ".join(line for line in lines[start:at + 1] if line.startswith("#"))
        # THEN they name a date of checking and a source
        if not re.search(r"checked[\s#]*\d{4}-\d{2}-\d{2}", block, re.IGNORECASE) or not re.search(
                r"guide|reference|What's New|Blog|model", block, re.IGNORECASE):
            undated.append(name)
    assert not undated, f"constants without a source and a check date: {undated}"
