"""AWS's rules as pure functions: what AWS decides, with no moto and no boto3.

This layer sits below the emulation (which applies these rules inside moto), the service
toolkits (which apply them on every backend, ``aws`` included, where AWS decides the same way)
and the teaching framework (whose checks grade answers against them). It imports only
:mod:`helpers.platform`.
"""

from __future__ import annotations

__all__: list[str] = []
