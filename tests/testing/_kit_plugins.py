"""Plugins the kit's tests register (importable by name for the lazy entry-point test)."""

from __future__ import annotations

from typing import Any

import toolhooks

LOADED: list[str] = []


def shout(text: str) -> str:
    """Upper-case a text.

    Args:
        text: the text.
    """
    return text.upper()


class ShoutPack:
    """A tool pack with state per runtime (registers one tool; records its shutdown)."""

    toolhooks_plugin_name = "toolhooks-tools-shout"

    def __init__(self) -> None:
        self.shutdowns = 0
        LOADED.append("ShoutPack")

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Any) -> None:
        register(shout)

    @toolhooks.hookimpl
    def toolhooks_shutdown(self) -> None:
        self.shutdowns += 1


class NoShouting:
    """A policy that refuses every call of ``shout``."""

    @toolhooks.hookimpl
    def toolhooks_validate(self, ctx: toolhooks.CallContext) -> None:
        if ctx.call.name == "shout":
            raise toolhooks.Refused("No shouting here.")
