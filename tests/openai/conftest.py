"""Fixtures for the OpenAI integration tests: a scripted server and runtimes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import toolhooks
from toolhooks import Config, Runtime
from toolhooks.scripted import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def make_runtime() -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(*tools: Any, plugins: list[object] | None = None, **core: Any) -> Runtime:
        rt = Runtime(Config(dict(core)), tools=tools, plugins=plugins or [], autoload=False)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()


class RetryTransient:
    """A tiny retry policy plugin (three attempts on TransientError, no waiting).

    Stands in for plugins/toolhooks-retry, which has not landed yet.
    """

    @toolhooks.hookimpl
    def toolhooks_retry_policy(self, tool: toolhooks.Tool) -> Any:
        return _Policy()


class _Policy:
    async def run(self, ctx: toolhooks.CallContext, attempt: Callable[[], Any]) -> Any:
        for n in range(1, 4):
            try:
                return await attempt()
            except toolhooks.TransientError as exc:
                if n == 3:
                    raise
                await ctx.runtime.notify_retry(ctx, exc, 0.0)
        raise AssertionError("unreachable")


@pytest.fixture
def retry_plugin() -> type[RetryTransient]:
    return RetryTransient
