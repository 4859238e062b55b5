"""Fixtures for the OpenAI integration tests: a scripted server and runtimes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from toolhooks import Config, Runtime
from toolhooks.scripted import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


@pytest.fixture
def make_runtime() -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(
        *tools: Any,
        plugins: list[object] | None = None,
        config: dict[str, Any] | None = None,
        **core: Any,
    ) -> Runtime:
        data = {**(config or {}), **core}
        rt = Runtime(Config(data), tools=tools, plugins=plugins or [], autoload=False)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()
