from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import redis
import toolhooks
from toolhooks import Config, Runtime, ToolCall
from toolhooks_ratelimit import PLUGIN_NAME, RateLimitPlugin

from .conftest import REDIS_URL

UNREACHABLE = "redis://someone:s3cret@127.0.0.1:1/0"


def make_runtime(plugin: dict[str, Any], tool_cfg: dict[str, Any], *tools: Any) -> Runtime:
    config = {"plugins": {PLUGIN_NAME: plugin}, "tools": {"ping": {"ratelimit": tool_cfg}}}
    return Runtime(Config(config), tools=tools, plugins=[RateLimitPlugin], autoload=False)


def ping_tool(runs: list[int]) -> toolhooks.Tool:
    @toolhooks.tool
    def ping(n: int = 0) -> int:
        runs.append(n)
        return n

    return ping


def call(n: int = 0) -> ToolCall:
    return ToolCall("ping", f'{{"n": {n}}}', id=f"c{n}")


def our_connections() -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return sum(1 for c in client.client_list() if c.get("name") == "toolhooks-ratelimit")
    finally:
        client.close()


@pytest.mark.parametrize("strategy", ["moving-window", "fixed-window", "sliding-window-counter"])
async def test_ratelimit_redis_refuses_over_the_limit(redis_prefix: str, strategy: str) -> None:
    runs: list[int] = []
    plugin = {"storage_url": REDIS_URL, "key_prefix": redis_prefix, "strategy": strategy}
    async with make_runtime(plugin, {"limit": "3/minute", "mode": "refuse"}, ping_tool(runs)) as rt:
        results = [await rt.execute(call(i)) for i in range(4)]
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[3].error is not None
    assert results[3].error.type == "rate_limited"
    assert runs == [0, 1, 2]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert list(client.scan_iter(match=redis_prefix + "*"))  # the counts live in Redis
    finally:
        client.close()


async def test_ratelimit_redis_wait_mode(redis_prefix: str) -> None:
    runs: list[int] = []
    plugin = {"storage_url": REDIS_URL, "key_prefix": redis_prefix}
    async with make_runtime(plugin, {"limit": "2/second"}, ping_tool(runs)) as rt:
        results = [await rt.execute(call(i)) for i in range(3)]
    assert all(r.ok for r in results)
    assert runs == [0, 1, 2]
    assert results[1].rate_limit_wait_s == 0
    assert results[2].rate_limit_wait_s > 0


async def test_ratelimit_redis_connections_closed_at_shutdown(redis_prefix: str) -> None:
    before = our_connections()
    plugin = {"storage_url": REDIS_URL, "key_prefix": redis_prefix}
    rt = make_runtime(plugin, {"limit": "5/minute"}, ping_tool([]))
    assert (await rt.execute(call())).ok
    assert our_connections() > before
    await rt.aclose()
    assert our_connections() == before


def test_ratelimit_redis_execute_sync(redis_prefix: str) -> None:
    before = our_connections()
    plugin = {"storage_url": REDIS_URL, "key_prefix": redis_prefix}
    with make_runtime(plugin, {"limit": "1/minute", "mode": "refuse"}, ping_tool([])) as rt:
        assert rt.execute_sync(call(0)).ok
        assert not rt.execute_sync(call(1)).ok
    assert our_connections() == before


async def test_ratelimit_redis_unreachable_fails_open_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []
    plugin = {"storage_url": UNREACHABLE, "reconnect_after_s": 0}
    caplog.set_level(logging.WARNING, logger="toolhooks.ratelimit")
    async with make_runtime(plugin, {"limit": "1/minute", "mode": "refuse"}, ping_tool(runs)) as rt:
        results = [await rt.execute(call(i)) for i in range(3)]
        summary = rt.summary()[PLUGIN_NAME]
    assert all(r.ok for r in results)  # unlimited while the storage is down
    assert runs == [0, 1, 2]
    assert summary[0]["unlimited"] == 3
    records = [r for r in caplog.records if r.name == "toolhooks.ratelimit"]
    assert len(records) == 1
    text = records[0].getMessage()
    assert "redis://127.0.0.1:1/0" in text
    assert "s3cret" not in text
    assert "someone" not in text


async def test_ratelimit_redis_unreachable_fails_closed() -> None:
    runs: list[int] = []
    plugin = {"storage_url": UNREACHABLE, "fail_closed": True}
    async with make_runtime(plugin, {"limit": "100/minute"}, ping_tool(runs)) as rt:
        results = [await rt.execute(call(i)) for i in range(2)]
    assert runs == []
    for r in results:
        assert r.error is not None
        assert r.error.type == "unavailable"
        assert r.error.retryable
        assert r.error.retry_after_s is not None and r.error.retry_after_s >= 1.0
        assert "unavailable" in r.error.message
        assert r.refused_by == PLUGIN_NAME
        assert "127.0.0.1" not in r.content


SCRIPT = textwrap.dedent(
    """
    import json, sys
    import toolhooks
    from toolhooks import Config, Runtime, ToolCall
    from toolhooks_ratelimit import RateLimitPlugin

    url, prefix, go = sys.argv[1], sys.argv[2], sys.argv[3]

    @toolhooks.tool
    def ping(n: int = 0) -> int:
        return n

    cfg = Config({
        "plugins": {"toolhooks-ratelimit": {"storage_url": url, "key_prefix": prefix}},
        "tools": {"ping": {"ratelimit": {"limit": "5/minute", "mode": "refuse"}}},
    })
    with Runtime(cfg, tools=[ping], plugins=[RateLimitPlugin], autoload=False) as rt:
        rt.execute_sync(ToolCall("other", "{}"))  # warm up (imports) before the start line
        print("ready", flush=True)
        sys.stdin.readline()  # both processes start calling together
        results = [rt.execute_sync(ToolCall("ping", json.dumps({"n": i}))) for i in range(5)]
    print(json.dumps([r.ok for r in results]))
    """
)


def test_ratelimit_redis_shared_between_two_processes(tmp_path: Path, redis_prefix: str) -> None:
    script = tmp_path / "limit_proc.py"
    script.write_text(SCRIPT)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), REDIS_URL, redis_prefix, "go"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            assert p.stdout.readline().strip() == "ready"
        outs = [p.communicate("go\n", timeout=60)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    admitted = [json.loads(out.strip().splitlines()[-1]) for out in outs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(sum(a) for a in admitted) == 5  # one limit across both processes
    assert sum(len(a) for a in admitted) == 10
