"""A batch answers every item in its place, even an item that is not a tool call."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from toolhooks import Runtime, ToolCall, tool

RAN: list[int] = []


@tool
def echo(n: int) -> int:
    """Return n (and note that it ran)."""
    RAN.append(n)
    return n


BAD_ITEMS = [None, 1, "x", [], b"x"]


@pytest.fixture
async def rt() -> AsyncIterator[Runtime]:
    RAN.clear()
    runtime = Runtime(tools=[echo], autoload=False)
    yield runtime
    await runtime.aclose()


def _batch(bad: Any) -> list[Any]:
    return [
        ToolCall("echo", json.dumps({"n": 1}), "a"),
        bad,
        {"id": "c", "function": {"name": "echo", "arguments": json.dumps({"n": 3})}},
    ]


def _check(results: list[Any]) -> None:
    assert len(results) == 3
    assert [r.call_id for r in results] == ["a", "call_1", "c"]
    first, middle, last = results
    assert first.ok and first.value == 1
    assert last.ok and last.value == 3
    assert not middle.ok and middle.error is not None
    assert middle.error.type == "invalid_arguments"
    assert json.loads(middle.content)["error"]["type"] == "invalid_arguments"
    assert middle.attempts == 0
    assert sorted(RAN) == [1, 3]


@pytest.mark.parametrize("bad", BAD_ITEMS, ids=repr)
async def test_execute_many_answers_an_unreadable_item_in_place(rt: Runtime, bad: Any) -> None:
    _check(await rt.execute_many(_batch(bad)))


@pytest.mark.parametrize("bad", BAD_ITEMS, ids=repr)
async def test_execute_many_sequential_answers_an_unreadable_item(rt: Runtime, bad: Any) -> None:
    _check(await rt.execute_many(_batch(bad), sequential=True))


@pytest.mark.parametrize("bad", BAD_ITEMS, ids=repr)
def test_execute_many_sync_answers_an_unreadable_item_in_place(bad: Any) -> None:
    RAN.clear()
    with Runtime(tools=[echo], autoload=False) as runtime:
        _check(runtime.execute_many_sync(_batch(bad)))


async def test_an_object_with_an_id_keeps_it(rt: Runtime) -> None:
    class NotACall:
        id = "obj-7"

    results = await rt.execute_many([NotACall(), ToolCall("echo", '{"n": 5}', "b")])
    assert [r.call_id for r in results] == ["obj-7", "b"]
    assert results[0].error is not None and results[0].error.type == "invalid_arguments"
    assert results[1].ok and results[1].value == 5


async def test_only_unreadable_items(rt: Runtime) -> None:
    results = await rt.execute_many([None, 2])
    assert [r.call_id for r in results] == ["call_0", "call_1"]
    assert all(r.error is not None and r.error.type == "invalid_arguments" for r in results)
    assert RAN == []
