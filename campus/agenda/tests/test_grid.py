"""The calendar layout (pure): whole weeks from Monday, multi-day and all-day events,
daylight-saving days in Europe/Paris, French names."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from campus.agenda import calendar_grid as grid
from campus.agenda import events as ev
from campus.agenda.events import CalendarEvent

PARIS = ZoneInfo("Europe/Paris")
PORTO_NOVO = ZoneInfo("Africa/Porto-Novo")
TODAY = date(2026, 11, 21)


def event(
    key: str,
    start: datetime,
    end: datetime | None = None,
    *,
    type: str = ev.LIVE_SESSION,
    all_day: bool = False,
    status: str = "scheduled",
) -> CalendarEvent:
    return CalendarEvent(
        key=key,
        uid=f"{key}@campus.test",
        type=type,
        title=f"Événement {key}",
        start=start,
        end=end or start,
        all_day=all_day,
        status=status,
        url=f"/x/{key}",
        course_id=1,
        course_title="Cours",
    )


def days_of(layout: grid.Layout, key: str) -> list[date]:
    return [cell.day for cell in layout.days if any(p.event.key == key for p in cell.events)]


def test_month_grid_is_whole_weeks_starting_monday() -> None:
    # November 2026: Sunday the 1st, Monday the 30th.
    layout = grid.layout("month", date(2026, 11, 15), [], tz=PORTO_NOVO, today=date(2026, 11, 21))
    assert layout.window.first == date(2026, 10, 26)  # a Monday
    assert layout.window.last == date(2026, 12, 6)  # a Sunday
    assert len(layout.weeks) == 6
    for week in layout.weeks:
        assert len(week) == 7
        assert week[0].day.weekday() == 0
        assert week[6].day.weekday() == 6
    in_month = [cell.day for cell in layout.days if cell.in_month]
    assert in_month[0] == date(2026, 11, 1) and in_month[-1] == date(2026, 11, 30)
    assert len(in_month) == 30
    assert [cell.day for cell in layout.days if cell.is_today] == [date(2026, 11, 21)]
    # The window asked of the selector is local midnight to local midnight.
    assert layout.window.start == datetime(2026, 10, 26, tzinfo=PORTO_NOVO)
    assert layout.window.end == datetime(2026, 12, 7, tzinfo=PORTO_NOVO)
    assert layout.window.previous == date(2026, 10, 1)
    assert layout.window.next == date(2026, 12, 1)


def test_month_starting_on_monday_has_no_leading_days() -> None:
    # June 2026 starts on a Monday and ends on a Tuesday.
    layout = grid.layout("month", date(2026, 6, 10), [], tz=PORTO_NOVO, today=date(2026, 6, 1))
    assert layout.window.first == date(2026, 6, 1)
    assert layout.window.last == date(2026, 7, 5)
    assert len(layout.weeks) == 5


def test_week_and_day_windows() -> None:
    week = grid.window("week", date(2026, 11, 19), PORTO_NOVO)  # a Thursday
    assert (week.first, week.last) == (date(2026, 11, 16), date(2026, 11, 22))
    assert (week.previous, week.next) == (date(2026, 11, 12), date(2026, 11, 26))
    day = grid.window("day", date(2026, 11, 19), PORTO_NOVO)
    assert day.first == day.last == date(2026, 11, 19)
    assert (day.previous, day.next) == (date(2026, 11, 18), date(2026, 11, 20))
    listing = grid.window("list", date(2026, 2, 10), PORTO_NOVO)
    assert (listing.first, listing.last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert grid.window("month", date(2026, 12, 31), PORTO_NOVO).next == date(2027, 1, 1)
    assert grid.window("month", date(2026, 1, 31), PORTO_NOVO).previous == date(2025, 12, 1)


def test_multi_day_event_appears_on_each_day_it_covers() -> None:
    # Wednesday 20:00 to Saturday 10:00, Porto-Novo (UTC+1).
    start = datetime(2026, 11, 18, 19, 0, tzinfo=UTC)
    end = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    layout = grid.layout(
        "month", date(2026, 11, 1), [event("a", start, end)], tz=PORTO_NOVO, today=TODAY
    )
    assert days_of(layout, "a") == [date(2026, 11, d) for d in (18, 19, 20, 21)]
    placed = {p.day: p for cell in layout.days for p in cell.events}
    assert placed[date(2026, 11, 18)].starts_today and not placed[date(2026, 11, 18)].ends_today
    assert placed[date(2026, 11, 19)].continued and not placed[date(2026, 11, 19)].ends_today
    assert placed[date(2026, 11, 21)].ends_today
    assert placed[date(2026, 11, 18)].start.hour == 20  # local time
    assert layout.event_count == 1


def test_event_ending_at_midnight_does_not_spill_into_the_next_day() -> None:
    start = datetime(2026, 11, 18, 22, 0, tzinfo=PORTO_NOVO)
    end = datetime(2026, 11, 19, 0, 0, tzinfo=PORTO_NOVO)
    layout = grid.layout("week", start.date(), [event("m", start, end)], tz=PORTO_NOVO, today=TODAY)
    assert days_of(layout, "m") == [date(2026, 11, 18)]
    assert layout.days[2].events[0].ends_today


def test_event_spanning_the_whole_month_appears_on_every_day() -> None:
    start = datetime(2026, 10, 20, tzinfo=UTC)
    end = datetime(2026, 12, 20, tzinfo=UTC)
    layout = grid.layout(
        "month", date(2026, 11, 5), [event("long", start, end)], tz=PORTO_NOVO, today=TODAY
    )
    assert days_of(layout, "long") == layout.window.days  # every day shown, 42 of them
    assert len(days_of(layout, "long")) == 42
    listing = grid.layout(
        "list", date(2026, 11, 5), [event("long", start, end)], tz=PORTO_NOVO, today=TODAY
    )
    assert len(listing.busy_days) == 30


def test_deadline_instant_is_on_its_local_day() -> None:
    # 23:30 UTC on the 10th is 00:30 on the 11th in Porto-Novo.
    due = datetime(2026, 11, 10, 23, 30, tzinfo=UTC)
    layout = grid.layout(
        "week",
        date(2026, 11, 10),
        [event("d", due, type=ev.DEADLINE, status="")],
        tz=PORTO_NOVO,
        today=TODAY,
    )
    assert days_of(layout, "d") == [date(2026, 11, 11)]
    utc_layout = grid.layout(
        "week",
        date(2026, 11, 10),
        [event("d", due, type=ev.DEADLINE, status="")],
        tz=UTC,
        today=TODAY,
    )
    assert days_of(utc_layout, "d") == [date(2026, 11, 10)]


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 3, 28), 24)],
)
def test_day_bounds_are_local_midnights_across_daylight_saving(day: date, hours: int) -> None:
    start, end = grid.day_bounds(day, PARIS)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(PARIS).hour == 0 and end.astimezone(PARIS).hour == 0


def test_events_near_midnight_on_daylight_saving_days_land_on_the_right_day() -> None:
    # Sunday 29 March 2026 (Paris springs forward): 23:30 local is 21:30 UTC; the next
    # day's 00:30 local is 22:30 UTC.
    late_sunday = datetime(2026, 3, 29, 21, 30, tzinfo=UTC)
    early_monday = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    # Sunday 25 October 2026 (falls back): 23:30 local is 22:30 UTC.
    late_october = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
    early_october = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # Monday 00:30 local
    items = [
        event("s", late_sunday, late_sunday + timedelta(minutes=20)),
        event("m", early_monday, early_monday + timedelta(minutes=20)),
        event("o", late_october, late_october + timedelta(minutes=20)),
        event("p", early_october, early_october + timedelta(minutes=20)),
    ]
    march = grid.layout("month", date(2026, 3, 1), items, tz=PARIS, today=TODAY)
    assert days_of(march, "s") == [date(2026, 3, 29)]
    assert days_of(march, "m") == [date(2026, 3, 30)]
    october = grid.layout("month", date(2026, 10, 1), items, tz=PARIS, today=TODAY)
    assert days_of(october, "o") == [date(2026, 10, 25)]
    assert days_of(october, "p") == [date(2026, 10, 26)]
    # A month window across the change is still local midnight to local midnight.
    assert march.window.start.astimezone(PARIS).hour == 0
    assert march.window.end.astimezone(PARIS).hour == 0


def test_all_day_events_cover_their_dates_in_any_zone() -> None:
    # Built at local midnights in Porto-Novo, or in UTC: either way the dates are kept.
    local = event(
        "c1",
        datetime(2026, 11, 2, tzinfo=PORTO_NOVO),
        datetime(2026, 11, 3, tzinfo=PORTO_NOVO),
        type=ev.COURSE,
        all_day=True,
        status="",
    )
    utc = event(
        "c2",
        datetime(2026, 11, 5, tzinfo=UTC),
        datetime(2026, 11, 7, tzinfo=UTC),
        type=ev.COURSE,
        all_day=True,
        status="",
    )
    timed = event(
        "t", datetime(2026, 11, 2, 7, 0, tzinfo=UTC), datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    )
    for tz in (PORTO_NOVO, PARIS, ZoneInfo("Pacific/Auckland"), ZoneInfo("America/Los_Angeles")):
        layout = grid.layout("month", date(2026, 11, 1), [timed, local, utc], tz=tz, today=TODAY)
        assert days_of(layout, "c1") == [date(2026, 11, 2)]
        assert days_of(layout, "c2") == [date(2026, 11, 5), date(2026, 11, 6)]
    layout = grid.layout("day", date(2026, 11, 2), [timed, local], tz=PORTO_NOVO, today=TODAY)
    # All-day events come first in a day.
    assert [p.event.key for p in layout.days[0].events] == ["c1", "t"]


def test_legend_and_status_labels() -> None:
    start = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    with translation.override("fr"):
        assert grid.legend_label(event("a", start, type=ev.LESSON, status="pending")) == "Leçon"
        live = event("l", start, type=ev.LIVE_SESSION, status="scheduled")
        assert grid.legend_key(live) == "live"
        assert grid.legend_label(live) == "Classe en direct"
        assert grid.legend_key(event("b", start, type=ev.QUIZ, status="late")) == "late"
        assert grid.legend_label(event("b", start, type=ev.QUIZ, status="late")) == "En retard"
        assert grid.legend_key(event("c", start, type=ev.COURSE, status="")) == "rappel"
        assert grid.legend_key(event("d", start, type=ev.MILESTONE, status="done")) == "milestone"
        assert grid.status_label(event("e", start, status="cancelled")) == "Annulée"
        assert grid.status_label(event("f", start, type=ev.DEADLINE, status="")) == ""


def test_french_names() -> None:
    with translation.override("fr"):
        layout = grid.layout("month", date(2026, 8, 14), [], tz=PORTO_NOVO, today=TODAY)
        assert layout.title == "août 2026"
        assert layout.weekdays[0] == "lundi" and layout.weekdays[6] == "dimanche"
        week = grid.layout("week", date(2026, 11, 19), [], tz=PORTO_NOVO, today=TODAY)
        assert week.title == "16 \N{EN DASH} 22 novembre 2026"
        across = grid.layout("week", date(2026, 12, 31), [], tz=PORTO_NOVO, today=TODAY)
        assert across.title == "28 décembre 2026 \N{EN DASH} 3 janvier 2027"
        day = grid.layout("day", date(2026, 11, 19), [], tz=PORTO_NOVO, today=TODAY)
        assert day.title == "jeudi 19 novembre 2026"


def test_unknown_view_falls_back_to_month() -> None:
    layout = grid.layout("nope", date(2026, 11, 19), [], tz=PORTO_NOVO, today=TODAY)
    assert layout.window.view == "month"
