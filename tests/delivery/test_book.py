"""make book: the website of the student edition, opened in a real browser.

Built once into build/book (what ``make book`` writes), then served on loopback and read
in headless Chromium: one page per notebook, plots drawn as images, tables shown, a launch
link to the same notebook in workbook/ on Binder, and no answer anywhere.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from browser_lab import CHROMIUM, CHROMIUM_FLAGS, chromium_missing

import helpers.lab1

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OUT = ROOT / "build" / "book"
SHOTS = Path(os.environ.get("BROWSER_SHOTS", ROOT / "build" / "browser"))

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def site():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"), "--out",
                           str(OUT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return OUT / "html"


def test_one_page_per_notebook_and_no_answers(site):
    # GIVEN the built site
    pages = {p.stem for p in site.glob("*.html")} - {"genindex", "search"}
    # THEN it has the home page and one page per notebook
    assert pages == {"index"} | {p.stem for p in NOTEBOOKS}
    # AND no exercise's answer appears on any page (student edition)
    text = "".join((site / f"{p}.html").read_text() for p in pages)
    for exercise in helpers.lab1.EXERCISES.values():
        assert exercise.hints.answer not in text
    assert "✔ exercise" not in text


@pytest.fixture(scope="module")
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.skipif(chromium_missing() is not None and not os.environ.get("CI"),
                    reason=chromium_missing() or "")
def test_pages_show_plots_tables_and_a_launch_link_in_a_browser(served, tmp_path):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    seen = {}
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        # GIVEN the home page
        page.goto(f"{served}/index.html")
        links = page.locator("article a[href$='.html']").evaluate_all("l => l.map(a => a.href)")
        assert len({link.split("#")[0] for link in links}) >= len(NOTEBOOKS)
        # WHEN each notebook's page is opened
        for path in NOTEBOOKS:
            page.goto(f"{served}/{path.stem}.html")
            page.wait_for_load_state("load")
            seen[path.stem] = page.evaluate("""() => ({
              plots: [...document.querySelectorAll('article img')].filter(i => i.naturalWidth > 100).length,
              tables: document.querySelectorAll('article table').length,
              launch: [...document.querySelectorAll('a')].map(a => a.href).filter(h => h.includes('mybinder')),
              title: document.title})""")
            page.screenshot(path=str(SHOTS / f"book-{path.stem}.png"))
        context.close()
    # THEN every page links to its own notebook in workbook/ on Binder
    for stem, page_seen in seen.items():
        assert any(f"workbook/{stem}.ipynb" in h for h in page_seen["launch"]), (stem, page_seen)
    # AND the plots and tables of the committed outputs are drawn
    assert sum(s["plots"] for s in seen.values()) >= len(NOTEBOOKS)
    assert all(s["tables"] + s["plots"] > 0 for s in seen.values()), seen
    print({stem: (s["plots"], s["tables"]) for stem, s in seen.items()})
