"""The per-tool :class:`toolhooks.RateLimiter`."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from toolhooks import CallContext, RateLimited, Unavailable

from toolhooks_ratelimit._settings import PLUGIN_NAME, RateLimitSettings, RateLimitToolSettings
from toolhooks_ratelimit._storage import Check, Limits, StorageUnavailable

if TYPE_CHECKING:
    from limits import RateLimitItem

__all__ = ["ToolRateLimiter"]

log = logging.getLogger("toolhooks.ratelimit")


class ToolRateLimiter:
    """Admits calls of one tool under its own limit and the global one.

    In ``wait`` mode a call at the limit sleeps until the reset time limits reports for the full
    window, then tries again, never past ``ctx.deadline`` (nor ``max_wait_s``); otherwise, and in
    ``refuse`` mode, it raises :class:`toolhooks.RateLimited` with ``retry_after_s``.
    """

    def __init__(
        self,
        tool_name: str,
        settings: RateLimitSettings,
        tool_settings: RateLimitToolSettings,
        *,
        tool_items: list[RateLimitItem],
        global_items: list[RateLimitItem],
        limits: Limits,
    ) -> None:
        self.tool_name = tool_name
        self.settings = settings
        self.tool_settings = tool_settings
        self.tool_items = tool_items
        self.global_items = global_items
        self.limits = limits
        self.stats = {"admitted": 0, "waited": 0, "refused": 0, "unlimited": 0}
        scoped = tool_settings.per_scope or settings.global_per_scope
        self._unscoped: list[Check] | None = None if scoped else self._checks(None)

    def checks(self, scope: str | None) -> list[Check]:
        """The limits one call takes a slot of (built once when no limit is per scope)."""
        if self._unscoped is not None:
            return self._unscoped
        return self._checks(scope)

    def _checks(self, scope: str | None) -> list[Check]:
        tool_ids: tuple[str, ...] = ("tool", self.tool_name)
        if self.tool_settings.per_scope:
            tool_ids += ("scope", scope or "")
        global_ids: tuple[str, ...] = ("global",)
        if self.settings.global_per_scope:
            global_ids += ("scope", scope or "")
        return [(i, tool_ids) for i in self.tool_items] + [
            (i, global_ids) for i in self.global_items
        ]

    def _refuse(self, ctx: CallContext, message: str, retry_after: float) -> RateLimited:
        self.stats["refused"] += 1
        ctx.refused_by = PLUGIN_NAME
        return RateLimited(
            message,
            retry_after_s=retry_after,
            suggestion=f"Wait {retry_after:.1f} s before calling {self.tool_name} again.",
        )

    async def acquire(self, ctx: CallContext) -> None:
        checks = self.checks(ctx.scope)
        waited = 0.0
        while True:
            try:
                wait = await self.limits.hit(checks)
            except StorageUnavailable:
                if self.settings.fail_closed:
                    self.stats["refused"] += 1
                    ctx.refused_by = PLUGIN_NAME
                    raise Unavailable(
                        "The rate limiter is unavailable, so the call was not run.",
                        retry_after_s=max(self.settings.reconnect_after_s, 1.0),
                        suggestion="This is not caused by your arguments; try again later.",
                    ) from None
                self.stats["unlimited"] += 1
                return  # fail open: logged once per outage by the storage
            if wait is None:
                self.stats["admitted"] += 1
                if waited:
                    self.stats["waited"] += 1
                return
            if self.tool_settings.mode == "refuse":
                raise self._refuse(ctx, f"Rate limit reached for {self.tool_name}.", wait)
            remaining = ctx.remaining()
            if remaining is not None and wait >= remaining:
                raise self._refuse(
                    ctx,
                    f"Rate limit reached for {self.tool_name}, and no slot frees before the "
                    "call's deadline.",
                    wait,
                )
            cap = self.tool_settings.max_wait_s
            if cap is not None and waited + wait > cap:
                raise self._refuse(
                    ctx,
                    f"Rate limit reached for {self.tool_name}; waiting longer than "
                    f"{cap:g} s is not allowed.",
                    wait,
                )
            start = time.monotonic()
            try:
                await asyncio.sleep(wait)
            finally:
                spent = time.monotonic() - start
                waited += spent
                ctx.rate_limit_wait_s += spent

    def summary(self) -> dict[str, Any]:
        return {"tool": self.tool_name, **self.stats}
