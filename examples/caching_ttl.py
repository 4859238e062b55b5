"""Caching with a TTL (toolhooks-cache): a repeated call is answered from the cache.

Read-only tools are cached by default; ``[tools.NAME.cache] ttl_s`` sets how long a result is
served. The cache keys on the tool, its schema, the validated arguments and the scope.

Run: uv run --all-packages python examples/caching_ttl.py
"""

from __future__ import annotations

import time

import toolhooks

lookups = {"count": 0}


@toolhooks.tool
def stock_price(symbol: str) -> dict[str, object]:
    """The latest price of a stock.

    Args:
        symbol: the ticker, e.g. ACME.
    """
    lookups["count"] += 1  # stands in for a slow, paid API call
    return {"symbol": symbol, "price": 101.5 + lookups["count"]}


def ask(runtime: toolhooks.Runtime, label: str, symbol: str) -> None:
    call = {"name": "stock_price", "arguments": {"symbol": symbol}}
    result = runtime.execute_sync(call)
    print(f"{label}: cache={result.cache} attempts={result.attempts} -> {result.content}")


def main() -> None:
    config = toolhooks.Config({"tools": {"stock_price": {"cache": {"ttl_s": 1.0}}}})
    with toolhooks.Runtime(
        config, tools=[stock_price], plugins=["toolhooks-cache"], autoload=False
    ) as runtime:
        ask(runtime, "first call", "ACME")
        ask(runtime, "same call again", "ACME")
        ask(runtime, "other arguments", "INITECH")
        time.sleep(1.2)  # let the 1 s TTL pass
        ask(runtime, "after the TTL", "ACME")
        print(f"the tool ran {lookups['count']} times for 4 calls")
        for row in runtime.summary().get("toolhooks-cache", []):
            print(f"cache stats: {row}")


if __name__ == "__main__":
    main()
