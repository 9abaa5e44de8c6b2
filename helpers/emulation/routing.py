"""SNS and EventBridge routing made visible in ``env.log``, and one moto gap closed.

Stand-ins (AWS behaviour copied -> what moto does without it)
--------------------------------------------------------------
1. SNS deliveries and filter-policy drops are logged as ``deliver`` and ``filter-drop`` rows
   (one per subscription) -> moto routes silently, so a student could not see a filter work.
2. EventBridge rule matches are logged as ``route`` rows (one per target) -> silent in moto.
3. A DISABLED EventBridge rule delivers nothing -> moto still delivers to its targets.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> "filter-drop" in env.routing.names()[0]
True
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from moto.events import models as events_models
from moto.sns import models as sns_models

from ..platform.recorder import ACTOR
from ._base import _Patches

__all__ = ["RoutingStandIns"]


def _short(arn: str) -> str:
    return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


class RoutingStandIns(_Patches):
    """Installs and removes the SNS/EventBridge routing stand-ins for one environment."""

    NAMES = (
        "SNS deliver / filter-drop rows",
        "EventBridge route rows",
        "disabled rules deliver nothing",
    )

    def _patches(self) -> list[Any]:
        """Patches of moto's SNS subscriptions and EventBridge rules."""
        log = self.env.log
        orig_publish = sns_models.Subscription.publish
        orig_send = events_models.Rule.send_to_targets

        def publish(sub: Any, message: str, message_id: str, subject: Any = None,
                    message_attributes: Any = None, group_id: Any = None, **kwargs: Any) -> None:
            matcher = sub._filter_policy_matcher
            if matcher is not None and not matcher.matches(message_attributes, message):
                log.record(service="sns", action="filter-drop", resource=_short(sub.endpoint),
                           message_id=message_id, group=group_id, actor=ACTOR.get(),
                           detail=f"from {sub.topic.name}: filter policy {json.dumps(sub._filter_policy)}")
                return None
            log.record(service="sns", action="deliver", resource=_short(sub.endpoint),
                       message_id=message_id, group=group_id, actor=ACTOR.get(),
                       detail=f"from {sub.topic.name} via {sub.protocol}")
            return orig_publish(sub, message, message_id, subject=subject,
                                message_attributes=message_attributes, group_id=group_id, **kwargs)

        def send_to_targets(rule: Any, event: Any, transform_input: bool = True) -> None:
            if not rule.event_pattern.matches_event(event):
                return None
            if rule.state == "DISABLED":
                log.record(service="events", action="route", resource=rule.name,
                           message_id=event.get("id"), outcome="skipped: rule disabled",
                           detail=event.get("detail-type"))
                return None
            for target in rule.targets:
                log.record(service="events", action="route", resource=_short(target["Arn"]),
                           message_id=event.get("id"), actor=ACTOR.get(),
                           detail=f"rule {rule.name}: {event.get('detail-type')}")
            return orig_send(rule, event, transform_input)

        return [
            mock.patch.object(sns_models.Subscription, "publish", publish),
            mock.patch.object(events_models.Rule, "send_to_targets", send_to_targets),
        ]
