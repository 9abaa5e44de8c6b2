"""`make bench` meters each notebook's AWS API calls in its kernel, outermost calls only."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import bench  # noqa: E402

CALLS = """\
import boto3, moto
mock = moto.mock_aws(); mock.start()
kw = dict(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
sqs, sns = boto3.client("sqs", **kw), boto3.client("sns", **kw)
sqs.meta.events.register("before-call.sqs.ListQueues", lambda **_: sns.list_topics() and None)
for _ in range(3):
    sqs.list_queues()
sns.list_topics()
mock.stop()
"""


def test_notebook_meter_counts_outermost_calls_only():
    # GIVEN a notebook making 3 ListQueues calls that each make a ListTopics call inside them,
    # and one ListTopics call of its own
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CALLS)])
    # WHEN bench runs it metered
    seconds, metered = bench._run_notebook(nb, meter=True)
    # THEN 4 calls are counted (the nested ones are inside their callers' seconds)
    assert metered["calls"] == 4
    assert 0 < metered["seconds"] < seconds


def test_boto3_cost_per_call_is_measured_without_any_service():
    # GIVEN no moto and an endpoint nothing listens on
    # WHEN boto3's own cost per call is measured
    ms = bench.botocore_only_ms_per_call(n=50)
    # THEN every call was answered by the canned response (no connection error) in well under
    # the cost of a moto call
    assert 0 < ms < 50
