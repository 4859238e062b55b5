"""The example distributions under examples/: installed for real (their entry point is found by a
fresh interpreter), and their own test suites pass from their own folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DISTS = ["toolhooks-example-policy", "toolhooks-tools-template"]


def _uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the example distributions (pip install uv)"
    return uv


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOOLHOOKS_", "PYTEST_"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both distributions built and installed (no dependencies) into one target directory."""
    target = tmp_path_factory.mktemp("site")
    for dist in DISTS:
        source = str(ROOT / "examples" / dist)
        proc = subprocess.run(
            [_uv(), "pip", "install", "--quiet", "--no-deps", "--target", str(target), source],
            cwd=ROOT,
            env=_env(),
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
    return target


PROBE = """
import json, toolhooks
names = ["toolhooks-example-policy", "toolhooks-tools-template"]
with toolhooks.Runtime(toolhooks.Config({"enable": names})) as rt:
    infos = {p.name: [p.status, p.distribution, p.version] for p in rt.plugins if p.name in names}
    ok = rt.execute_sync({"name": "convert_units",
                          "arguments": '{"value": 1, "from_unit": "km", "to_unit": "m"}'})
    print(json.dumps({"plugins": infos, "tools": sorted(rt.tools), "content": ok.content}))
"""


def test_installed_entry_points_are_discovered(installed: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=_env(PYTHONPATH=str(installed)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["plugins"] == {
        "toolhooks-example-policy": ["enabled", "toolhooks-example-policy", "0.1.0"],
        "toolhooks-tools-template": ["enabled", "toolhooks-tools-template", "0.1.0"],
    }
    assert out["tools"] == ["convert_units"]
    assert out["content"] == '{"value":1000.0,"unit":"m"}'


def test_installed_policy_refuses_through_the_cli(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "toolhooks.toml").write_text(
        'enable = ["toolhooks-example-policy", "toolhooks-tools-template"]\n'
        '[plugins.toolhooks-example-policy]\ndeny_tools = ["convert_units"]\n'
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from toolhooks.cli import main; main()",
            "call",
            "convert_units",
            '{"value": 1, "from_unit": "km", "to_unit": "m"}',
        ],
        cwd=tmp_path,
        env=_env(PYTHONPATH=str(installed)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    message = json.loads(proc.stdout)
    error = json.loads(message["content"])["error"]
    assert (error["type"], error["message"]) == (
        "refused",
        "The tool 'convert_units' is not allowed here.",
    )


@pytest.mark.parametrize("dist", DISTS)
def test_distribution_own_tests_pass(dist: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT / "examples" / dist,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout.splitlines()[-1]
    assert "failed" not in proc.stdout.splitlines()[-1]
