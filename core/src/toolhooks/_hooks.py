"""A typed facade over ``pm.hook``: one method per hook spec, the only place call sites are spelt.

Set-up hooks go through pluggy. Per-call hooks are dispatched here, implementation by
implementation, in pluggy's call order: the core can then await async implementations, know which
plugin refused a call, and keep one observer's exception from reaching the others.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy

from toolhooks._errors import ToolError

if TYPE_CHECKING:
    import click

    from toolhooks._config import Config
    from toolhooks._errors import ErrorInfo
    from toolhooks._model import CallContext, Recovery, ToolResult
    from toolhooks._protocols import RateLimiter, RetryPolicy, ToolCache
    from toolhooks._tools import Tool

log = logging.getLogger("toolhooks")


class Impl(NamedTuple):
    """One implementation of a per-call hook, ready to call."""

    fn: Callable[..., Any]
    picks: tuple[int, ...]  # which of the spec's arguments it takes, in order
    plugin: str


class PluginFailure(ToolError):
    """A plugin raised something other than a ToolError in a per-call hook."""

    type = "internal_error"


class Hooks:
    """The hooks of one plugin manager, typed."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.refresh()

    def refresh(self) -> None:
        """Re-read the per-call implementations (after a plugin is registered or removed)."""
        self.call_started_impls = self._impls("toolhooks_call_started", ("ctx",))
        self.validate_impls = self._impls("toolhooks_validate", ("ctx",))
        self.execute_impls = self._impls("toolhooks_execute", ("ctx",))
        self.call_retrying_impls = self._impls(
            "toolhooks_call_retrying", ("ctx", "error", "wait_s")
        )
        self.recover_impls = self._impls("toolhooks_recover", ("ctx", "error"))
        # finished in the reverse order of started, like nested context managers: an observer
        # that set something up first (a tracing context) tears it down last
        self.call_finished_impls = self._impls("toolhooks_call_finished", ("ctx", "result"))[::-1]

    def _impls(self, name: str, spec_args: Sequence[str]) -> tuple[Impl, ...]:
        caller = getattr(self.pm.hook, name)
        out = []
        for impl in reversed(caller.get_hookimpls()):  # pluggy calls the list back to front
            picks = tuple(spec_args.index(a) for a in impl.argnames)
            out.append(Impl(impl.function, picks, impl.plugin_name))
        return tuple(out)

    def impls_of(self, name: str) -> list[tuple[str, Callable[..., Any]]]:
        """``(plugin name, call)`` for every implementation of set-up hook *name*, in call order,
        for calling plugin by plugin (provenance, isolation). ``call(**kwargs)`` passes each
        implementation only the arguments it accepts, as pluggy does."""
        caller = getattr(self.pm.hook, name)
        return [
            (i.plugin_name, functools.partial(_call_with, i.function, i.argnames))
            for i in reversed(caller.get_hookimpls())
        ]

    # -- set-up hooks (pluggy) ---------------------------------------------------------------

    def configure(self, *, config: Config) -> None:
        self.pm.hook.toolhooks_configure(config=config)

    def register_tools(self, *, register: Callable[..., Tool]) -> None:
        self.pm.hook.toolhooks_register_tools(register=register)

    def register_commands(self, *, cli: click.Group) -> None:
        self.pm.hook.toolhooks_register_commands(cli=cli)

    def retry_policy(self, *, tool: Tool) -> RetryPolicy | None:
        result: RetryPolicy | None = self.pm.hook.toolhooks_retry_policy(tool=tool)
        return result

    def cache(self, *, tool: Tool) -> ToolCache | None:
        result: ToolCache | None = self.pm.hook.toolhooks_cache(tool=tool)
        return result

    def rate_limiter(self, *, tool: Tool) -> RateLimiter | None:
        result: RateLimiter | None = self.pm.hook.toolhooks_rate_limiter(tool=tool)
        return result

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for plugin, fn in self.impls_of("toolhooks_summary"):
            try:
                value = fn()
            except Exception:
                log.exception("plugin %s failed in toolhooks_summary", plugin)
                continue
            if value is not None:
                out[plugin] = value
        return out

    def shutdown(self) -> list[Any]:
        results: list[Any] = []
        for plugin, fn in self.impls_of("toolhooks_shutdown"):
            try:
                results.append(fn())
            except Exception:
                log.exception("plugin %s failed in toolhooks_shutdown", plugin)
        return results

    # -- per-call hooks (dispatched here) ----------------------------------------------------

    async def call_started(self, *, ctx: CallContext) -> None:
        await _observe(self.call_started_impls, "toolhooks_call_started", (ctx,))

    async def validate(self, *, ctx: CallContext) -> None:
        for fn, picks, plugin in self.validate_impls:
            try:
                res = fn(*[(ctx,)[i] for i in picks])
                if res is not None and inspect.isawaitable(res):
                    await res
            except ToolError:
                ctx.refused_by = plugin
                raise
            except Exception as exc:
                ctx.refused_by = plugin
                log.exception("plugin %s failed in toolhooks_validate for %r", plugin, ctx)
                raise PluginFailure(
                    "The call was not run: a check that must pass before it could not be "
                    "completed.",
                    suggestion="This is not caused by your arguments; try again later.",
                ) from exc

    def execute(self, *, ctx: CallContext) -> Any:
        for fn, picks, _plugin in self.execute_impls:
            res = fn(*[(ctx,)[i] for i in picks])
            if res is not None:
                return res
        return None

    async def call_retrying(self, *, ctx: CallContext, error: BaseException, wait_s: float) -> None:
        await _observe(self.call_retrying_impls, "toolhooks_call_retrying", (ctx, error, wait_s))

    async def recover(self, *, ctx: CallContext, error: ErrorInfo) -> tuple[Recovery, str] | None:
        args = (ctx, error)
        for fn, picks, plugin in self.recover_impls:
            try:
                res = fn(*[args[i] for i in picks])
                if res is not None and inspect.isawaitable(res):
                    res = await res
            except Exception:
                log.exception("plugin %s failed in toolhooks_recover for %r", plugin, ctx)
                continue
            if res is not None:
                return res, plugin
        return None

    async def call_finished(self, *, ctx: CallContext, result: ToolResult) -> None:
        await _observe(self.call_finished_impls, "toolhooks_call_finished", (ctx, result))


def _call_with(fn: Callable[..., Any], argnames: Sequence[str], **kwargs: Any) -> Any:
    return fn(**{name: kwargs[name] for name in argnames})


async def _observe(impls: Sequence[Impl], hook: str, args: tuple[Any, ...]) -> None:
    for fn, picks, plugin in impls:
        try:
            res = fn(*[args[i] for i in picks])
            if res is not None and inspect.isawaitable(res):
                await res
        except Exception:
            log.exception("plugin %s failed in %s (ignored)", plugin, hook)
