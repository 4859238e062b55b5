"""The hook specifications: the whole contract between toolhooks and its plugins.

A plugin is a module (or a class, instantiated once per runtime) with functions named after these
specs and marked with ``@toolhooks.hookimpl``. An implementation may accept any subset of a spec's
parameters, by name.

Two families:

* **Set-up hooks** run once per runtime and are dispatched by pluggy: ``toolhooks_configure``,
  ``toolhooks_register_tools``, ``toolhooks_register_commands``, the per-tool factories
  ``toolhooks_retry_policy``, ``toolhooks_cache`` and ``toolhooks_rate_limiter`` (each called once
  per tool; the object it returns is kept), and ``toolhooks_shutdown``.
* **Per-call hooks** run on the hot path and are dispatched by the core itself, implementation by
  implementation in pluggy's order (``tryfirst``/``trylast`` honoured), so that it can await async
  implementations, name the plugin that refused or failed, and keep one observer's failure away
  from the others: ``toolhooks_call_started``, ``toolhooks_validate``, ``toolhooks_execute``,
  ``toolhooks_call_retrying``, ``toolhooks_recover`` and ``toolhooks_call_finished``. They may
  return a value or an awaitable. ``wrapper=True`` / ``hookwrapper=True`` implementations of
  per-call hooks are refused at load time (the plugin is reported as failed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from toolhooks._config import Config
    from toolhooks._errors import ErrorInfo
    from toolhooks._model import CallContext, Recovery, ToolResult
    from toolhooks._protocols import RateLimiter, RetryPolicy, ToolCache
    from toolhooks._tools import Tool

hookspec = pluggy.HookspecMarker("toolhooks")

#: The hooks the core dispatches per call (see the module docstring).
PER_CALL_HOOKS = frozenset(
    {
        "toolhooks_call_started",
        "toolhooks_validate",
        "toolhooks_execute",
        "toolhooks_call_retrying",
        "toolhooks_recover",
        "toolhooks_call_finished",
    }
)


# -- set-up ----------------------------------------------------------------------------------


@hookspec
def toolhooks_configure(config: Config) -> None:
    """Receive the configuration, before any tool is registered.

    **When:** once per runtime, after all plugins are loaded and before
    ``toolhooks_register_tools``. **Semantics:** broadcast, called plugin by plugin.

    :param config: the loaded :class:`~toolhooks.Config`. Read your own section with
        ``config.plugin_settings("<your-distribution-name>", YourSettingsModel)`` and per-tool
        settings with ``config.tool_settings(tool_name, Model, section="<key>")``; both validate
        and raise :class:`~toolhooks.ConfigError` naming the file and key.

    :returns: nothing.
    :raises ConfigError: for bad settings: start-up stops with that message. Any other exception
        marks the plugin as ``failed`` (reported, unregistered) and the runtime starts without it.
    """


@hookspec
def toolhooks_register_tools(register: Callable[..., Tool]) -> None:
    """Register the tools this plugin provides.

    **When:** once per runtime, after ``toolhooks_configure``. **Semantics:** broadcast, called
    plugin by plugin, so every tool is stamped with the plugin that registered it.

    :param register: ``register(tool_or_function, **options)``: takes a :class:`~toolhooks.Tool`
        (from ``@toolhooks.tool`` or ``Tool.from_schema``) or a plain function (wrapped with
        ``toolhooks.tool(**options)``) and returns the registered ``Tool``.

    :returns: nothing.
    :raises NotConfigured: the pack has nothing to offer as configured: the plugin stays enabled
        with none of its tools, and ``toolhooks plugins`` shows the message.
    :raises: a bad tool name, or any other exception, marks this plugin as ``failed`` and drops all
        its tools. Two plugins registering the same name stops start-up with a
        :class:`~toolhooks.ToolConflictError` naming both (tools are never renamed).
    """


@hookspec
def toolhooks_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``toolhooks`` command line.

    **When:** when the CLI needs a command it does not have built in (or lists all commands).
    **Semantics:** broadcast; ``click`` is imported already, heavy imports belong inside the
    commands.

    :param cli: the root :class:`click.Group`; call ``cli.add_command(...)``.
    :returns: nothing.
    :raises: any exception marks the plugin as ``failed``; the built-in commands keep working.
    """


@hookspec(firstresult=True)
def toolhooks_retry_policy(tool: Tool) -> RetryPolicy | None:
    """Supply the retry policy for *tool*.

    **When:** once per tool, on its first call; the object is kept for the runtime's life.
    **Semantics:** first non-``None`` result wins.

    :param tool: the tool (its ``side_effects``, ``idempotent`` and ``timeout`` matter here).
    :returns: a :class:`~toolhooks.RetryPolicy`, or ``None`` for no retries.
    :raises: an exception makes the tool's calls fail with ``internal_error`` until it resolves.
    """


@hookspec(firstresult=True)
def toolhooks_cache(tool: Tool) -> ToolCache | None:
    """Supply the result cache for *tool*.

    **When:** once per tool, on its first call; the object is kept. **Semantics:** first
    non-``None`` result wins.

    :param tool: the tool (cache read-only tools only unless configured otherwise).
    :returns: a :class:`~toolhooks.ToolCache`, or ``None`` to not cache this tool.
    :raises: an exception makes the tool's calls fail with ``internal_error`` until it resolves.
    """


@hookspec(firstresult=True)
def toolhooks_rate_limiter(tool: Tool) -> RateLimiter | None:
    """Supply the rate limiter for *tool* (which may also enforce a global limit).

    **When:** once per tool, on its first call; the object is kept. **Semantics:** first
    non-``None`` result wins.

    :param tool: the tool.
    :returns: a :class:`~toolhooks.RateLimiter`, or ``None`` for no limit.
    :raises: an exception makes the tool's calls fail with ``internal_error`` until it resolves.
    """


@hookspec
def toolhooks_summary() -> Any:
    """Contribute to ``Runtime.summary()``: what this plugin has seen, as JSON-able data.

    **When:** on demand (``Runtime.summary()``, the ``toolhooks run`` report). **Semantics:**
    broadcast; the runtime keys each non-``None`` result by plugin name.

    :returns: a JSON-able value; a list of flat dicts is shown as a table by the CLI; ``None``
        contributes nothing.
    :raises: exceptions are logged and the plugin's entry is left out.
    """


@hookspec
def toolhooks_shutdown() -> None:
    """Release resources (connections, servers, threads).

    **When:** once, from ``Runtime.close()`` / ``aclose()``. **Semantics:** broadcast; an
    implementation may return an awaitable (awaited by ``aclose``). Exceptions are logged and the
    others still run.
    """


# -- per call --------------------------------------------------------------------------------


@hookspec
def toolhooks_call_started(ctx: CallContext) -> None:
    """Observe a call starting.

    **When:** for every call, after the tool is resolved (``ctx.tool`` is ``None`` for an unknown
    tool) and before its arguments are parsed. **Semantics:** broadcast, for observers (logs,
    metrics, traces).

    :param ctx: the call's :class:`~toolhooks.CallContext`; keep per-call state in
        ``ctx.state["<plugin>"]``.
    :returns: ``None`` or an awaitable.
    :raises: exceptions are logged and ignored: an observer never changes a call's outcome.
    """


@hookspec
def toolhooks_validate(ctx: CallContext) -> None:
    """Check (and coerce) a call's arguments, or refuse the call.

    **When:** for every call of a known tool, after its arguments are parsed into a JSON object
    and before the cache, the rate limiter and the tool. **Semantics:** broadcast; the first
    implementation that raises stops the call.

    :param ctx: the call. A validator may set ``ctx.bound`` to what the function takes (see
        :meth:`~toolhooks.Tool.bind`); it then also sets ``ctx.arguments`` to their canonical JSON
        form (:meth:`~toolhooks.Tool.canonical_arguments`: defaults filled in, values coerced),
        which caches key on. If no validator sets ``ctx.bound``, the core binds with the tool's
        own model and makes the arguments canonical itself when the tool is cached.
    :returns: ``None`` or an awaitable.
    :raises ToolError: to refuse the call (``InvalidArguments``, ``Refused``, ...); the model sees
        its message and the result names this plugin in ``refused_by``. Any other exception fails
        the call with ``internal_error`` (the call does not run) and is logged.
    """


@hookspec(firstresult=True)
def toolhooks_execute(ctx: CallContext) -> Any:
    """Run one attempt of the call.

    **When:** once per attempt, inside the retry policy and the per-attempt timeout.
    **Semantics:** first non-``None`` result wins; the core's own implementation is ``trylast``
    and calls the tool's function (sync functions in the runtime's worker pool). An executor for
    other kinds of tools (remote ones, say) returns an awaitable for the tools it handles and
    ``None``, synchronously, for the others.

    :param ctx: the call; ``ctx.bound`` holds the bound arguments, ``ctx.attempt`` the attempt.
    :returns: the tool's return value, or an awaitable of it; ``None`` to pass.
    :raises: whatever the tool raised; the retry policy decides whether to try again.
    """


@hookspec
def toolhooks_call_retrying(ctx: CallContext, error: BaseException, wait_s: float) -> None:
    """Observe a failed attempt that will be retried.

    **When:** called by the retry policy (through ``Runtime.notify_retry``) before it waits.
    **Semantics:** broadcast, for observers.

    :param ctx: the call; ``ctx.attempt`` is the attempt that failed.
    :param error: the exception of that attempt.
    :param wait_s: how long the policy waits before the next attempt.
    :returns: ``None`` or an awaitable.
    :raises: exceptions are logged and ignored.
    """


@hookspec(firstresult=True)
def toolhooks_recover(ctx: CallContext, error: ErrorInfo) -> Recovery | None:
    """Answer a failed call after all (graceful degradation: a stale cached value, a fallback).

    **When:** once per failed call of a known tool, after retries are exhausted and before
    ``toolhooks_call_finished``; not for cancelled calls. **Semantics:** first non-``None`` result
    wins (awaitables are awaited before deciding).

    :param ctx: the call.
    :param error: the structured error the model would otherwise see.
    :returns: a :class:`~toolhooks.Recovery` to answer with, or ``None`` to let the error stand.
    :raises: exceptions are logged and treated as ``None``.
    """


@hookspec
def toolhooks_call_finished(ctx: CallContext, result: ToolResult) -> None:
    """Observe a call's one result.

    **When:** for every call that started, once, with its final result (success, error, cache
    hit, recovery or cancellation). **Semantics:** broadcast, for observers, in the reverse
    order of ``toolhooks_call_started`` (the first to start a call finishes it last).

    :param ctx: the call.
    :param result: the :class:`~toolhooks.ToolResult` (outcome, duration, attempts, cache).
    :returns: ``None`` or an awaitable.
    :raises: exceptions are logged and ignored.
    """
