"""From tool calls to tool messages, and the model <-> tools loop (chat.completions, Responses)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from toolhooks._calls import tool_calls_from
from toolhooks._errors import ErrorInfo
from toolhooks._model import ToolCall, ToolResult
from toolhooks.openai._schema import (
    StrictMode,
    normalize_arguments,
    responses_tools_param,
    tools_param,
)

if TYPE_CHECKING:
    from toolhooks._runtime import Runtime

__all__ = [
    "Event",
    "EventKind",
    "RunResult",
    "StopReason",
    "achat",
    "aresponses",
    "atool_messages",
    "atool_results",
    "chat",
    "prepare_call",
    "responses",
    "tool_messages",
    "tool_results",
]

log = logging.getLogger("toolhooks.openai")

#: Why a run ended: the model answered without tools (``"completed"``), a guard stopped it
#: (``"max_turns"``, ``"max_tool_calls"``), or the model stopped for its own reason
#: (``"length"``, ``"content_filter"``, or whatever ``finish_reason`` it gave).
StopReason = str

EventKind = Literal["turn_started", "text_delta", "tool_call", "tool_result", "finished"]


@dataclass(frozen=True, slots=True)
class Event:
    """Progress of a run, for CLIs and UIs (see the ``on_event`` parameter).

    ``turn_started`` (before each model request), ``text_delta`` (streamed text, in ``text``),
    ``tool_call`` (a call is about to run, in ``call``), ``tool_result`` (it finished, in
    ``result``), ``finished`` (the run ended; ``stop_reason`` is set).
    """

    kind: EventKind
    turn: int
    call: ToolCall | None = None
    result: ToolResult | None = None
    text: str | None = None
    stop_reason: StopReason | None = None


OnEvent = Callable[[Event], Any]


@dataclass(slots=True)
class RunResult:
    """What a :func:`chat` or :func:`responses` run produced.

    :ivar text: the final answer's text (``None`` if the model gave none).
    :ivar message: the final assistant message (chat.completions) as a dict; for the Responses
        API, the last output message item (or ``None``).
    :ivar messages: the whole transcript: the input messages (or Responses input items), then
        every assistant message and tool message, exactly as sent to the model.
    :ivar results: every call's :class:`~toolhooks.ToolResult`, in order (outcome, duration,
        attempts, cache status).
    :ivar stop_reason: see :data:`StopReason`.
    :ivar turns: how many model requests were made.
    :ivar response: the last raw SDK response (``None`` after a streamed turn).
    """

    text: str | None
    message: dict[str, Any] | None
    messages: list[dict[str, Any]]
    results: list[ToolResult] = field(default_factory=list)
    stop_reason: StopReason = "completed"
    turns: int = 0
    response: Any = None


# -- one batch of calls --------------------------------------------------------------------


def prepare_call(runtime: Runtime, call: ToolCall) -> ToolCall:
    """*call* with its arguments normalised for binding (see
    :func:`~toolhooks.openai.normalize_arguments`): the ``null`` s strict mode makes a model send
    for omitted optional parameters are dropped, so the function's defaults apply. Calls with a
    problem, unknown tools and arguments that are not a JSON object are returned unchanged (the
    pipeline reports them)."""
    if call.problem is not None:
        return call
    tool = runtime.tools.get(call.name)
    if tool is None:
        return call
    raw = call.arguments
    if isinstance(raw, str):
        if "null" not in raw:  # nothing to drop: spare the parse (the runtime parses anyway)
            return call
        try:
            parsed = json.loads(raw)
        except ValueError:
            return call
    else:
        parsed = dict(raw) if isinstance(raw, Mapping) else raw
    if not isinstance(parsed, dict) or None not in _leaves(parsed):
        return call
    normalized = normalize_arguments(tool, parsed)
    if normalized == parsed:
        return call
    return ToolCall(call.name, normalized, call.id)


def _leaves(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


class _Runner:
    """Runs the calls of one run: events, argument normalisation, the call budget."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        parallel: bool,
        scope: str | None,
        normalize: bool,
        on_event: OnEvent | None,
        max_calls_per_turn: int | None = None,
        max_calls: int | None = None,
    ) -> None:
        self.runtime = runtime
        self.parallel = parallel
        self.scope = scope
        self.normalize = normalize
        self.on_event = on_event
        self.max_calls_per_turn = max_calls_per_turn
        self.max_calls = max_calls
        self.calls_run = 0
        self.budget_hit = False
        self.turn = 0
        self.semaphore = asyncio.Semaphore(max(1, runtime.config.core.max_concurrency))

    async def emit(self, event: Event) -> None:
        if self.on_event is None:
            return
        try:
            res = self.on_event(event)
            if inspect.isawaitable(res):
                await res
        except Exception:
            log.exception("on_event callback failed (ignored)")

    def admit(self, call: ToolCall, index: int, *, last_turn: bool) -> ToolCall:
        """The call itself, or a refused stand-in when a guard stops it."""
        if call.problem is not None:
            return call
        why: str | None = None
        if last_turn:
            why = (
                "The run reached its limit of model turns, so this call was not run. "
                "Answer with what you have."
            )
        elif self.max_calls_per_turn is not None and index >= self.max_calls_per_turn:
            why = (
                f"At most {self.max_calls_per_turn} tool calls are run per turn; this one was "
                "not run. Ask for it again in your next turn if you still need it."
            )
        elif self.max_calls is not None and self.calls_run >= self.max_calls:
            self.budget_hit = True
            why = (
                f"The run's limit of {self.max_calls} tool calls is used up; this call was not "
                "run. Answer with what you have."
            )
        if why is not None:
            return ToolCall(
                call.name, call.arguments, call.id, problem=ErrorInfo(type="refused", message=why)
            )
        self.calls_run += 1
        return prepare_call(self.runtime, call) if self.normalize else call

    async def one(self, call: ToolCall) -> ToolResult:
        async with self.semaphore:
            await self.emit(Event("tool_call", self.turn, call=call))
            result = await self.runtime.execute(call, scope=self.scope)
            await self.emit(Event("tool_result", self.turn, call=call, result=result))
            return result

    def start(self, call: ToolCall, previous: asyncio.Future[ToolResult] | None) -> Any:
        """Start *call* now (in parallel mode) or after *previous* (sequential mode)."""
        if self.parallel or previous is None:
            return asyncio.ensure_future(self.one(call))

        async def after() -> ToolResult:
            await asyncio.wait([previous])
            return await self.one(call)

        return asyncio.ensure_future(after())

    async def run(self, calls: Sequence[ToolCall], *, last_turn: bool = False) -> list[ToolResult]:
        admitted = [self.admit(c, i, last_turn=last_turn) for i, c in enumerate(calls)]
        if not self.parallel:
            return [await self.one(c) for c in admitted]
        return list(await asyncio.gather(*(self.one(c) for c in admitted)))


async def atool_results(
    runtime: Runtime,
    message: Any,
    *,
    parallel: bool = True,
    scope: str | None = None,
    normalize: bool = True,
) -> list[ToolResult]:
    """Run the tool calls in *message*; one :class:`~toolhooks.ToolResult` per call, in order.

    :param message: a ``ChatCompletion``, ``ChatCompletionMessage``, its ``tool_calls``, a
        Responses ``Response`` or its ``output``: SDK objects or plain dicts.
    :param parallel: run the calls concurrently (``parallel_tool_calls=True``, the default), or
        one after another in order.
    :param scope: see :meth:`toolhooks.Runtime.execute`.
    :param normalize: drop the ``null`` s strict schemas make the model send for omitted
        optional parameters (see :func:`prepare_call`).

    Never raises for what a call does: malformed arguments, an unknown tool, a duplicate id or a
    custom tool call each get an error result.
    """
    calls = tool_calls_from(message)
    runner = _Runner(runtime, parallel=parallel, scope=scope, normalize=normalize, on_event=None)
    return await runner.run(calls)


async def atool_messages(
    runtime: Runtime,
    message: Any,
    *,
    parallel: bool = True,
    scope: str | None = None,
    normalize: bool = True,
) -> list[dict[str, str]]:
    """The tool messages answering *message*'s tool calls, one per call, in order (see
    :func:`atool_results` for the arguments)."""
    results = await atool_results(
        runtime, message, parallel=parallel, scope=scope, normalize=normalize
    )
    return [r.to_message() for r in results]


def tool_results(
    runtime: Runtime,
    message: Any,
    *,
    parallel: bool = True,
    scope: str | None = None,
    normalize: bool = True,
) -> list[ToolResult]:
    """:func:`atool_results` for programs without an event loop."""
    return runtime.run_sync(
        atool_results(runtime, message, parallel=parallel, scope=scope, normalize=normalize)
    )


def tool_messages(
    runtime: Runtime,
    message: Any,
    *,
    parallel: bool = True,
    scope: str | None = None,
    normalize: bool = True,
) -> list[dict[str, str]]:
    """:func:`atool_messages` for programs without an event loop."""
    return [
        r.to_message()
        for r in tool_results(runtime, message, parallel=parallel, scope=scope, normalize=normalize)
    ]


# -- talking to the client -----------------------------------------------------------------


def _is_async_client(client: Any) -> bool:
    try:
        import openai
    except ImportError:  # pragma: no cover - openai is a core dependency
        return False
    if isinstance(client, openai.AsyncOpenAI):
        return True
    if isinstance(client, openai.OpenAI):
        return False
    create = getattr(getattr(getattr(client, "chat", None), "completions", None), "create", None)
    return inspect.iscoroutinefunction(create)


async def _call(client_is_async: bool, method: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    if client_is_async:
        return await method(**kwargs)
    return await asyncio.to_thread(method, **kwargs)


async def _iterate(client_is_async: bool, stream: Any) -> AsyncGenerator[Any, None]:
    """Chunks of an SDK stream; a sync stream is read in a thread, so tools run meanwhile.
    Closing this iterator early closes the stream (its HTTP response)."""
    if client_is_async:
        try:
            async for chunk in stream:
                yield chunk
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                closing = close()
                if inspect.isawaitable(closing):
                    await closing
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
    stop = threading.Event()

    def pump() -> None:
        try:
            for chunk in stream:
                loop.call_soon_threadsafe(queue.put_nowait, (0, chunk))
                if stop.is_set():
                    break
        except BaseException as exc:
            loop.call_soon_threadsafe(queue.put_nowait, (2, exc))
        else:
            loop.call_soon_threadsafe(queue.put_nowait, (1, None))
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()

    threading.Thread(target=pump, name="toolhooks-openai-stream", daemon=True).start()
    try:
        while True:
            kind, item = await queue.get()
            if kind == 0:
                yield item
            elif kind == 1:
                return
            else:
                raise item
    finally:
        stop.set()


def _dump(obj: Any) -> dict[str, Any]:
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        out: dict[str, Any] = dump(exclude_none=True)
        return out
    return dict(obj)


# -- chat.completions ----------------------------------------------------------------------


@dataclass(slots=True)
class _Options:
    model: str
    tools: list[dict[str, Any]]
    max_turns: int
    tool_choice: Any
    parallel_tool_calls: bool | None
    stream: bool
    extra: dict[str, Any]

    def request(self, **payload: Any) -> dict[str, Any]:
        """The ``create()`` keywords for one turn (*payload*: ``messages`` or ``input``)."""
        kwargs: dict[str, Any] = {**self.extra, "model": self.model, **payload}
        if self.tools:
            kwargs["tools"] = self.tools
            if self.tool_choice is not None:
                kwargs["tool_choice"] = self.tool_choice
            if self.parallel_tool_calls is not None:
                kwargs["parallel_tool_calls"] = self.parallel_tool_calls
        if self.stream:
            kwargs["stream"] = True
        return kwargs


class _ChatLoop:
    def __init__(self, runtime: Runtime, client: Any, options: _Options, runner: _Runner) -> None:
        self.runtime = runtime
        self.client = client
        self.is_async = _is_async_client(client)
        self.options = options
        self.runner = runner

    async def run(self, messages: Iterable[Mapping[str, Any]]) -> RunResult:
        runner = self.runner
        transcript = [dict(m) for m in messages]
        result = RunResult(text=None, message=None, messages=transcript)
        create = self.client.chat.completions.create
        while True:
            result.turns += 1
            runner.turn = result.turns
            last_turn = result.turns >= self.options.max_turns
            await runner.emit(Event("turn_started", result.turns))
            kwargs = self.options.request(messages=list(transcript))
            if self.options.stream:
                stream = await _call(self.is_async, create, kwargs)
                assistant, finish, turn_results = await self.streamed(stream, last_turn)
                result.response = None
            else:
                completion = await _call(self.is_async, create, kwargs)
                result.response = completion
                choice = completion.choices[0]
                assistant = _dump(choice.message)
                finish = choice.finish_reason
                calls = tool_calls_from(choice.message) if assistant.get("tool_calls") else []
                for entry, c in zip(assistant.get("tool_calls") or (), calls, strict=True):
                    if not entry.get("id"):  # some compatible servers send none: ours, both sides
                        entry["id"] = c.id
                turn_results = await runner.run(calls, last_turn=last_turn) if calls else []
            transcript.append(assistant)
            result.message = assistant
            content = assistant.get("content")
            result.text = content if isinstance(content, str) else None
            if not turn_results:
                result.stop_reason = (
                    "completed" if finish in (None, "stop", "tool_calls") else str(finish)
                )
                break
            result.results.extend(turn_results)
            transcript.extend(r.to_message() for r in turn_results)
            if last_turn:
                result.stop_reason = "max_turns"
                break
            if runner.budget_hit:
                result.stop_reason = "max_tool_calls"
                break
        await runner.emit(Event("finished", result.turns, stop_reason=result.stop_reason))
        return result

    async def streamed(
        self, stream: Any, last_turn: bool
    ) -> tuple[dict[str, Any], str | None, list[ToolResult]]:
        """Read a streamed turn; each tool call starts as soon as its arguments are complete
        (when the next call begins, or the stream ends)."""
        runner = self.runner
        text: list[str] = []
        acc: dict[int, dict[str, Any]] = {}
        dispatched: list[int] = []
        tasks: list[asyncio.Future[ToolResult]] = []
        finish: str | None = None

        def dispatch_until(index: int | None) -> None:
            for i in sorted(acc):
                if i in dispatched or (index is not None and i >= index):
                    continue
                dispatched.append(i)
                parsed = tool_calls_from([acc[j] for j in dispatched])[-1]
                if not acc[i]["id"]:  # some compatible servers send none: ours, both sides
                    acc[i]["id"] = parsed.id
                call = runner.admit(parsed, len(dispatched) - 1, last_turn=last_turn)
                tasks.append(runner.start(call, tasks[-1] if tasks else None))

        try:
            async with contextlib.aclosing(_iterate(self.is_async, stream)) as chunks:
                async for chunk in chunks:
                    for choice in chunk.choices or ():
                        if choice.index != 0:
                            continue
                        delta = choice.delta
                        if delta is not None and delta.content:
                            text.append(delta.content)
                            await runner.emit(Event("text_delta", runner.turn, text=delta.content))
                        for tc in (delta.tool_calls if delta is not None else None) or ():
                            if tc.index not in acc:
                                dispatch_until(tc.index)
                                acc[tc.index] = {
                                    "id": "",
                                    "type": "function",
                                    "function": {"name": "", "arguments": ""},
                                }
                            entry = acc[tc.index]
                            if tc.id:
                                entry["id"] = tc.id
                            if tc.type:
                                entry["type"] = tc.type
                            if tc.function is not None:
                                if tc.function.name:
                                    entry["function"]["name"] += tc.function.name
                                if tc.function.arguments:
                                    entry["function"]["arguments"] += tc.function.arguments
                        if choice.finish_reason:
                            finish = choice.finish_reason
            dispatch_until(None)
            results = list(await asyncio.gather(*tasks))
        except BaseException:
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.wait(tasks)
            raise
        assistant: dict[str, Any] = {"role": "assistant"}
        if text:
            assistant["content"] = "".join(text)
        if acc:
            assistant["tool_calls"] = [acc[i] for i in sorted(acc)]
        return assistant, finish, results


def _options(
    runtime: Runtime,
    *,
    model: str,
    tools: Iterable[Any] | None,
    names: Iterable[str] | None,
    tags: Iterable[str] | None,
    strict: StrictMode,
    max_turns: int,
    tool_choice: Any,
    parallel_tool_calls: bool | None,
    stream: bool,
    extra: dict[str, Any],
    responses_api: bool,
) -> _Options:
    if max_turns < 1:
        raise ValueError("max_turns must be at least 1")
    source = runtime.tools if tools is None else tools
    build = responses_tools_param if responses_api else tools_param
    return _Options(
        model=model,
        tools=build(source, strict=strict, names=names, tags=tags),
        max_turns=max_turns,
        tool_choice=tool_choice,
        parallel_tool_calls=parallel_tool_calls,
        stream=stream,
        extra=extra,
    )


async def achat(
    runtime: Runtime,
    client: Any,
    *,
    model: str,
    messages: Iterable[Mapping[str, Any]],
    tools: Iterable[Any] | None = None,
    names: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    strict: StrictMode = "auto",
    max_turns: int = 10,
    max_tool_calls_per_turn: int | None = None,
    max_tool_calls: int | None = None,
    tool_choice: Any = None,
    parallel_tool_calls: bool | None = None,
    stream: bool = False,
    on_event: OnEvent | None = None,
    scope: str | None = None,
    normalize: bool = True,
    **create_kwargs: Any,
) -> RunResult:
    """Run the chat.completions tool loop: call the model with the tools, run its tool calls
    through the runtime, send the results back, until it answers without tools.

    :param client: an ``openai.AsyncOpenAI`` (or ``openai.OpenAI``, called in a thread).
    :param messages: the conversation so far (not modified; the transcript is in the result).
    :param tools: the tools to offer (default: all of ``runtime.tools``); ``names`` / ``tags``
        select a subset. :param strict: see :func:`~toolhooks.openai.tools_param`.
    :param max_turns: model requests at most; when the last one still asks for tools, its calls
        are answered with a ``refused`` error (not run) and the run stops with ``"max_turns"``.
    :param max_tool_calls_per_turn: calls run per turn at most; the excess calls are answered
        with a ``refused`` error and the run continues.
    :param max_tool_calls: calls run in the whole run at most; the excess calls are answered
        with a ``refused`` error and the run stops with ``"max_tool_calls"``.
    :param tool_choice: passed through. :param parallel_tool_calls: passed through; ``False``
        also runs the calls one after another, in order.
    :param stream: stream the turns; each tool call starts as soon as its arguments are
        complete, while the rest of the response is still arriving.
    :param on_event: called with every :class:`Event` (may be async).
    :param scope: see :meth:`toolhooks.Runtime.execute`.
    :param create_kwargs: passed to ``chat.completions.create`` unchanged (``temperature``, ...).

    Errors from the API (``openai.APIError`` and its subclasses) propagate; the SDK's own
    ``max_retries`` handles retrying requests, the retry plugin retries tools.
    """
    options = _options(
        runtime,
        model=model,
        tools=tools,
        names=names,
        tags=tags,
        strict=strict,
        max_turns=max_turns,
        tool_choice=tool_choice,
        parallel_tool_calls=parallel_tool_calls,
        stream=stream,
        extra=create_kwargs,
        responses_api=False,
    )
    runner = _Runner(
        runtime,
        parallel=parallel_tool_calls is not False,
        scope=scope,
        normalize=normalize,
        on_event=on_event,
        max_calls_per_turn=max_tool_calls_per_turn,
        max_calls=max_tool_calls,
    )
    return await _ChatLoop(runtime, client, options, runner).run(messages)


def chat(
    runtime: Runtime,
    client: Any,
    *,
    model: str,
    messages: Iterable[Mapping[str, Any]],
    **options: Any,
) -> RunResult:
    """:func:`achat` for programs without an event loop (same arguments; a sync ``openai.OpenAI``
    client is called in a thread, tools run on the runtime's loop, ``on_event`` is called there).
    """
    return runtime.run_sync(achat(runtime, client, model=model, messages=messages, **options))


# -- Responses API -------------------------------------------------------------------------


async def aresponses(
    runtime: Runtime,
    client: Any,
    *,
    model: str,
    input: str | Iterable[Mapping[str, Any]],
    tools: Iterable[Any] | None = None,
    names: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    strict: StrictMode = "auto",
    max_turns: int = 10,
    max_tool_calls_per_turn: int | None = None,
    max_tool_calls: int | None = None,
    tool_choice: Any = None,
    parallel_tool_calls: bool | None = None,
    on_event: OnEvent | None = None,
    scope: str | None = None,
    normalize: bool = True,
    **create_kwargs: Any,
) -> RunResult:
    """The same loop as :func:`achat` over the Responses API: ``function_call`` output items are
    run and answered with ``function_call_output`` items. The conversation is replayed as input
    items each turn (stateless; works with ``store=False``). Not streamed.

    ``RunResult.messages`` holds the input items; ``RunResult.text`` is ``output_text``.
    """
    options = _options(
        runtime,
        model=model,
        tools=tools,
        names=names,
        tags=tags,
        strict=strict,
        max_turns=max_turns,
        tool_choice=tool_choice,
        parallel_tool_calls=parallel_tool_calls,
        stream=False,
        extra=create_kwargs,
        responses_api=True,
    )
    runner = _Runner(
        runtime,
        parallel=parallel_tool_calls is not False,
        scope=scope,
        normalize=normalize,
        on_event=on_event,
        max_calls_per_turn=max_tool_calls_per_turn,
        max_calls=max_tool_calls,
    )
    items: list[dict[str, Any]] = (
        [{"role": "user", "content": input}] if isinstance(input, str) else [dict(i) for i in input]
    )
    result = RunResult(text=None, message=None, messages=items)
    is_async = _is_async_client(client)
    create = client.responses.create
    while True:
        result.turns += 1
        runner.turn = result.turns
        last_turn = result.turns >= max_turns
        await runner.emit(Event("turn_started", result.turns))
        response = await _call(is_async, create, options.request(input=list(items)))
        result.response = response
        output = [_dump(i) for i in response.output or ()]
        items.extend(output)
        messages = [i for i in output if i.get("type") == "message"]
        result.message = messages[-1] if messages else None
        result.text = getattr(response, "output_text", None) or None
        calls = tool_calls_from(response)
        if not calls:
            details = getattr(response, "incomplete_details", None)
            reason = getattr(details, "reason", None)
            result.stop_reason = "completed" if reason is None else str(reason)
            break
        turn_results = await runner.run(calls, last_turn=last_turn)
        result.results.extend(turn_results)
        items.extend(r.to_responses_item() for r in turn_results)
        if last_turn:
            result.stop_reason = "max_turns"
            break
        if runner.budget_hit:
            result.stop_reason = "max_tool_calls"
            break
    await runner.emit(Event("finished", result.turns, stop_reason=result.stop_reason))
    return result


def responses(
    runtime: Runtime,
    client: Any,
    *,
    model: str,
    input: str | Iterable[Mapping[str, Any]],
    **options: Any,
) -> RunResult:
    """:func:`aresponses` for programs without an event loop."""
    return runtime.run_sync(aresponses(runtime, client, model=model, input=input, **options))
