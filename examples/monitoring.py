"""Monitoring: structured logs (toolhooks-logging), a metrics summary and Prometheus text
(toolhooks-metrics).

Every finished call becomes one log record (JSON lines with ``JsonFormatter``) and is counted per
tool: calls, outcomes, error types, p50/p95 latency. The same numbers are exposed to Prometheus
(``[plugins.toolhooks-metrics] port = 9464`` serves /metrics; here the text is printed).

Run: uv run --all-packages python examples/monitoring.py
"""

from __future__ import annotations

import logging
import sys

import toolhooks


@toolhooks.tool
def lookup(key: str) -> str:
    """Look a key up.

    Args:
        key: the key.
    """
    if key == "missing":
        raise toolhooks.ToolError(f"No entry for {key!r}.", suggestion="Check the key.")
    return f"value of {key}"


def main() -> None:
    from toolhooks_logging import JsonFormatter

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    calls_log = logging.getLogger("toolhooks.calls")  # toolhooks-logging's logger
    calls_log.addHandler(handler)
    calls_log.setLevel(logging.INFO)
    calls_log.propagate = False

    with toolhooks.Runtime(
        tools=[lookup], plugins=["toolhooks-logging", "toolhooks-metrics"], autoload=False
    ) as runtime:
        print("logs (one JSON line per call):")
        for key in ("a", "b", "c", "missing"):
            runtime.execute_sync({"id": f"call_{key}", "name": "lookup", "arguments": {"key": key}})
        runtime.execute_sync({"id": "call_x", "name": "lokup", "arguments": {"key": "a"}})

        print("metrics summary:")
        for row in runtime.summary()["toolhooks-metrics"]:
            rate = row["ok"] / row["calls"]
            print(
                f"  {row['tool']}: calls={row['calls']} ok={row['ok']} errors={row['errors']} "
                f"({row['error_types']}) success={rate:.0%} "
                f"p50={row['p50_ms']} ms p95={row['p95_ms']} ms"
            )

        print("prometheus exposition (calls counter):")
        metrics = runtime.get_plugin("toolhooks-metrics")
        for line in metrics.exposition().decode().splitlines():
            if line.startswith(("# TYPE toolhooks_tool_calls_total", "toolhooks_tool_calls_total")):
                print(f"  {line}")


if __name__ == "__main__":
    main()
