"""The Prometheus collector: turns the plugin's counters into metric families at scrape time.

Imported only when a registry is needed (it imports prometheus_client). Counting happens on the
hot path in plain dicts; this collector reads them under the plugin's lock, so a scrape costs
nothing per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from toolhooks.semconv import DURATION_BUCKETS

if TYPE_CHECKING:
    from toolhooks_metrics.plugin import MetricsPlugin

__all__ = ["METRIC_NAMES", "StatsCollector"]

#: Every sample-name family this collector exposes (counters without their ``_total``).
METRIC_NAMES = (
    "toolhooks_tool_calls",
    "toolhooks_tool_call_duration_seconds",
    "toolhooks_tool_retries",
    "toolhooks_cache_lookups",
    "toolhooks_rate_limit_waits",
    "toolhooks_rate_limit_wait_seconds",
    "toolhooks_tool_refusals",
)

_LE = [repr(float(b)) for b in DURATION_BUCKETS] + ["+Inf"]


class StatsCollector(Collector):
    def __init__(self, plugin: MetricsPlugin) -> None:
        self._plugin = plugin

    def collect(self) -> Iterator[Metric]:
        calls = CounterMetricFamily(
            "toolhooks_tool_calls",
            "Tool calls finished, by outcome (ok, cached, rejected, error) and error type.",
            labels=["tool", "outcome", "error_type"],
        )
        duration = HistogramMetricFamily(
            "toolhooks_tool_call_duration_seconds",
            "Duration of whole tool calls (retries and waits included).",
            labels=["tool", "outcome"],
            unit="seconds",
        )
        retries = CounterMetricFamily(
            "toolhooks_tool_retries",
            "Failed attempts that were retried, by error type.",
            labels=["tool", "error_type"],
        )
        cache = CounterMetricFamily(
            "toolhooks_cache_lookups",
            "Cache lookups of cached tools: hit, miss, or stale (served after a failure).",
            labels=["tool", "result"],
        )
        waits = CounterMetricFamily(
            "toolhooks_rate_limit_waits",
            "Calls that waited for a rate-limit slot.",
            labels=["tool"],
        )
        waited = CounterMetricFamily(
            "toolhooks_rate_limit_wait_seconds",
            "Time calls spent waiting for rate-limit slots.",
            labels=["tool"],
            unit="seconds",
        )
        refusals = CounterMetricFamily(
            "toolhooks_tool_refusals",
            "Calls refused (or failed) by a plugin before they ran, by plugin.",
            labels=["tool", "plugin"],
        )
        plugin = self._plugin
        with plugin.lock:
            for tool, stats in sorted(plugin.tools().items()):
                for (outcome, error_type), n in sorted(stats.outcomes.items()):
                    calls.add_metric([tool, outcome, error_type], n)
                for outcome, b in sorted(stats.durations.items()):
                    cumulative = list(accumulate(b.counts))
                    duration.add_metric(
                        [tool, outcome], list(zip(_LE, cumulative, strict=True)), b.sum
                    )
                for error_type, n in sorted(stats.retries.items()):
                    retries.add_metric([tool, error_type], n)
                if any(stats.cache.values()):
                    for result, n in stats.cache.items():
                        cache.add_metric([tool, result], n)
                waits.add_metric([tool], stats.rate_limit_waits)
                waited.add_metric([tool], stats.rate_limit_wait_s)
                for name, n in sorted(stats.refusals.items()):
                    refusals.add_metric([tool, name], n)
        yield from (calls, duration, retries, cache, waits, waited, refusals)
