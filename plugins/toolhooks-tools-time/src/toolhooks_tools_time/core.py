"""Time-zone lookup, ISO 8601 parsing and calendar arithmetic, with errors for the model."""

from __future__ import annotations

import calendar
import difflib
import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from toolhooks import FieldError, InvalidArguments, ToolError

__all__ = [
    "add_months",
    "available_zones",
    "describe",
    "localize",
    "months_between",
    "parse_when",
    "resolve_zone",
    "search_zones",
]

_ALIASES = {"utc": "UTC", "z": "UTC", "gmt": "UTC", "zulu": "UTC"}


@functools.cache
def available_zones() -> dict[str, str]:
    """Every IANA zone name by its lower-case form (``tzdata`` when the system has none)."""
    import zoneinfo

    return {name.lower(): name for name in zoneinfo.available_timezones()}


def search_zones(query: str, limit: int = 5) -> list[str]:
    """Zone names that match *query*: by city (``tokyo``), by substring, then by similarity."""
    zones = available_zones()
    q = query.strip().lower().replace(" ", "_")
    if not q:
        return []
    by_city = [name for key, name in zones.items() if key.rsplit("/", 1)[-1] == q]
    contains = sorted(name for key, name in zones.items() if q in key and name not in by_city)
    cities = {key.rsplit("/", 1)[-1]: name for key, name in sorted(zones.items())}
    close = [zones[k] for k in difflib.get_close_matches(q, list(zones), n=limit, cutoff=0.6)]
    close += [cities[c] for c in difflib.get_close_matches(q, list(cities), n=limit, cutoff=0.75)]
    out: list[str] = []
    for name in [*by_city, *contains, *close]:
        if name not in out:
            out.append(name)
    return out[:limit]


def resolve_zone(name: str, field: str) -> ZoneInfo:
    """The zone named *name* (IANA, case-insensitive), or InvalidArguments with close matches."""
    key = name.strip().lower()
    canonical = _ALIASES.get(key) or available_zones().get(key)
    if canonical is None:
        matches = search_zones(name)
        hint = f"Did you mean {', '.join(matches)}? " if matches else ""
        raise InvalidArguments(
            f"Unknown time zone {name!r}.",
            fields=[FieldError(field, "unknown IANA time zone", expected="e.g. Europe/Paris")],
            suggestion=f"{hint}Use an IANA name such as America/New_York, Europe/Berlin, "
            "Asia/Tokyo or UTC (abbreviations like EST or CET are ambiguous); time_zones finds "
            "names by city.",
        )
    return ZoneInfo(canonical)


def parse_when(text: str, field: str, zone: ZoneInfo) -> date | datetime:
    """An ISO 8601 date or datetime; ``now`` and ``today`` are relative to *zone*."""
    value = text.strip()
    lowered = value.lower()
    if lowered == "now":
        return datetime.now(zone)
    if lowered == "today":
        return datetime.now(zone).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArguments(
            f"{field}: {value[:60]!r} is not an ISO 8601 date or date-time.",
            fields=[
                FieldError(
                    field,
                    "not ISO 8601",
                    expected="YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][+HH:MM|Z], 'now' or 'today'",
                    got=value[:60],
                )
            ],
            suggestion="Write dates as 2024-03-15 and date-times as 2024-03-15T14:30:00, "
            "optionally with an offset (+01:00 or Z).",
        ) from None


def localize(naive: datetime, zone: ZoneInfo, field: str) -> tuple[datetime, str | None]:
    """Attach *zone* to a wall-clock time; refuse times skipped by a DST change, note ambiguous
    ones (the earlier of the two is used)."""
    aware = naive.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:
        raise ToolError(
            f"{field}: {naive.isoformat()} does not exist in {zone.key}: the clocks skip it "
            "(daylight saving time starts).",
            type="invalid_arguments",
            suggestion=f"Use a time outside the gap, e.g. {back.replace(tzinfo=None).isoformat()}.",
        )
    if aware.replace(fold=1).utcoffset() != aware.utcoffset():
        return aware, (
            f"{naive.isoformat()} happens twice in {zone.key} (daylight saving time ends); "
            "the first occurrence was used. Give an explicit offset to choose."
        )
    return aware, None


def describe(moment: datetime) -> dict[str, Any]:
    """A date-time as the model likes to read it."""
    offset = moment.utcoffset() or timedelta(0)
    total = int(offset.total_seconds())
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total) // 60, 60)
    tz = moment.tzinfo
    dst = moment.dst()
    return {
        "datetime": moment.isoformat(),
        "date": moment.date().isoformat(),
        "time": moment.time().replace(tzinfo=None).isoformat(),
        "weekday": calendar.day_name[moment.weekday()],
        "timezone": getattr(tz, "key", None) or moment.tzname(),
        "utc_offset": f"{sign}{hours:02d}:{minutes:02d}",
        "abbreviation": moment.tzname(),
        "is_dst": bool(dst) if dst is not None else None,
        "unix_timestamp": moment.timestamp(),
    }


def add_months(day: date, months: int) -> tuple[date, bool]:
    """*day* moved by *months* calendar months; the day of month is clamped to the month's end
    (Jan 31 + 1 month = Feb 28 or 29). Returns the date and whether it was clamped."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise _out_of_range()
    last = calendar.monthrange(year, month0 + 1)[1]
    return day.replace(year=year, month=month0 + 1, day=min(day.day, last)), day.day > last


def months_between(start: date, end: date) -> tuple[int, int]:
    """Whole calendar months from *start* to *end* (start <= end) and the remaining days."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months)[0] > end:
        months -= 1
    return months, (end - add_months(start, months)[0]).days


def _out_of_range() -> ToolError:
    return ToolError(
        "The result is outside the supported years 1-9999.",
        type="invalid_arguments",
        suggestion="Use smaller amounts.",
    )
