"""Settings of the retry plugin (light: imported by the entry module)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["EffectiveRetrySettings", "RetrySettings", "ToolRetrySettings"]


class RetrySettings(BaseModel):
    """``[plugins.toolhooks-retry]``: the defaults for every tool."""

    model_config = ConfigDict(extra="forbid")

    attempts: int = Field(default=3, ge=1, description="Attempts in all (1: never retry).")
    wait_initial: float = Field(default=0.1, ge=0, description="First backoff, in seconds.")
    wait_max: float = Field(default=5.0, ge=0, description="Longest backoff, in seconds.")
    wait_jitter: float = Field(
        default=1.0, ge=0, description="Up to this many random seconds added to each backoff."
    )
    deadline: float | None = Field(
        default=None,
        gt=0,
        description="Cap on the seconds one call may spend in attempts and waits (the call's own "
        "deadline applies as well; the earlier wins).",
    )
    max_retry_after: float = Field(
        default=60.0,
        gt=0,
        description="A Retry-After longer than this is not waited for: the call gives up.",
    )


class ToolRetrySettings(BaseModel):
    """``[tools."*".retry]`` overlaid by ``[tools.NAME.retry]``; unset keys fall back to
    :class:`RetrySettings`."""

    model_config = ConfigDict(extra="forbid")

    attempts: int | None = Field(default=None, ge=1)
    wait_initial: float | None = Field(default=None, ge=0)
    wait_max: float | None = Field(default=None, ge=0)
    wait_jitter: float | None = Field(default=None, ge=0)
    deadline: float | None = Field(default=None, gt=0)
    max_retry_after: float | None = Field(default=None, gt=0)


class EffectiveRetrySettings(RetrySettings):
    """The settings one tool ends up with."""

    @classmethod
    def merge(cls, plugin: RetrySettings, tool: ToolRetrySettings) -> EffectiveRetrySettings:
        values = plugin.model_dump()
        values.update(tool.model_dump(exclude_none=True))
        return cls.model_validate(values)
