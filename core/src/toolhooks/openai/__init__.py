"""OpenAI tool calling: ``tools=[...]`` schemas (strict where possible), tool messages from tool
calls, and the model <-> tools loop for chat.completions and the Responses API.

Importing this package does not import the ``openai`` SDK: the loop uses the client you pass.
See ``docs/openai.md``.
"""

from __future__ import annotations

from toolhooks.openai._loop import (
    Event,
    EventKind,
    RunResult,
    StopReason,
    achat,
    aresponses,
    atool_messages,
    atool_results,
    chat,
    prepare_call,
    responses,
    tool_messages,
    tool_results,
)
from toolhooks.openai._schema import (
    StrictMode,
    StrictSchema,
    normalize_arguments,
    responses_tools_param,
    select_tools,
    strict_schema,
    tools_param,
)

__all__ = [
    "Event",
    "EventKind",
    "RunResult",
    "StopReason",
    "StrictMode",
    "StrictSchema",
    "achat",
    "aresponses",
    "atool_messages",
    "atool_results",
    "chat",
    "normalize_arguments",
    "prepare_call",
    "responses",
    "responses_tools_param",
    "select_tools",
    "strict_schema",
    "tool_messages",
    "tool_results",
    "tools_param",
]
