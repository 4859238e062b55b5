"""docs/alerts/toolhooks-rules.yml: parses, and every metric it names is in the exposition."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import toolhooks
from prometheus_client.parser import text_string_to_metric_families
from toolhooks import Config, Runtime, ToolCall
from toolhooks_metrics import MetricsPlugin

RULES = Path(__file__).resolve().parents[3] / "docs" / "alerts" / "toolhooks-rules.yml"
METRIC = re.compile(r"\btoolhooks_[a-z_]+\b")


def load_rules() -> list[dict[str, Any]]:
    text = RULES.read_text()
    try:
        import yaml
    except ImportError:  # no YAML parser installed: a structural read of the `expr` blocks
        return _rules_without_yaml(text)
    data = yaml.safe_load(text)
    return [rule for group in data["groups"] for rule in group["rules"]]


def _rules_without_yaml(text: str) -> list[dict[str, Any]]:
    assert text.startswith("#") or text.startswith("groups:")
    assert "\t" not in text
    rules: list[dict[str, Any]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("- alert:"):
            rules.append({"alert": line.split(":", 1)[1].strip(), "expr": ""})
        elif line.strip() == "expr: |" and rules:
            indent = len(line) - len(line.lstrip())
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                body.append(nxt)
            rules[-1]["expr"] = "\n".join(body)
            rules[-1]["for"] = "?"
    return rules


@toolhooks.tool
async def works() -> str:
    """Works."""
    return "ok"


@toolhooks.tool
async def flaky_fails() -> str:
    """Fails (retried by the test infrastructure)."""
    raise toolhooks.TransientError("down")


def exposed_names(infra: type) -> set[str]:
    rt = Runtime(
        Config(), tools=[works, flaky_fails], plugins=[MetricsPlugin, infra], autoload=False
    )
    try:
        rt.execute_sync(ToolCall("works", "{}"))
        rt.execute_sync(ToolCall("flaky_fails", "{}"))
        plugin = rt.get_plugin("toolhooks-metrics")
        text = plugin.exposition().decode()
    finally:
        rt.close()
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples} | {
        family.name for family in text_string_to_metric_families(text)
    }


def test_rules_parse_and_have_the_expected_alerts() -> None:
    rules = load_rules()
    names = [r["alert"] for r in rules]
    assert "ToolhooksToolFailureRateHigh" in names
    assert "ToolhooksToolLatencyP95High" in names
    for rule in rules:
        assert rule["expr"].strip(), rule["alert"]
        assert "for" in rule


def test_every_metric_in_the_rules_is_exposed(infra: type) -> None:
    used = {m for rule in load_rules() for m in METRIC.findall(rule["expr"])}
    assert "toolhooks_tool_calls_total" in used
    assert "toolhooks_tool_call_duration_seconds_bucket" in used
    missing = used - exposed_names(infra)
    assert not missing, f"rules name metrics the plugin does not expose: {sorted(missing)}"


def test_rules_group_only_by_bounded_labels() -> None:
    allowed = {"tool", "le", "error_type", "outcome"}
    for rule in load_rules():
        for group in re.findall(r"by \(([^)]*)\)", rule["expr"]):
            labels = {g.strip() for g in group.split(",")}
            assert labels <= allowed, (rule["alert"], labels)


def test_fallback_reader_agrees_with_yaml() -> None:
    text = RULES.read_text()
    plain = _rules_without_yaml(text)
    assert [r["alert"] for r in plain] == [r["alert"] for r in load_rules()]
    for mine, theirs in zip(plain, load_rules(), strict=True):
        assert set(METRIC.findall(mine["expr"])) == set(METRIC.findall(theirs["expr"]))
