"""Limit storage: memory (one per runtime) or Redis (limits' async Redis storage on redis-py).

limits' async storages are bound to the event loop they first ran in, so the Redis storage and its
strategy are kept per running loop. The memory storage is limits' *synchronous* one (thread-safe,
no I/O): one counter for the whole runtime, whatever loop a call runs on.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from toolhooks.redact import redact_url

if TYPE_CHECKING:
    from limits import RateLimitItem

__all__ = ["Limits", "StorageUnavailable"]

log = logging.getLogger("toolhooks.ratelimit")

#: One limit to check: the item and the identifiers that key it.
Check = tuple["RateLimitItem", tuple[str, ...]]


class StorageUnavailable(Exception):
    """The limit storage cannot be reached right now."""


class Limits:
    """Admits hits against several limits at once, in memory or in Redis."""

    def __init__(
        self,
        url: str,
        strategy: str,
        *,
        key_prefix: str,
        socket_timeout_s: float,
        reconnect_after_s: float,
    ) -> None:
        self.url = url
        self.shown_url = redact_url(url)
        self.strategy_name = strategy
        self.key_prefix = key_prefix
        self._timeout = socket_timeout_s
        self._reconnect_after = reconnect_after_s
        self._lock = threading.Lock()
        self._memory: Any = None  # (storage, strategy) for memory://
        self._per_loop: dict[int, tuple[asyncio.AbstractEventLoop, Any, Any]] = {}
        self._down_until = 0.0
        self._warned = False
        self.is_redis = not url.startswith("memory://")

    # -- strategies --------------------------------------------------------------------------

    def _memory_strategy(self) -> Any:
        with self._lock:
            if self._memory is None:
                from limits.storage import MemoryStorage
                from limits.strategies import STRATEGIES

                storage = MemoryStorage()
                self._memory = (storage, STRATEGIES[self.strategy_name](storage))
            return self._memory[1]

    def _redis_strategy(self) -> Any:
        loop = asyncio.get_running_loop()
        with self._lock:
            found = self._per_loop.get(id(loop))
            if found is not None and found[0] is loop:
                return found[2]
            for lid, (other, _s, _r) in list(self._per_loop.items()):
                if other.is_closed():
                    del self._per_loop[lid]
            from limits.aio.storage import RedisStorage
            from limits.aio.strategies import STRATEGIES
            from redis.asyncio import ConnectionPool
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            pool = ConnectionPool.from_url(
                self.url,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                retry=Retry(NoBackoff(), 1),
                client_name=CLIENT_NAME,
            )
            storage = RedisStorage(
                "async+" + self.url,
                implementation="redispy",
                key_prefix=self.key_prefix,
                wrap_exceptions=True,
                connection_pool=pool,  # type: ignore[arg-type]  # passed on to redis.asyncio
            )
            strategy = STRATEGIES[self.strategy_name](storage)  # type: ignore[abstract]
            self._per_loop[id(loop)] = (loop, pool, strategy)
            return strategy

    # -- admitting ---------------------------------------------------------------------------

    async def hit(self, checks: Sequence[Check]) -> float | None:
        """Take one slot of every limit in *checks*: ``None`` when admitted, else the seconds
        until a slot of the fullest limit frees (nothing is taken then, as far as the strategy
        allows: limits are tested first, then hit one by one).

        :raises StorageUnavailable: Redis cannot be reached (logged once per outage).
        """
        if not self.is_redis:
            return _hit_sync(self._memory_strategy(), checks)
        if self._down_until and time.monotonic() < self._down_until:
            raise StorageUnavailable(self.shown_url)
        try:
            result = await _hit_async(self._redis_strategy(), checks)
        except Exception as exc:
            self._down_until = time.monotonic() + self._reconnect_after
            if not self._warned:
                self._warned = True
                log.warning(
                    "rate limit: Redis at %s is unreachable (%s); retrying every %g s",
                    self.shown_url,
                    type(exc).__name__,
                    self._reconnect_after,
                )
            raise StorageUnavailable(self.shown_url) from None
        if self._warned:
            self._warned = False
            log.info("rate limit: Redis at %s is reachable again", self.shown_url)
        self._down_until = 0.0
        return result

    async def close(self) -> None:
        with self._lock:
            memory, self._memory = self._memory, None
            loops = list(self._per_loop.values())
            self._per_loop.clear()
        if memory is not None:
            memory[0].timer.cancel()
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, pool, _strategy in loops:
            if loop is current:
                await _close_quietly(pool)
            elif not loop.is_closed() and loop.is_running():
                asyncio.run_coroutine_threadsafe(_close_quietly(pool), loop)


#: The Redis ``CLIENT SETNAME`` of our connections.
CLIENT_NAME = "toolhooks-ratelimit"

_MIN_WAIT = 0.001


def _hit_sync(strategy: Any, checks: Sequence[Check]) -> float | None:
    # with one limit, hit() alone admits or refuses; testing first only matters when a later
    # limit could refuse after an earlier one was taken
    for item, ids in checks if len(checks) > 1 else ():
        if not strategy.test(item, *ids):
            return _wait_for(strategy.get_window_stats(item, *ids).reset_time)
    for item, ids in checks:
        if not strategy.hit(item, *ids):
            return _wait_for(strategy.get_window_stats(item, *ids).reset_time)
    return None


async def _hit_async(strategy: Any, checks: Sequence[Check]) -> float | None:
    for item, ids in checks if len(checks) > 1 else ():
        if not await strategy.test(item, *ids):
            return _wait_for((await strategy.get_window_stats(item, *ids)).reset_time)
    for item, ids in checks:
        if not await strategy.hit(item, *ids):
            return _wait_for((await strategy.get_window_stats(item, *ids)).reset_time)
    return None


def _wait_for(reset_time: float) -> float:
    return max(_MIN_WAIT, reset_time - time.time())


async def _close_quietly(pool: Any) -> None:
    try:
        await pool.aclose()
    except Exception:
        log.debug("rate limit: closing a Redis pool failed", exc_info=True)
