"""make slides: reveal.js slides of the student edition, one slide per section."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat

import helpers.lab1

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from make_slides import slide_type  # noqa: E402

LAB1 = ROOT / "notebooks" / "03_lab1_sqs_order_processing.ipynb"


def test_each_section_is_a_slide_and_no_answer_is_shown(tmp_path):
    # GIVEN Lab 1's headings
    nb = nbformat.read(LAB1, as_version=4)
    sections = sum(slide_type(c) == "slide" for c in nb.cells[1:]) + 1
    # WHEN its slides are built
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make_slides.py"), "--out",
                           str(tmp_path), "3"], capture_output=True, text=True, check=True)
    html = (tmp_path / f"{LAB1.stem}.slides.html").read_text()
    # THEN there is one top-level reveal.js section per heading, as the tool reported
    assert f"{sections:3d} slides" in done.stdout
    assert "reveal" in html and len(re.findall(r"<section\b", html)) >= sections
    # AND the student edition is shown: no exercise's answer
    for exercise in helpers.lab1.EXERCISES.values():
        assert exercise.hints.answer not in html
    # AND the committed notebook was not changed (metadata added at build time only)
    assert all("slideshow" not in c.metadata for c in nbformat.read(LAB1, as_version=4).cells)
