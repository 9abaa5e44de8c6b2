"""JupyterLab on one folder, with its URL printed plainly; one server per folder.

Usage
-----
python tools/lab.py workbook [jupyter lab arguments...]     (what ``make lab`` runs)

When a Jupyter server is already serving that folder (``jupyter server list``: the runtime
files every server writes), its URL is printed and nothing new starts: a second ``make lab``
in another terminal gives the address of the first. Otherwise ``jupyter lab`` starts in the
foreground with its own log quieted to warnings, and once it answers, the URL with its token
is printed in a box a student cannot miss. One Ctrl-C stops it (``answer_yes``: Jupyter's
"Shut down this server (y/[n])?" prompt would otherwise wait for an answer).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: How long to wait for a starting server's runtime file before saying where its log is.
START_TIMEOUT_S = 180.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_server(folder: Path) -> dict | None:
    """The running Jupyter server whose root is ``folder`` (its runtime-file info), if any."""
    from jupyter_server.serverapp import list_running_servers

    folder = folder.resolve()
    for info in list_running_servers():
        root = Path(info.get("root_dir") or info.get("notebook_dir") or "").resolve()
        if root == folder and _alive(int(info.get("pid", 0))):
            return info
    return None


def lab_url(info: dict) -> str:
    """The address to open: JupyterLab's page with the token.

    Example
    -------
    >>> lab_url({"url": "http://localhost:8888/", "token": "abc"})
    'http://localhost:8888/lab?token=abc'
    """
    url = info["url"].rstrip("/") + "/lab"
    return f"{url}?token={info['token']}" if info.get("token") else url


def banner(url: str, *, again: bool = False) -> str:
    """The lines a student reads: where to open the course, what to start with, how to stop."""
    head = ("JupyterLab is already running on this folder (another `make lab`)." if again
            else "JupyterLab is running. Keep this terminal open.")
    lines = [head, "Open this address in your browser:", "", f"    {url}", "",
             "Start with 00_welcome_and_setup.ipynb.",
             "Stop it with Ctrl-C in the terminal where it runs." if again
             else "Stop it with Ctrl-C here (your work in workbook/ is kept)."]
    width = max(len(line) for line in lines) + 2
    rule = "=" * width
    return "\n".join([rule, *(f" {line}" for line in lines), rule])


#: JupyterLab's defaults for this course: no "get notified about Jupyter news?" pop-up over
#: the first notebook, and no call to the internet for news or updates.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification":
                 {"fetchNews": "false", "checkForUpdates": False}}


def quiet_defaults(prefix: Path = Path(sys.prefix)) -> Path:
    """Add LAB_OVERRIDES to the environment's JupyterLab overrides.json (keeps what is there)."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    merged = {**current, **{k: {**current.get(k, {}), **v} for k, v in LAB_OVERRIDES.items()}}
    if merged != current:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged, indent=2) + "\n")
    return path


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    folder, extra = Path(argv[0]), argv[1:]
    info = running_server(folder)
    if info is not None:
        print(banner(lab_url(info), again=True), flush=True)
        return 0
    quiet_defaults()
    command = [sys.executable, "-m", "jupyter", "lab", str(folder),
               "--ServerApp.log_level=WARN", "--ServerApp.answer_yes=True", *extra]
    server = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while server.poll() is None:
            found = running_server(folder)
            if found is not None and int(found.get("pid", 0)) == server.pid:
                print(banner(lab_url(found)), flush=True)
                break
            if time.monotonic() > deadline:
                print("JupyterLab has not written its address yet: see its log above.", flush=True)
                break
            time.sleep(0.5)  # polling the runtime folder of a real server process, not a test
        return server.wait()
    except KeyboardInterrupt:
        # In a terminal Jupyter got the same Ctrl-C (one process group); pass it on for the
        # cases where it did not (a signal to this process alone), then let it stop its kernels.
        server.send_signal(signal.SIGINT)
        try:
            return server.wait(timeout=30)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            server.send_signal(signal.SIGTERM)
            return server.wait()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
