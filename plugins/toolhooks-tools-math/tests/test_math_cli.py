"""`toolhooks call` in a subprocess, with only this pack enabled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOOLHOOKS = str(Path(sys.executable).parent / "toolhooks")


def cli_call(tmp_path: Path, name: str, args: dict[str, object]) -> tuple[int, dict[str, object]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env["TOOLHOOKS_ENABLE"] = "toolhooks-tools-math"
    done = subprocess.run(
        [TOOLHOOKS, "call", name, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    message = json.loads(done.stdout)
    return done.returncode, json.loads(message["content"])


@pytest.mark.timeout(60)
def test_cli_calculates(tmp_path: Path) -> None:
    code, content = cli_call(tmp_path, "calculate", {"expression": "2**10 + sqrt(16)"})
    assert code == 0
    assert content == {"expression": "2**10 + sqrt(16)", "result": 1028.0}


@pytest.mark.timeout(60)
def test_cli_refuses_a_power_tower(tmp_path: Path) -> None:
    code, content = cli_call(tmp_path, "calculate", {"expression": "9**9**9"})
    assert code == 1
    assert content["error"]["type"] == "refused"  # type: ignore[index]
