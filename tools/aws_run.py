"""The notebooks on a real AWS account, compared with their moto outputs.

Usage
-----
python tools/aws_run.py                   print the plan, the estimated cost and time; run nothing
python tools/aws_run.py --yes [NN ...]    run them on AWS (the standard credential chain)
python tools/aws_run.py --full --yes      the committed (full-size) scenario instead of short
python tools/aws_run.py --backend server --yes 0     the same plumbing on the local server
python tools/aws_run.py --measure         re-measure the budget (moto, both scenarios)

On ``aws`` the notebooks run the ``short`` scenario by default (``SECURECART_SCENARIO=short``:
fewer orders, shorter waits, the same effects), since every simulated second is a real one
there. A short run's outputs differ from the committed (full-size) ones, so the notebooks run
first on the local ``moto`` backend in the short scenario (seconds), and AWS is compared with
that; a full run is compared with the committed outputs.

Each notebook runs in a fresh kernel with ``SECURECART_BACKEND=aws`` (the real clock); a cell
that fails does not stop the run, and after the notebook's own last cell (``env.teardown()``)
one more teardown runs in the same kernel, so everything the run created is deleted even when
a notebook fails half-way (teardown is safe twice). Then every cell's output is compared with
the baseline (through ``notebooks/nbval_sanitize.cfg``, as nbval compares), and the cells
where AWS answered differently are written to ``<out>/differences.md`` with the executed
notebooks beside it.
"""

from __future__ import annotations

import argparse
import configparser
import datetime
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "notebooks" / "nbval_sanitize.cfg"
#: Simulated seconds and requests of each notebook per scenario, measured on moto
#: (``--measure`` rewrites it): the plan's time and cost estimates read it.
BUDGET = ROOT / "tools" / "aws_budget.json"
SCENARIOS = ("short", "full")

#: Prices behind the estimate (us-east-1, from the services' AWS pricing pages, read 2026-12;
#: check them before relying on the figure). Request charges of one run stay far below one
#: million requests; Kinesis shards are billed per shard-hour, CloudWatch alarms per month
#: prorated by the hour.
KINESIS_SHARD_HOUR_USD = 0.015
SQS_PER_MILLION_REQUESTS_USD = 0.40
#: The shards the course's notebooks create at most at once (notebook 06's clickstream).
COURSE_MAX_SHARDS = 4
#: Requests of a notebook missing from the budget (an upper figure, rounded up).
REQUESTS_PER_NOTEBOOK = 20_000
#: Per-cell limit on AWS, where long polls and retries run on the real clock.
CELL_TIMEOUT_S = 900

MEASURE = "securecart-measure"
TEARDOWN_CELL = ("try:\n    print(env.teardown(quiet=True))\n"
                 f"    print('{MEASURE}', env.clock.elapsed(), env.requests)\n"
                 "except NameError:\n    print('no environment was opened')\n")


def estimate_usd(requests: int) -> float:
    """An upper estimate of one run's cost in US dollars: an hour of the course's Kinesis
    shards and ``requests`` priced as SQS requests.

    Example
    -------
    >>> round(estimate_usd(160_000), 3)
    0.124
    """
    shards = COURSE_MAX_SHARDS * KINESIS_SHARD_HOUR_USD
    return shards + requests / 1e6 * SQS_PER_MILLION_REQUESTS_USD


def budget(paths: list[Path], scenario: str) -> tuple[dict[str, float], int, list[str]]:
    """Simulated seconds per notebook and requests of ``paths`` in ``scenario`` from
    :data:`BUDGET`, and the notebooks it has no figure for (counted at
    :data:`REQUESTS_PER_NOTEBOOK`)."""
    table = json.loads(BUDGET.read_text())["notebooks"] if BUDGET.exists() else {}
    seconds: dict[str, float] = {}
    requests, missing = 0, []
    for path in paths:
        row = table.get(path.stem[:2], {}).get(scenario)
        if row is None:
            missing.append(path.stem[:2])
            requests += REQUESTS_PER_NOTEBOOK
        else:
            seconds[path.stem[:2]] = row["seconds"]
            requests += row["requests"]
    return seconds, requests, missing


def _duration(seconds: float) -> str:
    if seconds >= 7200:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(SANITIZE)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def output_text(cell, patterns) -> str:
    """A cell's outputs as one sanitized text (streams, errors, plain-text results)."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append("".join(out["text"]))
        elif out["output_type"] == "error":
            parts.append(f"ERROR {out['ename']}: {out['evalue']}")
        else:
            parts.append("".join(out.get("data", {}).get("text/plain", "")))
    text = "".join(parts)
    for regex, replace in patterns:
        text = regex.sub(replace, text)
    return text


def _ignored(cell) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    return bool({"nbval-ignore-output", "nbval-skip"} & tags) or "NBVAL_" in cell.source


def differences(committed, ran, name: str) -> list[str]:
    """Markdown rows: one per code cell whose output differs from the committed one."""
    patterns, rows = _patterns(), []
    for index, (want, got) in enumerate(zip(committed.cells, ran.cells, strict=False)):
        if want.cell_type != "code" or _ignored(want):
            continue
        a, b = output_text(want, patterns), output_text(got, patterns)
        if a != b:
            first = want.source.strip().splitlines()[0][:50] if want.source.strip() else ""
            short = [re.sub(r"\s+", " ", t).strip()[:90].replace("|", "\\|") or "(nothing)"
                     for t in (a, b)]
            rows.append(f"| {name} | {index} | `{first}` | {short[0]} | {short[1]} |")
    return rows


def run(path: Path, backend: str, out: Path, scenario: str = "full"):
    """Execute one notebook on ``backend`` in ``scenario``; then tear down whatever it left.

    The notebook's metadata keeps the teardown's text (``securecart_cleanup``) and the
    environment's clock seconds and requests at the end (``securecart_measure``).
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["SECURECART_BACKEND"] = backend
    os.environ["SECURECART_SCENARIO"] = scenario
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        try:
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
        finally:
            cleanup = nbformat.v4.new_code_cell(TEARDOWN_CELL)
            nb.cells.append(cleanup)
            client.execute_cell(cleanup, len(nb.cells) - 1)
            nb.cells.pop()
            text = output_text(cleanup, [])
            nb.metadata["securecart_cleanup"] = text
            found = re.search(rf"{MEASURE} (\S+) (\d+)", text)
            if found:
                nb.metadata["securecart_measure"] = {"seconds": round(float(found[1]), 1),
                                                     "requests": int(found[2])}
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out / path.name)
    return nb


def measure(paths: list[Path], out: Path) -> dict:
    """Run ``paths`` on moto in both scenarios; the budget with their seconds and requests
    (the other notebooks keep the figures :data:`BUDGET` has)."""
    table: dict = json.loads(BUDGET.read_text())["notebooks"] if BUDGET.exists() else {}
    for path in paths:
        for scenario in SCENARIOS:
            started = time.monotonic()
            ran = run(path, "moto", out / f"moto-{scenario}", scenario)
            row = dict(ran.metadata.get("securecart_measure", {}),
                       wall=round(time.monotonic() - started, 1))
            table.setdefault(path.stem[:2], {})[scenario] = row
            table[path.stem[:2]]["measured"] = f"{datetime.date.today():%Y-%m-%d}"
            print(f"{path.stem} {scenario}: {row}", flush=True)
    return {"measured": "on the moto backend: simulated clock seconds, API requests, wall "
                        "seconds on the machine that measured",
            "notebooks": dict(sorted(table.items()))}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--yes", action="store_true", help="run them (costs money on aws)")
    parser.add_argument("--backend", default="aws", choices=["aws", "server"])
    parser.add_argument("--scenario", choices=SCENARIOS, default=None,
                        help="short (default on aws): smaller sizes; full: the committed ones")
    parser.add_argument("--full", action="store_const", const="full", dest="scenario",
                        help="the same as --scenario full")
    parser.add_argument("--measure", action="store_true",
                        help=f"measure both scenarios on moto and rewrite {BUDGET.name}")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "aws")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help=argparse.SUPPRESS)
    parser.add_argument("only", nargs="*", help="notebook numbers (default: all)")
    args = parser.parse_args(argv)
    paths = [p for p in sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb"))
             if not args.only or any(p.name.startswith(f"{int(n):02d}") for n in args.only)]
    if args.measure:
        BUDGET.write_text(json.dumps(measure(paths, args.out / "measure"), indent=1) + "\n")
        print(f"Budget written to {BUDGET}")
        return 0
    scenario = args.scenario or ("short" if args.backend == "aws" else "full")
    per_notebook, requests, missing = budget(paths, scenario)
    seconds = sum(per_notebook.values())
    unknown = f" (no measured figure for {', '.join(missing)})" if missing else ""
    print(f"Estimated cost: about ${estimate_usd(requests):.3f} on AWS for {len(paths)} "
          f"notebook(s) in the {scenario} scenario (about {requests:,} requests and an hour of "
          f"Kinesis shards; everything is deleted afterwards){unknown}")
    print(f"Estimated real time: about {_duration(seconds)} of waiting on the real clock "
          f"({seconds:,.0f} simulated seconds measured on moto), plus the calls themselves: "
          + ", ".join(f"{nb} {_duration(s)}" for nb, s in per_notebook.items()))
    baseline = ("moto, short scenario (run first, here)" if scenario == "short"
                else "the committed moto outputs (full scenario)")
    print(f"Plan: {', '.join(p.stem for p in paths)} on backend {args.backend} in the {scenario} "
          f"scenario, real clock on aws; baseline: {baseline}; differences to "
          f"{args.out / 'differences.md'}")
    if not args.yes:
        print("Nothing was run: add --yes to run them (make test-aws ARGS=--yes).")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rows, started = [], time.monotonic()
    for path in paths:
        if scenario == "short":
            want = run(path, "moto", args.out / "moto-short", scenario)
        else:
            want = nbformat.read(path, as_version=4)
        began = time.monotonic()
        ran = run(path, args.backend, args.out, scenario)
        wall = time.monotonic() - began
        found = differences(want, ran, path.stem[:2])
        rows += found
        took = ran.metadata.get("securecart_measure", {})
        print(f"{path.stem}: {len(found)} cell(s) differ ({took.get('seconds', '?')} s on the "
              f"clock, {took.get('requests', '?')} requests, {wall:.0f} s on {args.backend})",
              flush=True)
    label = "moto short" if scenario == "short" else "moto (committed)"
    table = [f"| notebook | cell | source | {label} | {args.backend} |",
             "|---|---|---|---|---|", *rows]
    (args.out / "differences.md").write_text(
        f"# Where {args.backend} ({scenario} scenario) answered differently from {baseline}\n\n"
        + ("\n".join(table) if rows else "No cell differs.") + "\n")
    print(f"{len(rows)} differing cell(s) in {time.monotonic() - started:.0f} s: "
          f"{args.out / 'differences.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
