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
from toolhooks_cache import PLUGIN_NAME, CachePlugin

from .conftest import REDIS_URL

UNREACHABLE = "redis://someone:s3cret@127.0.0.1:1/0"


def make_runtime(plugin_settings: dict[str, Any], *tools: Any) -> Runtime:
    config = {"plugins": {PLUGIN_NAME: plugin_settings}}
    return Runtime(Config(config), tools=tools, plugins=[CachePlugin], autoload=False)


def counting_tool(runs: list[str]) -> toolhooks.Tool:
    @toolhooks.tool
    def fetch(url: str) -> dict[str, Any]:
        runs.append(url)
        return {"url": url, "run": len(runs)}

    return fetch


def call(args: str) -> ToolCall:
    return ToolCall("fetch", args, id="c1")


def our_connections() -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return sum(1 for c in client.client_list() if c.get("name") == "toolhooks-cache")
    finally:
        client.close()


async def test_cache_redis_hit_and_entry_is_json(redis_prefix: str) -> None:
    runs: list[str] = []
    settings = {"url": REDIS_URL, "key_prefix": redis_prefix}
    async with make_runtime(settings, counting_tool(runs)) as rt:
        first = await rt.execute(call('{"url": "a"}'))
        second = await rt.execute(call('{"url": "a"}'))
        scoped = await rt.execute(call('{"url": "a"}'), scope="u1")
    assert (first.cache, second.cache, scoped.cache) == ("miss", "hit", "miss")
    assert second.value == first.value == {"url": "a", "run": 1}
    assert runs == ["a", "a"]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = sorted(client.scan_iter(match=redis_prefix + "*"))
        assert len(keys) == 2
        assert all(k.decode().startswith(redis_prefix + "fetch:") for k in keys)
        entry = json.loads(client.get(keys[0]) or b"")  # JSON, never pickle
        assert set(entry) == {"fresh_until", "stale_until", "value"}
        assert 0 < client.pttl(keys[0]) <= 300_000
    finally:
        client.close()


async def test_cache_redis_connections_closed_at_shutdown(redis_prefix: str) -> None:
    before = our_connections()
    rt = make_runtime({"url": REDIS_URL, "key_prefix": redis_prefix}, counting_tool([]))
    await rt.execute(call('{"url": "a"}'))
    assert our_connections() > before
    await rt.aclose()
    assert our_connections() == before


def test_cache_redis_with_execute_sync_and_close(redis_prefix: str) -> None:
    runs: list[str] = []
    before = our_connections()
    with make_runtime({"url": REDIS_URL, "key_prefix": redis_prefix}, counting_tool(runs)) as rt:
        rt.execute_sync(call('{"url": "a"}'))
        r = rt.execute_sync(call('{"url": "a"}'))
        assert r.cache == "hit"
    assert runs == ["a"]
    assert our_connections() == before


async def test_cache_redis_unreachable_fails_open_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[str] = []
    settings = {"url": UNREACHABLE, "reconnect_after_s": 0}
    caplog.set_level(logging.WARNING, logger="toolhooks.cache")
    async with make_runtime(settings, counting_tool(runs)) as rt:
        results = [await rt.execute(call('{"url": "a"}')) for _ in range(3)]
    assert all(r.ok and r.cache == "miss" for r in results)
    assert runs == ["a", "a", "a"]  # bypassed: every call ran
    warnings = [r for r in caplog.records if r.name == "toolhooks.cache"]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert "redis://127.0.0.1:1/0" in text
    assert "s3cret" not in text
    assert "someone" not in text


async def test_cache_redis_unreachable_fails_closed() -> None:
    runs: list[str] = []
    settings = {"url": UNREACHABLE, "fail_closed": True}
    async with make_runtime(settings, counting_tool(runs)) as rt:
        r = await rt.execute(call('{"url": "a"}'))
        again = await rt.execute(call('{"url": "a"}'))  # inside reconnect_after_s: no new try
    assert runs == []
    for res in (r, again):
        assert res.error is not None
        assert res.error.type == "unavailable"
        assert res.error.retryable
        assert res.error.retry_after_s is not None and res.error.retry_after_s >= 1.0
        assert "cache is unavailable" in res.error.message
        assert "127.0.0.1" not in res.content
        assert "s3cret" not in res.content


SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import toolhooks
    from toolhooks import Config, Runtime, ToolCall
    from toolhooks_cache import CachePlugin

    url, prefix = sys.argv[1], sys.argv[2]

    @toolhooks.tool
    def whoami(q: str) -> dict:
        return {"q": q, "pid": os.getpid()}

    cfg = Config({"plugins": {"toolhooks-cache": {"url": url, "key_prefix": prefix}}})
    with Runtime(cfg, tools=[whoami], plugins=[CachePlugin], autoload=False) as rt:
        r = rt.execute_sync(ToolCall("whoami", '{"q": "x"}', id="1"))
    print(json.dumps({"pid": os.getpid(), "cache": r.cache, "value": r.value}))
    """
)


def test_cache_redis_shared_between_two_processes(tmp_path: Path, redis_prefix: str) -> None:
    script = tmp_path / "cache_proc.py"
    script.write_text(SCRIPT)

    def run() -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, str(script), REDIS_URL, redis_prefix],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    a = run()
    b = run()
    assert a["pid"] != b["pid"]
    assert a["cache"] == "miss"
    assert a["value"]["pid"] == a["pid"]
    assert b["cache"] == "hit"
    assert b["value"] == a["value"]
