"""Every moto function a stand-in replaces, tied to the signature it was written against.

Each stand-in group patches moto with ``mock.patch.object`` (or :class:`~._lazy.LazyPatch`).
:func:`patched_targets` lists what the started groups replaced (``moto.sqs.models.Queue.add_message``)
with the replaced object; ``moto_signatures.json`` (next to this module) records the
``inspect.signature`` text each was written against, and :func:`check` compares the two at
``connect()``: a target whose signature changed, that moto no longer has, or that moto now
has where the stand-in created it (``<absent>``) warns once, naming the patch, so a moto
upgrade cannot silently bypass a stand-in. ``make moto-report`` (``tools/moto_report.py``)
runs the same comparison, and the ``test_moto_alone_*`` canaries, against the newest moto.

Example
-------
>>> signature_text(lambda queue, message: None)
'(queue, message)'
"""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

from ._lazy import LazyPatch

__all__ = ["SIGNATURES_FILE", "patched_targets", "signature_text", "check", "recorded"]

#: The signatures the stand-ins were written against (``tools/moto_report.py --record``).
SIGNATURES_FILE = Path(__file__).with_name("moto_signatures.json")
#: What a target the stand-in creates (moto has no such attribute) is recorded as.
ABSENT = "<absent>"
_WARNED: set[str] = set()


def signature_text(obj: Any) -> str:
    """``str(inspect.signature(obj))``, or a stand-in text for what has none."""
    if obj is mock.DEFAULT or obj is None:
        return ABSENT
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return f"<{type(obj).__name__}>"


def _target(patcher: Any) -> tuple[str, Any] | None:
    """(dotted name, replaced object) of one started patcher, if it patches moto."""
    if isinstance(patcher, LazyPatch):
        patcher = patcher._patcher  # None until its module is imported: nothing replaced yet
    if patcher is None or not hasattr(patcher, "attribute") or not hasattr(patcher, "temp_original"):
        return None
    owner = patcher.getter()
    module = owner.__name__ if inspect.ismodule(owner) else getattr(owner, "__module__", "")
    if not str(module).startswith("moto"):
        return None
    path = owner.__name__ if inspect.ismodule(owner) else f"{module}.{owner.__qualname__}"
    return f"{path}.{patcher.attribute}", patcher.temp_original


def patched_targets(groups: Any) -> dict[str, tuple[str, Any]]:
    """``{moto target: (group, replaced object)}`` for every started group."""
    out: dict[str, tuple[str, Any]] = {}
    for group in groups:
        for patcher in group._patchers:
            found = _target(patcher)
            # The first group to patch a target replaced moto's own; a later one wraps it.
            if found is not None and found[0] not in out:
                out[found[0]] = (group.SERVICE, found[1])
    return out


def recorded() -> dict[str, str]:
    """The recorded ``{moto target: signature text}``."""
    try:
        return json.loads(SIGNATURES_FILE.read_text())["targets"]
    except (OSError, ValueError, KeyError):
        return {}


def check(groups: Any, *, warn: bool = True) -> list[str]:
    """The patches whose moto target differs from what they were written against.

    Each difference warns once per kernel (``warn``), naming the group and the target.
    """
    known = recorded()
    changed = []
    for target, (group, original) in sorted(patched_targets(groups).items()):
        want, have = known.get(target), signature_text(original)
        if want is None or want == have:
            continue
        note = (f"The {group} stand-in patches {target}, written against {target}{want}; the "
                f"installed moto has {have}. Check that the stand-in still does what its test "
                "says (make moto-report).")
        changed.append(note)
        if warn and target not in _WARNED:
            _WARNED.add(target)
            warnings.warn(note, UserWarning, stacklevel=3)
    return changed
