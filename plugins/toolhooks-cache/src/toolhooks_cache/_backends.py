"""Where cache entries live: this process's memory, or Redis (shared between processes).

Both store JSON text, never pickle. Times are wall-clock epoch seconds (``time.time()``), so
entries written by one process are judged the same way by another.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from toolhooks.redact import redact_url

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["Backend", "BackendUnavailable", "MemoryBackend", "Record", "RedisBackend"]

log = logging.getLogger("toolhooks.cache")

#: The Redis ``CLIENT SETNAME`` of our connections.
CLIENT_NAME = "toolhooks-cache"


@dataclass(frozen=True, slots=True)
class Record:
    """A cached answer: ``text`` is the value's JSON; fresh until ``fresh_until``, servable stale
    until ``stale_until`` (both epoch seconds)."""

    text: str
    fresh_until: float
    stale_until: float

    def value(self) -> Any:
        return json.loads(self.text)


class BackendUnavailable(Exception):
    """The backend cannot be reached right now (Redis down, timed out)."""


class Backend(Protocol):
    async def get(self, key: str) -> Record | None: ...

    async def set(self, key: str, record: Record) -> None: ...

    async def close(self) -> None: ...


class MemoryBackend:
    """A bounded LRU map with a per-entry expiry (cachetools ``TLRUCache``: a ``TTLCache`` whose
    TTL is set per entry, because tools have different TTLs), guarded by a lock so that threads
    and tasks of any loop can share it."""

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.time) -> None:
        from cachetools import TLRUCache

        def ttu(_key: str, record: Record, _now: float) -> float:
            return record.stale_until

        self._lock = threading.Lock()
        self._data: TLRUCache[str, Record] = TLRUCache(max_entries, ttu, timer=clock)

    async def get(self, key: str) -> Record | None:
        with self._lock:
            return self._data.get(key)

    async def set(self, key: str, record: Record) -> None:
        with self._lock:
            self._data[key] = record

    async def close(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


class RedisBackend:
    """Redis through ``redis.asyncio`` (imported on first use).

    A redis.asyncio client is bound to the event loop it connects in, so there is one client per
    running loop. After a failure Redis is skipped for ``reconnect_after_s`` (calls are not slowed
    down by an unreachable server), and one warning is logged per outage.
    """

    def __init__(
        self,
        url: str,
        *,
        socket_timeout_s: float,
        reconnect_after_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._clock = clock
        self.shown_url = redact_url(url)
        self._timeout = socket_timeout_s
        self._reconnect_after = reconnect_after_s
        self._clients: dict[int, tuple[asyncio.AbstractEventLoop, Redis]] = {}
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._warned = False

    def _client(self) -> Redis:
        loop = asyncio.get_running_loop()
        with self._lock:
            found = self._clients.get(id(loop))
            if found is not None and found[0] is loop:
                return found[1]
            from redis.asyncio import Redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            for lid, (other, _client) in list(self._clients.items()):
                if other.is_closed():
                    del self._clients[lid]
            client = Redis.from_url(
                self.url,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                retry=Retry(NoBackoff(), 1),
                decode_responses=True,
                client_name=CLIENT_NAME,
            )
            self._clients[id(loop)] = (loop, client)
            return client

    def _check_up(self) -> None:
        if self._down_until and time.monotonic() < self._down_until:
            raise BackendUnavailable(self.shown_url)

    def _failed(self, exc: BaseException) -> BackendUnavailable:
        self._down_until = time.monotonic() + self._reconnect_after
        if not self._warned:
            self._warned = True
            log.warning(
                "cache: Redis at %s is unreachable (%s); retrying every %g s",
                self.shown_url,
                type(exc).__name__,
                self._reconnect_after,
            )
        return BackendUnavailable(self.shown_url)

    def _ok(self) -> None:
        if self._warned:
            self._warned = False
            log.info("cache: Redis at %s is reachable again", self.shown_url)
        self._down_until = 0.0

    async def get(self, key: str) -> Record | None:
        self._check_up()
        try:
            raw = await self._client().get(key)
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return Record(
                json.dumps(data["value"], separators=(",", ":"), ensure_ascii=False),
                float(data["fresh_until"]),
                float(data["stale_until"]),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("cache: ignoring a malformed entry in Redis (key %s)", key)
            return None

    async def set(self, key: str, record: Record) -> None:
        self._check_up()
        ttl_ms = max(1, int((record.stale_until - self._clock()) * 1000))
        payload = (
            f'{{"fresh_until":{record.fresh_until!r},"stale_until":{record.stale_until!r},'
            f'"value":{record.text}}}'
        )
        try:
            await self._client().set(key, payload, px=ttl_ms)
        except Exception as exc:
            raise self._failed(exc) from None
        self._ok()

    async def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, client in clients:
            if loop is current:
                try:
                    await client.aclose()
                except Exception:
                    log.debug("cache: closing a Redis client failed", exc_info=True)
            elif not loop.is_closed() and loop.is_running():
                # a client belongs to its own loop: close it there, without waiting
                asyncio.run_coroutine_threadsafe(_close_quietly(client), loop)


async def _close_quietly(client: Redis) -> None:
    try:
        await client.aclose()
    except Exception:
        log.debug("cache: closing a Redis client failed", exc_info=True)
