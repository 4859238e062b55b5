"""Schema-first tools: JSON Schema (Draft 2020-12 unless the schema says otherwise) validation
with jsonschema, optional lax coercion, and every failure as an :class:`Issue`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from toolhooks import FieldError, InvalidArguments, ToolError

from toolhooks_validation._messages import (
    Issue,
    _properties,
    _resolve,
    describe,
    invalid_arguments,
)

__all__ = ["SchemaValidator"]

_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SIMPLE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_SIZES = ("minLength", "maxLength", "minItems", "maxItems")


class SchemaValidator:
    """A compiled validator for one tool's parameter schema.

    :param schema: the ``parameters`` JSON Schema (an object schema).
    :param strict: no coercion; when ``False``, strings holding a number or a boolean are
        converted where the schema wants one (``"5"`` -> ``5``), as pydantic's lax mode does.
    :param check_formats: enforce ``format`` (date, date-time, email, ...).
    :raises ValueError: the schema itself is not valid JSON Schema.
    """

    def __init__(
        self,
        schema: Mapping[str, Any],
        *,
        strict: bool = False,
        check_formats: bool = True,
        max_got_chars: int = 80,
        max_listed_values: int = 20,
    ) -> None:
        import jsonschema  # type: ignore[import-untyped]
        from jsonschema.validators import validator_for  # type: ignore[import-untyped]

        self.schema = dict(schema)
        cls = validator_for(self.schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(self.schema)
        except jsonschema.SchemaError as exc:
            raise ValueError(f"invalid JSON Schema: {exc.message}") from None
        checker = cls.FORMAT_CHECKER if check_formats else None
        self._validator = cls(self.schema, format_checker=checker)
        self.strict = strict
        self.max_got_chars = max_got_chars
        self.max_listed_values = max_listed_values

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Return the (coerced) arguments, or raise :class:`~toolhooks.InvalidArguments`
        listing every bad field."""
        value = arguments if self.strict else _coerce(arguments, self.schema, self.schema)
        fields = self.field_errors(value)
        if fields:
            raise invalid_arguments(fields)
        if not isinstance(value, dict):  # pragma: no cover - the schema's root is an object
            raise InvalidArguments("The arguments must be a JSON object.")
        return value

    def field_errors(self, value: Any) -> tuple[FieldError, ...]:
        """Every problem of *value* (already coerced), as field errors; empty when valid."""
        out: dict[tuple[str, str], FieldError] = {}
        try:
            errors = list(self._validator.iter_errors(value))
        except Exception as exc:  # a $ref that cannot be resolved, say
            raise ToolError(
                "The tool's parameter schema cannot be checked; the call was not run.",
                type="internal_error",
                suggestion="This is not caused by your arguments; try again later.",
            ) from exc
        errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
        for err in errors:
            for issue in self._issues(err):
                fe = describe(
                    issue,
                    self.schema,
                    max_got=self.max_got_chars,
                    max_listed=self.max_listed_values,
                )
                out.setdefault((fe.loc, issue.kind), fe)
        return tuple(out.values())

    def _issues(self, err: Any) -> Iterator[Issue]:
        loc = tuple(err.absolute_path)
        kind = err.validator
        instance = err.instance
        schema = err.schema if isinstance(err.schema, Mapping) else None
        root = self.schema
        if kind == "required":
            props = _properties(schema or {}, root)
            for name in err.validator_value:
                if isinstance(instance, Mapping) and name not in instance:
                    sub = props.get(name)
                    yield Issue((*loc, name), "missing", schema=_resolve(sub, root))
            return
        if kind in ("additionalProperties", "unevaluatedProperties"):
            props = _properties(schema or {}, root)
            patterns = [re.compile(p) for p in (schema or {}).get("patternProperties") or {}]
            for key in instance if isinstance(instance, Mapping) else ():
                if key in props or any(p.search(key) for p in patterns):
                    continue
                yield Issue((*loc, key), "unknown", instance[key], known=list(props))
            return
        if kind == "type":
            yield Issue(loc, "type", instance, schema)
            return
        if kind in ("enum", "const"):
            yield Issue(loc, kind, instance, schema, limit=err.validator_value)
            return
        if kind in _SIMPLE or kind in _SIZES or kind in ("pattern", "format"):
            yield Issue(loc, kind, instance, schema, limit=err.validator_value)
            return
        if kind in ("anyOf", "oneOf") and err.context:
            same_place = [c for c in err.context if tuple(c.absolute_path) == loc]
            if same_place and all(c.validator == "type" for c in same_place):
                yield Issue(loc, "type", instance, schema)
                return
            from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

            yield from self._issues(best_match(err.context))
            return
        text = {
            "uniqueItems": "the items must be unique: remove the duplicates",
            "minProperties": f"needs at least {err.validator_value} fields",
            "maxProperties": f"takes at most {err.validator_value} fields",
            "not": "this value is not allowed here",
            "oneOf": "matches more than one allowed form: make it match exactly one",
        }.get(kind, f"does not satisfy the schema rule {kind!r}")
        yield Issue(loc, "other", instance, schema, text=text)


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    return {str(k) for k in kind} if isinstance(kind, list) else set()


def _coerce(value: Any, schema: Any, root: Mapping[str, Any]) -> Any:
    """Lax mode: convert strings to the number or boolean the schema wants, integral floats to
    integers; never mutates *value*. Anything it cannot convert is left for the validator."""
    schema = _resolve(schema, root)
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, dict):
        props = _properties(schema, root)
        extra = schema.get("additionalProperties")
        return {
            k: _coerce(v, props.get(k, extra), root) if k in props or extra else v
            for k, v in value.items()
        }
    if isinstance(value, list):
        prefix = schema.get("prefixItems") or []
        items = schema.get("items")
        return [
            _coerce(v, prefix[i] if i < len(prefix) else items, root)
            if i < len(prefix) or items
            else v
            for i, v in enumerate(value)
        ]
    wanted = _types(schema)
    if not wanted or "string" in wanted:
        return value
    if isinstance(value, str):
        text = value.strip()
        if "integer" in wanted and _INT_RE.fullmatch(text):
            return int(text)
        if "number" in wanted and _FLOAT_RE.fullmatch(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if "boolean" in wanted and text.lower() in ("true", "false"):
            return text.lower() == "true"
        return value
    if isinstance(value, float) and "integer" in wanted and "number" not in wanted:
        return int(value) if value.is_integer() else value
    return value
