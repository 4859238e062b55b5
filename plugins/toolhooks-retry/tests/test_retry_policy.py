"""toolhooks-retry through a real runtime: classification, waits, deadline, side effects, config."""

from __future__ import annotations

import email.utils
import errno
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import entry_points
from typing import Any

import httpx2
import pytest
import stamina
from toolhooks import (
    CallContext,
    Config,
    ConfigError,
    InvalidArguments,
    RateLimited,
    Refused,
    Runtime,
    ToolCall,
    ToolError,
    ToolResult,
    ToolTimeout,
    TransientError,
    hookimpl,
    tool,
)
from toolhooks_retry import (
    EffectiveRetrySettings,
    RetryPlugin,
    StaminaRetryPolicy,
    classify,
    parse_retry_after,
)

SECRET = "token=sk-very-secret"


@pytest.fixture(autouse=True)
def _instant_waits() -> Iterator[None]:
    # stamina's testing mode: no real sleeps; cap=True keeps each policy's own attempts
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


class Observer:
    """A small observer plugin: records every retry the policy announces."""

    toolhooks_plugin_name = "retry-observer"

    def __init__(self) -> None:
        self.retries: list[tuple[str, int, str, float]] = []

    @hookimpl
    def toolhooks_call_retrying(
        self, ctx: CallContext, error: BaseException, wait_s: float
    ) -> None:
        assert ctx.tool is not None
        self.retries.append((ctx.tool.name, ctx.attempt, type(error).__name__, wait_s))


class Flaky:
    """A tool body that raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def always(error_factory: Any, n: int = 50) -> Flaky:
    return Flaky(*(error_factory() for _ in range(n)))


def make_tool(body: Flaky, name: str = "flaky", **options: Any) -> Any:
    async def flaky() -> str:
        return await body()

    return tool(name=name, **options)(flaky)


def http_error(status: int, headers: dict[str, str] | None = None) -> httpx2.HTTPStatusError:
    request = httpx2.Request("GET", "http://127.0.0.1/x?" + SECRET)
    response = httpx2.Response(status, headers=headers or {}, request=request)
    return httpx2.HTTPStatusError(f"HTTP {status} for {SECRET}", request=request, response=response)


class StatusCodeError(Exception):
    """Like an SDK's API error: a plain ``status_code`` attribute."""

    def __init__(self, status_code: int) -> None:
        super().__init__(SECRET)
        self.status_code = status_code


class StatusError(Exception):
    """Like aiohttp's ClientResponseError: a plain ``status`` attribute and ``headers``."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(SECRET)
        self.status = status
        self.headers = headers or {}


async def run(
    tools: list[Any],
    *calls: str,
    config: dict[str, Any] | None = None,
    observer: Observer | None = None,
) -> list[ToolResult]:
    plugins: list[object] = [RetryPlugin]
    if observer is not None:
        plugins.append(observer)
    async with Runtime(Config(config or {}), tools=tools, plugins=plugins, autoload=False) as rt:
        return [await rt.execute(ToolCall(name, "{}", id=f"c{i}")) for i, name in enumerate(calls)]


# -- what is retried -------------------------------------------------------------------------

TRANSIENT = [
    pytest.param(lambda: ToolTimeout("slow", retryable=True), "ToolTimeout", id="ToolTimeout"),
    pytest.param(lambda: TimeoutError(SECRET), "TimeoutError", id="TimeoutError"),
    pytest.param(lambda: ConnectionResetError(SECRET), "ConnectionResetError", id="reset"),
    pytest.param(lambda: ConnectionRefusedError(SECRET), "ConnectionRefusedError", id="refused"),
    pytest.param(lambda: OSError(errno.ENETUNREACH, SECRET), "OSError", id="oserror-unreachable"),
    pytest.param(lambda: httpx2.ConnectError(SECRET), "ConnectError", id="httpx2-connect"),
    pytest.param(lambda: httpx2.ReadTimeout(SECRET), "ReadTimeout", id="httpx2-read-timeout"),
    pytest.param(lambda: httpx2.RemoteProtocolError(SECRET), "RemoteProtocolError", id="dropped"),
    *(
        pytest.param(lambda s=s: http_error(s), "HTTPStatusError", id=f"httpx2-{s}")
        for s in (408, 429, 500, 502, 503, 504)
    ),
    pytest.param(lambda: StatusCodeError(503), "StatusCodeError", id="status_code-503"),
    pytest.param(lambda: StatusError(502), "StatusError", id="status-502"),
    pytest.param(lambda: TransientError("upstream hiccup"), "TransientError", id="TransientError"),
    pytest.param(lambda: RateLimited("slow down"), "RateLimited", id="RateLimited"),
    pytest.param(
        lambda: ToolError("flaky backend", retryable=True), "ToolError", id="retryable-ToolError"
    ),
]


@pytest.mark.parametrize(("make_error", "kind"), TRANSIENT)
async def test_transient_failure_is_retried_and_recovers(make_error: Any, kind: str) -> None:
    body = Flaky(make_error())
    observer = Observer()
    (result,) = await run([make_tool(body)], "flaky", observer=observer)
    assert result.ok, result.content
    assert result.value == "ok"
    assert result.attempts == 2
    assert body.calls == 2
    assert [(t, a, k) for t, a, k, _ in observer.retries] == [("flaky", 1, kind)]


PERMANENT = [
    pytest.param(lambda: InvalidArguments("bad"), "invalid_arguments", id="InvalidArguments"),
    pytest.param(lambda: Refused("no"), "refused", id="Refused"),
    pytest.param(lambda: ToolError("nope"), "tool_error", id="ToolError"),
    pytest.param(lambda: ValueError(SECRET), "tool_error", id="ValueError"),
    pytest.param(lambda: KeyError(SECRET), "tool_error", id="KeyError"),
    pytest.param(lambda: FileNotFoundError(errno.ENOENT, SECRET), "tool_error", id="ENOENT"),
    pytest.param(lambda: PermissionError(SECRET), "tool_error", id="PermissionError"),
    *(
        pytest.param(lambda s=s: http_error(s), "tool_error", id=f"httpx2-{s}")
        for s in (400, 401, 403, 404, 409, 422)
    ),
    pytest.param(lambda: StatusCodeError(404), "tool_error", id="status_code-404"),
    pytest.param(lambda: httpx2.InvalidURL(SECRET), "tool_error", id="httpx2-InvalidURL"),
]


@pytest.mark.parametrize(("make_error", "error_type"), PERMANENT)
async def test_permanent_failure_is_not_retried(make_error: Any, error_type: str) -> None:
    body = always(make_error)
    observer = Observer()
    (result,) = await run([make_tool(body)], "flaky", observer=observer)
    assert result.error is not None
    assert result.error.type == error_type
    assert result.attempts == 1
    assert body.calls == 1
    assert observer.retries == []
    assert SECRET not in result.content


# -- exhaustion --------------------------------------------------------------------------------


async def test_exhaustion_reports_attempts_and_last_kind_never_the_text() -> None:
    body = always(lambda: http_error(503))
    observer = Observer()
    (result,) = await run([make_tool(body)], "flaky", observer=observer)
    assert result.error is not None
    assert result.error.type == "transient"
    assert result.error.retryable is True
    assert "3 attempts" in result.error.message
    assert "HTTP 503" in result.error.message
    assert SECRET not in result.content
    assert "127.0.0.1" not in result.content
    assert result.attempts == 3
    assert body.calls == 3
    assert [a for _, a, _, _ in observer.retries] == [1, 2]


async def test_exhaustion_chains_the_original_error() -> None:
    original = ConnectionResetError(SECRET)
    body = always(lambda: original)
    t = make_tool(body)
    settings = EffectiveRetrySettings(attempts=2, wait_jitter=0)
    policy = StaminaRetryPolicy(t, settings)
    async with Runtime(Config(), tools=[t], autoload=False) as rt:
        ctx = CallContext(rt, ToolCall("flaky"), None)
        ctx.tool = t
        with pytest.raises(TransientError) as info:
            await policy.run(ctx, body)
    assert info.value.__cause__ is original
    assert "2 attempts" in info.value.message
    assert "ConnectionResetError" in info.value.message
    assert SECRET not in str(info.value)


async def test_a_permanent_error_after_a_transient_one_passes_through_unchanged() -> None:
    body = always(lambda: ValueError(SECRET))
    body.errors.insert(0, TimeoutError())
    t = make_tool(body)
    policy = StaminaRetryPolicy(t, EffectiveRetrySettings(attempts=5, wait_jitter=0))
    async with Runtime(Config(), tools=[t], autoload=False) as rt:
        ctx = CallContext(rt, ToolCall("flaky"), None)
        ctx.tool = t
        with pytest.raises(ValueError, match="secret"):
            await policy.run(ctx, body)
    assert body.calls == 2


# -- waits: backoff and Retry-After -------------------------------------------------------------


async def test_exponential_backoff_within_wait_max() -> None:
    body = always(TimeoutError)
    observer = Observer()
    config = {
        "plugins": {
            "toolhooks-retry": {
                "attempts": 6,
                "wait_initial": 0.5,
                "wait_max": 3,
                "wait_jitter": 0,
            }
        }
    }
    await run([make_tool(body)], "flaky", config=config, observer=observer)
    assert [w for *_, w in observer.retries] == [0.5, 1.0, 2.0, 3.0, 3.0]


async def test_jitter_stays_within_its_bound() -> None:
    body = always(TimeoutError)
    observer = Observer()
    config = {
        "plugins": {
            "toolhooks-retry": {"attempts": 8, "wait_initial": 1, "wait_max": 100, "wait_jitter": 2}
        }
    }
    await run([make_tool(body)], "flaky", config=config, observer=observer)
    waits = [w for *_, w in observer.retries]
    assert len(waits) == 7
    for n, wait in enumerate(waits, start=1):
        assert 2 ** (n - 1) <= wait <= 2 ** (n - 1) + 2


@pytest.mark.parametrize(
    ("make_error", "expected"),
    [
        pytest.param(lambda: RateLimited("busy", retry_after_s=2.5), 2.5, id="ToolError"),
        pytest.param(lambda: http_error(503, {"Retry-After": "7"}), 7.0, id="header-seconds"),
        pytest.param(lambda: http_error(429, {"retry-after": "0"}), 0.0, id="header-zero"),
        pytest.param(lambda: StatusError(503, {"Retry-After": "4"}), 4.0, id="status-headers"),
        pytest.param(
            lambda: _chained(http_error(503, {"Retry-After": "3"})),
            3.0,
            id="chained-cause",
        ),
    ],
)
async def test_retry_after_seconds_is_the_wait(make_error: Any, expected: float) -> None:
    body = Flaky(make_error())
    observer = Observer()
    (result,) = await run([make_tool(body)], "flaky", observer=observer)
    assert result.ok
    assert [w for *_, w in observer.retries] == [expected]


def _chained(cause: BaseException) -> TransientError:
    try:
        raise TransientError("the upstream service is unavailable") from cause
    except TransientError as exc:
        return exc


async def test_retry_after_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    body = Flaky(http_error(503, {"Retry-After": when}))
    observer = Observer()
    (result,) = await run([make_tool(body)], "flaky", observer=observer)
    assert result.ok
    ((_, _, _, wait),) = observer.retries
    assert 25 <= wait <= 31  # HTTP dates have one-second resolution


async def test_retry_after_http_date_in_the_past_means_now() -> None:
    when = email.utils.formatdate(time.time() - 3600, usegmt=True)
    body = Flaky(http_error(429, {"Retry-After": when}))
    observer = Observer()
    await run([make_tool(body)], "flaky", observer=observer)
    assert [w for *_, w in observer.retries] == [0.0]


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(3) == 3.0
    assert parse_retry_after("-1") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00", now=0) is None  # no zone


# -- deadline ---------------------------------------------------------------------------------


async def test_retry_after_past_the_call_deadline_gives_up_without_waiting() -> None:
    body = always(lambda: RateLimited("busy", retry_after_s=10))
    observer = Observer()
    config = {"tools": {"*": {"deadline": 5}}}
    (result,) = await run([make_tool(body)], "flaky", config=config, observer=observer)
    assert result.error is not None
    assert result.error.type == "transient"
    assert "deadline" in result.error.message
    assert "1 attempt" in result.error.message
    assert result.error.retry_after_s == 10
    assert observer.retries == []
    assert body.calls == 1


async def test_retry_deadline_setting_caps_the_waits() -> None:
    body = always(lambda: http_error(503, {"Retry-After": "2"}))
    observer = Observer()
    config = {
        "tools": {"*": {"deadline": None}},
        "plugins": {"toolhooks-retry": {"deadline": 1, "attempts": 5}},
    }
    (result,) = await run([make_tool(body)], "flaky", config=config, observer=observer)
    assert result.error is not None
    assert "deadline" in result.error.message
    assert observer.retries == []


async def test_retry_after_longer_than_max_retry_after_gives_up() -> None:
    body = always(lambda: RateLimited("busy", retry_after_s=600))
    config = {"tools": {"*": {"deadline": None}}}
    (result,) = await run([make_tool(body)], "flaky", config=config)
    assert result.error is not None
    assert result.error.type == "transient"
    assert "600 s" in result.error.message
    assert result.error.retry_after_s == 600
    assert body.calls == 1


async def test_attempt_timeout_retried_until_attempts_run_out() -> None:
    async def slow() -> str:
        import asyncio

        await asyncio.Event().wait()  # never set: only the per-attempt timeout ends it
        return "never"

    observer = Observer()
    t = tool(name="slow", timeout=0.01)(slow)
    (result,) = await run(
        [t], "slow", config={"plugins": {"toolhooks-retry": {"attempts": 2}}}, observer=observer
    )
    assert result.error is not None
    assert result.error.type == "transient"
    assert "2 attempts" in result.error.message
    assert "ToolTimeout" in result.error.message
    assert [k for *_, k, _ in observer.retries] == ["ToolTimeout"]


# -- side effects ------------------------------------------------------------------------------

AMBIGUOUS = [
    pytest.param(lambda: ToolTimeout("slow", retryable=True), "timeout", id="ToolTimeout"),
    pytest.param(TimeoutError, "transient", id="TimeoutError"),
    pytest.param(ConnectionResetError, "transient", id="reset"),
    pytest.param(lambda: httpx2.ReadTimeout("x"), "transient", id="read-timeout"),
    pytest.param(lambda: httpx2.RemoteProtocolError("x"), "transient", id="dropped"),
    pytest.param(lambda: http_error(502), "transient", id="502"),
    pytest.param(lambda: http_error(500), "transient", id="500"),
    pytest.param(lambda: TransientError("hiccup"), "transient", id="TransientError"),
]
UNAMBIGUOUS = [
    pytest.param(lambda: http_error(429), id="429"),
    pytest.param(lambda: http_error(503), id="503"),
    pytest.param(ConnectionRefusedError, id="refused"),
    pytest.param(lambda: httpx2.ConnectError("x"), id="connect"),
    pytest.param(lambda: httpx2.ConnectTimeout("x"), id="connect-timeout"),
    pytest.param(lambda: RateLimited("busy"), id="RateLimited"),
    pytest.param(lambda: _chained(http_error(503)), id="TransientError-from-503"),
]


@pytest.mark.parametrize(("make_error", "error_type"), AMBIGUOUS)
async def test_side_effects_not_retried_after_ambiguous_failure(
    make_error: Any, error_type: str
) -> None:
    body = always(make_error)
    observer = Observer()
    (result,) = await run([make_tool(body, side_effects=True)], "flaky", observer=observer)
    assert result.error is not None
    assert result.error.type == error_type
    assert result.error.retryable is False
    assert "unclear whether" in result.error.message
    assert result.error.suggestion is not None
    assert "Check whether" in result.error.suggestion
    assert body.calls == 1
    assert observer.retries == []


@pytest.mark.parametrize(("make_error", "error_type"), AMBIGUOUS)
async def test_idempotent_side_effects_are_retried(make_error: Any, error_type: str) -> None:
    body = Flaky(make_error())
    (result,) = await run([make_tool(body, side_effects=True, idempotent=True)], "flaky")
    assert result.ok, error_type
    assert body.calls == 2


@pytest.mark.parametrize("make_error", UNAMBIGUOUS)
async def test_side_effects_retried_after_unambiguous_failure(make_error: Any) -> None:
    body = Flaky(make_error())
    (result,) = await run([make_tool(body, side_effects=True)], "flaky")
    assert result.ok, result.content
    assert body.calls == 2


# -- config ----------------------------------------------------------------------------------


async def test_config_precedence_tool_over_star_over_plugin() -> None:
    bodies = {n: always(TimeoutError) for n in ("named", "other")}
    tools = [make_tool(b, name=n) for n, b in bodies.items()]
    config: dict[str, Any] = {
        "plugins": {"toolhooks-retry": {"attempts": 5, "wait_initial": 0.25, "wait_jitter": 0}},
        "tools": {"*": {"retry": {"attempts": 4}}, "named": {"retry": {"attempts": 2}}},
    }
    observer = Observer()
    named, other = await run(tools, "named", "other", config=config, observer=observer)
    assert (named.attempts, other.attempts) == (2, 4)
    assert bodies["named"].calls == 2
    assert bodies["other"].calls == 4
    # wait settings not overridden per tool come from the plugin-wide table
    assert [w for t, _, _, w in observer.retries if t == "other"] == [0.25, 0.5, 1.0]

    del config["tools"]["*"]
    bodies["other"] = always(TimeoutError)
    (other,) = await run([make_tool(bodies["other"], name="other")], "other", config=config)
    assert other.attempts == 5


async def test_attempts_one_means_no_policy() -> None:
    body = always(TimeoutError)
    config = {"tools": {"flaky": {"retry": {"attempts": 1}}}}
    (result,) = await run([make_tool(body)], "flaky", config=config)
    assert result.attempts == 1
    assert result.error is not None
    assert result.error.type == "tool_error"  # no policy: the core reports the raw failure


def test_bad_plugin_setting_names_the_key() -> None:
    config = Config({"plugins": {"toolhooks-retry": {"attempts": 0}}})
    with pytest.raises(ConfigError, match=r"plugins\.toolhooks-retry\.attempts"):
        Runtime(config, plugins=[RetryPlugin], autoload=False)


def test_bad_tool_setting_stops_start_up() -> None:
    config = Config({"tools": {"flaky": {"retry": {"atempts": 3}}}})
    with pytest.raises(ConfigError, match=r"tools\.flaky\.retry\.atempts.*did you mean 'attempts'"):
        Runtime(config, plugins=[RetryPlugin], autoload=False)


async def test_disabled_in_config() -> None:
    body = Flaky(TimeoutError())
    config = Config({"disable": ["toolhooks-retry"]})
    async with Runtime(
        config, tools=[make_tool(body)], plugins=[RetryPlugin], autoload=False
    ) as rt:
        result = await rt.execute(ToolCall("flaky"))
        info = {p.name: p for p in rt.plugins}["toolhooks-retry"]
    assert info.status == "disabled"
    assert result.error is not None
    assert body.calls == 1


async def test_summary_counts() -> None:
    async with Runtime(
        Config(),
        tools=[make_tool(Flaky(TimeoutError()), "a"), make_tool(always(TimeoutError), "b")],
        plugins=[RetryPlugin],
        autoload=False,
    ) as rt:
        await rt.execute(ToolCall("a"))
        await rt.execute(ToolCall("b"))
        summary = rt.summary()["toolhooks-retry"]
    assert summary == {"retries": 3, "recovered": 1, "gave_up": {"exhausted": 1}}


def test_classify_unit() -> None:
    assert classify(http_error(503)).kind == "HTTP 503"
    assert classify(http_error(503)).ambiguous is False
    assert classify(http_error(504)).ambiguous is True
    assert classify(StatusError(200)).transient is False
    assert classify(OSError(errno.ECONNREFUSED, "x")).ambiguous is False
    assert classify(KeyboardInterrupt()).transient is False


# -- packaging ------------------------------------------------------------------------------


def test_entry_point_names_the_plugin_class() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == "toolhooks-retry"]
    assert ep.load() is RetryPlugin


def test_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolhooks_retry.plugin; "
        "print(json.dumps([m for m in ('stamina', 'tenacity', 'httpx2') if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


# -- a real HTTP server -------------------------------------------------------------------------


@pytest.fixture
def flaky_server() -> Iterator[tuple[str, list[int]]]:
    statuses = [503, 503, 200]
    served: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = statuses.pop(0) if statuses else 200
            served.append(status)
            body = json.dumps({"ok": status == 200}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status == 503:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/data", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_real_http_server_503_twice_then_200(flaky_server: tuple[str, list[int]]) -> None:
    url, served = flaky_server

    @tool
    async def fetch() -> Any:
        """Fetch the data."""
        async with httpx2.AsyncClient() as client:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()

    observer = Observer()
    (result,) = await run([fetch], "fetch", observer=observer)
    assert result.ok, result.content
    assert result.value == {"ok": True}
    assert result.attempts == 3
    assert served == [503, 503, 200]
    assert observer.retries == [
        ("fetch", 1, "HTTPStatusError", 0.0),
        ("fetch", 2, "HTTPStatusError", 0.0),
    ]


async def test_stamina_waits_what_the_policy_decided_including_the_replayed_first_failure() -> None:
    # the first failure happens outside stamina and is replayed into its loop: stamina must wait
    # the policy's wait (here Retry-After), not its own backoff (0.1 s + jitter by default)
    waits: list[tuple[int, float, str]] = []
    hooks = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks(
        [lambda d: waits.append((d.retry_num, d.wait_for, type(d.caused_by).__name__))]
    )
    body = Flaky(RateLimited("busy", retry_after_s=0.01), http_error(503, {"Retry-After": "0.02"}))
    try:
        with stamina.set_testing(False):  # real (short) waits: testing mode makes every wait 0
            (result,) = await run([make_tool(body)], "flaky")
    finally:
        stamina.instrumentation.set_on_retry_hooks(hooks)
    assert result.ok, result.content
    assert result.attempts == 3
    assert [(n, kind) for n, _, kind in waits] == [(1, "RateLimited"), (2, "HTTPStatusError")]
    assert [w for _, w, _ in waits] == pytest.approx([0.01, 0.02])


async def test_a_later_wait_past_the_deadline_gives_up_inside_the_loop() -> None:
    body = Flaky(RateLimited("busy", retry_after_s=0), RateLimited("busy", retry_after_s=10))
    observer = Observer()
    config = {"tools": {"*": {"deadline": 5}}}
    (result,) = await run([make_tool(body)], "flaky", config=config, observer=observer)
    assert result.error is not None
    assert result.error.type == "transient"
    assert "2 attempts" in result.error.message
    assert "deadline" in result.error.message
    assert result.error.retry_after_s == 10
    assert [(a, w) for _, a, _, w in observer.retries] == [(1, 0.0)]
    assert body.calls == 2
