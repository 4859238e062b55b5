from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import toolhooks
from toolhooks import CallContext, Tool


class RetryPolicyForTests:
    """Retries every failure up to *attempts* times, telling observers before each wait."""

    def __init__(self, attempts: int = 3, wait_s: float = 0.0) -> None:
        self.attempts = attempts
        self.wait_s = wait_s

    async def run(self, ctx: CallContext, attempt: Callable[[], Awaitable[Any]]) -> Any:
        for i in range(1, self.attempts + 1):
            try:
                return await attempt()
            except Exception as exc:
                if i == self.attempts:
                    raise
                await ctx.runtime.notify_retry(ctx, exc, self.wait_s)
        raise AssertionError("unreachable")


class RetryPlugin:
    toolhooks_plugin_name = "test-retry"

    @toolhooks.hookimpl
    def toolhooks_retry_policy(self, tool: Tool) -> RetryPolicyForTests:
        return RetryPolicyForTests(wait_s=0.25)


class Gatekeeper:
    """Refuses calls whose ``city`` is ``Atlantis``."""

    toolhooks_plugin_name = "test-gatekeeper"

    @toolhooks.hookimpl
    def toolhooks_validate(self, ctx: CallContext) -> None:
        if ctx.arguments.get("city") == "Atlantis":
            raise toolhooks.Refused("No calls about Atlantis.")


@pytest.fixture
def retry_plugin() -> type[RetryPlugin]:
    return RetryPlugin


@pytest.fixture
def gatekeeper() -> type[Gatekeeper]:
    return Gatekeeper
