"""The ``[plugins.toolhooks-logging]`` settings."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Level", "LoggingSettings"]

Level = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class LoggingSettings(BaseModel):
    """Settings of ``toolhooks-logging`` (``[plugins.toolhooks-logging]``)."""

    model_config = ConfigDict(extra="forbid")

    logger: str = Field(default="toolhooks.calls", description="Logger the records go to.")
    level: Level = Field(
        default="INFO", description="Level of the record of a call that succeeded."
    )
    error_level: Level = Field(
        default="WARNING", description="Level of the record of a failed call."
    )
    retry_level: Level = Field(
        default="INFO", description="Level of the record of a retried attempt."
    )
    log_retries: bool = Field(default=True, description="One record per retried attempt.")
    log_arguments: bool = Field(
        default=False,
        description="Add the call's arguments (redacted, truncated) and the error message "
        "(which may quote an argument) to the records.",
    )
    log_results: bool = Field(
        default=False, description="Add the value a successful call returned (redacted, truncated)."
    )
    redact_keys: list[str] = Field(
        default_factory=list,
        description="More key patterns to redact, besides the built-in secret-looking ones.",
    )
    max_value_length: int = Field(
        default=256, ge=1, description="Strings longer than this are cut."
    )
    max_depth: int = Field(default=8, ge=1, description="Containers nested deeper are elided.")

    @field_validator("level", "error_level", "retry_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value
