from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest
import toolhooks
from toolhooks import Config, ConfigError, Runtime, ToolCall
from toolhooks_ratelimit import PLUGIN_NAME, RateLimitPlugin


def make_runtime(config: dict[str, Any], *tools: Any) -> Runtime:
    return Runtime(Config(config), tools=tools, plugins=[RateLimitPlugin], autoload=False)


def tool_log(name: str, runs: list[str]) -> toolhooks.Tool:
    def fn(n: int = 0) -> int:
        runs.append(f"{name}:{n}")
        return n

    return toolhooks.tool(name=name)(fn)


def limited(limit: str, **extra: Any) -> dict[str, Any]:
    return {"tools": {"ping": {"ratelimit": {"limit": limit, **extra}}}}


def call(name: str = "ping", n: int = 0) -> ToolCall:
    return ToolCall(name, f'{{"n": {n}}}', id=f"c{n}")


@pytest.mark.parametrize("strategy", ["moving-window", "fixed-window", "sliding-window-counter"])
async def test_ratelimit_refuse_mode_admits_exactly_the_limit(strategy: str) -> None:
    runs: list[str] = []
    config = {
        **limited("2/minute", mode="refuse"),
        "plugins": {PLUGIN_NAME: {"strategy": strategy}},
    }
    async with make_runtime(config, tool_log("ping", runs)) as rt:
        results = [await rt.execute(call(n=i)) for i in range(3)]
    assert [r.ok for r in results] == [True, True, False]
    refused = results[2]
    assert refused.error is not None
    assert refused.error.type == "rate_limited"
    assert refused.error.retryable
    assert refused.error.retry_after_s is not None
    assert 0 < refused.error.retry_after_s <= 60
    assert refused.refused_by == PLUGIN_NAME
    assert refused.attempts == 0
    assert runs == ["ping:0", "ping:1"]


async def test_ratelimit_wait_mode_waits_for_a_slot() -> None:
    runs: list[str] = []
    async with make_runtime(limited("2/second"), tool_log("ping", runs)) as rt:
        results = [await rt.execute(call(n=i)) for i in range(3)]
    assert all(r.ok for r in results)
    assert runs == ["ping:0", "ping:1", "ping:2"]
    assert results[0].rate_limit_wait_s == 0
    assert results[1].rate_limit_wait_s == 0
    assert results[2].rate_limit_wait_s > 0


async def test_ratelimit_never_waits_past_the_deadline() -> None:
    runs: list[str] = []
    config = limited("1/minute")
    config["tools"]["ping"]["deadline"] = 5
    async with make_runtime(config, tool_log("ping", runs)) as rt:
        first = await rt.execute(call(n=0))
        second = await rt.execute(call(n=1))
    assert first.ok
    assert second.error is not None
    assert second.error.type == "rate_limited"
    assert "deadline" in second.error.message
    assert second.rate_limit_wait_s == 0  # refused at once: no slot before the deadline
    assert runs == ["ping:0"]


async def test_ratelimit_max_wait_caps_the_wait() -> None:
    runs: list[str] = []
    async with make_runtime(limited("1/minute", max_wait_s=1), tool_log("ping", runs)) as rt:
        await rt.execute(call(n=0))
        second = await rt.execute(call(n=1))
    assert second.error is not None
    assert second.error.type == "rate_limited"
    assert runs == ["ping:0"]


async def test_ratelimit_global_limit_spans_tools_and_can_be_exempted() -> None:
    runs: list[str] = []
    config = {
        "plugins": {PLUGIN_NAME: {"global_limit": "2/minute"}},
        "tools": {
            "*": {"ratelimit": {"mode": "refuse"}},
            "free": {"ratelimit": {"global_limit": False}},
        },
    }
    tools = [tool_log(n, runs) for n in ("a", "b", "free")]
    async with make_runtime(config, *tools) as rt:
        a = await rt.execute(call("a"))
        b = await rt.execute(call("b"))
        a2 = await rt.execute(call("a", 2))
        free = [await rt.execute(call("free", i)) for i in range(3)]
    assert a.ok
    assert b.ok
    assert a2.error is not None
    assert a2.error.type == "rate_limited"
    assert all(r.ok for r in free)
    assert runs == ["a:0", "b:0", "free:0", "free:1", "free:2"]


async def test_ratelimit_tool_and_global_limits_both_apply() -> None:
    runs: list[str] = []
    config = {
        "plugins": {PLUGIN_NAME: {"global_limit": "10/minute"}},
        "tools": {
            "*": {"ratelimit": {"mode": "refuse"}},
            "ping": {"ratelimit": {"limit": "1/minute;5/hour"}},
        },
    }
    async with make_runtime(config, tool_log("ping", runs), tool_log("other", runs)) as rt:
        p = [await rt.execute(call("ping", i)) for i in range(2)]
        o = [await rt.execute(call("other", i)) for i in range(9)]
        o_last = await rt.execute(call("other", 99))
    assert [r.ok for r in p] == [True, False]
    assert all(r.ok for r in o)  # 1 + 9 = the global 10
    assert o_last.error is not None
    assert o_last.error.type == "rate_limited"


async def test_ratelimit_per_scope_counts_each_scope() -> None:
    runs: list[str] = []
    config = limited("1/minute", mode="refuse", per_scope=True)
    async with make_runtime(config, tool_log("ping", runs)) as rt:
        alice = await rt.execute(call(n=0), scope="alice")
        bob = await rt.execute(call(n=1), scope="bob")
        alice2 = await rt.execute(call(n=2), scope="alice")
    assert alice.ok
    assert bob.ok
    assert alice2.error is not None
    assert alice2.error.type == "rate_limited"


async def test_ratelimit_global_per_scope_counts_each_scope() -> None:
    runs: list[str] = []
    config = {
        "plugins": {PLUGIN_NAME: {"global_limit": "1/minute", "global_per_scope": True}},
        "tools": {"*": {"ratelimit": {"mode": "refuse"}}},
    }
    async with make_runtime(config, tool_log("ping", runs)) as rt:
        alice = await rt.execute(call(n=0), scope="alice")
        bob = await rt.execute(call(n=1), scope="bob")
        alice2 = await rt.execute(call(n=2), scope="alice")
    assert alice.ok
    assert bob.ok
    assert alice2.error is not None
    assert alice2.error.type == "rate_limited"
    assert runs == ["ping:0", "ping:1"]


async def test_ratelimit_unlimited_tools_get_no_limiter() -> None:
    runs: list[str] = []
    async with make_runtime(limited("1/minute"), tool_log("other", runs)) as rt:
        results = [await rt.execute(call("other", i)) for i in range(3)]
        assert rt.summary().get(PLUGIN_NAME) is None
    assert all(r.ok and r.rate_limit_wait_s == 0 for r in results)


def test_ratelimit_sync_and_async_calls_share_one_memory_limit() -> None:
    runs: list[str] = []
    with make_runtime(limited("2/minute", mode="refuse"), tool_log("ping", runs)) as rt:
        first = rt.execute_sync(call(n=0))
        import asyncio

        second = asyncio.run(rt.execute(call(n=1)))  # another loop, the same counter
        third = rt.execute_sync(call(n=2))
        summary = rt.summary()[PLUGIN_NAME]
    assert first.ok
    assert second.ok
    assert third.error is not None
    assert third.error.type == "rate_limited"
    assert summary == [{"tool": "ping", "admitted": 2, "waited": 0, "refused": 1, "unlimited": 0}]


def test_ratelimit_bad_settings_stop_start_up_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"tools\.ping\.ratelimit\.limit"):
        make_runtime(limited("ten per fortnight"))
    with pytest.raises(ConfigError, match=r"plugins\.toolhooks-ratelimit\.strategy"):
        make_runtime({"plugins": {PLUGIN_NAME: {"strategy": "token-bucket"}}})
    with pytest.raises(ConfigError, match=r"plugins\.toolhooks-ratelimit\.global_limit"):
        make_runtime({"plugins": {PLUGIN_NAME: {"global_limit": "x"}}})
    with pytest.raises(ConfigError, match=r"tools\.ping\.ratelimit\.mode"):
        make_runtime(limited("1/second", mode="sometimes"))


def test_ratelimit_entry_point_is_installed_and_can_be_disabled() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == PLUGIN_NAME]
    assert ep.load() is RateLimitPlugin
    with Runtime(Config({"enable": [PLUGIN_NAME]})) as rt:
        assert isinstance(rt.get_plugin(PLUGIN_NAME), RateLimitPlugin)
    with Runtime(Config({"enable": [PLUGIN_NAME], "disable": [PLUGIN_NAME]})) as rt:
        assert rt.get_plugin(PLUGIN_NAME) is None


def test_ratelimit_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolhooks_ratelimit.plugin\n"
        "heavy = [m for m in ('redis', 'limits') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
