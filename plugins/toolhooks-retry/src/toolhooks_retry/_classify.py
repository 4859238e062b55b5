"""Which failures are transient, and whether the request may already have taken effect.

No HTTP library is imported: exceptions are recognised by class name and module (httpx, httpx2,
httpcore, requests, urllib3, aiohttp, openai) and by ``response.status_code`` / ``status_code`` /
``status`` attributes.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolhooks import RateLimited, ToolError, ToolTimeout, parse_retry_after

__all__ = ["Verdict", "classify"]

_HTTP_MODULES = frozenset(
    {"httpx", "httpx2", "httpcore", "requests", "urllib3", "aiohttp", "openai"}
)
#: Failures before the request could have been sent: safe to repeat even with side effects.
_UNAMBIGUOUS_NAMES = frozenset(
    {
        "ConnectError",
        "ConnectTimeout",
        "PoolTimeout",
        "NewConnectionError",
        "NameResolutionError",
        "ClientConnectorError",
        "ClientConnectorDNSError",
    }
)
#: Failures after the request may have gone out.
_AMBIGUOUS_NAMES = frozenset(
    {
        "ReadTimeout",
        "WriteTimeout",
        "TimeoutException",
        "Timeout",
        "ReadError",
        "WriteError",
        "NetworkError",
        "RemoteProtocolError",
        "ProtocolError",
        "TransportError",
        "ConnectionError",
        "ChunkedEncodingError",
        "ServerDisconnectedError",
        "ServerTimeoutError",
        "ClientOSError",
        "ClientPayloadError",
        "APIConnectionError",
        "APITimeoutError",
    }
)
_UNAMBIGUOUS_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}
)
_AMBIGUOUS_ERRNOS = frozenset({errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT})
_UNAMBIGUOUS_STATUS = frozenset({408, 429, 503})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the retry policy knows about one failure.

    :ivar transient: it may go away by itself (worth retrying).
    :ivar ambiguous: the request may have taken effect (a timeout, a dropped connection).
    :ivar kind: a short name for the failure, safe to show the model (class name or HTTP status).
    :ivar retry_after: seconds the other side asked us to wait, if it said.
    """

    transient: bool
    ambiguous: bool
    kind: str
    retry_after: float | None = None


def _header(headers: Any, name: str) -> Any:
    if headers is None:
        return None
    try:
        value = headers.get(name)
        if value is None and isinstance(headers, Mapping):
            value = next((v for k, v in headers.items() if str(k).lower() == name.lower()), None)
    except Exception:
        return None
    return value


def _status(exc: BaseException) -> tuple[int | None, Any]:
    """The HTTP status carried by *exc* and the headers that came with it."""
    response = getattr(exc, "response", None)
    if response is not None:
        code = getattr(response, "status_code", None)
        if code is None:
            code = getattr(response, "status", None)
        if isinstance(code, int) and not isinstance(code, bool):
            return code, getattr(response, "headers", None)
    for attr in ("status_code", "status"):
        code = getattr(exc, attr, None)
        if isinstance(code, int) and not isinstance(code, bool):
            return code, getattr(exc, "headers", None)
    return None, None


def _is_http_library(cls: type) -> bool:
    return cls.__module__.split(".", 1)[0] in _HTTP_MODULES


def classify(exc: BaseException) -> Verdict:
    """Decide whether *exc* is transient and whether the request may have taken effect."""
    name = type(exc).__name__
    if isinstance(exc, ToolError):
        if not exc.retryable:
            return Verdict(False, False, name)
        if isinstance(exc, ToolTimeout):
            return Verdict(True, True, name, exc.retry_after_s)
        if isinstance(exc, RateLimited):
            return Verdict(True, False, name, exc.retry_after_s)
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, ToolError):
            inner = classify(cause)
            if inner.transient:  # `raise TransientError(...) from the_503` keeps what the 503 says
                after = exc.retry_after_s if exc.retry_after_s is not None else inner.retry_after
                return Verdict(True, inner.ambiguous, f"{name} ({inner.kind})", after)
        return Verdict(True, True, name, exc.retry_after_s)
    if not isinstance(exc, Exception):
        return Verdict(False, False, name)  # cancellation, KeyboardInterrupt: never
    status, headers = _status(exc)
    if status is not None:
        kind = f"HTTP {status}"
        after = parse_retry_after(_header(headers, "Retry-After"))
        if status in _UNAMBIGUOUS_STATUS:
            return Verdict(True, False, kind, after)
        if 500 <= status <= 599:
            return Verdict(True, True, kind, after)
        return Verdict(False, False, kind)
    for cls in type(exc).__mro__:
        if cls is Exception:
            break
        if _is_http_library(cls):
            if cls.__name__ in _UNAMBIGUOUS_NAMES:
                return Verdict(True, False, name)
            if cls.__name__ in _AMBIGUOUS_NAMES:
                return Verdict(True, True, name)
    if isinstance(exc, ConnectionRefusedError):
        return Verdict(True, False, name)
    if isinstance(exc, ConnectionError | TimeoutError):
        return Verdict(True, True, name)
    if isinstance(exc, OSError):
        import socket

        if isinstance(exc, socket.gaierror):
            return Verdict(True, False, name)  # name resolution: nothing was sent
        if exc.errno in _UNAMBIGUOUS_ERRNOS:
            return Verdict(True, False, name)
        if exc.errno in _AMBIGUOUS_ERRNOS:
            return Verdict(True, True, name)
    return Verdict(False, False, name)
