"""A scripted OpenAI-compatible server, for tests and offline demos.

The real ``openai`` client talks to it over HTTP on ``127.0.0.1``; instead of a model, a *script*
of assistant turns answers each request, in order::

    from toolhooks.scripted import ScriptedServer, Turn, call

    with ScriptedServer([
        Turn(tool_calls=[call("get_weather", {"city": "Paris"})]),
        "It is sunny in Paris.",                       # a plain text turn
    ]) as server:
        client = server.client()                       # openai.OpenAI(base_url=..., max_retries=0)
        ...
        server.requests                                # every request body, as JSON

Routes: ``POST /v1/chat/completions`` (JSON, or SSE when ``stream`` is true, with each call's
arguments split across many chunks) and ``POST /v1/responses`` (JSON). A turn may also be a
callable that computes the reply from the request body (so a scripted "model" can react to the
tool messages it gets), or answer with an HTTP error (``Turn(status=429)``).

Needs the ``scripted`` extra (starlette and uvicorn), imported when a server starts.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import openai
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = ["Reply", "ScriptedCall", "ScriptedServer", "Turn", "call"]


@dataclass(frozen=True, slots=True)
class ScriptedCall:
    """One tool call in a scripted turn.

    :param name: the tool name (need not exist: test unknown tools).
    :param arguments: the raw arguments string, sent as is (may be invalid JSON).
    :param id: the call id (default: ``call_<n>``, unique per server; ``""`` sends an empty id,
        as some OpenAI-compatible servers do).
    :param type: ``"function"``, or ``"custom"`` for a custom (free-text) tool call whose
        ``input`` is *arguments*.
    """

    name: str
    arguments: str = "{}"
    id: str | None = None
    type: str = "function"


def call(
    name: str, arguments: str | Mapping[str, Any] = "{}", *, id: str | None = None
) -> ScriptedCall:
    """A scripted function call; a mapping *arguments* is sent as JSON, a string as is."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return ScriptedCall(name, raw, id)


@dataclass(slots=True)
class Turn:
    """One scripted reply.

    :param content: the assistant's text (``None`` for none).
    :param tool_calls: the calls the "model" makes.
    :param finish_reason: default ``"tool_calls"`` when there are calls, else ``"stop"``.
    :param status: an HTTP status other than 200 answers with an OpenAI-style error body
        (``error`` is its message); the SDK raises the matching ``openai.APIStatusError``.
    :param chunk_size: when streamed, each call's arguments are sent in pieces of this many
        characters (text too).
    :param hold: when streamed, pause after the call at index ``hold_after`` is complete and the
        next call has begun (or, after the last call, before the final chunk) until this event
        is set, for at most ``hold_timeout`` seconds (a timeout is counted in
        :attr:`ScriptedServer.hold_timeouts` and the stream goes on). Lets a test prove that a
        call ran while the stream was still open.
    """

    content: str | None = None
    tool_calls: Sequence[ScriptedCall] = ()
    finish_reason: str | None = None
    status: int = 200
    error: str = "scripted error"
    chunk_size: int = 3
    hold: threading.Event | None = None
    hold_after: int = 0
    hold_timeout: float = 10.0


#: A script entry: a :class:`Turn`, a text reply, or a callable computing either from the
#: request body (a dict; it may be async).
Reply = Turn | str | Callable[[dict[str, Any]], Any]


@dataclass(slots=True)
class _Rendered:
    turn: Turn
    ids: list[str] = field(default_factory=list)


class ScriptedServer:
    """An OpenAI-compatible HTTP server answering from a script (see the module docstring).

    Use it as a context manager (or :meth:`start` / :meth:`stop`). It runs uvicorn on an
    ephemeral port of ``127.0.0.1`` in a daemon thread; :meth:`start` returns once it listens.

    :param script: the replies, consumed one per request (chat.completions and Responses share
        the queue). When it runs out, requests get HTTP 500 saying so.
    :param model: the model name reported back when a request names none.

    :ivar requests: every request body (parsed JSON), in arrival order.
    :ivar paths: the path of each request in :attr:`requests`.
    :ivar headers: the headers of each request (lower-case names).
    :ivar hold_timeouts: how many ``Turn.hold`` waits timed out.
    """

    def __init__(self, script: Iterable[Reply] = (), *, model: str = "scripted-model") -> None:
        self.script: list[Reply] = list(script)
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.hold_timeouts = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # -- script ------------------------------------------------------------------------------

    def add(self, *replies: Reply) -> None:
        """Append replies to the script."""
        with self._lock:
            self.script.extend(replies)

    @property
    def remaining(self) -> int:
        """Replies not consumed yet."""
        return len(self.script)

    # -- addresses and clients ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The ``base_url`` for the client: ``http://127.0.0.1:PORT/v1``."""
        if not self._port:
            raise RuntimeError("the server is not started")
        return f"http://127.0.0.1:{self._port}/v1"

    def env(self) -> dict[str, str]:
        """``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` pointing at this server (for subprocesses)."""
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": "scripted-key"}

    def client(self, **options: Any) -> openai.OpenAI:
        """An ``openai.OpenAI`` client for this server (``max_retries=0`` unless given)."""
        import openai

        options.setdefault("max_retries", 0)
        return openai.OpenAI(base_url=self.base_url, api_key="scripted-key", **options)

    def async_client(self, **options: Any) -> openai.AsyncOpenAI:
        """An ``openai.AsyncOpenAI`` client for this server (``max_retries=0`` unless given)."""
        import openai

        options.setdefault("max_retries", 0)
        return openai.AsyncOpenAI(base_url=self.base_url, api_key="scripted-key", **options)

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> ScriptedServer:
        """Start listening; returns when the server accepts connections."""
        import uvicorn

        if self._thread is not None:
            raise RuntimeError("the server is already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        ready = threading.Event()

        class _Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                try:
                    await super().startup(sockets=sockets)
                finally:
                    ready.set()

        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="off", access_log=False, ws="none"
        )
        server = _Server(config)
        self._server = server

        def run() -> None:
            try:
                server.run(sockets=[sock])
            finally:
                ready.set()
                sock.close()

        self._thread = threading.Thread(target=run, name="toolhooks-scripted", daemon=True)
        self._thread.start()
        ready.wait()
        if not server.started:
            raise RuntimeError("the scripted server failed to start")
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._server = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the app -----------------------------------------------------------------------------

    def _app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.routing import Route

        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/responses", self._responses, methods=["POST"]),
            ]
        )

    async def _next(self, request: Request) -> tuple[dict[str, Any], _Rendered | Response]:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
            self.paths.append(request.url.path)
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            reply = self.script.pop(0) if self.script else None
        if reply is None:
            return body, _error(500, "scripted server: the script has no reply left")
        if callable(reply):
            reply = reply(body)
            if inspect.isawaitable(reply):
                reply = await reply
        turn = reply if isinstance(reply, Turn) else Turn(content=str(reply))
        if turn.status != 200:
            return body, _error(turn.status, turn.error)
        ids = [f"call_{next(self._ids)}" if c.id is None else c.id for c in turn.tool_calls]
        return body, _Rendered(turn, ids)

    async def _chat(self, request: Request) -> Response:
        from starlette.responses import JSONResponse, StreamingResponse

        body, rendered = await self._next(request)
        if not isinstance(rendered, _Rendered):
            return rendered
        model = str(body.get("model") or self.model)
        head = {
            "id": f"chatcmpl-{next(self._ids)}",
            "created": int(time.time()),
            "model": model,
        }
        turn = rendered.turn
        finish = turn.finish_reason or ("tool_calls" if turn.tool_calls else "stop")
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": turn.content}
            if turn.tool_calls:
                message["tool_calls"] = [
                    _chat_call(c, i) for c, i in zip(turn.tool_calls, rendered.ids, strict=True)
                ]
            return JSONResponse(
                {
                    **head,
                    "object": "chat.completion",
                    "choices": [
                        {"index": 0, "finish_reason": finish, "logprobs": None, "message": message}
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )
        usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(
            self._chunks(head, rendered, finish, usage), media_type="text/event-stream"
        )

    async def _chunks(
        self, head: dict[str, Any], rendered: _Rendered, finish: str, usage: bool
    ) -> AsyncIterator[str]:
        turn = rendered.turn
        size = max(1, turn.chunk_size)

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
            data = {
                **head,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            return f"data: {json.dumps(data)}\n\n"

        yield chunk({"role": "assistant", "content": None})
        text = turn.content or ""
        for start in range(0, len(text), size):
            yield chunk({"content": text[start : start + size]})
        for index, (c, call_id) in enumerate(zip(turn.tool_calls, rendered.ids, strict=True)):
            first: dict[str, Any] = {"index": index, "id": call_id, "type": c.type}
            if c.type == "custom":
                first["custom"] = {"name": c.name, "input": c.arguments}
                yield chunk({"tool_calls": [first]})
                continue
            first["function"] = {"name": c.name, "arguments": ""}
            yield chunk({"tool_calls": [first]})
            if turn.hold is not None and index == turn.hold_after + 1:
                await self._hold(turn)
            args = c.arguments
            for start in range(0, len(args), size):
                piece = {"index": index, "function": {"arguments": args[start : start + size]}}
                yield chunk({"tool_calls": [piece]})
        if turn.hold is not None and turn.hold_after + 1 >= len(turn.tool_calls):
            await self._hold(turn)
        yield chunk({}, finish)
        if usage:
            data = {
                **head,
                "object": "chat.completion.chunk",
                "choices": [],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
            yield f"data: {json.dumps(data)}\n\n"
        yield "data: [DONE]\n\n"

    async def _hold(self, turn: Turn) -> None:
        assert turn.hold is not None
        if not await asyncio.to_thread(turn.hold.wait, turn.hold_timeout):
            with self._lock:
                self.hold_timeouts += 1

    async def _responses(self, request: Request) -> Response:
        from starlette.responses import JSONResponse

        body, rendered = await self._next(request)
        if not isinstance(rendered, _Rendered):
            return rendered
        turn = rendered.turn
        output: list[dict[str, Any]] = []
        if turn.content is not None:
            output.append(
                {
                    "type": "message",
                    "id": f"msg_{next(self._ids)}",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": turn.content, "annotations": []}],
                }
            )
        for c, call_id in zip(turn.tool_calls, rendered.ids, strict=True):
            output.append(
                {
                    "type": "function_call",
                    "id": f"fc_{next(self._ids)}",
                    "call_id": call_id,
                    "name": c.name,
                    "arguments": c.arguments,
                    "status": "completed",
                }
            )
        return JSONResponse(
            {
                "id": f"resp_{next(self._ids)}",
                "object": "response",
                "created_at": int(time.time()),
                "model": str(body.get("model") or self.model),
                "status": "completed",
                "output": output,
                "parallel_tool_calls": body.get("parallel_tool_calls", True),
                "tool_choice": body.get("tool_choice", "auto"),
                "tools": body.get("tools", []),
            }
        )


def _chat_call(c: ScriptedCall, call_id: str) -> dict[str, Any]:
    if c.type == "custom":
        return {"id": call_id, "type": "custom", "custom": {"name": c.name, "input": c.arguments}}
    return {
        "id": call_id,
        "type": c.type,
        "function": {"name": c.name, "arguments": c.arguments},
    }


def _error(status: int, message: str) -> Response:
    from starlette.responses import JSONResponse

    kind = {429: "rate_limit_exceeded", 401: "invalid_api_key"}.get(status, "server_error")
    return JSONResponse(
        {"error": {"message": message, "type": kind, "code": kind, "param": None}},
        status_code=status,
    )
