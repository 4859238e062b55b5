"""``toolhooks chat`` in a subprocess against the scripted server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from toolhooks.scripted import ScriptedServer, Turn, call

APP = Path(__file__).with_name("_chat_cli_app.py")


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [sys.executable, str(APP), "chat", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_chat_prints_tool_calls_and_the_answer(server: ScriptedServer) -> None:
    server.add(Turn(tool_calls=[call("add", {"a": 2, "b": None})]), "2 + 1 = 3")
    proc = _run("what is 2+1?", "--model", "test-model", env=server.env())
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == '-> add({"a": 2})'  # the strict null for b is dropped before binding
    assert lines[1].startswith("<- add: ok (")
    assert lines[-1] == "2 + 1 = 3"
    assert server.requests[0]["model"] == "test-model"
    assert server.requests[0]["messages"] == [{"role": "user", "content": "what is 2+1?"}]
    assert server.requests[1]["messages"][-1]["content"] == "3"
    assert server.headers[0]["authorization"] == "Bearer scripted-key"


def test_chat_json_and_turn_limit(server: ScriptedServer) -> None:
    server.add(Turn(tool_calls=[call("add", {"a": 1})]), Turn(tool_calls=[call("add", {"a": 2})]))
    proc = _run("loop", "--model", "m", "--max-turns", "2", "--json", env=server.env())
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["stop_reason"] == "max_turns"
    assert out["turns"] == 2
    assert [c["ok"] for c in out["calls"]] == [True, False]
    assert "-> add(" in proc.stderr


def test_missing_key_is_a_usage_error() -> None:
    proc = _run("hi", "--model", "m", env={})
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: no API key: set OPENAI_API_KEY")
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_connection_error_is_one_clean_line() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    proc = _run(
        "hi", "--model", "m", "--max-retries", "0",
        env={"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": url},
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: cannot reach the model endpoint at {url}"


def test_http_error_is_one_clean_line(server: ScriptedServer) -> None:
    server.add(Turn(status=500, error="model exploded"))
    proc = _run("hi", "--model", "m", "--max-retries", "0", env=server.env())
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: the model endpoint answered HTTP 500: model exploded"
    assert len(server.requests) == 1


def test_importing_the_package_does_not_import_the_sdk_or_the_server_deps() -> None:
    code = (
        "import sys, toolhooks.openai, toolhooks.scripted, toolhooks.openai._cli; "
        "bad = [m for m in ('openai', 'starlette', 'uvicorn', 'httpx2') if m in sys.modules]; "
        "print(bad)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]"
