from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import toolhooks
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from toolhooks import CallContext, Tool


@dataclass
class Otel:
    tracer_provider: TracerProvider
    spans: InMemorySpanExporter
    meter_provider: MeterProvider
    reader: InMemoryMetricReader


@pytest.fixture
def otel() -> Iterator[Otel]:
    spans = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    mp = MeterProvider(metric_readers=[reader])
    yield Otel(tp, spans, mp, reader)
    tp.shutdown()
    mp.shutdown()


class RetryPolicyForTests:
    async def run(self, ctx: CallContext, attempt: Callable[[], Awaitable[Any]]) -> Any:
        for i in range(1, 4):
            try:
                return await attempt()
            except Exception as exc:
                if i == 3:
                    raise
                await ctx.runtime.notify_retry(ctx, exc, 0.125)
        raise AssertionError("unreachable")


class RetryPlugin:
    toolhooks_plugin_name = "test-retry"

    @toolhooks.hookimpl
    def toolhooks_retry_policy(self, tool: Tool) -> RetryPolicyForTests:
        return RetryPolicyForTests()


@pytest.fixture
def retry_plugin() -> type[RetryPlugin]:
    return RetryPlugin
