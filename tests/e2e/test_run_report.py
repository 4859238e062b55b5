"""`toolhooks run` shows what happened to each call and the latency percentiles per tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MESSAGE = {
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {
            "id": "a",
            "type": "function",
            "function": {"name": "calculate", "arguments": '{"expression": "2**10"}'},
        },
        {
            "id": "b",
            "type": "function",
            "function": {"name": "calculate", "arguments": '{"expression": "9**9**9"}'},
        },
        {
            "id": "c",
            "type": "function",
            "function": {"name": "statistics", "arguments": '{"numbers": [1, 2, 3]}'},
        },
    ],
}


def test_run_prints_calls_and_per_tool_percentiles(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env.update(TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD="1", COLUMNS="160")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolhooks",
            "-p",
            "toolhooks-tools-math",
            "-p",
            "toolhooks-metrics",
            "-p",
            "toolhooks-logging",
            "run",
            "-",
        ],
        input=json.dumps(MESSAGE),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 1  # one call was refused
    lines = out.stdout.splitlines()
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in lines if line.startswith("│")]
    row = {c[0]: c for c in cells}  # the Calls table: call, tool, outcome, ms, attempts, cache
    assert row["a"][1:3] == ["calculate", "ok"]
    assert row["b"][1:3] == ["calculate", "error: refused"]
    assert row["c"][1:3] == ["statistics", "ok"]
    header = next(line for line in lines if "p95_ms" in line)
    assert [h.strip() for h in header.split("┃")[1:-1]] == [
        "tool",
        "calls",
        "ok",
        "errors",
        "error_types",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "max_ms",
    ]  # the all-zero columns (retries, cache, rate limit) are left out
    calc = next(line for line in lines if line.startswith("│ calculate ") and "refused:1" in line)
    assert [c.strip() for c in calc.split("│")[1:5]] == ["calculate", "2", "1", "1"]
    assert "call calculate#b failed" not in out.stderr  # per-call log records only with -v
