"""Read-only access to one SQLite file, with a row limit and a time limit.

Three independent layers keep the database unchanged, none of them string matching:

1. the file is opened with the URI ``file:...?mode=ro``: SQLite itself refuses every write;
2. ``PRAGMA query_only = ON``: refuses writes to any schema of the connection (``temp`` too, and
   ``VACUUM INTO``);
3. an authorizer (``sqlite3.Connection.set_authorizer``) denies ``ATTACH``/``DETACH`` (which can
   create files and read other databases) and every ``PRAGMA`` outside a read-only list (so
   ``PRAGMA query_only = OFF`` cannot lift layer 2).

A progress handler stops any statement that runs past its deadline, and a length limit stops a
single value (``zeroblob(1e9)``, ``hex(randomblob(1e8))``) from taking memory and time in
one step the progress handler cannot interrupt. A connection is opened per
call, in the worker thread that runs the call, and closed at its end.
"""

from __future__ import annotations

import difflib
import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolhooks import InvalidArguments, Refused, ToolError

__all__ = ["READ_PRAGMAS", "Database", "QueryResult"]

log = logging.getLogger("toolhooks.tools.sqlite")

#: PRAGMAs a query may use. Those that can also set a value (``user_version = 3``) are still
#: refused by the read-only layers when they try to write.
READ_PRAGMAS = frozenset(
    {
        "application_id",
        "collation_list",
        "compile_options",
        "data_version",
        "encoding",
        "foreign_key_check",
        "foreign_key_list",
        "freelist_count",
        "function_list",
        "index_info",
        "index_list",
        "index_xinfo",
        "integrity_check",
        "module_list",
        "page_count",
        "page_size",
        "pragma_list",
        "quick_check",
        "schema_version",
        "table_info",
        "table_list",
        "table_xinfo",
        "user_version",
    }
)

#: Table-valued pragmas that show a database file's absolute path (``database_list`` is left
#: out of READ_PRAGMAS for the same reason).
_PATH_TABLES = frozenset({"pragma_database_list"})

_PROGRESS_STEPS = 1000  # SQLite VM instructions between deadline checks
MAX_VALUE_BYTES = 32 * 1024 * 1024  # SQLITE_LIMIT_LENGTH: one string, BLOB or row (default 1 GB)


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


@dataclass
class _Guard:
    """Per-connection state the authorizer and the progress handler share."""

    deadline: float = 0.0
    timed_out: bool = False
    denied: list[str] = field(default_factory=list)

    def authorize(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, src: str | None
    ) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            self.denied.append("ATTACH/DETACH (and VACUUM INTO)")
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_READ and (arg1 or "").lower() in _PATH_TABLES:
            # ``SELECT file FROM pragma_database_list`` reads the pragma as a table, with no
            # PRAGMA action to refuse: the database's absolute path is never shown
            self.denied.append(f"reading {arg1} (it shows file paths)")
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in READ_PRAGMAS:
            self.denied.append(f"PRAGMA {arg1}")
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    def progress(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1  # non-zero: SQLite interrupts the statement
        return 0


class Database:
    """One configured database file and the limits of a call."""

    def __init__(
        self, path: Path | None, *, timeout_s: float, max_rows: int, max_cell_chars: int
    ) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self.max_rows = max_rows
        self.max_cell_chars = max_cell_chars

    # -- connections -------------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[tuple[sqlite3.Connection, _Guard]]:
        """A read-only connection for one call (closed on exit)."""
        path = self.path
        if path is None:
            raise ToolError(
                "No database is configured for the SQLite tools.",
                type="unavailable",
                suggestion="Tell the user to set `database` under [plugins.toolhooks-tools-sqlite] "
                "in toolhooks.toml; do not retry until then.",
            )
        if not path.is_file():
            log.warning("sqlite tools: database file %s does not exist", path)
            raise ToolError(
                "The configured database file does not exist.",
                type="unavailable",
                suggestion="Tell the user to check the `database` path in "
                "[plugins.toolhooks-tools-sqlite]; do not retry until then.",
            )
        uri = f"{path.resolve().as_uri()}?mode=ro"
        guard = _Guard(deadline=time.monotonic() + self.timeout_s)
        try:
            conn = sqlite3.connect(
                uri, uri=True, timeout=min(self.timeout_s, 5.0), isolation_level=None
            )
        except sqlite3.Error:
            log.warning("sqlite tools: cannot open %s", path, exc_info=True)
            raise ToolError(
                "The configured database cannot be opened.",
                type="unavailable",
                suggestion="Tell the user; do not retry.",
            ) from None
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
            conn.set_authorizer(guard.authorize)
            conn.set_progress_handler(guard.progress, _PROGRESS_STEPS)
            yield conn, guard
        finally:
            conn.close()

    # -- the tools' work ---------------------------------------------------------------------

    def tables(self) -> list[dict[str, Any]]:
        with self.connect() as (conn, guard):
            rows = self._run(
                conn,
                guard,
                "SELECT name, type FROM sqlite_schema "
                "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
                (),
            )
            out = []
            for name, kind in rows:
                cols = self._run(conn, guard, "SELECT name FROM pragma_table_info(?)", (name,))
                out.append({"name": name, "type": kind, "columns": [c[0] for c in cols]})
            return out

    def describe(self, table: str) -> dict[str, Any]:
        with self.connect() as (conn, guard):
            found = self._run(
                conn,
                guard,
                "SELECT name, type, sql FROM sqlite_schema "
                "WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE",
                (table,),
            )
            if not found:
                names = [
                    r[0]
                    for r in self._run(
                        conn,
                        guard,
                        "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') "
                        "AND name NOT LIKE 'sqlite_%'",
                        (),
                    )
                ]
                raise _no_such_table(table, names)
            name, kind, sql = found[0]
            columns = [
                {
                    "name": r[1],
                    "type": r[2] or None,
                    "not_null": bool(r[3]),
                    "default": r[4],
                    "primary_key": r[5] or None,  # position in the key, 1-based
                }
                for r in self._run(conn, guard, "SELECT * FROM pragma_table_info(?)", (name,))
            ]
            foreign_keys = [
                {"column": r[3], "references_table": r[2], "references_column": r[4]}
                for r in self._run(conn, guard, "SELECT * FROM pragma_foreign_key_list(?)", (name,))
            ]
            indexes = []
            for r in self._run(conn, guard, "SELECT * FROM pragma_index_list(?)", (name,)):
                index_columns = [
                    c[2]
                    for c in self._run(conn, guard, "SELECT * FROM pragma_index_info(?)", (r[1],))
                ]
                indexes.append({"name": r[1], "unique": bool(r[2]), "columns": index_columns})
            try:
                count: int | None = self._run(
                    conn, guard, f"SELECT count(*) FROM {_quote(name)}", ()
                )[0][0]
            except ToolError as exc:
                if exc.error_type != "timeout":
                    raise
                count = None  # too big to count within the time limit
            return {
                "name": name,
                "type": kind,
                "columns": columns,
                "foreign_keys": foreign_keys,
                "indexes": indexes,
                "row_count": count,
                "sql": sql,
            }

    def query(self, sql: str, params: Sequence[Any], max_rows: int) -> QueryResult:
        with self.connect() as (conn, guard):
            try:
                cursor = conn.execute(sql, tuple(params))
                columns = [d[0] for d in cursor.description or ()]
                fetched = cursor.fetchmany(max_rows + 1) if columns else []
            except (sqlite3.Error, sqlite3.Warning) as exc:
                raise self._translate(exc, guard) from None
            truncated = len(fetched) > max_rows
            rows = [[self._cell(v) for v in row] for row in fetched[:max_rows]]
            return QueryResult(columns=columns, rows=rows, truncated=truncated)

    # -- helpers -----------------------------------------------------------------------------

    def _run(
        self, conn: sqlite3.Connection, guard: _Guard, sql: str, params: tuple[Any, ...]
    ) -> list[Any]:
        try:
            return conn.execute(sql, params).fetchall()
        except (sqlite3.Error, sqlite3.Warning) as exc:
            raise self._translate(exc, guard) from None

    def _cell(self, value: Any) -> Any:
        if isinstance(value, bytes):
            return f"<blob: {len(value)} bytes>"
        if isinstance(value, str) and len(value) > self.max_cell_chars:
            return f"{value[: self.max_cell_chars]}…[truncated, {len(value)} characters]"
        return value

    def _translate(self, exc: BaseException, guard: _Guard) -> ToolError:
        """A ToolError for the model. SQLite's own messages are passed on for errors in the
        model's SQL (they name only the model's tables and columns, never paths)."""
        text = str(exc)
        if guard.timed_out:
            return ToolError(
                f"The query ran longer than the {self.timeout_s:g} s limit and was stopped.",
                type="timeout",
                retryable=False,
                suggestion="Make it cheaper: filter with WHERE, add LIMIT, aggregate, and bound "
                "recursive CTEs.",
            )
        if guard.denied:
            return Refused(
                f"Not allowed: {guard.denied[-1]}. The SQLite tools are read-only and can only "
                "read the configured database.",
                suggestion="Use SELECT statements (and read-only PRAGMAs such as table_info).",
            )
        if "readonly" in text or "read-only" in text:
            return Refused(
                "The database is read-only: the statement tried to write and SQLite refused it.",
                suggestion="Only read: use SELECT. Writes (INSERT, UPDATE, DELETE, CREATE, DROP, "
                "ALTER, ...) are not possible with this tool.",
            )
        if "too big" in text:  # SQLITE_TOOBIG: past MAX_VALUE_BYTES
            return ToolError(
                f"A value in the query would be larger than {MAX_VALUE_BYTES // 2**20} MiB.",
                suggestion="Select smaller values (substr, length) instead of building large "
                "strings or BLOBs.",
            )
        if "one statement at a time" in text:
            return InvalidArguments(
                "Only one SQL statement can run per call.",
                suggestion="Remove the extra statements (and trailing text after ';'), or make "
                "several calls.",
            )
        if isinstance(exc, sqlite3.ProgrammingError) and "bindings" in text:
            return InvalidArguments(
                f"The parameters do not match the placeholders: {_short(text)}",
                suggestion="Pass one value in `params` per '?' placeholder, in order.",
            )
        if isinstance(exc, sqlite3.OperationalError):
            hint = "Check table and column names with sqlite_tables and sqlite_describe."
            if "syntax error" in text:
                hint = "Fix the SQL syntax (SQLite dialect). " + hint
            return InvalidArguments(f"SQLite rejected the query: {_short(text)}", suggestion=hint)
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
            return ToolError(
                "The configured file is not a SQLite database.",
                type="unavailable",
                suggestion="Tell the user; do not retry.",
            )
        log.warning("sqlite tools: unexpected error", exc_info=exc)
        return ToolError(
            f"The query failed ({type(exc).__name__}).",
            suggestion="Check the SQL; do not repeat it unchanged.",
        )


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _no_such_table(table: str, names: list[str]) -> InvalidArguments:
    close = difflib.get_close_matches(table, names, n=3, cutoff=0.5)
    hint = f"Did you mean {', '.join(close)}? " if close else ""
    listing = ", ".join(sorted(names)[:50]) or "(none)"
    return InvalidArguments(
        f"No table or view named {table!r}.",
        suggestion=f"{hint}Tables and views: {listing}.",
    )
