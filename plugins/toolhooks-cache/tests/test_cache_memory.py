from __future__ import annotations

import asyncio
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest
import toolhooks
from toolhooks import Config, ConfigError, Runtime, ToolCall, TransientError
from toolhooks_cache import PLUGIN_NAME, CachePlugin, cache_key

from .conftest import FakeClock


def make_runtime(config: dict[str, Any] | None = None, *tools: Any) -> Runtime:
    return Runtime(Config(config or {}), tools=tools, plugins=[CachePlugin], autoload=False)


class Counter:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []


def lookup_tool(counter: Counter, **options: Any) -> toolhooks.Tool:
    @toolhooks.tool(**options)
    def lookup(city: str, units: str = "metric") -> dict[str, Any]:
        """Look a city up."""
        counter.calls.append({"city": city, "units": units})
        return {"city": city, "units": units, "n": len(counter.calls)}

    return lookup


def call(name: str, args: str) -> ToolCall:
    return ToolCall(name, args, id="c1")


# -- the key ------------------------------------------------------------------------------


def test_cache_key_is_canonical() -> None:
    a = cache_key("p:", "t", "h1", {"b": 1, "a": [1, 2]})
    assert a == cache_key("p:", "t", "h1", {"a": [1, 2], "b": 1})
    assert a.startswith("p:t:")
    assert a != cache_key("p:", "t", "h2", {"a": [1, 2], "b": 1})  # changed schema
    assert a != cache_key("p:", "t", "h1", {"a": [2, 1], "b": 1})
    assert a != cache_key("p:", "t", "h1", {"a": [1, 2], "b": 1}, "user-1")
    assert cache_key("p:", "t", "h1", {}, "u1") != cache_key("p:", "t", "h1", {}, "u2")
    with pytest.raises(TypeError):
        cache_key("p:", "t", "h1", {"x": object()})


# -- through a runtime ---------------------------------------------------------------------


async def test_cache_hit_skips_the_tool_and_keys_on_validated_arguments() -> None:
    counter = Counter()
    async with make_runtime(None, lookup_tool(counter)) as rt:
        first = await rt.execute(call("lookup", '{"city": "Oslo", "units": "metric"}'))
        # the same arguments in another order and spacing: the same key
        second = await rt.execute(call("lookup", '{ "units":"metric","city":"Oslo" }'))
        other = await rt.execute(call("lookup", '{"city": "Rome"}'))
    assert first.ok
    assert first.cache == "miss"
    assert first.attempts == 1
    assert second.cache == "hit"
    assert second.attempts == 0
    assert second.value == first.value == {"city": "Oslo", "units": "metric", "n": 1}
    assert other.cache == "miss"
    assert len(counter.calls) == 2


async def test_cache_scope_partitions_entries() -> None:
    counter = Counter()
    async with make_runtime(None, lookup_tool(counter)) as rt:
        a = await rt.execute(call("lookup", '{"city": "Oslo"}'), scope="alice")
        b = await rt.execute(call("lookup", '{"city": "Oslo"}'), scope="bob")
        a2 = await rt.execute(call("lookup", '{"city": "Oslo"}'), scope="alice")
    assert (a.cache, b.cache, a2.cache) == ("miss", "miss", "hit")
    assert len(counter.calls) == 2


async def test_cache_per_scope_false_shares_between_scopes() -> None:
    counter = Counter()
    config = {"tools": {"lookup": {"cache": {"per_scope": False}}}}
    async with make_runtime(config, lookup_tool(counter)) as rt:
        await rt.execute(call("lookup", '{"city": "Oslo"}'), scope="alice")
        b = await rt.execute(call("lookup", '{"city": "Oslo"}'), scope="bob")
    assert b.cache == "hit"


async def test_cache_tools_with_side_effects_are_not_cached_unless_opted_in() -> None:
    counter, counter2 = Counter(), Counter()
    writer = lookup_tool(counter, name="writer", side_effects=True)
    opted = lookup_tool(counter2, name="opted", side_effects=True)
    config = {"tools": {"opted": {"cache": {"enabled": True}}}}
    async with make_runtime(config, writer, opted) as rt:
        for _ in range(2):
            w = await rt.execute(call("writer", '{"city": "Oslo"}'))
            o = await rt.execute(call("opted", '{"city": "Oslo"}'))
    assert w.cache is None
    assert len(counter.calls) == 2
    assert o.cache == "hit"
    assert len(counter2.calls) == 1


async def test_cache_opt_out_per_tool_and_default_for_all() -> None:
    counter = Counter()
    config = {"tools": {"*": {"cache": {"enabled": False}}}}
    async with make_runtime(config, lookup_tool(counter)) as rt:
        await rt.execute(call("lookup", '{"city": "Oslo"}'))
        r = await rt.execute(call("lookup", '{"city": "Oslo"}'))
    assert r.cache is None
    assert len(counter.calls) == 2


async def test_cache_errors_are_never_cached() -> None:
    runs: list[int] = []

    @toolhooks.tool
    def flaky(x: int) -> int:
        runs.append(x)
        if len(runs) == 1:
            raise ValueError("boom")
        return x * 2

    async with make_runtime(None, flaky) as rt:
        first = await rt.execute(call("flaky", '{"x": 2}'))
        second = await rt.execute(call("flaky", '{"x": 2}'))
        third = await rt.execute(call("flaky", '{"x": 2}'))
    assert not first.ok
    assert first.error is not None
    assert first.error.type == "tool_error"
    assert second.ok
    assert second.cache == "miss"
    assert second.value == 4
    assert third.cache == "hit"
    assert len(runs) == 2


async def test_cache_entries_expire_after_their_ttl() -> None:
    counter = Counter()
    clock = FakeClock()
    config = {"tools": {"lookup": {"cache": {"ttl_s": 10}}}}
    async with make_runtime(config, lookup_tool(counter)) as rt:
        rt.get_plugin(PLUGIN_NAME).clock = clock
        await rt.execute(call("lookup", '{"city": "Oslo"}'))
        clock.now += 9.9
        hit = await rt.execute(call("lookup", '{"city": "Oslo"}'))
        clock.now += 0.2
        expired = await rt.execute(call("lookup", '{"city": "Oslo"}'))
    assert hit.cache == "hit"
    assert expired.cache == "miss"
    assert expired.value["n"] == 2


async def test_cache_memory_is_bounded() -> None:
    counter = Counter()
    config = {"plugins": {PLUGIN_NAME: {"max_entries": 2}}}
    async with make_runtime(config, lookup_tool(counter)) as rt:
        for city in ("A", "B", "C"):  # C evicts A (least recently used)
            await rt.execute(call("lookup", f'{{"city": "{city}"}}'))
        c = await rt.execute(call("lookup", '{"city": "C"}'))
        a = await rt.execute(call("lookup", '{"city": "A"}'))
    assert c.cache == "hit"
    assert a.cache == "miss"
    assert len(counter.calls) == 4


async def test_cache_values_too_large_are_not_cached() -> None:
    counter = Counter()
    config = {"plugins": {PLUGIN_NAME: {"max_value_bytes": 10}}}
    async with make_runtime(config, lookup_tool(counter)) as rt:
        await rt.execute(call("lookup", '{"city": "Oslo"}'))
        r = await rt.execute(call("lookup", '{"city": "Oslo"}'))
    assert r.cache == "miss"
    assert len(counter.calls) == 2


async def test_cache_hit_returns_an_independent_copy() -> None:
    @toolhooks.tool
    def items() -> list[int]:
        return [1, 2]

    async with make_runtime(None, items) as rt:
        await rt.execute(call("items", "{}"))
        hit = await rt.execute(call("items", "{}"))
        hit.value.append(3)
        again = await rt.execute(call("items", "{}"))
    assert again.value == [1, 2]


def test_cache_execute_sync_uses_the_same_cache() -> None:
    counter = Counter()
    with make_runtime(None, lookup_tool(counter)) as rt:
        rt.execute_sync(call("lookup", '{"city": "Oslo"}'))
        r = rt.execute_sync(call("lookup", '{"city": "Oslo"}'))
    assert r.cache == "hit"
    assert len(counter.calls) == 1


# -- single flight -------------------------------------------------------------------------


class Gated:
    """An async tool that blocks on an event and counts its executions."""

    def __init__(self, fail_first: bool = False) -> None:
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self.executions = 0
        self.fail_first = fail_first

        @toolhooks.tool(name="gated")
        async def gated(q: str) -> dict[str, Any]:
            self.executions += 1
            n = self.executions
            self.started.set()
            await self.gate.wait()
            if self.fail_first and n == 1:
                raise TransientError("upstream is down")
            return {"q": q, "run": n}

        self.tool = gated


async def wait_for_waiters(rt: Runtime, n: int) -> None:
    for _ in range(10_000):  # yields to the loop, bounded: fails instead of hanging
        flights = rt.get_plugin(PLUGIN_NAME).flights
        if flights is not None and flights.waiting() >= n:
            return
        await asyncio.sleep(0)
    pytest.fail(f"{n} callers never waited on the single flight")


async def test_cache_single_flight_runs_identical_calls_once() -> None:
    g = Gated()
    async with make_runtime(None, g.tool) as rt:
        tasks = [asyncio.ensure_future(rt.execute(call("gated", '{"q": "x"}'))) for _ in range(5)]
        other = asyncio.ensure_future(rt.execute(call("gated", '{"q": "y"}')))
        await g.started.wait()
        await wait_for_waiters(rt, 4)
        g.gate.set()
        results = await asyncio.gather(*tasks)
        await other
    assert g.executions == 2  # one for "x", one for "y"
    assert sorted(r.cache or "" for r in results) == ["hit", "hit", "hit", "hit", "miss"]
    assert all(r.ok for r in results)
    assert len({r.content for r in results}) == 1
    assert len(rt.get_plugin(PLUGIN_NAME).flights) == 0


async def test_cache_single_flight_waiter_takes_over_when_the_leader_fails() -> None:
    g = Gated(fail_first=True)
    async with make_runtime(None, g.tool) as rt:
        tasks = [asyncio.ensure_future(rt.execute(call("gated", '{"q": "x"}'))) for _ in range(4)]
        await g.started.wait()
        await wait_for_waiters(rt, 3)
        g.gate.set()
        results = await asyncio.gather(*tasks)
    assert g.executions == 2
    failed = [r for r in results if not r.ok]
    assert len(failed) == 1
    assert failed[0].error is not None
    assert failed[0].error.type == "transient"
    ok = [r for r in results if r.ok]
    assert [r.value["run"] for r in ok] == [2, 2, 2]
    assert sorted(r.cache or "" for r in ok) == ["hit", "hit", "miss"]


async def test_cache_single_flight_cancelled_leader_releases_waiters() -> None:
    g = Gated()
    async with make_runtime(None, g.tool) as rt:
        leader = asyncio.ensure_future(rt.execute(call("gated", '{"q": "x"}')))
        await g.started.wait()
        follower = asyncio.ensure_future(rt.execute(call("gated", '{"q": "x"}')))
        await wait_for_waiters(rt, 1)
        g.started.clear()
        leader.cancel()
        await g.started.wait()  # the follower leads now and runs the tool
        g.gate.set()
        result = await follower
        with pytest.raises(asyncio.CancelledError):
            await leader
    assert g.executions == 2
    assert result.ok
    assert result.cache == "miss"
    assert result.value["run"] == 2


async def test_cache_single_flight_cancelled_waiter_leaves_the_leader_alone() -> None:
    g = Gated()
    async with make_runtime(None, g.tool) as rt:
        leader = asyncio.ensure_future(rt.execute(call("gated", '{"q": "x"}')))
        await g.started.wait()
        follower = asyncio.ensure_future(rt.execute(call("gated", '{"q": "x"}')))
        await wait_for_waiters(rt, 1)
        follower.cancel()
        with pytest.raises(asyncio.CancelledError):
            await follower
        flights = rt.get_plugin(PLUGIN_NAME).flights
        assert flights.waiting() == 0  # the cancelled waiter is gone from the flight
        g.gate.set()
        first = await leader
        again = await rt.execute(call("gated", '{"q": "x"}'))
    assert g.executions == 1
    assert first.ok
    assert first.cache == "miss"
    assert again.cache == "hit"
    assert len(flights) == 0


# -- stale on failure ----------------------------------------------------------------------


def stale_tool(fail: list[BaseException | None]) -> toolhooks.Tool:
    @toolhooks.tool
    def quote(sym: str) -> dict[str, Any]:
        exc = fail[0]
        if exc is not None:
            raise exc
        return {"sym": sym, "price": 1}

    return quote


async def test_cache_serves_stale_after_a_transient_failure() -> None:
    fail: list[BaseException | None] = [None]
    clock = FakeClock()
    config = {"tools": {"quote": {"cache": {"ttl_s": 10, "serve_stale": True, "stale_ttl_s": 60}}}}
    async with make_runtime(config, stale_tool(fail)) as rt:
        rt.get_plugin(PLUGIN_NAME).clock = clock
        await rt.execute(call("quote", '{"sym": "X"}'))
        clock.now += 30
        fail[0] = TransientError("upstream 503")
        stale = await rt.execute(call("quote", '{"sym": "X"}'))
        fail[0] = ValueError("a bug")  # tool_error is not in stale_on
        bug = await rt.execute(call("quote", '{"sym": "X"}'))
        fail[0] = TransientError("upstream 503")
        never = await rt.execute(call("quote", '{"sym": "Y"}'))  # nothing cached
        clock.now += 41  # past the stale window
        too_old = await rt.execute(call("quote", '{"sym": "X"}'))
    assert stale.ok
    assert stale.cache == "stale"
    assert stale.value == {"sym": "X", "price": 1}
    assert bug.error is not None
    assert bug.error.type == "tool_error"
    assert never.error is not None
    assert never.error.type == "transient"
    assert too_old.error is not None
    assert too_old.error.type == "transient"


async def test_cache_does_not_serve_stale_unless_configured() -> None:
    fail: list[BaseException | None] = [None]
    clock = FakeClock()
    config = {"tools": {"quote": {"cache": {"ttl_s": 10}}}}
    async with make_runtime(config, stale_tool(fail)) as rt:
        rt.get_plugin(PLUGIN_NAME).clock = clock
        await rt.execute(call("quote", '{"sym": "X"}'))
        clock.now += 11
        fail[0] = TransientError("upstream 503")
        r = await rt.execute(call("quote", '{"sym": "X"}'))
    assert r.error is not None
    assert r.error.type == "transient"


# -- config, loading -----------------------------------------------------------------------


def test_cache_bad_settings_stop_start_up_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"plugins\.toolhooks-cache\.max_entrys"):
        make_runtime({"plugins": {PLUGIN_NAME: {"max_entrys": 3}}})
    with pytest.raises(ConfigError, match="url"):
        make_runtime({"plugins": {PLUGIN_NAME: {"url": "http://x"}}})
    with pytest.raises(ConfigError, match=r"tools\.lookup\.cache\.ttl_s"):
        make_runtime({"tools": {"lookup": {"cache": {"ttl_s": 0}}}})


def test_cache_entry_point_is_installed_and_can_be_disabled() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == PLUGIN_NAME]
    assert ep.load() is CachePlugin
    with Runtime(Config({"enable": [PLUGIN_NAME]})) as rt:
        assert isinstance(rt.get_plugin(PLUGIN_NAME), CachePlugin)
    with Runtime(Config({"enable": [PLUGIN_NAME], "disable": [PLUGIN_NAME]})) as rt:
        assert rt.get_plugin(PLUGIN_NAME) is None
        (info,) = [p for p in rt.plugins if p.name == PLUGIN_NAME]
        assert info.status == "disabled"


def test_cache_each_runtime_has_its_own_cache() -> None:
    counter = Counter()
    t = lookup_tool(counter)
    for _ in range(2):
        with make_runtime(None, t) as rt:
            r = rt.execute_sync(call("lookup", '{"city": "Oslo"}'))
            assert r.cache == "miss"
    assert len(counter.calls) == 2


def test_cache_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolhooks_cache.plugin\n"
        "heavy = [m for m in ('redis', 'cachetools') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


async def test_a_tool_marked_not_cacheable_is_left_alone_unless_config_opts_in() -> None:
    runs = 0

    @toolhooks.tool(cacheable=False)
    def clock() -> int:
        """The current tick."""
        nonlocal runs
        runs += 1
        return runs

    call = toolhooks.ToolCall("clock", "{}", "c")
    async with toolhooks.Runtime(
        toolhooks.Config({}), tools=[clock], plugins=[CachePlugin], autoload=False
    ) as runtime:
        first, second = await runtime.execute(call), await runtime.execute(call)
    assert (first.value, second.value) == (1, 2) and first.cache is None
    opted_in = toolhooks.Config({"tools": {"clock": {"cache": {"enabled": True}}}})
    async with toolhooks.Runtime(
        opted_in, tools=[clock], plugins=[CachePlugin], autoload=False
    ) as runtime:
        third, fourth = await runtime.execute(call), await runtime.execute(call)
    assert (third.value, fourth.value, fourth.cache) == (3, 3, "hit")
