"""Binder and the dev container: their files, and Binder's postBuild run as the service runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from lock import PYTHON  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _repository_copy(tmp_path: Path) -> Path:
    """The files a clone has (tracked and new, not ignored), as Binder receives them."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    repo = tmp_path / "repo"
    for name in files:
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    return repo


def test_binder_post_build_makes_the_student_workbook_and_hides_the_solutions(tmp_path):
    # GIVEN a copy of the repository and a fresh venv with the build backend pyproject asks
    # for; the venv also sees this venv's packages and pip resolves the lock in dry-run mode,
    # so the course's packages are not downloaded again here
    repo = _repository_copy(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    build = tomllib.loads((repo / "pyproject.toml").read_text())["build-system"]["requires"]
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *build],
                   check=True, capture_output=True)
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "PIP_DRY_RUN": "1", "PYTHONPATH": str(repo),
           "PIP_NO_BUILD_ISOLATION": "0"}  # pip reads "0" here as --no-build-isolation
    # WHEN Binder's build step runs in the repository's root, as repo2docker runs it
    done = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600)
    # THEN it succeeds, the student edition is in workbook/ and the solutions are gone
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    made = sorted(p.name for p in (repo / "workbook").glob("*.ipynb"))
    assert made == [p.name for p in NOTEBOOKS]
    assert not (repo / "notebooks").exists()
    lab1 = nbformat.read(repo / "workbook" / "03_lab1_sqs_order_processing.ipynb", as_version=4)
    solutions = [c for c in lab1.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions and all(c.source == c.metadata["starter"] for c in solutions)
    # AND the editable build the installs run prints setuptools' framed notice unless the
    # warning filter that make and postBuild set is on (the notice looks like an error)
    quiet = re.search(r'^EDITABLE_QUIET = PYTHONWARNINGS="([^"]+)"$',
                      (ROOT / "Makefile").read_text(), re.M).group(1)
    assert f'PYTHONWARNINGS="{quiet}" python -m pip install' in (repo / "binder" / "postBuild").read_text()
    build = "from setuptools import build_meta; build_meta.build_editable('dist-editable')"
    printed = {flag: subprocess.run([str(venv / "bin" / "python"), "-c", build], cwd=repo,
                                    env={**env, "PYTHONWARNINGS": flag}, capture_output=True,
                                    text=True, timeout=300).stderr for flag in ("", quiet)}
    assert "Editable installation" in printed[""]
    assert "Editable installation" not in printed[quiet] and "!!" not in printed[quiet]


def test_binder_and_devcontainer_install_from_the_lock_with_the_course_python():
    # GIVEN the Binder and dev container files
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    post_build = (ROOT / "binder" / "postBuild").read_text()
    text = (ROOT / ".devcontainer" / "devcontainer.json").read_text()
    devcontainer = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
    # THEN Binder uses the lock's Python and installs only the student extra through the lock
    assert runtime == f"python-{PYTHON}"
    assert '-c requirements/lock.txt -e ".[lab]"' in post_build
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
    # AND the dev container runs the course's Python and makes the venv and workbook/ as make does
    assert f":1-{PYTHON}-" in devcontainer["image"]
    assert "make workbook" in (ROOT / ".devcontainer" / "post-create.sh").read_text()
    # AND the README's badge opens 00 in workbook/ on Binder
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"mybinder\.org/v2/gh/[^)\s]+\?urlpath=lab/tree/workbook/00_welcome", readme)
