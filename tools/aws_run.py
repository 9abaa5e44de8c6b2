"""The notebooks on a real AWS account, compared with their committed moto outputs.

Usage
-----
python tools/aws_run.py                   print the plan and the estimated cost; run nothing
python tools/aws_run.py --yes [NN ...]    run them on AWS (the standard credential chain)
python tools/aws_run.py --backend server --yes 0     the same plumbing on the local server

Each notebook runs in a fresh kernel with ``SECURECART_BACKEND=aws`` (the real clock); a cell
that fails does not stop the run, and after the notebook's own last cell (``env.teardown()``)
one more teardown runs in the same kernel, so everything the run created is deleted even when
a notebook fails half-way (teardown is safe twice). Then every cell's output is compared with
the committed one (through ``notebooks/nbval_sanitize.cfg``, as nbval compares), and the cells
where AWS answered differently are written to ``<out>/differences.md`` with the executed
notebooks beside it.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "notebooks" / "nbval_sanitize.cfg"

#: Prices behind the estimate (us-east-1, from the services' AWS pricing pages, read 2026-12;
#: check them before relying on the figure). Request charges of one run stay far below one
#: million requests; Kinesis shards are billed per shard-hour, CloudWatch alarms per month
#: prorated by the hour.
KINESIS_SHARD_HOUR_USD = 0.015
SQS_PER_MILLION_REQUESTS_USD = 0.40
#: The shards the course's notebooks create at most at once (notebook 06's clickstream).
COURSE_MAX_SHARDS = 4
#: Requests one notebook makes at most (from the committed event logs, rounded up).
REQUESTS_PER_NOTEBOOK = 20_000
#: Per-cell limit on AWS, where long polls and retries run on the real clock.
CELL_TIMEOUT_S = 900

TEARDOWN_CELL = ("try:\n    print(env.teardown(quiet=True))\n"
                 "except NameError:\n    print('no environment was opened')\n")


def estimate_usd(notebooks: int) -> float:
    """An upper estimate of one run's cost in US dollars.

    Example
    -------
    >>> round(estimate_usd(8), 3)
    0.124
    """
    shards = COURSE_MAX_SHARDS * KINESIS_SHARD_HOUR_USD
    requests = notebooks * REQUESTS_PER_NOTEBOOK / 1e6 * SQS_PER_MILLION_REQUESTS_USD
    return shards + requests


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


def run(path: Path, backend: str, out: Path):
    """Execute one notebook on ``backend``; then tear down whatever it left."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["SECURECART_BACKEND"] = backend
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
            nb.metadata["securecart_cleanup"] = output_text(cleanup, [])
    nbformat.write(nb, out / path.name)
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--yes", action="store_true", help="run them (costs money on aws)")
    parser.add_argument("--backend", default="aws", choices=["aws", "server"])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "aws")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks", help=argparse.SUPPRESS)
    parser.add_argument("only", nargs="*", help="notebook numbers (default: all)")
    args = parser.parse_args(argv)
    paths = [p for p in sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb"))
             if not args.only or any(p.name.startswith(f"{int(n):02d}") for n in args.only)]
    print(f"Estimated cost: about ${estimate_usd(len(paths)):.2f} on AWS for {len(paths)} "
          f"notebook(s) (Kinesis shard-hours and requests; everything is deleted afterwards)")
    print(f"Plan: {', '.join(p.stem for p in paths)} on backend {args.backend}, real clock "
          f"on aws; differences to {args.out / 'differences.md'}")
    if not args.yes:
        print("Nothing was run: add --yes to run them (make test-aws ARGS=--yes).")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rows, started = [], time.monotonic()
    for path in paths:
        ran = run(path, args.backend, args.out)
        found = differences(nbformat.read(path, as_version=4), ran, path.stem[:2])
        rows += found
        print(f"{path.stem}: {len(found)} cell(s) differ", flush=True)
    table = ["| notebook | cell | source | moto (committed) | " + args.backend + " |",
             "|---|---|---|---|---|", *rows]
    (args.out / "differences.md").write_text(
        f"# Where {args.backend} answered differently from the committed moto outputs\n\n"
        + ("\n".join(table) if rows else "No cell differs.") + "\n")
    print(f"{len(rows)} differing cell(s) in {time.monotonic() - started:.0f} s: "
          f"{args.out / 'differences.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
