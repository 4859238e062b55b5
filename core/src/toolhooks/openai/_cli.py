"""``toolhooks chat``: run the tool loop against an OpenAI-compatible endpoint from the shell.

Registered lazily by ``toolhooks.cli`` (``ctx.obj.runtime()`` builds the runtime from
``--config`` / ``-p``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from toolhooks._errors import ToolhooksError, truncate

if TYPE_CHECKING:
    from toolhooks.openai._loop import Event

__all__ = ["chat"]

_NO_KEY = (
    "error: no API key: set OPENAI_API_KEY (any non-empty value for a local server that ignores "
    "it), and OPENAI_BASE_URL or --base-url for an OpenAI-compatible server"
)

#: Sent to a ``--base-url`` server when OPENAI_API_KEY is unset: the SDK insists on a key.
_PLACEHOLDER_KEY = "toolhooks-no-key"


@click.command()
@click.argument("prompt")
@click.option("--model", "-m", required=True, help="The model name.")
@click.option("--base-url", default=None, help="The API base URL (default: $OPENAI_BASE_URL).")
@click.option("--max-turns", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--system", default=None, help="A system message.")
@click.option("--stream", is_flag=True, help="Stream the model's turns.")
@click.option(
    "--strict/--no-strict", default=True, help="Strict tool schemas where possible (default)."
)
@click.option("--max-retries", default=2, show_default=True, type=click.IntRange(min=0),
              help="The SDK's retries of failed requests.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
def chat(
    prompt: str,
    model: str,
    base_url: str | None,
    max_turns: int,
    system: str | None,
    stream: bool,
    strict: bool,
    max_retries: int,
    as_json: bool,
) -> None:
    """Ask the model PROMPT with the tools; print each tool call as it runs, then the answer.

    Uses OPENAI_API_KEY and OPENAI_BASE_URL (or --base-url); the key is required only for the
    default OpenAI endpoint.
    """
    api_key = os.environ.get("OPENAI_API_KEY", "").strip()
    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
    if not api_key:
        if base_url is None:  # only the default OpenAI endpoint needs a real key
            click.echo(_NO_KEY, err=True)
            sys.exit(2)
        api_key = _PLACEHOLDER_KEY  # local servers (vLLM, Ollama, ...) ignore it
    try:
        runtime = click.get_current_context().obj.runtime()
    except ToolhooksError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)

    import openai

    from toolhooks.openai._loop import chat as run_chat

    out_err = as_json  # tool lines go to stderr when stdout carries the JSON

    def on_event(event: Event) -> None:
        if event.kind == "tool_call" and event.call is not None:
            args = event.call.arguments
            shown = args if isinstance(args, str) else json.dumps(args)
            click.echo(f"-> {event.call.name}({truncate(shown, 120)})", err=out_err)
        elif event.kind == "tool_result" and event.result is not None:
            r = event.result
            status = "ok" if r.ok else f"{r.error.type if r.error else 'error'}"
            extra = f", {r.attempts} attempts" if r.attempts > 1 else ""
            click.echo(f"<- {r.tool}: {status} ({r.duration_s * 1000:.0f} ms{extra})", err=out_err)

    client = openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=max_retries)
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    where = base_url or "https://api.openai.com/v1"
    try:
        result = run_chat(
            runtime,
            client,
            model=model,
            messages=messages,
            max_turns=max_turns,
            strict=strict,
            stream=stream,
            on_event=on_event,
        )
    except openai.APIConnectionError:
        click.echo(f"error: cannot reach the model endpoint at {where}", err=True)
        sys.exit(1)
    except openai.APIStatusError as exc:
        detail = _status_message(exc)
        click.echo(
            f"error: the model endpoint answered HTTP {exc.status_code}"
            + (f": {detail}" if detail else ""),
            err=True,
        )
        sys.exit(1)
    except openai.APIError as exc:
        click.echo(f"error: the model request failed ({type(exc).__name__})", err=True)
        sys.exit(1)
    finally:
        client.close()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "text": result.text,
                    "stop_reason": result.stop_reason,
                    "turns": result.turns,
                    "calls": [r.summary() for r in result.results],
                },
                indent=2,
            )
        )
    else:
        if result.text:
            click.echo(result.text)
        if result.stop_reason != "completed":
            click.echo(f"(stopped: {result.stop_reason} after {result.turns} turns)", err=True)
    if result.stop_reason != "completed":
        sys.exit(1)


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    return truncate(message, 200) if isinstance(message, str) else ""
