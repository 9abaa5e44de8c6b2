"""Lambda instances of a notebook handler: the same code, each with its own module state.

AWS runs a function in many execution environments; each loads the module once (a cold start)
and keeps its globals for the invocations it serves, and no instance sees another's memory.
A handler that remembers charged payments in a module-level ``set``, a ``dict`` or an
``lru_cache`` works in one process and charges twice across two instances. :func:`instance`
makes such a second instance of a notebook function without re-running its cell: the same
code, with copies of the mutable containers it reaches (globals and closures), fresh
``lru_cache`` wrappers, and the same external objects (clients, persistence layers, the
payment provider), which live outside Lambda and are shared, as on AWS.

Example
-------
>>> seen = set()
>>> def handler(order_id):
...     if order_id in seen:
...         return "skipped"
...     seen.add(order_id)
...     return "charged"
>>> a, b = instance(handler), instance(handler)
>>> a("ord-1"), a("ord-1"), b("ord-1")
('charged', 'skipped', 'charged')
>>> seen   # the notebook's own set is untouched
set()
"""

from __future__ import annotations

import collections
import copy
import functools
import types
from pathlib import Path
from typing import Any

__all__ = ["instance"]

_HELPERS = str(Path(__file__).resolve().parents[1])
_STATE_TYPES = (set, dict, list, collections.Counter, collections.defaultdict, collections.deque,
                collections.OrderedDict)

#: Library objects that hold per-invocation state: each instance has its own.
_PER_INSTANCE_MODULES = ("aws_lambda_powertools.utilities.batch",)


def _init_args(value: Any) -> dict[str, Any]:
    import inspect

    names = inspect.signature(type(value).__init__).parameters
    return {n: getattr(value, n) for n in names if n != "self" and hasattr(value, n)}


def _students(func: Any) -> bool:
    if not isinstance(func, types.FunctionType):
        return False
    name = func.__code__.co_filename
    return not (name.startswith(_HELPERS) or "site-packages" in name)


def _state_copy(value: Any) -> Any:
    if _per_instance(value):
        return type(value)(**_init_args(value))  # a batch processor keeps the batch it works on
    if type(value) in _STATE_TYPES:
        try:
            return copy.deepcopy(value)
        except Exception:  # a container of clients or locks: share it
            return value
    return value


def instance(func: Any, _memo: dict[int, Any] | None = None) -> Any:
    """A new "execution environment" for ``func``: its own copies of the state it reaches.

    Functions from the course or from libraries (Powertools decorators included) are shared;
    the student's functions are rebuilt over a copy of their globals in which every mutable
    container they use is copied and every function they call is rebuilt the same way.
    """
    memo = {} if _memo is None else _memo
    if id(func) in memo:
        return memo[id(func)]
    if isinstance(func, functools._lru_cache_wrapper) and _students(func.__wrapped__):
        params = func.cache_parameters()
        new = functools.lru_cache(maxsize=params["maxsize"], typed=params["typed"])(
            instance(func.__wrapped__, memo))
        memo[id(func)] = new
        return new
    if not _students(func):
        return func
    key = id(func.__globals__)
    if key not in memo:
        memo[key] = dict(func.__globals__)
    globs = memo[key]
    memo[id(func)] = func  # while rebuilding: a recursive reference shares the original
    names: set[str] = set()
    stack = [func.__code__]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    for name in names:
        if name in func.__globals__ and globs[name] is func.__globals__[name]:
            value = func.__globals__[name]
            globs[name] = _rebuilt(value, memo)
    cells = tuple(types.CellType(_cell_value(c, memo)) for c in func.__closure__ or ()) or None
    clone = types.FunctionType(func.__code__, globs, func.__name__, func.__defaults__, cells)
    memo[id(func)] = clone
    clone.__kwdefaults__ = func.__kwdefaults__
    clone.__dict__.update(func.__dict__)
    return clone


def _cell_value(cell: Any, memo: dict[int, Any]) -> Any:
    try:
        value = cell.cell_contents
    except ValueError:  # an empty cell (a name assigned later)
        return None
    return _rebuilt(value, memo)


def _rebuilt(value: Any, memo: dict[int, Any]) -> Any:
    if callable(value) and not isinstance(value, type) and not _per_instance(value):
        return instance(value, memo)
    return _state_copy(value)


def _per_instance(value: Any) -> bool:
    return type(value).__module__.startswith(_PER_INSTANCE_MODULES)
