"""Open-Meteo over HTTP: geocoding, current conditions, daily forecasts.

Imported on the first call (it imports httpx2).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import httpx2
from toolhooks import InvalidArguments, ToolError, TransientError, parse_retry_after

from toolhooks_tools_weather._wmo import compass, describe

if TYPE_CHECKING:
    from toolhooks_tools_weather._settings import WeatherSettings

__all__ = ["OpenMeteo"]

log = logging.getLogger("toolhooks.tools.weather")

_COORDS = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_CURRENT = (
    "temperature_2m",
    "apparent_temperature",
    "relative_humidity_2m",
    "precipitation",
    "weather_code",
    "cloud_cover",
    "wind_speed_10m",
    "wind_direction_10m",
    "wind_gusts_10m",
    "is_day",
)
_DAILY = (
    "weather_code",
    "temperature_2m_max",
    "temperature_2m_min",
    "precipitation_sum",
    "precipitation_probability_max",
    "wind_speed_10m_max",
    "wind_gusts_10m_max",
    "sunrise",
    "sunset",
    "uv_index_max",
)
_PLACE_KEYS = ("name", "admin1", "country", "country_code", "latitude", "longitude", "timezone")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _label(place: dict[str, Any]) -> str:
    parts = [place.get("name"), place.get("admin1"), place.get("country")]
    seen: list[str] = []
    for p in parts:
        if isinstance(p, str) and p and p not in seen:
            seen.append(p)
    return ", ".join(seen)


def _matches(place: dict[str, Any], qualifiers: list[str]) -> bool:
    fields = [
        _fold(str(place.get(k) or ""))
        for k in ("country", "country_code", "admin1", "admin2", "admin3", "admin4")
    ]
    return all(any(f and (f == q or f.startswith(q)) for f in fields) for q in qualifiers)


class OpenMeteo:
    """One plugin instance's Open-Meteo client (the HTTP client is created on first use)."""

    def __init__(self, settings: WeatherSettings) -> None:
        self.settings = settings
        self._http: httpx2.AsyncClient | None = None

    def client(self) -> httpx2.AsyncClient:
        if self._http is None:
            self._http = httpx2.AsyncClient(
                timeout=httpx2.Timeout(self.settings.timeout_s),
                headers={"User-Agent": self.settings.user_agent, "Accept": "application/json"},
                follow_redirects=True,
                max_redirects=3,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    # -- HTTP ----------------------------------------------------------------------------------

    async def _get(self, service: str, url: str, params: dict[str, Any]) -> dict[str, Any]:
        if self.settings.api_key is not None:
            params = {**params, "apikey": self.settings.api_key.get_secret_value()}
        try:
            response = await self.client().get(url, params=params)
        except httpx2.TimeoutException:
            raise TransientError(
                f"The {service} service did not answer in time.", suggestion="Try again shortly."
            ) from None
        except httpx2.TransportError:
            raise TransientError(
                f"Could not reach the {service} service.", suggestion="Try again shortly."
            ) from None
        except httpx2.HTTPError as exc:  # a redirect loop, a body that cannot be decoded
            log.warning("Open-Meteo %s: %s", service, type(exc).__name__)
            raise ToolError(
                f"The {service} service answered in a way that could not be used.",
                suggestion="Do not retry now; carry on without the weather.",
            ) from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientError(
                f"The {service} service is unavailable right now (HTTP {status}).",
                retry_after_s=parse_retry_after(response.headers.get("retry-after")),
                suggestion="Try again shortly.",
            )
        if status >= 400:
            reason = _json(response).get("reason")
            log.warning("Open-Meteo %s answered HTTP %s: %r", service, status, reason)
            raise ToolError(f"The {service} service rejected the request (HTTP {status}).")
        data = _json(response)
        if not data:
            raise ToolError(f"The {service} service sent an answer that could not be read.")
        return data

    # -- places --------------------------------------------------------------------------------

    async def locate(self, place: str) -> dict[str, Any]:
        """The place's name, region, country, coordinates and time zone."""
        text = " ".join(place.split())
        coords = _COORDS.match(text)
        if coords:
            lat, lon = float(coords.group(1)), float(coords.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InvalidArguments(
                    f"{text!r} are not valid coordinates.",
                    suggestion="Give latitude (-90..90) and longitude (-180..180), e.g. "
                    "'52.52, 13.41', or a place name.",
                )
            return {"name": text, "latitude": lat, "longitude": lon}
        name, *rest = [p.strip() for p in text.split(",")]
        qualifiers = [_fold(q) for q in rest if q]
        if len(name) < 2:
            raise InvalidArguments(
                "The place name is too short.",
                suggestion="Give a city or town name, e.g. 'Lyon' or 'Lyon, France'.",
            )
        data = await self._get(
            "geocoding",
            self.settings.geocoding_url,
            {
                "name": name,
                "count": 10 if qualifiers else 1,
                "language": self.settings.language,
                "format": "json",
            },
        )
        results = [r for r in data.get("results") or [] if _usable(r)]
        if not results:
            raise ToolError(
                f"No place named {name!r} was found.",
                suggestion="Check the spelling, use the plain town or city name (optionally "
                "followed by ', Country'), try a nearby larger city, or give coordinates as "
                "'latitude, longitude'.",
            )
        if qualifiers:
            chosen = [r for r in results if _matches(r, qualifiers)]
            if not chosen:
                found = "; ".join(_label(r) for r in results[:5])
                raise ToolError(
                    f"No place named {name!r} in {', '.join(rest)!r} was found.",
                    suggestion=f"Places named {name!r} found: {found}. Call again with one of "
                    "them, spelling out the region or country.",
                )
            results = chosen
        best = results[0]
        return {k: best[k] for k in _PLACE_KEYS if best.get(k) not in (None, "")}

    # -- weather -------------------------------------------------------------------------------

    def _units(self) -> dict[str, Any]:
        s = self.settings
        return {
            "temperature_unit": s.temperature_unit,
            "wind_speed_unit": s.wind_speed_unit,
            "precipitation_unit": s.precipitation_unit,
        }

    async def current(self, place: str) -> dict[str, Any]:
        where = await self.locate(place)
        data = await self._get(
            "weather",
            self.settings.forecast_url,
            {
                "latitude": where["latitude"],
                "longitude": where["longitude"],
                "current": ",".join(_CURRENT),
                "timezone": "auto",
                **self._units(),
            },
        )
        now = data.get("current")
        units = data.get("current_units") or {}
        if not isinstance(now, dict):
            raise ToolError("The weather service sent no current conditions for this place.")
        where.setdefault("timezone", data.get("timezone"))
        is_day = now.get("is_day")
        return {
            "place": where,
            "time": now.get("time"),
            "conditions": describe(now.get("weather_code")),
            "weather_code": now.get("weather_code"),
            "temperature": now.get("temperature_2m"),
            "feels_like": now.get("apparent_temperature"),
            "humidity_percent": now.get("relative_humidity_2m"),
            "precipitation": now.get("precipitation"),
            "cloud_cover_percent": now.get("cloud_cover"),
            "wind_speed": now.get("wind_speed_10m"),
            "wind_gusts": now.get("wind_gusts_10m"),
            "wind_from_degrees": now.get("wind_direction_10m"),
            "wind_from": compass(now.get("wind_direction_10m")),
            "is_day": None if is_day is None else bool(is_day),
            "units": {
                "temperature": units.get("temperature_2m"),
                "wind_speed": units.get("wind_speed_10m"),
                "precipitation": units.get("precipitation"),
            },
        }

    async def forecast(self, place: str, days: int) -> dict[str, Any]:
        where = await self.locate(place)
        data = await self._get(
            "weather",
            self.settings.forecast_url,
            {
                "latitude": where["latitude"],
                "longitude": where["longitude"],
                "daily": ",".join(_DAILY),
                "forecast_days": days,
                "timezone": "auto",
                **self._units(),
            },
        )
        daily = data.get("daily")
        units = data.get("daily_units") or {}
        if not isinstance(daily, dict) or not isinstance(daily.get("time"), list):
            raise ToolError("The weather service sent no forecast for this place.")

        def column(key: str, i: int) -> Any:
            values = daily.get(key)
            return values[i] if isinstance(values, list) and i < len(values) else None

        out_days = []
        for i, date in enumerate(daily["time"][:days]):
            code = column("weather_code", i)
            out_days.append(
                {
                    "date": date,
                    "conditions": describe(code),
                    "weather_code": code,
                    "temperature_max": column("temperature_2m_max", i),
                    "temperature_min": column("temperature_2m_min", i),
                    "precipitation_sum": column("precipitation_sum", i),
                    "precipitation_probability_max_percent": column(
                        "precipitation_probability_max", i
                    ),
                    "wind_speed_max": column("wind_speed_10m_max", i),
                    "wind_gusts_max": column("wind_gusts_10m_max", i),
                    "sunrise": column("sunrise", i),
                    "sunset": column("sunset", i),
                    "uv_index_max": column("uv_index_max", i),
                }
            )
        where.setdefault("timezone", data.get("timezone"))
        return {
            "place": where,
            "days": out_days,
            "units": {
                "temperature": units.get("temperature_2m_max"),
                "precipitation": units.get("precipitation_sum"),
                "wind_speed": units.get("wind_speed_10m_max"),
            },
        }


def _usable(result: Any) -> bool:
    return (
        isinstance(result, dict)
        and isinstance(result.get("latitude"), int | float)
        and isinstance(result.get("longitude"), int | float)
    )


def _json(response: httpx2.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
