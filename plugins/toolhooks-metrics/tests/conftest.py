from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import toolhooks
from toolhooks import CacheHit, CallContext, ErrorInfo, Recovery, Tool


class RetryPolicyForTests:
    def __init__(self, attempts: int = 3) -> None:
        self.attempts = attempts

    async def run(self, ctx: CallContext, attempt: Callable[[], Awaitable[Any]]) -> Any:
        for i in range(1, self.attempts + 1):
            try:
                return await attempt()
            except Exception as exc:
                if i == self.attempts:
                    raise
                await ctx.runtime.notify_retry(ctx, exc, 0.0)
        raise AssertionError("unreachable")


class DictCache:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    @staticmethod
    def _key(ctx: CallContext) -> str:
        return repr(sorted(ctx.arguments.items()))

    async def lookup(self, ctx: CallContext) -> CacheHit | None:
        key = self._key(ctx)
        return CacheHit(self.data[key]) if key in self.data else None

    async def store(self, ctx: CallContext, value: Any) -> None:
        self.data[self._key(ctx)] = value

    async def abandon(self, ctx: CallContext) -> None:
        pass


class PretendLimiter:
    """Says it waited half a second (without waiting); refuses ``{"deny": true}``."""

    async def acquire(self, ctx: CallContext) -> None:
        if ctx.arguments.get("deny"):
            raise toolhooks.RateLimited("Too many calls.", retry_after_s=1.0)
        ctx.rate_limit_wait_s += 0.5


class Infrastructure:
    """Retries for ``flaky*``, a cache for ``cached``, a limiter for ``limited``, a stale
    recovery for ``stale``, and a validator refusing ``{"forbidden": true}``."""

    toolhooks_plugin_name = "test-infra"

    def __init__(self) -> None:
        self.cache = DictCache()

    @toolhooks.hookimpl
    def toolhooks_retry_policy(self, tool: Tool) -> RetryPolicyForTests | None:
        return RetryPolicyForTests() if tool.name.startswith("flaky") else None

    @toolhooks.hookimpl
    def toolhooks_cache(self, tool: Tool) -> DictCache | None:
        return self.cache if tool.name == "cached" else None

    @toolhooks.hookimpl
    def toolhooks_rate_limiter(self, tool: Tool) -> PretendLimiter | None:
        return PretendLimiter() if tool.name == "limited" else None

    @toolhooks.hookimpl
    def toolhooks_recover(self, ctx: CallContext, error: ErrorInfo) -> Recovery | None:
        if ctx.call.name == "stale":
            return Recovery("old value", stale=True, source="cache")
        return None

    @toolhooks.hookimpl
    def toolhooks_validate(self, ctx: CallContext) -> None:
        if ctx.arguments.get("forbidden"):
            raise toolhooks.Refused("Not allowed.")


@pytest.fixture
def infra() -> type[Infrastructure]:
    return Infrastructure
