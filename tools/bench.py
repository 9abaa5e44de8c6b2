"""`make bench`: performance ratios of the helpers, measured side by side in one run.

Writes build/bench.json and prints the table. Ratios, not absolute times, so the figures
mean the same on a laptop and on CI. Goals (from the foundation issue):

- pipeline_vs_raw >= 1.0: the helpers' producer + consumers pushing N orders, throughput
  divided by a hand-written boto3 batch loop (send 10 / receive 10 / delete 10) on the same
  backend (the raw loop uses a plain boto3 client: no hooks, no log). Same work on both
  sides: the raw loop asks for what the consumers hand a Lambda handler (every system
  attribute and the message attributes, ``RECEIVE_FOR_LAMBDA``).

The two throughput ratios are measured in CPU seconds of this process
(``time.process_time``; moto runs in-process), so other work on a shared machine does not
tilt them; the wall seconds are in the details too. ``pipeline_vs_raw`` is the median of
``--repeats`` interleaved pairs (the side that runs first alternates), and its details carry a
breakdown from one extra, instrumented pass: SQS calls per message on each side, CPU per call
of each operation, and the CPU the helpers spend outside SQS calls (their log rows, Lambda
events and clock), so a gap can be read, not guessed. The instrumented runs go in sequence
(raw, the raw loop on ``env.client``, helpers): compare their call counts and CPU outside
calls, not their milliseconds per call, which drift with the order.
- backlog_drain_vs_raw >= 30: draining a 2,000-message backlog with the helpers, divided by
  the raw loop draining the same backlog on plain moto (no stand-ins).
- sim_seconds_per_wall_second >= 100: simulated seconds per wall second in a
  visibility-timeout scenario (45 s of processing against a 30 s timeout).
- suite_vs_floor <= 2.0: executing every notebook, divided by (number of notebooks x a bare
  kernel that only imports the same libraries).
- slowest_notebook_vs_floor <= 4.0: the slowest notebook alone against the same bare kernel
  (what a student waits for on Run All).

The notebook ratios come with each notebook's AWS API calls (count, seconds inside them) and
``if_emulation_were_free``: the same ratios with the seconds inside calls replaced by boto3's
own cost per call, i.e. the best any speed-up of moto and the stand-ins could reach without
making fewer calls. ``--only notebooks`` measures only these.

Usage: python tools/bench.py [--orders 10000] [--backlog 2000] [--repeats 5] [--quick]
       [--only notebooks]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

import boto3
import moto
import nbformat
from nbclient import NotebookClient

import helpers
from helpers.sqs import create_queue, run_consumers, send_orders

ROOT = Path(__file__).resolve().parents[1]
GOALS = {
    "pipeline_vs_raw": (">=", 1.0),
    "backlog_drain_vs_raw": (">=", 30.0),
    "sim_seconds_per_wall_second": (">=", 100.0),
    "suite_vs_floor": ("<=", 2.0),
    "slowest_notebook_vs_floor": ("<=", 4.0),
    "capstone_sim_seconds_per_wall_second": (">=", 1_000.0),
}


def _orders(n: int) -> list[dict]:
    return helpers.data.OrderGenerator(seed=1).orders(n)


#: What a Lambda SQS event carries and the consumers therefore ask for on every receive.
RECEIVE_FOR_LAMBDA = {"MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]}


class _Timer:
    """CPU and wall seconds of a block (``with _Timer() as t: ...; t.cpu, t.wall``)."""

    def __enter__(self) -> _Timer:
        gc.collect()  # each side starts from a collected heap: neither pays for the other's garbage
        gc.freeze()
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.cpu = time.process_time() - self._cpu
        self.wall = time.perf_counter() - self._wall
        gc.unfreeze()


def _raw_loop(client, url: str, orders: list[dict]) -> _Timer:
    """Hand-written send 10 / receive 10 / delete 10 loop; returns its timer."""
    with _Timer() as timer:
        for i in range(0, len(orders), 10):
            client.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": json.dumps(order)} for j, order in enumerate(orders[i:i + 10])])
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         **RECEIVE_FOR_LAMBDA).get("Messages", [])
            if got:
                client.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(got)])
        while True:  # whatever is left
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         **RECEIVE_FOR_LAMBDA).get("Messages", [])
            if not got:
                break
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(got)])
    return timer


def _ratio(raw: _Timer, helper: _Timer, n: int) -> dict:
    return {"raw_msgs_per_s": n / raw.cpu, "helpers_msgs_per_s": n / helper.cpu,
            "raw_wall_seconds": raw.wall, "helpers_wall_seconds": helper.wall,
            "wall_ratio": raw.wall / helper.wall, "ratio": raw.cpu / helper.cpu}


def _ok(_event, _context):
    return None


def _pipeline(env, queue, orders: list[dict]) -> _Timer:
    """The helpers' producer and consumers pushing ``orders``; returns its timer."""
    with _Timer() as timer:
        chunk = 500
        for i in range(0, len(orders), chunk):  # producer and consumers interleave: the queue stays shallow
            send_orders(env, queue, orders[i:i + chunk])
            run_consumers(env, queue, _ok, workers=4, batch_size=10)
    return timer


class _CallMeter:
    """Counts SQS calls and the CPU seconds inside them, per operation, while installed."""

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = {}

    def __enter__(self) -> _CallMeter:
        import botocore.client

        self._cls, self._orig = botocore.client.BaseClient, botocore.client.BaseClient._make_api_call
        meter, orig = self, self._orig

        def metered(client, operation, params):
            start = time.process_time()
            try:
                return orig(client, operation, params)
            finally:
                meter.calls.setdefault(operation, []).append(time.process_time() - start)

        self._cls._make_api_call = metered
        return self

    def __exit__(self, *_: object) -> None:
        self._cls._make_api_call = self._orig

    def summary(self, n: int, total_cpu: float) -> dict:
        inside = sum(sum(v) for v in self.calls.values())
        count = sum(len(v) for v in self.calls.values())
        return {"sqs_calls": count, "calls_per_message": count / n,
                "per_operation": {op: {"calls": len(v), "cpu_ms_per_call": 1e3 * sum(v) / len(v)}
                                  for op, v in sorted(self.calls.items())},
                "cpu_inside_sqs_calls": inside, "cpu_outside_sqs_calls": total_cpu - inside}


def pipeline_vs_raw(n: int, repeats: int = 5) -> dict:
    orders = _orders(n)
    env = helpers.connect(run="bench", quiet=True)
    try:
        plain = boto3.client("sqs", region_name=env.region, endpoint_url=env.endpoint_url)
        raw_url = plain.create_queue(QueueName="securecart-bench-raw")["QueueUrl"]
        queue = create_queue(env, "pipeline", dlq=False)
        _raw_loop(plain, raw_url, orders[:200])  # warm both: first-call costs are not throughput
        _pipeline(env, queue, orders[:200])
        pairs = []
        for r in range(repeats):
            if r % 2 == 0:  # who goes first alternates: neither side always gets the warmer heap
                raw = _raw_loop(plain, raw_url, orders)
                helper = _pipeline(env, queue, orders)
            else:
                helper = _pipeline(env, queue, orders)
                raw = _raw_loop(plain, raw_url, orders)
            pairs.append(_ratio(raw, helper, n))
        with _CallMeter() as raw_meter:
            raw = _raw_loop(plain, raw_url, orders)
        with _CallMeter() as env_meter:  # the same loop on the environment's client: hooks + log
            env_raw = _raw_loop(env.client("sqs"), raw_url, orders)
        with _CallMeter() as helper_meter:
            helper = _pipeline(env, queue, orders)
    finally:
        env.teardown()
    pairs.sort(key=lambda p: p["ratio"])
    middle = pairs[len(pairs) // 2]  # the pair whose raw and helper figures are shown
    return {**middle, "ratio": statistics.median(p["ratio"] for p in pairs), "repeats": repeats,
            "ratios": [round(p["ratio"], 3) for p in pairs],
            "breakdown (instrumented pass, not timed for the ratio)": {
                "raw": raw_meter.summary(n, raw.cpu),
                "raw loop on env.client": env_meter.summary(n, env_raw.cpu),
                "helpers": helper_meter.summary(n, helper.cpu)}}


def backlog_drain_vs_raw(n: int) -> dict:
    bodies = [json.dumps(o) for o in _orders(n)]  # the backlog is filled before timing
    with moto.mock_aws():
        plain = boto3.client("sqs", region_name="us-east-1")
        url = plain.create_queue(QueueName="raw-backlog")["QueueUrl"]
        for i in range(0, n, 10):
            plain.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies[i:i + 10])])
        raw = _raw_loop(plain, url, [])
    env = helpers.connect(run="bench", quiet=True)
    try:
        queue = create_queue(env, "backlog", dlq=False)
        send_orders(env, queue, _orders(n))
        with _Timer() as helper:
            report = run_consumers(env, queue, _ok, workers=1, batch_size=10)
        assert report.deleted == n, report
    finally:
        env.teardown()
    return _ratio(raw, helper, n)


def sim_per_wall(n: int = 200) -> dict:
    env = helpers.connect(run="bench", quiet=True)
    try:
        queue = create_queue(env, "visibility", dlq=False, visibility_timeout=30)
        send_orders(env, queue, _orders(n))
        start = time.perf_counter()
        run_consumers(env, queue, _ok, workers=4, batch_size=1, processing_seconds=45)
        wall = time.perf_counter() - start
        sim = env.clock.elapsed()
    finally:
        env.teardown()
    return {"sim_seconds": sim, "wall_seconds": wall, "ratio": sim / wall}


def capstone_sim_per_wall(orders: int = 2_000) -> dict:
    """Notebook 08's grader: simulated seconds of a full day (>= 2,000 orders, every failure)
    per wall second, discovery included, for the SNS fan-out design."""
    from helpers import capstone
    env = helpers.connect(run="bench", quiet=True)
    try:
        capstone.RIGHT_DESIGNS["sns"](env)
        start = time.perf_counter()
        card = capstone.grade(env, orders=orders)
        wall = time.perf_counter() - start
    finally:
        env.teardown()
    return {"sim_seconds": card.record.end, "wall_seconds": wall, "orders": len(card.record.orders),
            "passed": card.passed, "ratio": card.record.end / wall}


#: Prepended to every notebook in ``suite_vs_floor``: counts the kernel's outermost AWS API
#: calls and the wall seconds inside them (calls a stand-in makes inside a call are its own).
_METER_CELL = """\
import time as _bench_t, botocore.client as _bench_bc
_bench_orig, _bench = _bench_bc.BaseClient._make_api_call, {"calls": 0, "seconds": 0.0, "depth": 0}
def _bench_metered(self, operation, params, _orig=_bench_orig, _m=_bench):
    if _m["depth"]:
        return _orig(self, operation, params)
    _m["depth"] += 1
    start = _bench_t.perf_counter()
    try:
        return _orig(self, operation, params)
    finally:
        _m["depth"] -= 1
        _m["calls"] += 1
        _m["seconds"] += _bench_t.perf_counter() - start
_bench_bc.BaseClient._make_api_call = _bench_metered
"""
_REPORT_CELL = "import json as _bench_json; print(_bench_json.dumps({k: _bench[k] for k in ('calls', 'seconds')}))"


def _run_notebook(nb, meter: bool = False) -> tuple[float, dict]:
    """Wall seconds of executing ``nb`` in a fresh kernel (and its API calls, if metered)."""
    if meter:
        nb.cells = [nbformat.v4.new_code_cell(_METER_CELL), *nb.cells,
                    nbformat.v4.new_code_cell(_REPORT_CELL)]
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if not meter:
        return seconds, {}
    return seconds, json.loads(nb.cells[-1].outputs[0]["text"])


def botocore_only_ms_per_call(n: int = 2_000) -> float:
    """Milliseconds boto3 itself spends on one call (serialize, sign, parse), no service at all.

    A ``before-send`` handler answers every call at once with an empty DynamoDB response, so
    the figure is what a call costs in the kernel even if the emulation answered in no time.
    """
    from botocore.awsrequest import AWSResponse

    class _Body:
        def stream(self, **_: object):
            yield b"{}"

    session = boto3.session.Session(aws_access_key_id="bench", aws_secret_access_key="bench",
                                    region_name="us-east-1")
    client = session.client("dynamodb", endpoint_url="http://127.0.0.1:9")
    client.meta.events.register("before-send.dynamodb.*", lambda request, **_: AWSResponse(
        request.url, 200, {"content-type": "application/x-amz-json-1.0"}, _Body()))
    client.get_item(TableName="t", Key={"id": {"S": "warm"}})
    start = time.perf_counter()
    for i in range(n):
        client.get_item(TableName="t", Key={"id": {"S": str(i)}})
    return 1e3 * (time.perf_counter() - start) / n


def suite_vs_floor(repeats: int = 5) -> dict:
    """Run All of every notebook against a bare kernel, and how far a free emulation could get.

    Each notebook's API calls are metered in the kernel; ``if_emulation_were_free`` replaces the
    seconds inside them by boto3's own cost per call (:func:`botocore_only_ms_per_call`): the
    ratio the notebook would have if moto and the stand-ins answered every call in no time.
    """
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import boto3, moto, pandas, matplotlib, ipywidgets, helpers")])
    floor = statistics.median(_run_notebook(bare)[0] for _ in range(repeats))
    per_notebook, calls = {}, {}
    for p in paths:
        per_notebook[p.stem], calls[p.stem] = _run_notebook(nbformat.read(p, as_version=4), meter=True)
    suite = sum(per_notebook.values())
    boto_ms = botocore_only_ms_per_call()
    free = {k: per_notebook[k] - c["seconds"] + c["calls"] * boto_ms / 1e3 for k, c in calls.items()}
    return {"floor_seconds": floor, "notebooks": len(paths), "suite_seconds": suite,
            "per_notebook_seconds": per_notebook, "ratio": suite / (len(paths) * floor),
            "api_calls": {k: {"calls": c["calls"], "seconds_inside": round(c["seconds"], 2)}
                          for k, c in calls.items()},
            "if_emulation_were_free": {
                "boto3_ms_per_call": round(boto_ms, 3),
                "per_notebook_ratio": {k: round(v / floor, 2) for k, v in free.items()},
                "suite_ratio": round(sum(free.values()) / (len(paths) * floor), 2)}}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--backlog", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5, help="interleaved pairs for pipeline_vs_raw")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", choices=["notebooks"],
                        help="only the notebook ratios (written to build/bench-notebooks.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.orders, args.backlog, args.repeats = 1_000, 500, 3
    details = {} if args.only else {
        "pipeline_vs_raw": pipeline_vs_raw(args.orders, args.repeats),
        "backlog_drain_vs_raw": backlog_drain_vs_raw(args.backlog),
        "sim_seconds_per_wall_second": sim_per_wall(),
        "capstone_sim_seconds_per_wall_second": capstone_sim_per_wall(),
    }
    suite = details["suite_vs_floor"] = suite_vs_floor()
    slowest = max(suite["per_notebook_seconds"], key=suite["per_notebook_seconds"].get)
    details["slowest_notebook_vs_floor"] = {
        "notebook": slowest, "ratio": suite["per_notebook_seconds"][slowest] / suite["floor_seconds"],
        "per_notebook_ratio": {k: round(v / suite["floor_seconds"], 2)
                               for k, v in suite["per_notebook_seconds"].items()}}
    ratios = {name: round(d["ratio"], 2) for name, d in details.items()}
    met = {}
    for name, (op, goal) in GOALS.items():
        if name not in ratios:
            continue
        met[name] = ratios[name] >= goal if op == ">=" else ratios[name] <= goal
        print(f"{name:30s} {ratios[name]:>10.2f}   goal {op} {goal:<6} {'met' if met[name] else 'NOT MET'}")
    free = suite["if_emulation_were_free"]
    print(f"{'if the emulation were free':30s} suite {free['suite_ratio']:.2f}, slowest "
          f"{max(free['per_notebook_ratio'].values()):.2f} (boto3 alone: {free['boto3_ms_per_call']} ms a call)")
    out = ROOT / "build" / ("bench-notebooks.json" if args.only else "bench.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"ratios": ratios, "goals": {k: f"{o} {g}" for k, (o, g) in GOALS.items()},
                               "met": met, "sizes": {"orders": args.orders, "backlog": args.backlog,
                                         "repeats": args.repeats},
                               "details": details}, indent=2, default=float))
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
