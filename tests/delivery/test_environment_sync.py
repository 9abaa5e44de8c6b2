"""pyproject.toml and environment.yml pin the same packages at the same versions."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

#: conda-forge names that differ from the PyPI name (PyPI name -> conda name).
CONDA_NAMES: dict[str, str] = {}
#: conda entries that are not Python packages of the project.
CONDA_ONLY = {"python", "pip"}

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*(==|=)\s*([^\s;,]+)\s*$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(requirement: str, where: str) -> tuple[str, str]:
    match = _REQUIREMENT.match(requirement)
    assert match, f"{where}: {requirement!r} is not an exact pin (name==version or name=version)"
    return _normal(match.group(1)), match.group(3)


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return dict(_parse(r, "pyproject.toml") for r in requirements)


def environment_pins() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_to_pypi = {conda: pypi for pypi, conda in CONDA_NAMES.items()}
    pins: dict[str, str] = {}
    for entry in spec["dependencies"]:
        if isinstance(entry, dict):
            for requirement in entry.get("pip", []):
                if requirement.strip().startswith("-"):  # -c lock, -e project
                    continue
                name, version = _parse(requirement, "environment.yml (pip)")
                pins[name] = version
            continue
        if _normal(str(entry).split("=")[0]) in CONDA_ONLY:
            continue
        name, version = _parse(str(entry), "environment.yml")
        pins[conda_to_pypi.get(name, name)] = version
    return pins


def drift(left: dict[str, str], right: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name, "(missing)"), right.get(name, "(missing)")
        if a != b:
            lines.append(f"  {name}: pyproject.toml {a} | environment.yml {b}")
    return lines


def test_pyproject_and_environment_yml_pin_the_same_versions():
    # GIVEN both dependency lists
    pyproject, environment = pyproject_pins(), environment_pins()

    # WHEN comparing them
    lines = drift(pyproject, environment)

    # THEN no package differs
    assert not lines, "pyproject.toml and environment.yml drifted:\n" + "\n".join(lines)
    assert {"boto3", "moto", "jsonschema", "pytest", "pyyaml"} <= set(pyproject)


def test_moto_keeps_its_extras_in_the_pip_section():
    # GIVEN / WHEN the environment file's pip section
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(e["pip"] for e in spec["dependencies"] if isinstance(e, dict))
    moto_pyproject = next(r for r in tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"]["dependencies"] if r.startswith("moto"))

    # THEN moto is pinned there with the very same extras
    assert moto_pyproject in pip


def test_drift_message_lists_each_difference():
    # GIVEN two lists that differ in a version and a missing package
    # WHEN / THEN
    assert drift({"boto3": "1.0", "tqdm": "4"}, {"boto3": "1.1"}) == [
        "  boto3: pyproject.toml 1.0 | environment.yml 1.1",
        "  tqdm: pyproject.toml 4 | environment.yml (missing)",
    ]


def test_every_pin_agrees_with_the_lock_and_everything_installs_through_it():
    # GIVEN the lock (every transitive package) and both dependency lists
    sys.path.insert(0, str(ROOT / "tools"))
    from lock import LOCK, disagreements, lock_pins

    lock = LOCK.read_text()
    locked = lock_pins(lock)
    # WHEN / THEN pyproject.toml's pins are the lock's (make refuses to install otherwise)
    assert disagreements((ROOT / "pyproject.toml").read_text(), lock) == []
    # AND so are environment.yml's
    assert not [f"{n} {v} (lock {locked.get(n)})" for n, v in environment_pins().items()
                if v not in locked.get(n, set())]
    # AND the lock pins transitive packages too, each at exactly one version per platform
    assert {"flask", "werkzeug", "jsonpath-ng", "antlr4-python3-runtime"} <= set(locked)
    # AND make lab, make test and conda all install with the lock as constraints
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(e["pip"] for e in spec["dependencies"] if isinstance(e, dict))
    assert "-c requirements/lock.txt" in pip and "-e .[lab,test]" in pip
    makefile = (ROOT / "Makefile").read_text()
    assert "-c $(LOCK)" in makefile and "LOCK := requirements/lock.txt" in makefile


def test_a_pin_changed_in_pyproject_alone_stops_make_with_the_package_named(tmp_path):
    # GIVEN pyproject.toml bumped without `make lock`
    sys.path.insert(0, str(ROOT / "tools"))
    from lock import disagreements

    pyproject = (ROOT / "pyproject.toml").read_text().replace('"tqdm==', '"tqdm==0.0.1+', 1)
    # WHEN compared with the lock
    lines = disagreements(pyproject, (ROOT / "requirements" / "lock.txt").read_text())
    # THEN the one package is named with both versions
    assert len(lines) == 1 and lines[0].startswith("tqdm: pyproject.toml 0.0.1+")
