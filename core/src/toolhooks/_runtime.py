"""The runtime, and the lifecycle of one call, top to bottom.

::

    resolve tool            unknown name -> unknown_tool, with did-you-mean
    call_started(ctx)       observers
    parse arguments         not JSON, or not an object -> invalid_arguments
    validate(ctx)           plugins check, coerce or refuse; then the core binds the arguments
    cache lookup            per-tool cache; a hit skips the rest
    rate limiter acquire    per-tool limiter; waits (within the deadline) or refuses
    retry policy . run(     per-tool policy decides which failures are retried
        execute(ctx)        per-attempt timeout; sync tools run in the worker pool
    )
    cache store             (errors are never cached)
    recover(ctx, error)     on failure, a plugin may answer after all (stale cache, fallback)
    call_finished(ctx, r)   observers

Every call ends in exactly one :class:`ToolResult`, whatever happens on the way.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import difflib
import inspect
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pluggy
import pydantic_core

from toolhooks._config import Config, ToolSettings
from toolhooks._deadlines import Watchdog, expired, watchdog
from toolhooks._errors import (
    ErrorInfo,
    InvalidArguments,
    NotConfigured,
    ToolConflictError,
    ToolError,
    ToolTimeout,
    UnknownTool,
    truncate,
)
from toolhooks._hooks import Hooks
from toolhooks._model import CallContext, ToolCall, ToolResult
from toolhooks._plugins import PluginInfo, load_plugins, new_plugin_manager
from toolhooks._protocols import RateLimiter, RetryPolicy, ToolCache
from toolhooks._tools import Tool, check_tool_name, tool
from toolhooks._workers import DaemonPool

__all__ = ["Batch", "CallLike", "Runtime"]

log = logging.getLogger("toolhooks")
T = TypeVar("T")

#: What ``execute`` accepts: a :class:`ToolCall`, or an OpenAI-style mapping
#: (``{"id", "function": {"name", "arguments"}}`` or ``{"name", "arguments"}``).
CallLike = ToolCall | Mapping[str, Any]

#: Shutdown tasks of runtimes that failed to start inside a running loop, until they finish.
_BACKGROUND: set[asyncio.Task[None]] = set()

_CANCELLED = ErrorInfo(
    type="cancelled",
    message="The call was cancelled before it finished.",
    retryable=True,
)


@dataclass(slots=True)
class _Entry:
    """A tool with its per-tool objects, resolved once and kept."""

    tool: Tool
    timeout: float | None
    deadline: float | None
    semaphore: asyncio.Semaphore | None
    retry: RetryPolicy | None
    cache: ToolCache | None
    limiter: RateLimiter | None
    cache_plugin: str | None = None  # who supplied the cache and the limiter, for refused_by
    limiter_plugin: str | None = None


class _BatchState:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False


class Runtime:
    """Runs tool calls through the plugins: the object an application keeps.

    :param config: the configuration; by default ``Config.load()``: the config file found from
        the current directory, and ``TOOLHOOKS_*`` variables, as the CLI does. Pass
        ``Config({...})`` to ignore both (tests, embedding).
    :param tools: tools (or plain functions) the application registers itself.
    :param plugins: extra plugins: objects (modules, instances, classes) or names (an installed
        entry point's name, or a module path).
    :param autoload: overrides the config's ``autoload`` (``False``: only built-in, ``enable``d
        and explicit plugins load).
    :raises ConfigError: bad configuration. :raises ToolConflictError: two plugins registered the
        same tool name.

    Use it as a context manager, or call :meth:`close` / :meth:`aclose`, to release the worker
    threads and plugin resources.
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        tools: Iterable[Tool | Callable[..., Any]] = (),
        plugins: Iterable[object] = (),
        autoload: bool | None = None,
    ) -> None:
        self.config = config if config is not None else Config.load()
        core = self.config.core
        if autoload is not None:
            core = core.model_copy(update={"autoload": autoload})
        self._pm = new_plugin_manager()
        #: What became of every plugin (built-in, installed, explicit).
        self.plugins: list[PluginInfo] = load_plugins(
            self._pm, core, explicit=plugins, config_path=self.config.path
        )
        self.hooks = Hooks(self._pm)
        self._tools: dict[str, Tool] = {}
        self._entries: dict[str, _Entry] = {}
        self._max_concurrency = core.max_concurrency
        self._workers = core.workers
        self._pool: DaemonPool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_lock = threading.Lock()
        self._closed = False
        self._dog_loop: asyncio.AbstractEventLoop | None = None  # the last loop's watchdog
        self._dog: Watchdog | None = None
        try:
            self._setup_plugins()
            for item in tools:
                self.add_tool(item)
        except BaseException:
            self._abandon()  # plugins that started servers or connections release them
            raise

    # -- set-up ------------------------------------------------------------------------------

    def _fail_plugin(self, name: str, hook: str, exc: BaseException) -> None:
        log.warning("plugin %s failed in %s and was unregistered: %s", name, hook, exc)
        for info in self.plugins:
            if info.name == name:
                info.status, info.error = "failed", f"{hook}: {type(exc).__name__}: {exc}"
        self._pm.unregister(name=name)
        self._tools = {n: t for n, t in self._tools.items() if t.plugin != name}
        self.hooks.refresh()

    def _setup_plugins(self) -> None:
        from toolhooks._errors import ConfigError

        for name, fn in self.hooks.impls_of("toolhooks_configure"):
            try:
                fn(config=self.config)
            except ConfigError:
                raise
            except Exception as exc:
                self._fail_plugin(name, "toolhooks_configure", exc)
        for name, fn in self.hooks.impls_of("toolhooks_register_tools"):
            if self._pm.get_plugin(name) is None:
                continue  # failed in configure
            try:
                fn(register=lambda t, /, _p=name, **opts: self.add_tool(t, plugin=_p, **opts))
            except ToolConflictError:
                raise
            except NotConfigured as exc:  # enabled, with no tools, and says why
                self._tools = {n: t for n, t in self._tools.items() if t.plugin != name}
                for info in self.plugins:
                    if info.name == name:
                        info.note = str(exc)
            except Exception as exc:
                self._fail_plugin(name, "toolhooks_register_tools", exc)

    def add_tool(
        self, item: Tool | Callable[..., Any], /, *, plugin: str | None = None, **options: Any
    ) -> Tool:
        """Register a tool (or a function, wrapped with ``toolhooks.tool(**options)``).

        :raises ToolConflictError: the name is taken (the message names both owners).
        :raises ValueError: the name is not one OpenAI accepts.
        """
        t = item if isinstance(item, Tool) else tool(**options)(item)
        check_tool_name(t.name)
        taken = self._tools.get(t.name)
        if taken is not None:
            raise ToolConflictError(
                f"tool name {t.name!r} is registered by both {_owner(taken.plugin)} and "
                f"{_owner(plugin)}; disable one of them (-p no:NAME, or `disable` in config): "
                "toolhooks never renames a tool"
            )
        if not self.config.tool_settings(t.name, ToolSettings).enabled:
            log.info("tool %s is disabled in config", t.name)
            return t
        t = copy.copy(t)  # a Tool may be shared by runtimes: the owner is this runtime's fact
        t.plugin = plugin
        self._tools[t.name] = t
        return t

    def register_plugin(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object after start (its ``toolhooks_configure`` and
        ``toolhooks_register_tools`` run now). Returns the name it was registered under."""
        registered = self._pm.register(plugin, name=name)
        if registered is None:
            raise ValueError(f"plugin name {name!r} is blocked")
        self.hooks.refresh()
        self._entries.clear()
        for hook, kwargs in (
            ("toolhooks_configure", {"config": self.config}),
            (
                "toolhooks_register_tools",
                {"register": lambda t, /, **o: self.add_tool(t, plugin=registered, **o)},
            ),
        ):
            impl = getattr(plugin, hook, None)
            if impl is not None:
                impl(**{k: v for k, v in kwargs.items() if k in inspect.signature(impl).parameters})
        return registered

    def unregister_plugin(self, name: str) -> None:
        """Remove a plugin and the tools it registered."""
        self._pm.unregister(name=name)
        self._tools = {n: t for n, t in self._tools.items() if t.plugin != name}
        self._entries.clear()
        self.hooks.refresh()

    @property
    def tools(self) -> Mapping[str, Tool]:
        """The registered tools, by name."""
        return self._tools

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        return self._pm

    def get_plugin(self, name: str) -> Any:
        """The registered plugin object named *name* (an instance for class plugins), or None."""
        return self._pm.get_plugin(name)

    def summary(self) -> dict[str, Any]:
        """What the plugins have seen (metrics and the like), keyed by plugin name."""
        return self.hooks.summary()

    def _entry(self, name: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is not None:
            return entry
        t = self._tools.get(name)
        if t is None:
            raise _unknown_tool(name, self._tools)
        settings = self.config.tool_settings(name, ToolSettings)
        own = self.config.core.tools.get(name, {})
        timeout = settings.timeout if "timeout" in own or t.timeout is None else t.timeout
        concurrency = (
            settings.max_concurrency
            if "max_concurrency" in own or t.max_concurrency is None
            else t.max_concurrency
        )
        try:
            retry, _ = self._per_tool("toolhooks_retry_policy", t)
            cache, cache_plugin = self._per_tool("toolhooks_cache", t)
            limiter, limiter_plugin = self._per_tool("toolhooks_rate_limiter", t)
        except Exception as exc:
            log.exception("a plugin failed to set up tool %s", name)
            raise ToolError(
                "The tool is not available right now: its set-up failed.",
                type="internal_error",
                suggestion="This is not caused by your arguments; try again later.",
            ) from exc
        entry = _Entry(
            tool=t,
            timeout=timeout,
            deadline=settings.deadline,
            semaphore=asyncio.Semaphore(concurrency) if concurrency else None,
            retry=retry,
            cache=cache,
            limiter=limiter,
            cache_plugin=cache_plugin,
            limiter_plugin=limiter_plugin,
        )
        self._entries[name] = entry
        return entry

    def _per_tool(self, hook: str, t: Tool) -> tuple[Any, str | None]:
        """First non-None object of a per-tool factory hook, and the plugin that supplied it."""
        for plugin, fn in self.hooks.impls_of(hook):
            obj = fn(tool=t)
            if obj is not None:
                return obj, plugin
        return None, None

    # -- one call ----------------------------------------------------------------------------

    async def execute(self, call: CallLike, *, scope: str | None = None) -> ToolResult:
        """Run one call through the pipeline; always returns its one result (never raises for
        anything the call does).

        :param call: a :class:`ToolCall` or an OpenAI-style mapping.
        :param scope: a partition key for caches and rate limits (a user id, a tenant).
        """
        return await self._call(call if type(call) is ToolCall else as_call(call), scope, None)

    async def _call(
        self, call: ToolCall, scope: str | None, batch: _BatchState | None
    ) -> ToolResult:
        hooks = self.hooks
        ctx = CallContext(self, call, scope)
        try:
            entry = self._entries.get(call.name) if call.problem is None else None
            if entry is None:
                entry, unresolved = self._resolve(call)
            else:
                unresolved = None
            ctx.tool = entry.tool if entry is not None else None
            if hooks.call_started_impls:
                await hooks.call_started(ctx=ctx)
            if unresolved is not None:
                raise unresolved
            assert entry is not None
            ctx.timeout = entry.timeout
            if entry.deadline is not None:
                ctx.deadline = time.monotonic() + entry.deadline
            if entry.semaphore is None:
                value = await self._run(ctx, entry)
            else:
                await self._slot(ctx, entry.semaphore)
                try:
                    value = await self._run(ctx, entry)
                finally:
                    entry.semaphore.release()
            result = self._result(ctx, value, None)
        except asyncio.CancelledError:
            result = self._result(ctx, None, _CANCELLED)
            if hooks.call_finished_impls:
                await hooks.call_finished(ctx=ctx, result=result)
            if batch is None or not batch.cancelled:
                raise
            return result
        except Exception as exc:
            result = await self._failed(ctx, exc)
        if hooks.call_finished_impls:
            await hooks.call_finished(ctx=ctx, result=result)
        return result

    @staticmethod
    async def _slot(ctx: CallContext, semaphore: asyncio.Semaphore) -> None:
        """One of the tool's ``max_concurrency`` slots, waited for no later than the deadline."""
        remaining = ctx.remaining()
        if remaining is None:
            await semaphore.acquire()
            return
        try:
            await asyncio.wait_for(semaphore.acquire(), max(remaining, 0))
        except TimeoutError:
            raise ToolTimeout(
                "The call's deadline passed while it waited for the tool to be free (too many "
                "calls of this tool at once).",
                retryable=True,
            ) from None

    def _resolve(self, call: ToolCall) -> tuple[_Entry, None] | tuple[None, ToolError]:
        try:
            if call.problem is not None:
                raise ToolError.from_info(call.problem)
            return self._entry(call.name), None
        except ToolError as exc:
            return None, exc

    async def _run(self, ctx: CallContext, entry: _Entry) -> Any:
        """Arguments, validation, cache, rate limit, retries and execution; returns the value."""
        hooks = self.hooks
        ctx.arguments = parse_arguments(ctx.call.arguments)
        if hooks.validate_impls:
            await hooks.validate(ctx=ctx)
        canonical = ctx.bound is not None  # a validator that bound them left them canonical
        if not canonical:
            ctx.bound = entry.tool.bind(ctx.arguments)
        if entry.cache is None and entry.limiter is None and entry.retry is None:
            return await self._attempt(ctx, entry)  # the common, cheapest path
        if entry.cache is not None and not canonical:
            # the cache key must not depend on how the model spelt the call
            ctx.arguments = entry.tool.canonical_arguments(ctx.bound)
        if ctx.deadline is None:
            return await self._guarded(ctx, entry)
        dog = watchdog(asyncio.get_running_loop())
        alarm = dog.arm(ctx.deadline)
        try:
            return await self._guarded(ctx, entry)
        except asyncio.CancelledError:
            if expired(alarm):
                raise ToolTimeout(
                    f"The call did not finish within its deadline of {entry.deadline:g} s "
                    f"({ctx.attempt} attempt{'s' if ctx.attempt != 1 else ''}).",
                    retryable=True,
                ) from None
            raise
        finally:
            dog.disarm(alarm)

    async def _guarded(self, ctx: CallContext, entry: _Entry) -> Any:
        cache = entry.cache
        if cache is not None:
            try:
                hit = await cache.lookup(ctx)
            except ToolError:
                ctx.refused_by = ctx.refused_by or entry.cache_plugin
                raise  # the cache is configured to fail closed
            except Exception:
                log.exception("cache lookup failed for %r; running the tool uncached", ctx)
                cache = None
            else:
                if hit is not None:
                    ctx.cache = "hit"
                    return hit.value
                ctx.cache = "miss"
        try:
            if entry.limiter is not None:
                try:
                    await entry.limiter.acquire(ctx)
                except ToolError:
                    ctx.refused_by = ctx.refused_by or entry.limiter_plugin
                    raise
            if entry.retry is None:
                value = await self._attempt(ctx, entry)
            else:
                value = await entry.retry.run(ctx, lambda: self._attempt(ctx, entry))
        except BaseException:
            if cache is not None:
                await _quietly(cache.abandon(ctx), "cache abandon")
            raise
        if cache is not None:
            try:
                payload = pydantic_core.to_jsonable_python(value)
            except Exception:
                await _quietly(cache.abandon(ctx), "cache abandon")
            else:
                await _quietly(cache.store(ctx, payload), "cache store")
        return value

    async def _attempt(self, ctx: CallContext, entry: _Entry) -> Any:
        """One attempt: the executor hook under the per-attempt timeout."""
        ctx.attempt += 1
        timeout = ctx.timeout
        capped = False
        if ctx.deadline is not None:
            left = ctx.deadline - time.monotonic()
            if left <= 0:
                raise ToolTimeout("The call's deadline passed before it could run.", retryable=True)
            if timeout is None or left < timeout:
                timeout, capped = left, True
        hooks = self.hooks
        if len(hooks.execute_impls) == 1:  # only the built-in executor
            t = entry.tool
            work = t.call(ctx.bound) if t.is_async else self._invoke(ctx)
        else:
            work = hooks.execute(ctx=ctx)
            if work is None:
                raise ToolError(
                    f"No executor ran the tool {ctx.call.name!r}.", type="internal_error"
                )
            if not inspect.isawaitable(work):
                return work
        if timeout is None:
            return await work
        loop = asyncio.get_running_loop()
        if loop is not self._dog_loop:
            self._dog_loop, self._dog = loop, watchdog(loop)
        dog = self._dog
        assert dog is not None
        alarm = dog.arm(loop.time() + timeout)
        try:
            return await work
        except asyncio.CancelledError:
            if not expired(alarm):
                raise
            if capped:
                raise ToolTimeout(
                    "The call ran out of time (its deadline passed during the attempt).",
                    retryable=True,
                ) from None
            raise ToolTimeout(
                f"The tool did not answer within {timeout:g} s.", retryable=True
            ) from None
        finally:
            dog.disarm(alarm)

    async def _invoke(self, ctx: CallContext) -> Any:
        """The built-in executor: call the function (sync ones in the worker pool)."""
        t = ctx.tool
        assert t is not None
        if isinstance(t.fn, str):
            t.call  # noqa: B018 - resolves a lazy "module:function" target before the check below
        if t.is_async:
            return await t.call(ctx.bound)
        loop = asyncio.get_running_loop()
        run = contextvars.copy_context().run
        value = await loop.run_in_executor(self._worker_pool(), run, t.call, ctx.bound)
        if inspect.isawaitable(value):
            value = await value
        return value

    async def _failed(self, ctx: CallContext, exc: Exception) -> ToolResult:
        info = error_info(exc, ctx)
        if ctx.tool is not None and self.hooks.recover_impls and info.type != "internal_error":
            recovered = await self.hooks.recover(ctx=ctx, error=info)
            if recovered is not None:
                recovery, plugin = recovered
                log.info("call %r recovered by %s (%s)", ctx, plugin, recovery.source or "?")
                if recovery.stale:
                    ctx.cache = "stale"
                return self._result(ctx, recovery.value, None)
        return self._result(ctx, None, info)

    def _result(self, ctx: CallContext, value: Any, error: ErrorInfo | None) -> ToolResult:
        if error is None:
            try:
                content = value if type(value) is str else pydantic_core.to_json(value).decode()
            except Exception as exc:
                log.warning("tool %s returned a value that is not JSON: %s", ctx.call.name, exc)
                error = ErrorInfo(
                    type="tool_error",
                    message=f"The tool returned a value that cannot be sent as JSON "
                    f"({type(value).__name__}).",
                )
                value = None
            else:
                if type(value) is not str and _has_non_finite(content):
                    log.warning(
                        "tool %s returned a non-finite number (NaN or Infinity)", ctx.call.name
                    )
                    error = ErrorInfo(
                        type="tool_error",
                        message="The tool returned a number that is not finite (NaN or "
                        "Infinity), which cannot be sent as JSON.",
                        suggestion="Do not repeat the call unchanged; the inputs probably "
                        "overflow or have no numeric result.",
                    )
                    value = None
        if error is not None:
            content = ToolResult.error_content(error)
        call = ctx.call
        return ToolResult(  # positional: this runs once per call
            call.id,
            call.name,
            content,
            value,
            error,
            time.perf_counter() - ctx.started,
            ctx.attempt,
            ctx.cache,
            ctx.rate_limit_wait_s,
            ctx.refused_by if error is not None else None,
        )

    async def notify_retry(self, ctx: CallContext, error: BaseException, wait_s: float) -> None:
        """For retry policies: tell observers that ``ctx.attempt`` failed and is retried after
        *wait_s* seconds."""
        if self.hooks.call_retrying_impls:
            await self.hooks.call_retrying(ctx=ctx, error=error, wait_s=wait_s)

    # -- the OpenAI loop (see toolhooks.openai; the SDK is never imported here) ---------------

    def chat(self, client: Any, **kwargs: Any) -> Any:
        """``toolhooks.openai.chat(self, client, **kwargs)``: the chat.completions tool loop."""
        from toolhooks.openai import chat

        return chat(self, client, **kwargs)

    async def achat(self, client: Any, **kwargs: Any) -> Any:
        """``toolhooks.openai.achat(self, client, **kwargs)``: the loop with an async client."""
        from toolhooks.openai import achat

        return await achat(self, client, **kwargs)

    def responses(self, client: Any, **kwargs: Any) -> Any:
        """``toolhooks.openai.responses(self, client, **kwargs)``: the Responses API loop."""
        from toolhooks.openai import responses

        return responses(self, client, **kwargs)

    async def aresponses(self, client: Any, **kwargs: Any) -> Any:
        """``toolhooks.openai.aresponses(self, client, **kwargs)``."""
        from toolhooks.openai import aresponses

        return await aresponses(self, client, **kwargs)

    # -- batches -----------------------------------------------------------------------------

    async def execute_many(
        self,
        calls: Iterable[CallLike],
        *,
        sequential: bool = False,
        max_concurrency: int | None = None,
        scope: str | None = None,
    ) -> list[ToolResult]:
        """Run a batch; results come back in input order, one per call.

        :param sequential: run the calls one after another, in order (when order matters).
        :param max_concurrency: calls running at once (default: config ``max_concurrency``).
        :param scope: see :meth:`execute`.

        If the task awaiting this is cancelled, the running calls are cancelled and
        ``CancelledError`` propagates; use :meth:`submit` to cancel a batch and still get a
        result for every call.
        """
        batch = self.submit(
            calls, sequential=sequential, max_concurrency=max_concurrency, scope=scope
        )
        try:
            await asyncio.shield(batch.task)
        except asyncio.CancelledError:
            if not batch.task.done():
                batch.cancel()
                await asyncio.wait([batch.task])
            raise
        return batch.results_now()

    def submit(
        self,
        calls: Iterable[CallLike],
        *,
        sequential: bool = False,
        max_concurrency: int | None = None,
        scope: str | None = None,
    ) -> Batch:
        """Start a batch in the background (inside a running event loop) and return its handle."""
        items = [_batch_item(c, i) for i, c in enumerate(calls)]
        results: list[ToolResult | None] = [None] * len(items)
        state = _BatchState()
        cap = 1 if sequential else max(1, max_concurrency or self._max_concurrency)
        task = asyncio.ensure_future(self._run_batch(items, results, cap, scope, state))
        return Batch(items, results, task, state)

    async def _run_batch(
        self,
        calls: Sequence[ToolCall],
        results: list[ToolResult | None],
        cap: int,
        scope: str | None,
        state: _BatchState,
    ) -> None:
        indexes = iter(range(len(calls)))

        async def worker() -> None:
            for i in indexes:
                if state.cancelled:
                    return
                results[i] = await self._call(calls[i], scope, state)

        workers = min(cap, len(calls))
        if workers <= 1:
            await worker()
            return
        tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            state.cancelled = True
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    # -- sync entry points -------------------------------------------------------------------

    def execute_sync(self, call: CallLike, *, scope: str | None = None) -> ToolResult:
        """:meth:`execute` for programs without an event loop."""
        return self.run_sync(self.execute(call, scope=scope))

    def execute_many_sync(
        self,
        calls: Iterable[CallLike],
        *,
        sequential: bool = False,
        max_concurrency: int | None = None,
        scope: str | None = None,
    ) -> list[ToolResult]:
        """:meth:`execute_many` for programs without an event loop."""
        return self.run_sync(
            self.execute_many(
                calls, sequential=sequential, max_concurrency=max_concurrency, scope=scope
            )
        )

    def run_sync(self, awaitable: Awaitable[T]) -> T:
        """Run *awaitable* on the runtime's own event loop thread and wait for it.

        One loop serves every sync call of this runtime, so plugin state bound to a loop (locks,
        connections) stays valid between calls. Raises ``RuntimeError`` inside a running loop.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            _discard(awaitable)
            raise RuntimeError("a sync toolhooks API was called inside an event loop: await it")
        try:
            loop = self._sync_loop()
        except RuntimeError:
            _discard(awaitable)
            raise

        async def wrap() -> T:
            return await awaitable

        future = asyncio.run_coroutine_threadsafe(wrap(), loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def _sync_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._closed:
                raise RuntimeError("this runtime is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="toolhooks-loop", daemon=True
                ).start()
                self._loop = loop
            return self._loop

    def _worker_pool(self) -> DaemonPool:
        if self._pool is None:
            self._pool = DaemonPool(self._workers)
        return self._pool

    # -- life cycle --------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Shut plugins down (awaiting async shutdowns) and release threads."""
        if self._closed:
            return
        for res in self.hooks.shutdown():
            if inspect.isawaitable(res):
                await _quietly(res, "toolhooks_shutdown")
        self._release()

    def close(self) -> None:
        """Shut plugins down and release threads (async shutdowns run on the runtime's loop)."""
        if self._closed:
            return
        pending = [r for r in self.hooks.shutdown() if inspect.isawaitable(r)]
        if pending:
            if self._loop is None:
                for res in pending:  # no loop of ours yet: run them on a fresh one
                    asyncio.run(_quietly(res, "toolhooks_shutdown"))
            else:
                for res in pending:
                    self.run_sync(_quietly(res, "toolhooks_shutdown"))
        self._release()

    def _abandon(self) -> None:
        """Shut the plugins down after a failed start (the runtime is never returned)."""
        pending = [r for r in self.hooks.shutdown() if inspect.isawaitable(r)]
        if pending:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                for res in pending:
                    asyncio.run(_quietly(res, "toolhooks_shutdown"))
            else:  # constructed inside a running loop: finish them there
                for res in pending:
                    task = loop.create_task(_quietly(res, "toolhooks_shutdown"))
                    _BACKGROUND.add(task)  # a task nobody references may be collected early
                    task.add_done_callback(_BACKGROUND.discard)
        self._release()

    def _release(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Runtime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class Batch:
    """A running batch (see :meth:`Runtime.submit`): cancel it, or await its results."""

    def __init__(
        self,
        calls: Sequence[ToolCall],
        results: list[ToolResult | None],
        task: asyncio.Future[None],
        state: _BatchState,
    ) -> None:
        self.calls = calls
        self.task = task
        self._results = results
        self._state = state

    def cancel(self) -> None:
        """Cancel the calls still running or waiting; each gets a ``cancelled`` result."""
        self._state.cancelled = True
        self.task.cancel()

    async def results(self) -> list[ToolResult]:
        """Wait for the batch; one result per call, in input order."""
        await asyncio.wait([self.task])
        return self.results_now()

    def results_now(self) -> list[ToolResult]:
        if self.task.done() and not self.task.cancelled() and self.task.exception() is not None:
            raise self.task.exception()  # type: ignore[misc]  # a bug in the core itself
        return [
            r if r is not None else _cancelled_result(c)
            for r, c in zip(self._results, self.calls, strict=True)
        ]


# -- helpers -------------------------------------------------------------------------------


def as_call(call: CallLike, *, index: int = 0) -> ToolCall:
    """A :class:`ToolCall` from a ``ToolCall`` or an OpenAI-style mapping."""
    if isinstance(call, ToolCall):
        return call
    if isinstance(call, Mapping):
        fn = call.get("function")
        if isinstance(fn, Mapping):
            return ToolCall(str(fn.get("name", "")), fn.get("arguments"), str(call.get("id", "")))
        return ToolCall(
            str(call.get("name", "")),
            call.get("arguments"),
            str(call.get("id") or call.get("call_id") or ""),
        )
    raise TypeError(f"not a tool call: {type(call).__name__}")


def _batch_item(item: Any, index: int) -> ToolCall:
    """One batch item as a :class:`ToolCall`; an item that is not a call becomes a call whose
    ``problem`` says so (``invalid_arguments``), so the batch still gets one answer per item."""
    try:
        return as_call(item, index=index)
    except Exception as exc:  # not a mapping / ToolCall, or a mapping that cannot be read
        why = str(exc) if isinstance(exc, TypeError) else f"unreadable {type(item).__name__}"
    call_id = ""
    try:
        raw_id = getattr(item, "id", None) or getattr(item, "call_id", None)
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
            call_id = str(raw_id)
    except Exception:
        pass
    return ToolCall(
        "",
        None,
        call_id or f"call_{index}",
        problem=ErrorInfo(
            type="invalid_arguments",
            message=f"Batch item {index} is not a tool call ({why}); it was not run.",
            suggestion='Send each call as {"id", "function": {"name", "arguments"}}.',
        ),
    )


#: How deep a call's arguments may nest (objects and arrays), for the whole pipeline: deeper
#: arguments are refused with ``invalid_arguments`` before any plugin or tool sees them, so no
#: validator, cache key, log record or span has to survive 10,000 levels.
MAX_DEPTH = 64


def parse_arguments(raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """The call's arguments as a dict, or :class:`InvalidArguments` saying why not."""
    if type(raw) is not str:
        if raw is None:
            return {}
        if isinstance(raw, Mapping):
            value = dict(raw)
            _check_depth(value)
            return value
        raise InvalidArguments(f"The arguments must be a JSON object, got {_json_type(raw)}.")
    if not raw or raw.isspace():
        return {}  # some servers send "" for a tool without parameters
    try:
        value = pydantic_core.from_json(raw)
    except ValueError as exc:
        if "recursion limit" in str(exc):  # pydantic-core stops past its own depth limit
            raise _too_deep() from None
        raise InvalidArguments(
            f"The arguments are not valid JSON: {exc} (got {truncate(raw)}).",
            suggestion='Send the arguments as one JSON object, for example {"name": "value"}.',
        ) from None
    if not isinstance(value, dict):
        raise InvalidArguments(
            f"The arguments must be a JSON object, got {_json_type(value)}.",
            suggestion="Wrap the arguments in an object keyed by parameter name.",
        )
    if raw.count("{") + raw.count("[") > MAX_DEPTH:  # a C-speed bound: most calls skip the walk
        _check_depth(value)
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _has_non_finite(content: str) -> bool:
    """Whether *content* (pydantic-core JSON) holds ``NaN``/``Infinity``, which is not JSON
    (``allow_nan=False`` semantics); a quick text check first, the parse only when it may."""
    if "NaN" not in content and "Infinity" not in content:
        return False
    try:
        json.loads(content, parse_constant=_reject_constant)
    except ValueError:
        return True
    return False


def _too_deep() -> InvalidArguments:
    return InvalidArguments(
        f"The arguments are nested too deep: more than {MAX_DEPTH} levels of objects and arrays.",
        suggestion="Send flatter arguments: no tool here takes data nested that deep.",
    )


_NESTED = (Mapping, list, tuple)


def _check_depth(value: Any) -> None:
    """Refuse Python arguments nested deeper than MAX_DEPTH (iterative: no recursion limit)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, _NESTED))
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item if isinstance(v, _NESTED))


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _unknown_tool(name: str, tools: Mapping[str, Tool]) -> UnknownTool:
    names = sorted(tools)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        suggestion = "Did you mean " + " or ".join(repr(c) for c in close) + "?"
    elif names:
        shown = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
        suggestion = f"Use one of the available tools: {shown}."
    else:
        suggestion = "No tools are available."
    return UnknownTool(f"There is no tool named {truncate(name, 64)!r}.", suggestion=suggestion)


def error_type(exc: BaseException) -> str:
    """The ``error.type`` the model would see for *exc* (quiet: nothing is logged)."""
    if isinstance(exc, ToolError):
        return exc.error_type
    if isinstance(exc, asyncio.CancelledError):
        return "cancelled"
    return "tool_error"


def error_info(exc: BaseException, ctx: CallContext | None = None) -> ErrorInfo:
    """The structured error the model sees for *exc*. Only :class:`ToolError` messages pass
    through; anything else is described by its class and logged with its traceback."""
    if isinstance(exc, ToolError):
        return exc.info()
    if isinstance(exc, asyncio.CancelledError):
        return _CANCELLED
    where = f" in call {ctx!r}" if ctx is not None else ""
    log.warning("tool raised %s%s", type(exc).__name__, where, exc_info=exc)
    return ErrorInfo(
        type="tool_error",
        message=f"The tool failed with an unexpected error ({type(exc).__name__}).",
        suggestion="The details were logged; do not repeat the call unchanged.",
    )


def _cancelled_result(call: ToolCall) -> ToolResult:
    return ToolResult(
        call_id=call.id,
        tool=call.name,
        content=ToolResult.error_content(_CANCELLED),
        error=_CANCELLED,
    )


def _discard(awaitable: Awaitable[Any]) -> None:
    if inspect.iscoroutine(awaitable):
        awaitable.close()


def _owner(plugin: str | None) -> str:
    return f"plugin {plugin!r}" if plugin else "the application"


async def _quietly(awaitable: Awaitable[Any], what: str) -> None:
    try:
        await awaitable
    except Exception:
        log.exception("%s failed (ignored)", what)
