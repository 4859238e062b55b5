"""The time tools, built per runtime from its settings."""

# No ``from __future__ import annotations``: the tools are closures (see build_tools).

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import Field
from toolhooks import InvalidArguments, Tool, ToolError, tool

from toolhooks_tools_time.core import (
    add_months,
    describe,
    localize,
    months_between,
    parse_when,
    resolve_zone,
    search_zones,
)
from toolhooks_tools_time.settings import TimeSettings

__all__ = ["build_tools"]

Zone = Annotated[str, Field(min_length=1, max_length=64)]
When = Annotated[str, Field(min_length=1, max_length=64)]


def build_tools(settings: TimeSettings) -> list[Tool]:
    default_zone = settings.default_timezone

    def zone_or_default(name: str | None, field: str) -> Any:
        return resolve_zone(name if name else default_zone, field)

    def aware(
        value: date | datetime, zone_name: str | None, field: str
    ) -> tuple[datetime, str | None]:
        """A timezone-aware datetime: offsets win; naive values are in *zone_name*."""
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if value.tzinfo is not None:
            return value, None
        return localize(value, zone_or_default(zone_name, field), field)

    @tool(name="time_now", tags=["time"], cacheable=False)
    def time_now(timezone: Zone | None = None) -> dict[str, Any]:
        """The current date and time in a time zone.

        Returns datetime (ISO 8601), date, time, weekday, timezone, utc_offset, abbreviation,
        is_dst and unix_timestamp.

        Args:
            timezone: IANA zone name such as "Europe/Paris", "America/New_York" or "UTC"
                (default: the configured default zone).
        """
        return describe(datetime.now(zone_or_default(timezone, "timezone")))

    @tool(name="time_convert", tags=["time"], cacheable=False)
    def time_convert(
        datetime_: Annotated[When, Field(alias="datetime")],
        to_timezone: Zone,
        from_timezone: Zone | None = None,
    ) -> dict[str, Any]:
        """Convert a date-time from one time zone to another (daylight saving time included).

        Returns {"from": ..., "to": ...}, each with datetime, date, time, weekday, timezone,
        utc_offset, abbreviation and is_dst; plus a note when the local time was ambiguous.

        Args:
            datetime_: ISO 8601 date-time, e.g. "2024-07-01T09:00" (local to from_timezone) or
                "2024-07-01T09:00:00+02:00" / "...Z" (an explicit offset), or "now".
            to_timezone: IANA zone to convert to, e.g. "Asia/Tokyo".
            from_timezone: IANA zone of a date-time without offset (default: the configured
                default zone). If the date-time has an offset too, they must agree.
        """
        source = resolve_zone(from_timezone, "from_timezone") if from_timezone else None
        target = resolve_zone(to_timezone, "to_timezone")
        when = parse_when(datetime_, "datetime", source or zone_or_default(None, "datetime"))
        moment, note = aware(when, from_timezone, "datetime")
        if source is not None and isinstance(when, datetime) and when.tzinfo is not None:
            expected = moment.astimezone(source).utcoffset()
            if moment.utcoffset() != expected:
                raise InvalidArguments(
                    f"The offset of {datetime_!r} does not match {source.key} at that moment "
                    f"(which is UTC{describe(moment.astimezone(source))['utc_offset']}).",
                    suggestion="Drop the offset or drop from_timezone.",
                )
            moment = moment.astimezone(source)
        out: dict[str, Any] = {"from": describe(moment), "to": describe(moment.astimezone(target))}
        if note:
            out["note"] = note
        return out

    @tool(name="time_difference", tags=["time"], cacheable=False)
    def time_difference(start: When, end: When, timezone: Zone | None = None) -> dict[str, Any]:
        """The time between two dates or date-times (negative when end is before start).

        For two plain dates: days, weeks + days, and calendar years/months/days. For date-times:
        the exact elapsed time (daylight saving changes counted) as total_seconds, total_hours,
        and days/hours/minutes/seconds. A plain date counts as midnight.

        Args:
            start: ISO 8601 date ("2024-01-31") or date-time ("2024-01-31T08:00", with an optional
                offset), or "now"/"today".
            end: same formats as start.
            timezone: IANA zone of values without offset (default: the configured default zone).
        """
        zone = zone_or_default(timezone, "timezone")
        a = parse_when(start, "start", zone)
        b = parse_when(end, "end", zone)
        sign = 1
        out: dict[str, Any] = {}
        if not isinstance(a, datetime) and not isinstance(b, datetime):
            days = (b - a).days
            lo, hi = (a, b) if days >= 0 else (b, a)
            sign = 1 if days >= 0 else -1
            months, rest = months_between(lo, hi)
            out.update(
                days=days,
                weeks=sign * (abs(days) // 7),
                remaining_days=sign * (abs(days) % 7),
                calendar={
                    "years": sign * (months // 12),
                    "months": sign * (months % 12),
                    "days": sign * rest,
                },
            )
            return out
        x, note_a = aware(a, timezone, "start")
        y, note_b = aware(b, timezone, "end")
        delta = y.astimezone(UTC) - x.astimezone(UTC)  # same-zone subtraction ignores DST
        seconds = delta.total_seconds()
        sign = 1 if seconds >= 0 else -1
        whole = abs(delta)
        hours, rem = divmod(whole.seconds, 3600)
        minutes, secs = divmod(rem, 60)
        out.update(
            total_seconds=seconds,
            total_hours=round(seconds / 3600, 6),
            days=sign * whole.days,
            hours=sign * hours,
            minutes=sign * minutes,
            seconds=sign * (secs + whole.microseconds / 1e6),
            start=x.isoformat(),
            end=y.isoformat(),
        )
        notes = [n for n in (note_a, note_b) if n]
        if notes:
            out["note"] = " ".join(notes)
        return out

    @tool(name="time_add", tags=["time"], cacheable=False)
    def time_add(
        start: When,
        years: Annotated[int, Field(ge=-9999, le=9999)] = 0,
        months: Annotated[int, Field(ge=-120_000, le=120_000)] = 0,
        weeks: Annotated[int, Field(ge=-530_000, le=530_000)] = 0,
        days: Annotated[int, Field(ge=-3_700_000, le=3_700_000)] = 0,
        hours: Annotated[int, Field(ge=-88_000_000, le=88_000_000)] = 0,
        minutes: Annotated[int, Field(ge=-5_300_000_000, le=5_300_000_000)] = 0,
        seconds: Annotated[int, Field(ge=-320_000_000_000, le=320_000_000_000)] = 0,
        timezone: Zone | None = None,
    ) -> dict[str, Any]:
        """Add (or, with negative amounts, subtract) an amount of time to a date or date-time.

        Years, months, weeks and days move the calendar and keep the wall-clock time (months
        clamp to the month's end: 2024-01-31 + 1 month = 2024-02-29). Hours, minutes and seconds
        add exact elapsed time (across a daylight saving change the wall clock moves by one
        hour more or less). A plain date with only calendar units gives a date.

        Args:
            start: ISO 8601 date or date-time (optional offset), or "now"/"today".
            years: years to add (negative to subtract).
            months: months to add.
            weeks: weeks to add.
            days: days to add.
            hours: hours to add (elapsed time).
            minutes: minutes to add (elapsed time).
            seconds: seconds to add (elapsed time).
            timezone: IANA zone of a start without offset and of "now" (default: the configured
                default zone).
        """
        zone = zone_or_default(timezone, "timezone")
        value = parse_when(start, "start", zone)
        notes: list[str] = []
        try:
            moved, clamped = add_months(
                value.date() if isinstance(value, datetime) else value, years * 12 + months
            )
            if clamped:
                notes.append("The day was clamped to the last day of the month.")
            moved += timedelta(weeks=weeks, days=days)
            elapsed = timedelta(hours=hours, minutes=minutes, seconds=seconds)
            if isinstance(value, datetime):
                wall = datetime.combine(moved, value.timetz().replace(tzinfo=None))
                if value.tzinfo is not None and not hasattr(value.tzinfo, "key"):
                    result = wall.replace(tzinfo=value.tzinfo)  # a fixed offset
                else:
                    zone_of = value.tzinfo if value.tzinfo is not None else zone
                    result, note = localize(wall, zone_of, "start")  # type: ignore[arg-type]
                    if note:
                        notes.append(note)
                result = (result.astimezone(UTC) + elapsed).astimezone(result.tzinfo)
            elif elapsed:
                base, note = localize(datetime(moved.year, moved.month, moved.day), zone, "start")
                if note:
                    notes.append(note)
                result = (base.astimezone(UTC) + elapsed).astimezone(zone)
            else:
                out: dict[str, Any] = {"result": moved.isoformat(), "weekday": _weekday(moved)}
                if notes:
                    out["note"] = " ".join(notes)
                return out
        except OverflowError:
            raise ToolError(
                "The result is outside the supported years 1-9999.",
                type="invalid_arguments",
                suggestion="Use smaller amounts.",
            ) from None
        out = {"result": result.isoformat(), **describe(result)}
        if notes:
            out["note"] = " ".join(notes)
        return out

    @tool(name="time_zones", tags=["time"])
    def time_zones(query: Annotated[str, Field(min_length=1, max_length=64)]) -> dict[str, Any]:
        """Find IANA time zone names by city, region or partial name.

        Returns up to 10 matching names with their current UTC offset, e.g. "tokyo" ->
        Asia/Tokyo, "new york" -> America/New_York.

        Args:
            query: a city, region or part of a zone name.
        """
        names = search_zones(query, limit=10)
        now = datetime.now(UTC)
        return {
            "query": query,
            "zones": [
                {
                    "name": n,
                    "utc_offset": describe(now.astimezone(resolve_zone(n, "query")))["utc_offset"],
                }
                for n in names
            ],
        }

    return [time_now, time_convert, time_difference, time_add, time_zones]


def _weekday(day: date) -> str:
    import calendar

    return calendar.day_name[day.weekday()]
