"""One depth limit for the whole pipeline: arguments nested past ``toolhooks.MAX_DEPTH`` are
refused with ``invalid_arguments`` before any plugin or tool sees them, however they arrive."""

from __future__ import annotations

import json
from typing import Any

import pytest
import toolhooks
from toolhooks import Runtime, ToolCall

runs: list[Any] = []


@toolhooks.tool
def echo(x: Any = None) -> str:
    """Records what it got."""
    runs.append(x)
    return "ok"


def nested(levels: int) -> dict[str, Any]:
    """{"a": {"a": ... {}}} with *levels* objects in all (built without recursion)."""
    root: dict[str, Any] = {}
    node = root
    for _ in range(levels - 1):
        node["a"] = {}
        node = node["a"]
    return root


def as_text(levels: int) -> str:
    return '{"a": ' * (levels - 1) + "{}" + "}" * (levels - 1)


@pytest.fixture
def runtime() -> Runtime:
    runs.clear()
    return Runtime(tools=[echo], autoload=False)


@pytest.mark.parametrize("levels", [toolhooks.MAX_DEPTH, 10_000])
@pytest.mark.parametrize("form", ["dict", "text", "array-text"])
async def test_too_deep_is_invalid_arguments(runtime: Runtime, levels: int, form: str) -> None:
    inner = levels - 1  # the arguments object itself is one level
    if form == "dict":
        arguments: Any = {"x": nested(inner)}
    elif form == "text":
        arguments = '{"x": ' + as_text(inner) + "}"
    else:
        arguments = '{"x": ' + "[" * inner + "]" * inner + "}"
    async with runtime:
        result = await runtime.execute(ToolCall("echo", arguments, "c1"))
    if levels <= toolhooks.MAX_DEPTH:
        assert result.ok, result.content
        assert len(runs) == 1
        return
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert "nested too deep" in result.error.message
    assert str(toolhooks.MAX_DEPTH) in result.error.message
    assert runs == []  # the tool never ran


async def test_one_level_past_the_limit_is_refused(runtime: Runtime) -> None:
    async with runtime:
        ok = await runtime.execute(ToolCall("echo", {"x": nested(toolhooks.MAX_DEPTH - 1)}, "a"))
        deep = await runtime.execute(ToolCall("echo", {"x": nested(toolhooks.MAX_DEPTH)}, "b"))
        text = await runtime.execute(
            ToolCall("echo", '{"x": ' + as_text(toolhooks.MAX_DEPTH) + "}", "c")
        )
    assert ok.ok
    assert deep.error is not None and deep.error.type == "invalid_arguments"
    assert text.error is not None and text.error.type == "invalid_arguments"


async def test_brackets_inside_strings_and_wide_arguments_are_not_depth(runtime: Runtime) -> None:
    wide = {"x": [{"k": [i, {"s": "[[[{{{"}]} for i in range(500)]}
    async with runtime:
        result = await runtime.execute(ToolCall("echo", json.dumps(wide), "w"))
    assert result.ok, result.content
    assert runs == [wide["x"]]
