"""The entry module of toolhooks-otel: the plugin class (one instance per runtime).

OpenTelemetry is imported in ``toolhooks_configure``, not here; the SDK is never imported by this
package (the application installs and configures it, or passes its own providers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks.redact import Redactor, loggable_arguments, to_json
from toolhooks.semconv import DURATION_BUCKETS, DURATION_METRIC

from toolhooks_otel.settings import OtelSettings

if TYPE_CHECKING:
    from contextvars import Token

    from opentelemetry.context.context import Context
    from opentelemetry.metrics import Histogram, MeterProvider
    from opentelemetry.trace import Span, Tracer, TracerProvider
    from toolhooks import CallContext, Config, ToolResult

__all__ = [
    "OTHER",
    "PLUGIN_NAME",
    "RETRY_EVENT",
    "OtelPlugin",
]

PLUGIN_NAME = "toolhooks-otel"
#: The span event recorded for each retried attempt.
RETRY_EVENT = "toolhooks.retry"
#: ``gen_ai.tool.name`` on the metric for calls to unknown tools (names the model made up).
OTHER = "_OTHER"

_SCOPE = "toolhooks_otel"


@dataclass(slots=True)
class _InFlight:
    span: Span | None
    token: Token[Context] | None
    start_ns: int
    t0: float


class OtelPlugin:
    """Traces each call as an ``execute_tool {tool}`` span and records its duration.

    :param settings: settings in code; when omitted they are read from
        ``[plugins.toolhooks-otel]`` in ``toolhooks_configure``.
    :param tracer_provider: the provider to trace with (default: the global one, as set by
        ``opentelemetry.trace.set_tracer_provider``).
    :param meter_provider: the provider to record metrics with (default: the global one).
    """

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(
        self,
        settings: OtelSettings | None = None,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        self._given = settings
        self.settings = settings or OtelSettings()
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._tracer: Tracer | None = None
        self._duration: Histogram | None = None
        self._redactor = Redactor()
        self._configured = False

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        if self._given is None:
            self.settings = config.plugin_settings(PLUGIN_NAME, OtelSettings)
        self._setup()

    def _setup(self) -> None:
        from importlib.metadata import version

        from opentelemetry import context, metrics, trace
        from opentelemetry.trace import Status, StatusCode

        self._context, self._trace = context, trace  # bound once: the per-call path reuses them
        self._error_status = (Status, StatusCode.ERROR)
        self._descriptions: dict[str, Any] = {}  # tool name -> redacted description
        self._metric_attributes: dict[tuple[str, str | None], dict[str, Any]] = {}
        s = self.settings
        ours = version("toolhooks-otel")
        self._redactor = Redactor(extra_keys=s.redact_keys, max_length=s.max_value_length)
        self._tracer = (
            trace.get_tracer(_SCOPE, ours, tracer_provider=self._tracer_provider)
            if s.traces
            else None
        )
        if s.metrics:
            meter = metrics.get_meter(_SCOPE, ours, meter_provider=self._meter_provider)
            self._duration = meter.create_histogram(
                DURATION_METRIC,
                unit="s",
                description="Duration of tool executions.",
                explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
            )
        else:
            self._duration = None
        self._configured = True

    # -- per call ----------------------------------------------------------------------------

    @toolhooks.hookimpl
    def toolhooks_call_started(self, ctx: CallContext) -> None:
        if not self._configured:
            self._setup()  # registered after start without a configure call
        start_ns = time.time_ns()
        t0 = time.perf_counter()
        tracer = self._tracer
        if tracer is None:
            ctx.state[PLUGIN_NAME] = _InFlight(None, None, start_ns, t0)
            return
        trace = self._trace
        tool = ctx.tool
        name = ctx.call.name
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name if tool is not None else name[:64],
            "gen_ai.tool.type": "function",
        }
        if ctx.call.id:
            attributes["gen_ai.tool.call.id"] = ctx.call.id
        if tool is not None and tool.description:
            description = self._descriptions.get(name)
            if description is None:
                description = self._descriptions[name] = self._redactor.redact(tool.description)
            attributes["gen_ai.tool.description"] = description
        span = tracer.start_span(
            f"execute_tool {name}" if tool is not None else "execute_tool",
            kind=trace.SpanKind.INTERNAL,
            attributes=attributes,
            start_time=start_ns,
        )
        # current while the call runs (same task from call_started to call_finished), so the
        # tool's own spans nest under it; sync tools run under a copy of this context
        token = self._context.attach(trace.set_span_in_context(span))
        ctx.state[PLUGIN_NAME] = _InFlight(span, token, start_ns, t0)

    @toolhooks.hookimpl
    def toolhooks_call_retrying(
        self, ctx: CallContext, error: BaseException, wait_s: float
    ) -> None:
        flight = ctx.state.get(PLUGIN_NAME)
        if flight is None or flight.span is None or not self.settings.record_retries:
            return
        flight.span.add_event(
            RETRY_EVENT,
            {
                "toolhooks.attempt": ctx.attempt,
                "toolhooks.retry.wait_s": wait_s,
                "error.type": toolhooks.error_type(error),
                "exception.type": type(error).__name__,
            },
        )

    @toolhooks.hookimpl
    def toolhooks_call_finished(self, ctx: CallContext, result: ToolResult) -> None:
        flight: _InFlight | None = ctx.state.pop(PLUGIN_NAME, None)
        if flight is None:
            return
        elapsed = time.perf_counter() - flight.t0
        err = result.error
        try:
            span = flight.span
            if span is not None:
                if span.is_recording():
                    self._finish_span(span, ctx, result)
                span.end(end_time=flight.start_ns + int(elapsed * 1e9))
        finally:
            if flight.token is not None:
                self._context.detach(flight.token)
        if self._duration is not None:
            tool_name = ctx.call.name if ctx.tool is not None else OTHER
            key = (tool_name, err.type if err is not None else None)
            attributes = self._metric_attributes.get(key)
            if attributes is None:  # a few distinct sets: tools x error types
                attributes = {
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": tool_name,
                    "gen_ai.tool.type": "function",
                }
                if err is not None:
                    attributes["error.type"] = err.type
                if len(self._metric_attributes) < 4096:
                    self._metric_attributes[key] = attributes
            self._duration.record(elapsed, attributes)

    def _finish_span(self, span: Span, ctx: CallContext, result: ToolResult) -> None:
        attributes: dict[str, Any] = {"toolhooks.attempts": result.attempts}
        if result.cache is not None:
            attributes["toolhooks.cache"] = result.cache
        if result.rate_limit_wait_s > 0:
            attributes["toolhooks.rate_limit_wait_s"] = result.rate_limit_wait_s
        if result.refused_by:
            attributes["toolhooks.refused_by"] = result.refused_by
        capture = self.settings.capture_content
        # arguments that are not a JSON object are quoted raw in the error message, where a
        # redactor (which judges values by their keys) cannot see a secret: no description then
        describe = False
        if capture:
            args = loggable_arguments(ctx.arguments, ctx.call.arguments)
            attributes["gen_ai.tool.call.arguments"] = to_json(self._redactor.redact(args))
            describe = isinstance(args, dict)
        err = result.error
        if err is None:
            if capture:
                attributes["gen_ai.tool.call.result"] = to_json(self._redactor.redact(result.value))
            span.set_attributes(attributes)  # one call: the SDK locks once per call
            return  # status stays unset: errors of retried attempts are not the call's
        attributes["error.type"] = err.type
        span.set_attributes(attributes)
        description = self._redactor.redact(err.message) if describe else None
        status, error = self._error_status
        span.set_status(status(error, description))
