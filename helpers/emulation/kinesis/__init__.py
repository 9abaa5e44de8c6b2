"""Kinesis Data Streams behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real service does it.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
each shard takes at most 1,000         unlimited writes per shard      per shard and simulated second:
records/s and 1 MiB/s of writes; more                                  ``PutRecord`` raises, and
is refused with                                                        ``PutRecords`` fails the entry
``ProvisionedThroughputExceeded-                                       with, AWS's error code and
Exception`` ("Rate exceeded for shard                                  message; ``throttle`` rows
... in stream ... under account ...")                                  ``emulated on moto``
a stream's maximum record size:        no UpdateMaxRecordSize             ``UpdateMaxRecordSize`` (1,024-
1 MiB by default, up to 10 MiB with    (NotImplementedError / HTTP        10,240 KiB, ``ValidationException``
``UpdateMaxRecordSize``; a larger      500); PutRecord takes any size;    outside), ``MaxRecordSizeInKiB`` in
record is refused; a PutRecords        PutRecords capped at 1 MiB per     DescribeStreamSummary and
request up to 10 MiB                   record and 5 MB per request        CreateStream; PutRecord(s) checked
                                                                          against the stream's setting
=====================================  ==============================  ==================================

A record larger than 1 MiB bursts past its shard's write rate; the shard then pays the excess
back at 1 MiB/s, refusing writes while it does ("Handle large records": shard limits unchanged,
large records are for intermittent use). Errors for a record over the stream's setting follow the shape of Kinesis's validation errors
(``1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have
length less than or equal to N``); AWS documents the exception, not this text.

The limits are :data:`helpers.platform.limits.KINESIS_SHARD_WRITE_RECORDS_PER_SECOND` and
``KINESIS_SHARD_WRITE_BYTES_PER_SECOND`` (tests shrink them by patching the constants).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["kinesis"].names()[0]
'per-shard write throughput (ProvisionedThroughputExceededException)'
>>> _ = env.teardown()
"""

from __future__ import annotations

from base64 import b64decode
from collections import defaultdict
from typing import Any
from unittest import mock

from moto.core.exceptions import JsonRESTError
from moto.kinesis import models as kinesis_models
from moto.kinesis import responses as kinesis_responses
from moto.kinesis.exceptions import TooManyRecords

from ...platform import limits
from .._base import _Patches
from ..sqs import EMULATED

__all__ = ["KinesisStandIns", "ProvisionedThroughputExceeded"]


class ProvisionedThroughputExceeded(JsonRESTError):
    """AWS's throttling error of a Kinesis write."""

    def __init__(self, message: str) -> None:
        super().__init__(error_type="ProvisionedThroughputExceededException", message=message)


class KinesisValidation(JsonRESTError):
    """Kinesis's ``ValidationException`` (request validation, in AWS's format)."""

    def __init__(self, message: str) -> None:
        super().__init__(error_type="ValidationException", message=f"1 validation error detected: {message}")


class RequestTooLarge(JsonRESTError):
    """A PutRecords request over its total size."""

    def __init__(self) -> None:
        super().__init__(error_type="InvalidArgumentException", message=(
            f"Records size exceeds {limits.KINESIS_MAX_PUT_RECORDS_BYTES // 1_048_576} MB limit"))


def _max_record_bytes(stream: Any) -> int:
    kib = getattr(stream, "max_record_size_kib", limits.KINESIS_DEFAULT_MAX_RECORD_SIZE_KIB)
    return int(kib) * 1024


def _check_record_size_kib(value: Any) -> int:
    low, high = limits.KINESIS_MIN_MAX_RECORD_SIZE_KIB, limits.KINESIS_MAX_MAX_RECORD_SIZE_KIB
    if not isinstance(value, int) or isinstance(value, bool):
        raise KinesisValidation(f"Value '{value}' at 'maxRecordSizeInKiB' failed to satisfy "
                                "constraint: Member must not be null")
    if value < low:
        raise KinesisValidation(f"Value '{value}' at 'maxRecordSizeInKiB' failed to satisfy "
                                f"constraint: Member must have value greater than or equal to {low}")
    if value > high:
        raise KinesisValidation(f"Value '{value}' at 'maxRecordSizeInKiB' failed to satisfy "
                                f"constraint: Member must have value less than or equal to {high}")
    return value


def _size(partition_key: str, data: Any) -> int:
    return len(b64decode(data or "")) + len(partition_key or "")


class KinesisStandIns(_Patches):
    """Installs and removes the Kinesis stand-ins; counts writes per shard and second."""

    SERVICE = "kinesis"
    NAMES = ("per-shard write throughput (ProvisionedThroughputExceededException)",
             "maximum record size per stream (UpdateMaxRecordSize, up to 10 MiB)")

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # (stream arn, shard id, whole simulated second) -> [records, bytes]
        self.usage: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])

    def _admit(self, stream: Any, partition_key: str, explicit_hash_key: Any, data: Any) -> None:
        shard = stream.get_shard_for_key(partition_key, explicit_hash_key)
        second = int(self.env.clock.time())
        used = self.usage[(stream.arn, shard.shard_id, second)]
        size = _size(partition_key, data)
        budget = limits.KINESIS_SHARD_WRITE_BYTES_PER_SECOND
        if size > budget and used == [0, 0]:
            # A large record (over 1 MiB, allowed by UpdateMaxRecordSize) bursts past the
            # shard's rate; the shard then pays it back at 1 MiB/s ("Handle large records").
            used[0], used[1] = 1, budget
            excess, ahead = size - budget, 1
            while excess > 0:
                self.usage[(stream.arn, shard.shard_id, second + ahead)][1] += min(budget, excess)
                excess, ahead = excess - budget, ahead + 1
            return
        if (used[0] + 1 > limits.KINESIS_SHARD_WRITE_RECORDS_PER_SECOND
                or used[1] + size > budget):
            self.env.log.record(service="kinesis", action="throttle", resource=stream.stream_name,
                                group=partition_key, outcome=EMULATED, detail=shard.shard_id)
            raise ProvisionedThroughputExceeded(
                f"Rate exceeded for shard {shard.shard_id} in stream {stream.stream_name} under "
                f"account {stream.account_id}.")
        used[0] += 1
        used[1] += size

    def _patches(self) -> list[Any]:
        """Patches of moto's Kinesis backend."""
        group = self
        orig_stream_put = kinesis_models.Stream.put_record

        def stream_put(stream: Any, partition_key: str, explicit_hash_key: Any, data: Any) -> Any:
            if _size(partition_key, data) > _max_record_bytes(stream):
                raise KinesisValidation(
                    "Value at 'data' failed to satisfy constraint: Member must have length less "
                    f"than or equal to {_max_record_bytes(stream)}")
            group._admit(stream, partition_key, explicit_hash_key, data)
            return orig_stream_put(stream, partition_key, explicit_hash_key, data)

        def put_records(backend: Any, stream_arn: str, stream_name: str, records: list[dict]) -> dict:
            stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
            if len(records) > limits.KINESIS_MAX_PUT_RECORDS_ENTRIES:
                raise TooManyRecords
            sizes = [_size(r.get("PartitionKey", ""), r.get("Data", "")) for r in records]
            if sum(sizes) > limits.KINESIS_MAX_PUT_RECORDS_BYTES:
                raise RequestTooLarge
            most = _max_record_bytes(stream)
            over = next((i for i, size in enumerate(sizes) if size > most), None)
            if over is not None:
                raise KinesisValidation(
                    f"Value at 'records.{over + 1}.member.data' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {most}")
            response: dict[str, Any] = {"FailedRecordCount": 0, "Records": []}
            for record in records:
                try:
                    sequence, shard_id = stream.put_record(
                        record.get("PartitionKey"), record.get("ExplicitHashKey"), record.get("Data"))
                except ProvisionedThroughputExceeded as err:
                    response["FailedRecordCount"] += 1
                    response["Records"].append({"ErrorCode": err.error_type, "ErrorMessage": err.message})
                    continue
                response["Records"].append({"SequenceNumber": sequence, "ShardId": shard_id})
            return response

        responses = kinesis_responses.KinesisResponse
        orig_create, orig_summary = responses.create_stream, responses.describe_stream_summary

        def update_max_record_size(response: Any) -> Any:
            from moto.core.responses import EmptyResult
            size = _check_record_size_kib(response._get_param("MaxRecordSizeInKiB"))
            stream = response.kinesis_backend.describe_stream(
                stream_arn=response._get_param("StreamARN"), stream_name=None)
            stream.max_record_size_kib = size
            group.env.log.record(service="kinesis", action="max-record-size",
                                 resource=stream.stream_name, outcome=EMULATED,
                                 detail=f"{size} KiB")
            return EmptyResult()

        def create_stream(response: Any) -> Any:
            size = response._get_param("MaxRecordSizeInKiB")
            if size is not None:
                _check_record_size_kib(size)
            result = orig_create(response)
            if size is not None:
                response.kinesis_backend.describe_stream(
                    stream_arn=None, stream_name=response._get_param("StreamName")
                ).max_record_size_kib = size
            return result

        def summary(response: Any) -> Any:
            result = orig_summary(response)
            stream = response.kinesis_backend.describe_stream(
                stream_arn=response._get_param("StreamARN"),
                stream_name=response._get_param("StreamName"))
            result.result["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] = (
                _max_record_bytes(stream) // 1024)
            return result

        return [mock.patch.object(kinesis_models.Stream, "put_record", stream_put),
                mock.patch.object(kinesis_models.KinesisBackend, "put_records", put_records),
                mock.patch.object(responses, "update_max_record_size", update_max_record_size,
                                  create=True),
                mock.patch.object(responses, "create_stream", create_stream),
                mock.patch.object(responses, "describe_stream_summary", summary)]
