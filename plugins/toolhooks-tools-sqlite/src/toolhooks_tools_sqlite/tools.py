"""The SQLite tools, built per runtime from its settings (so the schema shows the real limits)."""

# No ``from __future__ import annotations``: the tools are closures whose annotations refer to
# the settings, so they are evaluated here rather than resolved later by name.

from typing import Annotated, Any

from pydantic import Field
from toolhooks import Tool, tool

from toolhooks_tools_sqlite.db import Database

__all__ = ["build_tools"]

SqlValue = str | int | float | bool | None


def build_tools(db: Database) -> list[Tool]:
    """The pack's tools over *db*."""

    @tool(name="sqlite_tables", tags=["sqlite", "sql"], cacheable=False)
    def sqlite_tables() -> list[dict[str, Any]]:
        """List the tables and views of the SQLite database, with their column names.

        Start here before writing a query; use sqlite_describe for types, keys and row counts.
        Returns [{"name", "type": "table" | "view", "columns": [...]}].
        """
        return db.tables()

    @tool(name="sqlite_describe", tags=["sqlite", "sql"], cacheable=False)
    def sqlite_describe(
        table: Annotated[str, Field(min_length=1, max_length=256)],
    ) -> dict[str, Any]:
        """Describe one table or view of the SQLite database.

        Returns its columns (name, declared type, not_null, default, primary_key position),
        foreign keys, indexes, row_count (null if counting exceeded the time limit) and the
        CREATE statement.

        Args:
            table: the table or view name as listed by sqlite_tables (case-insensitive).
        """
        return db.describe(table)

    @tool(name="sqlite_query", tags=["sqlite", "sql"], cacheable=False)
    def sqlite_query(
        sql: Annotated[str, Field(min_length=1, max_length=20_000)],
        params: Annotated[list[SqlValue], Field(max_length=100)] | None = None,
        max_rows: Annotated[int, Field(ge=1, le=db.max_rows)] | None = None,
    ) -> dict[str, Any]:
        """Run one read-only SQL statement (SQLite dialect) and return its rows.

        The database is opened read-only: SELECT, WITH ... SELECT, EXPLAIN and read-only PRAGMAs
        work; INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH and the like are refused. One
        statement per call. Prefer aggregates (COUNT, SUM, AVG, GROUP BY) and LIMIT to pulling
        many rows. Use ? placeholders with `params` for values.

        Returns {"columns", "rows" (lists, in column order), "row_count", "truncated"}; when
        truncated is true only the first rows are shown.

        Args:
            sql: one SQL statement, e.g. "SELECT country, COUNT(*) FROM customers GROUP BY 1".
            params: values for the ? placeholders, in order.
            max_rows: return at most this many rows (default and maximum: the configured limit).
        """
        limit = db.max_rows if max_rows is None else min(max_rows, db.max_rows)
        result = db.query(sql, params or [], limit)
        out: dict[str, Any] = {
            "columns": result.columns,
            "rows": result.rows,
            "row_count": len(result.rows),
            "truncated": result.truncated,
        }
        if result.truncated:
            out["note"] = (
                f"Only the first {limit} rows are shown; the query returned more. Narrow it with "
                "WHERE, aggregate, or page with LIMIT/OFFSET."
            )
        return out

    assert sqlite_query.description
    sqlite_query.description += (
        f"\n\nLimits: at most {db.max_rows} rows per call; a statement running longer than "
        f"{db.timeout_s:g} s is stopped."
    )
    return [sqlite_tables, sqlite_describe, sqlite_query]
