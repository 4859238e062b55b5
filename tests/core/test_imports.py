"""Importing toolhooks, and loading every installed plugin, stays light."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "openai",
    "rich",
    "pydantic_settings",
    "prometheus_client",
    "opentelemetry.sdk",
    "redis",
    "httpx2",
    "httpx",
    "stamina",
    "limits",
    "cachetools",
    "jsonschema",
    "starlette",
    "uvicorn",
    "coredis",
    "docstring_parser",
]

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def probe(body: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded: list[str] = json.loads(out.stdout.splitlines()[-1])
    return loaded


def test_import_toolhooks_imports_nothing_heavy() -> None:
    assert probe("import toolhooks") == []


def test_loading_every_installed_plugin_imports_nothing_heavy() -> None:
    body = (
        "import logging; logging.disable(logging.CRITICAL)\n"
        "import toolhooks\n"
        "rt = toolhooks.Runtime(autoload=True)\n"
        "assert not [p for p in rt.plugins if p.status == 'failed'], "
        "[(p.name, p.error) for p in rt.plugins if p.status == 'failed']"
    )
    # docstring_parser is core's own (light) dependency for defining tools, which tool packs do
    # when they load; everything else must wait until it is used
    assert [m for m in probe(body) if m != "docstring_parser"] == []
