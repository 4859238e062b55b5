"""The concern plugins together: validation, retry policy, cache (a miss and a store), a generous
rate limit, per call; and a cache hit. Both against the honest minimum (json.loads + pydantic
validation + call + json.dumps). Memory backends; calls run one after another on one loop.

Run: uv run --all-packages python bench/bench_stack.py   (prints a markdown section)
"""

from __future__ import annotations

from _common import ARGS, honest_minimum, interleaved, machine, noop
from toolhooks import Config, Runtime, ToolCall

PLUGINS = ["toolhooks-validation", "toolhooks-retry", "toolhooks-cache", "toolhooks-ratelimit"]


def main() -> None:
    config = Config(
        {
            "tools": {"*": {"ratelimit": {"limit": "1000000/second"}}},
        }
    )
    stack = Runtime(config, tools=[noop], plugins=PLUGINS, autoload=False)
    loaded = sorted(p.name for p in stack.plugins if p.status == "enabled")
    assert set(PLUGINS) <= set(loaded), loaded
    bare = Runtime(Config({}), tools=[noop], autoload=False)
    counter = iter(range(1000, 10**9))  # never the arguments of the hit run

    async def misses(n: int) -> None:  # every call new arguments: a miss, then a store
        for _ in range(n):
            result = await stack.execute(ToolCall("noop", f'{{"a": {next(counter)}}}', "c"))
            assert result.cache == "miss", result

    hit_call = ToolCall("noop", ARGS, "c")

    async def hits(n: int) -> None:
        await stack.execute(hit_call)  # in the cache, whatever the misses evicted
        for _ in range(n):
            result = await stack.execute(hit_call)
            assert result.cache == "hit", result

    async def no_plugins(n: int) -> None:
        for _ in range(n):
            await bare.execute(hit_call)

    medians = interleaved(
        {"base": honest_minimum, "core": no_plugins, "hit": hits, "full": misses}, 2000
    )
    base, core, hit, full = medians["base"], medians["core"], medians["hit"], medians["full"]
    stack.close()
    bare.close()

    print("## The concern plugins (validation, retry, cache, rate limit)\n")
    print(f"Machine: {machine()}\n")
    print("| measurement | median per call | ratio to the honest minimum | target |")
    print("| --- | --- | --- | --- |")
    print(f"| honest minimum | {base * 1e6:.2f} µs | 1.00× | |")
    print(f"| runtime, no optional plugins | {core * 1e6:.2f} µs | {core / base:.2f}× | ≤ 1.5× |")
    print(
        f"| full stack, cache miss + store, rate limit checked | {full * 1e6:.2f} µs | "
        f"{full / base:.2f}× | ≤ 3× |"
    )
    print(f"| full stack, cache hit | {hit * 1e6:.2f} µs | {hit / base:.2f}× | ≤ 1× |")


if __name__ == "__main__":
    main()
