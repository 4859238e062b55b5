"""The CLI in a subprocess: output, exit codes, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = '''
import toolhooks

@toolhooks.tool
def add(a: int, b: int = 2) -> int:
    """Add two integers."""
    return a + b

@toolhooks.tool
def fail() -> None:
    """Always fails."""
    raise ValueError("token=abc")

class Plugin:
    @toolhooks.hookimpl
    def toolhooks_register_tools(self, register):
        register(add)
        register(fail)
'''


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "demo_app.py").write_text(APP)
    return tmp_path


def cli(
    cwd: Path, plugin: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m toolhooks -p PLUGIN ARGS`` with only that plugin (no autoload)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env["PYTHONPATH"] = str(cwd)
    env["TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "toolhooks", "-p", plugin, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        input=stdin,
        timeout=60,
    )


def test_module_path_plugins_need_an_object(app: Path) -> None:
    # "-p module:attr" is not a module path: reported as failed, not a crash
    out = cli(app, "demo_app:Plugin", "plugins", "--json")
    assert out.returncode == 0
    info = {p["name"]: p for p in json.loads(out.stdout)}["demo_app:Plugin"]
    assert info["status"] == "failed" and "ModuleNotFoundError" in info["error"]


@pytest.fixture
def module_app(tmp_path: Path) -> Path:
    (tmp_path / "demo_app.py").write_text(
        APP + "\ntoolhooks_register_tools = Plugin().toolhooks_register_tools\n"
    )
    return tmp_path


def runm(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return cli(cwd, "demo_app", *args, stdin=stdin)


def test_call_success_and_failure_exit_codes(module_app: Path) -> None:
    ok = runm(module_app, "call", "add", '{"a": 40}')
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"role": "tool", "tool_call_id": "call_cli", "content": "42"}
    bad = runm(module_app, "call", "fail")
    assert bad.returncode == 1
    assert (
        "abc" not in bad.stdout
        and json.loads(json.loads(bad.stdout)["content"])["error"]["type"] == "tool_error"
    )
    assert "Traceback" not in bad.stderr  # logged one line, no traceback without -v


def test_tools_json_and_openai(module_app: Path) -> None:
    tools = json.loads(runm(module_app, "tools", "--json").stdout)
    assert [t["name"] for t in tools] == ["add", "fail"]
    assert tools[0]["plugin"] == "demo_app"
    openai_tools = json.loads(runm(module_app, "tools", "--openai").stdout)
    assert openai_tools[0]["type"] == "function"
    assert openai_tools[0]["function"]["name"] == "add"
    both = runm(module_app, "tools", "--json", "--openai")
    assert both.returncode == 2 and "exclusive" in both.stderr


COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "a",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 1}'},
                    },
                    {"id": "b", "type": "function", "function": {"name": "ad", "arguments": "{}"}},
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 2'},
                    },
                ],
            },
        }
    ],
}


def test_run_json_answers_every_call_in_order(module_app: Path) -> None:
    (module_app / "resp.json").write_text(json.dumps(COMPLETION))
    out = runm(module_app, "run", "resp.json", "--json")
    assert out.returncode == 1  # some calls failed
    messages = json.loads(out.stdout)
    assert [m["tool_call_id"] for m in messages] == ["a", "b", "c"]
    assert messages[0]["content"] == "3"
    assert json.loads(messages[1]["content"])["error"]["suggestion"] == "Did you mean 'add'?"
    assert json.loads(messages[2]["content"])["error"]["type"] == "invalid_arguments"


def test_run_table_from_stdin_sequential(module_app: Path) -> None:
    message = COMPLETION["choices"][0]["message"]  # type: ignore[index]
    out = runm(module_app, "run", "-", "--sequential", stdin=json.dumps(message))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any("add" in line and " ok " in f" {line} " for line in lines), out.stdout
    assert any("unknown_tool" in line for line in lines)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{not json", "not JSON"),
        ('{"x": 1}', "no 'tool_calls', 'choices' or 'output' key"),
        ("3", "expected tool calls, got int"),
    ],
)
def test_run_bad_input_is_one_line(module_app: Path, stdin: str, message: str) -> None:
    out = runm(module_app, "run", "-", stdin=stdin)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("toolhooks: error: <stdin>: ")
    assert message in out.stderr and "Traceback" not in out.stderr


def test_missing_file_is_a_usage_error(module_app: Path) -> None:
    out = runm(module_app, "run", "nope.json")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_bare_command_lists_plugins_and_tools(module_app: Path) -> None:
    out = runm(module_app)
    assert out.returncode == 0
    assert "toolhooks-builtin" in out.stdout and "add" in out.stdout
