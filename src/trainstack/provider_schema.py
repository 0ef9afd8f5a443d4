"""Check synthesized Terraform JSON against packaged provider argument schemas.

The schemas (``provider_schemas/*.json``, format ``trainstack-provider-schema/1``)
carry argument names, required flags, primitive types and block nesting for
azurerm 5.10.0, azapi 2.13.0 and databricks 1.138.0. Pure functions: a schema
and a body in, a list of problems out. Value rules the schema lacks (name
patterns, enums) are not checked here.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

SCHEMA_FILES = {
    "azurerm": "azurerm-5.10.0.json",
    "azapi": "azapi-2.13.0.json",
    "databricks": "databricks-1.138.0.json",
}
# Terraform meta-arguments, valid on every resource and data source.
META_ARGUMENTS = frozenset(
    {"//", "count", "for_each", "depends_on", "provider", "lifecycle", "connection", "provisioner"}
)
_INTERPOLATION = re.compile(r"\$\{.+\}", re.S)


@dataclass(frozen=True)
class Problem:
    path: str  # dotted path inside the element, e.g. "scale_settings.max_node_count"
    message: str
    kind: str = "type"  # unknown-type | unknown-argument | missing | type | nesting

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@functools.cache
def load_provider_schema(provider: str) -> dict[str, Any]:
    """The packaged schema of one provider (azurerm, azapi or databricks)."""
    name = SCHEMA_FILES[provider]
    text = (resources.files("trainstack") / "provider_schemas" / name).read_text(encoding="utf-8")
    return json.loads(text)


def provider_of(terraform_type: str) -> str:
    """The provider a resource type belongs to (azurerm, azapi, databricks)."""
    return terraform_type.split("_", 1)[0]


def element_schema(terraform_type: str, *, data: bool = False) -> dict[str, Any] | None:
    """The packaged schema of a resource or data source type, or None."""
    provider = provider_of(terraform_type)
    if provider not in SCHEMA_FILES:
        return None
    table = load_provider_schema(provider)["data_sources" if data else "resources"]
    return table.get(terraform_type)


def check_element(terraform_type: str, body: dict[str, Any], *, data: bool = False) -> list[Problem]:
    """Problems of one resource (or data source) body against its provider schema."""
    schema = element_schema(terraform_type, data=data)
    if schema is None:
        kind = "data source" if data else "resource type"
        return [Problem("", f"unknown {kind} {terraform_type} for its provider schema",
                        "unknown-type")]
    return check_block(schema, body, "", top=True)


def check_provider(provider: str, body: dict[str, Any]) -> list[Problem]:
    """Problems of one provider configuration block."""
    if provider not in SCHEMA_FILES:
        return [Problem("", f"no packaged schema for provider {provider}", "unknown-type")]
    extra = {"alias", "version"}  # allowed on every provider block
    cleaned = {k: v for k, v in body.items() if k not in extra}
    return check_block(load_provider_schema(provider)["provider"], cleaned, "")


def check_block(schema: dict[str, Any], body: Any, path: str, *, top: bool = False) -> list[Problem]:
    """Problems of one block against its schema: unknown, missing, mistyped or misnested
    arguments."""
    if not isinstance(body, dict):
        return [Problem(path, f"must be a block (object), got {_kind(body)}", "nesting")]
    problems: list[Problem] = []
    attributes, blocks = schema.get("attributes", {}), schema.get("blocks", {})
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if top and key in META_ARGUMENTS:
            continue
        if key in attributes:
            problems += _check_type(attributes[key]["type"], value, where)
        elif key in blocks:
            problems += _check_nested(blocks[key], value, where)
        else:
            problems.append(Problem(where, "unknown argument", "unknown-argument"))
    for key, spec in attributes.items():
        if spec.get("required") and key not in body:
            problems.append(Problem(f"{path}.{key}" if path else key, "required argument missing",
                                    "missing"))
    for key, spec in blocks.items():
        if spec.get("required") and key not in body:
            problems.append(Problem(f"{path}.{key}" if path else key, "required block missing",
                                    "missing"))
    return problems


def _check_nested(spec: dict[str, Any], value: Any, where: str) -> list[Problem]:
    # Terraform's JSON syntax accepts one object or a list of objects for any block.
    items = value if isinstance(value, list) else [value]
    if spec["nesting"] == "single" and len(items) > 1:
        return [Problem(where, f"at most one {where.rsplit('.', 1)[-1]} block (got {len(items)})",
                        "nesting")]
    problems: list[Problem] = []
    for i, item in enumerate(items):
        sub = f"{where}[{i}]" if isinstance(value, list) and spec["nesting"] == "list" else where
        problems += check_block(spec, item, sub)
    return problems


def _check_type(expected: Any, value: Any, where: str) -> list[Problem]:
    if isinstance(value, str) and _INTERPOLATION.search(value):
        return []  # a reference: Terraform checks its type at plan time
    if expected == "any":
        return []
    if expected == "string":
        ok = isinstance(value, str)
    elif expected == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif expected == "boolean":
        ok = isinstance(value, bool)
    elif isinstance(expected, list) and expected[0] in ("list", "set"):
        if not isinstance(value, list):
            return [Problem(where, f"must be a list, got {_kind(value)}")]
        return [p for i, v in enumerate(value) for p in _check_type(expected[1], v, f"{where}[{i}]")]
    elif isinstance(expected, list) and expected[0] == "map":
        if not isinstance(value, dict):
            return [Problem(where, f"must be a map, got {_kind(value)}")]
        return [p for k, v in value.items() for p in _check_type(expected[1], v, f"{where}.{k}")]
    else:
        return [Problem(where, f"unsupported schema type {expected!r}")]
    return [] if ok else [Problem(where, f"must be a {expected}, got {_kind(value)}")]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def check_stack(document: dict[str, Any]) -> list[tuple[str, Problem]]:
    """Every problem in one synthesized cdk.tf.json, as (address, problem)."""
    found: list[tuple[str, Problem]] = []
    for kind, data in (("resource", False), ("data", True)):
        for terraform_type, instances in sorted(document.get(kind, {}).items()):
            if terraform_type == "//":
                continue
            for name, body in sorted(instances.items()):
                address = f"{'data.' if data else ''}{terraform_type}.{name}"
                found += [(address, p) for p in check_element(terraform_type, body, data=data)]
    for provider, configs in sorted(document.get("provider", {}).items()):
        for i, body in enumerate(configs if isinstance(configs, list) else [configs]):
            found += [(f"provider.{provider}[{i}]", p) for p in check_provider(provider, body)]
    return found
