"""The entry module of toolhooks-metrics: the plugin class (one instance per runtime).

Nothing heavy here: prometheus_client is imported on the first scrape, ``registry`` access or when
the /metrics server starts.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks.semconv import DURATION_BUCKETS

from toolhooks_metrics.histogram import LogHistogram
from toolhooks_metrics.settings import MetricsSettings

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry
    from toolhooks import CallContext, Config, ToolResult

__all__ = ["OTHER", "PLUGIN_NAME", "MetricsPlugin", "outcome_of"]

PLUGIN_NAME = "toolhooks-metrics"
#: The label value for tools and error types past the caps, and for unknown tools.
OTHER = "_OTHER"
OUTCOMES = ("ok", "cached", "rejected", "error")

log = logging.getLogger("toolhooks.metrics")


def outcome_of(result: ToolResult) -> str:
    """``ok``, ``cached`` (a cache hit, or a stale cached value after a failure), ``rejected``
    (a plugin refused the call: ``refused_by`` is set) or ``error``."""
    if result.error is None:
        return "cached" if result.cache in ("hit", "stale") else "ok"
    return "rejected" if result.refused_by else "error"


class _Buckets:
    """Non-cumulative counts per :data:`DURATION_BUCKETS` bound (+Inf last) and their sum."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)
        self.sum = 0.0


class ToolStats:
    """What one tool (one label value) has seen. Read it under the plugin's lock."""

    __slots__ = (
        "alerting",
        "cache",
        "calls",
        "durations",
        "latency",
        "outcomes",
        "rate_limit_wait_s",
        "rate_limit_waits",
        "refusals",
        "retries",
        "window",
        "window_failures",
    )

    def __init__(self, window: int | None) -> None:
        self.calls = 0
        self.outcomes: dict[tuple[str, str], int] = {}  # (outcome, error_type) -> calls
        self.durations: dict[str, _Buckets] = {}  # outcome -> buckets
        self.latency = LogHistogram()
        self.retries: dict[str, int] = {}  # error_type -> retries
        self.cache = {"hit": 0, "miss": 0, "stale": 0}
        self.rate_limit_waits = 0
        self.rate_limit_wait_s = 0.0
        self.refusals: dict[str, int] = {}  # plugin -> calls
        self.window: deque[bool] | None = deque(maxlen=window) if window else None
        self.window_failures = 0
        self.alerting = False

    def row(self, tool: str) -> dict[str, Any]:
        errors = {
            t: n for (outcome, t), n in self.outcomes.items() if outcome in ("error", "rejected")
        }
        ok = sum(n for (o, _t), n in self.outcomes.items() if o in ("ok", "cached"))

        def ms(q: float) -> float | None:
            v = self.latency.quantile(q)
            return None if v is None else round(v * 1000, 3)

        return {
            "tool": tool,
            "calls": self.calls,
            "ok": ok,
            "errors": sum(errors.values()),
            "error_types": " ".join(f"{t}:{n}" for t, n in sorted(errors.items())),
            "rejected": sum(self.refusals.values()),
            "retries": sum(self.retries.values()),
            "cache_hits": self.cache["hit"],
            "cache_stale": self.cache["stale"],
            "cache_misses": self.cache["miss"],
            "rate_limit_waits": self.rate_limit_waits,
            "rate_limit_wait_s": round(self.rate_limit_wait_s, 6),
            "p50_ms": ms(0.5),
            "p95_ms": ms(0.95),
            "p99_ms": ms(0.99),
            "max_ms": round(self.latency.max * 1000, 3) if self.latency.count else None,
        }


class MetricsPlugin:
    """Counts calls per tool and exposes them as data (:meth:`summary`) and to Prometheus.

    :param settings: settings in code; when omitted they are read from
        ``[plugins.toolhooks-metrics]`` in ``toolhooks_configure``.
    """

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self, settings: MetricsSettings | None = None) -> None:
        self._given = settings
        self.settings = settings or MetricsSettings()
        #: Held while a call is counted; hold it to read :meth:`tools` consistently (the
        #: /metrics server reads from its own thread).
        self.lock = threading.Lock()
        self._tools: dict[str, ToolStats] = {}
        self._error_types: set[str] = set()
        self._registry: CollectorRegistry | None = None
        self._server: Any = None
        self._server_thread: threading.Thread | None = None

    # -- set-up ------------------------------------------------------------------------------

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        if self._given is None:
            self.settings = config.plugin_settings(PLUGIN_NAME, MetricsSettings)
        if self.settings.port is not None and self._server is None:
            self._start_server(config)

    def _start_server(self, config: Config) -> None:
        from prometheus_client import start_http_server

        s = self.settings
        try:
            self._server, self._server_thread = start_http_server(
                s.port or 0, addr=s.addr, registry=self.registry()
            )
        except OSError as exc:
            raise toolhooks.ConfigError(
                f"cannot serve /metrics on {s.addr}:{s.port}: {exc.strerror or exc}",
                path=config.path,
                key=f"plugins.{PLUGIN_NAME}.port",
            ) from None
        log.info("serving Prometheus metrics on http://%s:%d/metrics", *self.server_address())

    def server_address(self) -> tuple[str, int]:
        """``(host, port)`` of the /metrics server (the real port when ``port = 0``)."""
        if self._server is None:
            raise RuntimeError("the /metrics server is not running (set `port`)")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @toolhooks.hookimpl
    def toolhooks_shutdown(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._server_thread is not None:
            self._server_thread.join(timeout=5)
            self._server_thread = None

    # -- per call ----------------------------------------------------------------------------

    def _label(self, ctx: CallContext) -> str:
        if ctx.tool is None:
            return OTHER  # an unknown tool: the name came from the model, unbounded
        name = ctx.call.name
        if name in self._tools or len(self._tools) < self.settings.max_tools:
            return name
        return OTHER

    def _stats(self, ctx: CallContext) -> ToolStats:
        tool = self._label(ctx)
        stats = self._tools.get(tool)
        if stats is None:
            s = self.settings
            stats = self._tools[tool] = ToolStats(s.alert_window if s.alert_failure_rate else None)
        return stats

    def _error_label(self, error_type: str) -> str:
        if error_type in self._error_types:
            return error_type
        if len(self._error_types) < self.settings.max_error_types:
            self._error_types.add(error_type)
            return error_type
        return OTHER

    @toolhooks.hookimpl
    def toolhooks_call_finished(self, ctx: CallContext, result: ToolResult) -> None:
        outcome = outcome_of(result)
        seconds = result.duration_s
        with self.lock:
            stats = self._stats(ctx)
            error_type = "" if result.error is None else self._error_label(result.error.type)
            stats.calls += 1
            key = (outcome, error_type)
            stats.outcomes[key] = stats.outcomes.get(key, 0) + 1
            buckets = stats.durations.get(outcome)
            if buckets is None:
                buckets = stats.durations[outcome] = _Buckets()
            buckets.counts[bisect.bisect_left(DURATION_BUCKETS, seconds)] += 1
            buckets.sum += seconds
            stats.latency.record(seconds)
            if result.cache is not None:
                stats.cache[result.cache] += 1
            if result.rate_limit_wait_s > 0:
                stats.rate_limit_waits += 1
                stats.rate_limit_wait_s += result.rate_limit_wait_s
            if result.refused_by:
                stats.refusals[result.refused_by] = stats.refusals.get(result.refused_by, 0) + 1
            if stats.window is not None:
                self._check_alert(ctx, stats, outcome == "error")

    def _check_alert(self, ctx: CallContext, stats: ToolStats, failed: bool) -> None:
        window = stats.window
        assert window is not None
        if len(window) == window.maxlen and window[0]:
            stats.window_failures -= 1
        window.append(failed)
        stats.window_failures += failed
        threshold = self.settings.alert_failure_rate
        assert threshold is not None
        rate = stats.window_failures / len(window)
        if len(window) >= self.settings.alert_min_calls and rate >= threshold:
            if not stats.alerting:
                stats.alerting = True
                log.warning(
                    "tool %s: %.0f%% of the last %d calls failed (alert level %.0f%%)",
                    self._label(ctx),
                    rate * 100,
                    len(window),
                    threshold * 100,
                    extra={
                        "toolhooks": {
                            "event": "failure_rate_alert",
                            "tool": self._label(ctx),
                            "failure_rate": round(rate, 4),
                            "window": len(window),
                            "threshold": threshold,
                        }
                    },
                )
        elif stats.alerting and rate < threshold:
            stats.alerting = False
            log.info("tool %s: failure rate back to %.0f%%", self._label(ctx), rate * 100)

    @toolhooks.hookimpl
    def toolhooks_call_retrying(self, ctx: CallContext, error: BaseException) -> None:
        with self.lock:
            stats = self._stats(ctx)
            error_type = self._error_label(toolhooks.error_type(error))
            stats.retries[error_type] = stats.retries.get(error_type, 0) + 1

    # -- reading -----------------------------------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        """One flat dict per tool (sorted by tool): counts, error types, retries, cache,
        rate-limit waits, refusals and latency percentiles in milliseconds."""
        with self.lock:
            return [self._tools[t].row(t) for t in sorted(self._tools)]

    @toolhooks.hookimpl
    def toolhooks_summary(self) -> list[dict[str, Any]]:
        return self.summary()

    # Methods, not properties: the core inspects every attribute of a plugin when it registers
    # it, and a property would run (importing prometheus_client, or raising) right then.
    def registry(self) -> CollectorRegistry:
        """This instance's own ``prometheus_client.CollectorRegistry`` (not the global one)."""
        if self._registry is None:
            from prometheus_client import CollectorRegistry

            from toolhooks_metrics._prometheus import StatsCollector

            registry = CollectorRegistry(auto_describe=False)
            registry.register(StatsCollector(self))
            self._registry = registry
        return self._registry

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format (what /metrics serves)."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry())

    def tools(self) -> dict[str, ToolStats]:
        """The per-tool stats by label value (live objects: read them under :attr:`lock`)."""
        return self._tools
