"""tools/lab.py (make lab): the banner a student reads, and JupyterLab's quiet defaults."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from lab import banner, lab_url, quiet_defaults  # noqa: E402


def test_the_banner_gives_the_url_on_its_own_line_and_what_to_do():
    # GIVEN a running server's runtime info
    url = lab_url({"url": "http://localhost:8888/", "token": "abc"})
    # WHEN the banner is printed, for the first and for a second make lab
    first, again = banner(url).splitlines(), banner(url, again=True)
    # THEN the URL stands alone on a line, with where to start and how to stop
    assert f"     {url}" in first and url == "http://localhost:8888/lab?token=abc"
    assert any("00_welcome_and_setup" in line for line in first)
    assert any("Ctrl-C" in line for line in first) and "Keep this terminal open" in first[1]
    assert "already running" in again


def test_quiet_defaults_keep_other_settings_and_are_idempotent(tmp_path):
    # GIVEN an overrides.json with an instructor's own setting
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    # WHEN make lab writes its defaults twice
    quiet_defaults(tmp_path)
    once = path.read_text()
    quiet_defaults(tmp_path)
    # THEN the news pop-up and update check are off, the theme kept, the file unchanged
    settings = json.loads(path.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"] == {
        "fetchNews": "false", "checkForUpdates": False}
    assert settings["@jupyterlab/apputils-extension:themes"]["theme"] == "JupyterLab Dark"
    assert path.read_text() == once
