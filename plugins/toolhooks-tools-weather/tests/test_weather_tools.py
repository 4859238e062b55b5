"""The weather tools against a local Open-Meteo stand-in."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from toolhooks import Config, ConfigError, Runtime, ToolResult
from toolhooks_tools_weather import PLUGIN_NAME, WeatherToolsPlugin
from toolhooks_tools_weather._wmo import compass, describe

from .conftest import MeteoServer

RuntimeFactory = Callable[..., Runtime]


def settings_for(meteo: MeteoServer, **extra: Any) -> dict[str, Any]:
    return {"geocoding_url": meteo.geocoding_url, "forecast_url": meteo.forecast_url, **extra}


@pytest.fixture
async def make_runtime() -> AsyncIterator[RuntimeFactory]:
    made: list[Runtime] = []

    def make(settings: dict[str, Any], plugins: list[object] | None = None) -> Runtime:
        config = Config({"plugins": {PLUGIN_NAME: settings}})
        rt = Runtime(config, plugins=plugins or [WeatherToolsPlugin], autoload=False)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.aclose()


@pytest.fixture
def rt(make_runtime: RuntimeFactory, meteo: MeteoServer) -> Runtime:
    return make_runtime(settings_for(meteo))


async def call(rt: Runtime, tool: str, **arguments: Any) -> ToolResult:
    return await rt.execute({"id": "w1", "name": tool, "arguments": arguments})


def ok(result: ToolResult) -> dict[str, Any]:
    assert result.error is None, result.content
    assert isinstance(result.value, dict)
    return result.value


# -- happy paths ------------------------------------------------------------------------------


async def test_current_weather(rt: Runtime, meteo: MeteoServer) -> None:
    out = ok(await call(rt, "weather_current", place="Berlin"))
    assert out["place"] == {
        "name": "Berlin",
        "admin1": "Land Berlin",
        "country": "Germany",
        "country_code": "DE",
        "latitude": 52.52437,
        "longitude": 13.41053,
        "timezone": "Europe/Berlin",
    }
    assert out["conditions"] == "Partly cloudy"
    assert out["weather_code"] == 2
    assert out["temperature"] == 5.2
    assert out["feels_like"] == 1.9
    assert out["humidity_percent"] == 81
    assert out["wind_from"] == "WSW"
    assert out["is_day"] is True
    assert out["units"] == {"temperature": "\u00b0C", "wind_speed": "km/h", "precipitation": "mm"}

    [geo] = meteo.calls("/v1/search")
    assert geo["name"] == "Berlin" and geo["count"] == "1" and geo["language"] == "en"
    [fc] = meteo.calls("/v1/forecast")
    assert (fc["latitude"], fc["longitude"], fc["timezone"]) == ("52.52437", "13.41053", "auto")
    assert "weather_code" in fc["current"].split(",")
    assert "daily" not in fc


async def test_forecast(rt: Runtime, meteo: MeteoServer) -> None:
    out = ok(await call(rt, "weather_forecast", place="Berlin", days=3))
    assert [d["date"] for d in out["days"]] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert [d["conditions"] for d in out["days"]] == ["Clear sky", "Slight rain", "Thunderstorm"]
    day2 = out["days"][1]
    assert day2["temperature_max"] == 9.0 and day2["temperature_min"] == 0.0
    assert day2["precipitation_sum"] == 4.2
    assert day2["precipitation_probability_max_percent"] == 80
    assert day2["sunrise"] == "2025-03-02T06:58"
    assert out["units"]["temperature"] == "\u00b0C"
    [fc] = meteo.calls("/v1/forecast")
    assert fc["forecast_days"] == "3"
    assert "temperature_2m_max" in fc["daily"].split(",")


async def test_forecast_days_are_validated(rt: Runtime, meteo: MeteoServer) -> None:
    result = await call(rt, "weather_forecast", place="Berlin", days=30)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert meteo.requests == []


async def test_units_setting_is_sent(make_runtime: RuntimeFactory, meteo: MeteoServer) -> None:
    rt = make_runtime(settings_for(meteo, temperature_unit="fahrenheit", wind_speed_unit="mph"))
    out = ok(await call(rt, "weather_current", place="Berlin"))
    assert out["temperature"] == 41.4
    assert out["units"]["temperature"] == "\u00b0F"
    [fc] = meteo.calls("/v1/forecast")
    assert fc["temperature_unit"] == "fahrenheit" and fc["wind_speed_unit"] == "mph"


async def test_region_picks_among_places(rt: Runtime, meteo: MeteoServer) -> None:
    out = ok(await call(rt, "weather_current", place="Paris, Texas"))
    assert out["place"]["country_code"] == "US"
    assert out["place"]["latitude"] == 33.66094
    [geo] = meteo.calls("/v1/search")
    assert geo["name"] == "Paris" and geo["count"] == "10"
    [fc] = meteo.calls("/v1/forecast")
    assert fc["latitude"] == "33.66094"


async def test_coordinates_skip_geocoding(rt: Runtime, meteo: MeteoServer) -> None:
    out = ok(await call(rt, "weather_current", place="48.85, 2.35"))
    assert out["place"]["latitude"] == 48.85
    assert meteo.calls("/v1/search") == []
    bad = await call(rt, "weather_current", place="95.0, 2.35")
    assert bad.error is not None and bad.error.type == "invalid_arguments"


# -- failures ---------------------------------------------------------------------------------


async def test_unknown_place(rt: Runtime, meteo: MeteoServer) -> None:
    result = await call(rt, "weather_forecast", place="Xyzzyville")
    assert result.error is not None
    assert result.error.type == "tool_error"
    assert result.error.retryable is False
    assert "Xyzzyville" in result.error.message
    assert result.error.suggestion is not None and "spelling" in result.error.suggestion
    assert meteo.calls("/v1/forecast") == []


async def test_unknown_region_lists_candidates(rt: Runtime, meteo: MeteoServer) -> None:
    result = await call(rt, "weather_current", place="Paris, Narnia")
    assert result.error is not None
    assert result.error.suggestion is not None
    assert "Paris, \u00cele-de-France, France" in result.error.suggestion
    assert "Paris, Texas, United States" in result.error.suggestion
    assert meteo.calls("/v1/forecast") == []


async def test_503_is_transient_then_the_next_call_succeeds(
    rt: Runtime, meteo: MeteoServer
) -> None:
    meteo.forecast_failures.append((503, {"retry-after": "2"}))
    first = await call(rt, "weather_current", place="Berlin")
    assert first.error is not None
    assert first.error.type == "transient"
    assert first.error.retryable is True
    assert first.error.retry_after_s == 2
    assert "503" in first.error.message
    second = ok(await call(rt, "weather_current", place="Berlin"))
    assert second["conditions"] == "Partly cloudy"
    assert len(meteo.calls("/v1/forecast")) == 2


async def test_429_on_geocoding_is_transient(rt: Runtime, meteo: MeteoServer) -> None:
    meteo.geocoding_failures.append((429, {}))
    result = await call(rt, "weather_current", place="Berlin")
    assert result.error is not None
    assert result.error.type == "transient"
    assert result.error.retry_after_s is None
    assert meteo.calls("/v1/forecast") == []


async def test_bad_request_is_not_retryable_and_hides_details(
    rt: Runtime, meteo: MeteoServer
) -> None:
    meteo.forecast_failures.append((400, {}))
    result = await call(rt, "weather_current", place="Berlin")
    assert result.error is not None
    assert result.error.type == "tool_error"
    assert result.error.retryable is False
    assert "secret-ish" not in result.content


async def test_connection_refused_is_transient(make_runtime: RuntimeFactory) -> None:
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
        rt = make_runtime({"geocoding_url": f"{base}/v1/search", "forecast_url": f"{base}/f"})
        result = await call(rt, "weather_current", place="Berlin")
    assert result.error is not None
    assert result.error.type == "transient"
    assert result.error.retryable is True
    assert base not in result.content


# -- plumbing ---------------------------------------------------------------------------------


def test_wmo_codes_and_compass() -> None:
    assert describe(0) == "Clear sky"
    assert describe(99) == "Thunderstorm with heavy hail"
    assert describe(42) == "Unknown weather (WMO code 42)"
    assert describe(None) is None
    assert [compass(d) for d in (0, 90, 180, 270, 359, 11.24, 11.26)] == [
        "N",
        "E",
        "S",
        "W",
        "N",
        "N",
        "NNE",
    ]


def test_bad_setting_is_a_config_error() -> None:
    config = Config({"plugins": {PLUGIN_NAME: {"temperature_unit": "kelvin"}}})
    with pytest.raises(ConfigError) as err:
        Runtime(config, plugins=[WeatherToolsPlugin], autoload=False)
    assert "plugins.toolhooks-tools-weather.temperature_unit" in str(err.value)


async def test_entry_point_loads_and_registers_the_tools() -> None:
    async with Runtime(Config(), plugins=[PLUGIN_NAME], autoload=False) as rt:
        info = next(p for p in rt.plugins if p.name == PLUGIN_NAME)
        assert info.status == "enabled", info.error
        assert {"weather_current", "weather_forecast"} <= set(rt.tools)
        forecast = rt.tools["weather_forecast"]
        assert forecast.plugin == PLUGIN_NAME
        assert forecast.parameters["properties"]["days"]["maximum"] == 16
        assert forecast.parameters["required"] == ["place"]


async def test_shutdown_closes_the_client(rt: Runtime, meteo: MeteoServer) -> None:
    ok(await call(rt, "weather_current", place="Berlin"))
    client = rt.get_plugin(PLUGIN_NAME).api().client()
    assert not client.is_closed
    await rt.aclose()
    assert client.is_closed


def test_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolhooks_tools_weather.plugin, toolhooks_tools_weather;"
        "heavy = [m for m in ('httpx2', 'httpcore2', 'anyio') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_a_redirect_loop_is_a_clear_error(rt: Runtime, meteo: MeteoServer) -> None:
    # the forecast endpoint sends the client back to itself: more redirects than allowed
    meteo.forecast_failures.append((307, {"location": meteo.forecast_url}))
    meteo.forecast_failures.extend([(307, {"location": meteo.forecast_url})] * 5)
    result = await call(rt, "weather_current", place="Berlin")
    assert result.error is not None
    assert result.error.type == "tool_error"
    assert result.error.retryable is False
    assert "could not be used" in result.error.message
