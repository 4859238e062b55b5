"""The pack's tests: the tool itself, through a runtime, and as an installed entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import toolhooks
from toolhooks.testing import fake_entry_points
from toolhooks_tools_template import plugin
from toolhooks_tools_template.tools import convert_units

# Enables the plugin-author kit (in your own pack, put this line in the top-level conftest.py).
pytest_plugins = ["toolhooks.testing"]

SRC = Path(__file__).resolve().parents[1] / "src"


def call(rt: toolhooks.Runtime, **arguments: Any) -> toolhooks.ToolResult:
    return rt.execute_sync(
        {"id": "c1", "name": "convert_units", "arguments": json.dumps(arguments)}
    )


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (1, "mi", "km", 1.609344),
        (100, "C", "F", 212.0),
        (0, "K", "C", -273.15),
        (16, "oz", "lb", 1.0),
    ],
)
def test_convert_units(value: float, source: str, target: str, expected: float) -> None:
    assert convert_units.fn(value, source, target) == {"value": expected, "unit": target}


def test_schema_the_model_sees() -> None:
    params = convert_units.parameters
    assert params["required"] == ["value", "from_unit", "to_unit"]
    assert "kg" in params["properties"]["to_unit"]["enum"]
    assert params["properties"]["value"]["description"] == "the quantity to convert."


def test_through_a_runtime(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(plugins=[plugin])
    assert call(rt, value=2, from_unit="kg", to_unit="g").content == '{"value":2000.0,"unit":"g"}'


def test_errors_the_model_can_act_on(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(plugins=[plugin])
    mixed = call(rt, value=1, from_unit="kg", to_unit="km")
    assert mixed.error is not None
    assert mixed.error.message == "Cannot convert mass (kg) to length (km)."
    assert mixed.error.suggestion == "Pick a mass unit for to_unit."
    unknown = call(rt, value=1, from_unit="parsec", to_unit="km")
    assert unknown.error is not None
    assert unknown.error.type == "invalid_arguments"
    assert [f.loc for f in unknown.error.fields] == ["from_unit"]


def test_discovered_as_an_installed_entry_point(toolhooks_runtime: Any) -> None:
    with fake_entry_points({"toolhooks-tools-template": "toolhooks_tools_template.plugin"}):
        rt = toolhooks_runtime(autoload=True)
    info = {p.name: p for p in rt.plugins}["toolhooks-tools-template"]
    assert info.status == "enabled"
    assert "convert_units" in rt.tools


def test_entry_module_is_cheap() -> None:
    code = (
        "import sys, toolhooks_tools_template.plugin; "
        "print('toolhooks_tools_template.tools' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
