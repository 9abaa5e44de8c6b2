"""Kinesis toolkit: streams, a producer with throttling retries, a checkpointing shard reader.

Modules
-------
streams    ``create_stream``, ``put_records`` (``PutReport``), ``delete_stream``
consumer   ``ShardReader`` (every shard, checkpoints), ``iterator_args``, ``also_bought``

Example
-------
>>> from helpers.kinesis import iterator_args
>>> iterator_args(None)
{'ShardIteratorType': 'TRIM_HORIZON'}
"""

from __future__ import annotations

from .consumer import ShardReader, also_bought, iterator_args
from .plots import plot_iterator_position, plot_shard_load, shard_positions
from .streams import PutReport, create_stream, delete_stream, put_records

__all__ = ["create_stream", "put_records", "delete_stream", "PutReport", "ShardReader",
           "also_bought", "iterator_args", "plot_shard_load", "plot_iterator_position",
           "shard_positions"]
