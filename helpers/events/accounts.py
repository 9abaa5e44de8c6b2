"""Clients in another AWS account: STS AssumeRole, then the other account's view.

moto keeps one set of resources per account id; credentials from ``AssumeRole`` into
``arn:aws:iam::<account>:role/...`` act in that account. On AWS the role must exist there and
trust your account.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> security = client_in_account(env, "222222222222", "sts")
>>> security.get_caller_identity()["Account"]
'222222222222'
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from ..backends import fake_session

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["client_in_account", "SECURITY_ACCOUNT", "OTHER_ACCOUNT"]

#: The central security account of the course (moto accepts any 12-digit id).
SECURITY_ACCOUNT = "222222222222"
#: A third account that the security bus must refuse.
OTHER_ACCOUNT = "333333333333"


def client_in_account(env: Environment, account: str, service: str,
                      role: str = "securecart-cross-account") -> Any:
    """A ``service`` client acting in ``account`` through ``AssumeRole`` (names prefixed as by
    ``env.client``); one client per account and service for the environment's lifetime (on AWS
    the assumed-role credentials last an hour: reconnect after that)."""
    cache = env.__dict__.setdefault("_lab3_account_clients", {})
    if (account, service, role) in cache:
        return cache[(account, service, role)]
    credentials = env.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName=f"securecart-{env.run}",
    )["Credentials"]
    options: dict[str, Any] = {"retries": {"total_max_attempts": 1}} if env.local else {}
    if env.local:
        options["proxies"] = {"http": None, "https": None}
    if env.local:  # nothing of the user's AWS configuration is read on a local backend
        session = fake_session(env.region, credentials)
    else:
        session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"], region_name=env.region)
    client = session.client(service, endpoint_url=env.endpoint_url, config=Config(**options))
    naming = env.naming

    def name_it(params: dict[str, Any], model: Any, **_: Any) -> None:
        naming.apply(service, model.name, params)

    # Names are prefixed as for env.client; the resources are not in env's teardown (on moto the
    # whole backend goes with the environment; on AWS delete them in that account).
    client.meta.events.register("provide-client-params", name_it)
    cache[(account, service, role)] = client
    return client
