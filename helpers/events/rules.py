"""Rules: test a pattern against sample events with TestEventPattern, then create the rule.

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> event = sample_event(env, "InventoryLow", {"sku": "SKU-0001", "stock": 3})
>>> test_pattern(env, {"detail-type": ["InventoryLow"]}, event)
True
>>> create_rule(env, "low", {"detail-type": "InventoryLow"}, "default")
Traceback (most recent call last):
...
helpers.platform.errors.InvalidEventPatternError: EventBridge refused the pattern {"detail-type": "InventoryLow"}: Event pattern is not valid. Reason: "detail-type" must be an object or an array. Fix: every value in a pattern is a list of allowed values or a nested object, e.g. {"detail-type": ["InventoryLow"]}.
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ..platform.errors import InvalidEventPatternError, InvalidParameterError
from ..platform.inputs import json_text, one_of
from .types import Rule

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["sample_event", "test_pattern", "create_rule", "SOURCES", "RULE_STATES"]

#: The ``source`` of each SecureCart service's events.
SOURCES = {"orders": "securecart.orders", "inventory": "securecart.inventory",
           "payments": "securecart.payments", "audit": "securecart.audit",
           "restock": "securecart.restock"}

_FIX = ("Fix: every value in a pattern is a list of allowed values or a nested object, "
        'e.g. {"detail-type": ["InventoryLow"]}.')


def sample_event(env: Environment, detail_type: str, detail: dict[str, Any],
                 source: str = "securecart.inventory", **fields: Any) -> dict[str, Any]:
    """An event as EventBridge delivers it (the envelope TestEventPattern needs)."""
    return {"version": "0", "id": "00000000-0000-0000-0000-000000000001", "detail-type": detail_type,
            "source": source, "account": env.account or "123456789012",
            "time": env.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"), "region": env.region,
            "resources": [], "detail": detail, **fields}


def _refused(pattern: Any, error: ClientError) -> InvalidEventPatternError:
    return InvalidEventPatternError(
        f"EventBridge refused the pattern {json.dumps(pattern)}: {error.response['Error']['Message']}. {_FIX}")


def test_pattern(env: Environment, pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """``TestEventPattern``: does ``pattern`` match ``event``?"""
    try:
        answer = env.client("events").test_event_pattern(EventPattern=json.dumps(pattern),
                                                         Event=json.dumps(event))
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidEventPatternException":
            raise _refused(pattern, error) from None
        raise
    return bool(answer["Result"])


test_pattern.__test__ = False  # not a pytest test


#: PutRule's State values (botocore model ``RuleState``; AWS enums are case-sensitive).
RULE_STATES = ("ENABLED", "DISABLED")


def create_rule(env: Environment, name: str, pattern: dict[str, Any], bus: Any = "default",
                *, state: str = "ENABLED", description: str = "") -> Rule:
    """``PutRule`` on ``bus`` (a :class:`Bus` or a name); an invalid pattern raises one clear error."""
    bus_name = getattr(bus, "name", bus)
    if not isinstance(name, str) or not name:
        raise InvalidParameterError(
            f"name={name!r}: a rule's short name is a non-empty string (PutRule's Name: 1 to 64 "
            "characters with the run prefix; letters, digits, . - _). Fix: create_rule(env, "
            "'inventory-low', pattern).")
    state = one_of(state, "state", RULE_STATES, rule="PutRule's State")
    text = json_text(pattern, "The event pattern", rule="an event pattern is a JSON object")
    try:
        arn = env.client("events").put_rule(Name=name, EventBusName=bus_name, EventPattern=text,
                                            State=state, Description=description)["RuleArn"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidEventPatternException":
            raise _refused(pattern, error) from None
        raise
    return Rule(env.name(name, "events"), arn, bus_name, pattern)
