"""WMO weather interpretation codes (as Open-Meteo returns them) in words."""

from __future__ import annotations

__all__ = ["WMO_CODES", "compass", "describe"]

WMO_CODES: dict[int, str] = {
    0: "Clear sky",
    1: "Mainly clear",
    2: "Partly cloudy",
    3: "Overcast",
    45: "Fog",
    48: "Depositing rime fog",
    51: "Light drizzle",
    53: "Moderate drizzle",
    55: "Dense drizzle",
    56: "Light freezing drizzle",
    57: "Dense freezing drizzle",
    61: "Slight rain",
    63: "Moderate rain",
    65: "Heavy rain",
    66: "Light freezing rain",
    67: "Heavy freezing rain",
    71: "Slight snowfall",
    73: "Moderate snowfall",
    75: "Heavy snowfall",
    77: "Snow grains",
    80: "Slight rain showers",
    81: "Moderate rain showers",
    82: "Violent rain showers",
    85: "Slight snow showers",
    86: "Heavy snow showers",
    95: "Thunderstorm",
    96: "Thunderstorm with slight hail",
    99: "Thunderstorm with heavy hail",
}

_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
           "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")  # fmt: skip


def describe(code: object) -> str | None:
    """The words for WMO code *code* (``None`` when there is no code)."""
    if code is None or isinstance(code, bool) or not isinstance(code, int | float):
        return None
    return WMO_CODES.get(int(code), f"Unknown weather (WMO code {int(code)})")


def compass(degrees: object) -> str | None:
    """``250`` -> ``"WSW"``: the 16-point compass direction the wind comes from."""
    if degrees is None or isinstance(degrees, bool) or not isinstance(degrees, int | float):
        return None
    return _POINTS[round(float(degrees) % 360 / 22.5) % 16]
