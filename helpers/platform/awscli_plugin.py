"""An AWS CLI v1 plugin the local backends hand to child processes: ``!aws ...`` stays local.

While a local backend is open, children inherit ``AWS_ENDPOINT_URL`` (the course's server on
``server``; a closed loopback port on ``moto``). Botocore honours it, but the AWS CLI v1
rewrites the endpoint of a few services itself, whatever the environment says: for SQS it
calls ``https://queue.amazonaws.com/`` (``awscli/customizations/overridesslcommonname.py``).
This plugin, loaded through the generated config file's ``[plugins]`` section, puts
``AWS_ENDPOINT_URL`` back after that rewrite, and on ``moto`` (where no other process can
reach the kernel's moto) stops every call before it is sent, with a message that says why.

It imports nothing from :mod:`helpers`: the child imports it from a temporary directory on
its ``PYTHONPATH`` (the local backend copies this file there as :data:`MODULE_NAME`).

Example
-------
>>> class Globals:
...     endpoint_url = "https://queue.amazonaws.com"
>>> import os; os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000"
>>> cli_globals = Globals(); _local_endpoint(cli_globals); cli_globals.endpoint_url
'http://127.0.0.1:5000'
>>> del os.environ["AWS_ENDPOINT_URL"]
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

__all__ = ["awscli_initialize", "NOTE_VARIABLE", "MODULE_NAME"]

#: The variable that carries, on ``moto``, why a child's call cannot be answered.
NOTE_VARIABLE = "SECURECART_CHILD_NOTE"
#: The module name the child imports this file as (the config file's ``[plugins]`` entry).
MODULE_NAME = "securecart_awscli_local"


class StayedLocalError(Exception):
    """The call was stopped before it was sent (the AWS CLI prints the message)."""


def _rewritten_by_the_cli(url: str) -> bool:
    """True for an endpoint the CLI itself put in place of the configured one."""
    try:
        from awscli.customizations.overridesslcommonname import SSL_COMMON_NAMES
    except ImportError:  # a CLI without the rewrite: nothing to undo
        return False
    host = urlsplit(url).hostname or ""
    return any(host == name for names in SSL_COMMON_NAMES.values() for name in names.values())


def _local_endpoint(parsed_globals: Any, **_: Any) -> None:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    current = getattr(parsed_globals, "endpoint_url", None)
    if endpoint and current and _rewritten_by_the_cli(current):
        parsed_globals.endpoint_url = endpoint


def _refuse(request: Any = None, **_: Any) -> None:
    raise StayedLocalError(os.environ.get(NOTE_VARIABLE, "This call was stopped locally."))


def awscli_initialize(cli: Any) -> None:
    """The AWS CLI's plugin entry point: register the two handlers."""
    cli.register_last("operation-args-parsed", _local_endpoint)
    if os.environ.get(NOTE_VARIABLE):
        cli.register_first("before-send", _refuse)
