"""A small JSON Schema validator for the subset the Open311 schemas use.

Supported: ``type`` (string, number, integer, boolean, array, object, null), ``enum``,
``required``, ``properties``, ``items``, ``anyOf``, ``maxLength``, ``format`` (date-time
and uri, checked) and ``$ref`` to a sibling file. ``jsonschema`` is not installed and no
dependency is added for tests.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# A copy of shared/open311-schema (the Open311 project's published schemas), so the tests
# do not depend on where the repository is checked out.
SCHEMA_DIR = Path(__file__).resolve().parent / "open311_schema"
_TYPES: dict[str, Any] = {
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _type_ok(value: Any, expected: str) -> bool:
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, _TYPES[expected])


def errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Every violation of ``schema`` by ``value`` (empty when valid)."""
    if "$ref" in schema:
        return errors(value, load(schema["$ref"]), path)
    out: list[str] = []
    if "anyOf" in schema:
        if all(errors(value, option, path) for option in schema["anyOf"]):
            out.append(f"{path}: matches none of anyOf")
        return out
    expected = schema.get("type")
    if expected is None and ("properties" in schema or "required" in schema):
        expected = "object"
    if expected and not _type_ok(value, expected):
        return [f"{path}: expected {expected}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{path}: longer than {schema['maxLength']}")
        fmt = schema.get("format")
        if fmt == "date-time":
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                out.append(f"{path}: not an ISO 8601 date-time")
            else:
                if parsed.tzinfo is None:
                    out.append(f"{path}: date-time without a time zone")
        elif fmt == "uri" and not urlparse(value).scheme:
            out.append(f"{path}: not a URI")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                out.append(f"{path}: missing {key}")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                out.extend(errors(value[key], sub, f"{path}.{key}"))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out.extend(errors(item, schema["items"], f"{path}[{i}]"))
    return out


def validate(value: Any, schema_file: str) -> None:
    problems = errors(value, load(schema_file))
    assert problems == [], problems
