"""The entry point of toolhooks-tools-sqlite: hookimpls only (sqlite3 loads on registration)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks import ConfigError, NotConfigured

from toolhooks_tools_sqlite.settings import SqliteSettings

if TYPE_CHECKING:
    from toolhooks import Config

__all__ = ["PLUGIN_NAME", "SqliteTools"]

PLUGIN_NAME = "toolhooks-tools-sqlite"


class SqliteTools:
    """Registers ``sqlite_tables``, ``sqlite_describe`` and ``sqlite_query`` over the database
    named by ``[plugins.toolhooks-tools-sqlite] database``. One instance per runtime."""

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self) -> None:
        self.settings = SqliteSettings()
        self.database: Path | None = None

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        self.settings = config.plugin_settings(PLUGIN_NAME, SqliteSettings)
        raw = self.settings.database
        if raw is None:
            self.database = None
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            base = Path(config.path).parent if config.path else Path.cwd()
            path = base / path
        if path.is_dir():
            raise ConfigError(
                f"is a directory, not a SQLite file: {path}",
                path=config.path or "(config)",
                key=f"plugins.{PLUGIN_NAME}.database",
            )
        # a missing file is reported at call time: it may be created after start-up
        self.database = path

    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register: Callable[..., Any]) -> None:
        if self.database is None:
            # tools that could only fail are never offered to the model
            raise NotConfigured(
                f"no tools: no database configured (set `database` under "
                f"[plugins.{PLUGIN_NAME}] in toolhooks.toml)"
            )
        from toolhooks_tools_sqlite.db import Database
        from toolhooks_tools_sqlite.tools import build_tools

        db = Database(
            self.database,
            timeout_s=self.settings.timeout_s,
            max_rows=self.settings.max_rows,
            max_cell_chars=self.settings.max_cell_chars,
        )
        for t in build_tools(db):
            register(t)
