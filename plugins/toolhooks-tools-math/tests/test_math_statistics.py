"""statistics through a real Runtime."""

from __future__ import annotations

import json
import statistics as std
from typing import Any

import pytest
from toolhooks import Config, Runtime, ToolCall, ToolResult
from toolhooks_tools_math import MathTools


def runtime(settings: dict[str, Any] | None = None) -> Runtime:
    config = Config({"plugins": {"toolhooks-tools-math": settings or {}}})
    return Runtime(config, plugins=[MathTools], autoload=False)


async def stats_of(numbers: Any, rt: Runtime | None = None) -> ToolResult:
    rt = rt or runtime()
    return await rt.execute(ToolCall("statistics", json.dumps({"numbers": numbers}), "s1"))


async def test_statistics_of_a_small_sample() -> None:
    data = [2, 4, 4, 4, 5, 5, 7, 9]
    result = await stats_of(data)
    assert result.ok, result.content
    v = result.value
    assert v["count"] == 8
    assert v["sum"] == 40
    assert v["mean"] == 5
    assert v["median"] == 4.5
    assert v["modes"] == [4]
    assert v["mode_frequency"] == 3
    assert (v["min"], v["max"], v["range"]) == (2, 9, 7)
    assert v["pstdev"] == 2
    assert v["pvariance"] == 4
    assert v["variance"] == pytest.approx(std.variance(data))
    assert v["stdev"] == pytest.approx(std.stdev(data))
    q1, _, q3 = std.quantiles(data, n=4, method="inclusive")
    assert (v["q1"], v["q3"], v["iqr"]) == (q1, q3, q3 - q1)


async def test_multiple_modes_and_no_mode() -> None:
    assert (await stats_of([1, 1, 2, 2, 3])).value["modes"] == [1, 2]
    no_repeat = (await stats_of([1.5, 2.5, 3.5])).value
    assert no_repeat["modes"] == []
    assert no_repeat["mode_frequency"] == 1


async def test_single_number() -> None:
    v = (await stats_of([42])).value
    assert v["count"] == 1
    assert v["mean"] == v["median"] == v["q1"] == v["q3"] == 42
    assert v["variance"] is None
    assert v["stdev"] is None
    assert v["pstdev"] == 0


async def test_empty_list_is_invalid() -> None:
    result = await stats_of([])
    assert result.error is not None
    assert result.error.type == "invalid_arguments"


async def test_non_numbers_are_invalid() -> None:
    result = await stats_of([1, "two", 3])
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert result.error.fields[0].loc == "numbers[1]"


async def test_list_length_is_bounded_by_settings() -> None:
    rt = runtime({"max_numbers": 5})
    assert rt.tools["statistics"].parameters["properties"]["numbers"]["maxItems"] == 5
    assert (await stats_of([1, 2, 3, 4, 5], rt)).ok
    result = await stats_of([1, 2, 3, 4, 5, 6], rt)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"


async def test_default_bound_refuses_a_huge_list() -> None:
    result = await stats_of(list(range(10_001)))
    assert result.error is not None
    assert result.error.type == "invalid_arguments"


async def test_overflow_is_a_clear_error() -> None:
    result = await stats_of([1e308, -1e308, 1e308])
    assert result.error is not None
    assert result.error.type == "tool_error"
    assert "Rescale" in (result.error.suggestion or "")
