"""The entry module of toolhooks-validation: the plugin class (one instance per runtime).

Nothing heavy is imported here: jsonschema loads on the first schema-first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks import CallContext, Config, Tool

from toolhooks_validation._settings import ToolValidationSettings, ValidationSettings

if TYPE_CHECKING:
    from toolhooks_validation._schema import SchemaValidator

__all__ = ["PLUGIN_NAME", "ValidationPlugin"]

PLUGIN_NAME = "toolhooks-validation"


class _Resolved:
    __slots__ = ("check_formats", "enabled", "strict")

    def __init__(self, enabled: bool, strict: bool, check_formats: bool) -> None:
        self.enabled = enabled
        self.strict = strict
        self.check_formats = check_formats


class ValidationPlugin:
    """Validates and coerces every call's arguments before the tool runs.

    ``@tool`` functions are checked with their pydantic model, schema-first tools with JSON
    Schema (jsonschema, compiled once per tool). A refused call raises
    :class:`~toolhooks.InvalidArguments` listing every bad field with a suggestion.
    """

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.settings = ValidationSettings()
        self._config: Config | None = None
        self._per_tool: dict[str, _Resolved] = {}
        self._validators: dict[tuple[str, str, bool, bool], SchemaValidator] = {}
        self.refused = 0
        self.validated = 0

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        self.settings = config.plugin_settings(PLUGIN_NAME, ValidationSettings)
        self._config = config
        self._per_tool.clear()
        self._validators.clear()
        for name in config.core.tools:  # bad [tools.*.validation] keys stop start-up
            config.tool_settings(name, ToolValidationSettings, section="validation")

    def tool_settings(self, tool: Tool) -> _Resolved:
        """The effective settings for *tool* (per-tool keys over plugin-wide ones)."""
        resolved = self._per_tool.get(tool.name)
        if resolved is None:
            own = (
                self._config.tool_settings(tool.name, ToolValidationSettings, section="validation")
                if self._config is not None
                else ToolValidationSettings()
            )
            resolved = _Resolved(
                own.enabled,
                self.settings.strict if own.strict is None else own.strict,
                self.settings.check_formats if own.check_formats is None else own.check_formats,
            )
            self._per_tool[tool.name] = resolved
        return resolved

    def validator(self, tool: Tool) -> SchemaValidator:
        """The compiled JSON Schema validator of a schema-first *tool* (cached per schema)."""
        settings = self.tool_settings(tool)
        key = (tool.name, tool.schema_hash, settings.strict, settings.check_formats)
        validator = self._validators.get(key)
        if validator is None:
            from toolhooks_validation._schema import SchemaValidator

            validator = SchemaValidator(
                tool.parameters,
                strict=settings.strict,
                check_formats=settings.check_formats,
                max_got_chars=self.settings.max_got_chars,
                max_listed_values=self.settings.max_listed_values,
            )
            self._validators[key] = validator
        return validator

    @toolhooks.hookimpl
    def toolhooks_validate(self, ctx: CallContext) -> None:
        tool = ctx.tool
        if tool is None:
            return
        settings = self.tool_settings(tool)
        if not settings.enabled:
            return
        try:
            if tool.schema_first:
                self._validate_schema_first(ctx, tool)
            else:
                self._validate_model(ctx, tool, settings.strict)
        except toolhooks.InvalidArguments:
            self.refused += 1
            raise
        self.validated += 1

    def _validate_schema_first(self, ctx: CallContext, tool: Tool) -> None:
        try:
            validator = self.validator(tool)
        except ValueError as exc:
            raise toolhooks.ToolError(
                "The tool's parameter schema is invalid, so the call was not run.",
                type="internal_error",
                suggestion="This is not caused by your arguments; use another tool or stop.",
            ) from exc
        arguments = validator.validate(ctx.arguments)
        ctx.arguments = arguments
        ctx.bound = tool.bind(arguments)

    def _validate_model(self, ctx: CallContext, tool: Tool, strict: bool) -> None:
        try:  # one validation: the core's binder, explained here when it refuses
            ctx.bound = tool.bind(ctx.arguments, strict=strict)
        except toolhooks.InvalidArguments as exc:
            if exc.validation_error is None:
                raise
            from toolhooks_validation._messages import (
                field_errors_from_pydantic_with_hints,
                invalid_arguments,
            )

            fields = field_errors_from_pydantic_with_hints(
                exc.validation_error.errors(include_url=False),
                tool.parameters,
                max_got=self.settings.max_got_chars,
                max_listed=self.settings.max_listed_values,
            )
            raise invalid_arguments(fields) from None
        try:
            ctx.arguments = tool.canonical_arguments(ctx.bound)
        except Exception:  # a default that has no JSON form: keep what came in
            return

    @toolhooks.hookimpl
    def toolhooks_summary(self) -> Any:
        return {"validated": self.validated, "refused": self.refused}
