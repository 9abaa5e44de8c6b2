"""One event log per environment: every operation, helper or student, one row.

Rows are recorded by botocore event hooks on every client the environment hands out, by the
helpers (consumers, fault injection) and by the moto stand-ins (DLQ moves, emulated
duplicates). Every plot in the course reads :meth:`EventLog.to_frame`.

Example
-------
>>> log = EventLog(clock=None)
>>> log.record(service="sqs", action="send", resource="orders", message_id="m-1", time=0.0)
>>> list(log.to_frame().columns[:4])
['time', 'service', 'action', 'resource']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["EventLog", "COLUMNS", "ACTIONS"]

#: The columns of :meth:`EventLog.to_frame`, in order. ``time`` is seconds on the
#: environment's clock since it started; ``actor`` says who acted (a consumer name, the
#: student's client, an emulation) and ``detail`` carries free text.
COLUMNS = (
    "time",
    "service",
    "action",
    "resource",
    "message_id",
    "group",
    "seq",
    "attempt",
    "outcome",
    "actor",
    "detail",
)

#: The columns that hold text (object dtype, ``pd.NA`` where missing, like the counts).
_TEXT_COLUMNS = ("service", "action", "resource", "message_id", "group", "outcome", "actor",
                 "detail")

#: The action words the course uses (others are the API operation in kebab case).
ACTIONS = (
    "send",
    "receive",
    "delete",
    "change-visibility",
    "move-to-dlq",
    "redrive",
    "publish",
    "deliver",
    "filter-drop",
    "route",
    "invoke",
    "process",
    "fail",
    "duplicate",
    "create",
    "delete-resource",
)


class EventLog:
    """Append-only log of operations with a pandas view.

    Parameters
    ----------
    clock
        The environment's clock; rows without an explicit ``time`` get ``clock.elapsed()``.

    Example
    -------
    >>> log = EventLog(clock=None)
    >>> log.record(service="sqs", action="receive", resource="q", attempt=2, time=1.0)
    >>> int(log.to_frame()["attempt"].iloc[0])
    2
    """

    def __init__(self, clock: Any | None) -> None:
        self._clock = clock
        self._rows: list[tuple] = []
        self.enabled = True

    def record(
        self,
        *,
        service: str,
        action: str,
        resource: str | None = None,
        message_id: str | None = None,
        group: str | None = None,
        seq: int | None = None,
        attempt: int | None = None,
        outcome: str = "ok",
        actor: str | None = None,
        detail: str | None = None,
        time: float | None = None,
    ) -> None:
        """Append one row (cheap: a tuple in a list)."""
        if not self.enabled:
            return
        if time is None:
            time = self._clock.elapsed() if self._clock is not None else 0.0
        self._rows.append(
            (time, service, action, resource, message_id, group, seq, attempt, outcome, actor, detail)
        )

    def extend(self, rows: Iterable[tuple]) -> None:
        """Append prepared row tuples (in :data:`COLUMNS` order)."""
        if self.enabled:
            self._rows.extend(rows)

    def mark(self) -> int:
        """Position of the next row: pass it to :meth:`to_frame` as ``since``."""
        return len(self._rows)

    def clear(self) -> None:
        """Forget every row."""
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)

    def to_frame(self, since: int = 0) -> pd.DataFrame:
        """The log as a DataFrame with exactly :data:`COLUMNS` (rows from ``since`` on).

        A missing value is ``<NA>`` in every column: the counts ``seq`` and ``attempt`` are
        nullable integers, the text columns hold ``pd.NA`` (not ``NaN``) where a row has none.

        Example
        -------
        >>> log = EventLog(clock=None)
        >>> log.record(service="sqs", action="create-queue", resource="q", time=0.0)
        >>> log.to_frame()[["message_id", "attempt"]].iloc[0].tolist()
        [<NA>, <NA>]
        """
        frame = pd.DataFrame.from_records(self._rows[since:], columns=list(COLUMNS))
        for col in ("seq", "attempt"):
            frame[col] = frame[col].astype("Int64")
        for col in _TEXT_COLUMNS:
            values = frame[col].astype(object)
            frame[col] = values.where(values.notna(), pd.NA)
        frame["time"] = frame["time"].astype(float)
        return frame

    def counts(self, since: int = 0) -> dict[str, int]:
        """Rows per action, e.g. ``{'send': 10, 'receive': 12}``."""
        out: dict[str, int] = {}
        for row in self._rows[since:]:
            out[row[2]] = out.get(row[2], 0) + 1
        return out

    def __repr__(self) -> str:
        summary = ", ".join(f"{k}={v}" for k, v in sorted(self.counts().items()))
        return f"EventLog({len(self)} rows: {summary or 'empty'})"
