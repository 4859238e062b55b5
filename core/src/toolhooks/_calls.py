"""Reading tool calls out of what an OpenAI-compatible API returns, as SDK objects or plain data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolhooks._errors import ErrorInfo
from toolhooks._model import ToolCall

__all__ = ["tool_calls_from"]


def _plain(obj: Any) -> Any:
    dump = getattr(obj, "model_dump", None)  # openai SDK objects are pydantic models
    return dump(mode="json", exclude_none=True) if callable(dump) else obj


def tool_calls_from(obj: Any) -> list[ToolCall]:
    """The tool calls in *obj*, in order, one :class:`ToolCall` each.

    *obj* may be a ``ChatCompletion``, a ``ChatCompletionMessage``, its ``tool_calls`` list, a
    Responses API ``Response`` (or its ``output`` list), as SDK objects or plain dicts.
    Entries that cannot run (a ``custom`` tool call, a repeated id, a missing name) become calls
    whose ``problem`` says why, so each still gets exactly one answer.

    :raises ValueError: *obj* holds no recognisable tool calls structure (``TypeError`` when it
        is not even a mapping or a list).
    """
    data = _plain(obj)
    if isinstance(data, Mapping):
        if "choices" in data:
            choices = data["choices"]
            if not choices:
                return []
            data = _plain(choices[0]).get("message", {})
        if "tool_calls" in data:
            items = data.get("tool_calls") or []
        elif "output" in data:
            items = [i for i in data["output"] if _plain(i).get("type") == "function_call"]
        elif data.get("role") == "assistant":
            items = []
        else:
            raise ValueError(
                "expected an assistant message, a chat completion or a Responses output "
                "(no 'tool_calls', 'choices' or 'output' key)"
            )
    elif isinstance(data, list):
        items = data
    else:
        raise TypeError(f"expected tool calls, got {type(data).__name__}")

    calls: list[ToolCall] = []
    seen: set[str] = set()
    for index, raw in enumerate(items):
        call = _one(_plain(raw), index)
        if call.id in seen and call.problem is None:
            call = ToolCall(
                call.name,
                call.arguments,
                call.id,
                problem=ErrorInfo(
                    type="invalid_arguments",
                    message=f"The tool call id {call.id!r} was used twice in one message; "
                    "this call was not run.",
                    suggestion="Give every tool call in a message its own id.",
                ),
            )
        seen.add(call.id)
        calls.append(call)
    return calls


def _one(item: Any, index: int) -> ToolCall:
    if not isinstance(item, Mapping):
        return ToolCall("", None, f"call_{index}", problem=_malformed("not an object"))
    kind = item.get("type", "function")
    call_id = str(item.get("id") or item.get("call_id") or f"call_{index}")
    if kind == "function_call":  # Responses API item
        call_id = str(item.get("call_id") or item.get("id") or f"call_{index}")
        return ToolCall(str(item.get("name", "")), item.get("arguments"), call_id)
    if kind == "custom":
        custom = item.get("custom") or {}
        return ToolCall(
            str(custom.get("name", "")),
            None,
            call_id,
            problem=ErrorInfo(
                type="invalid_arguments",
                message="Custom (free-text) tool calls are not supported here; this call was "
                "not run.",
                suggestion="Call the tool as a function with JSON arguments.",
            ),
        )
    fn = item.get("function")
    if kind != "function" or not isinstance(fn, Mapping) or not fn.get("name"):
        return ToolCall(
            str((fn or {}).get("name", "")) if isinstance(fn, Mapping) else "",
            None,
            call_id,
            problem=_malformed(
                f"unsupported tool call type {kind!r}"
                if kind != "function"
                else "it has no function name"
            ),
        )
    return ToolCall(str(fn["name"]), fn.get("arguments"), call_id)


def _malformed(why: str) -> ErrorInfo:
    return ErrorInfo(
        type="invalid_arguments",
        message=f"This tool call is malformed ({why}); it was not run.",
        suggestion='Send tool calls as {"type": "function", "function": {"name", "arguments"}}.',
    )
