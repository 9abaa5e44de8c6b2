"""What this kernel runs: versions and backend, for the first cell of every notebook.

Example
-------
>>> from helpers.platform.about import versions
>>> "boto3" in version_info()
True
"""

from __future__ import annotations

import os
import platform
from importlib import metadata

__all__ = ["versions", "version_info"]

_PACKAGES = ("boto3", "botocore", "moto", "pandas", "matplotlib", "ipywidgets", "time-machine")


def version_info() -> dict[str, str]:
    """Python, the course packages' versions and the chosen backend, as a dict."""
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["SECURECART_BACKEND"] = os.environ.get("SECURECART_BACKEND") or "(unset: moto)"
    return found


def versions() -> None:
    """Print Python, the course packages' versions and the chosen backend on one line."""
    print("  ".join(f"{k} {v}" for k, v in version_info().items()))
