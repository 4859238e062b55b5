"""The entry module: adds the ``demo`` command; everything it runs is imported when it runs."""

from __future__ import annotations

import click
import toolhooks


@toolhooks.hookimpl
def toolhooks_register_commands(cli: click.Group) -> None:
    cli.add_command(demo)


@click.command()
@click.option("--model", default=None, help="Run against a real model with this name.")
@click.option(
    "--base-url",
    default=None,
    help="An OpenAI-compatible endpoint for --model (default: the OpenAI API; key from "
    "OPENAI_API_KEY).",
)
@click.option("--stream", is_flag=True, help="Stream the model's turns.")
@click.pass_context
def demo(ctx: click.Context, model: str | None, base_url: str | None, stream: bool) -> None:
    """Run the whole lesson end to end, offline: parallel calls, a validation error corrected by
    the model, a flaky service retried, a cache hit, a rate limit, and the metrics table.

    Without --model it talks to an embedded scripted OpenAI-compatible server (no API key, no
    network); with --model (and --base-url or OPENAI_API_KEY) the same prompt goes to a real one.
    """
    from toolhooks_demo.demo import run_demo

    opts = getattr(ctx.obj, "plugin_opts", None) or ()
    disable = [p[3:] for p in opts if p.startswith("no:")]  # toolhooks -p no:NAME demo
    code = run_demo(model=model, base_url=base_url, stream=stream, echo=click.echo, disable=disable)
    if code:
        raise SystemExit(code)
