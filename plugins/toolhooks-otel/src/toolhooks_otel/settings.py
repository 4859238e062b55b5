"""The ``[plugins.toolhooks-otel]`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["OtelSettings"]


class OtelSettings(BaseModel):
    """Settings of ``toolhooks-otel`` (``[plugins.toolhooks-otel]``)."""

    model_config = ConfigDict(extra="forbid")

    traces: bool = Field(default=True, description="One execute_tool span per call.")
    metrics: bool = Field(default=True, description="The gen_ai.execute_tool.duration histogram.")
    capture_content: bool = Field(
        default=False,
        description="Opt-in: gen_ai.tool.call.arguments and gen_ai.tool.call.result (redacted) "
        "and the error message as the span status description.",
    )
    redact_keys: list[str] = Field(
        default_factory=list, description="More key patterns to redact in captured content."
    )
    max_value_length: int = Field(
        default=1024, ge=1, description="Captured strings longer than this are cut."
    )
    record_retries: bool = Field(
        default=True, description="A span event per retried attempt (toolhooks.retry)."
    )
