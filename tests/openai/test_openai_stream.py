"""Streamed turns: deltas assembled by index, calls started while the stream is still open."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import toolhooks
from toolhooks.openai import Event, achat, chat
from toolhooks.scripted import ScriptedServer, Turn, call

USER = [{"role": "user", "content": "go"}]


@pytest.mark.parametrize("use_async", [False, True])
async def test_first_call_runs_before_the_stream_ends(
    server: ScriptedServer, make_runtime: Any, use_async: bool
) -> None:
    started = threading.Event()
    events: list[str] = []

    @toolhooks.tool
    def first(text: str) -> str:
        started.set()  # releases the server, which holds the rest of the stream until then
        return text.upper()

    @toolhooks.tool
    def second(text: str) -> str:
        return text[::-1]

    rt = make_runtime(first, second)
    long_text = "x" * 40
    server.add(
        Turn(
            tool_calls=[call("first", {"text": long_text}), call("second", {"text": "abc"})],
            chunk_size=2,
            hold=started,
            hold_after=0,
            hold_timeout=5,
        ),
        "done",
    )

    def on_event(e: Event) -> None:
        events.append(e.kind if e.call is None else f"{e.kind}:{e.call.name}")

    if use_async:
        result = await achat(
            rt, server.async_client(), model="m", messages=USER, stream=True, on_event=on_event
        )
    else:
        result = await _in_thread(
            lambda: chat(
                rt, server.client(), model="m", messages=USER, stream=True, on_event=on_event
            )
        )
    assert server.hold_timeouts == 0  # the first call started while the stream was held
    assert server.requests[0]["stream"] is True
    assert [r.content for r in result.results] == [long_text.upper(), "cba"]
    assert events.index("tool_call:first") < events.index("tool_call:second")
    # the assembled assistant message went back whole, arguments joined from the pieces
    assistant = server.requests[1]["messages"][1]
    assert [json.loads(c["function"]["arguments"]) for c in assistant["tool_calls"]] == [
        {"text": long_text},
        {"text": "abc"},
    ]
    assert result.stop_reason == "completed"
    assert result.text == "done"


async def _in_thread(fn: Any) -> Any:
    import asyncio

    return await asyncio.to_thread(fn)


def test_hold_is_not_released_when_calls_wait_for_the_stream_end(
    server: ScriptedServer, make_runtime: Any
) -> None:
    """The control: holding after the *last* call cannot be released by it (a call is complete
    only when the next one starts or the stream ends), so the server's wait times out."""
    started = threading.Event()

    @toolhooks.tool
    def only() -> str:
        started.set()
        return "ran"

    rt = make_runtime(only)
    server.add(
        Turn(tool_calls=[call("only")], hold=started, hold_after=0, hold_timeout=0.2), "done"
    )
    result = chat(rt, server.client(), model="m", messages=USER, stream=True)
    assert server.hold_timeouts == 1
    assert result.results[0].content == "ran"


def test_streamed_text_invalid_json_and_sequential(
    server: ScriptedServer, make_runtime: Any
) -> None:
    order: list[int] = []

    @toolhooks.tool
    def step(n: int) -> int:
        order.append(n)
        return n

    rt = make_runtime(step)
    server.add(
        Turn(
            content="let me see",
            tool_calls=[
                call("step", {"n": 1}),
                call("step", '{"n": 2'),
                call("step", {"n": 3}),
            ],
            chunk_size=1,
        ),
        Turn(content="all done, in pieces", chunk_size=4),
    )
    texts: list[str] = []
    result = chat(
        rt,
        server.client(),
        model="m",
        messages=USER,
        stream=True,
        parallel_tool_calls=False,
        on_event=lambda e: texts.append(e.text) if e.kind == "text_delta" and e.text else None,
    )
    assert order == [1, 3]
    sent = [m for m in server.requests[1]["messages"] if m["role"] == "tool"]
    assert sent[0]["content"] == "1"
    assert json.loads(sent[1]["content"])["error"]["type"] == "invalid_arguments"
    assert sent[2]["content"] == "3"
    assert server.requests[1]["messages"][1]["content"] == "let me see"
    assert result.text == "all done, in pieces"
    assert "".join(texts) == "let me seeall done, in pieces"
    assert len(texts) > 5


def test_streamed_turn_limit(server: ScriptedServer, make_runtime: Any) -> None:
    @toolhooks.tool
    def again() -> str:
        return "more"

    rt = make_runtime(again)
    server.add(Turn(tool_calls=[call("again")]), Turn(tool_calls=[call("again")]))
    result = chat(rt, server.client(), model="m", messages=USER, stream=True, max_turns=2)
    assert result.stop_reason == "max_turns"
    assert [r.ok for r in result.results] == [True, False]


@pytest.mark.parametrize("stream", [False, True])
def test_calls_without_ids_get_one_id_in_the_assistant_message_and_its_answer(
    server: ScriptedServer, make_runtime: Any, stream: bool
) -> None:
    """Some OpenAI-compatible servers send empty call ids: the answers and the assistant
    message sent back must name the same (generated) id, or the next request is invalid."""

    @toolhooks.tool
    def echo(n: int) -> int:
        return n

    rt = make_runtime(echo)
    server.add(Turn(tool_calls=[call("echo", {"n": 1}, id=""), call("echo", {"n": 2}, id="")]))
    server.add("done")
    result = chat(rt, server.client(), model="m", messages=USER, stream=stream)
    messages = server.requests[1]["messages"]
    asked = [c["id"] for c in messages[1]["tool_calls"]]
    answered = [m["tool_call_id"] for m in messages[2:]]
    assert asked == answered
    assert len(set(asked)) == 2
    assert all(asked)
    assert [r.content for r in result.results] == ["1", "2"]


async def test_cancelling_a_streamed_run_cancels_the_calls_it_started(
    server: ScriptedServer, make_runtime: Any
) -> None:
    import asyncio

    release = threading.Event()  # holds the rest of the stream on the server
    running = asyncio.Event()
    cancelled: list[str] = []

    @toolhooks.tool
    async def first() -> str:
        running.set()
        try:
            await asyncio.Event().wait()  # until cancelled
        except asyncio.CancelledError:
            cancelled.append("first")
            raise
        return "never"

    rt = make_runtime(first)
    server.add(
        Turn(
            tool_calls=[call("first"), call("first")],
            hold=release,
            hold_after=0,
            hold_timeout=10,
        )
    )
    run = asyncio.ensure_future(
        achat(rt, server.async_client(), model="m", messages=USER, stream=True)
    )
    try:
        async with asyncio.timeout(10):
            await running.wait()  # the first call runs while the stream is held open
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(5):  # a call left running would keep the run waiting
                await run
    finally:
        release.set()
    assert cancelled == ["first"]
    assert len(server.requests) == 1
