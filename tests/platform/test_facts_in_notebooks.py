"""The figure tables of notebooks 04 and 06 say what helpers.limits says.

Each row names a constant and how the notebook writes it; the test fails when a constant
changes (a new AWS figure) and the table still teaches the old one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.platform import limits

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MIB = 1_048_576

#: (notebook, heading of the figures cell, constant, the text the table must contain)
ROWS = [
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses", "SNS_MAX_MESSAGE_BYTES",
     lambda v: f"{v // 1024} KiB ({v:,} bytes) by default"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_MIN_MAXIMUM_MESSAGE_SIZE_BYTES", lambda v: f"({v:,} to"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_MAX_MAXIMUM_MESSAGE_SIZE_BYTES", lambda v: f"to {v:,} bytes)"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_LARGE_MESSAGE_MAX_SUBSCRIPTIONS", lambda v: f"at most {v} subscriptions"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_MAX_FILTER_POLICY_KEYS", lambda v: f"at most {v} keys"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_MAX_FILTER_POLICY_COMBINATIONS", lambda v: f"at most {v} value combinations"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_FILTER_POLICY_PROPAGATION_SECONDS", lambda v: f"up to {v // 60} minutes"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_SQS_DELIVERY_ATTEMPTS", lambda v: f"{v:,} attempts"),
    ("04_lab2_sns_notifications", "## The SNS figures this lab uses",
     "SNS_MAX_BATCH_ENTRIES", lambda v: f"at most {v} entries"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_SHARD_WRITE_RECORDS_PER_SECOND", lambda v: f"{v:,} records/s"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_SHARD_WRITE_BYTES_PER_SECOND", lambda v: f"{v // MIB} MiB/s per shard"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_MAX_RECORD_BYTES", lambda v: f"{v // MIB} MiB by default"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_MAX_MAX_RECORD_SIZE_KIB", lambda v: f"up to {v // 1024} MiB per stream"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_MAX_PUT_RECORDS_ENTRIES", lambda v: f"{v} records"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_MAX_PUT_RECORDS_BYTES", lambda v: f"{v // MIB} MiB per call"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "SFN_DEFAULT_RETRY_MAX_ATTEMPTS", lambda v: f"MaxAttempts {v}"),
    ("06_orchestration_and_streaming", "## The figures this notebook uses",
     "KINESIS_DEFAULT_RETENTION_HOURS", lambda v: f"Kinesis {v} h by default"),
]


def _cell(notebook: str, heading: str) -> str:
    cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())["cells"]
    return next("".join(c["source"]) for c in cells
                if c["cell_type"] == "markdown" and "".join(c["source"]).startswith(heading))


@pytest.mark.parametrize(("notebook", "heading", "constant", "text"), ROWS,
                         ids=[f"{r[0][:2]}-{r[2]}" for r in ROWS])
def test_notebook_figure_table_agrees_with_limits(notebook, heading, constant, text):
    # GIVEN the notebook's table of figures and the constant's value
    expected = text(getattr(limits, constant))
    # THEN the table writes that value
    assert expected in _cell(notebook, heading), (
        f"{notebook}: the figures table should say {expected!r} (limits.{constant}); update the "
        "table, or the constant if AWS changed the figure.")
