"""Error handling with a fallback: a ``toolhooks_recover`` plugin answers a failed call.

Every call ends in exactly one tool message. A failure becomes structured JSON the model can reason
about; a recovery plugin may instead answer with a fallback value (graceful degradation), here a
fixed rate table when the live rates service is down. Argument errors are not hidden: the model
must fix those itself.

Run: uv run --all-packages python examples/error_fallback.py
"""

from __future__ import annotations

import logging
import sys

import toolhooks

LIVE_SERVICE_UP = False


@toolhooks.tool
def exchange_rate(base: str, quote: str) -> dict[str, object]:
    """The current exchange rate between two currencies.

    Args:
        base: ISO code of the currency to convert from, e.g. EUR.
        quote: ISO code of the currency to convert to, e.g. USD.
    """
    if not LIVE_SERVICE_UP:
        # the exception text stays in the logs; the model is told only the exception's class
        raise ConnectionError("rates.internal:443 refused the connection")
    return {"pair": f"{base}/{quote}", "rate": 1.0831, "source": "live"}


class FallbackRates:
    """Answers failed ``exchange_rate`` calls from a fixed table (marked as such)."""

    def __init__(self) -> None:
        self.table = {("EUR", "USD"): 1.08, ("USD", "EUR"): 0.93}

    @toolhooks.hookimpl
    def toolhooks_recover(
        self, ctx: toolhooks.CallContext, error: toolhooks.ErrorInfo
    ) -> toolhooks.Recovery | None:
        if ctx.call.name != "exchange_rate" or error.type == "invalid_arguments":
            return None  # the model must fix its own arguments
        base, quote = str(ctx.arguments.get("base")), str(ctx.arguments.get("quote"))
        rate = self.table.get((base, quote))
        if rate is None:
            return None
        value = {"pair": f"{base}/{quote}", "rate": rate, "source": "fallback table (not live)"}
        return toolhooks.Recovery(value, source="fallback-table")


class OneLineLog(logging.Formatter):
    """The detail goes to the logs, not to the model (one line here instead of a traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        detail = f" ({record.exc_info[1]})" if record.exc_info else ""
        return f"log: {record.getMessage()}{detail}"


CALL = {"id": "call_1", "name": "exchange_rate", "arguments": '{"base": "EUR", "quote": "USD"}'}
BAD = {"id": "call_2", "name": "exchange_rate", "arguments": '{"base": "EUR"}'}


def main() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(OneLineLog())
    logging.getLogger("toolhooks").addHandler(handler)
    logging.getLogger("toolhooks").propagate = False

    with toolhooks.Runtime(tools=[exchange_rate], autoload=False) as runtime:
        result = runtime.execute_sync(CALL)
        print(f"without fallback: {result.content}")

    with toolhooks.Runtime(
        tools=[exchange_rate], plugins=[FallbackRates], autoload=False
    ) as runtime:
        result = runtime.execute_sync(CALL)
        print(f"with fallback: ok={result.ok} {result.content}")
        result = runtime.execute_sync(BAD)
        assert result.error is not None
        print(f"bad arguments are not hidden: {result.error.type}: {result.error.message}")


if __name__ == "__main__":
    main()
