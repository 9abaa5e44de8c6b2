"""A stream's maximum record size (UpdateMaxRecordSize, up to 10 MiB), on moto and over HTTP.

AWS: 1 MiB by default, 1,024 to 10,240 KiB with ``UpdateMaxRecordSize``; shard throughput
unchanged (Kinesis developer guide, "Handle large records"; API reference). moto 5.2 has no
``UpdateMaxRecordSize`` and accepts a PutRecord of any size: the stand-in supplies both.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from helpers.platform import limits

MIB = 1_048_576


def _stream(env, name="big-records"):
    kinesis = env.client("kinesis")
    kinesis.create_stream(StreamName=env.naming.name(name, "kinesis"), ShardCount=1)
    return kinesis, kinesis.describe_stream_summary(StreamName=env.naming.name(name, "kinesis"))[
        "StreamDescriptionSummary"]


def test_a_stream_takes_records_up_to_its_max_record_size(any_env):
    # GIVEN a new stream: 1 MiB records by default
    kinesis, summary = _stream(any_env)
    arn = summary["StreamARN"]
    assert summary["MaxRecordSizeInKiB"] == limits.KINESIS_DEFAULT_MAX_RECORD_SIZE_KIB
    # WHEN a 2 MiB record is written, THEN it is refused, naming the stream's limit
    with pytest.raises(ClientError) as info:
        kinesis.put_record(StreamARN=arn, PartitionKey="sku-1", Data=b"x" * 2 * MIB)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "less than or equal to 1048576" in info.value.response["Error"]["Message"]
    # WHEN the stream is raised to 10 MiB
    kinesis.update_max_record_size(StreamARN=arn,
                                   MaxRecordSizeInKiB=limits.KINESIS_MAX_MAX_RECORD_SIZE_KIB)
    # THEN the summary says so and the record goes in whole
    assert kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"][
        "MaxRecordSizeInKiB"] == 10_240
    shard = kinesis.put_record(StreamARN=arn, PartitionKey="sku-1", Data=b"x" * 2 * MIB)["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamARN=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator, StreamARN=arn)["Records"]
    assert [len(r["Data"]) for r in records] == [2 * MIB]


@pytest.mark.parametrize(("value", "words"), [(10_241, "less than or equal to 10240"),
                                              (20_000, "less than or equal to 10240")])
def test_a_size_over_10_mib_is_refused(any_env, value, words):
    kinesis, summary = _stream(any_env, "too-big")
    with pytest.raises(ClientError) as info:
        kinesis.update_max_record_size(StreamARN=summary["StreamARN"], MaxRecordSizeInKiB=value)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert f"Value '{value}' at 'maxRecordSizeInKiB'" in info.value.response["Error"]["Message"]
    assert words in info.value.response["Error"]["Message"]


def test_a_large_record_bursts_then_the_shard_pays_it_back(any_env):
    # GIVEN a 10 MiB stream with one shard (1 MiB/s of writes)
    kinesis, summary = _stream(any_env, "burst")
    arn = summary["StreamARN"]
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=10_240)
    any_env.clock.advance(1)
    # WHEN a 3 MiB record is written
    kinesis.put_record(StreamARN=arn, PartitionKey="k", Data=b"x" * 3 * MIB)
    # THEN the next second's small write is throttled (the shard is paying back 2 MiB) ...
    any_env.clock.advance(1)
    with pytest.raises(ClientError, match="ProvisionedThroughputExceededException|Rate exceeded"):
        kinesis.put_record(StreamARN=arn, PartitionKey="k", Data=b"small")
    # ... and after the payback (2 more seconds) writes go through again
    any_env.clock.advance(2)
    assert kinesis.put_record(StreamARN=arn, PartitionKey="k", Data=b"small")["SequenceNumber"]


def test_put_records_checks_each_record_against_the_stream(any_env):
    kinesis, summary = _stream(any_env, "batch")
    with pytest.raises(ClientError) as info:
        kinesis.put_records(StreamARN=summary["StreamARN"], Records=[
            {"PartitionKey": "a", "Data": b"ok"}, {"PartitionKey": "b", "Data": b"x" * (MIB + 1)}])
    assert "'records.2.member.data'" in info.value.response["Error"]["Message"]


def test_moto_alone_has_no_max_record_size(env):
    # GIVEN moto without the Kinesis stand-ins
    env.emulation["kinesis"].stop()
    kinesis, summary = _stream(env, "bare")
    # THEN UpdateMaxRecordSize is missing, the summary has no MaxRecordSizeInKiB ...
    assert "MaxRecordSizeInKiB" not in summary
    with pytest.raises(NotImplementedError):
        kinesis.update_max_record_size(StreamARN=summary["StreamARN"], MaxRecordSizeInKiB=2048)
    # ... and a 2 MiB PutRecord on a default (1 MiB) stream is accepted
    assert kinesis.put_record(StreamARN=summary["StreamARN"], PartitionKey="a",
                              Data=b"x" * 2 * MIB)["SequenceNumber"]
