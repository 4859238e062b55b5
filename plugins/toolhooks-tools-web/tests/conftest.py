"""A real HTTP server on 127.0.0.1 (ephemeral port), run on the test's own event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

PAGE = """<!doctype html>
<html><head><title>The  Test   Page</title>
<style>body { color: red }</style><script>var secret = "do-not-show";</script></head>
<body>
<nav><a href="/home">Home</a> <a href="/about">About us</a></nav>
<main>
<h1>Main heading</h1>
<p>First paragraph with a <a href="/plain">plain link</a> and   extra
   whitespace.</p>
<h2>Sub heading</h2>
<ul><li>one</li><li>two &amp; three</li></ul>
<pre>code   stays
    indented</pre>
<noscript>enable javascript</noscript>
<p>Absolute <a href="https://example.org/x">elsewhere</a>.</p>
</main>
<footer>Copyright footer text</footer>
</body></html>
"""

CHUNK = b"x" * 65536


@dataclass
class WebServer:
    base: str
    port: int
    hits: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    big_chunks_sent: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _app(state: WebServer) -> Starlette:
    async def page(request: Request) -> Response:
        return Response(PAGE, media_type="text/html; charset=utf-8")

    async def plain(request: Request) -> Response:
        return Response("just some text\nline two", media_type="text/plain")

    async def json_doc(request: Request) -> Response:
        return JSONResponse({"answer": 42, "items": ["a", "b"]})

    async def image(request: Request) -> Response:
        return Response(b"\x89PNG\r\n\x1a\n" + bytes(100), media_type="image/png")

    async def untyped_binary(request: Request) -> Response:
        return Response(b"\x00\x01\x02binary" * 10, headers={"content-type": ""})

    async def latin1(request: Request) -> Response:
        body = "<html><title>Caf\u00e9</title><p>cr\u00e8me br\u00fbl\u00e9e</p></html>"
        return Response(body.encode("latin-1"), media_type="text/html; charset=iso-8859-1")

    async def big(request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(16):  # 1 MiB, then hold the connection open: only a reader that
                state.big_chunks_sent += 1  # stops at max_bytes gets an answer
                yield CHUNK
            await state.release.wait()

        return StreamingResponse(body(), media_type="text/plain")

    async def hang(request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"<html><p>starting"
            await state.release.wait()

        return StreamingResponse(body(), media_type="text/html")

    async def redirect(request: Request) -> Response:
        n = int(request.path_params["n"])
        target = "/plain" if n <= 0 else f"/redirect/{n - 1}"
        return RedirectResponse(target, status_code=302)

    async def redirect_to(request: Request) -> Response:
        return RedirectResponse(request.query_params["u"], status_code=307)

    async def status(request: Request) -> Response:
        code = int(request.path_params["code"])
        headers = {"retry-after": "7"} if code in (429, 503) else {}
        return Response("status body", status_code=code, headers=headers, media_type="text/plain")

    async def headers(request: Request) -> Response:
        return JSONResponse({"host": request.headers.get("host")})

    routes = [
        Route("/page", page),
        Route("/plain", plain),
        Route("/json", json_doc),
        Route("/image.png", image),
        Route("/untyped", untyped_binary),
        Route("/latin1", latin1),
        Route("/big", big),
        Route("/hang", hang),
        Route("/redirect/{n}", redirect),
        Route("/redirect-to", redirect_to),
        Route("/status/{code}", status),
        Route("/headers", headers),
    ]
    app = Starlette(routes=routes)

    async def recording(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            state.hits.append(scope["path"])
            state.hosts.append(dict(scope["headers"]).get(b"host", b"").decode())
        await app(scope, receive, send)

    return recording  # type: ignore[return-value]


@pytest.fixture
async def web_server() -> AsyncIterator[WebServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections queue until the server accepts: no need to wait for start-up
    port = sock.getsockname()[1]
    state = WebServer(base=f"http://127.0.0.1:{port}", port=port)
    config = uvicorn.Config(
        _app(state), log_config=None, access_log=False, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield state
    finally:
        state.release.set()
        server.should_exit = True
        await task
        sock.close()
