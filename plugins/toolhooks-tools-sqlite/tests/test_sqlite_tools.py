"""The SQLite tools through a real Runtime, on the bundled sample database."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from toolhooks import Config, ConfigError, Runtime, ToolCall, ToolResult
from toolhooks_tools_sqlite import SqliteTools, create_sample_db
from toolhooks_tools_sqlite.db import Database

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return create_sample_db(tmp_path / "shop.db")


def runtime(**settings: Any) -> Runtime:
    config = Config({"plugins": {"toolhooks-tools-sqlite": settings}})
    return Runtime(config, plugins=[SqliteTools], autoload=False)


async def call(rt: Runtime, name: str, **args: Any) -> ToolResult:
    return await rt.execute(ToolCall(name, json.dumps(args), "q1"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- happy paths ---------------------------------------------------------------------------


async def test_tables_lists_tables_and_views(shop: Path) -> None:
    result = await call(runtime(database=str(shop)), "sqlite_tables")
    assert result.ok, result.content
    by_name = {t["name"]: t for t in result.value}
    assert set(by_name) == {"customers", "products", "orders", "order_items", "order_totals"}
    assert by_name["order_totals"]["type"] == "view"
    assert by_name["customers"]["columns"] == ["id", "name", "email", "country", "created_at"]


async def test_describe_reports_columns_keys_indexes_and_count(shop: Path) -> None:
    result = await call(runtime(database=str(shop)), "sqlite_describe", table="ORDERS")
    assert result.ok, result.content
    v = result.value
    assert v["name"] == "orders"
    assert v["row_count"] == 8
    cols = {c["name"]: c for c in v["columns"]}
    assert cols["id"]["primary_key"] == 1
    assert cols["customer_id"]["not_null"] is True
    assert cols["status"]["type"] == "TEXT"
    assert v["foreign_keys"] == [
        {"column": "customer_id", "references_table": "customers", "references_column": "id"}
    ]
    assert {"name": "orders_by_customer", "unique": False, "columns": ["customer_id"]} in v[
        "indexes"
    ]
    assert v["sql"].startswith("CREATE TABLE orders")


async def test_describe_unknown_table_suggests_names(shop: Path) -> None:
    result = await call(runtime(database=str(shop)), "sqlite_describe", table="customer")
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert "customers" in (result.error.suggestion or "")


async def test_query_returns_rows_with_params(shop: Path) -> None:
    rt = runtime(database=str(shop))
    result = await call(
        rt,
        "sqlite_query",
        sql="SELECT name, country FROM customers WHERE country = ? ORDER BY id",
        params=["GB"],
    )
    assert result.ok, result.content
    assert result.value == {
        "columns": ["name", "country"],
        "rows": [["Ada Lovelace", "GB"], ["Alan Turing", "GB"]],
        "row_count": 2,
        "truncated": False,
    }
    totals = await call(
        rt, "sqlite_query", sql="SELECT total_cents FROM order_totals WHERE order_id = 1"
    )
    assert totals.value["rows"] == [[8900 + 2 * 990]]


async def test_rows_are_truncated_at_the_configured_limit(shop: Path) -> None:
    rt = runtime(database=str(shop), max_rows=3)
    result = await call(rt, "sqlite_query", sql="SELECT order_id FROM order_items ORDER BY 1")
    assert result.value["rows"] == [[1], [1], [2]]
    assert result.value["row_count"] == 3
    assert result.value["truncated"] is True
    assert "first 3 rows" in result.value["note"]
    # exactly at the limit: not truncated
    exact = await call(rt, "sqlite_query", sql="SELECT id FROM customers WHERE id <= 3")
    assert exact.value["truncated"] is False
    # the caller may ask for fewer, never more
    fewer = await call(rt, "sqlite_query", sql="SELECT id FROM customers", max_rows=2)
    assert fewer.value["row_count"] == 2
    assert fewer.value["truncated"] is True
    more = await call(rt, "sqlite_query", sql="SELECT id FROM customers", max_rows=50)
    assert more.error is not None
    assert more.error.type == "invalid_arguments"


async def test_long_text_and_blobs_are_shortened(shop: Path) -> None:
    rt = runtime(database=str(shop), max_cell_chars=10)
    result = await call(rt, "sqlite_query", sql="SELECT printf('%.50c', 'x'), x'00ff'")
    text, blob = result.value["rows"][0]
    assert text.startswith("x" * 10 + "…")
    assert "50 characters" in text
    assert blob == "<blob: 2 bytes>"


@pytest.mark.parametrize(
    "sql", ["SELECT zeroblob(900000000)", "SELECT length(hex(zeroblob(20000000)))"]
)
async def test_huge_values_are_refused_before_they_are_built(shop: Path, sql: str) -> None:
    # one SQLite step the progress handler cannot interrupt: the length limit refuses it
    result = await call(runtime(database=str(shop)), "sqlite_query", sql=sql)
    assert result.error is not None, result.content[:200]
    assert result.error.type == "tool_error"
    assert "larger than 32 MiB" in result.error.message


# -- read-only -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO customers VALUES (99, 'Eve', 'eve@example.com', 'FR', '2024-07-01')",
        "UPDATE products SET price_cents = 0",
        "DELETE FROM orders",
        "DROP TABLE customers",
        "CREATE TABLE hack (x)",
        "ALTER TABLE customers ADD COLUMN hacked INTEGER",
        "CREATE INDEX hack_idx ON products(name)",
        "PRAGMA user_version = 7",
        "REPLACE INTO products VALUES (1, 'Free keyboard', 'peripherals', 0, 1)",
        "CREATE TEMP TABLE scratch (x)",
    ],
)
async def test_writes_are_refused_and_the_file_is_unchanged(shop: Path, sql: str) -> None:
    before = digest(shop)
    result = await call(runtime(database=str(shop)), "sqlite_query", sql=sql)
    assert result.error is not None, result.content
    assert result.error.type == "refused"
    assert "read-only" in result.error.message
    assert digest(shop) == before
    assert sorted(p.name for p in shop.parent.iterdir()) == ["shop.db"]


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{dir}/other.db' AS other",
        "VACUUM INTO '{dir}/copy.db'",
        "PRAGMA query_only = OFF",
        "PRAGMA journal_mode = WAL",
        "PRAGMA writable_schema = ON",
    ],
)
async def test_attach_vacuum_into_and_setting_pragmas_are_refused(shop: Path, sql: str) -> None:
    before = digest(shop)
    result = await call(
        runtime(database=str(shop)), "sqlite_query", sql=sql.format(dir=shop.parent)
    )
    assert result.error is not None, result.content
    assert result.error.type == "refused"
    assert digest(shop) == before
    # no file was created next to the database (ATTACH and VACUUM INTO could create one)
    assert sorted(p.name for p in shop.parent.iterdir()) == ["shop.db"]


def test_sqlite_read_only_mode_refuses_writes_on_its_own(shop: Path) -> None:
    # Peel off the other two layers (authorizer, query_only): the URI mode=ro still refuses.
    db = Database(shop, timeout_s=5, max_rows=10, max_cell_chars=100)
    before = digest(shop)
    with db.connect() as (conn, _guard):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            conn.execute("PRAGMA query_only = OFF")  # the authorizer
        conn.set_authorizer(None)
        assert conn.execute("PRAGMA query_only").fetchone() == (1,)
        conn.execute("PRAGMA query_only = OFF")
        assert conn.execute("PRAGMA query_only").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM customers")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("PRAGMA user_version = 3")
    assert digest(shop) == before


def test_query_only_refuses_writes_on_its_own(tmp_path: Path) -> None:
    # and query_only alone refuses too (temp schema included, which mode=ro does not cover)
    db = Database(create_sample_db(tmp_path / "s.db"), timeout_s=5, max_rows=1, max_cell_chars=9)
    with db.connect() as (conn, _guard):
        conn.set_authorizer(None)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("CREATE TEMP TABLE t (x)")


async def test_read_pragmas_are_allowed(shop: Path) -> None:
    rt = runtime(database=str(shop))
    result = await call(rt, "sqlite_query", sql="PRAGMA table_info(products)")
    assert result.ok, result.content
    assert [r[1] for r in result.value["rows"]][:2] == ["id", "name"]
    assert (await call(rt, "sqlite_query", sql="PRAGMA user_version")).value["rows"] == [[0]]


# -- time limit ----------------------------------------------------------------------------


@pytest.mark.timeout(30)
async def test_runaway_query_is_stopped_by_the_time_limit(shop: Path) -> None:
    rt = runtime(database=str(shop), timeout_s=0.2)
    result = await call(rt, "sqlite_query", sql=RUNAWAY)
    assert result.error is not None, result.content
    assert result.error.type == "timeout"
    assert result.error.retryable is False
    assert "0.2 s" in result.error.message
    # the tool still works afterwards (fresh connection per call)
    assert (await call(rt, "sqlite_query", sql="SELECT 1")).value["rows"] == [[1]]


@pytest.mark.timeout(30)
async def test_runaway_fetch_is_stopped_too(shop: Path) -> None:
    # rows produced lazily while fetching, not while executing
    rt = runtime(database=str(shop), timeout_s=0.2, max_rows=10_000)
    sql = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x FROM c WHERE x % 100000000 = 0"
    )
    result = await call(rt, "sqlite_query", sql=sql)
    assert result.error is not None
    assert result.error.type == "timeout"


# -- errors the model can act on -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("SELECT * FROM custmers", "no such table: custmers"),
        ("SELECT nme FROM customers", "no such column: nme"),
        ("SELEC 1", "syntax error"),
        ("SELECT 1; SELECT 2", "one SQL statement"),
        ("SELECT ?", "placeholders"),
    ],
)
async def test_bad_queries_are_invalid_arguments(shop: Path, sql: str, fragment: str) -> None:
    result = await call(runtime(database=str(shop)), "sqlite_query", sql=sql)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert fragment in result.error.message
    assert result.error.suggestion


async def test_no_database_configured_offers_no_tools_and_says_why() -> None:
    async with runtime() as rt:  # start-up succeeds
        assert not {n for n in rt.tools if n.startswith("sqlite_")}
        (info,) = [p for p in rt.plugins if p.name == "toolhooks-tools-sqlite"]
        assert info.status == "enabled"
        assert info.note is not None
        assert "no database configured" in info.note
        assert "[plugins.toolhooks-tools-sqlite]" in info.note
        result = await call(rt, "sqlite_query", sql="SELECT 1")
    assert result.error is not None
    assert result.error.type == "unknown_tool"  # never offered, so never a failing call


async def test_missing_file_is_a_call_time_error_without_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "secret-dir" / "nope.db"
    rt = runtime(database=str(missing))
    result = await call(rt, "sqlite_tables")
    assert result.error is not None
    assert result.error.type == "unavailable"
    assert "does not exist" in result.error.message
    assert "secret-dir" not in result.content
    assert not missing.exists()  # read-only: never created


async def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    result = await call(runtime(database=str(junk)), "sqlite_tables")
    assert result.error is not None
    assert result.error.type == "unavailable"
    assert "not a SQLite database" in result.error.message


async def test_relative_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    create_sample_db(tmp_path / "data.db")
    config = Config(
        {"plugins": {"toolhooks-tools-sqlite": {"database": "data.db"}}},
        path=str(tmp_path / "toolhooks.toml"),
    )
    rt = Runtime(config, plugins=[SqliteTools], autoload=False)
    result = await call(rt, "sqlite_query", sql="SELECT count(*) FROM products")
    assert result.value["rows"] == [[7]]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"max_rows": 0}, "max_rows"),
        ({"timeout_s": -1}, "timeout_s"),
        ({"database": ""}, "database"),
        ({"databse": "x.db"}, "databse"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as exc:
        runtime(**settings)
    assert f"plugins.toolhooks-tools-sqlite.{key}" in str(exc.value)


def test_directory_as_database_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        runtime(database=str(tmp_path))


def test_sample_db_refuses_to_overwrite(tmp_path: Path) -> None:
    path = create_sample_db(tmp_path / "s.db")
    with pytest.raises(FileExistsError):
        create_sample_db(path)
    assert create_sample_db(path, overwrite=True) == path


def test_query_tools_are_not_cacheable_by_default() -> None:
    from toolhooks import Config, Runtime
    from toolhooks_tools_sqlite import SqliteTools

    with Runtime(Config({}), plugins=[SqliteTools], autoload=False) as runtime:
        assert {n for n, t in runtime.tools.items() if t.cacheable} == set()


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA database_list",
        "pragma main.DATABASE_LIST",
        "SELECT * FROM pragma_database_list",
        "select file from PRAGMA_DATABASE_LIST()",
        "SELECT group_concat(file) FROM main.pragma_database_list",
        "WITH d AS (SELECT * FROM pragma_database_list) SELECT file FROM d",
    ],
)
async def test_the_database_path_is_never_shown(shop: Path, sql: str) -> None:
    result = await call(runtime(database=str(shop)), "sqlite_query", sql=sql)
    assert result.error is not None, result.content
    assert result.error.type == "refused"
    assert str(shop.parent) not in result.content
    assert "shop.db" not in result.content
