"""toolhooks-tools-weather: current weather and daily forecasts from Open-Meteo (no API key)."""

from __future__ import annotations

from toolhooks_tools_weather._settings import WeatherSettings
from toolhooks_tools_weather._wmo import WMO_CODES
from toolhooks_tools_weather.plugin import PLUGIN_NAME, WeatherToolsPlugin

__all__ = ["PLUGIN_NAME", "WMO_CODES", "WeatherSettings", "WeatherToolsPlugin"]
