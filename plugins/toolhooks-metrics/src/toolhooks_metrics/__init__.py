"""toolhooks-metrics: per-tool call metrics in process (:meth:`MetricsPlugin.summary`,
``Runtime.summary()["toolhooks-metrics"]``) and for Prometheus."""

from __future__ import annotations

from toolhooks_metrics.histogram import RELATIVE_ERROR, LogHistogram
from toolhooks_metrics.plugin import (
    OTHER,
    PLUGIN_NAME,
    MetricsPlugin,
    ToolStats,
    outcome_of,
)
from toolhooks_metrics.settings import MetricsSettings

__all__ = [
    "OTHER",
    "PLUGIN_NAME",
    "RELATIVE_ERROR",
    "LogHistogram",
    "MetricsPlugin",
    "MetricsSettings",
    "ToolStats",
    "outcome_of",
]
