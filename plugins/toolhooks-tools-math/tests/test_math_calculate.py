"""calculate through a real Runtime: results, the whitelist, and every safety bound."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from toolhooks import Config, Runtime, ToolCall, ToolResult
from toolhooks_tools_math import MathTools
from toolhooks_tools_math.evaluator import Limits, evaluate


def runtime(settings: dict[str, Any] | None = None) -> Runtime:
    config = Config({"plugins": {"toolhooks-tools-math": settings or {}}})
    return Runtime(config, plugins=[MathTools], autoload=False)


async def calc(expression: str, rt: Runtime | None = None) -> ToolResult:
    rt = rt or runtime()
    return await rt.execute(ToolCall("calculate", json.dumps({"expression": expression}), "c1"))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2**100", 2**100),
        ("-2**2", -4),
        ("2**-1", 0.5),
        ("7 // 2", 3),
        ("-7 // 2", -4),
        ("7 % 3", 1),
        ("7 / 2", 3.5),
        ("1_000 * 3", 3000),
        ("1e3 + 0.5", 1000.5),
        ("sqrt(16)", 4.0),
        ("log(e)", 1.0),
        ("log(8, 2)", 3.0),
        ("log10(1000)", 3.0),
        ("abs(-3.5)", 3.5),
        ("round(2.567, 2)", 2.57),
        ("round(2.5)", 2),
        ("min(3, 1, 2) + max(4, 9)", 10),
        ("factorial(10)", 3628800),
        ("gcd(12, 18)", 6),
        ("floor(-2.5) + ceil(2.1)", 0),
        ("hypot(3, 4)", 5.0),
        ("+5", 5),
    ],
)
async def test_calculate_values(expression: str, expected: float) -> None:
    result = await calc(expression)
    assert result.ok, result.content
    assert result.value == {"expression": expression, "result": expected}
    assert type(result.value["result"]) is type(expected)


async def test_calculate_trigonometry_and_constants() -> None:
    result = await calc("sin(pi / 2) + cos(0) + tau / pi")
    assert result.value["result"] == pytest.approx(4.0)
    result = await calc("degrees(atan2(1, 1))")
    assert result.value["result"] == pytest.approx(45.0)


@pytest.mark.timeout(10)
async def test_power_tower_is_refused_without_being_computed() -> None:
    # 9**9**9 has ~370 million digits: computing it would take minutes and gigabytes; the
    # estimate refuses it before the power runs (pytest's timeout would catch a regression).
    result = await calc("9**9**9")
    assert result.error is not None
    assert result.error.type == "refused"
    assert "1000 digits" in result.error.message
    assert result.error.suggestion


@pytest.mark.parametrize(
    "expression",
    [
        "10**1001",
        "2**(10**6)",
        "(10**600) * (10**600)",
        "factorial(100000)",
        "comb(10**6, 5*10**5)",
        "perm(100000, 50000)",
        "99999**99999",
        "(-3)**100000",
    ],
)
@pytest.mark.timeout(10)
async def test_huge_integers_are_refused(expression: str) -> None:
    result = await calc(expression)
    assert result.error is not None
    assert result.error.type == "refused", result.content


async def test_int_digit_limit_follows_settings() -> None:
    rt = runtime({"max_int_digits": 20})
    assert (await calc("10**19", rt)).ok
    refused = await calc("10**25", rt)
    assert refused.error is not None
    assert refused.error.type == "refused"
    assert "20 digits" in refused.error.message
    # and the default accepts it
    assert (await calc("10**25")).ok


async def test_limits_at_the_boundary() -> None:
    result = await calc("10**999")
    assert result.ok
    assert len(str(result.value["result"])) == 1000
    float_result = await calc("9.0**99")  # the suggested float escape hatch works
    assert float_result.value["result"] == pytest.approx(9.0**99)


async def test_expression_length_is_bounded() -> None:
    long = "+".join(["1"] * 600)  # 1199 characters
    result = await calc(long)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    ok = await calc(long, runtime({"max_expression_length": 2000, "max_nodes": 5000}))
    assert ok.value["result"] == 600


async def test_schema_carries_the_length_limit() -> None:
    rt = runtime({"max_expression_length": 50})
    schema = rt.tools["calculate"].parameters["properties"]["expression"]
    assert schema["maxLength"] == 50
    assert (await calc("1+" * 30 + "1", rt)).error is not None


@pytest.mark.parametrize(
    "expression",
    ["-" * 500 + "1", "(1+" * 60 + "1" + ")" * 60, "abs(" * 60 + "1" + ")" * 60, "2**" * 50 + "1"],
)
async def test_nesting_depth_is_bounded(expression: str) -> None:
    result = await calc(expression)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert "nested" in result.error.message


async def test_long_flat_sums_are_not_too_deep() -> None:
    # a left-associative chain is evaluated in a loop: 400 terms are fine within the limits
    result = await calc("+".join(["2"] * 400))
    assert result.value["result"] == 800


async def test_node_count_is_bounded() -> None:
    result = await calc("+".join(["1"] * 300), runtime({"max_nodes": 100}))
    assert result.error is not None
    assert "parts" in result.error.message


def test_time_limit_stops_the_walk() -> None:
    # a tiny time budget: the walk checks its deadline at every node
    limits = Limits(max_seconds=1e-9)
    with pytest.raises(Exception, match="longer than"):
        evaluate("+".join(["1"] * 200), limits)


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("1/0", "Division by zero"),
        ("5 // (2 - 2)", "Division by zero"),
        ("7 % 0", "Division by zero"),
        ("0**-1", "Division by zero"),
        ("sqrt(-1)", "domain"),
        ("log(0)", "domain"),
        ("log(8, 1)", "domain"),
        ("asin(2)", "domain"),
        ("factorial(-1)", "domain"),
        ("(-8)**(1/3)", "fractional power"),
        ("exp(1000)", "too large"),
        ("10.0**400", "too large"),
        ("1e308 * 10", "range of floating-point"),
        ("10**400 / 3", "too large"),
        ("10**400 * 1.5", "too large"),
        ("10**400 + 0.5", "too large"),
        ("0.5 - 10**400", "too large"),
    ],
)
async def test_math_errors_are_clear_tool_errors(expression: str, fragment: str) -> None:
    result = await calc(expression)
    assert result.error is not None, result.content
    assert result.error.type in ("tool_error", "refused")
    assert fragment in result.error.message
    assert result.error.suggestion
    assert "Traceback" not in result.content


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("__import__('os').system('true')", "Only the built-in functions"),
        ("__import__('os')", "Unknown name '__import__'"),
        ("(" * 300 + "1" + ")" * 300, "syntax"),
        ("(1).__class__", "attribute access"),
        ("x + 1", "Unknown name 'x'"),
        ("sqroot(4)", "Unknown name 'sqroot'"),
        ("2^3", "XOR"),
        ("1 < 2", "comparisons"),
        ("1 if 1 else 2", "conditional"),
        ("[1, 2]", "lists"),
        ("1, 2", "tuples"),
        ("'a' * 3", "Only real numbers"),
        ("True + 1", "Only real numbers"),
        ("1j", "Only real numbers"),
        ("sqrt", "is a function"),
        ("sqrt(x=4)", "positional"),
        ("sqrt(1, 2)", "2 arguments"),
        ("gcd(2.5, 5)", "integers"),
        ("2x", "syntax"),
        ("(1 + 2", "syntax"),
        ("lambda: 1", "lambdas"),
        ("   ", "empty"),
    ],
)
async def test_outside_the_whitelist_is_invalid_arguments(expression: str, fragment: str) -> None:
    result = await calc(expression)
    assert result.error is not None, result.content
    assert result.error.type == "invalid_arguments"
    assert fragment in result.error.message
    assert result.error.suggestion


async def test_unknown_function_suggests_a_close_match() -> None:
    result = await calc("sqroot(4)")
    assert result.error is not None
    assert result.error.suggestion is not None
    assert "sqrt" in result.error.suggestion


async def test_schema_validation_rejects_non_strings() -> None:
    rt = runtime()
    result = await rt.execute(ToolCall("calculate", '{"expression": 12}', "c2"))
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    result = await rt.execute(ToolCall("calculate", "{}", "c3"))
    assert result.error is not None
    assert result.error.fields[0].loc == "expression"


def test_evaluate_returns_exact_integers() -> None:
    assert evaluate("2**64 + 1") == 18446744073709551617
    assert math.isclose(evaluate("(1 + sqrt(5)) / 2"), (1 + math.sqrt(5)) / 2)
