"""The entry module: the ``toolhooks-tools-weather`` plugin class (hookimpls only; httpx2 loads
on the first call)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import toolhooks
from pydantic import Field

from toolhooks_tools_weather._settings import WeatherSettings

if TYPE_CHECKING:
    from toolhooks_tools_weather._api import OpenMeteo

__all__ = ["PLUGIN_NAME", "WeatherToolsPlugin"]

PLUGIN_NAME = "toolhooks-tools-weather"

Place = Annotated[str, Field(min_length=1, max_length=200)]


class WeatherToolsPlugin:
    """Provides ``weather_current`` and ``weather_forecast``. One instance per runtime (it owns
    an HTTP client)."""

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.settings = WeatherSettings()
        self._api: OpenMeteo | None = None

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: toolhooks.Config) -> None:
        self.settings = config.plugin_settings(PLUGIN_NAME, WeatherSettings)

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Callable[..., toolhooks.Tool]) -> None:
        for tool in self._tools():
            register(tool)

    @toolhooks.hookimpl
    def toolhooks_shutdown(self) -> Awaitable[None] | None:
        api, self._api = self._api, None
        return api.aclose() if api is not None else None

    def api(self) -> OpenMeteo:
        if self._api is None:
            from toolhooks_tools_weather._api import OpenMeteo

            self._api = OpenMeteo(self.settings)
        return self._api

    def _tools(self) -> list[toolhooks.Tool]:
        plugin = self
        # two requests (geocoding, then weather), each bounded by timeout_s
        options: dict[str, Any] = {
            "timeout": 2 * self.settings.timeout_s + 5.0,
            "tags": ("weather",),
        }

        async def weather_current(place: Place) -> dict[str, Any]:
            """Current weather at a place: conditions in words, temperature, feels-like
            temperature, humidity, precipitation, cloud cover and wind, with units.

            Args:
                place: A town or city, optionally with region or country after commas
                    ("Paris, France", "Portland, Oregon"), or coordinates as
                    "latitude, longitude".
            """
            return await plugin.api().current(place)

        async def weather_forecast(
            place: Place, days: Annotated[int, Field(ge=1, le=16)] = 7
        ) -> dict[str, Any]:
            """Daily weather forecast for a place, starting today: conditions in words,
            minimum and maximum temperature, precipitation and its probability, wind, sunrise,
            sunset and UV index, per day, with units.

            Args:
                place: A town or city, optionally with region or country after commas
                    ("Paris, France", "Portland, Oregon"), or coordinates as
                    "latitude, longitude".
                days: How many days to forecast (1-16), today included.
            """
            return await plugin.api().forecast(place, days)

        return [
            toolhooks.tool(**options)(weather_current),
            toolhooks.tool(**options)(weather_forecast),
        ]
