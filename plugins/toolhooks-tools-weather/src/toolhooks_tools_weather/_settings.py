"""The ``[plugins.toolhooks-tools-weather]`` settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["WeatherSettings"]


class WeatherSettings(BaseModel):
    """Settings of the weather tools (``[plugins.toolhooks-tools-weather]``)."""

    model_config = ConfigDict(extra="forbid")

    geocoding_url: str = Field(
        default="https://geocoding-api.open-meteo.com/v1/search",
        pattern=r"^https?://",
        description="Open-Meteo's geocoding endpoint (place name -> coordinates).",
    )
    forecast_url: str = Field(
        default="https://api.open-meteo.com/v1/forecast",
        pattern=r"^https?://",
        description="Open-Meteo's forecast endpoint.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="Sent as `apikey` (Open-Meteo's commercial plans, with their own URLs).",
    )
    temperature_unit: Literal["celsius", "fahrenheit"] = "celsius"
    wind_speed_unit: Literal["kmh", "ms", "mph", "kn"] = "kmh"
    precipitation_unit: Literal["mm", "inch"] = "mm"
    language: str = Field(
        default="en", pattern=r"^[a-z]{2}$", description="Language of place names."
    )
    timeout_s: float = Field(default=10.0, gt=0, description="Seconds per HTTP request.")
    user_agent: str = Field(
        default="toolhooks-tools-weather/0.1 (+https://pypi.org/project/toolhooks-tools-weather/)",
        min_length=1,
    )
