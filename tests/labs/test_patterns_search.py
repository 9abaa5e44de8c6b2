"""The embedded index answers the OpenSearch DSL subset as OpenSearch would.

GIVEN known order logs WHEN queried with match, term, range, bool and aggregations THEN the
hits and buckets are exactly those a filter over the documents gives; anything else is refused.
"""

from __future__ import annotations

import pytest

from helpers.patterns.search import LocalIndex, UnsupportedQueryError, order_logs

LOGS = order_logs()


def _ids(answer):
    return sorted(h["_source"]["@timestamp"] for h in answer["hits"]["hits"])


def test_match_is_analysed_and_or_by_default():
    index = LocalIndex(LOGS)
    any_word = index.search({"size": 1000, "query": {"match": {"message": "Payment TIMEOUT"}}})
    all_words = index.search({"size": 1000, "query": {"match": {"message": {"query": "payment timeout",
                                                                            "operator": "and"}}}})
    want_any = [d for d in LOGS if {"payment", "timeout"} & set(d["message"].split())]
    want_all = [d for d in LOGS if {"payment", "timeout"} <= set(d["message"].split())]
    assert any_word["hits"]["total"]["value"] == len(want_any)
    assert all_words["hits"]["total"]["value"] == len(want_all) < len(want_any)


def test_bool_with_term_range_must_not_and_aggregations():
    index = LocalIndex(LOGS)
    body = {"size": 1000, "query": {"bool": {"filter": [{"term": {"level": "ERROR"}},
                                                        {"range": {"latency_ms": {"gte": 100, "lt": 300}}}],
                                             "must_not": [{"term": {"service": "payments"}}]}},
            "aggs": {"by_service": {"terms": {"field": "service"},
                                    "aggs": {"slowest": {"max": {"field": "latency_ms"}}}}}}
    answer = index.search(body)
    want = [d for d in LOGS if d["level"] == "ERROR" and 100 <= d["latency_ms"] < 300 and d["service"] != "payments"]
    assert answer["hits"]["total"]["value"] == len(want) > 0
    assert _ids(answer) == sorted(d["@timestamp"] for d in want)
    [bucket] = answer["aggregations"]["by_service"]["buckets"]
    assert bucket["doc_count"] == len(want)
    assert bucket["slowest"]["value"] == max(d["latency_ms"] for d in want)


def test_unsupported_query_is_refused_by_name():
    with pytest.raises(UnsupportedQueryError, match="'fuzzy'"):
        LocalIndex(LOGS).search({"query": {"fuzzy": {"message": "paymnt"}}})


def test_domain_is_created_through_moto(any_env):
    status = any_env.client("opensearch").create_domain(DomainName="order-logs",
                                                         EngineVersion="OpenSearch_2.13")["DomainStatus"]
    assert status["EngineVersion"] == "OpenSearch_2.13"
