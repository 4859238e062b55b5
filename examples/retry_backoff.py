"""Retry with exponential backoff, on transient errors only (toolhooks-retry).

A tool signals a passing failure (a 503, a dropped connection) with ``toolhooks.TransientError``
(HTTP client errors are recognised too); the retry plugin waits ``wait_initial * 2**n`` (plus
jitter, off here) and tries again. A permanent error (bad input, a bug) is not retried.

Run: uv run --all-packages python examples/retry_backoff.py
"""

from __future__ import annotations

import logging

import toolhooks

failures = {"inventory": 2}


@toolhooks.tool
def inventory(sku: str) -> dict[str, object]:
    """Units in stock for a product.

    Args:
        sku: the product's stock-keeping unit.
    """
    if failures["inventory"] > 0:
        failures["inventory"] -= 1
        raise toolhooks.TransientError("The inventory service answered 503; try again shortly.")
    return {"sku": sku, "in_stock": 7}


@toolhooks.tool
def parse_order(text: str) -> dict[str, object]:
    """Parse an order line such as '3 x SKU-1'.

    Args:
        text: the order line.
    """
    count, _, sku = text.partition(" x ")
    return {"sku": sku, "count": int(count)}  # ValueError on bad input: permanent, not retried


class ShowRetries:
    """Prints each retry as the policy announces it (toolhooks_call_retrying)."""

    @toolhooks.hookimpl
    def toolhooks_call_retrying(
        self, ctx: toolhooks.CallContext, error: BaseException, wait_s: float
    ) -> None:
        print(
            f"  {ctx.call.name}: attempt {ctx.attempt} failed ({type(error).__name__}), "
            f"retrying in {wait_s:.2f} s"
        )


def main() -> None:
    # stamina logs each scheduled retry and the core logs the ValueError's traceback as warnings:
    # keep this example's output to its own lines.
    logging.basicConfig(level=logging.ERROR)
    config = toolhooks.Config(
        {"plugins": {"toolhooks-retry": {"attempts": 4, "wait_initial": 0.05, "wait_jitter": 0}}}
    )
    with toolhooks.Runtime(
        config,
        tools=[inventory, parse_order],
        plugins=["toolhooks-retry", ShowRetries],
        autoload=False,
    ) as runtime:
        print("transient failures are retried:")
        result = runtime.execute_sync({"name": "inventory", "arguments": {"sku": "SKU-1"}})
        print(f"  inventory: ok={result.ok} attempts={result.attempts} -> {result.content}")
        print("permanent failures are not:")
        result = runtime.execute_sync({"name": "parse_order", "arguments": {"text": "three"}})
        assert result.error is not None
        print(f"  parse_order: ok={result.ok} attempts={result.attempts} -> {result.error.type}")
        print(f"retry summary: {runtime.summary().get('toolhooks-retry')}")


if __name__ == "__main__":
    main()
