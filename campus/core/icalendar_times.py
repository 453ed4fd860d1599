"""The one place where Campus times become iCalendar (RFC 5545) values.

Every date-time is written in UTC (the "Z" form), so no TZID is ever needed and no
VTIMEZONE either: each client shows the same instant in its own zone, whatever offset the
time arrived with. (Handed an aware datetime with a fixed offset, such as an API input
"+01:00", `icalendar` writes `TZID="UTC+01:00"`, a zone nothing defines: strict parsers
refuse it and others read a floating time.)

All-day entries are DATE values (the user's local days). A point in time (a quiz
deadline, a plan milestone) has an explicit zero DURATION: with neither DTEND nor
DURATION, calendar clients show a one-hour event.
"""

from datetime import UTC, datetime, timedelta

from icalendar.cal import Component

ONE_DAY = timedelta(days=1)


def utc(value: datetime) -> datetime:
    """An aware datetime as UTC (a naive one is a programming error: refuse it)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime in an iCalendar value: {value!r}")
    return value.astimezone(UTC)


def add_stamp(component: Component, name: str, value: datetime) -> None:
    """A DATE-TIME property (DTSTAMP, LAST-MODIFIED, …) in UTC."""
    component.add(name, utc(value))


def add_span(component: Component, *, start: datetime, end: datetime, all_day: bool) -> None:
    """DTSTART with DTEND, or with a zero DURATION for a point in time. An all-day
    entry's `start` and `end` are local midnights: their dates are the days."""
    if all_day:
        first = start.date()
        component.add("dtstart", first)
        component.add("dtend", max(end.date(), first + ONE_DAY))
        return
    component.add("dtstart", utc(start))
    if end > start:
        component.add("dtend", utc(end))
    else:
        component.add("duration", timedelta(0))
