"""The event log's frame: one marker for a missing value."""

from __future__ import annotations

import pandas as pd

from helpers.platform.eventlog import COLUMNS, EventLog


def test_missing_values_are_na_in_every_column():
    # GIVEN a row with an id and no attempt, and a row with an attempt and no id
    log = EventLog(clock=None)
    log.record(service="sqs", action="send", resource="q", message_id="m-1", time=0.0)
    log.record(service="sqs", action="create-queue", resource="q", attempt=None, time=0.0)
    # WHEN the log is read as a frame
    frame = log.to_frame()
    # THEN every missing cell is pd.NA (printed <NA>), none is NaN
    assert list(frame.columns) == list(COLUMNS)
    assert frame.loc[1, "message_id"] is pd.NA and frame.loc[0, "attempt"] is pd.NA
    text = frame.to_string()
    assert "NaN" not in text and "<NA>" in text
    # AND comparisons and filters still behave as on plain strings
    assert (frame["message_id"] == "m-1").tolist() == [True, False]
    assert frame.dropna(subset=["message_id"]).shape[0] == 1
    assert frame["resource"].str.removeprefix("q").tolist() == ["", ""]
