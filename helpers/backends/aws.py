"""The ``aws`` backend: checked offline before anything changes, run ids unique per user and
kernel on a shared account, and the sweep of what a crashed run left behind.

Example
-------
>>> classroom_run("lab1", "arn:aws:iam::123456789012:user/ana").startswith("lab1-")
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ProfileNotFound

from ..platform.errors import (
    CredentialsMissingError,
    InvalidNameError,
    InvalidParameterError,
    ProfileNotFoundError,
)
from ..platform.naming import RUN_PATTERN

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment
    from .local import ProcessEnvironment

__all__ = ["check_aws", "classroom_run", "tagged_leftovers", "CLASSROOM_SUFFIX_CHARS"]

#: Characters of the per-user, per-kernel suffix of a run id on ``aws``.
CLASSROOM_SUFFIX_CHARS = 6
#: This kernel's share of the suffix (one per process).
_KERNEL_TOKEN = secrets.token_hex(8)


def check_aws(region: str | None, before: ProcessEnvironment | None = None) -> str:
    """Validate the ``aws`` backend offline; return the region it will use.

    ``before`` is the open local environment's :class:`ProcessEnvironment`: the check reads
    the shell's variables, not the local backend's, and changes nothing (so a failed check
    leaves that environment open).

    Raises
    ------
    ProfileNotFoundError, CredentialsMissingError, InvalidParameterError
    """
    with before.as_before() if before is not None else contextlib.nullcontext():
        profile = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        try:
            session = boto3.Session(region_name=region or None)
            chosen = session.region_name
            credentials = session.get_credentials()
        except ProfileNotFound as err:
            raise ProfileNotFoundError(
                f"Backend 'aws': the profile {profile or err.kwargs.get('profile')!r} (from "
                "AWS_PROFILE) is not in your AWS config or credentials file, and botocore "
                "reads credentials and region from the profile AWS_PROFILE names. Fix: "
                "`aws configure --profile <name>` (or `aws configure sso`), set AWS_PROFILE "
                "to a profile listed by `aws configure list-profiles`, or unset it."
            ) from None
        stray = os.environ.get("AWS_REGION")
    if credentials is None:
        raise CredentialsMissingError(
            "Backend 'aws' was asked for but no AWS credentials were found (environment "
            "variables, AWS_PROFILE, ~/.aws/credentials, SSO, instance role). The aws "
            "backend uses the standard credential chain. Fix: run `aws configure` or "
            "`aws sso login` and set AWS_PROFILE, or use backend='moto' (no account needed)."
        )
    if not chosen:
        note = (f" AWS_REGION is set ({stray!r}), but this botocore does not read it (the "
                "AWS CLI v2 and other SDKs do)." if stray else "")
        raise InvalidParameterError(
            "Backend 'aws' needs a region and none is configured: botocore reads "
            "AWS_DEFAULT_REGION, then the `region` of your profile in ~/.aws/config."
            f"{note} Fix: connect(backend='aws', region='us-east-1'), or set "
            "AWS_DEFAULT_REGION, or `aws configure set region us-east-1`."
        )
    return chosen


def classroom_run(run: str, identity: str) -> str:
    """``run`` with a suffix unique to this user (``identity``: the caller's ARN) and kernel.

    Example
    -------
    >>> first = classroom_run("lab1", "arn:aws:iam::123456789012:user/ana")
    >>> first.startswith("lab1-") and len(first) == 11
    True
    >>> first == classroom_run("lab1", "arn:aws:iam::123456789012:user/ana")  # same kernel
    True
    >>> first != classroom_run("lab1", "arn:aws:iam::123456789012:user/ben")
    True
    """
    digest = hashlib.sha256(f"{identity}|{_KERNEL_TOKEN}".encode()).hexdigest()
    suffix = digest[:CLASSROOM_SUFFIX_CHARS]
    if run.endswith(f"-{suffix}"):
        return run
    full = f"{run}-{suffix}"
    if not RUN_PATTERN.fullmatch(full):
        room = 16 - CLASSROOM_SUFFIX_CHARS - 1
        raise InvalidNameError(
            f"Run id {run!r} is too long for the aws backend: on a shared AWS account the "
            f"course adds a {CLASSROOM_SUFFIX_CHARS}-character suffix per user and kernel "
            f"({full!r}), and a run id has at most 16 characters. Fix: use at most {room} "
            "characters, e.g. run='lab1', or exact_run=True to use your id as it is."
        )
    return full


def _run_tag(env: Environment, arn: str) -> str | None:
    """The ``run`` tag of one resource found by name (None when it has none)."""
    service = arn.split(":", 3)[2]
    if service == "sqs":
        sqs = env.client("sqs")
        account, name = arn.split(":")[4], arn.rsplit(":", 1)[-1]
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        return sqs.list_queue_tags(QueueUrl=url).get("Tags", {}).get("run")
    if service == "sns":
        tags = env.client("sns").list_tags_for_resource(ResourceArn=arn).get("Tags", [])
    else:
        tags = env.client("events").list_tags_for_resource(ResourceARN=arn).get("Tags", [])
    return next((t["Value"] for t in tags if t["Key"] == "run"), None)


def tagged_leftovers(env: Environment) -> list[str]:
    """On ``aws``: delete what this run left behind (a crashed kernel's resources).

    Only resources tagged ``course=securecart`` *and* ``run=<this run>`` are deleted; the
    name prefix finds the few the tagging API does not list (EventBridge rules on some
    accounts, and on moto), and each of those is deleted only when its ``run`` tag is this
    run too. Another student's ``securecart-lab1-...`` resources are never touched.
    """
    from ..platform.resources import Resources

    tagging = env._session.client("resourcegroupstaggingapi", region_name=env.region)
    filters = [{"Key": "course", "Values": ["securecart"]}, {"Key": "run", "Values": [env.run]}]
    leftovers = Resources()
    sqs = env.client("sqs")
    for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
        for item in page["ResourceTagMappingList"]:
            leftovers.adopt(item["ResourceARN"], sqs)
    found: list[str] = []
    for url in sqs.list_queues(QueueNamePrefix=env.prefix).get("QueueUrls", []):
        found.append(sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
    found += [rule["Arn"] for rule in env.client("events").list_rules(
        NamePrefix=env.prefix)["Rules"]]
    for page in env.client("sns").get_paginator("list_topics").paginate():
        found += [t["TopicArn"] for t in page["Topics"]
                  if t["TopicArn"].rsplit(":", 1)[-1].startswith(env.prefix)]
    for arn in found:
        if _run_tag(env, arn) == env.run:
            leftovers.adopt(arn, sqs)
    return [f"leftover {item}" for item in leftovers.teardown(env.client)]
