"""The ``[plugins.toolhooks-metrics]`` settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MetricsSettings"]


class MetricsSettings(BaseModel):
    """Settings of ``toolhooks-metrics`` (``[plugins.toolhooks-metrics]``)."""

    model_config = ConfigDict(extra="forbid")

    port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Serve Prometheus /metrics on this port (0: any free port); None: no server.",
    )
    addr: str = Field(default="127.0.0.1", description="Address the /metrics server binds.")
    max_tools: int = Field(
        default=500, ge=1, description="Distinct tool label values; later tools count as _OTHER."
    )
    max_error_types: int = Field(
        default=50, ge=1, description="Distinct error_type values; later ones count as _OTHER."
    )
    alert_failure_rate: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Log a warning when a tool's failure rate over the window reaches this.",
    )
    alert_window: int = Field(default=100, ge=1, description="Calls per tool in the alert window.")
    alert_min_calls: int = Field(
        default=20, ge=1, description="Calls in the window before the alert can fire."
    )
