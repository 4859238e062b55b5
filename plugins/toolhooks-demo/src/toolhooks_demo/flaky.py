"""A real local HTTP service that fails: 503 for the first requests, then 200."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FlakyService"]


class FlakyService:
    """``GET /status/<name>`` answers 503 ``failures`` times, then 200 with a JSON status.

    Runs on an ephemeral port of 127.0.0.1 in a daemon thread; use it as a context manager.
    """

    def __init__(self, failures: int = 2) -> None:
        self.failures = failures
        self.requests = 0
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with service._lock:
                    service.requests += 1
                    fail = service.requests <= service.failures
                name = self.path.rsplit("/", 1)[-1]
                if fail:
                    body = b'{"error": "service unavailable"}'
                    self.send_response(503)
                    self.send_header("Retry-After", "0")
                else:
                    body = json.dumps({"service": name, "status": "operational"}).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FlakyService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
