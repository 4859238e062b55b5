"""The policy's settings and its pure functions (no runtime needed to test them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ArgumentRule", "PolicySettings", "redact"]


class ArgumentRule(BaseModel):
    """Refuse a call when one of its arguments, as text, matches ``pattern``."""

    model_config = ConfigDict(extra="forbid")

    tool: str = Field(default="*", description='The tool the rule applies to ("*": every tool).')
    argument: str = Field(description="The argument to check (a top-level key).")
    pattern: str = Field(description="A regular expression searched in the argument's text.")
    message: str = Field("The call was refused by policy.", description="What the model is told.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    def matches(self, tool: str, arguments: dict[str, Any]) -> bool:
        if self.tool not in ("*", tool) or self.argument not in arguments:
            return False
        return re.search(self.pattern, str(arguments[self.argument])) is not None


class PolicySettings(BaseModel):
    """``[plugins.toolhooks-example-policy]``."""

    model_config = ConfigDict(extra="forbid")

    deny_tools: list[str] = Field(default_factory=list, description="Tools never allowed to run.")
    deny_tags: list[str] = Field(
        default_factory=list, description="Tools with any of these tags never run."
    )
    rules: list[ArgumentRule] = Field(default_factory=list, description="Argument rules.")
    redact_fields: list[str] = Field(
        default_factory=list,
        description="Keys (any depth, case-insensitive) whose values are replaced in results.",
    )
    redact_with: str = Field(default="[redacted]", description="The replacement text.")


def redact(value: Any, fields: Iterable[str], replacement: str = "[redacted]") -> tuple[Any, int]:
    """*value* (JSON-able) with every key in *fields* replaced, and how many were replaced."""
    wanted = {f.lower() for f in fields}
    count = 0

    def walk(node: Any) -> Any:
        nonlocal count
        if isinstance(node, dict):
            out = {}
            for key, item in node.items():
                if str(key).lower() in wanted:
                    count += 1
                    out[key] = replacement
                else:
                    out[key] = walk(item)
            return out
        if isinstance(node, list | tuple):
            return [walk(item) for item in node]
        return node

    return walk(value), count
