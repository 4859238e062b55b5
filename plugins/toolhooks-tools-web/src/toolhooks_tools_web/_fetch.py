"""The fetch itself: vetted and pinned connections, manual redirects, bounded reads.

Imported on the first call (it imports httpx2).
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
import socket
from typing import TYPE_CHECKING, Any

import httpx2
from toolhooks import (
    InvalidArguments,
    Refused,
    ToolError,
    ToolTimeout,
    TransientError,
    parse_retry_after,
)

from toolhooks_tools_web._guard import AddressPolicy, IPAddress, Resolver
from toolhooks_tools_web._html import html_to_text

if TYPE_CHECKING:
    from toolhooks_tools_web._settings import WebSettings

__all__ = ["Fetcher"]

log = logging.getLogger("toolhooks.tools.web")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/ld+json",
        "application/xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-ndjson",
        "application/yaml",
        "application/x-yaml",
        "application/toml",
        "application/csv",
    }
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_ACCEPT = (
    "text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,text/*;q=0.8,*/*;q=0.1"
)


def truncate(text: str, limit: int = 80) -> str:
    """*text* on one line, cut to *limit* characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(media_type: str) -> str | None:
    """``"html"``, ``"text"`` or ``None`` (not readable as text)."""
    if media_type in _HTML_TYPES:
        return "html"
    if (
        media_type.startswith("text/")
        or media_type in _TEXT_TYPES
        or media_type.endswith(("+json", "+xml"))
    ):
        return "text"
    return None


def _sniff(head: bytes) -> str | None:
    """The kind of an untyped body, from its first bytes."""
    start = head[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in head[:4096]:
        return None
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head[:4096]) - 4:  # not just a character cut at the end
            return None
    return "text"


def _charset(declared: str | None, body: bytes, kind: str) -> str:
    candidates = [declared]
    if kind == "html":
        m = _META_CHARSET.search(body[:4096])
        candidates.append(m.group(1).decode("ascii") if m else None)
    for name in candidates:
        if not name:
            continue
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return "utf-8"


class Fetcher:
    """Fetches pages for one plugin instance; owns its HTTP client (created on first use)."""

    def __init__(self, settings: WebSettings, resolver: Resolver) -> None:
        self.settings = settings
        self.policy = AddressPolicy(settings.allow_hosts, settings.allow_networks)
        self.resolve = resolver
        self._http: httpx2.AsyncClient | None = None

    def client(self) -> httpx2.AsyncClient:
        if self._http is None:
            from http.cookiejar import CookieJar, DefaultCookiePolicy

            s = self.settings
            self._http = httpx2.AsyncClient(
                follow_redirects=False,  # followed by hand, each hop vetted
                trust_env=False,  # no proxies from the environment: we connect to what we vet
                timeout=httpx2.Timeout(s.timeout_s, connect=s.connect_timeout_s),
                # no keep-alive: a pooled connection is keyed by IP and would outlive the vetting
                limits=httpx2.Limits(max_connections=32, max_keepalive_connections=0),
                # no cookies: calls must not leak state into each other
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                headers={
                    "User-Agent": s.user_agent,
                    "Accept": _ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    # -- the tool ------------------------------------------------------------------------------

    async def fetch(self, url: str, max_chars: int) -> dict[str, Any]:
        max_chars = min(max_chars, self.settings.max_chars)
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                return await self._fetch(url, max_chars)
        except TimeoutError:
            raise ToolTimeout(
                f"The page did not load within {self.settings.timeout_s:g} s.",
                suggestion="Try again later, or try another page.",
            ) from None

    async def _fetch(self, url: str, max_chars: int) -> dict[str, Any]:
        current = self._parse(url)
        for hop in range(self.settings.max_redirects + 1):
            response = await self._send(current)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    if hop == self.settings.max_redirects:
                        raise ToolError(
                            f"The page redirected more than {self.settings.max_redirects} "
                            "times; stopped following.",
                            suggestion="The site may be in a redirect loop; try another URL.",
                        )
                    try:
                        target = str(current.join(location.strip()))
                    except httpx2.InvalidURL:
                        raise ToolError("The page redirected to an invalid URL.") from None
                    current = self._parse(target, redirect=True)
                    continue
                return await self._read(current, response, max_chars)
            finally:
                await response.aclose()
        raise AssertionError("unreachable")  # pragma: no cover

    def _parse(self, url: str, *, redirect: bool = False) -> httpx2.URL:
        where = "redirected to a URL" if redirect else "URL"

        def bad(problem: str) -> ToolError:
            if redirect:
                return Refused(f"The page {where} that is not allowed: {problem}.")
            return InvalidArguments(
                f"Cannot fetch this URL: {problem}.",
                suggestion="Give a full http:// or https:// URL, e.g. https://example.com/page.",
            )

        try:
            parsed = httpx2.URL(url.strip())
        except (httpx2.InvalidURL, TypeError, ValueError):
            raise bad("it is not a valid URL") from None
        if parsed.scheme not in ("http", "https"):
            raise bad("only http and https URLs can be fetched")
        if not parsed.host:
            raise bad("it has no host")
        if parsed.userinfo:
            raise bad("URLs with a user name or password are not supported")
        return parsed.copy_with(fragment=None)

    async def _addresses(self, url: httpx2.URL) -> list[IPAddress]:
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = await self.resolve(host, port)
        except socket.gaierror as exc:
            if exc.errno == socket.EAI_AGAIN:
                raise TransientError(f"Looking up the host {host!r} failed for now.") from None
            raise ToolError(
                f"The host {host!r} could not be found.",
                suggestion="Check the spelling of the URL's host name.",
            ) from None
        except (OSError, UnicodeError):
            raise ToolError(f"The host {host!r} could not be looked up.") from None
        if not addresses:
            raise ToolError(f"The host {host!r} has no addresses.")
        if self.policy.host_allowed(host):
            return addresses
        for ip in addresses:
            why = self.policy.check(ip)
            if why is not None:
                log.info("web_fetch refused %s: %s resolves to %s (%s)", host, host, ip, why)
                raise Refused(
                    f"Fetching {host!r} is not allowed: it resolves to a {why} address, which "
                    "this tool may not reach.",
                    suggestion="Only public web sites can be fetched.",
                )
        return addresses

    async def _send(self, url: httpx2.URL) -> httpx2.Response:
        """Connect to a vetted address of *url*'s host (never to what a second lookup says)."""
        addresses = await self._addresses(url)
        host = url.raw_host.decode("ascii")
        headers = {"Host": url.netloc.decode("ascii")}
        extensions: dict[str, Any] = {"sni_hostname": host} if url.scheme == "https" else {}
        client = self.client()
        for index, ip in enumerate(addresses):
            pinned = url.copy_with(host=str(ip))
            request = client.build_request("GET", pinned, headers=headers, extensions=extensions)
            try:
                return await client.send(request, stream=True)
            except httpx2.ConnectError:
                if index + 1 < len(addresses):
                    continue  # the next address of the host
                raise TransientError(
                    f"Could not connect to {host!r}.", suggestion="Try again later."
                ) from None
            except httpx2.TimeoutException:
                raise TransientError(f"{host!r} did not answer in time.") from None
            except httpx2.TransportError:
                raise TransientError(f"The connection to {host!r} failed.") from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _read(
        self, url: httpx2.URL, response: httpx2.Response, max_chars: int
    ) -> dict[str, Any]:
        status = response.status_code
        shown = str(url)
        if status == 429 or status >= 500:
            raise TransientError(
                f"The server answered HTTP {status} for {truncate(shown, 200)}.",
                retry_after_s=parse_retry_after(response.headers.get("retry-after")),
            )
        if status >= 400:
            raise ToolError(
                f"The server answered HTTP {status} ({response.reason_phrase or 'error'}) for "
                f"{truncate(shown, 200)}.",
                suggestion="Check the URL, or look for the page elsewhere."
                if status in (404, 410)
                else None,
            )
        if status in _REDIRECTS or status < 200 or status in (204, 304):
            raise ToolError(f"The server answered HTTP {status} without a page.")

        content_type = response.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        kind = _kind(media_type) if media_type else "sniff"
        if kind is None:
            raise ToolError(
                f"The URL returned {truncate(media_type, 60)} content, which this tool cannot "
                "read as text.",
                suggestion="Fetch an HTML page, plain text or JSON instead.",
            )
        limit = self.settings.max_bytes
        if kind == "text":  # returned as is: a character is at most 4 bytes of UTF-8
            limit = min(limit, max_chars * 4 + 4)
        body, truncated = await self._body(response, limit, host=url.raw_host.decode("ascii"))
        if kind == "sniff":
            kind = _sniff(body)
            media_type = "text/html" if kind == "html" else "text/plain"
            if kind is None:
                raise ToolError(
                    "The URL returned content without a type that does not look like text.",
                    suggestion="Fetch an HTML page, plain text or JSON instead.",
                )
        text = body.decode(_charset(response.charset_encoding, body, kind), errors="replace")
        result: dict[str, Any] = {"url": shown, "status": status, "content_type": media_type}
        if kind == "html":
            page = html_to_text(text, shown)
            result["title"] = page.title
            text = page.text
            links = [{"text": ln.text, "url": ln.url} for ln in page.links]
        else:
            links = []
        cut_download = truncated and limit == self.settings.max_bytes
        if len(text) > max_chars:
            text, truncated = text[:max_chars], True
        result["text"] = text
        result["truncated"] = truncated
        if truncated:
            why = "the document is larger than the download limit" if cut_download else "max_chars"
            result["note"] = f"Only the first {len(text)} characters are shown ({why})."
        if links and self.settings.max_links:
            result["links"] = links[: self.settings.max_links]
        return result

    async def _body(
        self, response: httpx2.Response, limit: int, *, host: str
    ) -> tuple[bytes, bool]:
        """Up to *limit* bytes of the (decoded) body; stops downloading there."""
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                room = limit - size
                if len(chunk) >= room:
                    chunks.append(chunk[:room])
                    return b"".join(chunks), len(chunk) > room or _more(response, limit)
                chunks.append(chunk)
                size += len(chunk)
        except httpx2.DecodingError:
            raise ToolError(f"The page from {host!r} could not be decoded.") from None
        except httpx2.TimeoutException:
            raise TransientError(f"{host!r} stopped sending the page.") from None
        except httpx2.TransportError:
            raise TransientError(f"The connection to {host!r} broke off.") from None
        return b"".join(chunks), False


def _more(response: httpx2.Response, limit: int) -> bool:
    """Whether the body goes on after exactly *limit* bytes (from the headers: no more is read)."""
    length = response.headers.get("content-length", "")
    if response.headers.get("content-encoding") or not length.strip().isdigit():
        return True  # unknown: say so rather than claim the page is complete
    return int(length) > limit
