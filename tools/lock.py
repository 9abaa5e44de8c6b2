"""The lock file: every package the course installs, transitive ones included, at one version.

Usage
-----
python3 tools/lock.py check      pyproject.toml's pins agree with requirements/lock.txt
                                 (standard library only: runs before any venv exists)
python3 tools/lock.py compile    rewrite requirements/lock.txt from pyproject.toml (uv)

``make lab``, ``make test`` and ``environment.yml`` all install with ``-c requirements/lock.txt``
(pip's constraints: the lock pins versions, the extras choose which packages). The lock is
resolved for every platform (``uv pip compile --universal``), so a student on macOS or Windows
gets the same versions, with their platform's own extras (``appnope``, ``colorama``).
``make lock`` runs ``compile`` after a pin in ``pyproject.toml`` changed; ``check`` is what makes
``make`` stop, naming the package, when somebody changed one file without the other.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements" / "lock.txt"
#: The extras resolved into the lock: all of them, so one file serves make lab and make test.
EXTRAS = ("lab", "test", "dev")
#: The oldest Python the course supports (pyproject's requires-python).
PYTHON = "3.11"

_PIN = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;,]+)\s*(?:;.*)?$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins(text: str) -> dict[str, str]:
    """``{name: version}`` of every exact pin in pyproject.toml (dependencies and extras).

    Example
    -------
    >>> pyproject_pins('[project]\\ndependencies = ["moto[sqs]==5.2.5"]\\n')
    {'moto': '5.2.5'}
    """
    project = tomllib.loads(text)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    pins = {}
    for requirement in requirements:
        match = _PIN.match(requirement)
        if match:
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def lock_pins(text: str) -> dict[str, set[str]]:
    """``{name: {versions}}`` in a lock file (a package may have one version per marker).

    Example
    -------
    >>> pins = lock_pins("numpy==2.4.6 ; python_full_version < '3.12'\\n    # via pandas\\nnumpy==2.5.5\\n")
    >>> sorted(pins["numpy"])  # a set's order changes from run to run
    ['2.4.6', '2.5.5']
    """
    pins: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = _PIN.match(line)
        if match and not line.lstrip().startswith("#"):
            pins.setdefault(_normal(match.group(1)), set()).add(match.group(2))
    return pins


def disagreements(pyproject: str, lock: str) -> list[str]:
    """One line per pin of pyproject.toml that the lock lacks or pins at another version.

    Example
    -------
    >>> disagreements('[project]\\ndependencies = ["boto3==1.2", "tqdm==4"]\\n', "boto3==1.1\\n")
    ['boto3: pyproject.toml 1.2, lock 1.1', 'tqdm: pyproject.toml 4, lock (missing)']
    """
    locked = lock_pins(lock)
    lines = []
    for name, version in sorted(pyproject_pins(pyproject).items()):
        have = locked.get(name, set())
        if version not in have:
            lines.append(f"{name}: pyproject.toml {version}, lock {', '.join(sorted(have)) or '(missing)'}")
    return lines


def check() -> int:
    if not LOCK.exists():
        print(f"{LOCK.relative_to(ROOT)} is missing: run `make lock`", file=sys.stderr)
        return 1
    lines = disagreements(PYPROJECT.read_text(), LOCK.read_text())
    if lines:
        print("pyproject.toml and requirements/lock.txt disagree:\n  " + "\n  ".join(lines)
              + "\nRun `make lock` (it re-resolves every package from PyPI) and commit both files.",
              file=sys.stderr)
        return 1
    return 0


def compile_lock(uv: str = "uv") -> int:
    command = [uv, "pip", "compile", "pyproject.toml", "--universal", "--python-version", PYTHON,
               "--quiet", "-o", str(LOCK.relative_to(ROOT))]
    for extra in EXTRAS:
        command += ["--extra", extra]
    LOCK.parent.mkdir(exist_ok=True)
    done = subprocess.run(command, cwd=ROOT)
    return done.returncode or check()


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["compile"]:
        return compile_lock(*argv[1:2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
