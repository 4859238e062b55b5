"""toolhooks-validation through a real runtime: pydantic tools, schema-first tools, settings."""

from __future__ import annotations

import enum
import json
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field
from toolhooks import (
    CallContext,
    Config,
    ConfigError,
    Runtime,
    Tool,
    ToolCall,
    ToolResult,
    hookimpl,
    tool,
)
from toolhooks_validation import ValidationPlugin


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@tool
def forecast(
    city: str,
    units: Literal["metric", "imperial"] = "metric",
    days: Annotated[int, Field(ge=1, le=10)] = 1,
    colour: Colour = Colour.RED,
    limit: int | None = None,
) -> dict[str, Any]:
    """Weather forecast."""
    return {"city": city, "units": units, "days": days, "colour": colour.value, "limit": limit}


SCHEMA = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "minLength": 2},
        "count": {"type": "integer", "minimum": 1, "maximum": 50},
        "sort": {"type": "string", "enum": ["Newest", "Oldest", "Relevance"]},
        "exact": {"type": "boolean"},
        "since": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        "filter": {
            "type": "object",
            "properties": {"lang": {"type": "string"}, "score": {"type": "number"}},
            "required": ["lang"],
            "additionalProperties": False,
        },
    },
    "required": ["query"],
    "additionalProperties": False,
}


def search_tool(**options: Any) -> Tool:
    return Tool.from_schema("search", "Search.", SCHEMA, lambda args: args, **options)


class Seen:
    """Observer: what the cache would key on (ctx.arguments after validation)."""

    toolhooks_plugin_name = "seen"

    def __init__(self) -> None:
        self.arguments: list[dict[str, Any]] = []

    @hookimpl
    def toolhooks_call_finished(self, ctx: CallContext) -> None:
        self.arguments.append(ctx.arguments)


async def call(
    args: dict[str, Any] | str,
    *,
    name: str = "forecast",
    config: dict[str, Any] | None = None,
    tools: list[Any] | None = None,
    seen: Seen | None = None,
) -> ToolResult:
    plugins: list[object] = [ValidationPlugin] + ([seen] if seen else [])
    tools = tools if tools is not None else [forecast, search_tool()]
    async with Runtime(Config(config or {}), tools=tools, plugins=plugins, autoload=False) as rt:
        raw = args if isinstance(args, str) else json.dumps(args)
        return await rt.execute(ToolCall(name, raw, id="c1"))


def fields(result: ToolResult) -> dict[str, Any]:
    assert result.error is not None, result.content
    assert result.error.type == "invalid_arguments"
    return {f.loc: f for f in result.error.fields}


def assert_clean(result: ToolResult) -> None:
    text = result.content.lower()
    for leak in ("http", "pydantic", "errors.pydantic.dev", "further information", "[type="):
        assert leak not in text, (leak, result.content)


# -- pydantic tools ------------------------------------------------------------------------


async def test_every_bad_field_listed_with_suggestions() -> None:
    result = await call({"unit": "metric", "units": "Metric", "days": 20, "colour": "green"})
    assert result.refused_by == "toolhooks-validation"
    by_loc = fields(result)
    assert set(by_loc) == {"city", "unit", "units", "days", "colour"}
    assert by_loc["city"].message.startswith("required field is missing")
    assert by_loc["city"].expected == "a string"
    assert by_loc["city"].got is None
    assert "did you mean 'units'" in by_loc["unit"].message
    assert "did you mean 'metric'" in by_loc["units"].message
    assert by_loc["units"].expected == 'one of "metric", "imperial"'
    assert by_loc["units"].got == '"Metric"'
    assert by_loc["days"].expected == "a number <= 10"
    assert by_loc["days"].got == "20"
    assert by_loc["colour"].expected == 'one of "red", "blue"'
    assert result.error is not None
    for loc in by_loc:
        assert loc in result.error.message
    assert result.error.message.startswith("5 invalid arguments.")
    assert result.error.suggestion
    assert_clean(result)


async def test_lax_coercion_and_json_form_for_the_cache() -> None:
    seen = Seen()
    result = await call({"city": "Oslo", "days": "5", "colour": "blue"}, seen=seen)
    assert result.ok, result.content
    assert result.value == {
        "city": "Oslo",
        "units": "metric",
        "days": 5,
        "colour": "blue",
        "limit": None,
    }
    assert seen.arguments == [
        {"city": "Oslo", "units": "metric", "days": 5, "colour": "blue", "limit": None}
    ]


async def test_strict_plugin_wide_refuses_quoted_number_with_a_hint() -> None:
    config = {"plugins": {"toolhooks-validation": {"strict": True}}}
    result = await call({"city": "Oslo", "days": "5"}, config=config)
    days = fields(result)["days"]
    assert "send the number without quotes" in days.message
    assert days.expected == "an integer"
    assert_clean(result)


async def test_strict_accepts_enum_values_as_json_strings() -> None:
    # Tool.bind(strict=True) validates Python input, where an Enum wants an Enum instance;
    # the plugin validates strictly in JSON mode, where "blue" is the Enum's JSON form.
    config = {"plugins": {"toolhooks-validation": {"strict": True}}}
    result = await call({"city": "Oslo", "colour": "blue", "units": "imperial"}, config=config)
    assert result.ok, result.content
    assert result.value["colour"] == "blue"


async def test_strict_per_tool_overrides_plugin_wide() -> None:
    config = {
        "plugins": {"toolhooks-validation": {"strict": True}},
        "tools": {"forecast": {"validation": {"strict": False}}},
    }
    assert (await call({"city": "Oslo", "days": "5"}, config=config)).ok
    star = {"tools": {"*": {"validation": {"strict": True}}}}
    assert not (await call({"city": "Oslo", "days": "5"}, config=star)).ok


async def test_union_location_has_no_member_tags() -> None:
    result = await call({"city": "Oslo", "limit": "lots"})
    by_loc = fields(result)
    assert set(by_loc) == {"limit"}
    assert by_loc["limit"].expected == "an integer or null"


async def test_long_values_are_truncated() -> None:
    result = await call({"city": "Oslo", "units": "x" * 5000})
    got = fields(result)["units"].got
    assert got is not None
    assert len(got) <= 80
    assert len(result.content) < 1000


async def test_core_binder_still_used_for_the_function() -> None:
    result = await call({"city": "Oslo", "colour": "red"})
    assert result.ok
    assert result.value["colour"] == "red"  # the function got an Enum and returned .value


# -- schema-first tools ----------------------------------------------------------------------


async def test_schema_first_lists_every_bad_field() -> None:
    args = {
        "querry": "cats",
        "count": 0,
        "sort": "newest",
        "exact": "yes",
        "since": "yesterday",
        "tags": ["a", "b", "c", "d"],
        "filter": {"score": "high"},
    }
    result = await call(args, name="search")
    by_loc = fields(result)
    assert set(by_loc) == {
        "query",
        "querry",
        "count",
        "sort",
        "exact",
        "since",
        "tags",
        "filter.lang",
        "filter.score",
    }
    assert "did you mean 'query'" in by_loc["querry"].message
    assert by_loc["query"].message.startswith("required field is missing")
    assert by_loc["count"].expected == "a number >= 1"
    assert "did you mean 'Newest'" in by_loc["sort"].message
    assert by_loc["exact"].expected == "a boolean (true or false)"
    assert "2024-01-31" in by_loc["since"].message
    assert by_loc["tags"].expected == "at most 3 items"
    assert by_loc["filter.score"].expected == "a number"
    assert_clean(result)


async def test_schema_first_lax_coercion() -> None:
    seen = Seen()
    args = {
        "query": "cats",
        "count": "7",
        "exact": "true",
        "filter": {"lang": "en", "score": "1.5"},
    }
    result = await call(args, name="search", seen=seen)
    assert result.ok, result.content
    expected = {"query": "cats", "count": 7, "exact": True, "filter": {"lang": "en", "score": 1.5}}
    assert result.value == expected
    assert seen.arguments == [expected]


async def test_schema_first_strict_refuses_strings_for_numbers() -> None:
    config = {"tools": {"search": {"validation": {"strict": True}}}}
    result = await call({"query": "cats", "count": "7"}, name="search", config=config)
    assert "send the number without quotes" in fields(result)["count"].message


async def test_schema_first_format_check_can_be_switched_off() -> None:
    config = {"plugins": {"toolhooks-validation": {"check_formats": False}}}
    assert (await call({"query": "cats", "since": "yesterday"}, name="search", config=config)).ok


async def test_compiled_validator_is_cached_per_tool() -> None:
    t = search_tool()
    async with Runtime(Config(), tools=[t], plugins=[ValidationPlugin], autoload=False) as rt:
        plugin = rt.get_plugin("toolhooks-validation")
        assert isinstance(plugin, ValidationPlugin)
        await rt.execute(ToolCall("search", '{"query": "a1"}'))
        first = plugin.validator(t)
        await rt.execute(ToolCall("search", '{"query": "b2"}'))
        assert plugin.validator(t) is first
        assert len(plugin._validators) == 1
        assert rt.summary()["toolhooks-validation"] == {"validated": 2, "refused": 0}


async def test_invalid_schema_is_an_internal_error_not_the_models_fault() -> None:
    bad = Tool.from_schema("broken", "", {"type": "object", "properties": {"a": {"type": 5}}}, dict)
    result = await call({"a": 1}, name="broken", tools=[bad])
    assert result.error is not None
    assert result.error.type == "internal_error"
    assert "not caused by your arguments" in (result.error.suggestion or "")


# -- switching it off, settings ------------------------------------------------------------


async def test_disabled_plugin_leaves_schema_first_unchecked() -> None:
    result = await call({"nope": 1}, name="search", config={"disable": ["toolhooks-validation"]})
    assert result.ok  # the core checks only that the arguments are an object


async def test_disabled_per_tool() -> None:
    config = {"tools": {"search": {"validation": {"enabled": False}}}}
    assert (await call({"nope": 1}, name="search", config=config)).ok
    assert not (await call({"nope": 1}, name="search")).ok


def test_bad_settings_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"plugins\.toolhooks-validation\.strict"):
        Runtime(
            Config({"plugins": {"toolhooks-validation": {"strict": "very"}}}),
            plugins=[ValidationPlugin],
            autoload=False,
        )
    with pytest.raises(ConfigError, match=r"tools\.search\.validation\.strikt"):
        Runtime(
            Config({"tools": {"search": {"validation": {"strikt": True}}}}),
            plugins=[ValidationPlugin],
            autoload=False,
        )


def test_entry_point_names_the_plugin_class() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == "toolhooks-validation"]
    assert ep.load() is ValidationPlugin


def test_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import json, sys, toolhooks_validation.plugin; "
        "print(json.dumps([m for m in ('jsonschema', 'referencing') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
