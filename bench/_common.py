"""Shared helpers for the benchmarks: timing, the honest baseline, machine facts."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from typing import Any

import toolhooks


@toolhooks.tool
async def noop(a: int, b: int = 2) -> int:
    """Add two integers (the benchmark's tool: does almost nothing)."""
    return a + b


ARGS = '{"a": 1, "b": 2}'
MODEL = noop.arguments_model
FN = noop.fn


async def honest_minimum(n: int) -> None:
    """What any runtime must do per call: parse, validate, call, serialise."""
    assert MODEL is not None and callable(FN)
    for _ in range(n):
        args = json.loads(ARGS)
        bound = MODEL.model_validate(args)
        value = await FN(**bound.__dict__)
        json.dumps(value)


def median_per_call(run: Callable[[int], Awaitable[Any]], n: int, repeats: int = 9) -> float:
    """Median seconds per call over *repeats* runs of *n* calls (one warm-up run first)."""

    async def main() -> list[float]:
        await run(n)
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            await run(n)
            samples.append((time.perf_counter() - t0) / n)
        return samples

    return statistics.median(asyncio.run(main()))


def machine() -> str:
    libs = ["toolhooks", "pluggy", "pydantic", "pydantic-core"]
    versions = ", ".join(f"{lib} {version(lib)}" for lib in libs)
    return (
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores "
        f"({platform.platform()}); {versions}"
    )
