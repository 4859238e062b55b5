"""The entry point of toolhooks-tools-time: hookimpls only (zoneinfo loads on registration)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks import ConfigError

from toolhooks_tools_time.settings import TimeSettings

if TYPE_CHECKING:
    from toolhooks import Config

__all__ = ["PLUGIN_NAME", "TimeTools"]

PLUGIN_NAME = "toolhooks-tools-time"


class TimeTools:
    """Registers time_now, time_convert, time_difference, time_add and time_zones.
    One instance per runtime."""

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.settings = TimeSettings()

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        settings = config.plugin_settings(PLUGIN_NAME, TimeSettings)
        from toolhooks_tools_time.core import resolve_zone, search_zones

        try:
            resolve_zone(settings.default_timezone, "default_timezone")
        except toolhooks.ToolError:
            matches = search_zones(settings.default_timezone)
            hint = f" (did you mean {', '.join(matches)}?)" if matches else ""
            raise ConfigError(
                f"unknown IANA time zone {settings.default_timezone!r}{hint}",
                path=config.path or "(config)",
                key=f"plugins.{PLUGIN_NAME}.default_timezone",
            ) from None
        self.settings = settings

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Callable[..., Any]) -> None:
        from toolhooks_tools_time.tools import build_tools

        for t in build_tools(self.settings):
            register(t)
