"""Settings of the validation plugin (light: imported by the entry module)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ToolValidationSettings", "ValidationSettings"]


class ValidationSettings(BaseModel):
    """``[plugins.toolhooks-validation]``: plugin-wide defaults."""

    model_config = ConfigDict(extra="forbid")

    strict: bool = Field(
        default=False,
        description='No coercion: "5" is not accepted for an integer, "true" not for a boolean.',
    )
    check_formats: bool = Field(
        default=True,
        description="Schema-first tools: enforce `format` (date, date-time, email, ...).",
    )
    max_got_chars: int = Field(
        default=80, ge=8, description="How much of a bad value is echoed back to the model."
    )
    max_listed_values: int = Field(
        default=20, ge=1, description="How many allowed values or known keys a suggestion lists."
    )


class ToolValidationSettings(BaseModel):
    """``[tools."*".validation]`` overlaid by ``[tools.NAME.validation]``.

    Unset keys fall back to the plugin-wide :class:`ValidationSettings`.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True, description="False: this plugin leaves the tool alone (the core still binds)."
    )
    strict: bool | None = Field(default=None, description="Overrides the plugin-wide `strict`.")
    check_formats: bool | None = Field(
        default=None, description="Overrides the plugin-wide `check_formats`."
    )
