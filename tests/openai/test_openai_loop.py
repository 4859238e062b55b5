"""The chat.completions loop against the real openai client and the scripted server."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import openai
import pytest
import toolhooks
from toolhooks.openai import Event, achat, chat, tool_messages
from toolhooks.scripted import ScriptedServer, Turn, call

USER = [{"role": "user", "content": "go"}]


def _tool_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] == "tool"]


def _error(message: dict[str, Any]) -> dict[str, Any]:
    content = json.loads(message["content"])
    assert content["ok"] is False
    return content["error"]  # type: ignore[no-any-return]


async def test_parallel_calls_overlap(server: ScriptedServer, make_runtime: Any) -> None:
    both = asyncio.Barrier(3)

    @toolhooks.tool
    async def wait_for_others(name: str) -> str:
        async with asyncio.timeout(5):  # fails the call instead of hanging
            await both.wait()
        return f"hello {name}"

    rt = make_runtime(wait_for_others)
    server.add(
        Turn(tool_calls=[call("wait_for_others", {"name": n}) for n in ("a", "b", "c")]),
        "all three",
    )
    result = await achat(rt, server.async_client(), model="m", messages=USER)
    assert result.stop_reason == "completed"
    assert result.text == "all three"
    assert [r.ok for r in result.results] == [True, True, True]
    sent = _tool_messages(server.requests[1])
    ids = [c["id"] for c in server.requests[1]["messages"][1]["tool_calls"]]
    assert sent == [
        {"role": "tool", "tool_call_id": i, "content": f"hello {n}"}
        for i, n in zip(ids, "abc", strict=True)
    ]


def test_parallel_calls_overlap_sync_client(server: ScriptedServer, make_runtime: Any) -> None:
    barrier = threading.Barrier(2, timeout=5)

    @toolhooks.tool
    def meet(n: int) -> int:
        barrier.wait()  # BrokenBarrierError (a failed call) unless both run at once
        return n * 10

    rt = make_runtime(meet, workers=4)
    server.add(Turn(tool_calls=[call("meet", {"n": 1}), call("meet", {"n": 2})]), "ok")
    result = chat(rt, server.client(), model="m", messages=USER)
    assert [r.content for r in result.results] == ["10", "20"]


def test_parallel_tool_calls_false_runs_in_order(server: ScriptedServer, make_runtime: Any) -> None:
    log: list[str] = []

    @toolhooks.tool
    async def step(n: int) -> int:
        log.append(f"start {n}")
        for _ in range(5):
            await asyncio.sleep(0)  # yield: in parallel the starts would interleave
        log.append(f"end {n}")
        return n

    rt = make_runtime(step)
    server.add(Turn(tool_calls=[call("step", {"n": i}) for i in (1, 2, 3)]), "done")
    result = chat(rt, server.client(), model="m", messages=USER, parallel_tool_calls=False)
    assert log == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]
    assert server.requests[0]["parallel_tool_calls"] is False
    assert result.stop_reason == "completed"


def test_parallel_mode_does_interleave(server: ScriptedServer, make_runtime: Any) -> None:
    """The control for the test above: the same tool interleaves in parallel mode."""
    log: list[str] = []

    @toolhooks.tool
    async def step(n: int) -> int:
        log.append(f"start {n}")
        for _ in range(5):
            await asyncio.sleep(0)
        log.append(f"end {n}")
        return n

    rt = make_runtime(step)
    server.add(Turn(tool_calls=[call("step", {"n": i}) for i in (1, 2)]), "done")
    chat(rt, server.client(), model="m", messages=USER, parallel_tool_calls=True)
    assert log[:2] == ["start 1", "start 2"]


def test_invalid_arguments_then_the_model_corrects_itself(
    server: ScriptedServer, make_runtime: Any
) -> None:
    ran: list[tuple[str, int]] = []

    @toolhooks.tool
    def forecast(city: str, days: int) -> str:
        ran.append((city, days))
        return f"{city}: sunny for {days} days"

    def fix(body: dict[str, Any]) -> Turn:
        (msg,) = _tool_messages(body)
        error = _error(msg)
        if error["type"] == "invalid_arguments" and error["fields"][0]["loc"] == "days":
            return Turn(tool_calls=[call("forecast", {"city": "Paris", "days": 2})])
        return Turn(content="I give up")

    rt = make_runtime(forecast)
    server.add(
        Turn(tool_calls=[call("forecast", {"city": "Paris", "days": "many"})]),
        fix,
        "Sunny.",
    )
    result = chat(rt, server.client(), model="m", messages=USER)
    assert result.turns == 3
    assert ran == [("Paris", 2)]
    assert [r.error.type if r.error else None for r in result.results] == [
        "invalid_arguments",
        None,
    ]
    assert _tool_messages(server.requests[2])[-1]["content"] == "Paris: sunny for 2 days"
    assert result.text == "Sunny."


def test_malformed_json_unknown_tool_duplicate_id_and_custom_call(
    server: ScriptedServer, make_runtime: Any
) -> None:
    @toolhooks.tool
    def ping() -> str:
        return "pong"

    rt = make_runtime(ping)
    server.add(
        Turn(
            tool_calls=[
                call("ping", '{"broken": ', id="c1"),
                call("pnig", "{}", id="c2"),
                call("ping", "{}", id="c3"),
                call("ping", "{}", id="c3"),
                toolhooks.scripted.ScriptedCall("ping", "free text", id="c5", type="custom"),
            ]
        ),
        "ok",
    )
    result = chat(rt, server.client(), model="m", messages=USER)
    sent = _tool_messages(server.requests[1])
    assert [m["tool_call_id"] for m in sent] == ["c1", "c2", "c3", "c3", "c5"]
    assert _error(sent[0])["type"] == "invalid_arguments"
    assert "not valid JSON" in _error(sent[0])["message"]
    unknown = _error(sent[1])
    assert unknown["type"] == "unknown_tool"
    assert "'ping'" in unknown["suggestion"]
    assert sent[2]["content"] == "pong"
    assert "used twice" in _error(sent[3])["message"]
    assert "Custom" in _error(sent[4])["message"]
    assert result.stop_reason == "completed"
    # the assistant message went back in the SDK's model_dump(exclude_none=True) shape
    assistant = server.requests[1]["messages"][1]
    assert assistant["role"] == "assistant"
    assert "content" not in assistant
    assert assistant["tool_calls"][4] == {
        "id": "c5",
        "type": "custom",
        "custom": {"name": "ping", "input": "free text"},
    }


def test_transient_failure_succeeds_on_retry(server: ScriptedServer, make_runtime: Any) -> None:
    from toolhooks_retry.plugin import RetryPlugin

    attempts: list[int] = []

    @toolhooks.tool
    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise toolhooks.TransientError("upstream is busy")
        return "finally"

    no_wait = {"attempts": 3, "wait_initial": 0, "wait_max": 0, "wait_jitter": 0}
    rt = make_runtime(
        flaky, plugins=[RetryPlugin], config={"plugins": {"toolhooks-retry": no_wait}}
    )
    server.add(Turn(tool_calls=[call("flaky")]), "ok")
    result = chat(rt, server.client(), model="m", messages=USER)
    (r,) = result.results
    assert r.ok
    assert r.attempts == 3
    assert _tool_messages(server.requests[1])[0]["content"] == "finally"


def test_without_retries_the_transient_error_reaches_the_model(
    server: ScriptedServer, make_runtime: Any
) -> None:
    @toolhooks.tool
    def flaky() -> str:
        raise toolhooks.TransientError("upstream is busy")

    rt = make_runtime(flaky)
    server.add(Turn(tool_calls=[call("flaky")]), "ok")
    chat(rt, server.client(), model="m", messages=USER)
    error = _error(_tool_messages(server.requests[1])[0])
    assert error == {"type": "transient", "message": "upstream is busy", "retryable": True}


def test_turn_limit(server: ScriptedServer, make_runtime: Any) -> None:
    runs: list[int] = []

    @toolhooks.tool
    def again() -> str:
        runs.append(1)
        return "more"

    rt = make_runtime(again)
    server.add(*[Turn(tool_calls=[call("again")]) for _ in range(5)])
    result = chat(rt, server.client(), model="m", messages=USER, max_turns=2)
    assert result.stop_reason == "max_turns"
    assert result.turns == 2
    assert len(server.requests) == 2
    assert len(runs) == 1  # the last turn's call is answered, not run
    last = result.messages[-1]
    assert last["role"] == "tool"
    assert _error(last)["type"] == "refused"
    assert "limit of model turns" in _error(last)["message"]
    assert server.remaining == 3


def test_max_tool_calls_per_turn_refuses_the_excess_and_goes_on(
    server: ScriptedServer, make_runtime: Any
) -> None:
    @toolhooks.tool
    def one(n: int) -> int:
        return n

    rt = make_runtime(one)
    server.add(Turn(tool_calls=[call("one", {"n": i}) for i in range(3)]), "fine")
    result = chat(rt, server.client(), model="m", messages=USER, max_tool_calls_per_turn=2)
    sent = _tool_messages(server.requests[1])
    assert [m["content"] for m in sent[:2]] == ["0", "1"]
    assert "At most 2 tool calls" in _error(sent[2])["message"]
    assert result.stop_reason == "completed"


def test_max_tool_calls_per_run_stops_the_run(server: ScriptedServer, make_runtime: Any) -> None:
    @toolhooks.tool
    def one(n: int) -> int:
        return n

    rt = make_runtime(one)
    server.add(
        Turn(tool_calls=[call("one", {"n": 1})]),
        Turn(tool_calls=[call("one", {"n": 2}), call("one", {"n": 3})]),
        "never asked",
    )
    result = chat(rt, server.client(), model="m", messages=USER, max_tool_calls=2)
    assert result.stop_reason == "max_tool_calls"
    assert len(server.requests) == 2
    assert [r.content for r in result.results[:2]] == ["1", "2"]
    assert "limit of 2 tool calls" in _error(result.messages[-1])["message"]


def test_tool_choice_subset_and_extra_kwargs_pass_through(
    server: ScriptedServer, make_runtime: Any
) -> None:
    a = toolhooks.Tool.from_schema("a", "", {"type": "object"}, lambda _: 1, tags=["x"])
    b = toolhooks.Tool.from_schema("b", "", {"type": "object"}, lambda _: 2)
    rt = make_runtime(a, b)
    server.add("hi")
    result = chat(
        rt,
        server.client(),
        model="m",
        messages=USER,
        tags=["x"],
        tool_choice="required",
        temperature=0.25,
        strict=False,
    )
    body = server.requests[0]
    assert [t["function"]["name"] for t in body["tools"]] == ["a"]
    assert body["tool_choice"] == "required"
    assert body["temperature"] == 0.25
    assert body["tools"][0]["function"]["strict"] is False
    assert result.text == "hi"
    assert result.results == []


def test_strict_nulls_are_normalised_before_binding(
    server: ScriptedServer, make_runtime: Any
) -> None:
    @toolhooks.tool
    def forecast(city: str, days: int = 3, unit: str | None = None) -> str:
        return f"{city}/{days}/{unit}"

    rt = make_runtime(forecast)
    server.add(
        Turn(tool_calls=[call("forecast", {"city": "Oslo", "days": None, "unit": None})]), "ok"
    )
    result = chat(rt, server.client(), model="m", messages=USER, strict=True)
    assert server.requests[0]["tools"][0]["function"]["strict"] is True
    assert result.results[0].content == "Oslo/3/None"


def test_api_errors_propagate(server: ScriptedServer, make_runtime: Any) -> None:
    rt = make_runtime()
    server.add(Turn(status=429, error="slow down"), Turn(status=500))
    with pytest.raises(openai.RateLimitError, match="slow down"):
        chat(rt, server.client(), model="m", messages=USER)
    with pytest.raises(openai.InternalServerError):
        chat(rt, server.client(), model="m", messages=USER)


def test_events_and_finish_reason(server: ScriptedServer, make_runtime: Any) -> None:
    @toolhooks.tool
    def ping() -> str:
        return "pong"

    rt = make_runtime(ping)
    events: list[Event] = []
    server.add(Turn(tool_calls=[call("ping")]), Turn(content="cut", finish_reason="length"))
    result = chat(rt, server.client(), model="m", messages=USER, on_event=events.append)
    assert result.stop_reason == "length"
    assert [e.kind for e in events] == [
        "turn_started",
        "tool_call",
        "tool_result",
        "turn_started",
        "finished",
    ]
    assert events[2].result is not None
    assert events[2].result.content == "pong"


def test_tool_messages_from_sdk_objects_and_dicts(
    server: ScriptedServer, make_runtime: Any
) -> None:
    @toolhooks.tool
    def double(x: int) -> int:
        return 2 * x

    rt = make_runtime(double)
    server.add(Turn(tool_calls=[call("double", {"x": 2}, id="a"), call("nope", id="b")]))
    completion = server.client().chat.completions.create(model="m", messages=USER)
    expected_first = {"role": "tool", "tool_call_id": "a", "content": "4"}
    for source in (
        completion,
        completion.choices[0].message,
        completion.choices[0].message.tool_calls,
        completion.model_dump(),
        completion.choices[0].message.model_dump(),
    ):
        msgs = tool_messages(rt, source)
        assert msgs[0] == expected_first
        assert msgs[1]["tool_call_id"] == "b"
        assert _error(msgs[1])["type"] == "unknown_tool"
    assert tool_messages(rt, {"role": "assistant", "content": "no tools"}) == []


async def test_async_on_event_is_awaited_and_its_errors_do_not_stop_the_run(
    server: ScriptedServer, make_runtime: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @toolhooks.tool
    def ping() -> str:
        return "pong"

    kinds: list[str] = []

    async def on_event(event: Event) -> None:
        await asyncio.sleep(0)
        kinds.append(event.kind)
        if event.kind == "tool_call":
            raise RuntimeError("observer bug")

    rt = make_runtime(ping)
    server.add(Turn(tool_calls=[call("ping")]), "done")
    result = await achat(rt, server.async_client(), model="m", messages=USER, on_event=on_event)
    assert result.text == "done"
    assert [r.content for r in result.results] == ["pong"]
    assert kinds == ["turn_started", "tool_call", "tool_result", "turn_started", "finished"]
    assert any("on_event callback failed" in r.getMessage() for r in caplog.records)
