"""Installation, settings and the command line of toolhooks-tools-math."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from toolhooks import Config, ConfigError, Runtime
from toolhooks_tools_math import MathTools

ROOT = Path(__file__).resolve().parents[3]


def test_entry_point_is_installed() -> None:
    eps = {ep.name: ep for ep in entry_points(group="toolhooks")}
    assert "toolhooks-tools-math" in eps
    assert eps["toolhooks-tools-math"].load() is MathTools


def test_tools_are_registered_read_only() -> None:
    rt = Runtime(Config(), plugins=[MathTools], autoload=False)
    assert {"calculate", "statistics"} <= set(rt.tools)
    for name in ("calculate", "statistics"):
        t = rt.tools[name]
        assert t.side_effects is False
        assert t.plugin == "toolhooks-tools-math"
        assert t.description


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"max_int_digits": 5}, "max_int_digits"),
        ({"max_int_digits": 10_000}, "max_int_digits"),
        ({"max_seconds": 0}, "max_seconds"),
        ({"max_digits": 10}, "max_digits"),
    ],
)
def test_bad_settings_stop_start_up(settings: dict[str, object], key: str) -> None:
    config = Config({"plugins": {"toolhooks-tools-math": settings}})
    with pytest.raises(ConfigError) as exc:
        Runtime(config, plugins=[MathTools], autoload=False)
    assert f"plugins.toolhooks-tools-math.{key}" in str(exc.value)


def test_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolhooks_tools_math.plugin; "
        "print(sorted(m for m in ('statistics', 'toolhooks_tools_math.evaluator') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.replace("'", '"')) == []
