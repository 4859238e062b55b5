"""From validation failures to :class:`~toolhooks.FieldError` s a model can act on.

Both validators (pydantic for ``@tool`` functions, jsonschema for schema-first tools) end up here
as :class:`Issue` s. Each issue is described with the help of the tool's JSON Schema: the allowed
values of an enum, the known keys of an object, the expected type, the bounds. That is what lets
the message carry a concrete suggestion ("did you mean 'units'?") and never a library's own text,
URL or internal type name.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolhooks import FieldError, InvalidArguments, field_errors_from_pydantic, loc_path, truncate

__all__ = [
    "MISSING",
    "Issue",
    "describe",
    "field_errors_from_pydantic_with_hints",
    "invalid_arguments",
    "subschema",
]

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()

_JSON_TYPES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean (true or false)",
    "array": "an array",
    "object": "an object",
    "null": "null",
}
_FORMAT_EXAMPLES = {
    "date": "2024-01-31",
    "date-time": "2024-01-31T13:45:00Z",
    "time": "13:45:00Z",
    "email": "name@example.com",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/path",
    "hostname": "example.com",
    "duration": "P3DT4H",
}
# pydantic union member tags in ``loc`` -> the JSON type of that member
_TAG_TYPES = {
    "int": "integer",
    "float": "number",
    "str": "string",
    "bool": "boolean",
    "list": "array",
    "tuple": "array",
    "set": "array",
    "dict": "object",
    "none": "null",
}
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(slots=True)
class Issue:
    """One problem, independent of the validator that found it.

    :param loc: path to the bad value (for ``missing``/``unknown``: to the key itself).
    :param kind: ``missing``, ``unknown``, ``type``, ``enum``, ``const``, ``minimum``,
        ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``minLength``, ``maxLength``,
        ``minItems``, ``maxItems``, ``pattern``, ``format``, ``multipleOf`` or ``other``.
    :param got: the value that came in (``MISSING`` when nothing did).
    :param schema: the JSON Schema of the value at ``loc`` (``None`` if unknown).
    :param limit: the bound, pattern, format or allowed values, by kind.
    :param known: for ``unknown``: the keys the object accepts.
    :param text: for ``other``: a description already safe to show.
    """

    loc: tuple[str | int, ...]
    kind: str
    got: Any = MISSING
    schema: Mapping[str, Any] | None = None
    limit: Any = None
    known: Sequence[str] = field(default_factory=tuple)
    text: str | None = None


# -- the schema ----------------------------------------------------------------------------


def _resolve(node: Any, root: Mapping[str, Any]) -> Any:
    """Follow a local ``$ref`` (and a one-element ``allOf``) to the schema it names."""
    for _ in range(32):
        if not isinstance(node, Mapping):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for raw in ref[2:].split("/"):
                part = raw.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, Mapping) else None
            node = target
            continue
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and "type" not in node:
            node = all_of[0]
            continue
        return node
    return node


def _branches(node: Mapping[str, Any], root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = []
    for key in ("anyOf", "oneOf"):
        for branch in node.get(key) or ():
            b = _resolve(branch, root)
            if isinstance(b, Mapping):
                out.append(b)
    return out


def _properties(node: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    props = dict(node.get("properties") or {})
    for branch in _branches(node, root):
        for key, value in (branch.get("properties") or {}).items():
            props.setdefault(key, value)
    return props


def subschema(
    root: Mapping[str, Any], parts: Iterable[str | int]
) -> tuple[Mapping[str, Any] | None, tuple[str | int, ...]]:
    """The schema at *parts* inside *root*, and *parts* without pydantic's union member tags.

    Returns ``(None, parts)`` once the path leaves what the schema describes (an unknown key).
    """
    node: Any = _resolve(root, root)
    kept: list[str | int] = []
    for part in parts:
        if not isinstance(node, Mapping):
            kept.append(part)
            continue
        if isinstance(part, int):
            prefix = node.get("prefixItems")
            if isinstance(prefix, list) and part < len(prefix):
                node = _resolve(prefix[part], root)
            elif isinstance(node.get("items"), Mapping):
                node = _resolve(node["items"], root)
            else:
                branch = next(
                    (b for b in _branches(node, root) if isinstance(b.get("items"), Mapping)), None
                )
                node = _resolve(branch["items"], root) if branch else None
            kept.append(part)
            continue
        if part.startswith("function-") or "[" in part:
            continue  # pydantic validator names and parametrised union tags
        props = _properties(node, root)
        if part in props:
            node = _resolve(props[part], root)
            kept.append(part)
            continue
        if _branches(node, root) and (part.lower() in _TAG_TYPES or part[:1].isupper()):
            continue  # a union member tag ("int", a model's class name): stay on the union
        extra = node.get("additionalProperties")
        kept.append(part)
        node = _resolve(extra, root) if isinstance(extra, Mapping) else None
    return (node if isinstance(node, Mapping) else None), tuple(kept)


def type_text(schema: Mapping[str, Any] | None, root: Mapping[str, Any], depth: int = 0) -> str:
    """What *schema* accepts, in a few words ("an integer", "an array of strings", ...)."""
    if schema is None or depth > 4:
        return "a value"
    schema = _resolve(schema, root)
    if not isinstance(schema, Mapping):
        return "a value"
    if "const" in schema:
        return f"exactly {json.dumps(schema['const'])}"
    if isinstance(schema.get("enum"), list):
        return "one of " + _values(schema["enum"], 20)
    branches = _branches(schema, root)
    if branches:
        texts = list(dict.fromkeys(type_text(b, root, depth + 1) for b in branches))
        return " or ".join(texts)
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(_JSON_TYPES.get(str(k), str(k)) for k in kind)
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        inner = type_text(schema["items"], root, depth + 1)
        return "an array of " + _plural(inner)
    if isinstance(kind, str):
        return _JSON_TYPES.get(kind, kind)
    return "a value"


def _plural(text: str) -> str:
    for article in ("an ", "a "):
        if text.startswith(article):
            word, _, rest = text[len(article) :].partition(" ")
            return f"{word}s" + (f" {rest}" if rest else "")
    return text


def _values(values: Sequence[Any], limit: int) -> str:
    shown = [json.dumps(v, ensure_ascii=False) for v in values[:limit]]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return "a value"


def _closest(word: str, candidates: Sequence[str]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    squashed = {re.sub(r"[\W_]+", "", c.lower()): c for c in candidates}
    key = re.sub(r"[\W_]+", "", word.lower())
    if key and key in squashed:
        return squashed[key]
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def _schema_types(schema: Mapping[str, Any] | None, root: Mapping[str, Any]) -> set[str]:
    if schema is None:
        return set()
    schema = _resolve(schema, root)
    if not isinstance(schema, Mapping):
        return set()
    kind = schema.get("type")
    out = {kind} if isinstance(kind, str) else {str(k) for k in kind or ()}
    for branch in _branches(schema, root):
        out |= _schema_types(branch, root)
    return out


# -- issue -> FieldError -------------------------------------------------------------------


def render(value: Any, limit: int = 80) -> str:
    """*value* as short JSON text (what the model sent, as it would write it)."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except ValueError:  # a circular structure
        text = repr(value)
    return truncate(text, limit)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(
    issue: Issue, root: Mapping[str, Any], *, max_got: int = 80, max_listed: int = 20
) -> FieldError:
    """One :class:`Issue` as a :class:`FieldError` with a concrete suggestion in its message."""
    loc = loc_path(issue.loc)
    got = None if issue.got is MISSING else render(issue.got, max_got)
    schema = issue.schema
    kind = issue.kind
    if kind == "missing":
        expected = type_text(schema, root)
        return FieldError(loc, f"required field is missing: add it ({expected})", expected)
    if kind == "unknown":
        name = str(issue.loc[-1]) if issue.loc else ""
        known = list(issue.known)
        close = _closest(name, known) if known else None
        listed = _values(known, max_listed) if known else "none"
        if close is not None:
            message = f"unknown field: did you mean {close!r}? Remove or rename it"
        elif known:
            message = f"unknown field: remove it (the accepted fields are {listed})"
        else:
            message = "unknown field: this object takes no fields, remove it"
        return FieldError(loc, message, f"one of the fields {listed}", got)
    if kind in ("enum", "const"):
        allowed = list(issue.limit) if kind == "enum" else [issue.limit]
        expected = "one of " + _values(allowed, max_listed)
        strings = [a for a in allowed if isinstance(a, str)]
        close = _closest(issue.got, strings) if isinstance(issue.got, str) and strings else None
        hint = f"did you mean {close!r}? " if close is not None else ""
        message = f"not an allowed value: {hint}use exactly one of {_values(allowed, max_listed)}"
        return FieldError(loc, message, expected, got)
    if kind == "type":
        expected = type_text(schema, root) if schema is not None else str(issue.limit or "")
        message = f"expected {expected}, got {_json_kind(issue.got)}"
        wanted = _schema_types(schema, root) if schema is not None else set()
        value = issue.got
        if isinstance(value, str):
            text = value.strip()
            if wanted & {"integer", "number"} and _NUMBER_RE.fullmatch(text):
                message += ": send the number without quotes"
            elif "boolean" in wanted and text.lower() in ("true", "false"):
                message += f": send {text.lower()} without quotes"
            elif wanted & {"array", "object"} and text[:1] in "[{":
                message += ": send the JSON value itself, not a string holding it"
        elif "array" in wanted and not isinstance(value, list | tuple) and value is not None:
            message += ": wrap the value in an array"
        elif "string" in wanted and isinstance(value, int | float) and not isinstance(value, bool):
            message += ": send it as a string in quotes"
        return FieldError(loc, message, expected or None, got)
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf"):
        op = {
            "minimum": ">=",
            "exclusiveMinimum": ">",
            "maximum": "<=",
            "exclusiveMaximum": "<",
            "multipleOf": "a multiple of",
        }[kind]
        expected = f"a number {op} {_num(issue.limit)}"
        return FieldError(loc, f"out of range: send {expected}", expected, got)
    if kind in ("minLength", "maxLength", "minItems", "maxItems"):
        unit = "characters" if kind.endswith("Length") else "items"
        bound = "at least" if kind.startswith("min") else "at most"
        expected = f"{bound} {issue.limit} {unit}"
        size = len(issue.got) if isinstance(issue.got, str | list | tuple) else None
        has = f" (it has {size})" if size is not None else ""
        return FieldError(loc, f"wrong length{has}: send {expected}", expected, got)
    if kind == "pattern":
        expected = f"a string matching the pattern {truncate(issue.limit, 120)}"
        message = f"does not match the required pattern: send {expected}"
        return FieldError(loc, message, expected, got)
    if kind == "format":
        fmt = str(issue.limit)
        example = _FORMAT_EXAMPLES.get(fmt)
        expected = f"a {fmt} string" + (f" such as {example!r}" if example else "")
        return FieldError(loc, f"not a valid {fmt}: send {expected}", expected, got)
    return FieldError(loc, issue.text or "invalid value", issue.limit, got)


def invalid_arguments(fields: Sequence[FieldError]) -> InvalidArguments:
    """The :class:`~toolhooks.InvalidArguments` listing every bad field, in its message too."""
    parts = []
    for f in fields:
        text = f"{f.loc or '(arguments)'}: {f.message}"
        if f.got is not None and f.got not in f.message:
            text += f" (got: {f.got})"
        parts.append(text)
    n = len(fields)
    message = f"{n} invalid argument{'s' if n != 1 else ''}. " + "; ".join(parts) + "."
    return InvalidArguments(
        message,
        fields=fields,
        suggestion="Fix every listed field as described and call the tool again with the "
        "corrected arguments; keep the other arguments as they were.",
    )


# -- pydantic ------------------------------------------------------------------------------

_PYDANTIC_BOUNDS = {
    "greater_than": ("exclusiveMinimum", "gt"),
    "greater_than_equal": ("minimum", "ge"),
    "less_than": ("exclusiveMaximum", "lt"),
    "less_than_equal": ("maximum", "le"),
    "multiple_of": ("multipleOf", "multiple_of"),
}
_PYDANTIC_LENGTHS = {
    "string_too_short": ("minLength", "min_length"),
    "string_too_long": ("maxLength", "max_length"),
    "too_short": ("minItems", "min_length"),
    "too_long": ("maxItems", "max_length"),
}


def _pydantic_issue(err: Mapping[str, Any], root: Mapping[str, Any]) -> Issue | None:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    given = err.get("input", MISSING)
    schema, loc = subschema(root, err.get("loc", ()))
    if kind == "missing":
        return Issue(loc, "missing", schema=schema)
    if kind == "extra_forbidden":
        parent, _ = subschema(root, loc[:-1])
        known = list(_properties(parent, root)) if parent is not None else []
        return Issue(loc, "unknown", given, known=known)
    if kind in ("literal_error", "enum"):
        allowed = (schema or {}).get("enum") if schema is not None else None
        if isinstance(allowed, list):
            return Issue(loc, "enum", given, schema, limit=allowed)
        return None
    if kind in _PYDANTIC_BOUNDS:
        name, key = _PYDANTIC_BOUNDS[kind]
        return Issue(loc, name, given, schema, limit=ctx.get(key))
    if kind in _PYDANTIC_LENGTHS:
        name, key = _PYDANTIC_LENGTHS[kind]
        return Issue(loc, name, given, schema, limit=ctx.get(key))
    if kind == "string_pattern_mismatch":
        return Issue(loc, "pattern", given, schema, limit=ctx.get("pattern"))
    if (kind.endswith("_type") or kind.endswith("_parsing") or kind == "int_from_float") and (
        schema is not None
    ):
        return Issue(loc, "type", given, schema)
    return None


def field_errors_from_pydantic_with_hints(
    errors: Sequence[Mapping[str, Any]],
    root: Mapping[str, Any],
    *,
    max_got: int = 80,
    max_listed: int = 20,
) -> tuple[FieldError, ...]:
    """``ValidationError.errors()`` as :class:`FieldError` s with suggestions.

    Kinds this plugin knows how to explain (missing, unknown keys, types, enums, bounds, lengths,
    patterns) are described from the tool's schema *root*; the rest fall back to
    :func:`toolhooks.field_errors_from_pydantic`. A union's one-error-per-member is reported once
    per location.
    """
    out: dict[str, FieldError] = {}
    for err in errors:
        issue = _pydantic_issue(err, root)
        if issue is not None:
            fe = describe(issue, root, max_got=max_got, max_listed=max_listed)
        else:
            (fe,) = field_errors_from_pydantic([err])
            _, loc = subschema(root, err.get("loc", ()))
            fe = FieldError(loc_path(loc), fe.message, fe.expected, fe.got)
        key = fe.loc
        if key in out:
            continue  # another member of the same union: the first, schema-based text covers it
        out[key] = fe
    return tuple(out.values())
