"""toolhooks-tools-sqlite: read-only, row- and time-limited SQL over one SQLite file."""

from __future__ import annotations

from toolhooks_tools_sqlite.plugin import PLUGIN_NAME, SqliteTools
from toolhooks_tools_sqlite.sample import create_sample_db
from toolhooks_tools_sqlite.settings import SqliteSettings

__all__ = ["PLUGIN_NAME", "SqliteSettings", "SqliteTools", "create_sample_db"]
