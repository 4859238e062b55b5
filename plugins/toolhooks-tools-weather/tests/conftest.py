"""A local stand-in for Open-Meteo (geocoding and forecast, same JSON shapes), on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Shapes as https://geocoding-api.open-meteo.com/v1/search returns them.
PLACES: dict[str, list[dict[str, Any]]] = {
    "berlin": [
        {
            "id": 2950159,
            "name": "Berlin",
            "latitude": 52.52437,
            "longitude": 13.41053,
            "elevation": 74.0,
            "feature_code": "PPLC",
            "country_code": "DE",
            "admin1_id": 2950157,
            "admin3_id": 6547383,
            "admin4_id": 6547539,
            "timezone": "Europe/Berlin",
            "population": 3426354,
            "postcodes": ["10967", "13347"],
            "country_id": 2921044,
            "country": "Germany",
            "admin1": "Land Berlin",
            "admin3": "Berlin, Stadt",
            "admin4": "Berlin",
        }
    ],
    "paris": [
        {
            "id": 2988507,
            "name": "Paris",
            "latitude": 48.85341,
            "longitude": 2.3488,
            "elevation": 42.0,
            "feature_code": "PPLC",
            "country_code": "FR",
            "admin1_id": 3012874,
            "admin2_id": 2968815,
            "timezone": "Europe/Paris",
            "population": 2138551,
            "country_id": 3017382,
            "country": "France",
            "admin1": "\u00cele-de-France",
            "admin2": "Paris",
        },
        {
            "id": 4717560,
            "name": "Paris",
            "latitude": 33.66094,
            "longitude": -95.55551,
            "elevation": 183.0,
            "feature_code": "PPLA2",
            "country_code": "US",
            "admin1_id": 4736286,
            "admin2_id": 4705086,
            "timezone": "America/Chicago",
            "population": 24782,
            "postcodes": ["75460", "75461"],
            "country_id": 6252001,
            "country": "United States",
            "admin1": "Texas",
            "admin2": "Lamar",
        },
    ],
}


@dataclass
class MeteoServer:
    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: (status, headers) answers the forecast endpoint gives before it answers normally.
    forecast_failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    geocoding_failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def geocoding_url(self) -> str:
        return f"{self.base}/v1/search"

    @property
    def forecast_url(self) -> str:
        return f"{self.base}/v1/forecast"

    def calls(self, path: str) -> list[dict[str, str]]:
        return [params for p, params in self.requests if p == path]


def _failure(queue: list[tuple[int, dict[str, str]]]) -> Response | None:
    if not queue:
        return None
    status, headers = queue.pop(0)
    if status == 400:
        return JSONResponse({"error": True, "reason": "secret-ish detail"}, 400)
    return Response("upstream trouble", status_code=status, headers=headers)


def _app(state: MeteoServer) -> Starlette:
    async def search(request: Request) -> Response:
        state.requests.append(("/v1/search", dict(request.query_params)))
        failed = _failure(state.geocoding_failures)
        if failed is not None:
            return failed
        name = request.query_params["name"].casefold()
        count = int(request.query_params.get("count", "10"))
        results = PLACES.get(name, [])[:count]
        body: dict[str, Any] = {"generationtime_ms": 0.71}
        if results:
            body = {"results": results, "generationtime_ms": 0.71}
        return JSONResponse(body)

    async def forecast(request: Request) -> Response:
        q = dict(request.query_params)
        state.requests.append(("/v1/forecast", q))
        failed = _failure(state.forecast_failures)
        if failed is not None:
            return failed
        fahrenheit = q.get("temperature_unit") == "fahrenheit"
        t_unit = "\u00b0F" if fahrenheit else "\u00b0C"
        body: dict[str, Any] = {
            "latitude": round(float(q["latitude"]), 2),
            "longitude": round(float(q["longitude"]), 2),
            "generationtime_ms": 0.05,
            "utc_offset_seconds": 3600,
            "timezone": "Europe/Berlin",
            "timezone_abbreviation": "GMT+1",
            "elevation": 38.0,
        }
        if "current" in q:
            body["current_units"] = {
                "time": "iso8601",
                "interval": "seconds",
                "temperature_2m": t_unit,
                "apparent_temperature": t_unit,
                "relative_humidity_2m": "%",
                "precipitation": "mm",
                "weather_code": "wmo code",
                "cloud_cover": "%",
                "wind_speed_10m": "km/h",
                "wind_direction_10m": "\u00b0",
                "wind_gusts_10m": "km/h",
                "is_day": "",
            }
            body["current"] = {
                "time": "2025-03-01T14:45",
                "interval": 900,
                "temperature_2m": 41.4 if fahrenheit else 5.2,
                "apparent_temperature": 1.9,
                "relative_humidity_2m": 81,
                "precipitation": 0.0,
                "weather_code": 2,
                "cloud_cover": 62,
                "wind_speed_10m": 14.3,
                "wind_direction_10m": 250,
                "wind_gusts_10m": 31.7,
                "is_day": 1,
            }
        if "daily" in q:
            days = int(q.get("forecast_days", "7"))
            codes = [0, 61, 95, 3, 45, 71, 80, 99, 1, 2, 51, 63, 65, 73, 75, 82][:days]
            body["daily_units"] = {
                "time": "iso8601",
                "weather_code": "wmo code",
                "temperature_2m_max": t_unit,
                "temperature_2m_min": t_unit,
                "precipitation_sum": "mm",
                "precipitation_probability_max": "%",
                "wind_speed_10m_max": "km/h",
                "wind_gusts_10m_max": "km/h",
                "sunrise": "iso8601",
                "sunset": "iso8601",
                "uv_index_max": "",
            }
            body["daily"] = {
                "time": [f"2025-03-{i + 1:02d}" for i in range(days)],
                "weather_code": codes,
                "temperature_2m_max": [8.0 + i for i in range(days)],
                "temperature_2m_min": [-1.0 + i for i in range(days)],
                "precipitation_sum": [0.0, 4.2, 11.5, *[0.1] * 13][:days],
                "precipitation_probability_max": [5, 80, 95, *[10] * 13][:days],
                "wind_speed_10m_max": [12.0] * days,
                "wind_gusts_10m_max": [30.0] * days,
                "sunrise": [f"2025-03-{i + 1:02d}T06:58" for i in range(days)],
                "sunset": [f"2025-03-{i + 1:02d}T17:54" for i in range(days)],
                "uv_index_max": [2.1] * days,
            }
        return JSONResponse(body)

    return Starlette(routes=[Route("/v1/search", search), Route("/v1/forecast", forecast)])


@pytest.fixture
async def meteo() -> AsyncIterator[MeteoServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections queue until the server accepts: no need to wait for start-up
    state = MeteoServer(base=f"http://127.0.0.1:{sock.getsockname()[1]}")
    config = uvicorn.Config(_app(state), log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield state
    finally:
        server.should_exit = True
        await task
        sock.close()
