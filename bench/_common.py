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

import pydantic_core
import toolhooks


@toolhooks.tool
async def noop(a: int, b: int = 2) -> int:
    """Add two integers (the benchmark's tool: does almost nothing)."""
    return a + b


ARGS = '{"a": 1, "b": 2}'
MODEL = noop.arguments_model
FN = noop.fn


async def honest_minimum_fast_json(n: int) -> None:
    """The same with pydantic-core's JSON (what the runtime itself uses): a stricter baseline."""
    assert MODEL is not None and callable(FN)
    for _ in range(n):
        args = pydantic_core.from_json(ARGS)
        bound = MODEL.__pydantic_validator__.validate_python(args)
        value = await FN(**bound.__dict__)
        pydantic_core.to_json(value)


async def honest_minimum(n: int) -> None:
    """What any runtime must do per call: parse, validate, call, serialise."""
    assert MODEL is not None and callable(FN)
    for _ in range(n):
        args = json.loads(ARGS)
        bound = MODEL.model_validate(args)
        value = await FN(**bound.__dict__)
        json.dumps(value)


def interleaved(
    runs: dict[str, Callable[[int], Awaitable[Any]]], n: int, repeats: int = 11
) -> dict[str, float]:
    """Median seconds per call of each run, the runs alternating within every repeat (so a noisy
    spell of a shared machine hits all of them alike, not just the one measured then)."""

    async def main() -> dict[str, list[float]]:
        for run in runs.values():
            await run(n)  # warm-up
        samples: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(repeats):
            for name, run in runs.items():
                t0 = time.perf_counter()
                await run(n)
                samples[name].append((time.perf_counter() - t0) / n)
        return samples

    return {name: statistics.median(s) for name, s in asyncio.run(main()).items()}


def machine() -> str:
    libs = ["toolhooks", "pluggy", "pydantic", "pydantic-core"]
    versions = ", ".join(f"{lib} {version(lib)}" for lib in libs)
    return (
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores "
        f"({platform.platform()}); {versions}"
    )
