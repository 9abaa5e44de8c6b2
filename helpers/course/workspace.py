"""What a check finds in the notebook: names not defined yet, and objects of an earlier ``connect()``.

A check cell reads ``helpers.lab1.check("exercise 2")``: the check looks up the names the
exercise needs (``env``, ``payment_handler``, ``gateway``) in the notebook's namespace, so a
check run before the cell that defines them says which cell to run instead of raising a
``NameError``. Objects a course helper makes for one environment are *bound* to it
(:func:`bind`); an object bound to another environment, or a Powertools
``DynamoDBPersistenceLayer`` whose client is not this environment's, is *stale*: the
student re-ran the ``connect`` cell but not the cell that made the object.

Example
-------
>>> class Thing: pass
>>> a, b = object(), object()          # two environments (any objects)
>>> t = bind(Thing(), a)
>>> stale_names(b, {"thing": t}), stale_names(a, {"thing": t})
(['thing'], [])
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["MISSING", "caller_namespace", "bind", "bound_to", "stale_names", "reachable"]

#: A name the notebook has not defined (yet).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
_BOUND = "_securecart_env"


def caller_namespace(depth: int = 2) -> dict[str, Any]:
    """The globals of the frame ``depth`` levels up (the notebook's namespace for a check
    called from a cell through one helper)."""
    return sys._getframe(depth).f_globals


def bind(obj: Any, env: Any) -> Any:
    """Mark ``obj`` as made for ``env``; returns ``obj``."""
    object.__setattr__(obj, _BOUND, id(env))
    return obj


def bound_to(obj: Any) -> int | None:
    """The id of the environment ``obj`` was made for, or ``None`` (not a bound object)."""
    return getattr(obj, _BOUND, None)


def _is_stale(env: Any, obj: Any) -> bool:
    owner = bound_to(obj)
    if owner is not None:
        return owner != id(env)
    if type(obj).__name__ == "DynamoDBPersistenceLayer" and hasattr(env, "client"):
        client = getattr(obj, "client", None)
        try:
            return client is not None and client is not env.client("dynamodb")
        except Exception:  # a torn-down env: the caller reports that first
            return False
    return False


def stale_names(env: Any, objects: dict[str, Any]) -> list[str]:
    """The names in ``objects`` whose object belongs to another environment."""
    return [name for name, obj in objects.items() if _is_stale(env, obj)]


def reachable(func: Callable[..., Any], namespace: dict[str, Any] | None = None, *,
              limit: int = 50) -> dict[str, Any]:
    """Global names a function uses, and the objects they hold, following called functions.

    A notebook handler ``payment_handler`` uses ``processor`` and ``record_handler``, which
    uses ``charge``, which uses ``gateway`` and ``persistence``: all of them are returned, so
    a check can find a stale one. Closures and ``functools.wraps`` chains are followed too.

    Example
    -------
    >>> gateway = object()
    >>> def charge(): return gateway
    >>> def handler(): return charge()
    >>> sorted(reachable(handler, {"gateway": gateway, "charge": charge}))
    ['charge', 'gateway']
    """
    found: dict[str, Any] = {}
    todo: list[Any] = [func]
    seen: set[int] = set()
    while todo and len(seen) < limit:
        f = todo.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        if getattr(f, "__wrapped__", None) is not None:
            todo.append(f.__wrapped__)
        if not isinstance(f, types.FunctionType):
            if hasattr(f, "__dict__") and not isinstance(f, type | types.ModuleType):
                todo.extend(v for v in vars(f).values() if callable(v))  # a callable object
            continue
        names = namespace if namespace is not None else f.__globals__
        code_names: set[str] = set()
        stack = [f.__code__]
        while stack:
            code = stack.pop()
            code_names.update(code.co_names)
            stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        for name in code_names:
            if name in names and not isinstance(names[name], types.ModuleType):
                found[name] = names[name]
                if callable(names[name]):
                    todo.append(names[name])
        for name, cell in zip(f.__code__.co_freevars, f.__closure__ or (), strict=False):
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if callable(value):
                todo.append(value)
            elif not isinstance(value, str | int | float | bool | type(None)):
                found.setdefault(name, value)
    return found
