"""The ``toolhooks`` command line.

Exit codes (:class:`ExitCode`): 0 success; 1 a call's result is an error; 2 bad usage or bad
input; 3 bad configuration or plugin set-up. Errors are one line on stderr, never a traceback
(``-v`` shows log details).
"""

from __future__ import annotations

import enum
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from toolhooks._config import Config
from toolhooks._errors import ToolhooksError

if TYPE_CHECKING:
    from toolhooks._model import ToolResult
    from toolhooks._plugins import PluginInfo
    from toolhooks._runtime import Runtime

__all__ = ["ExitCode", "cli", "main"]

log = logging.getLogger("toolhooks")


class ExitCode(enum.IntEnum):
    OK = 0
    CALL_FAILED = 1
    USAGE = 2
    CONFIG = 3


#: Commands that live in optional modules: imported only when used.
LAZY_COMMANDS = {"chat": "toolhooks.openai._cli:chat"}


class CliState:
    """``ctx.obj``: the options of the root command, and the runtime built from them."""

    def __init__(self, config_path: str | None, plugin_opts: Sequence[str]) -> None:
        self.config_path = config_path
        self.plugin_opts = list(plugin_opts)
        self._runtime: Runtime | None = None
        self._config: Config | None = None
        self._enable: list[str] = []
        #: plugin name -> where its "disabled in config" came from (-p, env or the file)
        self.disabled_by: dict[str, str] = {}

    def config(self) -> Config:
        if self._config is None:
            config = Config.load(self.config_path)
            enable = [p for p in self.plugin_opts if not p.startswith("no:")]
            disable = [p[3:] for p in self.plugin_opts if p.startswith("no:")]
            if disable:
                data = dict(config.data)
                data["disable"] = [*data.get("disable", []), *disable]
                config = Config(data, path=config.path)
            self._config = config
            self._enable = enable
        return self._config

    def runtime(self) -> Runtime:
        """The runtime for this invocation (built once, closed when the command ends)."""
        if self._runtime is None:
            from toolhooks._runtime import Runtime

            config = self.config()
            self._runtime = Runtime(config, plugins=self._enable)
            click.get_current_context().call_on_close(self._runtime.close)
            self.disabled_by = self._explain_disabled(self._runtime.plugins)
        return self._runtime

    def _explain_disabled(self, infos: Sequence[PluginInfo]) -> dict[str, str]:
        """Say where each "disabled in config" came from: -p, TOOLHOOKS_DISABLE or the file."""
        by_option = {p[3:] for p in self.plugin_opts if p.startswith("no:")}
        env = os.environ.get("TOOLHOOKS_DISABLE", "")
        by_env = {n.strip() for n in env.split(",") if n.strip()}
        path = self._config.path if self._config else None
        where = os.path.basename(path) if path else "config"
        out: dict[str, str] = {}
        for info in infos:
            if info.status != "disabled" or info.error != "disabled in config":
                continue
            if info.name in by_option:
                out[info.name] = f"disabled by -p no:{info.name}"
            elif info.name in by_env:
                out[info.name] = "disabled by TOOLHOOKS_DISABLE"
            else:
                out[info.name] = f"disabled in {where}"
        return out


class _Root(click.Group):
    """Built-in commands, lazy ones, and those plugins add through
    ``toolhooks_register_commands`` (plugins load only when such a command is asked for)."""

    _plugin_commands_loaded = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands(ctx)
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        if cmd_name in LAZY_COMMANDS:
            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            try:
                loaded: click.Command = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                return _unavailable(cmd_name, f"{type(exc).__name__}: {exc}")
            return loaded
        self._load_plugin_commands(ctx)
        return super().get_command(ctx, cmd_name)

    def _load_plugin_commands(self, ctx: click.Context) -> None:
        if self._plugin_commands_loaded:
            return
        self._plugin_commands_loaded = True
        from toolhooks._hooks import Hooks
        from toolhooks._plugins import load_plugins, new_plugin_manager

        params = ctx.find_root().params
        try:
            config = Config.load(params.get("config_path"))
        except ToolhooksError:
            return  # the command itself will report the bad config
        pm = new_plugin_manager()
        opts = params.get("plugin_opts") or ()
        disable = [p[3:] for p in opts if p.startswith("no:")]
        settings = config.core
        if disable:  # -p no:NAME: a disabled plugin adds no command either
            settings = Config(
                {**config.data, "disable": [*config.data.get("disable", []), *disable]},
                path=config.path,
            ).core
        try:
            load_plugins(pm, settings, explicit=[p for p in opts if not p.startswith("no:")])
        except ToolhooksError:
            return  # the command itself will report the bad config
        for plugin, fn in Hooks(pm).impls_of("toolhooks_register_commands"):
            try:
                fn(cli=self)
            except Exception as exc:
                log.warning("plugin %s failed to add its commands: %s", plugin, exc)


def _unavailable(name: str, why: str) -> click.Command:
    """A stand-in for a command whose module cannot be imported: --help keeps working."""

    def fail() -> None:
        _fail(f"the {name} command is unavailable ({why})", ExitCode.CONFIG)

    return click.Command(name, callback=fail, help=f"(unavailable: {why})")


def _fail(message: str, code: ExitCode) -> NoReturn:
    click.echo(f"toolhooks: error: {message}", err=True)
    sys.exit(code)


class _CliLogFormatter(logging.Formatter):
    def __init__(self, verbose: bool) -> None:
        super().__init__("toolhooks: %(levelname)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = record.levelname.lower()
        if not self.verbose:
            record.exc_info = None  # no tracebacks at users unless asked for
            record.exc_text = None
        return super().format(record)


@click.group(cls=_Root, invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="TOOLHOOKS_CONFIG",
    help="Config file (default: toolhooks.toml, else [tool.toolhooks] in pyproject.toml).",
)
@click.option(
    "-p",
    "plugin_opts",
    multiple=True,
    metavar="NAME",
    help="Load plugin NAME (an entry point or module); -p no:NAME disables it.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="toolhooks")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, plugin_opts: tuple[str, ...], verbose: int
) -> None:
    """Run LLM tool calls through plugins: list plugins and tools, call one, run a batch."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_CliLogFormatter(verbose > 0))
    root = logging.getLogger("toolhooks")
    root.handlers[:] = [handler]
    root.setLevel([logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)])
    root.propagate = False
    # one record per call (toolhooks-logging) repeats what the commands print: shown with -v
    logging.getLogger("toolhooks.calls").setLevel(logging.INFO if verbose else logging.ERROR)
    ctx.obj = CliState(config_path, plugin_opts)
    if ctx.invoked_subcommand is None:
        runtime = _runtime(ctx)
        _echo_plugins(runtime.plugins, ctx.obj.disabled_by)
        click.echo()
        _echo_tools(runtime)
        click.echo("\nRun `toolhooks --help` for the commands.")


def _runtime(ctx: click.Context) -> Runtime:
    try:
        state: CliState = ctx.find_object(CliState)  # type: ignore[assignment]
        return state.runtime()
    except ToolhooksError as exc:
        _fail(str(exc), ExitCode.CONFIG)


# -- plugins -------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """The plugins: name, version, status (enabled, disabled, failed) and hooks."""
    runtime = _runtime(ctx)
    why: dict[str, str] = ctx.find_object(CliState).disabled_by  # type: ignore[union-attr]
    if as_json:
        out = [
            {**p.as_dict(), **({"disabled_by": why[p.name]} if p.name in why else {})}
            for p in runtime.plugins
        ]
        click.echo(json.dumps(out, indent=2))
    else:
        _echo_plugins(runtime.plugins, why)


def _echo_plugins(infos: Sequence[PluginInfo], why: dict[str, str] | None = None) -> None:
    why = why or {}
    rows = [
        {
            "plugin": p.name,
            "version": p.version or "",
            "status": p.status
            + (f": {why.get(p.name, p.error)}" if p.error else f": {p.note}" if p.note else ""),
            "hooks": ", ".join(h.removeprefix("toolhooks_") for h in p.hooks),
        }
        for p in infos
    ]
    _table("Plugins", rows)


# -- tools ---------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the tools and schemas as JSON.")
@click.option("--openai", "as_openai", is_flag=True, help="Print chat.completions tools=[...].")
@click.option(
    "--strict/--no-strict", default=True, help="With --openai: strict schemas where possible."
)
@click.pass_context
def tools(ctx: click.Context, as_json: bool, as_openai: bool, strict: bool) -> None:
    """The registered tools, with their schemas."""
    if as_json and as_openai:
        raise click.UsageError("--json and --openai are exclusive")
    runtime = _runtime(ctx)
    if as_openai:
        from toolhooks.openai import tools_param

        click.echo(json.dumps(tools_param(runtime.tools.values(), strict=strict), indent=2))
    elif as_json:
        out = [
            {
                "name": t.name,
                "description": t.description,
                "parameters": t.parameters,
                "plugin": t.plugin,
                "side_effects": t.side_effects,
                "tags": sorted(t.tags),
            }
            for t in runtime.tools.values()
        ]
        click.echo(json.dumps(out, indent=2))
    else:
        _echo_tools(runtime)


def _echo_tools(runtime: Runtime) -> None:
    rows = [
        {
            "tool": t.name,
            "plugin": t.plugin or "",
            "parameters": ", ".join(t.parameters.get("properties", {})),
            "description": (t.description.splitlines() or [""])[0],
        }
        for t in runtime.tools.values()
    ]
    _table("Tools", rows, empty="no tools registered (install a tool pack)")


# -- call ----------------------------------------------------------------------------------


@cli.command()
@click.argument("name")
@click.argument("args_json", default="{}")
@click.option("--scope", help="Partition key for caches and rate limits (e.g. a user id).")
@click.option("--id", "call_id", default="call_cli", show_default=True, help="The call id.")
@click.pass_context
def call(ctx: click.Context, name: str, args_json: str, scope: str | None, call_id: str) -> None:
    """Run one call through the full pipeline and print its tool message.

    Exit status 0 when the call succeeded, 1 when its result is an error.
    """
    from toolhooks._model import ToolCall

    runtime = _runtime(ctx)
    result = runtime.execute_sync(ToolCall(name, args_json, call_id), scope=scope)
    click.echo(json.dumps(result.to_message(), ensure_ascii=False))
    ctx.exit(ExitCode.OK if result.ok else ExitCode.CALL_FAILED)


# -- run -----------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.File("r"))
@click.option("--sequential", is_flag=True, help="One call after another, in order.")
@click.option("--json", "as_json", is_flag=True, help="Print the tool messages as JSON.")
@click.option("--scope", help="Partition key for caches and rate limits (e.g. a user id).")
@click.pass_context
def run(ctx: click.Context, file: Any, sequential: bool, as_json: bool, scope: str | None) -> None:
    """Execute the tool calls of an assistant message (or a chat completion) in FILE (- for
    stdin), in parallel unless --sequential.

    Exit status 0 when every call succeeded, 1 when any result is an error.
    """
    from toolhooks._calls import tool_calls_from

    text = file.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"{file.name}: not JSON: {exc.msg} at line {exc.lineno}", ExitCode.USAGE)
    try:
        calls = tool_calls_from(data)
    except (ValueError, TypeError) as exc:
        _fail(f"{file.name}: {exc}", ExitCode.USAGE)
    runtime = _runtime(ctx)
    results = runtime.execute_many_sync(calls, sequential=sequential, scope=scope)
    if as_json:
        click.echo(json.dumps([r.to_message() for r in results], indent=2, ensure_ascii=False))
    else:
        _echo_results(results)
        for plugin, summary in runtime.summary().items():
            if isinstance(summary, list) and summary and all(isinstance(r, dict) for r in summary):
                click.echo()
                _table(plugin, _informative(summary))
    ctx.exit(ExitCode.OK if all(r.ok for r in results) else ExitCode.CALL_FAILED)


def _echo_results(results: Sequence[ToolResult]) -> None:
    rows = [
        {
            "call": r.call_id,
            "tool": r.tool,
            "outcome": "ok" if r.ok else f"error: {r.error.type}" if r.error else "error",
            "ms": f"{r.duration_s * 1000:.1f}",
            "attempts": str(r.attempts),
            "cache": r.cache or "",
        }
        for r in results
    ]
    _table("Calls", rows, empty="no tool calls in the message")


# -- output --------------------------------------------------------------------------------


def _informative(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without the columns that say nothing (all zero or empty), floats rounded."""
    empty: tuple[Any, ...] = (None, "", 0, 0.0, {}, [])
    keep = [k for i, k in enumerate(rows[0]) if i == 0 or any(r.get(k) not in empty for r in rows)]
    return [
        {k: (f"{r.get(k):.3g}" if isinstance(r.get(k), float) else r.get(k)) for k in keep}
        for r in rows
    ]


def _table(title: str, rows: Sequence[dict[str, Any]], *, empty: str = "none") -> None:
    """A table for people (rich, imported here and only here)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    if not rows:
        console.print(f"{title}: {empty}", highlight=False)
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in rows[0]:
        table.add_column(str(column), overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``toolhooks`` script."""
    try:
        cli.main(args=argv, prog_name="toolhooks")
    except ToolhooksError as exc:  # raised while building a runtime outside _runtime()
        _fail(str(exc), ExitCode.CONFIG)


if __name__ == "__main__":
    main()
