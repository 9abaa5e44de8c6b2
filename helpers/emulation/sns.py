"""SNS behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real service does it.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
each delivery and each filter-policy   routes silently: a student      ``deliver`` / ``filter-drop`` rows
drop is observable (delivery logs,     cannot see a filter work        in ``env.log``, one per
CloudWatch ``NumberOfNotifications*``)                                 subscription
=====================================  ==============================  ==================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["sns"].names()
['SNS deliver / filter-drop rows']
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from moto.sns import models as sns_models

from ..platform.recorder import ACTOR
from ._base import _Patches, short_name

__all__ = ["SnsStandIns"]


class SnsStandIns(_Patches):
    """Installs and removes the SNS stand-ins for one environment."""

    SERVICE = "sns"
    NAMES = ("SNS deliver / filter-drop rows",)

    def _patches(self) -> list[Any]:
        """Patches of moto's SNS subscriptions."""
        log = self.env.log
        orig_publish = sns_models.Subscription.publish

        def publish(sub: Any, message: str, message_id: str, subject: Any = None,
                    message_attributes: Any = None, group_id: Any = None, **kwargs: Any) -> None:
            matcher = sub._filter_policy_matcher
            if matcher is not None and not matcher.matches(message_attributes, message):
                log.record(service="sns", action="filter-drop", resource=short_name(sub.endpoint),
                           message_id=message_id, group=group_id, actor=ACTOR.get(),
                           detail=f"from {sub.topic.name}: filter policy {json.dumps(sub._filter_policy)}")
                return None
            log.record(service="sns", action="deliver", resource=short_name(sub.endpoint),
                       message_id=message_id, group=group_id, actor=ACTOR.get(),
                       detail=f"from {sub.topic.name} via {sub.protocol}")
            return orig_publish(sub, message, message_id, subject=subject,
                                message_attributes=message_attributes, group_id=group_id, **kwargs)

        return [mock.patch.object(sns_models.Subscription, "publish", publish)]
