"""`toolhooks call` in a subprocess: config file, relative database path, read-only."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from toolhooks_tools_sqlite import create_sample_db

TOOLHOOKS = str(Path(sys.executable).parent / "toolhooks")


def cli_call(tmp_path: Path, name: str, args: dict[str, Any]) -> tuple[int, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env["TOOLHOOKS_ENABLE"] = "toolhooks-tools-sqlite"
    done = subprocess.run(
        [TOOLHOOKS, "call", name, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(json.loads(done.stdout)["content"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    create_sample_db(tmp_path / "shop.db")
    (tmp_path / "toolhooks.toml").write_text(
        '[plugins.toolhooks-tools-sqlite]\ndatabase = "shop.db"\nmax_rows = 2\n'
    )
    return tmp_path


@pytest.mark.timeout(60)
def test_cli_query_truncates(project: Path) -> None:
    code, content = cli_call(
        project, "sqlite_query", {"sql": "SELECT name FROM products ORDER BY id"}
    )
    assert code == 0
    assert content["rows"] == [["Mechanical keyboard"], ["Wireless mouse"]]
    assert content["truncated"] is True


@pytest.mark.timeout(60)
def test_cli_write_is_refused(project: Path) -> None:
    before = hashlib.sha256((project / "shop.db").read_bytes()).hexdigest()
    code, content = cli_call(project, "sqlite_query", {"sql": "DELETE FROM customers"})
    assert code == 1
    assert content["error"]["type"] == "refused"
    assert hashlib.sha256((project / "shop.db").read_bytes()).hexdigest() == before
