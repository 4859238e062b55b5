"""The ``[plugins.toolhooks-tools-math]`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MathSettings"]


class MathSettings(BaseModel):
    """Bounds for ``calculate`` and ``statistics``; the defaults suit a chat model."""

    model_config = ConfigDict(extra="forbid")

    max_expression_length: int = Field(
        default=1000, ge=1, le=100_000, description="Characters in one expression."
    )
    max_depth: int = Field(
        default=40, ge=2, le=150, description="Nesting depth of the expression's syntax tree."
    )
    max_nodes: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Parts of the syntax tree (numbers, operations, calls).",
    )
    max_int_digits: int = Field(
        default=1000,
        ge=10,
        le=4000,
        description="Digits of any integer, intermediate or final (Python prints at most 4300).",
    )
    max_seconds: float = Field(
        default=1.0, gt=0, le=60, description="Wall-clock time of one evaluation."
    )
    max_numbers: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Length of the list given to `statistics`."
    )
