"""toolhooks-ratelimit: per-tool and global rate limits (limits), wait or refuse, in memory or
shared through Redis."""

from __future__ import annotations

from toolhooks_ratelimit._settings import PLUGIN_NAME, RateLimitSettings, RateLimitToolSettings
from toolhooks_ratelimit.plugin import RateLimitPlugin

__all__ = ["PLUGIN_NAME", "RateLimitPlugin", "RateLimitSettings", "RateLimitToolSettings"]
