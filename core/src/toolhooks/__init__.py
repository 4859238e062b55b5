"""toolhooks: the runtime between an LLM and the functions it calls.

Define tools with :func:`tool`, run the model's calls with :class:`Runtime`, and extend every
stage of a call with plugins (``@hookimpl`` functions for the specs in :mod:`toolhooks.hookspecs`).
Nothing is loaded at import time: plugins load when a :class:`Runtime` is built.
"""

from __future__ import annotations

from typing import Any

from toolhooks._calls import tool_calls_from
from toolhooks._config import Config, CoreSettings, ToolSettings
from toolhooks._errors import (
    ERROR_TYPES,
    ConfigError,
    ErrorInfo,
    FieldError,
    InvalidArguments,
    NotConfigured,
    RateLimited,
    Refused,
    ToolConflictError,
    ToolError,
    ToolhooksError,
    ToolTimeout,
    TransientError,
    Unavailable,
    UnknownTool,
    field_errors_from_pydantic,
    loc_path,
    parse_retry_after,
    truncate,
)
from toolhooks._markers import hookimpl
from toolhooks._model import CacheStatus, CallContext, Recovery, ToolCall, ToolResult
from toolhooks._plugins import ENTRY_POINT_GROUP, PluginInfo
from toolhooks._protocols import CacheHit, RateLimiter, RetryPolicy, ToolCache
from toolhooks._runtime import MAX_DEPTH, Batch, Runtime, error_info, error_type, parse_arguments
from toolhooks._tools import TOOL_NAME_RE, Tool, check_tool_name, tool

__all__ = [
    "ENTRY_POINT_GROUP",
    "ERROR_TYPES",
    "MAX_DEPTH",
    "TOOL_NAME_RE",
    "Batch",
    "CacheHit",
    "CacheStatus",
    "CallContext",
    "Config",
    "ConfigError",
    "CoreSettings",
    "ErrorInfo",
    "FieldError",
    "InvalidArguments",
    "NotConfigured",
    "PluginInfo",
    "RateLimited",
    "RateLimiter",
    "Recovery",
    "Refused",
    "RetryPolicy",
    "Runtime",
    "Tool",
    "ToolCache",
    "ToolCall",
    "ToolConflictError",
    "ToolError",
    "ToolResult",
    "ToolSettings",
    "ToolTimeout",
    "ToolhooksError",
    "TransientError",
    "Unavailable",
    "UnknownTool",
    "__version__",
    "check_tool_name",
    "error_info",
    "error_type",
    "field_errors_from_pydantic",
    "hookimpl",
    "loc_path",
    "parse_arguments",
    "parse_retry_after",
    "tool",
    "tool_calls_from",
    "truncate",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("toolhooks")
    raise AttributeError(f"module 'toolhooks' has no attribute {name!r}")
