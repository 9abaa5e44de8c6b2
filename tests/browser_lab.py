"""Driving JupyterLab in headless Chromium as a student would (support for test_browser.py).

Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``), driven by Playwright for
Python without any browser download. JupyterLab is started by ``tools/lab.py`` (what
``make lab`` runs) on a fresh student ``workbook/``, with its own runtime and settings
folders, so the test neither finds nor disturbs a student's server.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Chromium's flags on a machine without a screen, sandbox or outside network; with the
#: background-networking ones Chromium makes no connection of its own.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
#: Every cell in the page (JupyterLab 4 otherwise renders only the cells on screen).
NOTEBOOK_SETTINGS = '{"windowingMode": "none"}'
#: Seconds for JupyterLab to print its address.
START_TIMEOUT_S = 180
_URL = re.compile(r"^\s+(http://\S+/lab\?token=\S+)\s*$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A JupyterLab started through tools/lab.py; ``url`` is what it printed for the student."""

    workbook: Path
    home: Path
    process: subprocess.Popen | None = None
    url: str = ""
    printed: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SECURECART_")}
        env["JUPYTER_RUNTIME_DIR"] = str(self.home / "runtime")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def command(self, port: int) -> list[str]:
        settings = self.home / "settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "tracker.jupyterlab-settings").write_text(NOTEBOOK_SETTINGS)
        extra = ["--allow-root"] if os.geteuid() == 0 else []
        return [sys.executable, str(ROOT / "tools" / "lab.py"), str(self.workbook), "--no-browser",
                f"--port={port}", "--ServerApp.ip=127.0.0.1", "--LabApp.expose_app_in_browser=True",
                f"--LabApp.user_settings_dir={self.home / 'settings'}",
                f"--LabApp.workspaces_dir={self.home / 'workspaces'}", *extra]

    def start(self) -> str:
        self.process = subprocess.Popen(self.command(free_port()), env=self.env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in self.process.stdout],
                         daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            self.printed.append(line)
            match = _URL.match(line)
            if match:
                self.url = match.group(1)
            elif self.url and line.startswith("="):  # the banner's closing rule
                return self.url
        raise RuntimeError("make lab printed no URL:\n" + "".join(self.printed))

    def again(self) -> str:
        """What a second ``make lab`` prints while this one runs."""
        done = subprocess.run(self.command(free_port()), env=self.env, text=True,
                              capture_output=True, timeout=120)
        return done.stdout

    def stop(self) -> int | None:
        if self.process is None:
            return None
        os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C: to the terminal's process group
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def chromium_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (make browser installs Debian's as root)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e .[test])"
    return None


#: JavaScript run in the page: the open notebook as nbformat JSON, the kernel's state, and
#: what the page shows (rendered plots with their pixel size, widget views, error boxes).
STATE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const imgs = [...w.node.querySelectorAll('.jp-OutputArea-output img')];
  return {
    notebook: w.content.model.toJSON(),
    kernel: kernel ? kernel.status : 'none',
    plots: imgs.filter(i => i.complete && i.naturalWidth > 100).length,
    widgets: w.node.querySelectorAll('.jupyter-widgets.widget-container, .widget-box').length,
    errors: w.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
  };
}"""

READY_JS = """name => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(k && k.status === 'idle' && w.content && w.content.model && w.context.path.endsWith(name));
}"""

#: Open a notebook in the running JupyterLab page, as a double click in the file browser does.
OPEN_JS = "path => { window.jupyterapp.commands.execute('docmanager:open', {path}); }"

#: Close the current notebook without saving (the student's copy keeps its committed form)
#: and shut its kernel down.
CLOSE_JS = """async () => {
  const w = window.jupyterapp.shell.currentWidget;
  await w.sessionContext.shutdown();
  w.context.model.dirty = false;
  w.dispose();
}"""

#: Run the first cell whose source contains the text, as Shift+Enter on it does; waits for it.
RUN_CELL_JS = """async text => {
  const w = window.jupyterapp.shell.currentWidget;
  const index = w.content.widgets.findIndex(c => c.model.sharedModel.getSource().includes(text));
  w.content.activeCellIndex = index;
  await window.jupyterapp.commands.execute('notebook:run-cell');
  return index;
}"""

#: Bring the first drawn plot into view (for the screenshot).
SHOW_PLOT_JS = """() => {
  const img = [...window.jupyterapp.shell.currentWidget.node.querySelectorAll('.jp-OutputArea-output img')]
    .find(i => i.naturalWidth > 100);
  if (img) img.scrollIntoView({block: 'center'});
}"""

RUN_ALL_JS = """() => {
  window.__runAll = 'running';
  window.jupyterapp.commands.execute('notebook:restart-run-all')
    .then(() => { window.__runAll = 'done'; }, e => { window.__runAll = 'failed: ' + e; });
}"""


def error_outputs(notebook: dict) -> list[str]:
    """Each error output of a notebook's JSON as 'cell N: Name: value'."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"cell {index}: {out['ename']}: {out['evalue'][:200]}")
    return found


def image_outputs(notebook: dict) -> int:
    return sum("image/png" in out.get("data", {})
               for cell in notebook["cells"] for out in cell.get("outputs", []))
