"""The entry module: the ``toolhooks-tools-web`` plugin class (hookimpls only; httpx2 loads on
the first fetch)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import toolhooks
from pydantic import Field

from toolhooks_tools_web._guard import Resolver, resolve
from toolhooks_tools_web._settings import WebSettings

if TYPE_CHECKING:
    from toolhooks_tools_web._fetch import Fetcher

__all__ = ["PLUGIN_NAME", "WebToolsPlugin"]

PLUGIN_NAME = "toolhooks-tools-web"


class WebToolsPlugin:
    """Provides ``web_fetch``. One instance per runtime (it owns an HTTP client).

    :param resolver: ``async resolver(host, port) -> [ip, ...]``, the DNS lookup (default:
        ``getaddrinfo`` in a thread). Every address it returns is vetted, and the connection goes
        to a vetted address.
    """

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self, *, resolver: Resolver | None = None) -> None:
        self.settings = WebSettings()
        self.resolver: Resolver = resolver or resolve
        self._fetcher: Fetcher | None = None

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: toolhooks.Config) -> None:
        self.settings = config.plugin_settings(PLUGIN_NAME, WebSettings)

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Callable[..., toolhooks.Tool]) -> None:
        register(self._web_fetch_tool())

    @toolhooks.hookimpl
    def toolhooks_shutdown(self) -> Awaitable[None] | None:
        fetcher, self._fetcher = self._fetcher, None
        return fetcher.aclose() if fetcher is not None else None

    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from toolhooks_tools_web._fetch import Fetcher

            self._fetcher = Fetcher(self.settings, self.resolver)
        return self._fetcher

    def _web_fetch_tool(self) -> toolhooks.Tool:
        plugin = self

        async def web_fetch(
            url: Annotated[str, Field(min_length=1, max_length=4096)],
            max_chars: Annotated[int, Field(ge=100, le=100_000)] = 20_000,
        ) -> dict[str, Any]:
            """Fetch a public web page (or a text/JSON document) and return its readable text.

            HTML is reduced to text: the title, headings (as # lines), paragraphs, list items and
            link texts, without scripts, styles or navigation; the page's links are listed
            separately so you can follow them. Plain text and JSON are returned as they are.
            Other content (images, PDFs, archives) is refused. Long pages are cut, and
            "truncated" says so. Private and internal addresses cannot be fetched.

            Args:
                url: The full http:// or https:// URL to fetch.
                max_chars: The most characters of text to return.
            """
            return await plugin.fetcher().fetch(url, max_chars)

        return toolhooks.tool(timeout=self.settings.timeout_s + 5.0, tags=("web",))(web_fetch)
