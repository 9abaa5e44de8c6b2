"""Start-up costs moto pays for code a notebook never runs, deferred (no behaviour changes).

**Step Functions without EC2.**
moto's Step Functions interpreter imports its AWS Batch task integration, which needs only
``moto.batch.utils.JobStatus`` (an enum), but importing it runs ``moto/batch/__init__.py``, which
loads moto's whole Batch and EC2 backends: about 3 s of the first Step Functions call of a
notebook that never touches Batch or EC2 (``make bench``, notebook 02). :func:`light_batch_utils`
imports ``moto.batch.utils`` (and its ``exceptions``) on their own, so the interpreter finds them
in ``sys.modules``; ``moto.batch`` itself is left unimported and loads in full, as before, the
first time anything (a state machine's Batch task included) uses it. Answers are unchanged:
the same modules run, only the order and the unused backends differ.

**API Gateway without the IRI grammar.** moto's API Gateway imports ``openapi_spec_validator``,
which imports ``jsonschema``, whose format checker imports ``rfc3987_syntax`` if installed (it
is: Jupyter's ``jupyter-events`` needs ``jsonschema[format-nongpl]``). That package compiles 39
Lark grammars at import: about 1.3 s of notebook 06's first API Gateway call (measured in the
kernel), for a check (``"format": "iri"``) that nothing in the course runs. :func:`defer_iri_syntax`
makes ``rfc3987_syntax`` a stand-in whose ``is_valid_syntax`` (the only name ``jsonschema``
takes from it) imports the real package on its first call and answers with it.

Example
-------
>>> defer_iri_syntax()
>>> from rfc3987_syntax import is_valid_syntax
>>> is_valid_syntax("iri", "https://example.com/caf\u00e9"), is_valid_syntax("iri", "not an iri")
(True, False)
>>> light_batch_utils()
>>> import sys
>>> "moto.batch.utils" in sys.modules
True
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

__all__ = ["defer_iri_syntax", "light_batch_utils"]


def light_batch_utils() -> None:
    """Import ``moto.batch.utils`` without running ``moto.batch``'s package ``__init__``."""
    if "moto.batch.utils" in sys.modules or "moto.batch" in sys.modules:
        return
    spec = importlib.util.find_spec("moto.batch")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - other moto
        return
    placeholder = types.ModuleType("moto.batch")
    placeholder.__path__ = list(spec.submodule_search_locations)
    sys.modules["moto.batch"] = placeholder
    try:
        importlib.import_module("moto.batch.utils")
    finally:
        # Leave the real package to load normally the first time it is imported.
        del sys.modules["moto.batch"]
    sys.meta_path.insert(0, _BindSubmodules())


class _BindSubmodules(importlib.abc.MetaPathFinder):
    """When the real ``moto.batch`` loads, bind the submodules loaded early as its attributes."""

    def find_spec(self, name: str, path: object, target: object = None) -> object:
        if name != "moto.batch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            exec_module = spec.loader.exec_module

            def bind(module: types.ModuleType) -> None:
                exec_module(module)
                for child in ("utils", "exceptions"):
                    loaded = sys.modules.get(f"moto.batch.{child}")
                    if loaded is not None and not hasattr(module, child):
                        setattr(module, child, loaded)

            spec.loader.exec_module = bind  # type: ignore[method-assign]
        return spec


#: The package whose import :func:`defer_iri_syntax` defers, and the one name jsonschema imports.
IRI_PACKAGE = "rfc3987_syntax"
IRI_FUNCTION = "is_valid_syntax"


def _load_real(name: str) -> types.ModuleType:
    """Import the real package in place of its stand-in (once; later calls find it loaded)."""
    loaded = sys.modules.get(name)
    if loaded is not None and not getattr(loaded, "__deferred__", False):
        return loaded
    spec = importlib.machinery.PathFinder.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - uninstalled after the check
        raise ImportError(f"No module named {name!r}", name=name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def defer_iri_syntax() -> None:
    """Make ``rfc3987_syntax`` load on its first use instead of at ``import jsonschema``."""
    if IRI_PACKAGE in sys.modules or importlib.util.find_spec(IRI_PACKAGE) is None:
        return
    stand_in = types.ModuleType(IRI_PACKAGE, "Loads the real rfc3987_syntax on first use.")
    stand_in.__deferred__ = True  # type: ignore[attr-defined]

    def is_valid_syntax(*args: object, **kwargs: object) -> object:
        return getattr(_load_real(IRI_PACKAGE), IRI_FUNCTION)(*args, **kwargs)

    def __getattr__(name: str) -> object:  # any other name: the real package, loaded now
        if name.startswith("__"):  # tools that scan sys.modules probe dunders: not a use
            raise AttributeError(name)
        return getattr(_load_real(IRI_PACKAGE), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules[IRI_PACKAGE] = stand_in
