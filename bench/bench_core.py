"""Core overhead: one call through the runtime with no optional plugins, against the honest
minimum (json.loads + pydantic validation + call + json.dumps); a batch of 100 calls of an async
tool that sleeps 50 ms; a batch of 2,000 no-op calls.

Run: uv run --all-packages python bench/bench_core.py   (prints a markdown section)
"""

from __future__ import annotations

import asyncio
import statistics
import time

import toolhooks
from _common import ARGS, honest_minimum, honest_minimum_fast_json, interleaved, machine, noop
from toolhooks import Runtime, ToolCall


@toolhooks.tool
async def sleepy(i: int) -> int:
    """Sleep 50 ms."""
    await asyncio.sleep(0.05)
    return i


@toolhooks.tool
def noop_sync(a: int, b: int = 2) -> int:
    """The sync twin of noop (runs in the worker pool)."""
    return a + b


def main() -> None:
    runtime = Runtime(tools=[noop, noop_sync, sleepy], autoload=False)
    call = ToolCall("noop", ARGS, "c")
    call_sync = ToolCall("noop_sync", ARGS, "c")

    async def one_by_one(n: int) -> None:
        for _ in range(n):
            await runtime.execute(call)

    async def one_by_one_sync_tool(n: int) -> None:
        for _ in range(n):
            await runtime.execute(call_sync)

    batch = [ToolCall("noop", ARGS, f"c{i}") for i in range(2000)]

    async def batch_run(n: int) -> None:  # n calls as one batch
        await runtime.execute_many(batch[:n])

    medians = interleaved(
        {
            "base": honest_minimum,
            "fast": honest_minimum_fast_json,
            "ours": one_by_one,
            "sync": one_by_one_sync_tool,
            "batch": batch_run,
        },
        2000,
    )
    base, ours, ours_sync, batch_per_call = (
        medians["base"],
        medians["ours"],
        medians["sync"],
        medians["batch"],
    )

    sleeps = [ToolCall("sleepy", f'{{"i": {i}}}', f"s{i}") for i in range(100)]

    async def sleepy_batch() -> list[float]:
        walls = []
        for _ in range(7):
            t0 = time.perf_counter()
            results = await runtime.execute_many(sleeps)
            walls.append(time.perf_counter() - t0)
            assert all(r.ok for r in results)
        return walls

    wall = statistics.median(asyncio.run(sleepy_batch()))
    runtime.close()

    print("## Core (no optional plugins)\n")
    print(f"Machine: {machine()}\n")
    print("| measurement | median | ratio | target |")
    print("| --- | --- | --- | --- |")
    print(f"| honest minimum per call | {base * 1e6:.2f} µs | 1.00× | |")
    fast = medians["fast"]
    print(
        f"| the same minimum with pydantic-core JSON (stricter) | {fast * 1e6:.2f} µs | "
        f"{fast / base:.2f}× | |"
    )
    print(
        f"| one call through the runtime (async tool) | {ours * 1e6:.2f} µs | "
        f"{ours / base:.2f}× ({ours / fast:.2f}× the stricter one) | ≤ 1.5× |"
    )
    print(
        f"| one call through the runtime (sync tool, worker thread) | {ours_sync * 1e6:.2f} µs | "
        f"{ours_sync / base:.2f}× | (not a target: a thread hop) |"
    )
    print(
        f"| batch of 2,000 no-op calls, per call | {batch_per_call * 1e6:.2f} µs | "
        f"throughput {base / batch_per_call:.2f}× of the minimum's | ≥ 0.5× |"
    )
    print(
        f"| 100 calls × 50 ms sleep, one batch, wall | {wall * 1000:.1f} ms | "
        f"{wall / 0.05:.3f}× of 50 ms | ≤ 1.05× |"
    )


if __name__ == "__main__":
    main()
