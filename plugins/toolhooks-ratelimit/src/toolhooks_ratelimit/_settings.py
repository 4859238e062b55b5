"""Settings of toolhooks-ratelimit: ``[plugins.toolhooks-ratelimit]`` and
``[tools.NAME.ratelimit]``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["PLUGIN_NAME", "RateLimitSettings", "RateLimitToolSettings", "Strategy"]

PLUGIN_NAME = "toolhooks-ratelimit"

Strategy = Literal["moving-window", "fixed-window", "sliding-window-counter"]
_SCHEMES = ("memory://", "redis://", "rediss://", "redis+unix://")


def _check_limits(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError(
            'not a rate limit in limits\' notation (e.g. "10/second;100/minute")'
        ) from None
    return value


class RateLimitSettings(BaseModel):
    """Plugin-wide settings, the ``[plugins.toolhooks-ratelimit]`` table."""

    model_config = ConfigDict(extra="forbid")

    storage_url: str = Field(
        "memory://",
        description='"memory://" (this process) or "redis://[:pw@]host:port/db" ("rediss://", '
        '"redis+unix://") to share limits between processes and machines.',
    )
    strategy: Strategy = Field("moving-window", description="The limits strategy.")
    global_limit: str | None = Field(
        None, description='A limit on all calls of all tools together ("100/minute").'
    )
    global_per_scope: bool = Field(
        False, description="Count the global limit separately for each scope."
    )
    key_prefix: str = Field(
        "toolhooks:ratelimit", min_length=1, description="Prefix of the Redis keys."
    )
    fail_closed: bool = Field(
        False,
        description="Storage unreachable: refuse calls (True) or let them through unlimited.",
    )
    socket_timeout_s: float = Field(0.25, gt=0, description="Redis connect and read timeout.")
    reconnect_after_s: float = Field(
        2.0, ge=0, description="After a Redis failure, skip Redis for this long before retrying."
    )

    @field_validator("storage_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value == "memory":
            return "memory://"
        if not value.startswith(_SCHEMES):
            raise ValueError(f"the url must start with one of {', '.join(_SCHEMES)}")
        return value

    @field_validator("global_limit")
    @classmethod
    def _check_global(cls, value: str | None) -> str | None:
        return _check_limits(value)

    @property
    def is_redis(self) -> bool:
        return not self.storage_url.startswith("memory://")


class RateLimitToolSettings(BaseModel):
    """Per-tool settings: ``[tools."*".ratelimit]`` overlaid by ``[tools.NAME.ratelimit]``."""

    model_config = ConfigDict(extra="forbid")

    limit: str | None = Field(
        None, description='This tool\'s limit, e.g. "10/second;100/minute" (None: no limit).'
    )
    mode: Literal["wait", "refuse"] = Field(
        "wait", description="At the limit: wait for a slot (within the deadline) or refuse."
    )
    per_scope: bool = Field(False, description="Count the limit separately for each scope.")
    max_wait_s: float | None = Field(
        None, gt=0, description="Wait at most this long in total (besides the call's deadline)."
    )
    global_limit: bool = Field(True, description="False exempts this tool from the global limit.")

    @field_validator("limit")
    @classmethod
    def _check_limit(cls, value: str | None) -> str | None:
        return _check_limits(value)
