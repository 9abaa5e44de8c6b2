"""Log analytics: the roles AWS Glue/Athena and Amazon OpenSearch play, on a laptop.

At scale, SecureCart's event logs and CloudWatch logs would be exported to S3 and catalogued
by **AWS Glue** and queried with SQL in **Amazon Athena** (aggregations: orders by outcome,
failure reasons, latency per service), and streamed into **Amazon OpenSearch Service** for
full-text search (every event mentioning an order id or an error text, in milliseconds).
The local stand-ins are **pandas** for the aggregations and :class:`LogIndex`, a small
inverted index, for the search. Same questions, a few thousand rows instead of billions.

Example
-------
>>> import pandas as pd
>>> logs = pd.DataFrame({"group": ["payment", "inventory"], "level": ["INFO", "ERROR"],
...                      "message": ["payment charged", "stock reservation failed"],
...                      "order_id": ["ord-1", "ord-1"], "error": [None, "SKU-0007: unreadable"]})
>>> LogIndex(logs).search("ord-1 failed")["group"].tolist()
['inventory']
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["LogIndex", "orders_by_outcome", "order_outcomes", "failure_ranking",
           "latency_per_service", "event_log_summary"]

_WORD = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_IDS = re.compile(r"\b(ord|req|cust|evt)-[0-9a-f]+\b|\b1-[0-9a-f]{8}-[0-9a-f]{24}\b|\bSKU-\d+\b", re.I)


class LogIndex:
    """An inverted index over log events: the OpenSearch role, in memory.

    Every string field of every event is split into lower-case tokens (``ord-00042``,
    ``sku-0007`` and ``1-...`` trace ids stay whole); :meth:`search` returns the events that
    contain *all* the query's tokens, in time order.
    """

    def __init__(self, logs: pd.DataFrame) -> None:
        self.logs = logs.reset_index(drop=True)
        self._postings: dict[str, set[int]] = defaultdict(set)
        for row, values in enumerate(self.logs.itertuples(index=False)):
            for value in values:
                if isinstance(value, str):
                    for token in _WORD.findall(value.lower()):
                        self._postings[token].add(row)

    def __len__(self) -> int:
        return len(self._postings)

    def search(self, query: str) -> pd.DataFrame:
        """Events containing every token of ``query`` (case-insensitive)."""
        tokens = _WORD.findall(query.lower())
        if not tokens:
            return self.logs.iloc[0:0]
        rows = set.intersection(*(self._postings.get(t, set()) for t in tokens))
        return self.logs.iloc[sorted(rows)]


def order_outcomes(logs: pd.DataFrame) -> pd.DataFrame:
    """One row per order id: charged? shipped? declined? and the outcome in words.

    Reads the events the pipeline's handlers log: ``payment charged``, ``payment declined``,
    ``stock reserved``, ``shipping notification sent``.
    """
    logs = logs[logs["order_id"].notna()]
    said = logs.groupby("order_id")["message"].agg(set)
    frame = pd.DataFrame({
        "charged": said.map(lambda s: "payment charged" in s),
        "declined": said.map(lambda s: "payment declined" in s),
        "shipped": said.map(lambda s: "shipping notification sent" in s),
    })

    def word(row: pd.Series) -> str:
        if row["shipped"]:
            return "shipped"
        if row["charged"]:
            return "charged, not shipped"
        if row["declined"]:
            return "payment declined"
        return "in progress"

    frame["outcome"] = frame.apply(word, axis=1)
    return frame.sort_index()


def orders_by_outcome(logs: pd.DataFrame) -> pd.DataFrame:
    """How many orders ended in each outcome (shipped, declined, charged but not shipped)."""
    counts = order_outcomes(logs)["outcome"].value_counts()
    return counts.rename_axis("outcome").reset_index(name="orders").sort_values(
        ["orders", "outcome"], ascending=[False, True], kind="stable").reset_index(drop=True)


def failure_ranking(logs: pd.DataFrame) -> pd.DataFrame:
    """Error events grouped by reason (ids replaced by ``<id>``), most orders first.

    Columns ``service``, ``reason``, ``events`` (every failed attempt), ``orders`` (distinct).
    """
    errors = logs[logs["level"] == "ERROR"].copy()
    text = errors["error"].fillna(errors["message"]).astype(str)
    errors["reason"] = text.map(lambda t: _IDS.sub("<id>", t) if "SKU" not in t else t)
    table = errors.groupby(["group", "reason"]).agg(events=("message", "size"),
                                                    orders=("order_id", "nunique"))
    table = table.reset_index().rename(columns={"group": "service"})
    return table.sort_values(["orders", "events", "service"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def latency_per_service(traces: pd.DataFrame) -> pd.DataFrame:
    """Segment durations per service (ms): count, median, p90, max, and how many failed."""
    grouped = traces.groupby("name", sort=False)["duration_ms"]
    table = pd.DataFrame({"segments": grouped.size(), "p50_ms": grouped.median(),
                          "p90_ms": grouped.quantile(0.9), "max_ms": grouped.max(),
                          "errors": traces.groupby("name", sort=False)["error"].sum()})
    return table.round(1)


def event_log_summary(env: Environment, since: int = 0) -> pd.DataFrame:
    """``env.log`` as a pivot: rows per service and action, columns per outcome."""
    log = env.log.to_frame(since)
    log = log[log["service"].isin(["sqs", "sns", "events", "cloudwatch"])]
    outcome = log["outcome"].where(log["outcome"].isin(["ok", "emulated on moto"]), "error")
    return log.assign(outcome=outcome).pivot_table(index=["service", "action"], columns="outcome",
                                                   values="time", aggfunc="size", fill_value=0)
