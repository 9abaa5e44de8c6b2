"""One check and hint API for every notebook, crash-proof checks, and counterexample search.

Each lab module builds one :class:`Workbook` from its exercises and check functions, and exports
its bound ``check`` and ``hint``. A notebook cell then reads the same in every lab::

    helpers.lab2.check("exercise 1")      # finds env and FILTER_POLICY in the notebook
    helpers.lab2.hint("exercise 1")       # the next hint tier (answer only at the third)

What the workbook adds to each check function:

* the student's names are read from the notebook's namespace; a missing one names the cell to run;
* any exception raised by the student's code (or by the AWS call their answer makes) becomes a
  ✘ that names the exception, the line of their cell and the likely cause; a crash does not
  climb a hint tier; an exception from the course's own code is re-raised (a bug in a check is
  a failing test, never a ✘);
* Powertools' own log lines (a traceback per failed record) are silenced while a check runs;
* the verdict renders ✔ green / ✘ red in Jupyter (HTML and Markdown) with the same plain text.

:func:`first_counterexample` is the search the checks share: curated distinguishing cases first,
then a seeded, deterministic stream of generated cases; it returns the first case where the
student's answer and the specification disagree.

Example
-------
>>> from helpers.course.checks import Exercise, Hints
>>> ex = Exercise("exercise 1", "double", Hints("c", "a", "x"), module="helpers.demo")
>>> def check_double(env, fn):
...     return ex.ok(book_of(env, "helpers.demo"), "doubles") if fn(2) == 4 else None
>>> wb = Workbook("helpers.demo", {"exercise 1": ex},
...               {"exercise 1": (check_double, (("DOUBLE", "Exercise 1's cell"),))})
>>> class Env:  # a stand-in environment
...     closed = False
...     state = {}
>>> wb.check("exercise 1", namespace={"env": Env(), "DOUBLE": lambda x: x / 0}).cause
'raised'
>>> wb.check("exercise 1", namespace={"env": Env(), "DOUBLE": lambda x: 2 * x})
✔ exercise 1 (double): doubles
"""

from __future__ import annotations

import contextlib
import functools
import linecache
import logging
import random
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import Exercise, HintBook, Verdict
from .workspace import MISSING, caller_namespace

__all__ = ["Workbook", "book_of", "student_crash", "quiet_powertools", "first_counterexample",
           "HintText", "seeded_cases", "crash_proof"]

_HELPERS = str(Path(__file__).resolve().parents[1])

#: Likely causes of the exceptions a student's answer raises, in the student's terms.
_LIKELY = {
    "KeyError": "a key your code reads is not in the data it was given (check the name and nesting)",
    "TypeError": "a value of another type than your code expects, or a call with the wrong arguments",
    "AttributeError": "an attribute or method that this object does not have (a dict is read with [...])",
    "ValueError": "a value your code cannot convert or accept",
    "JSONDecodeError": "text that is not JSON (json.loads needs the body as a JSON string)",
    "NameError": "a name that is not defined: a typo, or a cell not run yet",
    "IndexError": "a list shorter than your code expects",
    "ZeroDivisionError": "a division by zero",
    "ClientError": "AWS refused the call your answer makes (its message says why)",
    "ParamValidationError": "boto3 refused the parameters before sending (a name or type is wrong)",
}


class HintText(str):
    """A hint: shown without quotes as a cell's last value."""

    def __repr__(self) -> str:
        return str(self)


def book_of(env: Any, module: str) -> HintBook:
    """The hint book of ``module``'s exercises in ``env`` (a fresh ``connect()`` starts over)."""
    state = getattr(env, "state", None)
    if state is None:
        return HintBook()
    return state.setdefault(f"{module}.hints", HintBook())


@contextlib.contextmanager
def quiet_powertools() -> Iterator[None]:
    """Silence Powertools' loggers (one traceback per failed record) and its warnings while a
    check runs: the check's ✘ says what went wrong, once."""
    logger = logging.getLogger("aws_lambda_powertools")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="aws_lambda_powertools")
        try:
            yield
        finally:
            logger.setLevel(level)
            logger.propagate = propagate


def _is_course(filename: str) -> bool:
    return filename.startswith(_HELPERS) or "site-packages" in filename or filename.startswith("<frozen")


def student_crash(ex: Exercise, book: HintBook, exc: BaseException) -> Verdict | None:
    """A ✘ for an exception raised in the student's code, or by AWS on their answer; else ``None``.

    The ✘ names the exception, the line of their cell (the last frame outside the course and
    the libraries) and the likely cause. The hint tier does not move: a typo is not an attempt.

    Example
    -------
    >>> from helpers.course.checks import Exercise, Hints
    >>> ex = Exercise("exercise 1", "t", Hints("c", "a", "x"))
    >>> def answer(order):
    ...     return order["total"]
    >>> try:
    ...     answer({"amount": 1})
    ... except KeyError as exc:
    ...     v = student_crash(ex, HintBook(), exc)
    >>> v.cause, "KeyError: 'total'" in v.message, 'return order["total"]' in v.message
    ('raised', True, True)
    """
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not _is_course(f.filename)
            and not f.filename.endswith(("grading.py", "doctest.py"))]
    name = type(exc).__name__
    aws = name in ("ClientError", "ParamValidationError") or name.endswith("Exception") and any(
        "stepfunctions" in f.filename or "moto" in f.filename for f in frames)
    if not mine and not aws:
        return None
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if name == "KeyError":
        text = repr(exc.args[0]) if exc.args else text
    where = ""
    if mine:
        frame = mine[-1]
        line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
        where = f" at line {frame.lineno} of your cell (`{line}`)" if line else f" at line {frame.lineno} of your cell"
    likely = _LIKELY.get(name, "see the message: it names what was wrong")
    message = f"your answer raised {name}: {text}{where}. Likely cause: {likely}."
    return ex.fail(book, "raised", message, counts=False)


def crash_proof(exercise: Exercise) -> Callable[[Callable[..., Verdict]], Callable[..., Verdict]]:
    """Decorate a lab's ``check_*(env, answer)``: a student's exception becomes a ✘ (see
    :func:`student_crash`), Powertools stays quiet; the course's own exceptions still raise.

    Example
    -------
    >>> from helpers.course.checks import Exercise, Hints
    >>> ex = Exercise("exercise 1", "t", Hints("c", "a", "x"))
    >>> @crash_proof(ex)
    ... def check_it(env, answer):
    ...     return answer()
    >>> check_it(None, lambda: 1 / 0).cause
    'raised'
    """
    def wrap(func: Callable[..., Verdict]) -> Callable[..., Verdict]:
        @functools.wraps(func)
        def checked(env: Any, *values: Any, **options: Any) -> Verdict:
            with quiet_powertools():
                try:
                    return func(env, *values, **options)
                except Exception as exc:
                    verdict = student_crash(exercise, book_of(env, exercise.module), exc)
                    if verdict is None:
                        raise
                    return verdict
        return checked
    return wrap


@dataclass
class Workbook:
    """The exercises of one notebook, with ``check(key)`` and ``hint(key)`` for its cells.

    Parameters
    ----------
    module
        How a student reaches it (``"helpers.lab2"``): printed in every "call ... hint" line.
    exercises
        Key -> :class:`Exercise`.
    checks
        Key -> (check function ``f(env, *values)``, the names it reads with the cell that sets each).
    aliases
        Other keys accepted for an exercise (``"incident"`` for notebook 07's one exercise).
    """

    module: str
    exercises: dict[str, Exercise]
    checks: dict[str, tuple[Callable[..., Verdict], tuple[tuple[str, str], ...]]]
    aliases: dict[str, str] = field(default_factory=dict)

    def exercise(self, key: Any) -> Exercise:
        """The exercise named ``key``; one clear error naming the keys for an unknown one."""
        name = self.aliases.get(str(key).strip().lower(), str(key).strip().lower())
        if name not in self.exercises:
            from ..platform.errors import InvalidParameterError

            raise InvalidParameterError(f"{key!r} is not an exercise of {self.module}: use one of "
                                        f"{', '.join(map(repr, self.exercises))}.")
        return self.exercises[name]

    def guard(self, env: Any, ex: Exercise) -> Verdict | None:
        """A one-line ✘ when ``env`` is not an open environment, else ``None``."""
        if env is MISSING or env is None or not hasattr(env, "closed"):
            return ex.blocked("no-environment", "run the `env = helpers.connect(...)` cell (the "
                              "second cell of the notebook) first.")
        if env.closed:
            return ex.blocked("environment-closed", "the environment was torn down (by the notebook's "
                              "last cell). Run the `env = helpers.connect(...)` cell, then this cell again.")
        return None

    def run(self, ex: Exercise, env: Any, func: Callable[..., Verdict], *values: Any) -> Verdict:
        """``func(env, *values)`` made crash-proof (see :func:`student_crash`)."""
        blocked = self.guard(env, ex)
        if blocked is not None:
            return blocked
        with quiet_powertools():
            try:
                return func(env, *values)
            except Exception as exc:
                verdict = student_crash(ex, book_of(env, self.module), exc)
                if verdict is None:
                    raise
                return verdict

    def check(self, key: str, *, namespace: dict[str, Any] | None = None) -> Verdict:
        """Run exercise ``key``'s check on the names the notebook defined (rich ✔/✘)."""
        ex = self.exercise(key)
        ns = caller_namespace(2) if namespace is None else namespace
        env = ns.get("env", MISSING)
        blocked = self.guard(env, ex)
        if blocked is not None:
            return blocked.rich()
        func, needs = self.checks[ex.key]
        values = []
        for names, cell in needs:
            # "a|b": the first name the notebook defines (b: the older form of the exercise)
            found = [n for n in names.split("|") if n in ns]
            if not found:
                return ex.blocked("cell-not-run", f"`{names.split('|')[0]}` is not defined yet: run "
                                  f"{cell} first.").rich()
            values.append(ns[found[0]])
        return self.run(ex, env, func, *values).rich()

    def api(self) -> tuple[Callable[..., Verdict], Callable[..., HintText]]:
        """The lab's ``check(key)`` and ``hint(key)`` (also ``hint(env, key)``), reading the
        notebook's namespace of whoever calls them."""
        workbook = self

        def check(key: str = "", *, namespace: dict[str, Any] | None = None) -> Verdict:
            """``check("exercise N")``: run the check on the names the notebook defined."""
            key = key or next(iter(workbook.exercises))
            return workbook.check(key, namespace=caller_namespace() if namespace is None else namespace)

        def hint(*args: Any, env: Any = None) -> HintText:
            """``hint("exercise N")`` (or the older ``hint(env, "exercise N")``): the next tier."""
            if env is None and not (args and not isinstance(args[0], str)):
                env = caller_namespace().get("env", MISSING)
            return workbook.hint(*args, env=env)

        check.__module__ = hint.__module__ = self.module
        return check, hint

    def hint(self, *args: Any, env: Any = None) -> HintText:
        """``hint("exercise 1")`` (the notebook's ``env``) or the older ``hint(env, "exercise 1")``."""
        if args and not isinstance(args[0], str):
            env, args = args[0], args[1:]
        key = args[0] if args else next(iter(self.exercises))
        ex = self.exercise(key)
        if env is None:
            env = caller_namespace(2).get("env", MISSING)
        if env is MISSING or not hasattr(env, "state"):
            return HintText(f"Run the `env = helpers.connect(...)` cell first: hints are kept per "
                            f"environment. (Concept for {ex.key}: {ex.hints.concept})")
        return HintText(ex.hint(book_of(env, self.module)))


# -- counterexample search ------------------------------------------------------------------------
def seeded_cases(make: Callable[[random.Random], Any], *, seed: int, n: int) -> list[Any]:
    """``n`` generated cases from ``make(rng)`` with a fixed seed: the same list on every run.

    Example
    -------
    >>> seeded_cases(lambda r: r.randrange(100), seed=1, n=3) == seeded_cases(lambda r: r.randrange(100), seed=1, n=3)
    True
    """
    rng = random.Random(seed)
    return [make(rng) for _ in range(n)]


def first_counterexample(cases: Iterable[Any], expected: Callable[[Any], Any],
                         actual: Callable[[Any], Any]) -> tuple[Any, Any, Any] | None:
    """The first case (curated ones first, then generated) where ``actual`` differs from ``expected``.

    Returns ``(case, expected, actual)`` or ``None`` when they agree on every case. Callers pass
    the curated cases smallest first, so the counterexample shown is the smallest one.

    Example
    -------
    >>> first_counterexample([1, 2, 100, 101], lambda n: n > 100, lambda n: n >= 100)
    (100, False, True)
    """
    for case in cases:
        want, got = expected(case), actual(case)
        if want != got:
            return case, want, got
    return None
