"""The weather tools with the retry plugin (loaded by its entry point, ``toolhooks-retry``):
transient upstream failures are retried; a long Retry-After is handed back to the model."""

from __future__ import annotations

from typing import Any

from toolhooks import Config, Runtime
from toolhooks_tools_weather import PLUGIN_NAME, WeatherToolsPlugin

from .conftest import MeteoServer


def _runtime(meteo: MeteoServer, retry: dict[str, Any]) -> Runtime:
    config = Config(
        {
            "plugins": {
                PLUGIN_NAME: {
                    "geocoding_url": meteo.geocoding_url,
                    "forecast_url": meteo.forecast_url,
                },
                "toolhooks-retry": retry,
            }
        }
    )
    rt = Runtime(config, plugins=["toolhooks-retry", WeatherToolsPlugin], autoload=False)
    statuses = {p.name: p.status for p in rt.plugins}
    assert statuses["toolhooks-retry"] == "enabled", rt.plugins
    return rt


async def test_503_then_success_is_retried_within_one_call(meteo: MeteoServer) -> None:
    meteo.forecast_failures.append((503, {}))
    async with _runtime(meteo, {"attempts": 3, "wait_initial": 0, "wait_jitter": 0}) as rt:
        result = await rt.execute({"name": "weather_forecast", "arguments": {"place": "Berlin"}})
    assert result.error is None, result.content
    assert result.attempts == 2
    assert len(result.value["days"]) == 7
    assert len(meteo.calls("/v1/forecast")) == 2
    assert len(meteo.calls("/v1/search")) == 2  # the whole tool call is the retried unit


async def test_retry_after_beyond_the_limit_is_given_back(meteo: MeteoServer) -> None:
    meteo.forecast_failures.append((503, {"retry-after": "120"}))
    retry = {"attempts": 3, "wait_initial": 0, "wait_jitter": 0, "max_retry_after": 5}
    async with _runtime(meteo, retry) as rt:
        result = await rt.execute({"name": "weather_current", "arguments": {"place": "Berlin"}})
    assert result.error is not None
    assert result.error.type == "transient"
    assert result.error.retry_after_s == 120
    assert result.attempts == 1
    assert len(meteo.calls("/v1/forecast")) == 1
