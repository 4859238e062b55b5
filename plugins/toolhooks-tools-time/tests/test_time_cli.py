"""`toolhooks call` in a subprocess, with only this pack enabled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TOOLHOOKS = str(Path(sys.executable).parent / "toolhooks")


def cli_call(tmp_path: Path, name: str, args: dict[str, Any]) -> tuple[int, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env["TOOLHOOKS_ENABLE"] = "toolhooks-tools-time"
    (tmp_path / "toolhooks.toml").write_text(
        '[plugins.toolhooks-tools-time]\ndefault_timezone = "Europe/Berlin"\n'
    )
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


@pytest.mark.timeout(60)
def test_cli_converts_with_the_configured_default_zone(tmp_path: Path) -> None:
    code, content = cli_call(
        tmp_path, "time_convert", {"datetime": "2024-12-24T18:00", "to_timezone": "Asia/Tokyo"}
    )
    assert code == 0
    assert content["from"]["timezone"] == "Europe/Berlin"
    assert content["to"]["datetime"] == "2024-12-25T02:00:00+09:00"


@pytest.mark.timeout(60)
def test_cli_unknown_zone_fails(tmp_path: Path) -> None:
    code, content = cli_call(tmp_path, "time_now", {"timezone": "Mars/Olympus"})
    assert code == 1
    assert content["error"]["type"] == "invalid_arguments"
