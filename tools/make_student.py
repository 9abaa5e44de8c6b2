"""Student copies of the notebooks: solutions replaced by their starters.

Usage
-----
python tools/make_student.py                 the working copy in workbook/ (made once: an
                                             existing copy is never overwritten)
python tools/make_student.py --fresh 3       a fresh copy of notebook 03 (the old one is kept
                                             as workbook/03_<name>.<time>.bak.ipynb); refused
                                             while JupyterLab has it open (--force overrides)
python tools/make_student.py --out DIR       the student edition of every notebook in DIR

Each cell tagged ``solution`` gets the starter code stored in its metadata and loses its
outputs; the exercise's check cell loses its outputs too (its committed ✔ would give the
answer away). Every other cell is copied as committed, outputs included.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from datetime import datetime
from pathlib import Path

import nbformat

from helpers.course.student import WORKBOOK_DIR, make_working_copy, student_notebook

ROOT = Path(__file__).resolve().parents[1]


def student_copy(path: Path, out_dir: Path) -> Path:
    """Write the student edition of the notebook ``path`` into ``out_dir`` (overwriting)."""
    target = Path(out_dir) / Path(path).name
    nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
    return target


def notebook_prefix(nb: str) -> str:
    """``make fresh NB=...`` as a file-name prefix: ``3`` and ``03`` both mean notebook 03.

    Example
    -------
    >>> notebook_prefix("3"), notebook_prefix("03"), notebook_prefix("03_lab1")
    ('03', '03', '03_lab1')
    """
    nb = nb.strip()
    return f"{int(nb):02d}" if nb.isdigit() else nb


def backup_name(path: Path, now: datetime) -> Path:
    """Where the old copy goes: its name with the time, still a notebook JupyterLab opens.

    Example
    -------
    >>> backup_name(Path("workbook/03_lab1.ipynb"), datetime(2026, 12, 5, 23, 1)).name
    '03_lab1.2026-12-05T2301.bak.ipynb'
    """
    stem = f"{path.stem}.{now:%Y-%m-%dT%H%M}"
    backup, n = path.with_name(f"{stem}.bak.ipynb"), 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{stem}-{n}.bak.ipynb")
    return backup


def open_in_jupyter(path: Path) -> list[str]:
    """URLs of running Jupyter servers that have ``path`` open (a kernel session on it)."""
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return []
    path = path.resolve()
    where = []
    for info in list_running_servers():
        root = Path(info.get("root_dir") or "").resolve()
        if not path.is_relative_to(root):
            continue
        request = urllib.request.Request(f"{info['url'].rstrip('/')}/api/sessions",
                                         headers={"Authorization": f"token {info.get('token', '')}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                sessions = json.load(answer)
        except OSError:
            continue
        if any((root / s.get("path", "")).resolve() == path for s in sessions):
            where.append(info["url"])
    return where


def fresh_copy(nb: str, workbook: Path, *, force: bool = False) -> int:
    """``make fresh NB=3``: the old copy kept with its time, a new student edition in its place."""
    prefix = notebook_prefix(nb)
    sources = sorted((ROOT / "notebooks").glob(f"{prefix}*.ipynb"))
    if not sources:
        print(f"no notebook starts with {prefix!r} in notebooks/", file=sys.stderr)
        return 2
    for source in sources:
        copy = workbook / source.name
        print(f"Close {copy.name} in JupyterLab first (File > Close Tab). If it stays open, "
              "JupyterLab shows 'File Changed': choose Revert (its default, Overwrite, would "
              "put your old copy back).")
        servers = open_in_jupyter(copy) if copy.exists() else []
        if servers and not force:
            print(f"{copy.name} is open in JupyterLab ({servers[0]}): close its tab and shut "
                  "its kernel down (Kernel > Shut Down Kernel), then run make fresh again "
                  "(or make fresh NB=... FORCE=1).", file=sys.stderr)
            return 3
        if copy.exists():
            backup = backup_name(copy, datetime.now())
            copy.rename(backup)
            print(f"kept your old copy as {backup.relative_to(workbook.parent)}")
        make_working_copy(ROOT / "notebooks", workbook, only=source.name)
        print(f"   fresh  {copy.relative_to(workbook.parent)}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="write every student edition here (overwrites)")
    parser.add_argument("--fresh", metavar="NB", help="replace the working copy of notebook NB")
    parser.add_argument("--workbook", type=Path, default=ROOT / WORKBOOK_DIR)
    parser.add_argument("--force", action="store_true", help="--fresh even if it is open")
    args = parser.parse_args(argv)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            print(f"wrote {student_copy(path, args.out)}")
        return 0
    if args.fresh is not None:
        return fresh_copy(args.fresh, args.workbook, force=args.force)
    done = make_working_copy(ROOT / "notebooks", args.workbook)
    for path, what in done:
        print(f"{what:>8}  {path.relative_to(args.workbook.parent) if path.is_relative_to(args.workbook.parent) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
