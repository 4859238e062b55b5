"""The per-tool cache object (a :class:`toolhooks.ToolCache`) and single flight."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from toolhooks import CacheHit, CallContext, ToolError, Unavailable

from toolhooks_cache._backends import Backend, BackendUnavailable, Record
from toolhooks_cache._key import cache_key
from toolhooks_cache._settings import PLUGIN_NAME, CacheSettings, CacheToolSettings

if TYPE_CHECKING:
    from toolhooks import Tool

__all__ = ["Flights", "ResultCache"]

log = logging.getLogger("toolhooks.cache")

_ABANDONED: Any = object()


class _Flight:
    """One call in flight for a key: followers wait for its outcome (the value's JSON text, or
    ``_ABANDONED``). Waiters may sit on any event loop: they are woken thread-safely."""

    __slots__ = ("_done", "_lock", "_result", "_waiters")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = False
        self._result: Any = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]]] = []

    async def wait(self) -> Any:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            if self._done:
                return self._result
            self._waiters.append((loop, fut))
        try:
            return await fut
        finally:
            with self._lock:
                if (loop, fut) in self._waiters:
                    self._waiters.remove((loop, fut))

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiters)

    def finish(self, result: Any) -> None:
        with self._lock:
            if self._done:
                return
            self._done, self._result = True, result
            waiters, self._waiters = self._waiters, []
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, fut, result)
            except RuntimeError:  # that loop is closed: nobody waits there any more
                pass


def _resolve(fut: asyncio.Future[Any], result: Any) -> None:
    if not fut.done():
        fut.set_result(result)


class Flights:
    """The calls in flight, by key (shared by all tools of one plugin instance)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}

    def join(self, key: str) -> tuple[_Flight, bool]:
        """The flight for *key* and whether the caller leads it (it must then finish it)."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight, False
            flight = self._flights[key] = _Flight()
            return flight, True

    def finish(self, key: str, flight: _Flight, result: Any) -> None:
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
        flight.finish(result)

    def __len__(self) -> int:
        with self._lock:
            return len(self._flights)

    def waiting(self) -> int:
        """How many callers wait on a leader right now (all keys)."""
        with self._lock:
            flights = list(self._flights.values())
        return sum(f.waiting() for f in flights)


class _CallState:
    """What the cache keeps about one call in ``ctx.state["toolhooks-cache"]``."""

    __slots__ = ("flight", "key")

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.flight: _Flight | None = None


class ResultCache:
    """The :class:`toolhooks.ToolCache` of one tool.

    ``lookup`` computes the canonical key from ``ctx.arguments`` (and ``ctx.scope``), serves a
    fresh entry, or, with single flight, either leads the call (returns ``None``: the core runs
    the tool and calls ``store`` or ``abandon``) or waits for the leader and shares its result.
    A waiter whose leader abandoned re-checks and may lead itself.
    """

    def __init__(
        self,
        tool: Tool,
        settings: CacheSettings,
        tool_settings: CacheToolSettings,
        backend: Backend,
        flights: Flights,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.tool = tool
        self.settings = settings
        self.tool_settings = tool_settings
        self.backend = backend
        self.flights = flights
        self.stats = {"hits": 0, "misses": 0, "shared": 0, "stores": 0, "bypassed": 0}

    def key_for(self, ctx: CallContext) -> str | None:
        scope = ctx.scope if self.tool_settings.per_scope else None
        try:
            return cache_key(
                self.settings.key_prefix,
                self.tool.name,
                self.tool.schema_hash,
                ctx.arguments,
                scope,
            )
        except (TypeError, ValueError):
            return None  # arguments that are not JSON (a validator coerced them): not cached

    def _unavailable(self) -> ToolError:
        return Unavailable(
            "The tool cannot run right now: its result cache is unavailable.",
            retry_after_s=max(self.settings.reconnect_after_s, 1.0),
            suggestion="This is not caused by your arguments; try again later.",
        )

    async def _get(self, key: str) -> Record | None:
        try:
            return await self.backend.get(key)
        except BackendUnavailable:
            if self.settings.fail_closed:
                raise self._unavailable() from None
            self.stats["bypassed"] += 1
            return None

    async def lookup(self, ctx: CallContext) -> CacheHit | None:
        key = self.key_for(ctx)
        state = _CallState(key)
        ctx.state[PLUGIN_NAME] = state
        if key is None:
            return None
        while True:
            if not self.settings.single_flight:
                record = await self._get(key)
                if record is not None and record.fresh_until > self.clock():
                    self.stats["hits"] += 1
                    return CacheHit(record.value())
                self.stats["misses"] += 1
                return None
            flight, leader = self.flights.join(key)
            if leader:
                try:
                    record = await self._get(key)
                except BaseException:
                    self.flights.finish(key, flight, _ABANDONED)
                    raise
                if record is not None and record.fresh_until > self.clock():
                    self.flights.finish(key, flight, record.text)
                    self.stats["hits"] += 1
                    return CacheHit(record.value())
                state.flight = flight
                self.stats["misses"] += 1
                return None
            outcome = await flight.wait()
            if outcome is not _ABANDONED:
                self.stats["shared"] += 1
                return CacheHit(json.loads(outcome))
            # the leader failed: look again, and maybe lead this time

    async def store(self, ctx: CallContext, value: Any) -> None:
        state = ctx.state.get(PLUGIN_NAME)
        if not isinstance(state, _CallState) or state.key is None:
            return
        try:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            text = None
        if text is None or len(text.encode()) > self.settings.max_value_bytes:
            self._release(state, _ABANDONED)
            return
        now = self.clock()
        fresh = now + self.tool_settings.ttl_s
        stale = fresh + (self.tool_settings.stale_ttl_s if self.tool_settings.serve_stale else 0)
        try:
            await self.backend.set(state.key, Record(text, fresh, stale))
            self.stats["stores"] += 1
        except BackendUnavailable:
            self.stats["bypassed"] += 1  # fail open or closed, the answer is already computed
        finally:
            self._release(state, text)

    async def abandon(self, ctx: CallContext) -> None:
        state = ctx.state.get(PLUGIN_NAME)
        if isinstance(state, _CallState):
            self._release(state, _ABANDONED)

    def _release(self, state: _CallState, result: Any) -> None:
        flight, state.flight = state.flight, None
        if flight is not None and state.key is not None:
            self.flights.finish(state.key, flight, result)

    async def stale_value(self, ctx: CallContext) -> tuple[bool, Any]:
        """``(True, value)`` when an expired entry for this call may still be served."""
        state = ctx.state.get(PLUGIN_NAME)
        key = state.key if isinstance(state, _CallState) else self.key_for(ctx)
        if key is None:
            return False, None
        try:
            record = await self.backend.get(key)
        except BackendUnavailable:
            return False, None
        if record is None or record.stale_until <= self.clock():
            return False, None
        return True, record.value()
