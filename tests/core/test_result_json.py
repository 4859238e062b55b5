"""Every tool result's content is valid JSON: no NaN or Infinity (``allow_nan=False``)."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from toolhooks import Runtime, ToolCall, tool


def _no_constants(name: str) -> Any:
    raise AssertionError(f"not JSON: {name}")


def strict_loads(content: str) -> Any:
    return json.loads(content, parse_constant=_no_constants)


VALUES: dict[str, Any] = {
    "inf": math.inf,
    "-inf": -math.inf,
    "nan": math.nan,
    "nested": {"rows": [1.5, {"x": math.nan}]},
    "list": [1, math.inf],
}


@tool
def give(kind: str) -> Any:
    """Return a value picked by kind."""
    return VALUES[kind]


@tool
def text() -> str:
    """A string that merely mentions NaN and Infinity."""
    return "NaN and Infinity are words here"


@tool
def mentions() -> dict[str, str]:
    """A JSON object whose strings mention NaN and Infinity."""
    return {"note": "NaN", "other": "Infinity"}


@pytest.fixture
async def rt() -> AsyncIterator[Runtime]:
    runtime = Runtime(tools=[give, text, mentions], autoload=False)
    yield runtime
    await runtime.aclose()


@pytest.mark.parametrize("kind", sorted(VALUES))
async def test_a_non_finite_result_is_a_tool_error(rt: Runtime, kind: str) -> None:
    result = await rt.execute(ToolCall("give", json.dumps({"kind": kind}), "c1"))
    body = strict_loads(result.content)
    assert not result.ok and result.error is not None
    assert result.error.type == "tool_error"
    assert body["ok"] is False and body["error"]["type"] == "tool_error"
    assert "finite" in body["error"]["message"]
    assert result.value is None and result.call_id == "c1"


def test_a_non_finite_result_is_a_tool_error_sync() -> None:
    with Runtime(tools=[give], autoload=False) as runtime:
        result = runtime.execute_sync(ToolCall("give", '{"kind": "nan"}', "c2"))
    assert result.error is not None and result.error.type == "tool_error"
    strict_loads(result.content)


async def test_a_batch_with_a_non_finite_result(rt: Runtime) -> None:
    results = await rt.execute_many(
        [ToolCall("give", '{"kind": "inf"}', "a"), ToolCall("mentions", "{}", "b")]
    )
    for r in results:
        strict_loads(r.content)
    assert results[0].error is not None and results[0].error.type == "tool_error"
    assert results[1].ok and strict_loads(results[1].content) == {
        "note": "NaN",
        "other": "Infinity",
    }


async def test_words_nan_and_infinity_are_not_errors(rt: Runtime) -> None:
    result = await rt.execute(ToolCall("text", "{}", "t"))
    assert result.ok and result.content == "NaN and Infinity are words here"
