"""Each corrected figure in helpers.limits, pinned with the AWS source that states it.

A figure AWS changes must be changed here and in limits.py together, with the new source.
"""

from __future__ import annotations

import pytest

from helpers.platform import limits

COMPUTE_BLOG_1MB = ("AWS Compute Blog, 'More room to build: serverless services now support "
                    "payloads up to 1 MB' (January 2026), https://aws.amazon.com/blogs/compute/"
                    "more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb")

#: (constant, value, source) for every figure notebooks 00-02 corrected.
CORRECTED = [
    ("EVENTBRIDGE_MAX_EVENT_BYTES", 1_048_576, COMPUTE_BLOG_1MB + " (256 KB before)"),
    ("SQS_MAX_MESSAGE_BYTES", 1_048_576,
     "AWS What's New, 'Amazon SQS increases maximum message payload size to 1 MiB' (August 2025)"),
    ("LAMBDA_MAX_ASYNC_PAYLOAD_BYTES", 1_048_576,
     "Lambda API reference, Invoke: 'For asynchronous invocations, the maximum payload size is "
     "1 MB'; " + COMPUTE_BLOG_1MB),
    ("SNS_MAX_MESSAGE_BYTES", 262_144,
     "SNS developer guide, large message payloads: 262,144 bytes (256 KiB) is a topic's default "
     "MaximumMessageSize; a topic may set up to 1,048,576"),
    ("EVENTBRIDGE_PUT_EVENTS_TPS_US_EAST_1", 10_000,
     "EventBridge user guide, 'Amazon EventBridge quotas': PutEvents throttle limit in "
     "transactions per second, us-east-1, adjustable; https://docs.aws.amazon.com/eventbridge/"
     "latest/userguide/eb-quota.html"),
    ("KINESIS_DEFAULT_RETENTION_HOURS", 24,
     "Kinesis developer guide, 'Change the data retention period': 24 hours by default"),
    ("KINESIS_MAX_RETENTION_HOURS", 8_760,
     "same page: up to 8760 hours (365 days)"),
    ("SNS_FIFO_MAX_ARCHIVE_DAYS", 365,
     "SNS developer guide, 'Amazon SNS message archiving and replay for FIFO topics': up to 365 "
     "days"),
    ("SQS_QUEUE_NAME_REUSE_WAIT_SECONDS", 60,
     "SQS API reference, CreateQueue: 'you must wait at least 60 seconds before creating a queue "
     "with the same name' (QueueDeletedRecently)"),
    ("SQS_MIN_MAX_RECEIVE_COUNT", 1, "SQS developer guide, dead-letter queues: 1 to 1,000"),
    ("SQS_MAX_MAX_RECEIVE_COUNT", 1000, "SQS developer guide, dead-letter queues: 1 to 1,000"),
]


@pytest.mark.parametrize(("name", "value", "source"), CORRECTED, ids=[c[0] for c in CORRECTED])
def test_corrected_figure_matches_its_source(name, value, source):
    # GIVEN the figure as the source states it
    # WHEN the course reads the constant
    got = getattr(limits, name)
    # THEN it is the source's figure, and it is public
    assert got == value, f"{name} = {got}, but {source} gives {value}"
    assert name in limits.__all__


def test_one_mb_payloads_are_four_times_the_old_256_kb():
    # GIVEN the old 256 KB ceiling
    old = 256 * 1024
    # THEN SQS, EventBridge and asynchronous Lambda moved to four times it; SNS's default did not
    assert limits.SQS_MAX_MESSAGE_BYTES == limits.EVENTBRIDGE_MAX_EVENT_BYTES == 4 * old
    assert limits.LAMBDA_MAX_ASYNC_PAYLOAD_BYTES == 4 * old
    assert limits.SNS_MAX_MESSAGE_BYTES == old


def test_every_constant_has_a_source_comment():
    # GIVEN the module's text
    from pathlib import Path
    lines = Path(limits.__file__).read_text().splitlines()
    # THEN each constant in __all__ is preceded by a "#:" comment
    for name in limits.__all__:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name} = "))
        assert lines[index - 1].startswith("#:"), f"{name} has no comment"


def test_xray_maintenance_date_is_the_one_aws_gives():
    # GIVEN the X-Ray developer guide's date (SDKs and daemon in maintenance mode, use OpenTelemetry)
    # THEN the constant carries it, ISO-formatted, and notebook 07 says the same day
    import json
    from pathlib import Path
    assert limits.XRAY_SDK_MAINTENANCE_SINCE == "2026-02-25"
    nb = Path(__file__).resolve().parents[2] / "notebooks" / "07_observability_and_analytics.ipynb"
    text = "".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])
    assert "25 February 2026" in text and "OpenTelemetry" in text
