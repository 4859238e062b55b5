"""The scripted server's own behaviour (what the other tests rely on)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from toolhooks.scripted import ScriptedServer, Turn, call


def test_script_exhausted_and_recorded(server: ScriptedServer) -> None:
    client = server.client()
    with pytest.raises(openai.InternalServerError, match="no reply left"):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert server.requests == [{"model": "m", "messages": [{"role": "user", "content": "x"}]}]
    assert server.paths == ["/v1/chat/completions"]


async def test_async_callable_reply_sees_the_request(server: ScriptedServer) -> None:
    async def echo(body: dict[str, Any]) -> str:
        return "echo: " + body["messages"][-1]["content"]

    server.add(echo, Turn(tool_calls=[call("f", "not json", id="x")]))
    client = server.async_client()
    first = await client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )
    assert first.choices[0].message.content == "echo: hi"
    assert first.choices[0].finish_reason == "stop"
    second = await client.chat.completions.create(model="m", messages=[])
    (tc,) = second.choices[0].message.tool_calls or []
    assert tc.id == "x"
    assert tc.function.arguments == "not json"  # type: ignore[union-attr]
    assert second.choices[0].finish_reason == "tool_calls"


def test_responses_route_errors(server: ScriptedServer) -> None:
    server.add(Turn(status=429, error="later"))
    with pytest.raises(openai.RateLimitError, match="later"):
        server.client().responses.create(model="m", input="x")
    assert server.paths == ["/v1/responses"]


def test_not_started() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = ScriptedServer().base_url
