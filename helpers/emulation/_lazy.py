"""Patches of moto modules that are applied when the module is first imported.

moto's Step Functions engine, API Gateway and Lambda modules take seconds to import; a
notebook that never calls those services should not pay for them. :class:`LazyPatch` patches
an attribute of a module at once if the module is already imported, and otherwise right after
the import that first loads it (an import hook), so the stand-in is in place before moto uses
the module either way.

Example
-------
>>> import sys
>>> patch = LazyPatch("json", "dumps", lambda *a, **k: "patched")
>>> patch.start(); import json; json.dumps(1)
'patched'
>>> patch.stop(); json.dumps(1)
'1'
"""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any
from unittest import mock

__all__ = ["LazyPatch", "factory"]


class _Loader(importlib.abc.Loader):
    """Runs the real loader, then the callbacks waiting for the module."""

    def __init__(self, loader: Any, hook: _Hook, fullname: str) -> None:
        self.loader, self.hook, self.fullname = loader, hook, fullname

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        module.__loader__ = self.loader
        self.loader.exec_module(module)
        for callback in self.hook.waiting.pop(self.fullname, []):
            callback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class _Hook(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps the loader of watched modules to run callbacks after exec."""

    def __init__(self) -> None:
        self.waiting: dict[str, list[Any]] = {}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if not self.waiting.get(fullname):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Loader(spec.loader, self, fullname)
                return spec
        return None


_HOOK = _Hook()


class LazyPatch:
    """``mock.patch.object(module.<path>, attr, new)`` applied now or at the module's import."""

    def __init__(self, module: str, path: str, new: Any) -> None:
        self.module, self.path, self.new = module, path, new
        self._patcher: Any = None
        self._active = False

    def _apply(self) -> None:
        if not self._active or self._patcher is not None:
            return
        target: Any = sys.modules[self.module]
        *owner, attr = self.path.split(".")
        for name in owner:
            target = getattr(target, name)
        new = self.new(target) if getattr(self.new, "_lazy_factory", False) else self.new
        self._patcher = mock.patch.object(target, attr, new)
        self._patcher.start()

    def start(self) -> None:
        """Patch now if the module is loaded, else when it is."""
        self._active = True
        if self.module in sys.modules:
            self._apply()
            return
        if _HOOK not in sys.meta_path:
            sys.meta_path.insert(0, _HOOK)
        _HOOK.waiting.setdefault(self.module, []).append(self._apply)

    def stop(self) -> None:
        """Undo the patch (or stop waiting for the import)."""
        self._active = False
        callbacks = _HOOK.waiting.get(self.module, [])
        if self._apply in callbacks:
            callbacks.remove(self._apply)
        if self._patcher is not None:
            self._patcher.stop()
            self._patcher = None


def factory(make: Any) -> Any:
    """Mark ``make(owner)`` as building the replacement from the patched object (orig access)."""
    make._lazy_factory = True
    return make
