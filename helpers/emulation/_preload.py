"""Load moto's Step Functions engine without moto's EC2 backend (a start-up cost, no behaviour).

moto's Step Functions interpreter imports its AWS Batch task integration, which needs only
``moto.batch.utils.JobStatus`` (an enum), but importing it runs ``moto/batch/__init__.py``, which
loads moto's whole Batch and EC2 backends: about 3 s of the first Step Functions call of a
notebook that never touches Batch or EC2 (``make bench``, notebook 02). :func:`light_batch_utils`
imports ``moto.batch.utils`` (and its ``exceptions``) on their own, so the interpreter finds them
in ``sys.modules``; ``moto.batch`` itself is left unimported and loads in full, as before, the
first time anything (a state machine's Batch task included) uses it. Answers are unchanged:
the same modules run, only the order and the unused backends differ.

Example
-------
>>> light_batch_utils()
>>> import sys
>>> "moto.batch.utils" in sys.modules
True
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

__all__ = ["light_batch_utils"]


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
