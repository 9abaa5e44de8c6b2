"""Structured logs: Powertools Logger in each handler, shipped to CloudWatch Logs, queried by field.

In Lambda, whatever a function writes to stdout goes to its log group
``/aws/lambda/<function>`` (here ``securecart-<run>-logs/<function>``). Here each handler's Powertools ``Logger`` writes its JSON lines to a
:class:`LogSink` instead of stdout (so a notebook stays quiet), and :func:`ship` sends them to
CloudWatch Logs with ``PutLogEvents``, timestamps from the clock. A JSON filter pattern
(``{ $.order_id = "ord-00042" }``) then selects events by field (emulated on moto, where
moto alone would return every event).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> logger, sink = service_logger(env, "payment")
>>> logger.info("payment charged", extra={"order_id": "ord-1"})
>>> group = ship(env, "payment", sink)
>>> filter_logs(env, [group], '{ $.order_id = "ord-1" }')["message"].tolist()
['payment charged']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd
from aws_lambda_powertools import Logger

from ..platform import limits
from ..platform.errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["LogSink", "service_logger", "log_group_name", "ship", "filter_logs", "read_logs"]


class LogSink(logging.Handler):
    """A logging handler that keeps each formatted line with its clock time (milliseconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append((int(record.created * 1000), self.format(record)))

    def take(self) -> list[tuple[int, str]]:
        """The lines so far (oldest first), forgotten here."""
        events, self.events = self.events, []
        return events


def service_logger(env: Environment, service: str) -> tuple[Logger, LogSink]:
    """A Powertools ``Logger`` for one SecureCart function, writing to a :class:`LogSink`.

    The logger's name is the function's name (``securecart-<run>-<service>``), so two runs
    never share a handler; asking again for the same function reuses its sink, emptied.
    """
    function = f"{env.prefix}{service}"
    logger = Logger(service=function, logger_handler=LogSink(), utc=True, json_default=str)
    # A second Logger of the same name reuses the first one's handler (Powertools keeps one
    # handler per logger name): point this instance at it and empty it.
    sink = next(h for h in logger._logger.handlers if isinstance(h, LogSink))
    logger.logger_handler = sink
    sink.events.clear()
    logger.remove_keys(["location"])  # the source line: noise for a reader of the logs
    logger._logger.propagate = False
    return logger, sink


def log_group_name(env: Environment, service: str) -> str:
    """``securecart-<run>-logs/<service>``: the function's log group.

    Lambda itself writes to ``/aws/lambda/<function>``; the course keeps its run prefix at
    the front of every name so teardown (and a student) can tell its resources apart.
    """
    return env.name(f"logs/{service}", "logs")


def ship(env: Environment, service: str, sink: LogSink, *, stream: str | None = None) -> str:
    """Send the sink's lines to the function's log group (created once); returns the group.

    Batches respect ``PutLogEvents``' limits (10,000 events, 1 MiB counting 26 bytes per
    event), events in time order as the API requires.
    """
    logs = env.client("logs")
    group = log_group_name(env, service)
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group, tags=env.tags)
    stream = stream or f"{env.clock.now():%Y/%m/%d}/[$LATEST]{env.random('log-stream').getrandbits(64):016x}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = sorted(sink.take(), key=lambda e: e[0])
    batch: list[dict[str, Any]] = []
    size = 0
    for stamp, message in events:
        cost = len(message.encode()) + limits.LOGS_EVENT_OVERHEAD_BYTES
        if batch and (len(batch) == limits.LOGS_PUT_MAX_EVENTS or size + cost > limits.LOGS_PUT_MAX_BYTES):
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            batch, size = [], 0
        batch.append({"timestamp": stamp, "message": message})
        size += cost
    if batch:
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
    return group


_COLUMNS = ["timestamp", "group", "level", "service", "message", "correlation_id", "order_id",
            "trace_id", "error"]


def _frame(events: list[dict[str, Any]], groups: dict[str, str]) -> pd.DataFrame:
    rows = []
    for event in events:
        try:
            fields = json.loads(event["message"])
        except ValueError:
            fields = {"message": event["message"]}
        for noise in ("timestamp", "location", "sampling_rate"):  # the event time is the record's
            fields.pop(noise, None)
        rows.append({"timestamp": pd.Timestamp(event["timestamp"], unit="ms", tz="UTC"),
                     "group": groups.get(event["logGroup"], event["logGroup"]), **fields})
    frame = pd.DataFrame(rows)
    for column in _COLUMNS:
        if column not in frame:
            frame[column] = None
    rest = [c for c in frame.columns if c not in _COLUMNS]
    frame = frame[_COLUMNS + rest]
    return frame.sort_values(["timestamp", "group"], kind="stable").reset_index(drop=True)


def filter_logs(env: Environment, groups: list[str], pattern: str = "") -> pd.DataFrame:
    """``FilterLogEvents`` over several log groups (all pages), JSON fields as columns.

    Columns start with ``timestamp``, ``group`` (the short service name), ``level``,
    ``service``, ``message``, ``correlation_id``, ``order_id``, ``trace_id``, ``error``.
    """
    if not isinstance(groups, list | tuple) or not all(isinstance(g, str) for g in groups):
        raise InvalidParameterError(
            f"groups={groups!r:.60}: filter_logs reads a list of log group names. Fix: "
            "filter_logs(env, [log_group_name(env, 'orders')]).")
    logs = env.client("logs")
    events = []
    for group in groups:
        kwargs: dict[str, Any] = {"logGroupName": group}
        if pattern:
            kwargs["filterPattern"] = pattern
        while True:
            page = logs.filter_log_events(**kwargs)
            events += [{**e, "logGroup": group} for e in page["events"]]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
    short = {g: g.rsplit("/", 1)[-1] for g in groups}
    return _frame(events, short)


def read_logs(env: Environment, groups: list[str]) -> pd.DataFrame:
    """Every event of the groups (the export a log-analytics job would start from)."""
    return filter_logs(env, groups)
