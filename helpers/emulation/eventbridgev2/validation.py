"""Requests checked as the Custom Event Bus checks them: the model's constraints, then its rules.

:func:`check_input` walks the request against the botocore model of ``eventbridgev2`` (the
shapes AWS publishes: lengths, ranges, enums, patterns, required members) and raises
:class:`ServiceError` ``InvalidInputException`` worded as AWS's Smithy services word a
constraint failure. :func:`check_filters`, :func:`check_transformer` and
:func:`check_starting_position` add the rules the model states in prose. All run before
anything is created, so a refused call leaves nothing behind.

Example
-------
>>> check_input("CreateEventBus", {"Name": "orders", "StorageConfiguration": {"RetentionPeriodInDays": 400}})
Traceback (most recent call last):
...
helpers.emulation.eventbridgev2.validation.ServiceError: InvalidInputException: 1 validation error detected: Value '400' at 'StorageConfiguration.RetentionPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 365
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ...platform import limits
from ...rules.patterns import PatternError, compile_pattern

__all__ = ["ServiceError", "STATUS", "check_input", "check_filters", "check_transformer",
           "check_starting_position", "service_model"]

#: HTTP status of each error the model lists.
STATUS = {
    "InvalidInputException": 400, "LimitExceededException": 400, "AccessDeniedException": 403,
    "ResourceNotFoundException": 404, "ResourceAlreadyExistsException": 409,
    "ResourceInUseException": 409, "InvalidStateException": 409,
    "ConcurrentModificationException": 409, "IdempotentParameterMismatchException": 409,
    "ThrottlingException": 429, "InternalException": 500,
}


class ServiceError(Exception):
    """An error the service answers: its code (a shape of the model) and AWS-worded message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message

    @property
    def status(self) -> int:
        """The HTTP status the model gives this error."""
        return STATUS.get(self.code, 400)


@functools.cache
def service_model() -> Any:
    """botocore's model of ``eventbridgev2`` (loaded once)."""
    import botocore.session

    return botocore.session.get_session().get_service_model("eventbridgev2")


def _invalid(value: Any, path: str, constraint: str) -> ServiceError:
    shown = value if isinstance(value, (int, float, str)) else type(value).__name__
    return ServiceError("InvalidInputException", f"1 validation error detected: Value '{shown}' at "
                        f"'{path}' failed to satisfy constraint: {constraint}")


def check_input(operation: str, params: dict[str, Any]) -> None:
    """Check ``params`` of ``operation`` against the model's shapes (first failure raised)."""
    shape = service_model().operation_model(operation).input_shape
    if shape is not None:
        _check(shape, params, "")


def _check(shape: Any, value: Any, path: str) -> None:
    kind = shape.type_name
    if value is None:
        return
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                raise _invalid("null", f"{path}{name}", "Member must not be null")
        for name, member in shape.members.items():
            if name in value:
                _check(member, value[name], f"{path}{name}.")
        return
    path = path.rstrip(".")
    meta = shape.metadata
    if kind == "string":
        if not isinstance(value, str):
            raise _invalid(value, path, "Member must be a string")
        if "min" in meta and len(value) < meta["min"]:
            raise _invalid(value, path, f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            raise _invalid(value[:64], path, f"Member must have length less than or equal to {meta['max']}")
        if shape.enum and value not in shape.enum:
            raise _invalid(value, path, f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
            raise _invalid(value, path, f"Member must satisfy regular expression pattern: {meta['pattern']}")
    elif kind in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            raise _invalid(value, path, f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            raise _invalid(value, path, f"Member must have value less than or equal to {meta['max']}")
    elif kind == "list":
        if "min" in meta and len(value) < meta["min"]:
            raise _invalid(len(value), path, f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            raise _invalid(len(value), path, f"Member must have length less than or equal to {meta['max']}")
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}.{index + 1}.")
    elif kind == "map":
        if "max" in meta and len(value) > meta["max"]:
            raise _invalid(len(value), path, f"Member must have length less than or equal to {meta['max']}")
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key.")
            _check(shape.value, item, f"{path}.{key}.")


def check_filters(config: dict[str, Any] | None, *, creating: bool) -> list[tuple[str, dict[str, Any]]]:
    """The compiled ``(scope, pattern)`` pairs of a FilterConfiguration, or the AWS error.

    ``None`` (no FilterConfiguration) matches every event; on UpdateSubscriber an empty ``{}``
    clears the filter. Any other configuration needs one to fifty Filters, each a non-empty,
    valid EventBridge pattern, at most one per Scope.
    """
    if config is None or (not creating and config == {}):
        return []
    filters = config.get("Filters")
    if not filters:
        raise ServiceError("InvalidInputException", "FilterConfiguration must contain at least one "
                           "Filter with a non-empty Pattern.")
    if len(filters) > limits.EVENTBRIDGE_V2_MAX_FILTERS:
        raise _invalid(len(filters), "FilterConfiguration.Filters",
                       f"Member must have length less than or equal to {limits.EVENTBRIDGE_V2_MAX_FILTERS}")
    compiled, scopes = [], set()
    for index, item in enumerate(filters, 1):
        pattern, scope = item.get("Pattern") or "", item.get("Scope")
        if not pattern.strip() or pattern.strip() == "{}":
            raise ServiceError("InvalidInputException", f"Filter {index} has an empty Pattern: a "
                               "filter must contain at least one field to match.")
        if scope in scopes:
            raise ServiceError("InvalidInputException", f"FilterConfiguration has two filters with "
                               f"Scope {scope}: at most one filter per scope is allowed.")
        scopes.add(scope)
        try:
            compiled.append((scope, compile_pattern(pattern)))
        except PatternError as error:
            raise ServiceError("InvalidInputException", f"Filter {index}: {error}") from None
    return compiled


def check_transformer(transformer: dict[str, Any] | None) -> Any:
    """The compiled JSONata expression of a JSONATA transformer (``None`` for RAW/WITH_METADATA)."""
    if not transformer or transformer.get("Type", "RAW") != "JSONATA":
        return None
    expression = (transformer.get("JsonataConfiguration") or {}).get("Expression")
    if not expression:
        raise ServiceError("InvalidInputException", "Transformer.JsonataConfiguration is required "
                           "when Transformer.Type is JSONATA.")
    return compile_jsonata(expression, "Transformer.JsonataConfiguration.Expression")


def compile_jsonata(expression: str, where: str) -> Any:
    """A ``{% ... %}`` expression compiled with jsonata-python, or InvalidInputException."""
    import jsonata

    body = expression.strip()
    if not (body.startswith("{%") and body.endswith("%}")):
        raise ServiceError("InvalidInputException", f"{where} must be a JSONata expression wrapped "
                           "in {% %} delimiters.")
    try:
        return jsonata.Jsonata(body[2:-2].strip())
    except Exception as error:  # jsonata-python raises its own JException
        raise ServiceError("InvalidInputException", f"{where} is not a valid JSONata expression: "
                           f"{error}") from None


def check_starting_position(params: dict[str, Any]) -> None:
    """StartingPosition and PointInTimeConfiguration agree (the model's prose rules)."""
    position = params.get("StartingPosition", "LATEST")
    point = params.get("PointInTimeConfiguration")
    if position == "POINT_IN_TIME" and not point:
        raise ServiceError("InvalidInputException", "PointInTimeConfiguration is required when "
                           "StartingPosition is POINT_IN_TIME.")
    if position != "POINT_IN_TIME" and point:
        raise ServiceError("InvalidInputException", "PointInTimeConfiguration is only applicable "
                           "when StartingPosition is POINT_IN_TIME.")
    if point and point.get("PointType") == "TIMESTAMP" and point.get("StartingPoint") is None:
        raise ServiceError("InvalidInputException", "PointInTimeConfiguration.StartingPoint is "
                           "required when PointType is TIMESTAMP.")
