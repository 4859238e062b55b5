"""The toolhooks-cache entry point: one :class:`CachePlugin` per runtime.

Hook implementations only; cachetools and redis are imported when the first cache is built.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks import CallContext, Config, ErrorInfo, Recovery, Tool

from toolhooks_cache._settings import PLUGIN_NAME, CacheSettings, CacheToolSettings

if TYPE_CHECKING:
    from toolhooks_cache._backends import Backend
    from toolhooks_cache._cache import Flights, ResultCache

__all__ = ["CachePlugin"]

log = logging.getLogger("toolhooks.cache")


class CachePlugin:
    """Caches the results of read-only tools (see the README for every setting)."""

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.config = Config()
        self.settings = CacheSettings.model_validate({})
        self._backend: Backend | None = None
        self._flights: Flights | None = None
        self._caches: dict[str, ResultCache] = {}
        #: The wall clock the cache judges expiry by (tests may replace it before the first call).
        self.clock: Callable[[], float] = time.time

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        self.config = config
        self.settings = config.plugin_settings(PLUGIN_NAME, CacheSettings)
        for name in config.core.tools:  # bad per-tool settings stop start-up, not the first call
            config.tool_settings(name, CacheToolSettings, section="cache")

    def _shared(self) -> tuple[Backend, Flights]:
        from toolhooks_cache._cache import Flights

        if self._backend is None:
            from toolhooks_cache._backends import MemoryBackend, RedisBackend

            s = self.settings
            self._backend = (
                RedisBackend(
                    s.url,
                    socket_timeout_s=s.socket_timeout_s,
                    reconnect_after_s=s.reconnect_after_s,
                    clock=self.clock,
                )
                if s.is_redis
                else MemoryBackend(s.max_entries, self.clock)
            )
        if self._flights is None:
            self._flights = Flights()
        return self._backend, self._flights

    @toolhooks.hookimpl
    def toolhooks_cache(self, tool: Tool) -> ResultCache | None:
        own = self.config.tool_settings(tool.name, CacheToolSettings, section="cache")
        # default: read-only tools whose answers can be reused; config decides otherwise
        enabled = (
            own.enabled if own.enabled is not None else tool.cacheable and not tool.side_effects
        )
        if not enabled:
            return None
        from toolhooks_cache._cache import ResultCache

        backend, flights = self._shared()
        cache = ResultCache(tool, self.settings, own, backend, flights, clock=self.clock)
        self._caches[tool.name] = cache
        return cache

    @toolhooks.hookimpl
    async def toolhooks_recover(self, ctx: CallContext, error: ErrorInfo) -> Recovery | None:
        cache = self._caches.get(ctx.call.name)
        if cache is None or ctx.tool is not cache.tool:
            return None
        own = cache.tool_settings
        if not own.serve_stale or error.type not in own.stale_on:
            return None
        found, value = await cache.stale_value(ctx)
        if not found:
            return None
        log.info("cache: answering %r with a stale result after %s", ctx, error.type)
        return Recovery(value, stale=True, source="cache")

    @property
    def flights(self) -> Flights | None:
        """The calls in flight (``None`` before the first cached call)."""
        return self._flights

    @toolhooks.hookimpl
    def toolhooks_summary(self) -> Any:
        if not self._caches:
            return None
        return [{"tool": name, **cache.stats} for name, cache in sorted(self._caches.items())]

    @toolhooks.hookimpl
    async def toolhooks_shutdown(self) -> None:
        backend, self._backend = self._backend, None
        self._caches.clear()
        if backend is not None:
            await backend.close()
