"""What a moto upgrade would change for the stand-ins: ``make moto-report``.

Installs the newest moto from PyPI into a scratch virtual environment under ``build/`` (the
rest of the course's dependencies are read from the project's venv through a ``.pth`` file,
so only moto is new), then, with that moto:

1. compares every moto target a stand-in patches with the signature it was written against
   (``helpers/emulation/moto_signatures.json``): which targets changed or disappeared, and which
   ones moto now has where the stand-in had to create them;
2. runs the ``test_moto_alone_*`` canaries: each proves moto alone lacks a behaviour, so a
   canary that now FAILS names a stand-in the newest moto may have made unnecessary.

``python tools/moto_report.py --record`` rewrites the signature file from the installed moto
(after a deliberate upgrade, once the stand-ins are checked).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "build" / "moto-latest"
#: moto modules whose patches apply when they are first imported (see helpers/emulation/_lazy.py).
LAZY_MODULES = ("moto.stepfunctions.parser.models", "moto.apigateway.models", "moto.awslambda.models")
CANARY_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py")
                      if "def test_moto_alone_" in p.read_text())


def current_targets() -> dict[str, str]:
    """``{moto target: signature text}`` of the installed moto, for every patched target."""
    sys.path.insert(0, str(ROOT))
    import helpers
    from helpers.emulation._signatures import patched_targets, signature_text

    env = helpers.connect(quiet=True)
    try:
        for module in LAZY_MODULES:
            importlib.import_module(module)
        return {t: signature_text(o) for t, (_g, o) in sorted(patched_targets(env.emulation.values()).items())}
    finally:
        env.teardown(quiet=True)


def record() -> None:
    """Write the installed moto's signatures as the ones the stand-ins are written against."""
    import moto

    from helpers.emulation._signatures import SIGNATURES_FILE
    targets = current_targets()
    SIGNATURES_FILE.write_text(json.dumps({"moto": moto.__version__, "targets": targets}, indent=1) + "\n")
    print(f"{len(targets)} patched moto targets recorded against moto {moto.__version__}")


def compare() -> int:
    """Print how the installed moto differs from the recorded signatures; the count."""
    import moto

    try:
        from helpers.emulation._signatures import ABSENT, recorded
        want, have = recorded(), current_targets()
    except Exception as err:  # noqa: BLE001 - the report says what broke instead of stopping
        print(f"the stand-ins do not load with moto {moto.__version__}: {type(err).__name__}: {err}")
        return 1
    lines = []
    for target in sorted(set(want) | set(have)):
        old, new = want.get(target), have.get(target)
        if old == new:
            continue
        if old == ABSENT and new != ABSENT:
            lines.append(f"  moto now has {target}{new} (the stand-in creates it)")
        elif new is None or new == ABSENT:
            lines.append(f"  moto no longer has {target}")
        else:
            lines.append(f"  changed {target}: {old} -> {new}")
    print(f"patch targets against moto {moto.__version__}: {len(have)} patched, {len(lines)} differ")
    print("\n".join(lines) if lines else "  none")
    return len(lines)


def scratch_python() -> Path:
    """The scratch venv's python with the newest moto (created or upgraded)."""
    python = SCRATCH / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(SCRATCH)], check=True)
        site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        # The project's packages come after the scratch ones: only moto is taken from here.
        Path(site, "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "--no-deps", "moto"],
                   check=True)
    return python


def canaries(python: Path) -> list[str]:
    """The moto-alone canaries that fail with ``python``'s moto (moto may have caught up)."""
    run = subprocess.run([str(python), "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                          "-k", "moto_alone", *CANARY_FILES], cwd=ROOT, capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    tail = (run.stdout + run.stderr).strip().splitlines()[-1:] or ["(no output)"]
    print(f"moto-alone canaries: {tail[0]}")
    for error in re.findall(r"^ERROR (\S+.*)$", run.stdout, flags=re.M):
        print(f"  could not run: {error}")
    return re.findall(r"^FAILED (\S+)", run.stdout, flags=re.M)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="record the installed moto's signatures")
    parser.add_argument("--compare", action="store_true", help="compare with the installed moto only")
    args = parser.parse_args()
    if args.record:
        record()
        return 0
    if args.compare:
        return 1 if compare() else 0
    python = scratch_python()
    print(subprocess.run([str(python), "-c", "import moto; print('newest moto:', moto.__version__)"],
                         capture_output=True, text=True, check=True).stdout.strip())
    subprocess.run([str(python), __file__, "--compare"], cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                                                        "PATH": "/usr/bin:/bin"})
    failed = canaries(python)
    print("stand-ins the newest moto may no longer need (their moto-alone canary fails):")
    print("\n".join(f"  {name}" for name in failed) if failed else "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
