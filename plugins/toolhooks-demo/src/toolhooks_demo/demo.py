"""The demo run: one conversation through the real chat loop, every behaviour of the lesson.

Offline by default: an embedded scripted OpenAI-compatible server plays the model (the real
``openai`` client talks to it over HTTP on 127.0.0.1), a local HTTP service plays a flaky
dependency, and every plugin uses its memory backend.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import toolhooks
from toolhooks import CallContext, ToolResult

__all__ = ["PROMPT", "DemoTools", "Progress", "build_config", "run_demo", "script"]

Echo = Callable[[str], Any]

PROMPT = (
    "Help me prepare a call with the Tokyo office and check on the shop. In parallel: compute "
    "17*23+4, convert 2026-05-01 09:00 London time to Tokyo time, list the three most expensive "
    "products, and check whether the inventory service is up. Then compute sqrt(2)*10, list the "
    "most expensive products again, and send a heads-up on four channels: email, sms, chat and "
    "pager."
)
TOP_PRODUCTS = "SELECT name, price_cents FROM products ORDER BY price_cents DESC LIMIT 3"
PLUGINS = (
    "toolhooks-validation",
    "toolhooks-retry",
    "toolhooks-cache",
    "toolhooks-ratelimit",
    "toolhooks-metrics",
    "toolhooks-tools-math",
    "toolhooks-tools-time",
    "toolhooks-tools-sqlite",
)


# -- the demo's own tools --------------------------------------------------------------------


class DemoTools:
    """``service_status`` (over HTTP, against the flaky local service) and ``notify``."""

    toolhooks_plugin_name = "toolhooks-demo-tools"

    def __init__(self, service_url: str) -> None:
        self.service_url = service_url
        self.sent: list[str] = []

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Callable[..., Any]) -> None:
        register(self.service_status_tool())
        register(self.notify_tool(), side_effects=True)

    def service_status_tool(self) -> Callable[..., Any]:
        base = self.service_url

        def service_status(service: str) -> dict[str, Any]:
            """Whether an internal service is up.

            Args:
                service: the service's name, e.g. inventory.
            """
            url = f"{base}/status/{urllib.parse.quote(service)}"
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    data: dict[str, Any] = json.load(response)
                    return data
            except urllib.error.HTTPError as exc:
                if exc.code in (502, 503, 504):
                    raise toolhooks.TransientError(
                        f"The status service answered {exc.code}; try again shortly."
                    ) from None
                raise

        return service_status

    def notify_tool(self) -> Callable[..., Any]:
        sent = self.sent

        def notify(channel: str, text: str) -> str:
            """Send a short notification to the team.

            Args:
                channel: where to send it: email, sms, chat or pager.
                text: the message.
            """
            sent.append(channel)
            return f"sent on {channel}"

        return notify


# -- progress --------------------------------------------------------------------------------


class Progress:
    """Prints each call as it starts, retries and finishes (an observer plugin)."""

    toolhooks_plugin_name = "toolhooks-demo-progress"

    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    @toolhooks.hookimpl
    def toolhooks_call_started(self, ctx: CallContext) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.echo(f"  start  {ctx.call.name}#{ctx.call.id}")

    @toolhooks.hookimpl
    def toolhooks_call_retrying(
        self, ctx: CallContext, error: BaseException, wait_s: float
    ) -> None:
        kind = error.error_type if isinstance(error, toolhooks.ToolError) else type(error).__name__
        self.echo(
            f"  retry  {ctx.call.name}#{ctx.call.id}: attempt {ctx.attempt} failed ({kind}), "
            f"next in {wait_s:.2f} s"
        )

    @toolhooks.hookimpl
    def toolhooks_call_finished(self, ctx: CallContext, result: ToolResult) -> None:
        with self._lock:
            self.in_flight -= 1
        outcome = "ok" if result.error is None else f"error {result.error.type}"
        self.echo(
            f"  done   {result.tool}#{result.call_id}: {outcome}, attempts={result.attempts}, "
            f"cache={result.cache or '-'}, {result.duration_s * 1000:.1f} ms"
        )


# -- the scripted model ----------------------------------------------------------------------


def _last_tool_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    for message in reversed(body.get("messages", [])):
        if message.get("role") != "tool":
            break
        try:
            content = json.loads(message.get("content") or "")
        except json.JSONDecodeError:
            continue
        if isinstance(content, dict) and content.get("ok") is False:
            errors.append(content["error"])
    return errors


def script() -> list[Any]:
    """The scripted model's turns. The third one reads the tool message it got back and fixes
    the argument the error names."""
    from toolhooks.scripted import Turn, call

    def correct(body: dict[str, Any]) -> Turn:
        errors = _last_tool_errors(body)
        fields = {f.get("loc") for e in errors for f in e.get("fields", [])}
        if not errors or errors[0].get("type") != "invalid_arguments" or "expression" not in fields:
            return Turn(content="I expected an error about my arguments and got none.")
        return Turn(
            content="The calculator wants `expression`, not `expr`: calling it again.",
            tool_calls=[
                call("calculate", {"expression": "sqrt(2)*10"}),
                call("sqlite_query", {"sql": TOP_PRODUCTS}),
            ],
        )

    def wrap_up(body: dict[str, Any]) -> Turn:
        limited = sum(1 for e in _last_tool_errors(body) if e.get("type") == "rate_limited")
        return Turn(
            content=f"Done. 17*23+4 = 395; 09:00 in London is 17:00 in Tokyo; the inventory "
            f"service is operational; {4 - limited} notifications went out and {limited} hit "
            "the rate limit (I will retry those later)."
        )

    return [
        Turn(
            tool_calls=[
                call("calculate", {"expression": "17*23+4"}),
                call(
                    "time_convert",
                    {
                        "datetime": "2026-05-01T09:00",
                        "from_timezone": "Europe/London",
                        "to_timezone": "Asia/Tokyo",
                    },
                ),
                call("sqlite_query", {"sql": TOP_PRODUCTS}),
                call("service_status", {"service": "inventory"}),
            ]
        ),
        Turn(tool_calls=[call("calculate", {"expr": "sqrt(2)*10"})]),
        correct,
        Turn(
            tool_calls=[
                call("notify", {"channel": ch, "text": "Tokyo call at 17:00 JST"})
                for ch in ("email", "sms", "chat", "pager")
            ]
        ),
        wrap_up,
    ]


# -- the run ---------------------------------------------------------------------------------


def build_config(database: Path) -> toolhooks.Config:
    return toolhooks.Config(
        {
            "plugins": {
                "toolhooks-retry": {"attempts": 3, "wait_initial": 0.05, "wait_jitter": 0},
                "toolhooks-tools-sqlite": {"database": str(database)},
            },
            "tools": {
                "notify": {"ratelimit": {"limit": "2/minute", "mode": "refuse"}},
                # the sample database does not change while the demo runs: opt it in (query
                # tools are not cached by default, a database may change under them)
                "sqlite_query": {"cache": {"enabled": True, "ttl_s": 60}},
            },
        }
    )


def run_demo(
    *,
    model: str | None,
    base_url: str | None,
    stream: bool = False,
    echo: Echo = print,
    disable: Sequence[str] = (),
) -> int:
    """Run the demo; returns the exit status. *disable*: plugins to leave out (``-p no:X``)."""
    from toolhooks_tools_sqlite.sample import create_sample_db

    from toolhooks_demo.flaky import FlakyService

    real = model is not None
    logging.getLogger("stamina").setLevel(logging.ERROR)  # the progress lines show each retry
    if real and base_url is None and not os.environ.get("OPENAI_API_KEY"):
        echo("toolhooks demo: --model needs --base-url or OPENAI_API_KEY")
        return 2
    with tempfile.TemporaryDirectory(prefix="toolhooks-demo-") as tmp, FlakyService(2) as flaky:
        database = create_sample_db(Path(tmp) / "shop.db")
        progress = Progress(echo)
        config = build_config(database)
        if disable:
            config = toolhooks.Config({**config.data, "disable": list(disable)})
        runtime = toolhooks.Runtime(
            config,
            plugins=[*(p for p in PLUGINS if p not in disable), DemoTools(flaky.url), progress],
            autoload=False,
        )
        with runtime:
            failed = [p for p in runtime.plugins if p.status == "failed"]
            for info in failed:
                echo(f"toolhooks demo: plugin {info.name} failed: {info.error}")
            if failed:
                return 3
            echo(f"sample database: {database}")
            echo(f"flaky service: {flaky.url} (503 twice, then 200)")
            if real:
                import openai

                key = os.environ.get("OPENAI_API_KEY") or "none"  # local servers may want none
                client = openai.OpenAI(base_url=base_url, api_key=key)
                echo(f"model: {model} at {client.base_url}")
                result = _chat(runtime, client, model or "", stream, echo)
            else:
                from toolhooks.scripted import ScriptedServer

                with ScriptedServer(script()) as server:
                    echo(f"model: scripted, at {server.base_url} (offline, no API key)")
                    result = _chat(runtime, server.client(), "scripted-model", stream, echo)
            echo(f"most calls in flight at once: {progress.most_in_flight}")
            _echo_transcript(result.messages, echo)
            _echo_table(runtime.summary().get("toolhooks-metrics") or [], echo)
            echo(f"stop reason: {result.stop_reason}, model turns: {result.turns}")
    return 0


def _chat(runtime: toolhooks.Runtime, client: Any, model: str, stream: bool, echo: Echo) -> Any:
    from toolhooks.openai import Event, chat

    def on_event(event: Event) -> None:
        if event.kind == "turn_started":
            echo(f"model turn {event.turn}")

    return chat(
        runtime,
        client,
        model=model,
        messages=[{"role": "user", "content": PROMPT}],
        on_event=on_event,
        stream=stream,
        max_turns=8,
    )


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_of(content: str) -> dict[str, Any] | None:
    """The structured error of a failed call's tool message, or None."""
    try:
        data = json.loads(content)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) and data.get("ok") is False else None
    return error if isinstance(error, dict) else None


def _echo_transcript(messages: Sequence[dict[str, Any]], echo: Echo) -> None:
    echo("")
    echo("Transcript")
    names: dict[str, str] = {}
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            calls = m.get("tool_calls") or []
            if m.get("content"):
                echo(f"  assistant: {_short(str(m['content']))}")
            if calls:
                for c in calls:
                    names[c["id"]] = c["function"]["name"]
                how = "in parallel" if len(calls) > 1 else "alone"
                listed = ", ".join(c["function"]["name"] for c in calls)
                echo(f"  assistant: {len(calls)} tool call(s) {how}: {listed}")
                for c in calls:
                    echo(f"    {c['id']} {c['function']['name']}({c['function']['arguments']})")
        elif role == "tool":
            call_id = m.get("tool_call_id", "")
            content = str(m.get("content"))
            error = _error_of(content)
            shown = _short(content)
            if error:  # in full: this is what the model reads
                shown = f"error {error['type']}: {error['message']}"
                if error.get("retry_after_s") is not None:
                    shown += f" (retry after {error['retry_after_s']:.0f} s)"
            echo(f"  tool {call_id} ({names.get(call_id, '?')}): {shown}")
        else:
            echo(f"  {role}: {_short(str(m.get('content')))}")


def _echo_table(rows: Sequence[dict[str, Any]], echo: Echo) -> None:
    echo("")
    echo("Per-tool calls (toolhooks-metrics)")
    echo(f"  {'tool':<16} {'calls':>5} {'ok':>3} {'success':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for row in rows:
        calls = row["calls"]
        rate = f"{row['ok'] / calls:.0%}" if calls else "-"
        p50 = "-" if row["p50_ms"] is None else f"{row['p50_ms']:.1f}"
        p95 = "-" if row["p95_ms"] is None else f"{row['p95_ms']:.1f}"
        echo(f"  {row['tool']:<16} {calls:>5} {row['ok']:>3} {rate:>8} {p50:>8} {p95:>8}")
