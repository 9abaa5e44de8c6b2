"""Pictures of a stream: the load per shard (a hot key), and a consumer's position per shard.

Example
-------
>>> from collections import Counter
>>> from helpers.kinesis.streams import PutReport
>>> report = PutReport(sent=5, per_shard=Counter({"shardId-0": 4, "shardId-1": 1}),
...                    throttled_per_shard=Counter({"shardId-0": 2}))
>>> plot_shard_load(report, hot_key="flash-sale-tv").axes[0].get_title()
'Records per shard, keyed by product: the hot key flash-sale-tv overloads one shard'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..platform import limits
from ..platform.plotting import new_figure
from .consumer import ShardReader

if TYPE_CHECKING:  # pragma: no cover
    from .streams import PutReport

__all__ = ["plot_shard_load", "shard_positions", "plot_iterator_position"]


def plot_shard_load(report: PutReport, *, hot_key: str | None = None, key_name: str = "product",
                    ax: Any = None) -> Any:
    """Records each shard accepted, and the writes it refused (throttled, then re-sent)."""
    shards = sorted(set(report.per_shard) | set(report.throttled_per_shard))
    accepted = np.array([report.per_shard.get(s, 0) for s in shards])
    refused = np.array([report.throttled_per_shard.get(s, 0) for s in shards])
    fig, ax = new_figure(ax, (8.0, 3.4))
    x = np.arange(len(shards))
    ax.bar(x, accepted, color="tab:blue", label="records stored")
    ax.bar(x, refused, bottom=accepted, color="tab:red", alpha=0.7,
           label="writes refused (ProvisionedThroughputExceeded), re-sent later")
    ax.axhline(limits.KINESIS_SHARD_WRITE_RECORDS_PER_SECOND, color="black", ls="--", lw=1,
               label=f"what one shard takes in one second ({limits.KINESIS_SHARD_WRITE_RECORDS_PER_SECOND:,} records)")
    if hot_key and len(shards):
        hot = int(np.argmax(accepted + refused))
        ax.annotate(f"hot key: {hot_key}", (hot, accepted[hot] + refused[hot]), xytext=(0, 4),
                    textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(x, [_short(s) for s in shards])
    ax.set_ylabel("records")
    ax.set_ylim(0, max(1, (accepted + refused).max()) * 1.18)
    title = "Records per shard"
    ax.set_title(f"{title}, keyed by {key_name}: the hot key {hot_key} overloads one shard"
                 if hot_key else title, fontsize=10)
    ax.legend(loc="upper left", fontsize=7)
    return fig


def _short(shard: str) -> str:
    return f"shard {int(shard.rsplit('-', 1)[-1])}" if shard.rsplit("-", 1)[-1].isdigit() else shard


def shard_positions(reader: ShardReader) -> pd.DataFrame:
    """Per shard: records in the stream now, and how many of them the reader has read."""
    kinesis, rows = reader.env.client("kinesis"), []
    for shard in reader.shards():
        iterator = kinesis.get_shard_iterator(StreamName=reader.stream, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        sequences: list[str] = []
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            sequences += [r["SequenceNumber"] for r in page["Records"]]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        checkpoint = reader.checkpoints.get(shard)
        read = sequences.index(checkpoint) + 1 if checkpoint in sequences else 0
        rows.append({"shard": shard, "records": len(sequences), "read": read})
    return pd.DataFrame(rows, columns=["shard", "records", "read"])


def plot_iterator_position(reader: ShardReader, *, ax: Any = None) -> Any:
    """Each shard as a bar of its records; the reader's checkpoint as a marker: the gap is lag."""
    table = shard_positions(reader)
    fig, ax = new_figure(ax, (8.0, 2.8))
    y = np.arange(len(table))
    ax.barh(y, table["records"], color="lightgray", label="records in the shard")
    ax.barh(y, table["read"], color="tab:blue", label="read (up to the checkpoint)")
    ax.scatter(table["read"], y, marker="|", s=300, color="black", zorder=3,
               label="checkpoint (next read starts after it)")
    for k, row in table.iterrows():
        behind = row["records"] - row["read"]
        ax.annotate(f"{behind} behind" if behind else "caught up", (row["records"], k),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, [_short(s) for s in table["shard"]])
    ax.invert_yaxis()
    ax.set_xlim(0, max(1, table["records"].max()) * 1.15)
    ax.set_xlabel("records, oldest (TRIM_HORIZON) to newest (LATEST)")
    ax.set_title("Consumer position per shard: the checkpoint against the stream", fontsize=10)
    ax.legend(loc="upper right", fontsize=7)
    return fig
