"""The entry module of toolhooks-retry: the plugin class (one instance per runtime).

Nothing heavy is imported here: stamina loads on the first retried call.
"""

from __future__ import annotations

from typing import Any

import toolhooks
from toolhooks import Config, Tool

from toolhooks_retry._policy import RetryStats, StaminaRetryPolicy
from toolhooks_retry._settings import EffectiveRetrySettings, RetrySettings, ToolRetrySettings

__all__ = ["PLUGIN_NAME", "RetryPlugin"]

PLUGIN_NAME = "toolhooks-retry"


class RetryPlugin:
    """Supplies a :class:`StaminaRetryPolicy` per tool (none for a tool with ``attempts = 1``)."""

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.settings = RetrySettings()
        self._config: Config | None = None
        self.stats = RetryStats()

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        self.settings = config.plugin_settings(PLUGIN_NAME, RetrySettings)
        self._config = config
        for name in config.core.tools:  # bad [tools.*.retry] keys stop start-up, not a call
            config.tool_settings(name, ToolRetrySettings, section="retry")

    def tool_settings(self, tool: Tool) -> EffectiveRetrySettings:
        """``[tools.NAME.retry]`` over ``[tools."*".retry]`` over ``[plugins.toolhooks-retry]``."""
        own = (
            self._config.tool_settings(tool.name, ToolRetrySettings, section="retry")
            if self._config is not None
            else ToolRetrySettings()
        )
        return EffectiveRetrySettings.merge(self.settings, own)

    @toolhooks.hookimpl
    def toolhooks_retry_policy(self, tool: Tool) -> StaminaRetryPolicy | None:
        settings = self.tool_settings(tool)
        if settings.attempts <= 1:
            return None
        return StaminaRetryPolicy(tool, settings, self.stats)

    @toolhooks.hookimpl
    def toolhooks_summary(self) -> Any:
        return {
            "retries": self.stats.retries,
            "recovered": self.stats.recovered,
            "gave_up": dict(self.stats.gave_up),
        }
