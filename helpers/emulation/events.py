"""EventBridge behaviours moto 5.2 lacks, supplied inside moto so every client sees them.

Installed only on the local backends; on ``aws`` the real service does it.

=====================================  ==============================  ==================================
AWS behaviour                          moto alone                      stand-in
=====================================  ==============================  ==================================
each rule match is observable          silent                          ``route`` rows in ``env.log``,
(``MatchedEvents`` metric)                                             one per target
a DISABLED rule delivers nothing       still delivers to its targets   skipped, logged
                                                                       ``skipped: rule disabled``
=====================================  ==============================  ==================================

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> env.emulation["events"].names()
['EventBridge route rows', 'disabled rules deliver nothing']
>>> _ = env.teardown()
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from moto.events import models as events_models

from ..platform.recorder import ACTOR
from ._base import _Patches, short_name

__all__ = ["EventsStandIns"]


class EventsStandIns(_Patches):
    """Installs and removes the EventBridge stand-ins for one environment."""

    SERVICE = "events"
    NAMES = ("EventBridge route rows", "disabled rules deliver nothing")

    def _patches(self) -> list[Any]:
        """Patches of moto's EventBridge rules."""
        log = self.env.log
        orig_send = events_models.Rule.send_to_targets

        def send_to_targets(rule: Any, event: Any, transform_input: bool = True) -> None:
            if not rule.event_pattern.matches_event(event):
                return None
            if rule.state == "DISABLED":
                log.record(service="events", action="route", resource=rule.name,
                           message_id=event.get("id"), outcome="skipped: rule disabled",
                           detail=event.get("detail-type"))
                return None
            for target in rule.targets:
                log.record(service="events", action="route", resource=short_name(target["Arn"]),
                           message_id=event.get("id"), actor=ACTOR.get(),
                           detail=f"rule {rule.name}: {event.get('detail-type')}")
            return orig_send(rule, event, transform_input)

        return [mock.patch.object(events_models.Rule, "send_to_targets", send_to_targets)]
