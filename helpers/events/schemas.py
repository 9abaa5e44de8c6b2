"""A schema registry for SecureCart's events: versions, validation before publishing, examples.

On AWS this is the EventBridge Schema Registry (the ``schemas`` API). moto has no ``schemas``
service, so on the local backends :class:`LocalSchemaRegistry` keeps registries and schema
versions in memory with the same calls and answer shapes (``create_registry``,
``create_schema``, ``update_schema``, ``describe_schema``, ``list_schema_versions``); emulated
on moto. The JSON Schemas come from ``data/schemas`` (OpenAPI and JSONSchemaDraft4 are the
types AWS stores; the course registers ``JSONSchemaDraft4``).

Example
-------
>>> import helpers
>>> env = helpers.connect(quiet=True)
>>> reg = schema_registry(env)
>>> reg.register("InventoryLow")
'1'
>>> reg.validate("InventoryLow", {"sku": "SKU-0001", "stock": -1, "restock_threshold": 5})
Traceback (most recent call last):
...
helpers.platform.errors.SchemaValidationError: InventoryLow (version 1) refuses this event: InventoryLow detail is invalid at $.stock: -1 is less than the minimum of 0 (rule: minimum 0). Fix: send a value the schema allows, or register a new schema version first.
>>> _ = env.teardown()
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..data import _describe, load_schema
from ..platform.errors import SchemaValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ..environment import Environment

__all__ = ["LocalSchemaRegistry", "SchemaRegistry", "schema_registry", "example_from_schema",
           "SCHEMA_TYPE"]

#: The schema type the course registers.
SCHEMA_TYPE = "JSONSchemaDraft4"


class LocalSchemaRegistry:
    """The EventBridge Schema Registry calls the course uses, kept in memory (moto has none)."""

    def __init__(self) -> None:
        self._registries: dict[str, dict[str, list[str]]] = {}

    def create_registry(self, RegistryName: str, **_: Any) -> dict[str, Any]:
        self._registries.setdefault(RegistryName, {})
        return {"RegistryName": RegistryName}

    def _versions(self, RegistryName: str, SchemaName: str) -> list[str]:
        try:
            return self._registries[RegistryName][SchemaName]
        except KeyError:
            raise SchemaValidationError(
                f"Schema {SchemaName!r} is not in registry {RegistryName!r}. Fix: register it first.") from None

    def create_schema(self, RegistryName: str, SchemaName: str, Type: str, Content: str, **_: Any) -> dict[str, Any]:
        self._registries.setdefault(RegistryName, {})[SchemaName] = [Content]
        return {"SchemaName": SchemaName, "SchemaVersion": "1", "Type": Type}

    def update_schema(self, RegistryName: str, SchemaName: str, Content: str, **_: Any) -> dict[str, Any]:
        versions = self._versions(RegistryName, SchemaName)
        versions.append(Content)
        return {"SchemaName": SchemaName, "SchemaVersion": str(len(versions))}

    def describe_schema(self, RegistryName: str, SchemaName: str, SchemaVersion: str | None = None,
                        **_: Any) -> dict[str, Any]:
        versions = self._versions(RegistryName, SchemaName)
        version = int(SchemaVersion or len(versions))
        return {"SchemaName": SchemaName, "SchemaVersion": str(version), "Content": versions[version - 1],
                "Type": SCHEMA_TYPE}

    def list_schema_versions(self, RegistryName: str, SchemaName: str, **_: Any) -> dict[str, Any]:
        versions = self._versions(RegistryName, SchemaName)
        return {"SchemaVersions": [{"SchemaName": SchemaName, "SchemaVersion": str(i)}
                                   for i in range(1, len(versions) + 1)]}


class SchemaRegistry:
    """One registry of SecureCart's schemas, on the real service or the local one."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name
        client.create_registry(RegistryName=name, Description="SecureCart event schemas")

    def register(self, event_type: str, schema: dict[str, Any] | None = None) -> str:
        """Register ``event_type``'s schema (a new version when it exists); the version."""
        content = json.dumps(schema or load_schema(event_type))
        try:
            self.client.describe_schema(RegistryName=self.name, SchemaName=event_type)
        except Exception:  # not registered yet (local: SchemaValidationError; AWS: NotFoundException)
            return self.client.create_schema(RegistryName=self.name, SchemaName=event_type,
                                             Type=SCHEMA_TYPE, Content=content)["SchemaVersion"]
        return self.client.update_schema(RegistryName=self.name, SchemaName=event_type,
                                         Type=SCHEMA_TYPE, Content=content)["SchemaVersion"]

    def schema(self, event_type: str, version: str | None = None) -> dict[str, Any]:
        """The registered schema (latest version unless ``version``)."""
        params = {"SchemaVersion": version} if version else {}
        return json.loads(self.client.describe_schema(RegistryName=self.name, SchemaName=event_type,
                                                      **params)["Content"])

    def versions(self, event_type: str) -> list[str]:
        """The versions of ``event_type``'s schema."""
        answer = self.client.list_schema_versions(RegistryName=self.name, SchemaName=event_type)
        return [v["SchemaVersion"] for v in answer["SchemaVersions"]]

    def validate(self, event_type: str, detail: dict[str, Any], version: str | None = None) -> dict[str, Any]:
        """``detail`` unchanged when it fits the schema; else :class:`SchemaValidationError` naming the field."""
        try:
            schema = self.schema(event_type, version)
        except SchemaValidationError:
            return detail  # no schema registered for this type: nothing to enforce
        problem = _describe(f"{event_type} detail", schema, detail)
        if problem is not None:
            shown = version or self.versions(event_type)[-1]
            raise SchemaValidationError(
                f"{event_type} (version {shown}) refuses this event: {problem} Fix: send a value the "
                "schema allows, or register a new schema version first.")
        return detail


def schema_registry(env: Environment, name: str = "events") -> SchemaRegistry:
    """The course's registry: the real Schema Registry on AWS, :class:`LocalSchemaRegistry` locally."""
    if env.local:
        if not hasattr(env, "_lab3_schemas"):
            env._lab3_schemas = LocalSchemaRegistry()
        client = env._lab3_schemas
    else:
        client = env.client("schemas")
    return SchemaRegistry(client, env.name(name, "events"))


def example_from_schema(schema: dict[str, Any]) -> Any:
    """A minimal example instance of ``schema`` (required fields only): what a generated binding gives.

    Example
    -------
    >>> example_from_schema(load_schema("InventoryLow"))
    {'sku': 'SKU-0000', 'stock': 0, 'restock_threshold': 0}
    """
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        props = schema.get("properties", {})
        return {k: example_from_schema(props.get(k, {})) for k in schema.get("required", [])}
    if kind == "array":
        return [example_from_schema(schema.get("items", {}))] * max(1, schema.get("minItems", 0))
    if kind == "string":
        pattern = schema.get("pattern", "")
        return pattern.strip("^$").replace("[0-9]{4}", "0000").replace("[0-9]{5}", "00000").replace(
            "[0-9]{3}", "000") if pattern else "text"
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None
