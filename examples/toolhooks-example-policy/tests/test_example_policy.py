"""The policy plugin, through a real runtime built with toolhooks.testing."""

from __future__ import annotations

import json
from typing import Any

import pytest
import toolhooks
from toolhooks.testing import fake_entry_points, registered
from toolhooks_example_policy import PolicySettings, redact
from toolhooks_example_policy.plugin import NAME, PolicyPlugin

pytest_plugins = ["toolhooks.testing"]


@toolhooks.tool(tags=["network"])
def fetch_url(url: str) -> str:
    """Fetch a web page."""
    return f"<html>{url}</html>"


@toolhooks.tool
def sql_query(query: str) -> list[dict[str, Any]]:
    """Run SQL."""
    return [{"user": "ada", "password": "hunter2", "profile": {"API_KEY": "sk-1"}}]


@toolhooks.tool
async def whoami() -> dict[str, str]:
    """The current user."""
    return {"name": "ada", "password": "hunter2"}


CONFIG = {
    "plugins": {
        NAME: {
            "deny_tags": ["network"],
            "redact_fields": ["password", "api_key"],
            "rules": [
                {
                    "tool": "sql_query",
                    "argument": "query",
                    "pattern": r"(?i)\b(drop|delete)\b",
                    "message": "Only read-only SQL is allowed.",
                }
            ],
        }
    }
}
TOOLS = [fetch_url, sql_query, whoami]


def call(rt: toolhooks.Runtime, name: str, **arguments: Any) -> toolhooks.ToolResult:
    return rt.execute_sync({"id": "c1", "name": name, "arguments": json.dumps(arguments)})


def test_denied_tag_is_refused(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(CONFIG, plugins=[PolicyPlugin], tools=TOOLS)
    result = call(rt, "fetch_url", url="https://example.org")
    assert result.error is not None
    assert (result.error.type, result.error.message) == (
        "refused",
        "Tools tagged network are not allowed here.",
    )
    assert result.refused_by == NAME
    assert result.attempts == 0


def test_argument_rule_refuses_and_allows(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(CONFIG, plugins=[PolicyPlugin], tools=TOOLS)
    refused = call(rt, "sql_query", query="DROP TABLE users")
    assert refused.error is not None
    assert refused.error.message == "Only read-only SQL is allowed."
    allowed = call(rt, "sql_query", query="select * from users")
    assert allowed.ok


def test_redacts_result_fields_at_any_depth(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(CONFIG, plugins=[PolicyPlugin], tools=TOOLS)
    result = call(rt, "sql_query", query="select 1")
    assert json.loads(result.content) == [
        {"user": "ada", "password": "[redacted]", "profile": {"API_KEY": "[redacted]"}}
    ]
    assert "hunter2" not in result.content
    asynchronous = call(rt, "whoami")
    assert json.loads(asynchronous.content) == {"name": "ada", "password": "[redacted]"}
    assert rt.summary()[NAME] == [{"refused": 0, "fields_redacted": 3}]


def test_without_settings_the_core_runs_the_tool(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(plugins=[PolicyPlugin], tools=TOOLS)
    assert "hunter2" in call(rt, "sql_query", query="select 1").content
    assert call(rt, "fetch_url", url="x").ok


def test_deny_tools_and_counts(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime({"plugins": {NAME: {"deny_tools": ["whoami"]}}}, tools=TOOLS)
    with registered(rt, PolicyPlugin, name=NAME):
        assert call(rt, "whoami").refused_by == NAME
        assert rt.summary()[NAME] == [{"refused": 1, "fields_redacted": 0}]
    assert call(rt, "whoami").ok  # unregistered: no policy any more


def test_bad_pattern_is_a_config_error(toolhooks_runtime: Any) -> None:
    bad = {"plugins": {NAME: {"rules": [{"argument": "q", "pattern": "("}]}}}
    with pytest.raises(toolhooks.ConfigError, match="rules"):
        toolhooks_runtime(bad, plugins=[PolicyPlugin])


def test_discovered_as_an_entry_point(toolhooks_runtime: Any) -> None:
    with fake_entry_points({NAME: f"{PolicyPlugin.__module__}:PolicyPlugin"}):
        rt = toolhooks_runtime(CONFIG, tools=TOOLS, autoload=True)
    assert isinstance(rt.get_plugin(NAME), PolicyPlugin)
    assert call(rt, "fetch_url", url="x").refused_by == NAME


def test_redact_function() -> None:
    value = {"a": [{"Password": 1}, {"b": 2}], "password": {"deep": True}}
    assert redact(value, ["password"], "*") == (
        {"a": [{"Password": "*"}, {"b": 2}], "password": "*"},
        2,
    )
    assert PolicySettings().redact_fields == []
