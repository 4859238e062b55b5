"""BFCL-style function schemas -> JSON Schema 2020-12 (see the README for every rule)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["BFCL_TYPES", "normalize_function", "normalize_name", "normalize_schema"]

#: BFCL's type names -> JSON Schema's (``None``: unconstrained, the ``type`` key is dropped).
BFCL_TYPES: dict[str, str | None] = {
    "dict": "object",
    "object": "object",
    "float": "number",
    "number": "number",
    "integer": "integer",
    "int": "integer",
    "string": "string",
    "str": "string",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "tuple": "array",
    "any": None,
    "null": "null",
}
_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_NAME_BAD = re.compile(r"[^a-zA-Z0-9_-]")


def normalize_name(name: str) -> str:
    """A BFCL function name as OpenAI accepts it: ``.`` (and anything else outside
    ``[a-zA-Z0-9_-]``) becomes ``_``, as BFCL itself does for OpenAI models."""
    return _NAME_BAD.sub("_", name)


def normalize_schema(parameters: Mapping[str, Any], *, root: bool = True) -> dict[str, Any]:
    """A BFCL ``parameters`` object as JSON Schema 2020-12.

    * ``dict`` -> ``object``, ``float`` -> ``number``, ``tuple`` -> ``array`` (a list ``items``
      becomes ``prefixItems``), ``any`` -> no ``type``;
    * an object with ``properties`` is closed (``additionalProperties: false``); one without
      (a free-form map) stays open;
    * the non-standard ``optional`` key is dropped (``required`` alone decides);
    * a ``default`` whose type does not fit the schema (``"false"`` for a boolean, ``"None"`` for
      an array) is dropped: it would mislead the model and is not JSON Schema;
    * ``required`` names that are not properties are dropped;
    * the root gets ``$schema`` (2020-12).

    :raises ValueError: a ``type`` BFCL does not define.
    """
    out: dict[str, Any] = {}
    for key, value in parameters.items():
        if key in ("optional", "type", "properties", "items", "required", "default"):
            continue
        out[key] = value
    raw = parameters.get("type")
    kind: str | None = None
    if raw is not None:
        if str(raw) not in BFCL_TYPES:
            raise ValueError(f"unknown BFCL type {raw!r}")
        kind = BFCL_TYPES[str(raw)]
        if kind is not None:
            out["type"] = kind
    props = parameters.get("properties")
    if isinstance(props, Mapping):
        out["properties"] = {name: normalize_schema(sub, root=False) for name, sub in props.items()}
        out["additionalProperties"] = False
        required = [r for r in parameters.get("required") or () if r in props]
        if required:
            out["required"] = required
    elif kind == "object" and root:
        out["properties"] = {}
        out["additionalProperties"] = False
    items = parameters.get("items")
    if isinstance(items, Mapping):
        out["items"] = normalize_schema(items, root=False)
    elif isinstance(items, list):
        out["prefixItems"] = [normalize_schema(i, root=False) for i in items]
        out["items"] = False
    if "default" in parameters and default_fits(parameters["default"], kind):
        out["default"] = parameters["default"]
    if root:
        out = {"$schema": _DIALECT, **out}
    return out


def default_fits(value: Any, kind: str | None) -> bool:
    """Whether *value* is of the JSON type *kind* (``None``: anything)."""
    if kind is None:
        return True
    if value is None:
        return kind == "null"
    checks: dict[str, Any] = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    }
    return bool(checks.get(kind, lambda v: True)(value))


def normalize_function(function: Mapping[str, Any]) -> dict[str, Any]:
    """A BFCL function definition (``name``, ``description``, ``parameters``) with its name and
    schema normalised; the original name is kept under ``bfcl_name``."""
    return {
        "name": normalize_name(str(function["name"])),
        "description": str(function.get("description", "")),
        "parameters": normalize_schema(function.get("parameters") or {"type": "dict"}),
        "bfcl_name": str(function["name"]),
    }
