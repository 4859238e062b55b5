"""The data that flows through a call: :class:`ToolCall` in, :class:`ToolResult` out,
:class:`CallContext` in between (what hooks see)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from toolhooks._errors import ErrorInfo

if TYPE_CHECKING:
    from toolhooks._runtime import Runtime
    from toolhooks._tools import Tool

__all__ = ["CacheStatus", "CallContext", "Recovery", "ToolCall", "ToolResult"]

CacheStatus = Literal["miss", "hit", "stale"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call the model asked for.

    :param name: the tool's name.
    :param arguments: the arguments as the model sent them: a JSON string (OpenAI's format), or an
        already-parsed mapping.
    :param id: the call id the answer must carry (``tool_call_id``); empty when there is none.
    :param problem: set when the call is known to be bad before it runs (a ``custom`` tool call,
        a duplicate id): the runtime answers it with this error, through the observers as usual.
    """

    name: str
    arguments: str | Mapping[str, Any] | None = "{}"
    id: str = ""
    problem: ErrorInfo | None = None


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The one answer to one call.

    :ivar content: the text the model receives (the tool message's ``content``): the value itself
        for a string, compact JSON otherwise, and ``{"ok": false, "error": {...}}`` on failure.
    :ivar value: what the tool returned (on a cache hit, its JSON form); ``None`` on failure.
    :ivar error: the structured error, or ``None`` on success.
    :ivar attempts: how many times the tool ran (0 for a cache hit or a call refused before it ran).
    :ivar cache: ``"hit"``, ``"miss"``, ``"stale"`` (served from cache after a failure), or
        ``None`` when the tool is not cached.
    :ivar refused_by: the plugin that refused or failed the call, if one did.
    """

    call_id: str
    tool: str
    content: str
    value: Any = None
    error: ErrorInfo | None = None
    duration_s: float = 0.0
    attempts: int = 0
    cache: CacheStatus | None = None
    rate_limit_wait_s: float = 0.0
    refused_by: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_message(self) -> dict[str, str]:
        """The chat.completions tool message: ``{"role": "tool", "tool_call_id", "content"}``."""
        return {"role": "tool", "tool_call_id": self.call_id, "content": self.content}

    def to_responses_item(self) -> dict[str, str]:
        """The Responses API input item: a ``function_call_output`` with ``call_id``, ``output``."""
        return {"type": "function_call_output", "call_id": self.call_id, "output": self.content}

    def summary(self) -> dict[str, Any]:
        """What happened, as plain data (for logs, tables and ``--json`` output)."""
        return {
            "call_id": self.call_id,
            "tool": self.tool,
            "ok": self.ok,
            "error_type": self.error.type if self.error else None,
            "duration_ms": round(self.duration_s * 1000, 3),
            "attempts": self.attempts,
            "cache": self.cache,
            "rate_limit_wait_ms": round(self.rate_limit_wait_s * 1000, 3),
            "refused_by": self.refused_by,
        }

    @staticmethod
    def error_content(info: ErrorInfo) -> str:
        return json.dumps({"ok": False, "error": info.as_dict()}, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Recovery:
    """What a ``toolhooks_recover`` implementation returns to answer a failed call after all.

    :param value: the value to answer with (as a tool's return value).
    :param stale: ``True`` when the value is an old cached one (the result is marked ``stale``).
    :param source: who supplied it, for logs (for example ``"cache"`` or a fallback tool's name).
    """

    value: Any
    stale: bool = False
    source: str = ""


class CallContext:
    """Everything about one call in flight; hooks receive it as ``ctx``.

    Plugins read it and may set the attributes documented as writable.

    :ivar call: the :class:`ToolCall`.
    :ivar tool: the resolved :class:`~toolhooks.Tool` (``None`` for an unknown tool).
    :ivar arguments: the arguments as a JSON object; a validator may replace them with coerced
        ones (writable; the cache keys on them).
    :ivar bound: what the executor passes the function; set by a validator that already bound the
        arguments, else by the core (writable, see :meth:`toolhooks.Tool.bind`).
    :ivar scope: a partition key given by the caller (a user id, a tenant): caches and rate limits
        may keep their state per scope.
    :ivar attempt: the current attempt number, from 1.
    :ivar started: ``time.perf_counter()`` when the call started.
    :ivar deadline: ``time.monotonic()`` by which the whole call must end, or ``None``.
    :ivar timeout: seconds allowed per attempt, or ``None``.
    :ivar state: free space for plugins, keyed by plugin name.
    :ivar runtime: the runtime running the call.
    """

    __slots__ = (
        "arguments",
        "attempt",
        "bound",
        "cache",
        "call",
        "deadline",
        "rate_limit_wait_s",
        "refused_by",
        "runtime",
        "scope",
        "started",
        "state",
        "timeout",
        "tool",
    )

    def __init__(self, runtime: Runtime, call: ToolCall, scope: str | None) -> None:
        self.runtime = runtime
        self.call = call
        self.scope = scope
        self.tool: Tool | None = None
        self.arguments: dict[str, Any] = {}
        self.bound: Any = None
        self.attempt = 0
        self.started = time.perf_counter()
        self.deadline: float | None = None
        self.timeout: float | None = None
        self.cache: CacheStatus | None = None
        self.rate_limit_wait_s = 0.0
        self.refused_by: str | None = None
        self.state: dict[str, Any] = {}

    def remaining(self) -> float | None:
        """Seconds left before the call's deadline (``None`` when there is none)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def __repr__(self) -> str:
        return f"<CallContext {self.call.name}#{self.call.id} attempt={self.attempt}>"
