"""The ``[plugins.toolhooks-tools-time]`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TimeSettings"]


class TimeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_timezone: str = Field(
        default="UTC",
        min_length=1,
        description="IANA zone used when a tool's timezone is omitted (e.g. Europe/Paris).",
    )
