"""The Responses API loop against the real client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import toolhooks
from toolhooks.openai import aresponses, responses
from toolhooks.scripted import ScriptedServer, Turn, call


def test_responses_loop_sends_function_call_outputs(
    server: ScriptedServer, make_runtime: Any
) -> None:
    @toolhooks.tool
    def add(a: int, b: int = 1) -> int:
        return a + b

    rt = make_runtime(add)
    server.add(
        Turn(tool_calls=[call("add", {"a": 1, "b": 2}, id="c1"), call("sub", "{}", id="c2")]),
        "3, and sub does not exist",
    )
    result = responses(rt, server.client(), model="m", input="add")
    assert result.stop_reason == "completed"
    assert result.text == "3, and sub does not exist"
    assert result.turns == 2
    first = server.requests[0]
    assert first["input"] == [{"role": "user", "content": "add"}]
    assert first["tools"][0]["name"] == "add"
    assert first["tools"][0]["strict"] is True
    items = server.requests[1]["input"]
    assert [i.get("type") for i in items] == [
        None,
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
    ]
    assert items[3] == {"type": "function_call_output", "call_id": "c1", "output": "3"}
    assert items[4]["call_id"] == "c2"
    assert json.loads(items[4]["output"])["error"]["type"] == "unknown_tool"
    assert result.message is not None
    assert result.message["type"] == "message"


async def test_async_responses_parallel_and_turn_limit(
    server: ScriptedServer, make_runtime: Any
) -> None:
    barrier = asyncio.Barrier(2)

    @toolhooks.tool
    async def meet(n: int) -> int:
        async with asyncio.timeout(5):
            await barrier.wait()
        return n

    rt = make_runtime(meet)
    server.add(
        Turn(tool_calls=[call("meet", {"n": 1}), call("meet", {"n": 2})]),
        Turn(tool_calls=[call("meet", {"n": 3})]),
    )
    result = await aresponses(rt, server.async_client(), model="m", input="go", max_turns=2)
    assert [r.content for r in result.results[:2]] == ["1", "2"]
    assert result.stop_reason == "max_turns"
    assert result.results[2].error is not None
    assert result.results[2].error.type == "refused"


def test_responses_call_budget_stops_the_run(server: ScriptedServer, make_runtime: Any) -> None:
    ran: list[int] = []

    @toolhooks.tool
    def one(n: int) -> int:
        ran.append(n)
        return n

    rt = make_runtime(one)
    server.add(Turn(tool_calls=[call("one", {"n": 1}), call("one", {"n": 2})]), "never asked")
    result = responses(rt, server.client(), model="m", input="go", max_tool_calls=1)
    assert result.stop_reason == "max_tool_calls"
    assert ran == [1]
    assert len(server.requests) == 1
    last = result.messages[-1]
    assert last["type"] == "function_call_output"
    assert json.loads(last["output"])["error"]["type"] == "refused"
