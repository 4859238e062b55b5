"""The entry point of toolhooks-tools-math: hookimpls only; the tools load on registration."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import toolhooks

from toolhooks_tools_math.settings import MathSettings

if TYPE_CHECKING:
    from toolhooks import Config

__all__ = ["PLUGIN_NAME", "MathTools"]

PLUGIN_NAME = "toolhooks-tools-math"


class MathTools:
    """Registers ``calculate`` and ``statistics``, bounded by ``[plugins.toolhooks-tools-math]``.

    One instance per runtime (the core instantiates the class).
    """

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.settings = MathSettings()

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        self.settings = config.plugin_settings(PLUGIN_NAME, MathSettings)

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Callable[..., Any]) -> None:
        from toolhooks_tools_math.tools import build_tools

        for t in build_tools(self.settings):
            register(t)
