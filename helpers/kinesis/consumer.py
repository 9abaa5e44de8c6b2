"""A consumer that reads every shard of a stream from its checkpoint, and the recommender.

Example
-------
>>> clicks = [{"customer": "c1", "product": "A", "action": "view"},
...           {"customer": "c1", "product": "B", "action": "purchase"}]
>>> also_bought(clicks)
{'A': {'B': 1}}
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..platform.errors import StreamNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["ShardReader", "also_bought", "iterator_args"]


def iterator_args(checkpoint: str | None) -> dict[str, str]:
    """Where to resume: after the checkpoint's sequence number, or the oldest record kept."""
    if checkpoint is None:
        return {"ShardIteratorType": "TRIM_HORIZON"}
    return {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": checkpoint}


@dataclass
class ShardReader:
    """Reads every shard of ``stream``, remembering the last sequence number read per shard.

    ``checkpoints`` maps shard id -> sequence number (a DynamoDB table in production: the
    Kinesis Client Library keeps its lease table there).
    """

    env: Environment
    stream: str
    checkpoints: dict[str, str] = field(default_factory=dict)

    def shards(self) -> list[str]:
        """The stream's shard ids."""
        try:
            return [s["ShardId"] for s in
                    self.env.client("kinesis").list_shards(StreamName=self.stream)["Shards"]]
        except ClientError as err:
            raise StreamNotFoundError(f"Cannot read stream {self.stream!r}: "
                                      f"{err.response['Error']['Message']}") from None

    def read(self, *, start: str | None = None) -> list[dict[str, Any]]:
        """Every record after the checkpoints (or from ``start``: ``"TRIM_HORIZON"`` re-reads
        all that retention keeps), shard by shard; checkpoints move to the last record read."""
        kinesis = self.env.client("kinesis")
        out = []
        for shard in self.shards():
            args = {"ShardIteratorType": start} if start else iterator_args(self.checkpoints.get(shard))
            iterator = kinesis.get_shard_iterator(StreamName=self.stream, ShardId=shard,
                                                  **args)["ShardIterator"]
            while iterator:
                page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
                for record in page["Records"]:
                    out.append({"shard": shard, "sequence": record["SequenceNumber"],
                                "key": record["PartitionKey"], **json.loads(record["Data"])})
                    self.checkpoints[shard] = record["SequenceNumber"]
                if not page["Records"] or page.get("MillisBehindLatest", 0) == 0:
                    break
                iterator = page.get("NextShardIterator")
        return out


def also_bought(clicks: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """"Customers who viewed X also bought Y": for each product viewed, the products the same
    customers purchased (other than X), with counts."""
    viewed, bought = defaultdict(set), defaultdict(set)
    for click in clicks:
        if click["action"] == "view":
            viewed[click["customer"]].add(click["product"])
        elif click["action"] == "purchase":
            bought[click["customer"]].add(click["product"])
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for customer, products in viewed.items():
        for x in products:
            for y in bought.get(customer, ()):
                if y != x:
                    out[x][y] += 1
    return {x: dict(sorted(ys.items())) for x, ys in sorted(out.items())}
