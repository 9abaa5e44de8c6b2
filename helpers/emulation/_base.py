"""The lifecycle every group of stand-ins shares: patch moto on start, unpatch on stop.

Example
-------
>>> from unittest import mock
>>> class Demo(_Patches):
...     NAMES = ("demo",)
...     def _patches(self):
...         return [mock.patch("os.sep", "|")]
>>> import os
>>> demo = Demo(env=None); demo.start(); demo.start(); os.sep
'|'
>>> demo.stop(); demo.stop(); os.sep != "|"
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["_Patches", "short_name"]


def short_name(arn: str) -> str:
    """The last part of an ARN or URL (``...:securecart-demo-orders`` -> ``securecart-demo-orders``)."""
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


class _Patches:
    """A set of ``unittest.mock`` patches installed for one environment (start/stop idempotent).

    Subclasses list their stand-ins in ``NAMES`` (the order of their module docstring) and
    build the patchers in :meth:`_patches`.
    """

    #: The AWS service whose behaviour this group supplies (the key in ``env.emulation``).
    SERVICE = ""
    #: The stand-ins this group installs.
    NAMES: tuple[str, ...] = ()

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._patchers: list[Any] = []

    def names(self) -> list[str]:
        """The stand-ins this object installs, in the order of its module docstring."""
        return list(self.NAMES)

    def _patches(self) -> list[Any]:  # pragma: no cover - every group overrides it
        """The patchers to start, in order."""
        raise NotImplementedError

    def start(self) -> None:
        """Patch moto (idempotent: a second start changes nothing)."""
        if self._patchers:
            return
        self._patchers = self._patches()
        for patcher in self._patchers:
            patcher.start()

    def stop(self) -> None:
        """Remove every patch, last first (idempotent), in any order of groups.

        A group started later may have patched the same moto attribute on top of this one
        (``mock.patch`` restores what it saw at start, so stopping out of order would bring a
        stopped group's patch back later). The groups started after this one are taken off
        first and put back afterwards, rebuilt over what remains: stopping one group leaves
        exactly the others installed.
        """
        if not self._patchers:
            return
        later = self._started_after()
        for group in reversed(later):
            group._unpatch()
        self._unpatch()
        for group in later:
            group.start()

    def _unpatch(self) -> None:
        for patcher in reversed(self._patchers):
            patcher.stop()
        self._patchers = []

    def _started_after(self) -> list[_Patches]:
        """The groups of this environment started after this one (in start order)."""
        groups = list(getattr(self.env, "emulation", {}).values())
        if self not in groups:
            return []
        return [g for g in groups[groups.index(self) + 1:] if g._patchers]
