"""OpenAI tool-calling format: ``tools=[...]`` schemas, tool messages, and the chat loop.

Importing this module does not import the ``openai`` SDK; the chat loop takes the client you made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from toolhooks._tools import Tool

__all__ = ["tools_param"]


def tools_param(tools: Iterable[Tool], *, strict: bool = False) -> list[dict[str, Any]]:
    """The ``tools=[...]`` list for chat.completions."""
    return [t.to_openai() for t in tools]
