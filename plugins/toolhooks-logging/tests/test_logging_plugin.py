from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest
import toolhooks
from toolhooks import Config, Runtime, ToolCall
from toolhooks_logging import JsonFormatter, LoggingPlugin, LoggingSettings

LOGGER = "toolhooks.calls"

FINISHED_KEYS = {
    "event",
    "tool",
    "call_id",
    "outcome",
    "error_type",
    "duration_ms",
    "attempts",
    "cache",
    "rate_limit_wait_ms",
    "refused_by",
}


@toolhooks.tool
async def weather(city: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Weather for a city."""
    if city == "Nowhere":
        raise RuntimeError("database password=hunter2 rejected")
    return {"city": city, "temp_c": 21, "session_token": "tok-RESULT", "note": "n" * 500}


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def runtime(config: dict[str, Any] | None = None, *extra: object) -> Runtime:
    return Runtime(
        Config(config or {}), tools=[weather], plugins=[LoggingPlugin, *extra], autoload=False
    )


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)


async def test_ok_call_one_info_record_with_fields(caplog: pytest.LogCaptureFixture) -> None:
    async with runtime() as rt:
        result = await rt.execute(ToolCall("weather", '{"city": "Paris"}', id="call_1"))
    assert result.ok
    (rec,) = records(caplog)
    assert rec.levelno == logging.INFO
    fields = rec.toolhooks  # type: ignore[attr-defined]
    assert set(fields) == FINISHED_KEYS
    assert fields["event"] == "call_finished"
    assert fields["tool"] == "weather"
    assert fields["call_id"] == "call_1"
    assert fields["outcome"] == "ok"
    assert fields["error_type"] is None
    assert fields["attempts"] == 1
    assert fields["cache"] is None
    assert fields["refused_by"] is None
    assert fields["duration_ms"] == round(result.duration_s * 1000, 3)
    assert rec.getMessage().startswith("call weather#call_1 ok in ")


async def test_failed_call_is_a_warning_with_error_type(caplog: pytest.LogCaptureFixture) -> None:
    async with runtime() as rt:
        result = await rt.execute(ToolCall("weather", '{"city": "Nowhere"}', id="c2"))
    assert not result.ok
    (rec,) = records(caplog)
    assert rec.levelno == logging.WARNING
    assert rec.toolhooks["outcome"] == "error"  # type: ignore[attr-defined]
    assert rec.toolhooks["error_type"] == "tool_error"  # type: ignore[attr-defined]
    assert "error_message" not in rec.toolhooks  # type: ignore[attr-defined]
    assert "failed (tool_error)" in rec.getMessage()


async def test_levels_are_configurable(caplog: pytest.LogCaptureFixture) -> None:
    cfg = {"plugins": {"toolhooks-logging": {"level": "debug", "error_level": "ERROR"}}}
    async with runtime(cfg) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
        await rt.execute(ToolCall("weather", '{"city": "Nowhere"}'))
    assert [r.levelno for r in records(caplog)] == [logging.DEBUG, logging.ERROR]


async def test_logger_below_level_gets_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    async with runtime() as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
        await rt.execute(ToolCall("weather", '{"city": "Nowhere"}'))
    assert [r.levelno for r in records(caplog)] == [logging.WARNING]


async def test_arguments_and_results_not_logged_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger(LOGGER).addHandler(handler)
    try:
        async with runtime() as rt:
            await rt.execute(ToolCall("weather", '{"city": "Paris", "options": {"api_key": "K1"}}'))
    finally:
        logging.getLogger(LOGGER).removeHandler(handler)
    line = stream.getvalue()
    assert "Paris" not in line
    assert "K1" not in line
    assert "tok-RESULT" not in line
    assert "arguments" not in records(caplog)[0].toolhooks  # type: ignore[attr-defined]


async def test_opt_in_arguments_and_results_are_redacted_and_truncated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = {
        "plugins": {
            "toolhooks-logging": {
                "log_arguments": True,
                "log_results": True,
                "redact_keys": ["region"],
                "max_value_length": 20,
            }
        }
    }
    args = {
        "city": "Paris",
        "options": {
            "headers": [{"Authorization": "Bearer SECRET-A"}],
            "Region": "eu-west",
            "api_key": "SECRET-B",
        },
    }
    async with runtime(cfg) as rt:
        await rt.execute(ToolCall("weather", json.dumps(args)))
    fields = records(caplog)[0].toolhooks  # type: ignore[attr-defined]
    assert fields["arguments"] == {
        "city": "Paris",
        "options": {
            "headers": [{"Authorization": "[REDACTED]"}],
            "Region": "[REDACTED]",
            "api_key": "[REDACTED]",
        },
    }
    assert fields["result"] == {
        "city": "Paris",
        "temp_c": 21,
        "session_token": "[REDACTED]",
        "note": "n" * 20 + "...[480 more chars]",
    }
    assert "SECRET" not in json.dumps(fields)


async def test_error_message_only_with_arguments_and_unparsable_text_never(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = {"plugins": {"toolhooks-logging": {"log_arguments": True}}}
    async with runtime(cfg) as rt:
        await rt.execute(ToolCall("weather", '{"api_key": "SECRET-C", oops'))
    fields = records(caplog)[0].toolhooks  # type: ignore[attr-defined]
    assert fields["error_type"] == "invalid_arguments"
    assert fields["arguments"].startswith("<unparsable: ")
    assert fields["error_message"] == "<withheld: quotes arguments that are not a JSON object>"
    assert "SECRET-C" not in json.dumps(fields)


async def test_error_message_never_holds_exception_text(caplog: pytest.LogCaptureFixture) -> None:
    cfg = {"plugins": {"toolhooks-logging": {"log_arguments": True}}}
    async with runtime(cfg) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Nowhere"}'))
    fields = records(caplog)[0].toolhooks  # type: ignore[attr-defined]
    assert fields["error_type"] == "tool_error"
    assert "RuntimeError" in fields["error_message"]
    assert "hunter2" not in json.dumps(fields)


async def test_retries_are_their_own_records(
    caplog: pytest.LogCaptureFixture, retry_plugin: type
) -> None:
    runs = 0

    @toolhooks.tool
    async def flaky() -> str:
        """Fails twice."""
        nonlocal runs
        runs += 1
        if runs < 3:
            raise toolhooks.TransientError("try again")
        return "done"

    async with Runtime(
        Config(), tools=[flaky], plugins=[LoggingPlugin, retry_plugin], autoload=False
    ) as rt:
        result = await rt.execute(ToolCall("flaky", "{}", id="r1"))
    assert result.ok
    recs = records(caplog)
    assert [r.toolhooks["event"] for r in recs] == [  # type: ignore[attr-defined]
        "call_retrying",
        "call_retrying",
        "call_finished",
    ]
    first, second, final = (r.toolhooks for r in recs)  # type: ignore[attr-defined]
    assert first == {
        "event": "call_retrying",
        "tool": "flaky",
        "call_id": "r1",
        "attempt": 1,
        "wait_ms": 250.0,
        "error_type": "transient",
        "exception": "TransientError",
    }
    assert second["attempt"] == 2
    assert final["attempts"] == 3
    assert final["outcome"] == "ok"
    assert recs[0].levelno == logging.INFO


async def test_retry_records_can_be_switched_off(
    caplog: pytest.LogCaptureFixture, retry_plugin: type
) -> None:
    @toolhooks.tool
    async def broken() -> str:
        """Always fails."""
        raise ValueError("nope")

    cfg = Config({"plugins": {"toolhooks-logging": {"log_retries": False}}})
    async with Runtime(
        cfg, tools=[broken], plugins=[LoggingPlugin, retry_plugin], autoload=False
    ) as rt:
        await rt.execute(ToolCall("broken", "{}"))
    (rec,) = records(caplog)
    assert rec.toolhooks["attempts"] == 3  # type: ignore[attr-defined]
    assert rec.toolhooks["error_type"] == "tool_error"  # type: ignore[attr-defined]


async def test_refusing_plugin_is_named(caplog: pytest.LogCaptureFixture, gatekeeper: type) -> None:
    async with runtime(None, gatekeeper) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Atlantis"}'))
    fields = records(caplog)[0].toolhooks  # type: ignore[attr-defined]
    assert fields["refused_by"] == "test-gatekeeper"
    assert fields["error_type"] == "refused"
    assert fields["attempts"] == 0


async def test_unknown_tool_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async with runtime() as rt:
        await rt.execute(ToolCall("wether", "{}", id="u"))
    fields = records(caplog)[0].toolhooks  # type: ignore[attr-defined]
    assert (fields["tool"], fields["error_type"]) == ("wether", "unknown_tool")


async def test_json_formatter_lines() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    try:
        async with runtime() as rt:
            await rt.execute(ToolCall("weather", '{"city": "Paris"}', id="j1"))
            await rt.execute(ToolCall("weather", '{"city": "Nowhere"}', id="j2"))
        logging.getLogger("elsewhere").warning("plain %s", "record")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ok, bad = lines
    assert list(ok)[:4] == ["timestamp", "level", "logger", "message"]
    assert set(ok) == {"timestamp", "level", "logger", "message", *FINISHED_KEYS}
    assert ok["timestamp"].endswith("Z")
    assert (ok["level"], ok["logger"], ok["call_id"], ok["outcome"]) == (
        "INFO",
        LOGGER,
        "j1",
        "ok",
    )
    assert (bad["level"], bad["error_type"]) == ("WARNING", "tool_error")


def test_json_formatter_plain_records_and_exceptions() -> None:
    fmt = JsonFormatter()
    try:
        raise KeyError("k")
    except KeyError:
        rec = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "boom %d", (1,), sys.exc_info()
        )
    out = json.loads(fmt.format(rec))
    assert out["message"] == "boom 1"
    assert out["level"] == "ERROR"
    assert "KeyError" in out["exception"]


def test_settings_in_code_win_and_bad_config_names_key() -> None:
    plugin = LoggingPlugin(LoggingSettings(level="DEBUG"))
    with Runtime(
        Config({"plugins": {"toolhooks-logging": {"level": "ERROR"}}}),
        plugins=[plugin],
        autoload=False,
    ):
        assert plugin.settings.level == "DEBUG"
    with pytest.raises(toolhooks.ConfigError, match=r"plugins\.toolhooks-logging\.levle"):
        Runtime(
            Config({"plugins": {"toolhooks-logging": {"levle": "INFO"}}}), plugins=[LoggingPlugin]
        )
    with pytest.raises(toolhooks.ConfigError, match=r"plugins\.toolhooks-logging\.level"):
        Runtime(
            Config({"plugins": {"toolhooks-logging": {"level": "LOUD"}}}), plugins=[LoggingPlugin]
        )


async def test_disabled_in_config_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    async with runtime({"disable": ["toolhooks-logging"]}) as rt:
        await rt.execute(ToolCall("weather", '{"city": "Paris"}'))
        assert rt.get_plugin("toolhooks-logging") is None
        assert {p.name: p.status for p in rt.plugins}["toolhooks-logging"] == "disabled"
    assert records(caplog) == []


def test_entry_point_is_the_class_one_instance_per_runtime() -> None:
    (ep,) = [e for e in entry_points(group="toolhooks") if e.name == "toolhooks-logging"]
    assert ep.value == "toolhooks_logging.plugin:LoggingPlugin"
    a = Runtime(Config(), plugins=["toolhooks-logging"], autoload=False)
    b = Runtime(Config(), plugins=["toolhooks-logging"], autoload=False)
    assert isinstance(a.get_plugin("toolhooks-logging"), LoggingPlugin)
    assert a.get_plugin("toolhooks-logging") is not b.get_plugin("toolhooks-logging")


def test_entry_module_is_light() -> None:
    code = (
        "import sys, toolhooks_logging.plugin; "
        "heavy = [m for m in ('prometheus_client', 'opentelemetry') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _formatted(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(JsonFormatter().format(r)) for r in records(caplog)]


async def test_lone_surrogate_argument_still_gives_one_json_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with runtime({"plugins": {"toolhooks-logging": {"log_arguments": True}}}) as rt:
        await rt.execute(
            ToolCall("weather", {"city": "Paris", "options": {"a": "\ud800"}}, id="s1")
        )
    (out,) = _formatted(caplog)
    assert out["call_id"] == "s1"
    assert "\\ud800" in json.dumps(out["arguments"])  # the surrogate is kept, escaped as text


async def test_ten_thousand_deep_argument_still_gives_one_json_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(10_000):
        node["a"] = {}
        node = node["a"]
    async with runtime({"plugins": {"toolhooks-logging": {"log_arguments": True}}}) as rt:
        await rt.execute(ToolCall("weather", {"city": "Paris", "options": deep}, id="d1"))
        text = '{"city": "Paris", "options": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001
        await rt.execute(ToolCall("weather", text, id="d2"))
    assert [out["call_id"] for out in _formatted(caplog)] == ["d1", "d2"]
