"""Reading the official specs in ../shared/specs and checking sandbox bodies against their schemas.

A small JSON-schema subset is enough for what the sandbox must honour: `$ref`, `type`,
`required`, `properties` (with unknown fields reported: field names must be spelled as the
spec spells them), `items`, `enum`, `allOf`. `null` is accepted for any field, since the
specs' own examples use it for optional values.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

# tests/marketplaces/sandbox/<this file> → parents[3] is the repo root; CI puts shared/ beside it.
SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float, Decimal)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


@cache
def load_spec(relative: str) -> dict:
    """A spec file under shared/specs; fails (never skips) when the folder is missing."""
    if not SPECS.is_dir():
        pytest.fail(
            f"The official specs folder {SPECS} is missing: the repository must sit beside ../shared "
            "(shared/specs/ holds the Amazon, eBay and Mirakl API descriptions these tests read)."
        )
    return json.loads((SPECS / relative).read_text(encoding="utf-8"))


def schema(spec: dict, name: str) -> dict:
    return (spec.get("definitions") or spec["components"]["schemas"])[name]


def _resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def described_enum(prop: dict) -> set[str]:
    """Values listed as 'Enum: `"A"`, `"B"`' in a description (Mirakl's way), deprecated ones included."""
    return set(re.findall(r'`"([A-Z_]+)"`', prop.get("description", "")))


def problems(instance, node: dict, spec: dict, path: str = "$") -> list[str]:
    """Every way `instance` breaks `node`; empty when it conforms."""
    node = _resolve(spec, node)
    found: list[str] = []
    for part in node.get("allOf", []):
        found += problems(instance, part, spec, path)
    if instance is None:
        return found
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    kinds = [k for k in kinds if k != "null"]
    if kinds and not any(_TYPES[k](instance) for k in kinds):
        return [*found, f"{path}: {instance!r} is not {kind}"]
    if "enum" in node and instance not in node["enum"]:
        found.append(f"{path}: {instance!r} not in {node['enum']}")
    if isinstance(instance, dict):
        properties = node.get("properties", {})
        for name in node.get("required", []):
            if name not in instance:
                found.append(f"{path}: required field {name!r} missing")
        for name, value in instance.items():
            if name in properties:
                found += problems(value, properties[name], spec, f"{path}.{name}")
            elif properties and node.get("additionalProperties") in (None, False):
                found.append(f"{path}: field {name!r} is not in the spec")
            elif isinstance(node.get("additionalProperties"), dict):
                found += problems(value, node["additionalProperties"], spec, f"{path}.{name}")
    if isinstance(instance, list) and "items" in node:
        for index, item in enumerate(instance):
            found += problems(item, node["items"], spec, f"{path}[{index}]")
    return found


def response_schema(spec: dict, path: str, method: str, status: str) -> dict:
    response = _resolve(spec, spec["paths"][path][method]["responses"][status])
    if "schema" in response:  # Swagger 2
        return response["schema"]
    return response["content"]["application/json"]["schema"]
