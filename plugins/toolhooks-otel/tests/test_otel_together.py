"""The three observability plugins on one runtime, and each without the others."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
import toolhooks
from toolhooks import Config, Runtime, ToolCall
from toolhooks_logging import LoggingPlugin
from toolhooks_otel import OtelPlugin

if TYPE_CHECKING:
    from .conftest import Otel

import toolhooks_metrics as metrics


@toolhooks.tool
async def echo(text: str, api_key: str = "") -> str:
    """Echo."""
    if text == "fail":
        raise toolhooks.TransientError("no")
    return text


def build(otel: Otel, disable: list[str]) -> Runtime:
    plugins: list[object] = [
        LoggingPlugin,
        metrics.MetricsPlugin,
        OtelPlugin(tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider),
    ]
    return Runtime(
        Config({"disable": disable, "plugins": {"toolhooks-logging": {"log_arguments": True}}}),
        tools=[echo],
        plugins=plugins,
        autoload=False,
    )


async def run(rt: Runtime, caplog: pytest.LogCaptureFixture) -> list[Any]:
    caplog.clear()
    await rt.execute(ToolCall("echo", '{"text": "hi", "api_key": "SECRET"}', id="a"))
    await rt.execute(ToolCall("echo", '{"text": "fail"}', id="b"))
    return [r for r in caplog.records if r.name == "toolhooks.calls"]


@pytest.mark.parametrize(
    "disable",
    [
        [],
        ["toolhooks-logging"],
        ["toolhooks-metrics"],
        ["toolhooks-otel"],
        ["toolhooks-logging", "toolhooks-otel"],
    ],
)
async def test_each_works_with_and_without_the_others(
    otel: Otel, caplog: pytest.LogCaptureFixture, disable: list[str]
) -> None:
    caplog.set_level(logging.INFO, logger="toolhooks.calls")
    async with build(otel, disable) as rt:
        records = await run(rt, caplog)
        summary = rt.summary()
    # logging
    if "toolhooks-logging" in disable:
        assert records == []
    else:
        assert [r.toolhooks["outcome"] for r in records] == ["ok", "error"]  # type: ignore[attr-defined]
        assert records[0].toolhooks["arguments"]["api_key"] == "[REDACTED]"  # type: ignore[attr-defined]
    # metrics
    if "toolhooks-metrics" in disable:
        assert "toolhooks-metrics" not in summary
    else:
        (row,) = summary["toolhooks-metrics"]
        assert (row["tool"], row["calls"], row["ok"], row["errors"]) == ("echo", 2, 1, 1)
    # otel
    spans = [s for s in otel.spans.get_finished_spans() if s.name == "execute_tool echo"]
    if "toolhooks-otel" in disable:
        assert spans == []
    else:
        assert [s.attributes["gen_ai.tool.call.id"] for s in spans if s.attributes] == ["a", "b"]
