"""The event log in S3, described by the Glue Data Catalog, queried with SQL (DuckDB for Athena).

GIVEN 3 days of events written as partitioned JSON lines and registered in Glue, WHEN the SQL
runs over the catalog's table, THEN it counts exactly the events written, per partition.
"""

from __future__ import annotations

from helpers.patterns import lake as lk


def test_partitions_are_registered_and_queried(any_env):
    events = lk.sample_events(days=3, per_day=40)
    lake = lk.EventLake.create(any_env, "lake-test")
    assert lake.write(events) == 6
    parts = lake.partitions()
    assert sorted(parts["dt"].unique()) == ["2026-03-02", "2026-03-03", "2026-03-04"]
    placed = lake.query("SELECT dt, count(*) AS n FROM events WHERE detail_type = 'OrderPlaced' "
                        "GROUP BY dt ORDER BY dt")
    assert placed["n"].tolist() == [40, 40, 40]
    total = lake.query("SELECT round(sum(total), 2) AS t FROM events WHERE detail_type = 'OrderPlaced'")
    want = round(sum(e["detail"]["total"] for e in events if e["detail-type"] == "OrderPlaced"), 2)
    assert total["t"].tolist() == [want]
    cancelled = lake.query("SELECT count(*) AS n FROM events WHERE detail_type = 'OrderCancelled'")
    assert cancelled["n"].tolist() == [15]
    lake.delete()


def test_glue_create_table_is_not_tagged(env):
    # GIVEN the course's naming hook (it tags DynamoDB's CreateTable) WHEN Glue's runs THEN no Tags
    lake = lk.EventLake.create(env, "lake-tags")
    assert env.client("glue").get_table(DatabaseName=lake.database, Name="events")["Table"]["Name"] == "events"


def test_logs_query_counts_the_events_written(any_env):
    from helpers.patterns.search import order_logs
    lines = order_logs()
    assert lk.put_logs(any_env, "order-logs", lines) == 300
    errors = lk.logs_query(any_env, "order-logs",
                           "SELECT service, count(*) AS n FROM logs WHERE level = 'ERROR' GROUP BY 1 ORDER BY 1")
    want = {}
    for line in lines:
        if line["level"] == "ERROR":
            want[line["service"]] = want.get(line["service"], 0) + 1
    assert dict(zip(errors["service"], errors["n"], strict=True)) == want
