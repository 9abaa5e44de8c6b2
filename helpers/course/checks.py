"""Exercise checks: a verdict, the real cause of a failure, and hints in tiers.

Every exercise of every notebook is an :class:`Exercise`. Its check function runs a scenario
that tells the right answer from the plausible wrong ones and returns a :class:`Verdict`:

* ``✔ <what the scenario showed>`` when it passes;
* ``✘ <what happened, with numbers>`` plus the *concept* hint when it fails. The hint tiers go
  concept -> API -> answer: a second ✘ in a row adds the API hint, the third the answer;
  ``exercise.hint()`` shows the next tier on request.

A verdict is truthy when it passes, so ``assert check(...)`` and ``if check(...)`` work, and
its ``repr`` is its text, so a notebook cell that ends with a check shows the same lines on
every run (nbval compares them). ``verdict.cause`` names the failure mode (a short stable key
such as ``"group-per-order"``); the tests' catalogues of known-wrong answers assert it.

The hint tier is remembered per exercise in a :class:`HintBook`, which the notebook module
keeps (one per environment, so a fresh ``connect()`` starts again at the concept hint).

Example
-------
>>> ex = Exercise("exercise 1", "maxReceiveCount", Hints(
...     concept="A DLQ is for messages that can never succeed.",
...     api="RedrivePolicy's maxReceiveCount counts receives.",
...     answer="MAX_RECEIVE_COUNT = 5"), module="helpers.lab1")
>>> book = HintBook()
>>> ex.fail(book, "too-low", "38 healthy orders ended in the DLQ.")
✘ exercise 1 (maxReceiveCount): 38 healthy orders ended in the DLQ.
  Hint 1/3 (concept): A DLQ is for messages that can never succeed.
  More: the next ✘ adds the API hint, or call helpers.lab1.hint("exercise 1").
>>> v = ex.fail(book, "too-low", "38 healthy orders ended in the DLQ.")
>>> v.cause, bool(v), v.tier
('too-low', False, 2)
>>> ex.ok(book, "the 2 poison orders reached the DLQ.")
✔ exercise 1 (maxReceiveCount): the 2 poison orders reached the DLQ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Hints", "Verdict", "Exercise", "HintBook", "TIERS"]

#: The hint tiers, in the order a student meets them.
TIERS = ("concept", "API", "answer")


@dataclass(frozen=True)
class Hints:
    """Three hints for one exercise: the idea, the AWS API that expresses it, the answer."""

    concept: str
    api: str
    answer: str

    def tier(self, n: int) -> str:
        """Hint ``n`` (1 = concept, 2 = API, 3 = answer)."""
        return (self.concept, self.api, self.answer)[n - 1]


@dataclass
class Verdict:
    """The outcome of one check: truthy when it passed; ``repr`` is the text a student reads.

    Attributes
    ----------
    passed
        Whether the answer is right.
    exercise
        The exercise's key (``"exercise 3"``).
    message
        What the scenario showed, with numbers.
    cause
        ``None`` on a pass; otherwise the failure mode's key (asserted by the tests).
    hints
        The hint lines shown with a ✘ (the tiers reached so far).
    tier
        The highest hint tier shown (0 on a pass).
    """

    passed: bool
    exercise: str
    title: str
    message: str
    cause: str | None = None
    hints: list[str] = field(default_factory=list)
    tier: int = 0

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        """The verdict as the lines a notebook shows."""
        mark = "✔" if self.passed else "✘"
        lines = [f"{mark} {self.exercise} ({self.title}): {self.message}"]
        lines += [f"  {line}" for line in self.hints]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    __str__ = text

    #: Whether Jupyter shows it in colour (the ``check("exercise N")`` API); the old
    #: ``check_*`` functions stay plain text so committed notebooks compare unchanged.
    colour: bool = field(default=False, repr=False, compare=False)

    def rich(self) -> Verdict:
        """This verdict, shown ✔ green / ✘ red in Jupyter (same plain text)."""
        self.colour = True
        return self

    def _repr_html_(self) -> str | None:
        if not self.colour:
            return None
        import html

        colour = "#1a7f37" if self.passed else "#cf222e"
        lines = html.escape(self.text()).split("\n")
        head = f'<span style="color:{colour};font-weight:bold">{lines[0]}</span>'
        return "<pre style=\"white-space:pre-wrap\">" + "\n".join([head, *lines[1:]]) + "</pre>"

    def _repr_markdown_(self) -> str | None:
        if not self.colour:
            return None
        mark = "✔" if self.passed else "✘"
        first, *rest = self.text().split("\n")
        body = first.removeprefix(f"{mark} ")
        return "\n".join([f"**{mark}** {body}", *(f"> {line.strip()}" for line in rest)])


@dataclass
class HintBook:
    """How many ✘ in a row each exercise has had (its hint tier); one per environment."""

    misses: dict[str, int] = field(default_factory=dict)

    def miss(self, key: str) -> int:
        """Count one more ✘ for ``key``; returns the tier now reached (1-3)."""
        self.misses[key] = min(self.misses.get(key, 0) + 1, len(TIERS))
        return self.misses[key]

    def clear(self, key: str) -> None:
        """A ✔ starts the exercise's hints again at the concept."""
        self.misses.pop(key, None)

    def next_tier(self, key: str) -> int:
        """The tier a request for a hint shows (one beyond what a ✘ showed, at most 3)."""
        return min(self.misses.get(key, 0) + 1, len(TIERS))


@dataclass(frozen=True)
class Exercise:
    """One exercise: its key, a short title and its three hints.

    Parameters
    ----------
    key
        How the notebook names it (``"exercise 3"``); ``hint("exercise 3")`` uses it.
    title
        A few words on what the student writes.
    hints
        The three tiers.
    """

    key: str
    title: str
    hints: Hints
    #: The module a student calls (``"helpers.lab2"``): ✘ lines print ``helpers.lab2.hint("...")``.
    module: str = ""

    @property
    def hint_call(self) -> str:
        """The exact call that shows the next hint, as a ✘ prints it."""
        prefix = f"{self.module}." if self.module else ""
        return f'{prefix}hint("{self.key}")'

    def ok(self, book: HintBook, message: str) -> Verdict:
        """A pass: ``✔`` and what the scenario showed."""
        book.clear(self.key)
        return Verdict(True, self.key, self.title, message)

    def fail(self, book: HintBook, cause: str, message: str, *, counts: bool = True) -> Verdict:
        """A ✘ naming ``cause``, with the hints reached so far.

        ``counts=False`` is for answers that are not an attempt yet (a starter left as ``None``):
        the concept hint is shown and the tier does not move.
        """
        tier = book.miss(self.key) if counts else max(1, book.misses.get(self.key, 0))
        lines = [f"Hint {n}/3 ({TIERS[n - 1]}): {self.hints.tier(n)}" for n in range(1, tier + 1)]
        if tier < len(TIERS) and counts:
            lines.append(f"More: the next ✘ adds the {TIERS[tier]} hint, or call {self.hint_call}.")
        elif tier < len(TIERS):
            lines.append(f"More: call {self.hint_call} for the {TIERS[tier]} hint.")
        return Verdict(False, self.key, self.title, message, cause, lines, tier)

    def blocked(self, cause: str, message: str) -> Verdict:
        """A ✘ that is not about the answer (a cell to run first, a torn-down environment):
        one line, no hint, and the hint tier does not move.

        Example
        -------
        >>> ex = Exercise("exercise 1", "maxReceiveCount", Hints("c", "a", "x"))
        >>> ex.blocked("cell-not-run", "run the cell that sets `MAX_RECEIVE_COUNT` first.")
        ✘ exercise 1 (maxReceiveCount): run the cell that sets `MAX_RECEIVE_COUNT` first.
        """
        return Verdict(False, self.key, self.title, message, cause)

    def hint(self, book: HintBook) -> str:
        """The next tier of hint on request (the answer only at the third)."""
        tier = book.next_tier(self.key)
        book.misses[self.key] = tier
        return f"Hint {tier}/3 ({TIERS[tier - 1]}) for {self.key}: {self.hints.tier(tier)}"
