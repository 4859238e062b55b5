"""A stand-in for the core CLI: a click group whose ``ctx.obj.runtime()`` builds a runtime, with
the ``chat`` command registered as ``toolhooks.cli`` does. Run by test_openai_cli.py."""

from __future__ import annotations

import click
import toolhooks
from toolhooks.openai._cli import chat


@toolhooks.tool
def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


class State:
    def __init__(self) -> None:
        self._runtime: toolhooks.Runtime | None = None

    def runtime(self) -> toolhooks.Runtime:
        if self._runtime is None:
            self._runtime = toolhooks.Runtime(tools=[add], autoload=False)
            click.get_current_context().call_on_close(self._runtime.close)
        return self._runtime


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    ctx.obj = State()


cli.add_command(chat)

if __name__ == "__main__":
    cli()
