from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pytest
import toolhooks
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from toolhooks import Config, Runtime, ToolCall
from toolhooks_otel import OtelPlugin, OtelSettings

if TYPE_CHECKING:
    from .conftest import Otel

attempts: dict[str, int] = {}
#: the provider the nested tools make their own spans with (set per test)
providers: list[trace.TracerProvider] = []

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
async def weather(city: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Current weather for a city."""
    if city == "Nowhere":
        raise toolhooks.ToolTimeout("upstream too slow")
    return {"city": city, "api_token": "tok-RESULT"}


@toolhooks.tool
async def flaky(key: str, fail_always: bool = False) -> str:
    """Fails twice per key (or always)."""
    attempts[key] = attempts.get(key, 0) + 1
    if fail_always or attempts[key] < 3:
        raise toolhooks.TransientError("503")
    return "ok"


@toolhooks.tool
async def nested_async(tag: str) -> str:
    """Makes a span of its own."""
    with providers[-1].get_tracer("tool").start_as_current_span(f"inner {tag}"):
        await asyncio.sleep(0)
    return tag


@toolhooks.tool
def nested_sync(tag: str) -> str:
    """Makes a span of its own, in a worker thread."""
    with providers[-1].get_tracer("tool").start_as_current_span(f"inner {tag}"):
        return tag


TOOLS = [weather, flaky, nested_async, nested_sync]


def make(otel: Otel, settings: OtelSettings | None = None, *extra: object) -> Runtime:
    plugin = OtelPlugin(
        settings, tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider
    )
    return Runtime(Config(), tools=TOOLS, plugins=[plugin, *extra], autoload=False)


def tool_spans(otel: Otel) -> list[ReadableSpan]:
    return [s for s in otel.spans.get_finished_spans() if s.name.startswith("execute_tool")]


def duration_points(otel: Otel) -> list[Any]:
    data = otel.reader.get_metrics_data()
    assert data is not None
    out = []
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == "gen_ai.execute_tool.duration":
                    assert metric.unit == "s"
                    out.extend(metric.data.data_points)
    return out


async def test_ok_call_span(otel: Otel) -> None:
    async with make(otel) as rt:
        result = await rt.execute(ToolCall("weather", '{"city": "Paris"}', id="call_9"))
    assert result.ok
    (span,) = tool_spans(otel)
    assert span.name == "execute_tool weather"
    assert span.kind is SpanKind.INTERNAL
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.call.id": "call_9",
        "gen_ai.tool.description": "Current weather for a city.",
        "gen_ai.tool.type": "function",
        "toolhooks.attempts": 1,
    }
    assert span.status.status_code is StatusCode.UNSET
    assert span.events == ()
    assert span.parent is None
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "toolhooks_otel"


async def test_operation_name_is_given_at_creation(otel: Otel) -> None:
    seen: list[dict[str, Any]] = []

    from opentelemetry.sdk.trace import SpanProcessor

    class OnStart(SpanProcessor):
        def on_start(self, span: Any, parent_context: Any = None) -> None:
            seen.append(dict(span.attributes))

    otel.tracer_provider.add_span_processor(OnStart())
    async with make(otel) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
    assert seen[0]["gen_ai.operation.name"] == "execute_tool"
    assert seen[0]["gen_ai.tool.name"] == "weather"
    assert "gen_ai.tool.call.id" not in seen[0]  # no id given: no attribute


async def test_failed_call_records_error(otel: Otel) -> None:
    async with make(otel) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Nowhere"}'))
    (span,) = tool_spans(otel)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "timeout"
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None  # the message only with capture_content
    (point,) = duration_points(otel)
    assert dict(point.attributes) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.type": "function",
        "error.type": "timeout",
    }


async def test_retried_then_successful_is_not_an_error(otel: Otel, retry_plugin: type) -> None:
    attempts.clear()
    async with make(otel, None, retry_plugin) as rt:
        result = await rt.execute(ToolCall("flaky", '{"key": "a"}'))
    assert result.ok
    (span,) = tool_spans(otel)
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes is not None
    assert "error.type" not in span.attributes
    assert span.attributes["toolhooks.attempts"] == 3
    assert [e.name for e in span.events] == ["toolhooks.retry", "toolhooks.retry"]
    assert [dict(e.attributes or {}) for e in span.events] == [
        {
            "toolhooks.attempt": n,
            "toolhooks.retry.wait_s": 0.125,
            "error.type": "transient",
            "exception.type": "TransientError",
        }
        for n in (1, 2)
    ]
    (point,) = duration_points(otel)
    assert "error.type" not in point.attributes


async def test_retried_then_failed_is_an_error(otel: Otel, retry_plugin: type) -> None:
    async with make(otel, None, retry_plugin) as rt:
        await rt.execute(ToolCall("flaky", '{"key": "b", "fail_always": true}'))
    (span,) = tool_spans(otel)
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "transient"
    assert len(span.events) == 2


async def test_retry_events_can_be_off(otel: Otel, retry_plugin: type) -> None:
    attempts.clear()
    async with make(otel, OtelSettings(record_retries=False), retry_plugin) as rt:
        await rt.execute(ToolCall("flaky", '{"key": "c"}'))
    (span,) = tool_spans(otel)
    assert span.events == ()


@pytest.mark.parametrize("tool", ["nested_async", "nested_sync"])
async def test_nesting_caller_call_and_tool_spans(otel: Otel, tool: str) -> None:
    tracer = otel.tracer_provider.get_tracer("app")
    providers.append(otel.tracer_provider)
    async with make(otel) as rt:
        with tracer.start_as_current_span("agent turn") as caller:
            await rt.execute(ToolCall(tool, '{"tag": "t"}'))
            assert trace.get_current_span() is caller  # restored after the call
    (call_span,) = tool_spans(otel)
    assert call_span.parent is not None
    assert call_span.parent.span_id == caller.get_span_context().span_id
    assert call_span.context is not None
    assert call_span.context.trace_id == caller.get_span_context().trace_id
    (inner,) = [s for s in otel.spans.get_finished_spans() if s.name == "inner t"]
    assert inner.parent is not None
    assert inner.parent.span_id == call_span.context.span_id


async def test_tool_spans_nest_under_their_own_call_when_concurrent(otel: Otel) -> None:
    tracer = otel.tracer_provider.get_tracer("tool")

    @toolhooks.tool
    async def work(tag: str) -> str:
        """Yields while its span is open."""
        with tracer.start_as_current_span(f"inner {tag}"):
            for _ in range(3):
                await asyncio.sleep(0)
        return tag

    plugin = OtelPlugin(tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider)
    async with Runtime(Config(), tools=[work], plugins=[plugin], autoload=False) as rt:
        calls = [ToolCall("work", json.dumps({"tag": str(i)}), id=f"c{i}") for i in range(6)]
        await rt.execute_many(calls)
        assert trace.get_current_span() is trace.INVALID_SPAN
    spans = otel.spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    inner = [s for s in spans if s.name.startswith("inner ")]
    assert len(inner) == 6
    for s in inner:
        assert s.parent is not None
        parent = by_id[s.parent.span_id]
        assert parent.attributes is not None
        assert parent.attributes["gen_ai.tool.call.id"] == "c" + s.name.removeprefix("inner ")
    for s in tool_spans(otel):
        assert s.parent is None


async def test_duration_metric_matches_span(otel: Otel) -> None:
    async with make(otel) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
    (span,) = tool_spans(otel)
    (point,) = duration_points(otel)
    assert span.end_time is not None
    assert span.start_time is not None
    assert point.count == 1
    assert point.sum == pytest.approx((span.end_time - span.start_time) / 1e9, abs=2e-9)
    assert tuple(point.explicit_bounds) == CONVENTION_BUCKETS
    assert dict(point.attributes) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.type": "function",
    }


async def test_content_is_opt_in(otel: Otel) -> None:
    async with make(otel) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
    (span,) = tool_spans(otel)
    assert span.attributes is not None
    assert not [k for k in span.attributes if k.startswith("gen_ai.tool.call.a")]
    assert "gen_ai.tool.call.result" not in span.attributes


async def test_captured_content_is_redacted(otel: Otel) -> None:
    settings = OtelSettings(capture_content=True, redact_keys=["region"], max_value_length=13)
    args = {"city": "Paris", "options": {"headers": {"Authorization": "Bearer X1"}, "region": "eu"}}
    async with make(otel, settings) as rt:
        await rt.execute(ToolCall("weather", json.dumps(args)))
        await rt.execute(ToolCall("weather", '{"city": "Nowhere", "options": {"password": "P"}}'))
    ok, bad = tool_spans(otel)
    assert ok.attributes is not None
    assert json.loads(str(ok.attributes["gen_ai.tool.call.arguments"])) == {
        "city": "Paris",
        "options": {"headers": {"Authorization": "[REDACTED]"}, "region": "[REDACTED]"},
    }
    assert json.loads(str(ok.attributes["gen_ai.tool.call.result"])) == {
        "city": "Paris",
        "api_token": "[REDACTED]",
    }
    assert bad.attributes is not None
    assert "gen_ai.tool.call.result" not in bad.attributes
    assert (
        "P" not in json.loads(str(bad.attributes["gen_ai.tool.call.arguments"]))["options"].values()
    )
    assert bad.status.description == "upstream too ...[4 more chars]"


async def test_unparsable_arguments_never_reach_the_span(otel: Otel) -> None:
    async with make(otel, OtelSettings(capture_content=True)) as rt:
        await rt.execute(ToolCall("weather", '{"api_key": "SECRET-C", oops'))
    (span,) = tool_spans(otel)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "invalid_arguments"
    assert str(span.attributes["gen_ai.tool.call.arguments"]).startswith('"<unparsable: ')
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None  # the message quotes the raw text
    assert "SECRET-C" not in json.dumps(dict(span.attributes))


async def test_unknown_tool(otel: Otel) -> None:
    async with make(otel) as rt:
        await rt.execute(ToolCall("made_up_tool_42", "{}"))
    (span,) = tool_spans(otel)
    assert span.name == "execute_tool"
    assert span.attributes is not None
    assert span.attributes["gen_ai.tool.name"] == "made_up_tool_42"
    assert span.attributes["error.type"] == "unknown_tool"
    (point,) = duration_points(otel)
    assert point.attributes["gen_ai.tool.name"] == "_OTHER"


async def test_cancelled_call_ends_its_span_and_context(otel: Otel) -> None:
    started = asyncio.Event()

    @toolhooks.tool
    async def hang() -> str:
        """Waits forever."""
        started.set()
        await asyncio.Event().wait()
        return "never"

    plugin = OtelPlugin(tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider)
    async with Runtime(Config(), tools=[hang], plugins=[plugin], autoload=False) as rt:
        task = asyncio.ensure_future(rt.execute(ToolCall("hang", "{}")))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    (span,) = tool_spans(otel)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "cancelled"
    assert trace.get_current_span() is trace.INVALID_SPAN


async def test_switches_off_traces_and_metrics(otel: Otel) -> None:
    async with make(otel, OtelSettings(traces=False)) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
    assert tool_spans(otel) == []
    assert len(duration_points(otel)) == 1
    otel.reader.get_metrics_data()
    async with make(otel, OtelSettings(metrics=False)) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Lyon"}'))
    assert len(tool_spans(otel)) == 1
    (point,) = duration_points(otel)
    assert point.count == 1  # cumulative: the first runtime's call only


async def test_global_providers_by_default() -> None:
    # nothing set globally: the API's proxies; the call runs and nothing breaks
    async with Runtime(Config(), tools=TOOLS, plugins=[OtelPlugin], autoload=False) as rt:
        result = await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
        plugin = rt.get_plugin("toolhooks-otel")
    assert result.ok
    assert isinstance(plugin, OtelPlugin)


def test_config_settings_disable_and_bad_keys() -> None:
    rt = Runtime(
        Config({"plugins": {"toolhooks-otel": {"capture_content": True}}}),
        plugins=[OtelPlugin],
        autoload=False,
    )
    plugin = rt.get_plugin("toolhooks-otel")
    assert isinstance(plugin, OtelPlugin)
    assert plugin.settings.capture_content is True
    rt.close()
    rt = Runtime(Config({"disable": ["toolhooks-otel"]}), plugins=[OtelPlugin], autoload=False)
    assert rt.get_plugin("toolhooks-otel") is None
    rt.close()
    with pytest.raises(toolhooks.ConfigError, match=r"plugins\.toolhooks-otel\.capture"):
        Runtime(Config({"plugins": {"toolhooks-otel": {"capture": True}}}), plugins=[OtelPlugin])


def test_entry_point_and_no_sdk_import() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == "toolhooks-otel"]
    assert ep.value == "toolhooks_otel.plugin:OtelPlugin"
    code = (
        "import sys, toolhooks_otel.plugin\n"
        "print('opentelemetry' in sys.modules)\n"
        "import toolhooks\n"
        "def one() -> int:\n    return 1\n"
        "rt = toolhooks.Runtime(toolhooks.Config(), plugins=['toolhooks-otel'], autoload=False,"
        " tools=[one])\n"
        "print(rt.execute_sync({'name': 'one', 'arguments': '{}'}).ok)\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry.sdk')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.split("\n")[:3] == ["False", "True", "[]"], out.stderr
