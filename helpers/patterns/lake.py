"""Analytics made concrete: SecureCart's event log in S3, described in the Glue Data Catalog,
queried with SQL.

* The event log is written to S3 as **JSON lines**, partitioned Hive-style
  (``events/detail_type=OrderPlaced/dt=2026-03-02/part-0000.jsonl``), as a Firehose delivery
  stream or an archive-to-S3 job would write it.
* A **Glue Data Catalog** database and table describe it: the columns, the JSON SerDe, the
  location and the partition keys; each partition is registered (``BatchCreatePartition``).
* Athena would run the SQL against the catalog. Locally **DuckDB stands in for Athena**: the
  course reads the table's location, columns and partitions from the Glue catalog, downloads
  the partitions' objects and lets DuckDB run the same SQL over them (``read_json`` with Hive
  partitioning). Labelled "DuckDB standing in for Athena" wherever a student sees it.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> lake = EventLake.create(env, "demo-lake")
>>> lake.write(sample_events(days=1, per_day=5))
1
>>> lake.query("SELECT count(*) AS n FROM events")["n"].tolist()
[5]
>>> _ = env.teardown()
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["EventLake", "sample_events", "COLUMNS", "PARTITION_KEYS", "REGIONS", "put_logs", "logs_query"]

#: The table's columns (Glue/Hive types) and the partition keys.
COLUMNS = {"id": "string", "time": "string", "order_id": "string", "customer_id": "string",
           "region": "string", "total": "double"}
PARTITION_KEYS = {"detail_type": "string", "dt": "string"}
#: Where SecureCart's customers are.
REGIONS = ("eu-west", "us-east", "ap-south")
_DUCKDB_TYPES = {"string": "VARCHAR", "double": "DOUBLE", "bigint": "BIGINT"}


def sample_events(*, days: int = 3, per_day: int = 40, seed: int = 9,
                  start: dt.date = dt.date(2026, 3, 2)) -> list[dict[str, Any]]:
    """``per_day`` OrderPlaced events a day (one in eight later cancelled), seeded."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    n = 0
    for day in range(days):
        date = start + dt.timedelta(days=day)
        for _ in range(per_day):
            n += 1
            at = dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=rng.randrange(86_400))
            order = {"order_id": f"ord-{n:05d}", "customer_id": f"cus-{rng.randrange(1, 30):03d}",
                     "region": rng.choice(REGIONS), "total": round(rng.uniform(8, 600), 2)}
            out.append({"id": f"evt-{n:05d}", "detail-type": "OrderPlaced", "time": at.isoformat() + "Z",
                        "detail": order})
            if n % 8 == 0:
                out.append({"id": f"evt-{n:05d}-c", "detail-type": "OrderCancelled",
                            "time": (at + dt.timedelta(minutes=30)).isoformat() + "Z", "detail": order})
    return out


@dataclass
class EventLake:
    """An S3 bucket of partitioned JSON lines and its Glue database and table."""

    env: Environment
    bucket: str
    database: str
    table: str = "events"

    @classmethod
    def create(cls, env: Environment, name: str = "lake") -> EventLake:
        """The bucket, the Glue database and the table (JSON SerDe, Hive partitions)."""
        bucket = env.name(name, "s3")
        env.client("s3").create_bucket(Bucket=bucket)
        database = bucket.replace("-", "_")
        glue = env.client("glue")
        glue.create_database(DatabaseInput={"Name": database, "Description": "SecureCart event log"})
        glue.create_table(DatabaseName=database, TableInput={
            "Name": "events", "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "json"},
            "PartitionKeys": [{"Name": k, "Type": t} for k, t in PARTITION_KEYS.items()],
            "StorageDescriptor": {
                "Columns": [{"Name": k, "Type": t} for k, t in COLUMNS.items()],
                "Location": f"s3://{bucket}/events/",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}}})
        return cls(env, bucket, database)

    def write(self, events: list[dict[str, Any]]) -> int:
        """Write ``events`` as one JSON-lines object per partition; register the partitions.
        Returns how many partitions were added."""
        parts: dict[tuple[str, str], list[str]] = defaultdict(list)
        for event in events:
            row = {"id": event["id"], "time": event["time"], **event["detail"]}
            parts[(event["detail-type"], event["time"][:10])].append(json.dumps(row))
        s3, glue = self.env.client("s3"), self.env.client("glue")
        table = glue.get_table(DatabaseName=self.database, Name=self.table)["Table"]
        location = table["StorageDescriptor"]["Location"]
        inputs = []
        for (detail_type, day), rows in sorted(parts.items()):
            prefix = f"events/detail_type={detail_type}/dt={day}/"
            s3.put_object(Bucket=self.bucket, Key=prefix + "part-0000.jsonl", Body="\n".join(rows).encode())
            inputs.append({"Values": [detail_type, day], "StorageDescriptor": {
                **table["StorageDescriptor"], "Location": f"{location}detail_type={detail_type}/dt={day}/"}})
        for start in range(0, len(inputs), 100):  # BatchCreatePartition takes at most 100
            glue.batch_create_partition(DatabaseName=self.database, TableName=self.table,
                                        PartitionInputList=inputs[start:start + 100])
        return len(inputs)

    def partitions(self) -> pd.DataFrame:
        """The partitions the catalog knows (``GetPartitions``)."""
        parts = self.env.client("glue").get_partitions(DatabaseName=self.database, TableName=self.table)
        return pd.DataFrame([dict(zip(PARTITION_KEYS, p["Values"], strict=True)) | {
            "location": p["StorageDescriptor"]["Location"]} for p in parts["Partitions"]])

    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` over the table ``events`` (DuckDB standing in for Athena).

        The table's columns, location and partitions come from the Glue catalog; the
        partitions' objects are downloaded and DuckDB reads them with Hive partitioning.
        """
        glue, s3 = self.env.client("glue"), self.env.client("s3")
        table = glue.get_table(DatabaseName=self.database, Name=self.table)["Table"]
        columns = {c["Name"]: _DUCKDB_TYPES[c["Type"]] for c in table["StorageDescriptor"]["Columns"]}
        with tempfile.TemporaryDirectory() as folder:
            for part in glue.get_partitions(DatabaseName=self.database, TableName=self.table)["Partitions"]:
                prefix = part["StorageDescriptor"]["Location"].split(f"s3://{self.bucket}/", 1)[1]
                for item in s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix).get("Contents", []):
                    path = Path(folder, item["Key"])
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read())
            with duckdb.connect() as db:
                db.execute(f"CREATE VIEW {self.table} AS SELECT * FROM read_json("
                           f"'{folder}/events/**/*.jsonl', hive_partitioning = true, "
                           f"hive_types = {{'detail_type': 'VARCHAR', 'dt': 'VARCHAR'}}, columns = {columns!r})")
                return db.execute(sql).df()

    def delete(self) -> None:
        """Empty and delete the bucket (the course's teardown does not track buckets)."""
        s3 = self.env.client("s3")
        for item in s3.list_objects_v2(Bucket=self.bucket).get("Contents", []):
            s3.delete_object(Bucket=self.bucket, Key=item["Key"])
        s3.delete_bucket(Bucket=self.bucket)
        self.env.client("glue").delete_database(Name=self.database)


def put_logs(env: Environment, group: str, lines: list[dict[str, Any]], stream: str = "orders-1") -> int:
    """Write ``lines`` as JSON log events to CloudWatch Logs (one per simulated second); how many."""
    logs = env.client("logs")
    logs.create_log_group(logGroupName=group)  # the course prefixes the name here ...
    group = env.name(group, "logs")  # ... and the calls below take the full name
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    start = int(env.clock.time() * 1000)
    events = [{"timestamp": start + 1000 * n, "message": json.dumps(line)} for n, line in enumerate(lines)]
    for first in range(0, len(events), 1000):
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events[first:first + 1000])
    return len(events)


def logs_query(env: Environment, group: str, sql: str) -> pd.DataFrame:
    """The question a Logs Insights query asks, as SQL over the group's JSON log events (DuckDB).

    The log events are read with ``FilterLogEvents``; each JSON message's fields become
    columns of the table ``logs`` (with ``timestamp`` and ``message``). Logs Insights' own
    query language is not emulated: the notebook shows it next to the SQL.
    """
    logs, rows, token = env.client("logs"), [], None
    group = env.name(group, "logs")
    while True:
        page = logs.filter_log_events(logGroupName=group, **({"nextToken": token} if token else {}))
        for event in page["events"]:
            rows.append({"timestamp": event["timestamp"], "message": event["message"],
                         **json.loads(event["message"])})
        token = page.get("nextToken")
        if not token or not page["events"]:
            break
    frame = pd.DataFrame(rows)  # noqa: F841 - DuckDB reads it by name
    with duckdb.connect() as db:
        db.register("logs", frame)
        return db.execute(sql).df()
