"""The per-tool objects plugins supply: a retry policy, a cache, a rate limiter.

Each is resolved once per tool (through ``toolhooks_retry_policy``, ``toolhooks_cache`` and
``toolhooks_rate_limiter``) and kept, so the per-call path calls their methods directly. They are
small ``Protocol`` s so a plugin can be written and tested without a runtime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from toolhooks._model import CallContext

__all__ = ["CacheHit", "RateLimiter", "RetryPolicy", "ToolCache"]


@runtime_checkable
class RetryPolicy(Protocol):
    """Decides which failures of a tool are retried, and when."""

    async def run(self, ctx: CallContext, attempt: Callable[[], Awaitable[Any]]) -> Any:
        """Call ``attempt()`` until it succeeds or the policy gives up; return its value.

        ``attempt()`` runs the tool once, with the per-attempt timeout, and raises what the tool
        raised (a :class:`~toolhooks.ToolTimeout` on timeout). The policy must not wait past
        ``ctx.deadline``; before each wait it calls ``await ctx.runtime.notify_retry(ctx, error,
        wait_s)`` so observers can log the retry. When it gives up it raises the last error (or a
        :class:`~toolhooks.ToolError` that describes the failure better).
        """
        ...


@dataclass(frozen=True, slots=True)
class CacheHit:
    """A cached answer: ``value`` is the JSON form of what the tool returned."""

    value: Any


@runtime_checkable
class ToolCache(Protocol):
    """A result cache for one tool.

    For each call the core calls :meth:`lookup` once; after a miss it calls exactly one of
    :meth:`store` (the tool succeeded) or :meth:`abandon` (it failed or was cancelled), so a cache
    can make identical concurrent calls wait for the first one (single flight).
    """

    async def lookup(self, ctx: CallContext) -> CacheHit | None:
        """Return the cached answer for ``ctx`` (tool, validated arguments, scope), or ``None``."""
        ...

    async def store(self, ctx: CallContext, value: Any) -> None:
        """Keep ``value`` (already JSON-able) as the answer for ``ctx``."""
        ...

    async def abandon(self, ctx: CallContext) -> None:
        """The call that missed failed: release whoever waits on it. Errors are never cached."""
        ...


@runtime_checkable
class RateLimiter(Protocol):
    """Admits calls of one tool at a bounded rate."""

    async def acquire(self, ctx: CallContext) -> None:
        """Return when the call may run, waiting no later than ``ctx.deadline``; or raise
        :class:`~toolhooks.RateLimited` with ``retry_after_s``. Add the time waited to
        ``ctx.rate_limit_wait_s``."""
        ...
