"""The teaching framework every notebook shares: results, checks, quizzes, topology, student copies.

Modules
-------
results
    The base of every experiment's result: numbers, ``frame``, ``figure()``, a one-line summary.
checks
    Exercise checks: a verdict, the real cause, and hints in tiers (concept, API, answer).
panels
    Widget panels with a one-line text form for committed notebooks.
quiz
    Checked multiple-choice questions (notebook 02).
topology
    The live topology of a run, read back from the backend and drawn.
student
    Student copies: solution cells replaced by their starters; the working copy.
workspace
    What a check finds in the notebook: names not defined yet, stale objects.
"""

from __future__ import annotations

from . import checks, panels, quiz, results, student, topology, workspace

__all__ = ["checks", "panels", "quiz", "results", "student", "topology", "workspace"]
