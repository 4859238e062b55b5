"""`toolhooks demo` in a subprocess: every behaviour of the lesson shows in its output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from toolhooks.scripted import ScriptedServer

TOOLHOOKS = str(Path(sys.executable).with_name("toolhooks"))


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TOOLHOOKS_", "OPENAI_", "PYTEST_"))
    }
    return subprocess.run(
        [TOOLHOOKS, *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    proc = run_cli("demo", cwd=tmp_path_factory.mktemp("demo"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout.splitlines()


def matching(lines: list[str], pattern: str) -> list[str]:
    return [line for line in lines if re.fullmatch(pattern, line)]


def test_runs_offline_against_the_scripted_model(demo_output: list[str]) -> None:
    assert matching(demo_output, r"model: scripted, at http://127\.0\.0\.1:\d+/v1 .*")
    assert demo_output[-1] == "stop reason: completed, model turns: 5"


def test_parallel_calls(demo_output: list[str]) -> None:
    assert (
        "  assistant: 4 tool call(s) in parallel: calculate, time_convert, sqlite_query, "
        "service_status" in demo_output
    )
    assert "most calls in flight at once: 4" in demo_output
    turn1 = demo_output[demo_output.index("model turn 1") : demo_output.index("model turn 2")]
    first_done = next(i for i, line in enumerate(turn1) if line.startswith("  done"))
    assert len([line for line in turn1[:first_done] if line.startswith("  start")]) == 4


def test_validation_error_then_correction(demo_output: list[str]) -> None:
    error = matching(
        demo_output,
        r"  tool call_\d+ \(calculate\): error invalid_arguments: 2 invalid arguments\. "
        r"expression: required field is missing: add it \(a string\); expr: unknown field: "
        r'remove it \(the accepted fields are "expression"\).*',
    )
    assert len(error) == 1
    fixed = '{"expression":"sqrt(2)*10","result":14.142135623730951}'
    correction = matching(demo_output, rf"  tool call_\d+ \(calculate\): {re.escape(fixed)}")
    assert len(correction) == 1
    said = "  assistant: The calculator wants `expression`, not `expr`: calling it again."
    assert demo_output.index(error[0]) < demo_output.index(said)
    assert demo_output.index(said) < demo_output.index(correction[0])


def test_flaky_service_succeeds_on_the_third_attempt(demo_output: list[str]) -> None:
    assert matching(
        demo_output,
        r"  retry  service_status#call_\d+: attempt 1 failed \(transient\), next in 0\.05 s",
    )
    assert matching(
        demo_output,
        r"  retry  service_status#call_\d+: attempt 2 failed \(transient\), next in 0\.10 s",
    )
    assert matching(
        demo_output, r"  done   service_status#call_\d+: ok, attempts=3, cache=miss, .* ms"
    )
    assert '  tool call_4 (service_status): {"service":"inventory","status":"operational"}' in (
        demo_output
    )


def test_repeated_query_is_a_cache_hit(demo_output: list[str]) -> None:
    hits = matching(
        demo_output, r"  done   sqlite_query#call_\d+: ok, attempts=0, cache=hit, .* ms"
    )
    misses = matching(
        demo_output, r"  done   sqlite_query#call_\d+: ok, attempts=1, cache=miss, .*"
    )
    assert (len(hits), len(misses)) == (1, 1)


def test_burst_meets_the_rate_limit(demo_output: list[str]) -> None:
    limited = matching(
        demo_output, r"  done   notify#call_\d+: error rate_limited, attempts=0, cache=-, .* ms"
    )
    sent = matching(demo_output, r"  done   notify#call_\d+: ok, attempts=1, cache=-, .* ms")
    assert (len(limited), len(sent)) == (2, 2)
    assert matching(
        demo_output,
        r"  tool call_\d+ \(notify\): error rate_limited: Rate limit reached for notify\. "
        r"\(retry after \d+ s\)",
    )
    assert any("2 notifications went out and 2 hit the rate limit" in line for line in demo_output)


def test_final_table(demo_output: list[str]) -> None:
    start = demo_output.index("Per-tool calls (toolhooks-metrics)")
    table = demo_output[start + 1 : start + 7]
    assert table[0] == "  tool             calls  ok  success   p50 ms   p95 ms"
    number = r"\s+\d+\.\d"
    expected = [
        rf"  calculate\s+3\s+2\s+67%{number}{number}",
        rf"  notify\s+4\s+2\s+50%{number}{number}",
        rf"  service_status\s+1\s+1\s+100%{number}{number}",
        rf"  sqlite_query\s+2\s+2\s+100%{number}{number}",
        rf"  time_convert\s+1\s+1\s+100%{number}{number}",
    ]
    for line, pattern in zip(table[1:], expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


def test_real_model_mode_talks_to_the_given_endpoint(tmp_path: Path) -> None:
    with ScriptedServer(["Hello from the endpoint."]) as server:
        proc = run_cli("demo", "--model", "my-model", "--base-url", server.base_url, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        request = server.requests[0]
    lines = proc.stdout.splitlines()
    assert f"model: my-model at {server.base_url}/" in lines
    assert "  assistant: Hello from the endpoint." in lines
    assert request["model"] == "my-model"
    offered = {t["function"]["name"] for t in request["tools"]}
    assert {"calculate", "time_convert", "sqlite_query", "service_status", "notify"} <= offered


def test_model_without_endpoint_or_key_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("demo", "--model", "gpt-x", cwd=tmp_path)
    assert proc.returncode == 2
    assert "toolhooks demo: --model needs --base-url or OPENAI_API_KEY" in proc.stdout


def test_demo_is_listed_as_a_command(tmp_path: Path) -> None:
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^\s+demo\s+Run the whole lesson end to end", proc.stdout, re.MULTILINE)
