"""calculate never answers NaN or Infinity (not JSON): a readable tool error instead."""

from __future__ import annotations

import json
from typing import Any

import pytest
from toolhooks import Config, Runtime, ToolCall
from toolhooks_tools_math import MathTools


def _no_constants(name: str) -> Any:
    raise AssertionError(f"not JSON: {name}")


@pytest.mark.parametrize(
    "expression",
    ["1e309", "-1e309", "(1e309)", "-(1e309)", "1e309 - 1e309", "1e309 * 0", "-1e309 + 1e309"],
)
async def test_non_finite_results_are_tool_errors(expression: str) -> None:
    config = Config({"plugins": {"toolhooks-tools-math": {}}})
    rt = Runtime(config, plugins=[MathTools], autoload=False)
    try:
        result = await rt.execute(
            ToolCall("calculate", json.dumps({"expression": expression}), "c1")
        )
    finally:
        await rt.aclose()
    body = json.loads(result.content, parse_constant=_no_constants)
    assert not result.ok and result.error is not None
    assert result.error.type == "tool_error"
    assert body["ok"] is False and body["error"]["type"] == "tool_error"
    assert "floating-point" in body["error"]["message"]
