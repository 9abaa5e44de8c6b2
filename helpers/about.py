"""What this kernel runs: versions and backend, for the first cell of every notebook.

Example
-------
>>> from helpers.about import versions
>>> "boto3" in versions(show=False)
True
"""

from __future__ import annotations

import os
import platform
from importlib import metadata

__all__ = ["versions"]

_PACKAGES = ("boto3", "botocore", "moto", "pandas", "matplotlib", "ipywidgets", "time-machine")


def versions(show: bool = True) -> dict[str, str]:
    """Print (and return) Python, the course packages' versions and the chosen backend."""
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["SECURECART_BACKEND"] = os.environ.get("SECURECART_BACKEND") or "(unset: moto)"
    if show:
        print("  ".join(f"{k} {v}" for k, v in found.items()))
    return found
