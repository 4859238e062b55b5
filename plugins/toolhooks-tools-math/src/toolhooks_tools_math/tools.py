"""The math tools, built per runtime from its settings (so the schema shows the real bounds)."""

# No ``from __future__ import annotations``: the tools are closures whose annotations refer to
# the settings, so they must be evaluated here and not resolved later by name.

import math
import statistics as stats
from collections import Counter
from typing import Annotated, Any

from pydantic import Field
from toolhooks import InvalidArguments, Tool, ToolError, tool

from toolhooks_tools_math.evaluator import CONSTANTS, FUNCTIONS, Limits, evaluate
from toolhooks_tools_math.settings import MathSettings

__all__ = ["build_tools", "describe_numbers"]


def _clean(value: float) -> float | int:
    """Floats that are whole numbers print as integers (12 rather than 12.0)."""
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def describe_numbers(numbers: list[float]) -> dict[str, Any]:
    """Descriptive statistics of a non-empty list of finite numbers."""
    n = len(numbers)
    data = sorted(numbers)
    counts = Counter(data)
    top = max(counts.values())
    modes = sorted(v for v, c in counts.items() if c == top) if top > 1 else []
    try:
        mean = stats.fmean(data)
        if n > 1:
            q1, _, q3 = stats.quantiles(data, n=4, method="inclusive")
        else:
            q1 = q3 = data[0]
        out: dict[str, Any] = {
            "count": n,
            "sum": _clean(math.fsum(data)),
            "mean": _clean(mean),
            "median": _clean(stats.median(data)),
            "modes": [_clean(m) for m in modes],
            "mode_frequency": top,
            "min": _clean(data[0]),
            "max": _clean(data[-1]),
            "range": _clean(data[-1] - data[0]),
            "q1": _clean(q1),
            "q3": _clean(q3),
            "iqr": _clean(q3 - q1),
            "variance": _clean(stats.variance(data)) if n > 1 else None,
            "stdev": _clean(stats.stdev(data)) if n > 1 else None,
            "pvariance": _clean(stats.pvariance(data)),
            "pstdev": _clean(stats.pstdev(data)),
        }
    except OverflowError:
        raise ToolError(
            "The numbers are too large to compute statistics in floating point.",
            suggestion="Rescale the data (for example divide by 1e100) and scale the results.",
        ) from None
    for key, value in out.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ToolError(
                f"The {key} overflowed floating-point range.",
                suggestion="Rescale the data (for example divide by 1e100) and scale back.",
            )
    return out


def build_tools(settings: MathSettings) -> list[Tool]:
    """The pack's tools, bounded by *settings*."""
    limits = Limits(
        max_length=settings.max_expression_length,
        max_depth=settings.max_depth,
        max_nodes=settings.max_nodes,
        max_int_digits=settings.max_int_digits,
        max_seconds=settings.max_seconds,
    )
    function_list = ", ".join(sorted(FUNCTIONS))
    constant_list = ", ".join(CONSTANTS)

    @tool(name="calculate", tags=["math"])
    def calculate(
        expression: Annotated[str, Field(min_length=1, max_length=settings.max_expression_length)],
    ) -> dict[str, Any]:
        """Evaluate an arithmetic expression exactly (integers) or in double precision (floats).

        Use it for any arithmetic instead of computing in your head. Syntax is Python-like:
        numbers (42, 3.14, 1e-3, 1_000), + - * / // (floor division) % (remainder) ** (power),
        unary minus, parentheses. Write powers as 2**10 (not 2^10) and multiplication
        explicitly (2*pi, not 2pi). Integers are exact and arbitrary-size up to a digit limit;
        results larger than that are refused: use a float (9.0**99) for an approximation.
        Trigonometry is in radians; use radians(deg) to convert.

        Returns {"expression", "result"}: the result is an integer or a float.

        Args:
            expression: the expression, e.g. "(1 + sqrt(5)) / 2" or "round(1234 * 1.08, 2)".
        """
        return {"expression": expression, "result": evaluate(expression, limits)}

    calculate.description += (
        f"\n\nFunctions: {function_list}. Constants: {constant_list}. Limits: "
        f"{settings.max_expression_length} characters, integers of up to "
        f"{settings.max_int_digits} digits."
    )

    @tool(name="statistics", tags=["math"])
    def statistics(
        numbers: Annotated[
            list[Annotated[float, Field(allow_inf_nan=False)]],
            Field(min_length=1, max_length=settings.max_numbers),
        ],
    ) -> dict[str, Any]:
        """Descriptive statistics of a list of numbers.

        Returns count, sum, mean, median, modes (every most frequent value; empty when no value
        repeats) with mode_frequency, min, max, range, quartiles q1 and q3 (inclusive method,
        as in spreadsheets' QUARTILE.INC) with iqr, the sample variance and stdev (n-1; null
        for a single number) and the population pvariance and pstdev (n).

        Args:
            numbers: the data, e.g. [2, 4, 4, 5, 7.5]; at least one finite number.
        """
        if len(numbers) > settings.max_numbers:  # the schema says so too; keep the guarantee
            raise InvalidArguments(
                f"At most {settings.max_numbers} numbers are accepted, got {len(numbers)}.",
                suggestion="Summarise a sample of the data, or split it and combine the counts.",
            )
        return describe_numbers(numbers)

    return [calculate, statistics]
