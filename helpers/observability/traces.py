"""Traces: one order's path across services as X-Ray segments, written and read back.

Each hop of an order (checkout, the orders queue, payment, the event bus, the inventory queue,
inventory, notification) becomes one X-Ray *segment document* with the order's trace id,
its parent, start and end on the clock, ``error``/``cause`` when it failed, and the order id
as an annotation. In Lambda the X-Ray SDK (Powertools ``Tracer``) sends such documents to
the X-Ray daemon; here :class:`TraceWriter` sends the same documents with
``PutTraceSegments`` (moto stores them, and ``BatchGetTraces`` returns them). The durations
are modelled on the simulated clock (seeded), not measured.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> writer = TraceWriter(env)
>>> trace = writer.new_trace()
>>> root = writer.segment(trace, "checkout", 0.0, 0.05, annotations={"order_id": "ord-1"})
>>> _ = writer.segment(trace, "payment", 0.1, 0.4, parent_id=root, error="card declined")
>>> writer.flush()
2
>>> get_traces(env, [trace])[["name", "duration_ms", "error"]].values.tolist()
[['checkout', 50.0, False], ['payment', 300.0, True]]
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..platform import limits

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["TraceWriter", "get_traces", "slowest_segment", "failing_segments", "ORIGINS"]

#: The ``origin`` X-Ray gives each kind of hop.
ORIGINS = {"checkout": "AWS::ApiGateway::Stage", "orders-queue": "AWS::SQS::Queue",
           "payment": "AWS::Lambda::Function", "order-bus": "AWS::Events",
           "inventory-queue": "AWS::SQS::Queue", "inventory": "AWS::Lambda::Function",
           "notification": "AWS::Lambda::Function"}
_BATCH = 50


class TraceWriter:
    """Builds X-Ray segment documents for the environment and sends them in batches.

    Times given to :meth:`segment` are clock seconds since the environment started.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._rng = env.random("xray")
        self._pending: list[str] = []
        self._epoch0 = env.clock.now().timestamp() - env.clock.elapsed()

    def new_trace(self) -> str:
        """A new trace id, ``1-<8 hex: epoch seconds>-<24 hex>`` as X-Ray formats them."""
        now = int(self.env.clock.now().timestamp())
        return f"1-{now:08x}-{self._rng.getrandbits(96):024x}"

    def _id(self) -> str:
        return f"{self._rng.getrandbits(64):016x}"

    def segment(self, trace_id: str, name: str, start: float, end: float, *,
                parent_id: str | None = None, error: str | None = None,
                annotations: dict[str, Any] | None = None, origin: str | None = None) -> str:
        """Queue one segment document; returns its id (16 hex digits)."""
        segment_id = self._id()
        doc: dict[str, Any] = {"name": name, "id": segment_id, "trace_id": trace_id,
                               "start_time": round(self._epoch0 + start, 6),
                               "end_time": round(self._epoch0 + end, 6),
                               "origin": origin or ORIGINS.get(name, "AWS::Lambda::Function"),
                               "annotations": dict(annotations or {})}
        if parent_id:
            doc["parent_id"] = parent_id
        if error:
            doc["error"] = True
            doc["cause"] = {"exceptions": [{"id": self._id(), "message": error}]}
        text = json.dumps(doc)
        if len(text.encode()) > limits.XRAY_SEGMENT_DOCUMENT_MAX_BYTES:  # pragma: no cover
            raise ValueError(f"segment {name} of trace {trace_id} exceeds 64 KB")
        self._pending.append(text)
        return segment_id

    def flush(self) -> int:
        """Send every queued document with ``PutTraceSegments``; returns how many."""
        xray = self.env.client("xray")
        sent = len(self._pending)
        for first in range(0, sent, _BATCH):
            response = xray.put_trace_segments(TraceSegmentDocuments=self._pending[first:first + _BATCH])
            if response.get("UnprocessedTraceSegments"):  # pragma: no cover - AWS-side failure
                raise RuntimeError(f"X-Ray refused segments: {response['UnprocessedTraceSegments']}")
        self._pending = []
        return sent


_COLUMNS = ["trace_id", "order_id", "name", "origin", "id", "parent_id", "start", "end",
            "duration_ms", "error", "cause"]


def get_traces(env: Environment, trace_ids: list[str]) -> pd.DataFrame:
    """``BatchGetTraces`` (5 ids a call) -> one row per segment, by trace then start time.

    ``start``/``end`` are clock seconds since the environment started.
    """
    xray = env.client("xray")
    epoch0 = env.clock.now().timestamp() - env.clock.elapsed()
    rows = []
    ids = list(dict.fromkeys(trace_ids))
    for first in range(0, len(ids), limits.XRAY_BATCH_GET_TRACES_MAX_IDS):
        chunk = ids[first:first + limits.XRAY_BATCH_GET_TRACES_MAX_IDS]
        kwargs: dict[str, Any] = {"TraceIds": chunk}
        while True:
            page = xray.batch_get_traces(**kwargs)
            for trace in page["Traces"]:
                for seg in trace["Segments"]:
                    doc = json.loads(seg["Document"])
                    cause = doc.get("cause", {}).get("exceptions", [{}])[0].get("message")
                    rows.append({"trace_id": doc["trace_id"], "order_id": doc.get("annotations", {}).get("order_id"),
                                 "name": doc["name"], "origin": doc.get("origin"), "id": doc["id"],
                                 "parent_id": doc.get("parent_id"),
                                 "start": round(doc["start_time"] - epoch0, 3),
                                 "end": round(doc["end_time"] - epoch0, 3),
                                 "duration_ms": round((doc["end_time"] - doc["start_time"]) * 1000, 1),
                                 "error": bool(doc.get("error")), "cause": cause})
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    order = {t: i for i, t in enumerate(ids)}
    frame["_o"] = frame["trace_id"].map(order)
    return frame.sort_values(["_o", "start", "end"], kind="stable").drop(columns="_o").reset_index(drop=True)


def slowest_segment(frame: pd.DataFrame) -> pd.Series:
    """The segment that took longest (the place to look first for latency)."""
    return frame.loc[frame["duration_ms"].idxmax()]


def failing_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """The segments marked ``error`` (a failed attempt), with their cause."""
    return frame[frame["error"]].reset_index(drop=True)
