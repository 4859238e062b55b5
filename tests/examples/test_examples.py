"""Every script in examples/ runs, from the repository root, and prints what it promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: script -> lines its output must contain, exactly (each on a line of its own); an entry starting
#: with "re:" is a regular expression one line must match in full.
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
    "caching_ttl.py": [
        'first call: cache=miss attempts=1 -> {"symbol":"ACME","price":102.5}',
        'same call again: cache=hit attempts=0 -> {"symbol":"ACME","price":102.5}',
        'other arguments: cache=miss attempts=1 -> {"symbol":"INITECH","price":103.5}',
        'after the TTL: cache=miss attempts=1 -> {"symbol":"ACME","price":104.5}',
        "the tool ran 3 times for 4 calls",
        "re:cache stats: \\{'tool': 'stock_price', 'hits': 1, 'misses': 3, .*\\}",
    ],
    "retry_backoff.py": [
        "  inventory: attempt 1 failed (TransientError), retrying in 0.05 s",
        "  inventory: attempt 2 failed (TransientError), retrying in 0.10 s",
        '  inventory: ok=True attempts=3 -> {"sku":"SKU-1","in_stock":7}',
        "  parse_order: ok=False attempts=1 -> tool_error",
        "retry summary: {'retries': 2, 'recovered': 1, 'gave_up': {}}",
    ],
    "rate_limiting.py": [
        "burst of 5 send_sms at 3/minute (refuse): 3 ok, 2 rate_limited",
        "the model sees: rate_limited: Rate limit reached for send_sms. (retryable=True, "
        "retry_after_s set: True)",
        "geocode geo_0 at 2/second (wait): ok=True waited=False",
        "geocode geo_1 at 2/second (wait): ok=True waited=False",
        "geocode geo_2 at 2/second (wait): ok=True waited=True",
    ],
    "monitoring.py": [
        're:\\{"timestamp":".*","level":"INFO","logger":"toolhooks.calls","message":'
        '"call lookup#call_a ok in .*","event":"call_finished","tool":"lookup","call_id":'
        '"call_a","outcome":"ok",.*"attempts":1,.*\\}',
        're:\\{.*"level":"WARNING",.*"call_id":"call_missing","outcome":"error",'
        '"error_type":"tool_error",.*\\}',
        "re:  lookup: calls=4 ok=3 errors=1 \\(tool_error:1\\) success=75% "
        "p50=[0-9.]+ ms p95=[0-9.]+ ms",
        "re:  _OTHER: calls=1 ok=0 errors=1 \\(unknown_tool:1\\) success=0% .*",
        "  # TYPE toolhooks_tool_calls_total counter",
        '  toolhooks_tool_calls_total{error_type="",outcome="ok",tool="lookup"} 3.0',
        '  toolhooks_tool_calls_total{error_type="tool_error",outcome="error",tool="lookup"} 1.0',
    ],
}

#: script -> substrings that must not appear (secrets, tracebacks).
FORBIDDEN: dict[str, list[str]] = {
    "error_fallback.py": ["Traceback"],
    "retry_backoff.py": ["Traceback"],
}


def _matches(want: str, line: str) -> bool:
    if want.startswith("re:"):
        return re.fullmatch(want[3:], line) is not None
    return want == line


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
    missing = [want for want in EXPECTED[name] if not any(_matches(want, line) for line in lines)]
    assert not missing, f"missing lines {missing!r} in output:\n{proc.stdout}\n{proc.stderr}"
    for bad in FORBIDDEN.get(name, []):
        assert bad not in proc.stdout + proc.stderr
