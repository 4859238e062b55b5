"""toolhooks-tools-web: a ``web_fetch`` tool that returns a web page's readable text.

Fetches are protected against server-side request forgery (private, loopback, link-local and
metadata addresses are refused unless allow-listed), bounded in size, time and redirects.
"""

from __future__ import annotations

from toolhooks_tools_web._settings import WebSettings
from toolhooks_tools_web.plugin import PLUGIN_NAME, WebToolsPlugin

__all__ = ["PLUGIN_NAME", "WebSettings", "WebToolsPlugin"]
