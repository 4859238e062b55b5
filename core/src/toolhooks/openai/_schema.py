"""Tool schemas for OpenAI: strict conversion, the ``tools=[...]`` lists, null normalisation."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from toolhooks._tools import Tool, check_tool_name

__all__ = [
    "StrictMode",
    "StrictSchema",
    "normalize_arguments",
    "responses_tools_param",
    "select_tools",
    "strict_schema",
    "tools_param",
]

log = logging.getLogger("toolhooks.openai")

#: ``True``: strict wherever the schema allows it (a fallback is logged as a warning);
#: ``"auto"``: the same, with the fallback logged at info level; ``False``: never strict.
StrictMode = bool | Literal["auto"]

# Keywords strict mode accepts, per OpenAI's Structured Outputs guide.
_KEEP = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "description",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
    }
)
# Keywords that only annotate or narrow: dropped (the arguments are still validated against the
# original schema when they are bound, so nothing is lost but a hint to the model).
_DROP = frozenset(
    {
        "title",
        "default",
        "examples",
        "example",
        "$schema",
        "$id",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
        "minLength",
        "maxLength",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "contentEncoding",
        "contentMediaType",
        "discriminator",
        "nullable",
    }
)
_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
_MAX_DEPTH = 10


class _NotStrict(Exception):
    """The schema cannot be expressed in strict mode (the message says why)."""


@dataclass(frozen=True, slots=True)
class StrictSchema:
    """The outcome of converting one tool's parameters.

    :ivar parameters: the strict schema, or the original one when ``strict`` is false.
    :ivar strict: whether the schema is strict.
    :ivar reason: why it could not be strict (``None`` when it is).
    """

    parameters: dict[str, Any]
    strict: bool
    reason: str | None = None


_cache: dict[str, StrictSchema] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 4096


def strict_schema(tool: Tool) -> StrictSchema:
    """The strict form of *tool*'s parameters, converted once per schema and cached.

    Every object is closed (``additionalProperties: false``) and lists all its properties as
    required; a property that was optional becomes nullable (``anyOf`` with ``null``) and loses
    its default (the default is noted in its description, and :func:`normalize_arguments` drops
    the ``null`` again so the function's own default applies). ``$ref`` with sibling keywords is
    inlined, ``$defs`` are kept; keywords strict mode rejects but that only narrow (``minLength``,
    ``title``, ...) are removed. A schema strict mode cannot express (free-form objects, ``allOf``
    with several members, ``not``, ``if``/``then``/``else``, ``patternProperties``, a property of
    any type, more than 10 levels, ...) is returned unchanged with ``strict=False`` and the
    reason, logged once.
    """
    key = tool.schema_hash
    hit = _cache.get(key)
    if hit is not None:
        return hit
    try:
        converted = StrictSchema(_Converter(tool.parameters).root(), True)
    except _NotStrict as exc:
        converted = StrictSchema(dict(tool.parameters), False, str(exc))
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = converted
    return converted


_logged: set[tuple[str, str]] = set()


def _log_fallback(tool: Tool, reason: str, mode: StrictMode) -> None:
    key = (tool.name, tool.schema_hash)
    if key in _logged:
        return
    _logged.add(key)
    level = logging.WARNING if mode is True else logging.INFO
    log.log(level, "tool %s is offered non-strict: %s", tool.name, reason)


class _Converter:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = copy.deepcopy(dict(schema))
        self.defs: dict[str, Any] = dict(self.schema.get("$defs") or {})
        if "definitions" in self.schema:
            raise _NotStrict("it uses 'definitions' (use '$defs')")

    def root(self) -> dict[str, Any]:
        schema = self.schema
        if "$ref" in schema:  # a recursive model: pydantic puts the root itself in $defs
            rest = {k: v for k, v in schema.items() if k not in ("$ref", "$defs")}
            if not rest.get("properties"):
                rest.pop("properties", None)
            schema = {**self.resolve(schema["$ref"]), **rest}
        if schema.get("type", "object") != "object" or "anyOf" in schema:
            raise _NotStrict("the root must be a plain object")
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        out = self.node(schema, "", 0)
        if self.defs:
            out["$defs"] = {name: self.node(d, f"$defs.{name}", 1) for name, d in self.defs.items()}
        return out

    def resolve(self, ref: str) -> dict[str, Any]:
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix) :] not in self.defs:
            raise _NotStrict(f"unresolvable $ref {ref!r}")
        resolved: dict[str, Any] = self.defs[ref[len(prefix) :]]
        return resolved

    def node(self, node: Any, where: str, depth: int) -> dict[str, Any]:
        at = where or "the parameters"
        if not isinstance(node, dict):
            raise _NotStrict(f"{at}: a schema of any value (true/false) is not allowed")
        if depth > _MAX_DEPTH:
            raise _NotStrict(f"{at}: nested deeper than {_MAX_DEPTH} levels")
        node = dict(node)
        if "$ref" in node and len(node) > 1:  # siblings: inline the definition
            ref = node.pop("$ref")
            merged = dict(self.resolve(ref))
            merged.update({k: v for k, v in node.items() if k not in ("default",)})
            node = merged
        all_of = node.pop("allOf", None)
        if all_of is not None:
            if not isinstance(all_of, list) or len(all_of) != 1:
                raise _NotStrict(f"{at}: 'allOf' with several schemas")
            inner = all_of[0]
            if isinstance(inner, dict) and "$ref" in inner and len(inner) == 1:
                inner = self.resolve(inner["$ref"])
            node = {**inner, **node}
        if "oneOf" in node:  # exclusive unions: anyOf accepts the same payloads
            node["anyOf"] = node.pop("oneOf")
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROP or key == "$defs":
                continue
            if key not in _KEEP:
                raise _NotStrict(f"{at}: keyword {key!r} is not supported in strict mode")
            if key == "format" and value not in _FORMATS:
                continue
            out[key] = value
        if not out.keys() - {"description"}:
            raise _NotStrict(f"{at}: a value of any type is not allowed")
        if "anyOf" in out:
            out["anyOf"] = [
                self.node(s, f"{where}.anyOf[{i}]", depth + 1) for i, s in enumerate(out["anyOf"])
            ]
        types = out.get("type")
        type_list = types if isinstance(types, list) else [types]
        if "object" in type_list or "properties" in out:
            self.object(out, node, at, where, depth)
        if "array" in type_list:
            items = out.get("items")
            if items is None:
                raise _NotStrict(f"{at}: an array needs an 'items' schema")
            out["items"] = self.node(items, f"{where}[]", depth + 1)
        elif "items" in out:
            out["items"] = self.node(out["items"], f"{where}[]", depth + 1)
        return out

    def object(
        self, out: dict[str, Any], node: dict[str, Any], at: str, where: str, depth: int
    ) -> None:
        extra = node.get("additionalProperties", False)
        if extra is not False:
            raise _NotStrict(f"{at}: a free-form object (additionalProperties) cannot be strict")
        properties: dict[str, Any] = dict(out.get("properties") or {})
        required = set(node.get("required") or ())
        new: dict[str, Any] = {}
        for name, prop in properties.items():
            sub = f"{where}.{name}" if where else name
            converted = self.node(prop, sub, depth + 1)
            if name not in required:
                converted = _nullable(converted, prop)
            new[name] = converted
        out["type"] = "object"
        out["properties"] = new
        out["required"] = list(new)
        out["additionalProperties"] = False


def _allows_null(schema: Mapping[str, Any]) -> bool:
    t = schema.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    if schema.get("const", 0) is None or (None in (schema.get("enum") or [0])):
        return True
    return any(isinstance(s, Mapping) and _allows_null(s) for s in schema.get("anyOf") or ())


def _nullable(converted: dict[str, Any], original: Any) -> dict[str, Any]:
    default = original.get("default", None) if isinstance(original, Mapping) else None
    description = converted.pop("description", None)
    if default is not None:
        note = f"Optional (default: {_short(default)}); send null for the default."
        description = f"{description} {note}" if description else note
    if not _allows_null(converted):
        converted = {"anyOf": [converted, {"type": "null"}]} if converted else {"type": "null"}
    if description:
        converted = {**converted, "description": description}
    return converted


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


# -- null normalisation --------------------------------------------------------------------


def normalize_arguments(tool: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
    """Drop the ``null`` s strict mode made the model send for omitted optional parameters.

    A key is removed when its value is ``null``, it is not required by the tool's *original*
    schema and that schema does not allow ``null`` there, so the function's default applies. Nested
    objects (through ``properties``, ``items``, ``$ref`` and single-object ``anyOf``) are handled
    the same way. Anything else is returned unchanged (validation still judges it).
    """
    return _Normalizer(tool.parameters).obj(tool.parameters, arguments, 0)


class _Normalizer:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs") or {}

    def deref(self, schema: Any) -> Any:
        for _ in range(32):
            if not isinstance(schema, Mapping):
                return schema
            ref = schema.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
                break
            target = self.defs.get(ref[len("#/$defs/") :])
            if target is None:
                break
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.deref({**all_of[0], **{k: v for k, v in schema.items() if k != "allOf"}})
        return schema

    def value(self, schema: Any, value: Any, depth: int) -> Any:
        if depth > 64:
            return value
        schema = self.deref(schema)
        if not isinstance(schema, Mapping):
            return value
        if isinstance(value, dict):
            if "properties" in schema:
                return self.obj(schema, value, depth)
            objects = [
                s
                for s in (self.deref(s) for s in schema.get("anyOf") or schema.get("oneOf") or ())
                if isinstance(s, Mapping) and "properties" in s
            ]
            if len(objects) == 1:
                return self.obj(objects[0], value, depth)
        elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
            return [self.value(schema["items"], v, depth + 1) for v in value]
        return value

    def obj(self, schema: Mapping[str, Any], value: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        out: dict[str, Any] = {}
        for key, item in value.items():
            prop = properties.get(key)
            if prop is None:
                out[key] = item
                continue
            if item is None:
                resolved = self.deref(prop)
                if (
                    key not in required
                    and isinstance(resolved, Mapping)
                    and not _allows_null(_deref_any(self, resolved))
                ):
                    continue
                out[key] = item
                continue
            out[key] = self.value(prop, item, depth + 1)
        return out


def _deref_any(n: _Normalizer, schema: Mapping[str, Any]) -> Mapping[str, Any]:
    any_of = schema.get("anyOf") or schema.get("oneOf")
    if not any_of:
        return schema
    return {**schema, "anyOf": [n.deref(s) for s in any_of]}


# -- tools=[...] ---------------------------------------------------------------------------


def select_tools(
    tools: Iterable[Tool] | Mapping[str, Tool],
    *,
    names: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
) -> list[Tool]:
    """The tools to offer: all of them, or those named in *names* or carrying one of *tags*.

    :raises KeyError: a name in *names* is not among *tools*.
    """
    items = list(tools.values()) if isinstance(tools, Mapping) else list(tools)
    if names is None and tags is None:
        return items
    wanted = set(names or ())
    by_name = {t.name for t in items}
    missing = wanted - by_name
    if missing:
        raise KeyError(f"no tool named {', '.join(sorted(missing))}")
    tag_set = set(tags or ())
    return [t for t in items if t.name in wanted or (tag_set and t.tags & tag_set)]


def _function(tool: Tool, strict: StrictMode) -> tuple[dict[str, Any], bool]:
    check_tool_name(tool.name)
    if strict is False:
        return tool.parameters, False
    converted = strict_schema(tool)
    if not converted.strict:
        _log_fallback(tool, converted.reason or "", strict)
    return converted.parameters, converted.strict


def tools_param(
    tools: Iterable[Tool] | Mapping[str, Tool],
    *,
    strict: StrictMode = "auto",
    names: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The ``tools=[...]`` list for ``chat.completions.create``.

    :param tools: tools, or a mapping of them (``runtime.tools``).
    :param strict: see :data:`StrictMode`; a tool whose schema cannot be strict is sent
        non-strict on its own.
    :param names: offer only these tools (by name) ...
    :param tags: ... and/or those with one of these tags.
    :raises ValueError: a tool name OpenAI would reject.
    """
    out = []
    for t in select_tools(tools, names=names, tags=tags):
        parameters, is_strict = _function(t, strict)
        fn: dict[str, Any] = {"name": t.name, "description": t.description}
        fn["parameters"] = parameters
        fn["strict"] = is_strict
        out.append({"type": "function", "function": fn})
    return out


def responses_tools_param(
    tools: Iterable[Tool] | Mapping[str, Tool],
    *,
    strict: StrictMode = "auto",
    names: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The ``tools=[...]`` list for the Responses API (flat ``{"type": "function", "name", ...}``);
    arguments as for :func:`tools_param`."""
    out = []
    for t in select_tools(tools, names=names, tags=tags):
        parameters, is_strict = _function(t, strict)
        out.append(
            {
                "type": "function",
                "name": t.name,
                "description": t.description,
                "parameters": parameters,
                "strict": is_strict,
            }
        )
    return out
