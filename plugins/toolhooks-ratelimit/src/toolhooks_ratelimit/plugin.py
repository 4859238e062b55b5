"""The toolhooks-ratelimit entry point: one :class:`RateLimitPlugin` per runtime.

Hook implementations only; limits and redis are imported when the first limiter is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks import Config, Tool

from toolhooks_ratelimit._settings import PLUGIN_NAME, RateLimitSettings, RateLimitToolSettings

if TYPE_CHECKING:
    from toolhooks_ratelimit._limiter import ToolRateLimiter
    from toolhooks_ratelimit._storage import Limits

__all__ = ["RateLimitPlugin"]


class RateLimitPlugin:
    """Per-tool and global rate limits (see the README for every setting)."""

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.config = Config()
        self.settings = RateLimitSettings.model_validate({})
        self._limits: Limits | None = None
        self._limiters: dict[str, ToolRateLimiter] = {}

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        self.config = config
        self.settings = config.plugin_settings(PLUGIN_NAME, RateLimitSettings)
        for name in config.core.tools:  # bad per-tool settings stop start-up, not the first call
            config.tool_settings(name, RateLimitToolSettings, section="ratelimit")

    def _storage(self) -> Limits:
        if self._limits is None:
            from toolhooks_ratelimit._storage import Limits

            s = self.settings
            self._limits = Limits(
                s.storage_url,
                s.strategy,
                key_prefix=s.key_prefix,
                socket_timeout_s=s.socket_timeout_s,
                reconnect_after_s=s.reconnect_after_s,
            )
        return self._limits

    @toolhooks.hookimpl
    def toolhooks_rate_limiter(self, tool: Tool) -> ToolRateLimiter | None:
        own = self.config.tool_settings(tool.name, RateLimitToolSettings, section="ratelimit")
        global_limit = self.settings.global_limit if own.global_limit else None
        if own.limit is None and global_limit is None:
            return None
        from limits import parse_many

        from toolhooks_ratelimit._limiter import ToolRateLimiter

        limiter = ToolRateLimiter(
            tool.name,
            self.settings,
            own,
            tool_items=parse_many(own.limit) if own.limit else [],
            global_items=parse_many(global_limit) if global_limit else [],
            limits=self._storage(),
        )
        self._limiters[tool.name] = limiter
        return limiter

    @toolhooks.hookimpl
    def toolhooks_summary(self) -> Any:
        if not self._limiters:
            return None
        return [lim.summary() for _, lim in sorted(self._limiters.items())]

    @toolhooks.hookimpl
    async def toolhooks_shutdown(self) -> None:
        limits, self._limits = self._limits, None
        self._limiters.clear()
        if limits is not None:
            await limits.close()
