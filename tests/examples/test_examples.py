"""Every script in examples/ runs, from the repository root, and prints what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: script -> lines its output must contain, exactly (each on a line of its own).
EXPECTED: dict[str, list[str]] = {
    "parallel_calls.py": [
        "parallel: events: start a, start b, start c, done c, done b, done a",
        "parallel: results in request order: ['call_a', 'call_b', 'call_c']",
        "sequential: events: start a, done a, start b, done b, start c, done c",
        "sequential: results in request order: ['call_a', 'call_b', 'call_c']",
    ],
    "error_fallback.py": [
        'without fallback: {"ok": false, "error": {"type": "tool_error", "message": "The tool '
        'failed with an unexpected error (ConnectionError).", "retryable": false, "suggestion": '
        '"The details were logged; do not repeat the call unchanged."}}',
        'with fallback: ok=True {"pair":"EUR/USD","rate":1.08,"source":"fallback table (not '
        'live)"}',
        "bad arguments are not hidden: invalid_arguments: 1 invalid argument: quote",
        "log: tool raised ConnectionError in call <CallContext exchange_rate#call_1 attempt=1> "
        "(rates.internal:443 refused the connection)",
    ],
    "typed_schemas.py": [
        '          "pattern": "^[A-Z]{3}$",',
        'valid call -> {"route":"LHR-JFK","date":"2026-05-01","cabin":"economy","offers":3}',
        "invalid call -> invalid_arguments: 5 invalid arguments: origin, destination, date, "
        "passengers, cabin",
        "  destination: required field is missing",
        "  passengers: Input should be greater than or equal to 1 (got 0)",
        "  cabin: Input should be 'economy', 'business' or 'first' (got luxury)",
    ],
}

#: script -> substrings that must not appear (secrets, tracebacks).
FORBIDDEN: dict[str, list[str]] = {
    "error_fallback.py": ["Traceback"],
}


def run_example(name: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_every_example_script_is_checked() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py")}
    assert scripts == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_what_it_promises(name: str) -> None:
    proc = run_example(name)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    missing = [line for line in EXPECTED[name] if line not in lines]
    assert not missing, f"missing lines {missing!r} in output:\n{proc.stdout}\n{proc.stderr}"
    for bad in FORBIDDEN.get(name, []):
        assert bad not in proc.stdout + proc.stderr
