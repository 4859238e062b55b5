"""The ``[plugins.toolhooks-tools-sqlite]`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SqliteSettings"]


class SqliteSettings(BaseModel):
    """Which database the tools read, and the limits of one query."""

    model_config = ConfigDict(extra="forbid")

    database: str | None = Field(
        default=None,
        min_length=1,
        description="Path of the SQLite file; relative paths are relative to the config file.",
    )
    max_rows: int = Field(default=200, ge=1, le=10_000, description="Rows one query returns.")
    timeout_s: float = Field(
        default=5.0, gt=0, le=600, description="Seconds one statement may run before it is stopped."
    )
    max_cell_chars: int = Field(
        default=1000, ge=10, le=1_000_000, description="Characters of one text value returned."
    )
