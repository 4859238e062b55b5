"""The tutorial and the how-to, followed step by step: the files they mark are written to a
temporary folder and the commands they mark are run there."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial-tool-pack.md"
HOWTO = ROOT / "docs" / "how-to" / "middleware-plugin.md"

FILE_RE = re.compile(r"<!-- file: (?P<path>\S+) -->\n```\w*\n(?P<body>.*?)\n```", re.DOTALL)
RUN_RE = re.compile(r"<!-- run: (?P<dir>\S+) -->\n```console\n\$ (?P<cmd>[^\n]+)\n```")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOOLHOOKS_", "PYTEST_"))}
    env.update(extra)
    return env


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the tutorial's pack"
    return uv


def follow(doc: Path, into: Path) -> list[subprocess.CompletedProcess[str]]:
    """Write the marked files, then run the marked commands in order; return their results."""
    text = doc.read_text()
    files = FILE_RE.findall(text)
    assert files, f"{doc} marks no files"
    for rel, body in files:
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body + "\n")
    done = []
    for where, cmd in RUN_RE.findall(text):
        argv = shlex.split(cmd)
        argv[0] = {"python": sys.executable, "uv": _uv()}.get(argv[0], argv[0])
        proc = subprocess.run(
            argv,
            cwd=into / where,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, f"$ {cmd}\n{proc.stdout}\n{proc.stderr}"
        done.append(proc)
    return done


def test_tool_pack_tutorial(tmp_path: Path) -> None:
    pytest_run, _build = follow(TUTORIAL, tmp_path)
    assert re.search(r"^3 passed", pytest_run.stdout, re.MULTILINE), pytest_run.stdout
    wheels = list((tmp_path / "toolhooks-tools-textstats" / "dist").glob("*.whl"))
    assert [w.name for w in wheels] == ["toolhooks_tools_textstats-0.1.0-py3-none-any.whl"]

    site = tmp_path / "site"
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheels[0])],
        check=True,
        env=_env(),
        capture_output=True,
        timeout=120,
    )
    # the output the tutorial shows for `toolhooks call`, checked against the installed wheel
    text = TUTORIAL.read_text()
    shown = re.search(r"\$ toolhooks call (?P<args>.*)\n(?P<out>\{.*\})\n", text)
    assert shown is not None
    args = shlex.split(shown["args"])
    project = tmp_path / "project"
    project.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", "from toolhooks.cli import main; main()", "call", *args],
        cwd=project,
        env=_env(PYTHONPATH=str(site)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(shown["out"])


def test_middleware_howto(tmp_path: Path) -> None:
    (run,) = follow(HOWTO, tmp_path)
    assert re.search(r"^4 passed", run.stdout, re.MULTILINE), run.stdout


@pytest.mark.parametrize("doc", [TUTORIAL, HOWTO], ids=["tutorial", "howto"])
def test_marked_python_is_formatted_and_lint_clean(doc: Path, tmp_path: Path) -> None:
    """The code readers copy passes the project's own ruff settings (line length, imports)."""
    for rel, body in FILE_RE.findall(doc.read_text()):
        if rel.endswith(".py"):
            (tmp_path / rel.replace("/", "__")).write_text(body + "\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--select",
            "E,F,W",
            "--line-length",
            "100",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
