from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from importlib.metadata import entry_points
from typing import Any

import pytest
import toolhooks
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from toolhooks import Config, Runtime, ToolCall
from toolhooks_metrics import MetricsPlugin, MetricsSettings

runs: dict[str, int] = {}

#: The GenAI conventions' bucket advice for gen_ai.execute_tool.duration, written out here so a
#: wrong constant in the code cannot pass.
CONVENTION_BUCKETS = (
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
)


@toolhooks.tool
async def ok(x: int = 0) -> int:
    """Always works."""
    return x


@toolhooks.tool
async def broken() -> int:
    """Always fails."""
    raise toolhooks.ToolTimeout("slow upstream")


@toolhooks.tool
async def flaky(key: str) -> str:
    """Fails twice per key, then works."""
    runs[key] = runs.get(key, 0) + 1
    if runs[key] < 3:
        raise toolhooks.TransientError("503")
    return "fine"


@toolhooks.tool
async def cached(q: str) -> str:
    """Cached."""
    return q.upper()


@toolhooks.tool
async def limited(deny: bool = False) -> str:
    """Rate limited."""
    return "in"


@toolhooks.tool
async def stale() -> str:
    """Fails; answered from a stale cache."""
    raise RuntimeError("down")


@toolhooks.tool
async def sometimes(fail: bool) -> str:
    """Fails when asked to."""
    if fail:
        raise toolhooks.TransientError("asked to fail")
    return "ok"


TOOLS = [ok, broken, flaky, cached, limited, stale, sometimes]


def make(config: dict[str, Any] | None = None, *plugins: object) -> Runtime:
    return Runtime(
        Config(config or {}), tools=TOOLS, plugins=[MetricsPlugin, *plugins], autoload=False
    )


def plugin_of(rt: Runtime) -> MetricsPlugin:
    plugin = rt.get_plugin("toolhooks-metrics")
    assert isinstance(plugin, MetricsPlugin)
    return plugin


async def workload(rt: Runtime) -> None:
    runs.clear()
    calls = [
        ToolCall("ok", '{"x": 1}', id="secret-call-id-1"),
        ToolCall("ok", '{"x": 2}'),
        ToolCall("ok", '{"forbidden": true}'),
        ToolCall("broken", "{}"),
        ToolCall("flaky", '{"key": "a"}'),
        ToolCall("cached", '{"q": "a"}'),
        ToolCall("cached", '{"q": "a"}'),
        ToolCall("limited", "{}"),
        ToolCall("limited", '{"deny": true}'),
        ToolCall("stale", "{}"),
        ToolCall("no_such_tool_1234", "{}"),
        ToolCall("ok", '{"x": "not a number"}'),
    ]
    for call in calls:
        await rt.execute(call)


def row(rows: list[dict[str, Any]], tool: str) -> dict[str, Any]:
    (found,) = [r for r in rows if r["tool"] == tool]
    return found


async def test_summary_counts_everything(infra: type) -> None:
    async with make(None, infra) as rt:
        await workload(rt)
        rows = plugin_of(rt).summary()
        assert rt.summary()["toolhooks-metrics"] == rows
    assert [r["tool"] for r in rows] == sorted(r["tool"] for r in rows)
    assert all(not isinstance(v, dict | list) for r in rows for v in r.values())  # flat
    o = row(rows, "ok")
    assert (o["calls"], o["ok"], o["errors"], o["rejected"]) == (4, 2, 2, 1)
    assert o["error_types"] == "invalid_arguments:1 refused:1"
    b = row(rows, "broken")
    assert (b["calls"], b["errors"], b["error_types"], b["retries"]) == (1, 1, "timeout:1", 0)
    f = row(rows, "flaky")
    assert (f["calls"], f["ok"], f["retries"]) == (1, 1, 2)
    c = row(rows, "cached")
    assert (c["cache_hits"], c["cache_misses"], c["cache_stale"], c["ok"]) == (1, 1, 0, 2)
    lim = row(rows, "limited")
    assert (lim["rate_limit_waits"], lim["rate_limit_wait_s"]) == (1, 0.5)
    assert lim["error_types"] == "rate_limited:1"
    s = row(rows, "stale")
    assert (s["ok"], s["errors"], s["cache_stale"]) == (1, 0, 1)
    other = row(rows, "_OTHER")
    assert other["error_types"] == "unknown_tool:1"
    assert not any("no_such_tool" in str(r) for r in rows)
    for r in rows:
        assert r["p50_ms"] is not None
        assert r["p50_ms"] <= r["p95_ms"] <= r["p99_ms"] <= r["max_ms"]


def samples(text: str) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append(s)
    return out


def value(found: dict[str, list[Sample]], name: str, **labels: str) -> float:
    (hit,) = [s for s in found.get(name, []) if s.labels == labels]
    return hit.value


LABELS = {
    "toolhooks_tool_calls_total": {"tool", "outcome", "error_type"},
    "toolhooks_tool_call_duration_seconds_bucket": {"tool", "outcome", "le"},
    "toolhooks_tool_call_duration_seconds_count": {"tool", "outcome"},
    "toolhooks_tool_call_duration_seconds_sum": {"tool", "outcome"},
    "toolhooks_tool_retries_total": {"tool", "error_type"},
    "toolhooks_cache_lookups_total": {"tool", "result"},
    "toolhooks_rate_limit_waits_total": {"tool"},
    "toolhooks_rate_limit_wait_seconds_total": {"tool"},
    "toolhooks_tool_refusals_total": {"tool", "plugin"},
}


async def test_prometheus_names_labels_and_values(infra: type) -> None:
    async with make(None, infra) as rt:
        await workload(rt)
        text = plugin_of(rt).exposition().decode()
    found = samples(text)
    assert set(found) == set(LABELS)
    types = {f.name: f.type for f in text_string_to_metric_families(text)}
    assert types == {
        "toolhooks_tool_calls": "counter",
        "toolhooks_tool_call_duration_seconds": "histogram",
        "toolhooks_tool_retries": "counter",
        "toolhooks_cache_lookups": "counter",
        "toolhooks_rate_limit_waits": "counter",
        "toolhooks_rate_limit_wait_seconds": "counter",
        "toolhooks_tool_refusals": "counter",
    }
    for name, want in LABELS.items():
        for s in found[name]:
            assert set(s.labels) == want, (name, s.labels)
    assert "secret-call-id" not in text
    assert "no_such_tool" not in text
    assert "not a number" not in text

    calls = "toolhooks_tool_calls_total"
    assert value(found, calls, tool="ok", outcome="ok", error_type="") == 2
    assert value(found, calls, tool="ok", outcome="rejected", error_type="refused") == 1
    assert value(found, calls, tool="ok", outcome="error", error_type="invalid_arguments") == 1
    assert value(found, calls, tool="broken", outcome="error", error_type="timeout") == 1
    assert value(found, calls, tool="cached", outcome="cached", error_type="") == 1
    assert value(found, calls, tool="stale", outcome="cached", error_type="") == 1
    # the core names the limiter's plugin in refused_by: a rejection, like a validator's
    assert value(found, calls, tool="limited", outcome="rejected", error_type="rate_limited") == 1
    assert value(found, "toolhooks_tool_refusals_total", tool="limited", plugin="test-infra") == 1
    assert value(found, calls, tool="_OTHER", outcome="error", error_type="unknown_tool") == 1
    assert sum(s.value for s in found[calls]) == 12

    assert value(found, "toolhooks_tool_retries_total", tool="flaky", error_type="transient") == 2
    lookups = "toolhooks_cache_lookups_total"
    assert value(found, lookups, tool="cached", result="hit") == 1
    assert value(found, lookups, tool="cached", result="miss") == 1
    assert value(found, lookups, tool="stale", result="stale") == 1
    assert value(found, "toolhooks_rate_limit_waits_total", tool="limited") == 1
    assert value(found, "toolhooks_rate_limit_wait_seconds_total", tool="limited") == 0.5
    assert value(found, "toolhooks_tool_refusals_total", tool="ok", plugin="test-infra") == 1

    bucket = "toolhooks_tool_call_duration_seconds_bucket"
    les = [s.labels["le"] for s in found[bucket] if s.labels["tool"] == "broken"]
    assert [float(x) for x in les[:-1]] == list(CONVENTION_BUCKETS)
    assert les[-1] == "+Inf"
    assert value(found, bucket, tool="broken", outcome="error", le="+Inf") == 1
    assert value(found, "toolhooks_tool_call_duration_seconds_count", tool="ok", outcome="ok") == 2
    cumulative = [s.value for s in found[bucket] if s.labels["tool"] == "flaky"]
    assert len(cumulative) == len(CONVENTION_BUCKETS) + 1
    assert cumulative == sorted(cumulative)


async def test_registry_is_per_instance_not_global() -> None:
    a, b = make(), make()
    async with a, b:
        await a.execute(ToolCall("ok", "{}"))
        found_a = samples(plugin_of(a).exposition().decode())
        found_b = samples(plugin_of(b).exposition().decode())
    assert value(found_a, "toolhooks_tool_calls_total", tool="ok", outcome="ok", error_type="") == 1
    assert "toolhooks_tool_calls_total" not in found_b
    assert plugin_of(a).registry() is not plugin_of(b).registry()
    assert not any(m.name.startswith("toolhooks") for m in REGISTRY.collect())


async def test_label_caps() -> None:
    settings = MetricsSettings(max_tools=2, max_error_types=1)
    async with Runtime(
        Config(), tools=TOOLS, plugins=[MetricsPlugin(settings)], autoload=False
    ) as rt:
        for name in ("ok", "cached", "limited", "broken"):
            await rt.execute(ToolCall(name, '{"q": "x"}' if name == "cached" else "{}"))
        await rt.execute(ToolCall("ok", '{"x": "bad"}'))
        rows = plugin_of(rt).summary()
    assert [r["tool"] for r in rows] == ["_OTHER", "cached", "ok"]
    assert row(rows, "_OTHER")["calls"] == 2  # limited, broken
    assert row(rows, "_OTHER")["error_types"] == "timeout:1"  # the one error_type slot
    assert row(rows, "ok")["error_types"] == "_OTHER:1"  # invalid_arguments came second


def test_scrape_over_http_and_shutdown() -> None:
    cfg = Config({"plugins": {"toolhooks-metrics": {"port": 0}}})
    rt = Runtime(cfg, tools=TOOLS, plugins=[MetricsPlugin], autoload=False)
    host, port = plugin_of(rt).server_address()
    assert (host, port != 0) == ("127.0.0.1", True)
    try:
        rt.execute_sync(ToolCall("ok", "{}"))
        rt.execute_sync(ToolCall("broken", "{}"))
        url = f"http://127.0.0.1:{port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
            text = resp.read().decode()
    finally:
        rt.close()
    found = samples(text)
    assert value(found, "toolhooks_tool_calls_total", tool="ok", outcome="ok", error_type="") == 1
    assert (
        value(found, "toolhooks_tool_call_duration_seconds_count", tool="broken", outcome="error")
        == 1
    )
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)
    with pytest.raises(RuntimeError, match="not running"):
        _ = plugin_of(rt).server_address()


def test_port_in_use_is_a_config_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        cfg = Config({"plugins": {"toolhooks-metrics": {"port": port}}})
        with pytest.raises(toolhooks.ConfigError, match=r"plugins\.toolhooks-metrics\.port"):
            Runtime(cfg, plugins=[MetricsPlugin], autoload=False)


async def test_failure_rate_alert_fires_once_per_crossing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="toolhooks.metrics")
    settings = {"alert_failure_rate": 0.5, "alert_window": 4, "alert_min_calls": 4}
    async with make({"plugins": {"toolhooks-metrics": settings}}) as rt:

        async def run(pattern: str) -> list[str]:
            caplog.clear()
            for ch in pattern:
                fail = "true" if ch == "x" else "false"
                await rt.execute(ToolCall("sometimes", f'{{"fail": {fail}}}'))
            return [r.getMessage() for r in caplog.records if r.name == "toolhooks.metrics"]

        assert await run("x.x") == []  # 3 calls: below alert_min_calls
        (first,) = await run("x")  # window x.xx: 75 %
        assert first.startswith("tool sometimes: ")
        assert "75% of the last 4 calls failed" in first
        assert await run("xx") == []  # still failing: no repeat
        recovered = await run("...")  # window x... : 25 %
        assert len(recovered) == 1
        assert "back to" in recovered[0]
        (again,) = await run("xx")  # window ..xx: 50 %
        assert "50% of the last 4 calls failed" in again
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[-1].toolhooks == {  # type: ignore[attr-defined]
        "event": "failure_rate_alert",
        "tool": "sometimes",
        "failure_rate": 0.5,
        "window": 4,
        "threshold": 0.5,
    }


async def test_no_alert_without_setting(caplog: pytest.LogCaptureFixture) -> None:
    async with make() as rt:
        for _ in range(30):
            await rt.execute(ToolCall("broken", "{}"))
        assert plugin_of(rt).tools()["broken"].window is None
    assert [r for r in caplog.records if r.name == "toolhooks.metrics"] == []


def test_disabled_in_config() -> None:
    rt = make({"disable": ["toolhooks-metrics"]})
    assert rt.get_plugin("toolhooks-metrics") is None
    assert "toolhooks-metrics" not in rt.summary()
    rt.close()


def test_bad_settings_name_the_key() -> None:
    with pytest.raises(toolhooks.ConfigError, match=r"toolhooks-metrics\.alert_failure_rate"):
        make({"plugins": {"toolhooks-metrics": {"alert_failure_rate": 1.5}}})


def test_entry_point_and_lazy_prometheus() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == "toolhooks-metrics"]
    assert ep.value == "toolhooks_metrics.plugin:MetricsPlugin"
    code = (
        "import sys, toolhooks\n"
        "def one() -> int:\n    return 1\n"
        "rt = toolhooks.Runtime(toolhooks.Config(), plugins=['toolhooks-metrics'], autoload=False,"
        " tools=[one])\n"
        "rt.execute_sync({'name': 'one', 'arguments': '{}'})\n"
        "print(sorted(rt.summary()), 'prometheus_client' in sys.modules)\n"
        "rt.get_plugin('toolhooks-metrics').exposition()\n"
        "print('prometheus_client' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.split("\n")[:2] == ["['toolhooks-metrics'] False", "True"], out.stderr


async def test_concurrent_calls_are_all_counted() -> None:
    async with make() as rt:
        await asyncio.gather(*(rt.execute(ToolCall("ok", "{}")) for _ in range(200)))
        await rt.execute_many([ToolCall("ok", "{}")] * 50)
        assert row(plugin_of(rt).summary(), "ok")["calls"] == 250
