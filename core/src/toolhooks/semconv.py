"""Values from the OpenTelemetry GenAI semantic conventions (tool execution) that more than one
plugin uses: the metrics plugin's Prometheus histogram and the otel plugin's instruments agree
because they read them here.

The conventions are at *Development* stability; ``opentelemetry-semantic-conventions`` has no
constant for the tool metric yet, hence these.
"""

from __future__ import annotations

__all__ = ["DURATION_BUCKETS", "DURATION_METRIC", "OPERATION_EXECUTE_TOOL"]

#: ``gen_ai.operation.name`` of a tool execution.
OPERATION_EXECUTE_TOOL = "execute_tool"
#: The tool-duration histogram (unit: seconds).
DURATION_METRIC = "gen_ai.execute_tool.duration"
#: Its explicit bucket boundaries, in seconds, as the conventions advise.
DURATION_BUCKETS: tuple[float, ...] = (
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
