"""Installation of toolhooks-tools-sqlite and its sample-database command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from toolhooks import Config, Runtime
from toolhooks_tools_sqlite import SqliteTools


def test_entry_point_is_installed() -> None:
    eps = {ep.name: ep for ep in entry_points(group="toolhooks")}
    assert "toolhooks-tools-sqlite" in eps
    assert eps["toolhooks-tools-sqlite"].load() is SqliteTools


def test_tools_are_read_only_and_named_for_openai(tmp_path: Path) -> None:
    config = Config({"plugins": {"toolhooks-tools-sqlite": {"database": str(tmp_path / "x.db")}}})
    rt = Runtime(config, plugins=[SqliteTools], autoload=False)
    names = {"sqlite_tables", "sqlite_describe", "sqlite_query"}
    assert names <= set(rt.tools)
    for name in names:
        assert rt.tools[name].side_effects is False
        assert rt.tools[name].plugin == "toolhooks-tools-sqlite"


def test_entry_module_does_not_import_sqlite3() -> None:
    code = "import sys, toolhooks_tools_sqlite.plugin; print('sqlite3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sample_module_command(tmp_path: Path) -> None:
    target = tmp_path / "shop.db"
    cmd = [sys.executable, "-m", "toolhooks_tools_sqlite.sample", str(target)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (6,)
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert "exists" in again.stderr


def test_cli_plugins_says_why_an_unconfigured_pack_has_no_tools(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOOLHOOKS_", "PYTEST_"))}
    cmd = [sys.executable, "-m", "toolhooks", "plugins", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    (info,) = [p for p in json.loads(done.stdout) if p["name"] == "toolhooks-tools-sqlite"]
    assert info["status"] == "enabled"
    assert "no database configured" in info["note"]
    tools = subprocess.run(
        [sys.executable, "-m", "toolhooks", "tools", "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert tools.returncode == 0, tools.stderr
    assert "sqlite_query" not in tools.stdout
