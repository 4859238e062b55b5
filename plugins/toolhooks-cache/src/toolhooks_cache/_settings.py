"""Settings of toolhooks-cache: ``[plugins.toolhooks-cache]`` and ``[tools.NAME.cache]``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["CacheSettings", "CacheToolSettings", "PLUGIN_NAME"]

PLUGIN_NAME = "toolhooks-cache"

_SCHEMES = ("memory://", "redis://", "rediss://", "unix://")


class CacheSettings(BaseModel):
    """Plugin-wide settings, the ``[plugins.toolhooks-cache]`` table."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        "memory://",
        description='Where entries live: "memory://" (this process) or "redis://[:pw@]host:port/db"'
        ' ("rediss://", "unix://" too) to share one cache between processes.',
    )
    max_entries: int = Field(
        10_000, ge=1, description="Entries kept in memory (least recently used go first)."
    )
    key_prefix: str = Field(
        "toolhooks:cache:", min_length=1, description="Prefix of every key (Redis namespacing)."
    )
    fail_closed: bool = Field(
        False,
        description="Redis unreachable: refuse calls of cached tools (True) or run them uncached.",
    )
    socket_timeout_s: float = Field(
        0.25, gt=0, description="Redis connect and read timeout, in seconds."
    )
    reconnect_after_s: float = Field(
        2.0, ge=0, description="After a Redis failure, skip Redis for this long before retrying."
    )
    single_flight: bool = Field(
        True, description="Identical concurrent calls run the tool once and share the result."
    )
    max_value_bytes: int = Field(
        1_000_000, ge=1, description="Results whose JSON is larger than this are not cached."
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value == "memory":
            return "memory://"
        if not value.startswith(_SCHEMES):
            raise ValueError(f"the url must start with one of {', '.join(_SCHEMES)}")
        return value

    @property
    def is_redis(self) -> bool:
        return not self.url.startswith("memory://")


class CacheToolSettings(BaseModel):
    """Per-tool settings: ``[tools."*".cache]`` overlaid by ``[tools.NAME.cache]``."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = Field(
        None,
        description="Cache this tool: None (default) caches read-only tools (side_effects=False).",
    )
    ttl_s: float = Field(300.0, gt=0, description="Seconds a result is served from the cache.")
    per_scope: bool = Field(
        True, description="Partition entries by the call's scope (a user id, a tenant)."
    )
    serve_stale: bool = Field(
        False, description="On a failure listed in stale_on, answer with an expired result."
    )
    stale_ttl_s: float = Field(
        3600.0, ge=0, description="How long after expiry a result may still be served stale."
    )
    stale_on: list[str] = Field(
        default_factory=lambda: ["transient", "timeout"],
        description="Error types (error.type) that may be answered with a stale result.",
    )
