"""OpenSearch made concrete: a domain created through the API, order logs searched with the
query DSL on an embedded index.

The domain is real on moto's API (``CreateDomain``, ``DescribeDomain``); moto does not run a
search engine behind it. The order logs are searched by :class:`LocalIndex`, an embedded index
standing in for the domain's ``_search`` endpoint (labelled as such), which answers a subset
of the OpenSearch query DSL in OpenSearch's response shape:

* queries: ``match_all``, ``match`` (analysed: lower-cased words, any of them by default,
  ``"operator": "and"`` for all), ``term`` / ``terms`` (exact), ``range`` (``gt``, ``gte``,
  ``lt``, ``lte``), ``bool`` (``must``, ``filter``, ``should`` with
  ``minimum_should_match``, ``must_not``);
* aggregations: ``terms`` (``field``, ``size``), ``avg``, ``min``, ``max``, ``sum``,
  ``value_count``, with sub-aggregations under ``terms``;
* no relevance scores: hits come newest first (``@timestamp``), ``size`` of them.

Why hand-written: no maintained Python library evaluates the OpenSearch DSL offline
(``opensearch-py`` is a client for a running cluster), and the subset above is a few dozen
lines over pandas.

Example
-------
>>> index = LocalIndex([{"@timestamp": "2026-03-02T09:00:00Z", "level": "ERROR", "message": "card declined",
...                      "latency_ms": 120}])
>>> index.search({"query": {"match": {"message": "Declined"}}})["hits"]["total"]["value"]
1
"""

from __future__ import annotations

import random
import re
from typing import Any

import pandas as pd

__all__ = ["LocalIndex", "order_logs", "UnsupportedQueryError"]

_WORD = re.compile(r"\w+")


class UnsupportedQueryError(ValueError):
    """A query or aggregation outside the subset the embedded index answers."""


def _words(text: Any) -> set[str]:
    return set(_WORD.findall(str(text).lower()))


class LocalIndex:
    """Documents held in a DataFrame, searched with a subset of the OpenSearch DSL."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.frame = pd.DataFrame(documents)

    def _column(self, field: str) -> pd.Series:
        if field not in self.frame:
            return pd.Series([None] * len(self.frame), index=self.frame.index, dtype=object)
        return self.frame[field]

    def _mask(self, query: dict[str, Any]) -> pd.Series:
        (kind, spec), = query.items()
        if kind == "match_all":
            return pd.Series(True, index=self.frame.index)
        if kind == "match":
            (field, value), = spec.items()
            text, operator = (value["query"], value.get("operator", "or")) if isinstance(value, dict) else (value, "or")
            wanted = _words(text)
            docs = self._column(field).map(_words)
            test = wanted.issubset if operator == "and" else (lambda words: bool(wanted & words))
            return docs.map(lambda words: test(words))
        if kind in ("term", "terms"):
            (field, value), = spec.items()
            values = value if kind == "terms" else [value["value"] if isinstance(value, dict) else value]
            return self._column(field).isin(values)
        if kind == "range":
            (field, bounds), = spec.items()
            column, mask = self._column(field), pd.Series(True, index=self.frame.index)
            for op, bound in bounds.items():
                compare = {"gt": column.gt, "gte": column.ge, "lt": column.lt, "lte": column.le}.get(op)
                if compare is None:
                    raise UnsupportedQueryError(f"range operator {op!r}: use gt, gte, lt or lte.")
                mask &= compare(bound).fillna(False)
            return mask
        if kind == "bool":
            mask = pd.Series(True, index=self.frame.index)
            for clause in spec.get("must", []) + spec.get("filter", []):
                mask &= self._mask(clause)
            for clause in spec.get("must_not", []):
                mask &= ~self._mask(clause)
            should = spec.get("should", [])
            if should:
                hits = sum(self._mask(clause).astype(int) for clause in should)
                least = spec.get("minimum_should_match", 0 if spec.get("must") or spec.get("filter") else 1)
                mask &= hits >= int(least)
            return mask
        raise UnsupportedQueryError(f"query {kind!r} is outside the embedded index's subset "
                                    "(match_all, match, term, terms, range, bool).")

    def _aggregate(self, frame: pd.DataFrame, aggs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, spec in aggs.items():
            sub = spec.get("aggs") or spec.get("aggregations") or {}
            kind = next(k for k in spec if k not in ("aggs", "aggregations"))
            field = spec[kind].get("field")
            if kind == "terms":
                counts = frame[field].value_counts().head(spec[kind].get("size", 10))
                out[name] = {"buckets": [{"key": key, "doc_count": int(count),
                                          **self._aggregate(frame[frame[field] == key], sub)}
                                         for key, count in counts.items()]}
            elif kind in ("avg", "min", "max", "sum", "value_count"):
                column = frame[field].dropna()
                value = {"avg": column.mean, "min": column.min, "max": column.max, "sum": column.sum,
                         "value_count": column.count}[kind]()
                out[name] = {"value": None if pd.isna(value) else float(value)}
            else:
                raise UnsupportedQueryError(f"aggregation {kind!r}: the embedded index answers terms, avg, "
                                            "min, max, sum and value_count.")
        return out

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /<index>/_search`` with ``body``: hits and aggregations in OpenSearch's shape."""
        mask = self._mask(body.get("query", {"match_all": {}}))
        found = self.frame[mask].sort_values("@timestamp", ascending=False)
        hits = [{"_source": {k: v for k, v in row.items() if pd.notna(v)}}
                for row in found.head(body.get("size", 10)).to_dict("records")]
        answer: dict[str, Any] = {"hits": {"total": {"value": int(mask.sum()), "relation": "eq"}, "hits": hits}}
        if body.get("aggs") or body.get("aggregations"):
            answer["aggregations"] = self._aggregate(found, body.get("aggs") or body["aggregations"])
        return answer


def order_logs(n: int = 300, seed: int = 11) -> list[dict[str, Any]]:
    """``n`` structured log lines of SecureCart's services, seeded."""
    rng = random.Random(seed)
    services = ("checkout", "payments", "inventory", "shipping")
    messages = {"INFO": ("order accepted", "payment authorized", "stock reserved", "label printed"),
                "WARN": ("payment provider slow", "stock low for sku"),
                "ERROR": ("card declined by issuer", "payment provider timeout", "address validation failed")}
    out = []
    for k in range(n):
        level = rng.choices(("INFO", "WARN", "ERROR"), weights=(80, 12, 8))[0]
        service = rng.choice(services) if level == "INFO" else rng.choice(services[:2] if level == "ERROR" else services)
        out.append({"@timestamp": f"2026-03-02T{9 + k // 60:02d}:{k % 60:02d}:00Z", "service": service,
                    "level": level, "message": rng.choice(messages[level]), "order_id": f"ord-{rng.randrange(1, 120):05d}",
                    "latency_ms": round(rng.lognormvariate(4.5, 0.6))})
    return out
