"""Occurrences of a weekly series: pure functions, no database.

The recurrence is computed by dateutil's rrule on *naive local* datetimes (wall-clock
time in the series' zone), then each occurrence is localized with zoneinfo and converted
to UTC. So a class at 18:00 in Europe/Paris stays at 18:00 on the wall clock after the
clocks change; only its UTC hour moves.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import WEEKLY, rrule, weekday
from django.utils.translation import gettext_lazy as _

from campus.core import dates
from campus.core.validation import field_error

MAX_OCCURRENCES = 200
MIN_DURATION_MINUTES = 1
MAX_DURATION_MINUTES = 12 * 60


def _zone(tz: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise field_error(
            "timezone",
            _("Fuseau horaire inconnu : %(tz)s.") % {"tz": tz},
            "series_invalid_timezone",
            headline=True,
        ) from None


def _clean_days(days_of_week: list[int]) -> list[int]:
    if not days_of_week:
        raise field_error(
            "days_of_week", _("Choisissez au moins un jour."), "series_no_days", headline=True
        )
    for day in days_of_week:
        # bool is an int subclass: True is not a weekday.
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise field_error(
                "days_of_week",
                _("Jour invalide : %(day)s (0 = lundi … 6 = dimanche).") % {"day": day},
                "series_invalid_day",
                headline=True,
            )
    return sorted(set(days_of_week))


def _to_utc(naive_local: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as an aware UTC datetime.

    - Ambiguous (fall-back, the hour happens twice): the first occurrence, fold=0, i.e.
      the earlier instant, still on summer time.
    - Nonexistent (spring-forward gap, e.g. 02:30 in Paris on the last Sunday of March):
      shifted forward by the size of the gap, so 02:30 becomes 03:30 local. zoneinfo's
      fold=0 maps a gap time with the offset in force *before* the gap; converting that
      instant to UTC and back gives the wall-clock time after the gap, which is the
      consistent forward shift.
    """
    return naive_local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def check_duration(duration_minutes: int) -> None:
    """400 series_invalid_duration unless MIN_DURATION_MINUTES <= minutes <= MAX."""
    if isinstance(duration_minutes, bool) or not (
        MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES
    ):
        raise field_error(
            "duration_minutes",
            _("La durée doit être comprise entre %(min)s et %(max)s minutes.")
            % {"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES},
            "series_invalid_duration",
            headline=True,
        )


def local_date(instant: datetime, tz: str) -> date:
    """The wall-clock date of `instant` in `tz`."""
    return instant.astimezone(_zone(tz)).date()


def at_local_time(day: date, local_start: time, tz: str) -> datetime:
    """`local_start` on `day` in `tz`, as an aware UTC datetime (DST rules of _to_utc)."""
    return _to_utc(datetime.combine(day, local_start.replace(tzinfo=None, fold=0)), _zone(tz))


def occurrences(
    *,
    days_of_week: list[int],
    local_start: time,
    duration_minutes: int,
    tz: str,
    starts_on: date,
    count: int | None,
    until: date | None,
) -> list[tuple[datetime, datetime]]:
    """The (start, end) pairs of a weekly series, as UTC-aware datetimes, in time order.

    `days_of_week` holds ints 0 = Monday … 6 = Sunday (duplicates are folded); the first
    occurrence is on or after `starts_on`; `count` occurrences or every one up to and
    including the date `until` (exactly one of the two). `local_start` is wall-clock time
    in `tz` (an IANA name): it is kept across DST changes. An ambiguous local time takes
    its first occurrence (fold=0); a nonexistent one is shifted forward by the gap (see
    `_to_utc`). The end is start + duration in elapsed time.

    Raises ValidationFailed with codes series_no_days, series_invalid_day,
    series_count_or_until, series_invalid_duration, series_invalid_timezone,
    series_too_many (more than MAX_OCCURRENCES; never generates an unbounded list),
    date_out_of_range (an occurrence, usually the last one, beyond campus.core.dates'
    horizon).
    """
    days = _clean_days(days_of_week)
    if (count is None) == (until is None):
        raise field_error(
            "count",
            _("Indiquez soit un nombre de séances, soit une date de fin (l'un des deux)."),
            "series_count_or_until",
            headline=True,
        )
    check_duration(duration_minutes)
    zone = _zone(tz)
    too_many = field_error(
        "count" if count is not None else "until",
        _("Une série compte au plus %(n)s séances.") % {"n": MAX_OCCURRENCES},
        "series_too_many",
        headline=True,
    )
    if count is not None and count > MAX_OCCURRENCES:
        raise too_many
    if count is not None and count < 1:
        raise field_error(
            "count",
            _("Le nombre de séances doit être au moins 1."),
            "series_count_or_until",
            headline=True,
        )
    if until is not None and until < starts_on:
        raise field_error(
            "until",
            _("La date de fin doit suivre la date de début."),
            "series_count_or_until",
            headline=True,
        )

    dtstart = datetime.combine(starts_on, local_start.replace(tzinfo=None, fold=0))
    rule_kwargs: dict[str, Any] = {
        "dtstart": dtstart,
        "byweekday": [weekday(d) for d in days],
    }
    if count is not None:
        rule_kwargs["count"] = count
    else:
        assert until is not None
        # Inclusive of the whole `until` day.
        rule_kwargs["until"] = datetime.combine(until, time.max)
    rule = rrule(WEEKLY, **rule_kwargs)

    # Take one more than the cap: if it exists, the series is too long. The rrule is a
    # lazy iterator, so a far `until` never materialises more than MAX_OCCURRENCES + 1.
    out_of_range = field_error(
        "count" if count is not None else "until", dates.message(), dates.CODE, headline=True
    )
    local_starts: list[datetime] = []
    length = timedelta(minutes=duration_minutes)
    result = []
    try:
        for local in rule:
            if len(local_starts) == MAX_OCCURRENCES:
                raise too_many
            local_starts.append(local)
        for local in local_starts:
            start = _to_utc(local, zone)
            result.append((start, start + length))
    except (ValueError, OverflowError):  # past year 9999: far beyond the horizon anyway
        raise out_of_range from None
    # The last occurrence ends last: it alone may cross the horizon.
    if result and not dates.in_range(result[-1][1]):
        raise out_of_range
    return result
