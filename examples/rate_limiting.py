"""Rate limiting (toolhooks-ratelimit): refuse at the limit, or wait for a slot.

Limits are per tool (``[tools.NAME.ratelimit] limit = "3/minute"``, in the notation of the
``limits`` library), optionally global, per scope, in memory or shared through Redis. In
``refuse`` mode the model gets ``rate_limited`` with ``retry_after_s``; in ``wait`` mode the call
waits for a slot within its deadline.

Run: uv run --all-packages python examples/rate_limiting.py
"""

from __future__ import annotations

import asyncio
from collections import Counter

import toolhooks


@toolhooks.tool(side_effects=True)
def send_sms(to: str, text: str) -> str:
    """Send a text message.

    Args:
        to: the phone number.
        text: the message.
    """
    return f"sent to {to}"


@toolhooks.tool
def geocode(place: str) -> dict[str, object]:
    """Coordinates of a place.

    Args:
        place: a place name.
    """
    return {"place": place, "lat": 51.5, "lon": -0.12}


CONFIG = {
    "tools": {
        "send_sms": {"ratelimit": {"limit": "3/minute", "mode": "refuse"}},
        "geocode": {"ratelimit": {"limit": "2/second", "mode": "wait"}},
    }
}


async def main() -> None:
    async with toolhooks.Runtime(
        toolhooks.Config(CONFIG),
        tools=[send_sms, geocode],
        plugins=["toolhooks-ratelimit"],
        autoload=False,
    ) as runtime:
        burst = [
            {"id": f"sms_{i}", "name": "send_sms", "arguments": {"to": "+4470000000", "text": "hi"}}
            for i in range(5)
        ]
        results = await runtime.execute_many(burst)
        outcomes = Counter(r.error.type if r.error else "ok" for r in results)
        print(
            f"burst of 5 send_sms at 3/minute (refuse): {outcomes['ok']} ok, "
            f"{outcomes['rate_limited']} rate_limited"
        )
        refused = next(r for r in results if not r.ok)
        assert refused.error is not None
        print(
            f"the model sees: {refused.error.type}: {refused.error.message} "
            f"(retryable={refused.error.retryable}, "
            f"retry_after_s set: {refused.error.retry_after_s is not None})"
        )

        places = [
            {"id": f"geo_{i}", "name": "geocode", "arguments": {"place": p}}
            for i, p in enumerate(["London", "Paris", "Rome"])
        ]
        results = await runtime.execute_many(places, sequential=True)
        for r in results:
            print(
                f"geocode {r.call_id} at 2/second (wait): ok={r.ok} "
                f"waited={r.rate_limit_wait_s > 0}"
            )
        for row in runtime.summary().get("toolhooks-ratelimit", []):
            print(f"limiter: {row}")


if __name__ == "__main__":
    asyncio.run(main())
