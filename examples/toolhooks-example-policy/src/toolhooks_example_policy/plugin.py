"""The entry module: hook implementations only, nothing heavy at import.

The entry point names the class, so the core makes one instance per runtime (the counters are
per runtime).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from typing import Any

import toolhooks

from toolhooks_example_policy.settings import PolicySettings, redact

NAME = "toolhooks-example-policy"


class PolicyPlugin:
    """Refuses calls by tool, tag or argument rule; redacts fields from results."""

    toolhooks_plugin_name = NAME

    def __init__(self) -> None:
        self.settings = PolicySettings()
        self.refused = 0
        self.redacted = 0

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: toolhooks.Config) -> None:
        self.settings = config.plugin_settings(NAME, PolicySettings)

    # -- refuse ---------------------------------------------------------------------------------

    @toolhooks.hookimpl(tryfirst=True)  # refuse before other validators spend work on the call
    def toolhooks_validate(self, ctx: toolhooks.CallContext) -> None:
        tool = ctx.tool
        assert tool is not None  # validate runs for known tools only
        s = self.settings
        if tool.name in s.deny_tools:
            raise toolhooks.Refused(
                f"The tool {tool.name!r} is not allowed here.",
                suggestion="Answer without this tool.",
            )
        denied = sorted(tool.tags & set(s.deny_tags))
        if denied:
            raise toolhooks.Refused(
                f"Tools tagged {', '.join(denied)} are not allowed here.",
                suggestion="Answer without this tool.",
            )
        for rule in s.rules:
            if rule.matches(tool.name, ctx.arguments):
                raise toolhooks.Refused(rule.message)

    # -- redact ---------------------------------------------------------------------------------

    @toolhooks.hookimpl(tryfirst=True)
    def toolhooks_execute(self, ctx: toolhooks.CallContext) -> Any:
        """Run the tool ourselves when there is something to redact (firstresult: the core's own
        executor, ``trylast``, is then skipped); otherwise pass with ``None``."""
        tool = ctx.tool
        if not self.settings.redact_fields or tool is None or tool.fn is None:
            return None
        return self._run_and_redact(ctx, tool)

    async def _run_and_redact(self, ctx: toolhooks.CallContext, tool: toolhooks.Tool) -> Any:
        if tool.is_async:
            value = await tool.call(ctx.bound)
        else:
            run = contextvars.copy_context().run
            value = await asyncio.get_running_loop().run_in_executor(
                None, run, tool.call, ctx.bound
            )
            if inspect.isawaitable(value):
                value = await value
        import pydantic_core

        clean, count = redact(
            pydantic_core.to_jsonable_python(value),
            self.settings.redact_fields,
            self.settings.redact_with,
        )
        ctx.state[NAME] = {"redacted": count}
        return clean

    # -- report ---------------------------------------------------------------------------------

    @toolhooks.hookimpl
    def toolhooks_call_finished(
        self, ctx: toolhooks.CallContext, result: toolhooks.ToolResult
    ) -> None:
        if result.refused_by == NAME:
            self.refused += 1
        self.redacted += ctx.state.get(NAME, {}).get("redacted", 0)

    @toolhooks.hookimpl
    def toolhooks_summary(self) -> Any:
        return [{"refused": self.refused, "fields_redacted": self.redacted}]
