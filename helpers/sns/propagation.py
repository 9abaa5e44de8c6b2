"""Filter-policy changes take time on AWS: warn before the first publish after one.

SNS is eventually consistent: "Additions or changes to a subscription filter policy require
up to 15 minutes to fully take effect" (SNS developer guide, subscription filter policies).
On moto a new policy applies at once. On the ``aws`` backend the toolkit notes each policy it
sets; the first publish to that topic within 15 minutes prints a warning once (it does not
wait: a lab would stall for a quarter of an hour).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> note_filter_change(env, "arn:aws:sns:us-east-1:123456789012:t")
>>> warn_if_propagating(env, "arn:aws:sns:us-east-1:123456789012:t") is None   # moto: at once
True
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..platform import limits

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["note_filter_change", "warn_if_propagating"]

_KEY = "sns.filter_policy_changed"


def note_filter_change(env: Environment, topic_arn: str) -> None:
    """Remember that a filter policy on ``topic_arn``'s subscriptions changed now."""
    env.state.setdefault(_KEY, {})[topic_arn] = env.clock.time()


def warn_if_propagating(env: Environment, topic_arn: str) -> str | None:
    """On ``aws``, the warning (printed once) when a change may not have reached SNS yet."""
    changed = env.state.get(_KEY, {}).pop(topic_arn, None)
    if changed is None or env.local:
        return None
    age = env.clock.time() - changed
    if age >= limits.SNS_FILTER_POLICY_PROPAGATION_SECONDS:
        return None
    text = (f"Note: a filter policy on {topic_arn.rsplit(':', 1)[-1]} changed {age:.0f} s ago. On "
            "AWS a change takes up to 15 minutes to take full effect, so this publish may still "
            "be filtered by the old policy (SNS developer guide, subscription filter policies).")
    print(text)
    return text
