"""@tool and Tool.from_schema: names, descriptions and schemas."""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field
from toolhooks import InvalidArguments, Runtime, Tool, ToolCall, check_tool_name, tool


def google(city: str, days: int = 1) -> str:
    """Get the forecast.

    Longer explanation.

    Args:
        city: The city name.
        days: How many days, from 1.
    """
    return city


def numpy_style(city: str) -> str:
    """Get the forecast.

    Parameters
    ----------
    city : str
        The city name.
    """
    return city


def rest_style(city: str) -> str:
    """Get the forecast.

    :param city: The city name.
    """
    return city


@pytest.mark.parametrize("fn", [google, numpy_style, rest_style])
def test_descriptions_from_docstrings(fn: Any) -> None:
    t = tool(fn)
    assert t.description.startswith("Get the forecast.")
    assert t.parameters["properties"]["city"]["description"] == "The city name."
    assert t.parameters["required"] == ["city"]


def test_google_long_description_and_defaults() -> None:
    t = tool(google)
    assert t.description == "Get the forecast.\n\nLonger explanation."
    assert t.parameters["properties"]["days"] == {
        "type": "integer",
        "default": 1,
        "description": "How many days, from 1.",
    }
    assert t.parameters["additionalProperties"] is False


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    number: int | None = None


def rich(
    color: Color,
    mode: Literal["fast", "slow"],
    count: Annotated[int, Field(ge=1, le=10, description="How many.")],
    address: Address,
    note: str | None = None,
) -> None:
    """Rich types."""


def test_schema_from_rich_signature() -> None:
    params = tool(rich).parameters
    props = params["properties"]
    assert params["$defs"]["Color"] == {"enum": ["red", "blue"], "type": "string"}
    assert props["mode"] == {"enum": ["fast", "slow"], "type": "string"}
    assert props["count"] == {
        "description": "How many.",
        "maximum": 10,
        "minimum": 1,
        "type": "integer",
    }
    assert props["address"] == {"$ref": "#/$defs/Address"}
    assert params["$defs"]["Address"]["required"] == ["street"]
    assert props["note"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert set(params["required"]) == {"color", "mode", "count", "address"}
    assert "title" not in str(params)


def test_a_property_named_title_survives() -> None:
    def book(title: str) -> str:
        """A book."""
        return title

    assert "title" in tool(book).parameters["properties"]


class Order(BaseModel):
    """An order."""

    item: str
    qty: int = 1


async def test_single_model_parameter_takes_the_model_schema() -> None:
    seen: list[Order] = []

    @tool
    async def place(order: Order) -> int:
        """Place an order."""
        seen.append(order)
        return order.qty

    assert place.parameters["properties"].keys() == {"item", "qty"}
    async with Runtime(tools=[place], autoload=False) as rt:
        result = await rt.execute(ToolCall("place", '{"item": "tea", "qty": "3"}', "c"))
    assert result.value == 3 and seen == [Order(item="tea", qty=3)]


def test_bind_lax_and_strict() -> None:
    t = tool(google)
    assert t.bind({"city": "Oslo", "days": "2"}) == ((), {"city": "Oslo", "days": 2})
    with pytest.raises(InvalidArguments) as info:
        t.bind({"city": "Oslo", "days": "2"}, strict=True)
    assert [f.loc for f in info.value.fields] == ["days"]


def test_options_are_kept() -> None:
    t = tool(
        name="forecast",
        description="Custom.",
        timeout=3,
        side_effects=True,
        idempotent=True,
        max_concurrency=2,
        tags=["weather"],
    )(google)
    assert (t.name, t.description, t.timeout, t.side_effects, t.idempotent) == (
        "forecast",
        "Custom.",
        3,
        True,
        True,
    )
    assert t.max_concurrency == 2 and t.tags == frozenset({"weather"})
    assert t.fn is google


@pytest.mark.parametrize("name", ["get.weather", "", "a" * 65, "with space", "émoji"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid tool name"):
        check_tool_name(name)
    with pytest.raises(ValueError, match="invalid tool name"):
        tool(name=name)(google)


def test_varargs_cannot_be_described() -> None:
    def bad(*args: int) -> None:
        """Bad."""

    with pytest.raises(TypeError, match=r"\*args"):
        tool(bad)


def test_schema_hash_follows_the_schema() -> None:
    def v1(a: int) -> None:
        """V."""

    def v2(a: str) -> None:
        """V."""

    assert tool(name="v")(v1).schema_hash == tool(name="v")(v1).schema_hash
    assert tool(name="v")(v1).schema_hash != tool(name="v")(v2).schema_hash


async def test_from_schema_passes_a_dict_and_checks_the_root_type() -> None:
    received: list[dict[str, Any]] = []

    async def handler(arguments: dict[str, Any]) -> str:
        received.append(arguments)
        return "ok"

    t = Tool.from_schema(
        "raw-tool",
        "Raw.",
        {"type": "object", "properties": {"weird key": {"type": "string"}}},
        handler,
        side_effects=True,
    )
    assert t.schema_first and t.arguments_model is None and t.side_effects
    async with Runtime(tools=[t], autoload=False) as rt:
        result = await rt.execute(ToolCall("raw-tool", '{"weird key": "x"}', "c"))
    assert result.content == "ok" and received == [{"weird key": "x"}]
    with pytest.raises(ValueError, match="type 'object'"):
        Tool.from_schema("x", "X.", {"type": "array"}, handler)


async def test_lazy_import_target() -> None:
    t = Tool.from_schema("dumps", "JSON.", {"type": "object"}, "json:dumps")
    assert t.fn == "json:dumps"
    async with Runtime(tools=[t], autoload=False) as rt:
        result = await rt.execute(ToolCall("dumps", '{"a": 1}', "c"))
    assert result.value == '{"a": 1}'
    bad = Tool.from_schema("bad", "Bad.", {"type": "object"}, "json")
    async with Runtime(tools=[bad], autoload=False) as rt:
        failed = await rt.execute(ToolCall("bad", "{}", "c"))
    assert failed.error is not None and failed.error.type == "tool_error"


def test_async_detection() -> None:
    async def a() -> None:
        """A."""
        await asyncio.sleep(0)

    assert tool(a).is_async and not tool(google).is_async


class Node(BaseModel):
    """A tree node."""

    name: str
    children: list[Node] = []


def test_recursive_model_parameter_has_an_object_root() -> None:
    def walk(tree: Node) -> int:
        """Count nodes."""
        return 1

    params = tool(walk).parameters
    assert params["type"] == "object" and "$ref" not in params
    assert set(params["properties"]) == {"name", "children"}
    assert params["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert "Node" in params["$defs"]


def test_canonical_arguments_fill_defaults_and_coerce() -> None:
    t = tool(google)
    assert t.canonical_arguments(t.bind({"city": "Oslo"})) == {"city": "Oslo", "days": 1}
    assert t.canonical_arguments(t.bind({"city": "Oslo", "days": "1"})) == {
        "city": "Oslo",
        "days": 1,
    }

    def place(order: Order) -> None:
        """Place."""

    p = tool(place)
    assert p.canonical_arguments(p.bind({"item": "tea"})) == {"item": "tea", "qty": 1}
    raw = Tool.from_schema("raw", "Raw.", {"type": "object"}, None)
    assert raw.canonical_arguments({"x": 1}) == {"x": 1}


def test_wrapped_docstring_paragraphs_are_joined_lists_kept() -> None:
    def report(x: int) -> None:
        """Summarise the sales of one
        quarter for the board.

        Columns returned:
        - revenue
        - margin

        Args:
            x: The quarter,
                from 1 to 4.
        """

    t = tool(report)
    assert t.description == (
        "Summarise the sales of one quarter for the board.\n\nColumns returned:\n- revenue\n- margin"
    )
    assert t.parameters["properties"]["x"]["description"] == "The quarter, from 1 to 4."
