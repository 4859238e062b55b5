"""toolhooks-cache: a TTL result cache for read-only tools, with single flight and
stale-on-failure, in memory or shared through Redis."""

from __future__ import annotations

from toolhooks_cache._key import cache_key
from toolhooks_cache._settings import PLUGIN_NAME, CacheSettings, CacheToolSettings
from toolhooks_cache.plugin import CachePlugin

__all__ = ["PLUGIN_NAME", "CachePlugin", "CacheSettings", "CacheToolSettings", "cache_key"]
