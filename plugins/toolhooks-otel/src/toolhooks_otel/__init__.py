"""toolhooks-otel: OpenTelemetry for toolhooks, following the GenAI semantic conventions: one
``execute_tool {tool}`` span per call and the ``gen_ai.execute_tool.duration`` histogram."""

from __future__ import annotations

from toolhooks_otel.plugin import (
    OTHER,
    PLUGIN_NAME,
    RETRY_EVENT,
    OtelPlugin,
)
from toolhooks_otel.settings import OtelSettings

__all__ = [
    "OTHER",
    "PLUGIN_NAME",
    "RETRY_EVENT",
    "OtelPlugin",
    "OtelSettings",
]
