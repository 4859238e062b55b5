"""The call lifecycle: one result per call, whatever happens."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
import toolhooks
from toolhooks import CallContext, Config, Recovery, Runtime, ToolCall, ToolError, hookimpl, tool


@tool
def add(a: int, b: int = 2) -> int:
    """Add two integers."""
    return a + b


@tool
def leaky() -> None:
    """Fails with a secret in its message."""
    raise RuntimeError("password=hunter2 at https://internal.example")


@tool
def refuses_politely(x: int) -> None:
    """Raises a ToolError meant for the model."""
    raise ToolError(f"{x} is not a prime", suggestion="Try 7.")


def call(name: str, args: Any = "{}", id: str = "c") -> ToolCall:
    return ToolCall(name, args if isinstance(args, str) else json.dumps(args), id)


@pytest.fixture
async def rt() -> Any:
    runtime = Runtime(tools=[add, leaky, refuses_politely], autoload=False)
    yield runtime
    await runtime.aclose()


async def test_success_and_message(rt: Runtime) -> None:
    result = await rt.execute(call("add", {"a": 40}, "c1"))
    assert result.ok and result.value == 42 and result.content == "42"
    assert result.to_message() == {"role": "tool", "tool_call_id": "c1", "content": "42"}
    assert result.attempts == 1 and result.cache is None


async def test_openai_shaped_mapping_is_accepted(rt: Runtime) -> None:
    result = await rt.execute({"id": "x", "function": {"name": "add", "arguments": '{"a":1}'}})
    assert (result.call_id, result.value) == ("x", 3)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ('{"a": 1', "not valid JSON"),
        ("[1, 2]", "must be a JSON object, got an array"),
        ('"a"', "got a string"),
        ("null", "got null"),
    ],
)
async def test_malformed_arguments(rt: Runtime, raw: str, fragment: str) -> None:
    result = await rt.execute(call("add", raw))
    assert result.error is not None
    assert result.error.type == "invalid_arguments" and fragment in result.error.message
    assert result.attempts == 0
    body = json.loads(result.content)
    assert body["ok"] is False and body["error"]["suggestion"]


async def test_empty_arguments_string_means_no_arguments() -> None:
    @tool
    def ping() -> str:
        """Pong."""
        return "pong"

    async with Runtime(tools=[ping], autoload=False) as runtime:
        assert (await runtime.execute(call("ping", ""))).content == "pong"


async def test_field_errors_list_every_bad_field(rt: Runtime) -> None:
    result = await rt.execute(call("add", {"a": "x", "b": "y", "c": 1}))
    assert result.error is not None
    locs = {f.loc: f for f in result.error.fields}
    assert set(locs) == {"a", "b", "c"}
    assert locs["c"].message == "unknown field"
    assert locs["a"].got == "x" and locs["a"].expected == "int"
    assert "https://" not in result.content  # no pydantic URLs reach the model


async def test_unknown_tool_suggests_close_names(rt: Runtime) -> None:
    result = await rt.execute(call("ad"))
    assert result.error is not None and result.error.type == "unknown_tool"
    assert result.error.suggestion == "Did you mean 'add'?"
    far = await rt.execute(call("zzzzzz"))
    assert far.error is not None and "add, leaky, refuses_politely" in (far.error.suggestion or "")


async def test_exception_text_never_reaches_the_model(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    result = await rt.execute(call("leaky"))
    assert result.error is not None and result.error.type == "tool_error"
    assert "hunter2" not in result.content and "internal.example" not in result.content
    assert "RuntimeError" in result.error.message
    assert any("hunter2" in (r.exc_text or "") or r.exc_info for r in caplog.records)


async def test_tool_error_message_is_for_the_model(rt: Runtime) -> None:
    result = await rt.execute(call("refuses_politely", {"x": 4}))
    assert result.error is not None
    assert (result.error.type, result.error.message, result.error.suggestion) == (
        "tool_error",
        "4 is not a prime",
        "Try 7.",
    )


async def test_batch_runs_concurrently_and_keeps_input_order() -> None:
    both_running = asyncio.Event()
    running = 0

    @tool
    async def gate(n: int) -> int:
        """Waits until two calls run at once."""
        nonlocal running
        running += 1
        if running == 2:
            both_running.set()
        await asyncio.wait_for(both_running.wait(), 5)
        return n

    async with Runtime(tools=[gate], autoload=False) as runtime:
        results = await runtime.execute_many([call("gate", {"n": i}, f"c{i}") for i in (2, 1)])
    assert [r.call_id for r in results] == ["c2", "c1"]
    assert [r.value for r in results] == [2, 1]  # would time out if they ran one at a time


async def test_sequential_runs_in_order_one_at_a_time() -> None:
    log: list[str] = []

    @tool
    async def step(n: int) -> int:
        """Records start and end."""
        log.append(f"start {n}")
        await asyncio.sleep(0)
        log.append(f"end {n}")
        return n

    async with Runtime(tools=[step], autoload=False) as runtime:
        await runtime.execute_many([call("step", {"n": i}) for i in range(3)], sequential=True)
    assert log == ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]


async def test_batch_cap_and_per_tool_max_concurrency() -> None:
    peak = {"capped": 0, "free": 0}
    now = {"capped": 0, "free": 0}

    def make(name: str, limit: int | None) -> toolhooks.Tool:
        async def fn() -> None:
            now[name] += 1
            peak[name] = max(peak[name], now[name])
            for _ in range(3):
                await asyncio.sleep(0)
            now[name] -= 1

        fn.__doc__ = "counts"
        return tool(name=name, max_concurrency=limit)(fn)

    async with Runtime(tools=[make("capped", 2), make("free", None)], autoload=False) as runtime:
        calls = [call("capped", "{}", str(i)) for i in range(10)]
        calls += [call("free", "{}", f"f{i}") for i in range(10)]
        results = await runtime.execute_many(calls, max_concurrency=8)
    assert all(r.ok for r in results)
    assert peak["capped"] == 2
    assert 2 < peak["free"] <= 8


async def test_a_slow_sync_tool_does_not_block_the_event_loop() -> None:
    released = threading.Event()

    @tool
    def blocking() -> str:
        """Blocks its thread until the async tool has run."""
        if not released.wait(5):
            raise TimeoutError("the event loop was blocked")
        return "unblocked"

    @tool
    async def releaser() -> str:
        """Runs on the loop while the sync tool blocks."""
        released.set()
        return "released"

    async with Runtime(tools=[blocking, releaser], autoload=False) as runtime:
        results = await runtime.execute_many([call("blocking"), call("releaser")])
    assert [r.content for r in results] == ["unblocked", "released"]


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_per_attempt_timeout_for_sync_and_async_tools(kind: str) -> None:
    stop = threading.Event()
    if kind == "async":

        async def hang() -> None:
            await asyncio.Event().wait()
    else:

        def hang() -> None:
            stop.wait(10)

    hang.__doc__ = "never answers"
    slow = tool(name="hang", timeout=0.05)(hang)
    async with Runtime(tools=[slow], autoload=False) as runtime:
        result = await runtime.execute(call("hang"))
    stop.set()
    assert result.error is not None and result.error.type == "timeout"
    assert result.error.retryable and "0.05 s" in result.error.message


async def test_deadline_bounds_the_whole_call() -> None:
    attempts = 0

    class RetryForever:
        async def run(self, ctx: CallContext, attempt: Any) -> Any:
            while True:
                try:
                    return await attempt()
                except ToolError:
                    continue

    class Plugin:
        @hookimpl
        def toolhooks_retry_policy(self) -> Any:
            return RetryForever()

    @tool
    async def flaky() -> None:
        """Always times out."""
        nonlocal attempts
        attempts += 1
        await asyncio.Event().wait()

    config = Config({"tools": {"flaky": {"timeout": 0.02, "deadline": 0.1}}})
    async with Runtime(config, tools=[flaky], plugins=[Plugin], autoload=False) as runtime:
        result = await runtime.execute(call("flaky"))
    assert result.error is not None and result.error.type == "timeout"
    assert attempts >= 2 and result.attempts == attempts


async def test_one_failure_does_not_disturb_the_others(rt: Runtime) -> None:
    results = await rt.execute_many(
        [
            call("add", {"a": 1}),
            call("leaky"),
            call("nope"),
            call("add", "{"),
            call("add", {"a": 2}),
        ]
    )
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert [r.error.type for r in results if r.error] == [
        "tool_error",
        "unknown_tool",
        "invalid_arguments",
    ]


async def test_cancelled_batch_still_answers_every_call() -> None:
    started = asyncio.Event()

    @tool
    async def wait_forever(n: int) -> None:
        """Never finishes."""
        started.set()
        await asyncio.Event().wait()

    finished: list[str] = []
    first_done = asyncio.Event()

    class Observer:
        @hookimpl
        def toolhooks_call_finished(self, result: toolhooks.ToolResult) -> None:
            finished.append(result.call_id)
            if result.call_id == "ok":
                first_done.set()

    async with Runtime(tools=[wait_forever, add], plugins=[Observer], autoload=False) as runtime:
        calls = [call("add", {"a": 1}, "ok")] + [
            call("wait_forever", {"n": i}, f"w{i}") for i in range(5)
        ]
        batch = runtime.submit(calls, max_concurrency=2)
        await started.wait()
        await first_done.wait()
        batch.cancel()
        results = await batch.results()
    assert [r.call_id for r in results] == ["ok", "w0", "w1", "w2", "w3", "w4"]
    assert results[0].ok
    assert {r.error.type for r in results[1:] if r.error} == {"cancelled"}
    assert all(not r.ok for r in results[1:])
    assert "ok" in finished and "w0" in finished  # observers saw the calls that had started


async def test_cancelling_the_awaiting_task_propagates() -> None:
    started = asyncio.Event()

    @tool
    async def hang() -> None:
        """Never finishes."""
        started.set()
        await asyncio.Event().wait()

    async with Runtime(tools=[hang], autoload=False) as runtime:
        task = asyncio.ensure_future(runtime.execute_many([call("hang"), call("hang")]))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_value_that_is_not_json_becomes_an_error() -> None:
    @tool
    def weird() -> object:
        """Returns something unserialisable."""
        return object()

    async with Runtime(tools=[weird], autoload=False) as runtime:
        result = await runtime.execute(call("weird"))
    assert result.error is not None and "cannot be sent as JSON" in result.error.message


async def test_pydantic_and_rich_values_serialise() -> None:
    import datetime

    from pydantic import BaseModel

    class Point(BaseModel):
        x: int
        when: datetime.date

    @tool
    def point() -> Point:
        """A model."""
        return Point(x=1, when=datetime.date(2026, 1, 2))

    async with Runtime(tools=[point], autoload=False) as runtime:
        result = await runtime.execute(call("point"))
    assert json.loads(result.content) == {"x": 1, "when": "2026-01-02"}


# -- plugins in the pipeline ---------------------------------------------------------------


class Policy:
    """Refuses calls of 'add' with a negative 'a'; crashes on a=13."""

    @hookimpl
    def toolhooks_validate(self, ctx: CallContext) -> None:
        if ctx.tool is not None and ctx.tool.name == "add":
            if ctx.arguments.get("a") == 13:
                raise KeyError("boom")
            if ctx.arguments.get("a", 0) < 0:
                raise toolhooks.Refused("Negative numbers are not allowed.")


async def test_validate_refusal_names_the_plugin() -> None:
    async with Runtime(tools=[add], plugins=[Policy], autoload=False) as runtime:
        refused = await runtime.execute(call("add", {"a": -1}))
        crashed = await runtime.execute(call("add", {"a": 13}))
        fine = await runtime.execute(call("add", {"a": 1}))
    assert refused.error is not None and refused.error.type == "refused"
    assert refused.refused_by == "Policy"
    assert crashed.error is not None and crashed.error.type == "internal_error"
    assert crashed.refused_by == "Policy" and crashed.attempts == 0  # fails closed: never ran
    assert "boom" not in crashed.content
    assert fine.ok and fine.refused_by is None


async def test_async_validator_can_coerce_arguments() -> None:
    class Doubler:
        @hookimpl
        async def toolhooks_validate(self, ctx: CallContext) -> None:
            await asyncio.sleep(0)
            ctx.arguments = {**ctx.arguments, "a": ctx.arguments["a"] * 2}

    async with Runtime(tools=[add], plugins=[Doubler], autoload=False) as runtime:
        assert (await runtime.execute(call("add", {"a": 5, "b": 0}))).value == 10


async def test_observer_failure_is_isolated(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    class Broken:
        @hookimpl
        def toolhooks_call_started(self) -> None:
            raise ValueError("observer bug")

        @hookimpl
        async def toolhooks_call_finished(self) -> None:
            raise ValueError("observer bug")

    class Good:
        @hookimpl
        def toolhooks_call_finished(self, result: toolhooks.ToolResult) -> None:
            seen.append(result.content)

    async with Runtime(tools=[add], plugins=[Broken, Good], autoload=False) as runtime:
        result = await runtime.execute(call("add", {"a": 1}))
    assert result.ok and seen == ["3"]
    assert sum("observer bug" in (r.exc_text or str(r.exc_info)) for r in caplog.records) == 2


async def test_recover_answers_a_failed_call() -> None:
    class Fallback:
        @hookimpl
        async def toolhooks_recover(self, ctx: CallContext, error: toolhooks.ErrorInfo) -> Any:
            if error.type == "tool_error":
                return Recovery({"fallback": True}, stale=True, source="test")
            return None

    async with Runtime(tools=[leaky, add], plugins=[Fallback], autoload=False) as runtime:
        recovered = await runtime.execute(call("leaky"))
        invalid = await runtime.execute(call("add", "{"))
    assert recovered.ok and recovered.value == {"fallback": True} and recovered.cache == "stale"
    assert invalid.error is not None and invalid.error.type == "invalid_arguments"


async def test_custom_executor_handles_its_tools_only() -> None:
    remote = toolhooks.Tool.from_schema(
        "remote_echo", "Echo remotely.", {"type": "object", "properties": {}}, None
    )

    class Remote:
        @hookimpl
        def toolhooks_execute(self, ctx: CallContext) -> Any:
            if ctx.tool is None or ctx.tool.name != "remote_echo":
                return None

            async def run() -> dict[str, Any]:
                return {"echo": ctx.arguments}

            return run()

    async with Runtime(tools=[remote, add], plugins=[Remote], autoload=False) as runtime:
        r1, r2 = await runtime.execute_many([call("remote_echo", {"q": 1}), call("add", {"a": 1})])
    assert r1.value == {"echo": {"q": 1}} and r2.value == 3


async def test_call_with_a_known_problem_is_answered_not_run() -> None:
    problem = toolhooks.ErrorInfo(type="invalid_arguments", message="custom calls unsupported")
    async with Runtime(tools=[add], autoload=False) as runtime:
        result = await runtime.execute(ToolCall("add", '{"a": 1}', "c", problem=problem))
    assert result.error == problem and result.attempts == 0


def test_sync_entry_points_share_one_loop() -> None:
    loops: set[int] = set()

    @tool
    async def which_loop() -> int:
        """The id of the running loop."""
        loops.add(id(asyncio.get_running_loop()))
        return 1

    with Runtime(tools=[which_loop, add], autoload=False) as runtime:
        assert runtime.execute_sync(call("add", {"a": 1})).value == 3
        results = runtime.execute_many_sync([call("which_loop"), call("which_loop")])
        runtime.execute_sync(call("which_loop"))
    assert [r.value for r in results] == [1, 1]
    assert len(loops) == 1


async def test_sync_entry_point_inside_a_loop_is_refused(rt: Runtime) -> None:
    with pytest.raises(RuntimeError, match="await it"):
        rt.execute_sync(call("add", {"a": 1}))


def test_closed_runtime_refuses_sync_calls() -> None:
    runtime = Runtime(tools=[add], autoload=False)
    runtime.close()
    with pytest.raises(RuntimeError, match="closed"):
        runtime.execute_sync(call("add", {"a": 1}))


async def test_per_tool_refusals_name_their_plugin_and_cache_keys_are_canonical() -> None:
    seen_keys: list[dict[str, Any]] = []

    class Limiter:
        async def acquire(self, ctx: CallContext) -> None:
            raise toolhooks.RateLimited("Too many calls.", retry_after_s=2)

    class RecordingCache:
        async def lookup(self, ctx: CallContext) -> None:
            seen_keys.append(dict(ctx.arguments))

        async def store(self, ctx: CallContext, value: Any) -> None:
            pass

        async def abandon(self, ctx: CallContext) -> None:
            pass

    class Plugin:
        toolhooks_plugin_name = "limits-plugin"

        @hookimpl
        def toolhooks_rate_limiter(self, tool: toolhooks.Tool) -> Any:
            return Limiter() if tool.name == "add" else None

        @hookimpl
        def toolhooks_cache(self) -> Any:
            return RecordingCache()

    @tool
    def other(a: int, b: int = 2) -> int:
        """Another."""
        return a

    async with Runtime(tools=[add, other], plugins=[Plugin], autoload=False) as runtime:
        limited = await runtime.execute(call("add", {"a": 1}))
        await runtime.execute(call("other", '{"a": "1"}'))
        await runtime.execute(call("other", {"a": 1, "b": 2}))
    assert limited.error is not None and limited.error.type == "rate_limited"
    assert limited.error.retry_after_s == 2 and limited.refused_by == "limits-plugin"
    assert seen_keys[-2] == seen_keys[-1] == {"a": 1, "b": 2}  # same call, however spelt


async def test_finished_observers_run_in_reverse_order_of_started() -> None:
    order: list[str] = []

    def observer(name: str) -> type:
        class Observer:
            toolhooks_plugin_name = name

            @hookimpl
            def toolhooks_call_started(self) -> None:
                order.append(f"start {name}")

            @hookimpl
            def toolhooks_call_finished(self) -> None:
                order.append(f"finish {name}")

        return Observer

    async with Runtime(tools=[add], plugins=[observer("a"), observer("b")], autoload=False) as rt:
        await rt.execute(call("add", {"a": 1}))
    assert order[:2] in (["start a", "start b"], ["start b", "start a"])
    first, second = (s.split()[1] for s in order[:2])
    assert order[2:] == [f"finish {second}", f"finish {first}"]


async def test_waiting_for_a_concurrency_slot_ends_at_the_deadline() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    @tool(max_concurrency=1)
    async def single(n: int) -> int:
        """One at a time."""
        started.set()
        await release.wait()
        return n

    config = Config({"tools": {"single": {"deadline": 0.05}}})
    async with Runtime(config, tools=[single], autoload=False) as runtime:
        first = asyncio.ensure_future(runtime.execute(call("single", {"n": 1}, "first")))
        await started.wait()
        queued = await runtime.execute(call("single", {"n": 2}, "queued"))
        release.set()
        assert (await first).error is not None  # the first one ran past its own deadline too
    assert queued.error is not None and queued.error.type == "timeout"
    assert "waited for the tool to be free" in queued.error.message
    assert queued.attempts == 0
