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
=====================================  ==============================  ==================================

The limits are :data:`helpers.platform.limits.KINESIS_SHARD_WRITE_RECORDS_PER_SECOND` and
``KINESIS_SHARD_WRITE_BYTES_PER_SECOND`` (tests shrink them by patching the constants).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["kinesis"].names()
['per-shard write throughput (ProvisionedThroughputExceededException)']
>>> _ = env.teardown()
"""

from __future__ import annotations

from base64 import b64decode
from collections import defaultdict
from typing import Any
from unittest import mock

from moto.core.exceptions import JsonRESTError
from moto.kinesis import models as kinesis_models
from moto.kinesis.exceptions import (
    RecordSizeExceedsLimit,
    TooManyRecords,
    TotalRecordsSizeExceedsLimit,
)

from ...platform import limits
from .._base import _Patches
from ..sqs import EMULATED

__all__ = ["KinesisStandIns", "ProvisionedThroughputExceeded"]


class ProvisionedThroughputExceeded(JsonRESTError):
    """AWS's throttling error of a Kinesis write."""

    def __init__(self, message: str) -> None:
        super().__init__(error_type="ProvisionedThroughputExceededException", message=message)


def _size(partition_key: str, data: Any) -> int:
    return len(b64decode(data or "")) + len(partition_key or "")


class KinesisStandIns(_Patches):
    """Installs and removes the Kinesis stand-ins; counts writes per shard and second."""

    SERVICE = "kinesis"
    NAMES = ("per-shard write throughput (ProvisionedThroughputExceededException)",)

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # (stream arn, shard id, whole simulated second) -> [records, bytes]
        self.usage: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])

    def _admit(self, stream: Any, partition_key: str, explicit_hash_key: Any, data: Any) -> None:
        shard = stream.get_shard_for_key(partition_key, explicit_hash_key)
        second = int(self.env.clock.time())
        used = self.usage[(stream.arn, shard.shard_id, second)]
        size = _size(partition_key, data)
        if (used[0] + 1 > limits.KINESIS_SHARD_WRITE_RECORDS_PER_SECOND
                or used[1] + size > limits.KINESIS_SHARD_WRITE_BYTES_PER_SECOND):
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
            group._admit(stream, partition_key, explicit_hash_key, data)
            return orig_stream_put(stream, partition_key, explicit_hash_key, data)

        def put_records(backend: Any, stream_arn: str, stream_name: str, records: list[dict]) -> dict:
            stream = backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
            if len(records) > limits.KINESIS_MAX_PUT_RECORDS_ENTRIES:
                raise TooManyRecords
            sizes = [_size(r.get("PartitionKey", ""), r.get("Data", "")) for r in records]
            if sum(sizes) > limits.KINESIS_MAX_PUT_RECORDS_BYTES:
                raise TotalRecordsSizeExceedsLimit
            over = next((i for i, size in enumerate(sizes) if size > limits.KINESIS_MAX_RECORD_BYTES), None)
            if over is not None:
                raise RecordSizeExceedsLimit(position=over + 1)
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

        return [mock.patch.object(kinesis_models.Stream, "put_record", stream_put),
                mock.patch.object(kinesis_models.KinesisBackend, "put_records", put_records)]
