"""Per-call overhead of toolhooks-logging, toolhooks-metrics and toolhooks-otel.

One runtime per configuration, an async no-op tool, calls run one after another on one event
loop; the figure is the median over several runs of (wall time / calls). The baseline is the same
runtime with no plugins, and the "honest minimum" is what any tool-call loop must do anyway:
``json.loads`` of the arguments, pydantic validation, the call, ``json.dumps`` of the result.

Run: ``uv run --all-packages python bench/bench_observability.py [--calls N] [--runs R]``.
OpenTelemetry rows use the SDK (a TracerProvider with a SimpleSpanProcessor and an exporter that
drops spans, a MeterProvider with an in-memory reader) when opentelemetry-sdk is installed, else
the API's no-op providers (said in the table).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import pydantic
import toolhooks
from toolhooks import Config, Runtime, ToolCall
from toolhooks_logging import JsonFormatter, LoggingPlugin
from toolhooks_metrics import MetricsPlugin
from toolhooks_otel import OtelPlugin

ARGS = '{"x": 42, "label": "bench"}'


async def noop(x: int, label: str = "") -> int:
    """Returns x."""
    return x


def otel_providers() -> tuple[Any, Any, str]:
    try:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            SimpleSpanProcessor,
            SpanExporter,
            SpanExportResult,
        )
    except ImportError:
        return None, None, "API no-op (opentelemetry-sdk not installed)"

    class Drop(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(Drop()))
    mp = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return tp, mp, "SDK, spans dropped at export"


async def honest_minimum(calls: int) -> float:
    class Args(pydantic.BaseModel):
        x: int
        label: str = ""

    start = time.perf_counter()
    for _ in range(calls):
        bound = Args.model_validate(json.loads(ARGS))
        value = await noop(bound.x, bound.label)
        json.dumps(value)
    return (time.perf_counter() - start) / calls


async def through_runtime(make: Callable[[], Runtime], calls: int) -> float:
    async with make() as rt:
        call = ToolCall("noop", ARGS, id="call_1")
        for _ in range(min(500, calls)):  # warm-up: per-tool set-up, caches
            await rt.execute(call)
        start = time.perf_counter()
        for _ in range(calls):
            await rt.execute(call)
        elapsed = time.perf_counter() - start
    return elapsed / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    opts = parser.parse_args()

    tool = toolhooks.tool(noop)
    tp, mp, otel_mode = otel_providers()
    calls_logger = logging.getLogger("toolhooks.calls")
    sink = logging.StreamHandler(io.StringIO())
    sink.setFormatter(JsonFormatter())

    def runtime(*plugins: object) -> Callable[[], Runtime]:
        return lambda: Runtime(Config(), tools=[tool], plugins=list(plugins), autoload=False)

    def otel() -> OtelPlugin:
        return OtelPlugin(tracer_provider=tp, meter_provider=mp)

    def otel_api_only() -> OtelPlugin:  # the API's no-op providers: the plugin's own cost
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.trace import NoOpTracerProvider

        return OtelPlugin(tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider())

    def quiet() -> None:  # the default: INFO records are not enabled, the plugin returns early
        calls_logger.handlers.clear()
        calls_logger.setLevel(logging.WARNING)
        calls_logger.propagate = False

    def emitting() -> None:  # every call formatted as a JSON line into memory
        calls_logger.handlers[:] = [sink]
        calls_logger.setLevel(logging.INFO)
        calls_logger.propagate = False

    cases: list[tuple[str, Callable[[], None], Callable[[], Runtime]]] = [
        ("no plugins", quiet, runtime()),
        ("logging (logger at WARNING: nothing emitted)", quiet, runtime(LoggingPlugin)),
        ("logging (INFO, JsonFormatter to memory)", emitting, runtime(LoggingPlugin)),
        ("metrics", quiet, runtime(MetricsPlugin)),
        (f"otel ({otel_mode})", quiet, lambda: runtime(otel())()),  # noqa: PLW0108 - a fresh plugin per runtime
        (
            "all three (logging quiet)",
            quiet,
            lambda: runtime(LoggingPlugin, MetricsPlugin, otel())(),  # noqa: PLW0108
        ),
        (
            "all three (logging emitting JSON)",
            emitting,
            lambda: runtime(LoggingPlugin, MetricsPlugin, otel())(),  # noqa: PLW0108
        ),
        (
            "all three (logging quiet, otel on the API without an SDK: the plugins' own cost)",
            quiet,
            lambda: runtime(LoggingPlugin, MetricsPlugin, otel_api_only())(),  # noqa: PLW0108
        ),
    ]

    async def measure() -> tuple[float, list[tuple[str, float]]]:
        minimum = statistics.median([await honest_minimum(opts.calls) for _ in range(opts.runs)])
        rows = []
        for name, setup, make in cases:
            setup()
            times = []
            for _ in range(opts.runs):
                sink.stream = io.StringIO()
                times.append(await through_runtime(make, opts.calls))
            rows.append((name, statistics.median(times)))
        return minimum, rows

    minimum, rows = asyncio.run(measure())
    base = rows[0][1]
    print(f"{opts.calls} sequential calls per run, median of {opts.runs} runs\n")
    print("| configuration | µs per call | overhead vs no plugins | × honest minimum |")
    print("| --- | ---: | ---: | ---: |")
    honest = "honest minimum (json.loads + pydantic + call + json.dumps)"
    print(f"| {honest} | {minimum * 1e6:.1f} | | 1.0 |")
    for name, t in rows:
        over = "" if name == "no plugins" else f"+{(t - base) * 1e6:.1f} µs"
        print(f"| {name} | {t * 1e6:.1f} | {over} | {t / minimum:.1f} |")


if __name__ == "__main__":
    main()
