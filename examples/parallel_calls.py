"""Parallel tool calls, and when to turn them off.

A model that supports parallel tool calls may ask for several in one assistant turn. The runtime
runs them at once (results still come back in the order the model asked); when the calls depend
on each other, ask the model for one call per turn (``parallel_tool_calls=False`` in the request)
and/or run the batch with ``sequential=True``.

Run: uv run --all-packages python examples/parallel_calls.py
"""

from __future__ import annotations

import asyncio
import json
import time

import toolhooks

events: list[str] = []
flight = {"now": 0, "most": 0}  # calls running right now, and the most at once


@toolhooks.tool
async def fetch(source: str, delay_s: float) -> dict[str, str]:
    """Fetch a record from a slow source.

    Args:
        source: which source to read.
        delay_s: how long the source takes to answer.
    """
    events.append(f"start {source}")
    flight["now"] += 1
    flight["most"] = max(flight["most"], flight["now"])
    await asyncio.sleep(delay_s)
    flight["now"] -= 1
    events.append(f"done {source}")
    return {"source": source, "value": source.upper()}


# What an assistant turn with three tool calls looks like (chat.completions format).
ASSISTANT_TURN = {
    "role": "assistant",
    "tool_calls": [
        {
            "id": f"call_{name}",
            "type": "function",
            "function": {"name": "fetch", "arguments": json.dumps({"source": name, "delay_s": d})},
        }
        for name, d in (("a", 0.3), ("b", 0.2), ("c", 0.1))
    ],
}


async def run(runtime: toolhooks.Runtime, *, sequential: bool) -> None:
    events.clear()
    flight["most"] = 0
    calls = toolhooks.tool_calls_from(ASSISTANT_TURN)
    t0 = time.perf_counter()
    results = await runtime.execute_many(calls, sequential=sequential)
    elapsed = time.perf_counter() - t0
    mode = "sequential" if sequential else "parallel"
    print(f"{mode}: events: {', '.join(events)}")
    print(f"{mode}: at most {flight['most']} call(s) in flight, {elapsed:.1f} s")
    print(f"{mode}: results in request order: {[r.call_id for r in results]}")


async def main() -> None:
    async with toolhooks.Runtime(tools=[fetch], autoload=False) as runtime:
        await run(runtime, sequential=False)
        # For calls that must happen in order (create, then update), send the request with
        # parallel_tool_calls=False so the model asks for one call per turn, and run any batch
        # you still get with sequential=True:
        await run(runtime, sequential=True)


if __name__ == "__main__":
    asyncio.run(main())
