"""The CLI in a subprocess: ``-p no:NAME`` / TOOLHOOKS_DISABLE for plugin commands, and
``toolhooks chat --base-url`` without an API key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from toolhooks.scripted import ScriptedServer

TOOLHOOKS = str(Path(sys.executable).with_name("toolhooks"))


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOOLHOOKS_", "OPENAI_", "PYTEST_"))
    }
    return subprocess.run(
        [TOOLHOOKS, *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_chat_with_base_url_needs_no_api_key(tmp_path: Path) -> None:
    with ScriptedServer() as server:
        server.add("hello from a local server")
        proc = run_cli("chat", "hi", "--model", "m", "--base-url", server.base_url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "hello from a local server"
    assert "Traceback" not in proc.stderr
    assert server.headers[0]["authorization"].startswith("Bearer ")


def test_chat_without_base_url_or_key_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_cli("chat", "hi", "--model", "m", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: no API key: set OPENAI_API_KEY")
    assert "Traceback" not in proc.stderr


def test_disabled_plugin_adds_no_command(tmp_path: Path) -> None:
    assert run_cli("demo", "--help", cwd=tmp_path).returncode == 0
    for proc in (
        run_cli("-p", "no:toolhooks-demo", "demo", "--help", cwd=tmp_path),
        run_cli("demo", "--help", cwd=tmp_path, TOOLHOOKS_DISABLE="toolhooks-demo"),
    ):
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "No such command 'demo'" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_plugins_json_says_where_a_disable_came_from(tmp_path: Path) -> None:
    def errors(*args: str, **env: str) -> dict[str, str | None]:
        proc = run_cli(*args, "plugins", "--json", cwd=tmp_path, **env)
        assert proc.returncode == 0, proc.stderr
        return {p["name"]: p.get("disabled_by") for p in json.loads(proc.stdout)}

    (tmp_path / "toolhooks.toml").write_text('disable = ["toolhooks-metrics"]\n')
    got = errors("-p", "no:toolhooks-cache")
    assert got["toolhooks-cache"] == "disabled by -p no:toolhooks-cache"
    assert got["toolhooks-metrics"] == "disabled in toolhooks.toml"
    # TOOLHOOKS_DISABLE replaces the file's list
    got = errors(TOOLHOOKS_DISABLE="toolhooks-retry")
    assert got["toolhooks-retry"] == "disabled by TOOLHOOKS_DISABLE"


def test_demo_honours_p_no(tmp_path: Path) -> None:
    proc = run_cli("-p", "no:toolhooks-cache", "demo", cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "model turn 1" in proc.stdout, proc.stdout + proc.stderr
    assert "cache=hit" not in proc.stdout
