"""The student edition as a git branch, for nbgitpuller on a classroom JupyterHub.

Usage
-----
python tools/student_branch.py [--branch student] [--git-dir .git]     (make student-branch)

Commits, on the branch (made when missing), the student edition of every notebook at the top
of the tree, beside what they need to run: ``helpers/``, ``data/``, ``pyproject.toml``,
``requirements/lock.txt``, ``LICENSE`` and a short README. Written with git's plumbing (a
private index and work tree in a temporary folder, ``commit-tree``, ``update-ref``): the work tree, the index and the checked-out
branch are not touched. A run that changes nothing adds no commit; every other run adds one
on top of the last, so nbgitpuller can merge it into students' copies.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.course.student import student_notebook  # noqa: E402

#: What the notebooks need besides themselves (folders are taken as git tracks them).
SUPPORT = ("helpers", "data", "pyproject.toml", "requirements/lock.txt", "LICENSE")

README = """# SecureCart workbook: student edition

The notebooks of the SecureCart course (exercises with starter code, no solutions), made by
`make student-branch` from the course repository. Start with `00_welcome_and_setup.ipynb`.
On your own machine: `python3 -m venv .venv && .venv/bin/pip install -c requirements/lock.txt
-e ".[lab]"`, then `.venv/bin/jupyter lab`.
"""


def _git(*args: str, env: dict | None = None, data: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, env=env, input=data, capture_output=True,
                          check=True)
    return done.stdout.decode().strip()


def tree_files() -> dict[str, bytes]:
    """``{path in the branch: content}``: the student notebooks and what they need."""
    files: dict[str, bytes] = {"README.md": README.encode()}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        files[path.name] = nbformat.writes(student_notebook(nbformat.read(path, as_version=4))
                                           ).encode() + b"\n"
    tracked = _git("ls-files", "-z", "--", *SUPPORT).split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            files[name] = (ROOT / name).read_bytes()
    return files


def commit(branch: str, git_dir: Path) -> str | None:
    """Commit the student edition on ``branch`` of the repository at ``git_dir``; its id, or
    None when the branch already holds exactly this tree."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "tree"
        for name, content in tree_files().items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_bytes(content)
        env = {**os.environ, "GIT_DIR": str(git_dir), "GIT_INDEX_FILE": str(Path(tmp) / "index"),
               "GIT_WORK_TREE": str(work)}
        _git("add", "-A", "--", ".", env=env)
        tree = _git("write-tree", env=env)
        ref = f"refs/heads/{branch}"
        parent = subprocess.run(["git", "rev-parse", "--verify", "-q", ref], cwd=ROOT, env=env,
                                capture_output=True, text=True).stdout.strip()
        if parent and _git("rev-parse", f"{parent}^{{tree}}", env=env) == tree:
            return None
        source = _git("rev-parse", "--short", "HEAD")
        message = f"Student edition of {source}"
        new = _git("commit-tree", tree, *(["-p", parent] if parent else []), "-m", message, env=env)
        _git("update-ref", ref, new, *([parent] if parent else []), env=env)
        return new


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branch", default="student")
    parser.add_argument("--git-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    git_dir = args.git_dir or Path(_git("rev-parse", "--git-common-dir")).resolve()
    made = commit(args.branch, git_dir.resolve())
    if made is None:
        print(f"branch {args.branch} already holds this student edition: nothing to commit")
    else:
        print(f"committed {made[:12]} on branch {args.branch}; publish it with "
              f"`git push origin {args.branch}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
