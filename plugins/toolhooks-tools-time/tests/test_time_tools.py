"""The time tools through a real Runtime."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.metadata import entry_points
from typing import Any

import pytest
from toolhooks import Config, ConfigError, Runtime, ToolCall, ToolResult
from toolhooks_tools_time import TimeTools


def runtime(**settings: Any) -> Runtime:
    config = Config({"plugins": {"toolhooks-tools-time": settings}})
    return Runtime(config, plugins=[TimeTools], autoload=False)


async def call(name: str, rt: Runtime | None = None, **args: Any) -> ToolResult:
    return await (rt or runtime()).execute(ToolCall(name, json.dumps(args), "t1"))


async def test_now_in_a_zone() -> None:
    before = datetime.now(UTC).timestamp()
    result = await call("time_now", timezone="asia/tokyo")
    after = datetime.now(UTC).timestamp()
    assert result.ok, result.content
    v = result.value
    assert v["timezone"] == "Asia/Tokyo"
    assert v["utc_offset"] == "+09:00"
    assert before <= v["unix_timestamp"] <= after


async def test_now_uses_the_configured_default_zone() -> None:
    v = (await call("time_now", runtime(default_timezone="America/Sao_Paulo"))).value
    assert v["timezone"] == "America/Sao_Paulo"


async def test_unknown_zone_lists_close_matches() -> None:
    result = await call("time_now", timezone="Europe/Pariss")
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert "Europe/Paris" in (result.error.suggestion or "")
    assert result.error.fields[0].loc == "timezone"
    city = await call("time_now", timezone="Tokio")
    assert city.error is not None
    assert "Asia/Tokyo" in (city.error.suggestion or "")


async def test_convert_across_zones_with_dst() -> None:
    result = await call(
        "time_convert",
        datetime="2024-07-01T09:00",
        from_timezone="America/New_York",
        to_timezone="Europe/Paris",
    )
    assert result.value["from"]["datetime"] == "2024-07-01T09:00:00-04:00"
    assert result.value["to"]["datetime"] == "2024-07-01T15:00:00+02:00"
    winter = await call(
        "time_convert", datetime="2024-01-15T09:00Z", to_timezone="Australia/Sydney"
    )
    assert winter.value["to"]["datetime"] == "2024-01-15T20:00:00+11:00"
    assert winter.value["to"]["is_dst"] is True


async def test_convert_refuses_a_time_skipped_by_dst() -> None:
    result = await call(
        "time_convert", datetime="2024-03-31T02:30", from_timezone="Europe/Paris", to_timezone="UTC"
    )
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert "does not exist" in result.error.message


async def test_convert_notes_an_ambiguous_time() -> None:
    result = await call(
        "time_convert", datetime="2024-10-27T02:30", from_timezone="Europe/Paris", to_timezone="UTC"
    )
    assert result.value["to"]["datetime"] == "2024-10-27T00:30:00+00:00"
    assert "twice" in result.value["note"]


async def test_convert_refuses_an_offset_that_contradicts_the_zone() -> None:
    result = await call(
        "time_convert",
        datetime="2024-07-01T09:00+05:00",
        from_timezone="Europe/Paris",
        to_timezone="UTC",
    )
    assert result.error is not None
    assert "does not match" in result.error.message


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "2024-02-30", "31/01/2024", "12:00"])
async def test_unparseable_inputs_are_invalid_arguments(bad: str) -> None:
    result = await call("time_difference", start=bad, end="2024-01-01")
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert result.error.fields[0].loc == "start"
    assert "ISO 8601" in result.error.message


async def test_difference_of_dates() -> None:
    v = (await call("time_difference", start="2024-01-31", end="2025-03-01")).value
    assert v["days"] == 395
    assert (v["weeks"], v["remaining_days"]) == (56, 3)
    assert v["calendar"] == {"years": 1, "months": 1, "days": 1}
    neg = (await call("time_difference", start="2024-03-10", end="2024-03-01")).value
    assert neg["days"] == -9
    assert neg["calendar"] == {"years": 0, "months": 0, "days": -9}


async def test_difference_counts_the_dst_hour() -> None:
    v = (
        await call(
            "time_difference",
            start="2024-03-30T12:00",
            end="2024-03-31T12:00",
            timezone="Europe/Paris",
        )
    ).value
    assert v["total_hours"] == 23
    assert (v["days"], v["hours"]) == (0, 23)


async def test_difference_between_offsets() -> None:
    v = (
        await call("time_difference", start="2024-01-01T00:00Z", end="2024-01-01T00:00+05:30")
    ).value
    assert v["total_seconds"] == -(5 * 3600 + 1800)
    assert (v["hours"], v["minutes"]) == (-5, -30)


async def test_add_months_clamps_and_keeps_dates() -> None:
    v = (await call("time_add", start="2024-01-31", months=1)).value
    assert v["result"] == "2024-02-29"
    assert "clamped" in v["note"]
    assert (await call("time_add", start="2024-02-29", years=1)).value["result"] == "2025-02-28"
    assert (await call("time_add", start="2024-03-01", days=-1)).value["result"] == "2024-02-29"
    assert (await call("time_add", start="2024-01-01", weeks=2)).value["weekday"] == "Monday"


async def test_add_calendar_units_keep_wall_time_elapsed_units_do_not() -> None:
    rt = runtime(default_timezone="Europe/Paris")
    day = (await call("time_add", rt, start="2024-03-30T12:00", days=1)).value
    assert day["result"] == "2024-03-31T12:00:00+02:00"
    hours = (await call("time_add", rt, start="2024-03-30T12:00", hours=24)).value
    assert hours["result"] == "2024-03-31T13:00:00+02:00"


async def test_add_with_a_fixed_offset_and_subtraction() -> None:
    v = (await call("time_add", start="2024-01-01T00:00:00+05:30", minutes=-90)).value
    assert v["result"] == "2023-12-31T22:30:00+05:30"


async def test_add_out_of_range_is_a_clear_error() -> None:
    result = await call("time_add", start="9999-12-31", days=1)
    assert result.error is not None
    assert "1-9999" in result.error.message
    too_many = await call("time_add", start="2024-01-01", years=100000)
    assert too_many.error is not None
    assert too_many.error.type == "invalid_arguments"


async def test_zone_search() -> None:
    v = (await call("time_zones", query="new york")).value
    assert v["zones"][0]["name"] == "America/New_York"
    assert [z["name"] for z in (await call("time_zones", query="kolkata")).value["zones"]] == [
        "Asia/Kolkata"
    ]


def test_bad_default_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as exc:
        runtime(default_timezone="Europe/Pari")
    assert "plugins.toolhooks-tools-time.default_timezone" in str(exc.value)
    assert "Europe/Paris" in str(exc.value)
    with pytest.raises(ConfigError):
        runtime(zone="UTC")


def test_entry_point_and_read_only_tools() -> None:
    eps = {ep.name: ep for ep in entry_points(group="toolhooks")}
    assert eps["toolhooks-tools-time"].load() is TimeTools
    rt = runtime()
    names = {"time_now", "time_convert", "time_difference", "time_add", "time_zones"}
    assert names <= set(rt.tools)
    assert all(rt.tools[n].side_effects is False for n in names)


def test_zones_come_from_tzdata_when_the_system_has_none() -> None:
    import subprocess
    import sys

    code = (
        "import zoneinfo; zoneinfo.reset_tzpath(to=()); "
        "print(zoneinfo.ZoneInfo('America/Chicago').key, len(zoneinfo.available_timezones()) > 300)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["America/Chicago", "True"]


def test_tools_that_read_the_clock_are_not_cacheable() -> None:
    from toolhooks import Config, Runtime
    from toolhooks_tools_time import TimeTools

    with Runtime(Config({}), plugins=[TimeTools], autoload=False) as runtime:
        volatile = {n for n, t in runtime.tools.items() if not t.cacheable}
    assert volatile == {"time_now", "time_convert", "time_difference", "time_add"}
