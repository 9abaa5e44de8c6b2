"""A student's session in a real browser: make lab, then each notebook's Restart Kernel and Run All.

Headless Chromium (Debian's) drives JupyterLab, started by tools/lab.py as ``make lab`` starts
it, on a fresh student edition: every notebook's *Restart Kernel and Run All* finishes with
every code cell run and no error output, its plots show as images, the Lab 1 panel and the
questionnaire render as widgets and answer a click. Screenshots go to build/browser/.
``make browser`` runs it (``make test`` includes it); it installs Chromium on CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browser_lab import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    CLOSE_JS,
    OPEN_JS,
    READY_JS,
    RUN_ALL_JS,
    RUN_CELL_JS,
    SHOW_PLOT_JS,
    STATE_JS,
    LabServer,
    chromium_missing,
    error_outputs,
    image_outputs,
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: The notebooks whose Restart Kernel and Run All the browser test runs: by default the first a
#: student opens and the two with widgets (nbval and the re-run test already run every notebook
#: in a kernel; the others are opened and their committed plots checked as drawn).
#: Every notebook by default (2.5 min on 2 cores, beside the unit tests in make test);
#: BROWSER_NOTEBOOKS="03" (numbers) runs only those and opens the others as committed.
DEFAULT_RUN_ALL = "all"
CHOSEN = (os.environ.get("BROWSER_NOTEBOOKS") or DEFAULT_RUN_ALL).split()
RUN_ALL = {p.name for p in NOTEBOOKS if "all" in CHOSEN or p.name[:2] in CHOSEN}
SHOTS = Path(os.environ.get("BROWSER_SHOTS", ROOT / "build" / "browser"))
#: Longest one notebook's Restart Kernel and Run All may take in the browser, in seconds.
RUN_ALL_TIMEOUT_S = 420

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(chromium_missing() is not None and not os.environ.get("CI"),
                                 reason=chromium_missing() or "")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("lab")
    workbook = home / "workbook"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_student.py"), "--workbook",
                    str(workbook)], check=True, capture_output=True)
    server = LabServer(workbook, home)
    server.start()
    yield server
    assert server.stop() is not None


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    """One JupyterLab page, opened at the printed URL, kept for every notebook (as a student)."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        base, token = lab.url.split("/lab?token=")
        page.goto(f"{base}/lab/tree/{NOTEBOOKS[0].name}?token={token}")
        page.wait_for_function(READY_JS, arg=NOTEBOOKS[0].name, timeout=180_000)
        yield page
        context.close()


def _open(page, name: str):
    page.evaluate(OPEN_JS, name)
    page.wait_for_function(READY_JS, arg=name, timeout=120_000)
    return page


def _close(page) -> None:
    page.evaluate(CLOSE_JS)


def test_make_lab_prints_its_url_and_a_second_make_lab_finds_it(lab):
    # GIVEN JupyterLab started as make lab starts it
    # THEN it printed the address with its token plainly, and where to start
    printed = "".join(lab.printed)
    assert lab.url.startswith("http://") and "token=" in lab.url
    assert "Keep this terminal open" in printed and "Start with 00_welcome_and_setup" in printed
    # WHEN a second make lab runs
    again = lab.again()
    # THEN it starts nothing and prints the first server's address
    assert "already running" in again and lab.url in again


def _questionnaire(page) -> str:
    """Tick the first box of notebook 02's questionnaire; the recommendation it shows."""
    box = page.locator(".widget-checkbox input").first
    html = page.locator(".widget-checkbox").first.locator("xpath=..").locator(".widget-html")
    before = html.inner_text()
    box.click()
    page.wait_for_function("b => document.querySelector('.widget-checkbox').parentElement"
                           ".querySelector('.widget-html').innerText !== b", arg=before,
                           timeout=60_000)
    return html.inner_text()


def _lab1_panel(page) -> str:
    """Reconnect (the notebook's last cell tore the environment down), show the Lab 1 panel
    again and press its Run experiment; what the panel shows once its plot is drawn."""
    assert page.evaluate(RUN_CELL_JS, "helpers.connect(") >= 0
    assert page.evaluate(RUN_CELL_JS, "helpers.lab1.panel(env)") >= 0
    button = page.get_by_role("button", name="Run experiment")
    panel = button.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][last()]")
    before = panel.inner_text()
    button.click()
    page.wait_for_function(
        "b => { const el = [...document.querySelectorAll('button')].find(x => x.innerText"
        ".includes('Run experiment')); let p = el; while (p.parentElement && "
        "p.parentElement.closest('.widget-vbox')) p = p.parentElement.closest('.widget-vbox');"
        " const img = [...p.querySelectorAll('img')].find(i => i.naturalWidth > 100);"
        " return p.innerText !== b && !!img; }",
        arg=before, timeout=180_000, polling=500)
    button.scroll_into_view_if_needed()
    return panel.inner_text()


#: The widgets a notebook shows and the one interaction each must answer.
INTERACTIONS = {"02": _questionnaire, "03": _lab1_panel}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_restart_kernel_and_run_all(lab, browser, path):
    # GIVEN the student's copy of the notebook open in JupyterLab
    page = _open(browser, path.name)
    committed = nbformat.read(lab.workbook / path.name, as_version=4)
    if path.name not in RUN_ALL:
        _as_committed(page, path, committed)
        return
    started = time.monotonic()
    # WHEN the student chooses Kernel > Restart Kernel and Run All, and confirms
    page.evaluate(RUN_ALL_JS)
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.wait_for_function("() => window.__runAll !== 'running'", timeout=RUN_ALL_TIMEOUT_S * 1000,
                           polling=1000)
    seconds = time.monotonic() - started
    assert page.evaluate("() => window.__runAll") == "done"
    page.wait_for_timeout(1500)  # the browser draws the last outputs (real time in the page only)
    state = page.evaluate(STATE_JS)
    page.evaluate(SHOW_PLOT_JS)
    page.screenshot(path=str(SHOTS / f"{path.stem}.png"), full_page=False)
    # THEN every code cell ran and none shows an error
    cells = [c for c in state["notebook"]["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in cells), "a code cell did not run"
    assert error_outputs(state["notebook"]) == []
    # AND it shows its plots, as images the browser drew (at least as many as committed)
    produced = image_outputs(state["notebook"])
    assert produced >= image_outputs(committed)
    assert state["plots"] >= produced, f"{produced} plots made, {state['plots']} drawn"
    # AND its widgets render as widgets and answer one interaction
    interact = INTERACTIONS.get(path.name[:2])
    if interact is not None:
        assert state["widgets"] > 0, "widgets shown as text: no widget view in the page"
        answer = interact(page)
        page.screenshot(path=str(SHOTS / f"{path.stem}-widget.png"), full_page=False)
        assert answer.strip() and "✘" not in answer, answer
    print(f"{path.stem}: run all {seconds:.0f} s, {state['plots']} plots, "
          f"{state['widgets']} widget views")
    _close(page)


def _as_committed(page, path, committed) -> None:
    """A notebook not run here: its committed outputs show, plots drawn, no error."""
    page.wait_for_timeout(1500)  # the browser draws the committed outputs
    state = page.evaluate(STATE_JS)
    page.evaluate(SHOW_PLOT_JS)
    page.screenshot(path=str(SHOTS / f"{path.stem}.png"), full_page=False)
    assert error_outputs(state["notebook"]) == []
    assert state["plots"] >= image_outputs(committed), state["plots"]
    print(f"{path.stem}: as committed, {state['plots']} plots drawn (not run: BROWSER_NOTEBOOKS)")
    _close(page)


def test_make_fresh_refuses_while_the_notebook_is_open(lab, browser):
    # GIVEN notebook 00 open in JupyterLab (a kernel session on it)
    page = _open(browser, NOTEBOOKS[0].name)
    # WHEN the student runs make fresh NB=0 without closing it
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make_student.py"), "--workbook",
                           str(lab.workbook), "--fresh", "0"], env=lab.env, capture_output=True,
                          text=True, timeout=120)
    _close(page)
    # THEN nothing is replaced, and it says how to close it first
    assert done.returncode == 3, done.stdout + done.stderr
    assert "is open in JupyterLab" in done.stderr and "Shut Down Kernel" in done.stderr
    assert not list(lab.workbook.glob("00_*.bak.ipynb"))
