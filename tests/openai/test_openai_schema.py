"""Strict schemas: conversion, fallback, caching, selection, and agreement with the SDK."""

from __future__ import annotations

import enum
import logging
from typing import Annotated, Any, Literal

import openai
import pytest
import toolhooks
from pydantic import BaseModel, Field
from toolhooks import Tool
from toolhooks.openai import (
    normalize_arguments,
    responses_tools_param,
    strict_schema,
    tools_param,
)


def _norm(schema: Any) -> Any:
    """What the model may send: annotations dropped, required order ignored."""
    if isinstance(schema, dict):
        out = {
            k: _norm(v) for k, v in schema.items() if k not in ("title", "description", "default")
        }
        if "required" in out:
            out["required"] = sorted(out["required"])
        return out
    if isinstance(schema, list):
        return [_norm(v) for v in schema]
    return schema


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    zip: str | None = None


class Person(BaseModel):
    """A person."""

    name: Annotated[str, Field(description="full name")]
    age: int | None = None
    color: Color
    kind: Literal["a", "b"]
    home: Address
    other: Annotated[Address, Field(description="a second address")]
    tags: list[str]
    scores: list[float] | None = None
    past: list[Address]


class Tree(BaseModel):
    value: int
    children: list[Tree]


@pytest.mark.parametrize("model", [Person, Address, Tree])
def test_strict_schema_agrees_with_pydantic_function_tool(model: type[BaseModel]) -> None:
    def fn(arg: Any) -> None:
        return None

    fn.__annotations__ = {"arg": model, "return": None}
    ours = tools_param([toolhooks.tool(name="t")(fn)], strict=True)[0]["function"]
    theirs = openai.pydantic_function_tool(model)["function"]
    assert ours["strict"] is True
    assert theirs["strict"] is True
    assert _norm(ours["parameters"]) == _norm(theirs["parameters"])


def test_optional_with_default_becomes_nullable_and_notes_the_default() -> None:
    @toolhooks.tool
    def forecast(city: str, days: int = 3, unit: Literal["c", "f"] = "c") -> str:
        """Forecast.

        Args:
            city: the city
            days: how many days
        """
        return city

    fn = tools_param([forecast], strict=True)[0]["function"]
    params = fn["parameters"]
    assert fn["strict"] is True
    assert params["additionalProperties"] is False
    assert params["required"] == ["city", "days", "unit"]
    assert params["properties"]["city"] == {"type": "string", "description": "the city"}
    days = params["properties"]["days"]
    assert days["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    assert "default" not in str(days["anyOf"])
    assert days["description"].startswith("how many days")
    assert "default: 3" in days["description"]
    unit = params["properties"]["unit"]
    assert unit["anyOf"][1] == {"type": "null"}
    assert "default" not in unit["anyOf"][0]


def test_ref_with_siblings_is_inlined_and_defs_kept() -> None:
    params = Tool.from_schema(
        "t",
        "",
        {
            "type": "object",
            "properties": {
                "a": {"$ref": "#/$defs/A", "description": "first"},
                "b": {"$ref": "#/$defs/A"},
            },
            "required": ["a", "b"],
            "$defs": {"A": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        },
        None,
    )
    out = strict_schema(params)
    assert out.strict, out.reason
    a = out.parameters["properties"]["a"]
    assert a["description"] == "first"
    assert a["type"] == "object"
    assert a["additionalProperties"] is False
    assert a["required"] == ["x"]
    assert a["properties"]["x"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert out.parameters["properties"]["b"] == {"$ref": "#/$defs/A"}
    assert out.parameters["$defs"]["A"]["additionalProperties"] is False


def test_narrowing_keywords_are_dropped_and_supported_ones_kept() -> None:
    t = Tool.from_schema(
        "t",
        "",
        {
            "type": "object",
            "properties": {
                "s": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^a"},
                "n": {"type": "integer", "minimum": 1, "maximum": 9, "title": "N"},
                "f": {"type": "string", "format": "email"},
                "g": {"type": "string", "format": "binary"},
                "u": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "required": ["s", "n", "f", "g", "u"],
        },
        None,
    )
    p = strict_schema(t).parameters["properties"]
    assert p["s"] == {"type": "string", "pattern": "^a"}
    assert p["n"] == {"type": "integer", "minimum": 1, "maximum": 9}
    assert p["f"] == {"type": "string", "format": "email"}
    assert p["g"] == {"type": "string"}
    assert p["u"] == {"anyOf": [{"type": "string"}, {"type": "integer"}]}


@pytest.mark.parametrize(
    ("prop", "reason"),
    [
        ({"type": "object", "additionalProperties": {"type": "integer"}}, "free-form"),
        ({"type": "object", "additionalProperties": True}, "free-form"),
        ({"allOf": [{"type": "string"}, {"minLength": 1}]}, "allOf"),
        ({"not": {"type": "string"}}, "'not'"),
        ({"type": "object", "patternProperties": {"^x": {}}}, "patternProperties"),
        ({"if": {"type": "string"}, "then": {"type": "string"}}, "'if'"),
        ({}, "any type"),
        ({"type": "array"}, "items"),
    ],
)
def test_schemas_strict_mode_cannot_express_fall_back(
    prop: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    t = Tool.from_schema(
        f"t{abs(hash(str(prop))) % 10**8}",
        "",
        {"type": "object", "properties": {"p": prop}, "required": ["p"]},
        None,
    )
    with caplog.at_level(logging.INFO, logger="toolhooks.openai"):
        fn = tools_param([t], strict=True)[0]["function"]
        tools_param([t], strict=True)
    assert fn["strict"] is False
    assert fn["parameters"] == t.parameters  # unchanged
    assert reason in (strict_schema(t).reason or "")
    records = [r for r in caplog.records if t.name in r.getMessage()]
    assert len(records) == 1  # logged once per tool
    assert records[0].levelno == logging.WARNING


def test_one_tool_falling_back_leaves_the_others_strict() -> None:
    @toolhooks.tool
    def free(data: dict[str, int]) -> int:
        return len(data)

    @toolhooks.tool
    def fine(x: int) -> int:
        return x

    out = {f["function"]["name"]: f["function"]["strict"] for f in tools_param([free, fine])}
    assert out == {"free": False, "fine": True}


def test_auto_logs_fallback_at_info(caplog: pytest.LogCaptureFixture) -> None:
    @toolhooks.tool
    def free_auto(data: dict[str, int]) -> int:
        return len(data)

    with caplog.at_level(logging.INFO, logger="toolhooks.openai"):
        tools_param([free_auto], strict="auto")
    (record,) = [r for r in caplog.records if "free_auto" in r.getMessage()]
    assert record.levelno == logging.INFO


def test_non_strict_sends_the_schema_as_is() -> None:
    @toolhooks.tool
    def f(x: int = 1) -> int:
        return x

    fn = tools_param([f], strict=False)[0]["function"]
    assert fn == {"name": "f", "description": "", "parameters": f.parameters, "strict": False}


def test_conversion_is_cached_per_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolhooks.openai import _schema

    @toolhooks.tool
    def cached_tool(x: int) -> int:
        return x

    first = strict_schema(cached_tool)
    calls = []
    real = _schema._Converter.root

    def counting(self: Any) -> Any:
        calls.append(1)
        return real(self)

    monkeypatch.setattr(_schema._Converter, "root", counting)
    for _ in range(3):
        tools_param([cached_tool], strict=True)
    assert strict_schema(cached_tool) is first
    assert calls == []


def test_select_by_name_and_tag() -> None:
    a = Tool.from_schema("a", "", {"type": "object", "properties": {}}, None, tags=["math"])
    b = Tool.from_schema("b", "", {"type": "object", "properties": {}}, None, tags=["web"])
    c = Tool.from_schema("c", "", {"type": "object", "properties": {}}, None)
    names = lambda out: [f["function"]["name"] for f in out]  # noqa: E731
    assert names(tools_param([a, b, c])) == ["a", "b", "c"]
    assert names(tools_param([a, b, c], names=["c"])) == ["c"]
    assert names(tools_param([a, b, c], tags=["web"])) == ["b"]
    assert names(tools_param({"a": a, "b": b, "c": c}, names=["a"], tags=["web"])) == ["a", "b"]
    with pytest.raises(KeyError, match="nope"):
        tools_param([a], names=["nope"])


def test_responses_form_is_flat() -> None:
    t = Tool.from_schema("flat", "d", {"type": "object", "properties": {}}, None)
    (entry,) = responses_tools_param([t])
    assert entry == {
        "type": "function",
        "name": "flat",
        "description": "d",
        "parameters": {
            "type": "object",
            "properties": {},
            "required": [],
            "additionalProperties": False,
        },
        "strict": True,
    }


def test_tool_names_are_checked() -> None:
    t = Tool.from_schema("ok", "", {"type": "object"}, None)
    t.name = "get.weather"  # a tool object altered after construction
    with pytest.raises(ValueError, match="invalid tool name"):
        tools_param([t])


# -- null normalisation --------------------------------------------------------------------


class Item(BaseModel):
    sku: str
    qty: int = 1
    note: str | None = None


def test_normalize_drops_nulls_the_original_schema_does_not_allow() -> None:
    @toolhooks.tool
    def order(items: list[Item], express: bool = False, coupon: str | None = None) -> Any:
        return None

    got = normalize_arguments(
        order,
        {
            "items": [{"sku": "a", "qty": None, "note": None}],
            "express": None,
            "coupon": None,
        },
    )
    assert got == {"items": [{"sku": "a", "note": None}], "coupon": None}


def test_normalize_keeps_required_nulls_for_validation_to_report() -> None:
    @toolhooks.tool
    def f(x: int, y: int = 2) -> int:
        return x + y

    assert normalize_arguments(f, {"x": None, "y": None}) == {"x": None}
    with pytest.raises(toolhooks.InvalidArguments):
        f.bind({"x": None})


def test_strict_payload_binds_to_function_defaults() -> None:
    @toolhooks.tool
    def forecast(city: str, days: int = 3) -> str:
        return f"{city}:{days}"

    strict_payload = {"city": "Paris", "days": None}
    with pytest.raises(toolhooks.InvalidArguments):
        forecast.bind(strict_payload)  # without normalisation, null fails
    args, kwargs = forecast.bind(normalize_arguments(forecast, strict_payload))
    assert forecast.fn(*args, **kwargs) == "Paris:3"
