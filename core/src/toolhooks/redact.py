"""Redaction of secrets and truncation of long values, before anything is logged or traced.

One implementation for every plugin (logging, tracing, the cache's and rate limiter's log lines).
Pure functions, standard library only.

A key is *secret-looking* when, lowercased with ``-``, ``_``, ``.`` and spaces removed, it
contains one of :data:`SECRET_KEY_PATTERNS` (so ``X-Api-Key``, ``apiKey``, ``github_token`` and
``db_password_hash`` all match); its value is replaced whatever it is (a string, a number, a
nested object).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "SECRET_KEY_PATTERNS",
    "Redactor",
    "is_secret_key",
    "loggable_arguments",
    "redact",
    "redact_url",
    "to_json",
]

#: What a redacted value is replaced with.
REDACTED = "[REDACTED]"

#: Substrings of normalised keys whose values are never shown.
SECRET_KEY_PATTERNS: tuple[str, ...] = (
    "apikey",
    "token",
    "password",
    "passwd",
    "passphrase",
    "authorization",
    "secret",
    "cookie",
    "credential",
    "privatekey",
    "accesskey",
    "sessionid",
    "signature",
    "bearer",
)

_STRIP = str.maketrans("", "", "-_. ")


def _normalise(key: str) -> str:
    return key.lower().translate(_STRIP)


def is_secret_key(key: str, extra: Iterable[str] = ()) -> bool:
    """Whether values under *key* must be redacted (the built-in patterns plus *extra*, matched
    the same way: case-insensitive, separators ignored, substring)."""
    norm = _normalise(key)
    return any(p in norm for p in SECRET_KEY_PATTERNS) or any(
        _normalise(e) in norm for e in extra if e
    )


class Redactor:
    """A configured redaction: build once, call :meth:`redact` per value.

    :param extra_keys: more key patterns to redact (same matching as the built-in ones).
    :param max_length: strings longer than this are cut, with the number of characters dropped.
    :param max_depth: containers nested deeper than this are replaced by ``"[...]"``.
    :param max_items: list items / object keys beyond this are dropped (and counted).
    """

    __slots__ = ("_cache", "_extra", "max_depth", "max_items", "max_length")

    def __init__(
        self,
        *,
        extra_keys: Iterable[str] = (),
        max_length: int = 256,
        max_depth: int = 8,
        max_items: int = 50,
    ) -> None:
        if max_length < 1 or max_depth < 1 or max_items < 1:
            raise ValueError("max_length, max_depth and max_items must be at least 1")
        self._extra = tuple(_normalise(k) for k in extra_keys if k)
        self.max_length = max_length
        self.max_depth = max_depth
        self.max_items = max_items
        self._cache: dict[str, bool] = {}

    def is_secret(self, key: str) -> bool:
        hit = self._cache.get(key)
        if hit is None:
            norm = _normalise(key)
            hit = any(p in norm for p in SECRET_KEY_PATTERNS) or any(e in norm for e in self._extra)
            if len(self._cache) < 4096:  # bounded: keys come from the model
                self._cache[key] = hit
        return hit

    def redact(self, value: Any) -> Any:
        """A JSON-able copy of *value* with secrets replaced by :data:`REDACTED`, long strings
        truncated and deep or long containers cut. Never raises for odd values."""
        return self._walk(value, 0)

    def _walk(self, value: Any, depth: int) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self._cut(value)
        if depth >= self.max_depth:
            return "[...]"
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for i, (k, v) in enumerate(value.items()):
                if i >= self.max_items:
                    out["..."] = f"{len(value) - self.max_items} more keys"
                    break
                key = str(k)
                out[self._cut(key)] = REDACTED if self.is_secret(key) else self._walk(v, depth + 1)
            return out
        if isinstance(value, list | tuple | set | frozenset):
            items = list(value)
            walked = [self._walk(v, depth + 1) for v in items[: self.max_items]]
            if len(items) > self.max_items:
                walked.append(f"... {len(items) - self.max_items} more items")
            return walked
        if isinstance(value, bytes | bytearray | memoryview):
            return f"<{len(value)} bytes>"
        dumped = _plain(value)
        if dumped is not _NOT_PLAIN:
            return self._walk(dumped, depth)
        # an object we cannot look inside: its type only (its repr may hold a secret)
        return f"<{type(value).__name__}>"

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_length:
            return text
        return f"{text[: self.max_length]}...[{len(text) - self.max_length} more chars]"


_NOT_PLAIN = object()


def _plain(value: Any) -> Any:
    """A pydantic model or dataclass as a dict; anything else as ``_NOT_PLAIN``."""
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:
            return dump(mode="python")
        except Exception:
            return _NOT_PLAIN
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
    return _NOT_PLAIN


def redact(
    value: Any,
    *,
    extra_keys: Iterable[str] = (),
    max_length: int = 256,
    max_depth: int = 8,
    max_items: int = 50,
) -> Any:
    """One-shot :meth:`Redactor.redact` (build a :class:`Redactor` to redact many values)."""
    return Redactor(
        extra_keys=extra_keys, max_length=max_length, max_depth=max_depth, max_items=max_items
    ).redact(value)


def to_json(value: Any) -> str:
    """Compact JSON of an already-redacted value (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def loggable_arguments(parsed: Mapping[str, Any], raw: str | Mapping[str, Any] | None) -> Any:
    """What to show of a call's arguments (then :meth:`Redactor.redact` it): the parsed (and
    coerced) object; the raw object when the call failed before parsing; never unparsable text
    or a bare JSON value, since a redactor can only judge values by their keys."""
    if parsed:
        return parsed
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return f"<unparsable: {len(raw)} chars>"
    return value if isinstance(value, dict) else f"<not an object: {type(value).__name__}>"


def redact_url(url: str) -> str:
    """*url* without user name, password, query or fragment (for logs: a connection URL's
    password or a signed query never reaches them)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparsable url>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    if not host:
        return f"{parts.scheme}://{parts.path}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
