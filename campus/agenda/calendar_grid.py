"""The calendar page's layout, as pure functions: which days a view shows, which events
fall on each day, in the user's time zone. No database, no clock (today is an argument).

- Weeks start on Monday. The month view shows whole weeks (the days of the previous and
  next months that complete them are marked `in_month=False`).
- Ranges mean overlap: an event is on a day when it overlaps [local midnight, next local
  midnight). An event spanning several days is on each day it covers, so a session that
  spans the whole month is on every day of it. A zero-length event (a deadline) is on
  the day of its instant.
- Day boundaries are local midnights built with zoneinfo, so a 23- or 25-hour day (a
  daylight-saving change) has the right bounds; comparisons are made in UTC.
- All-day events cover the calendar dates of their start and (exclusive) end, read in
  the zone they were built in, so they never shift by a day whatever the user's zone.
- Names of days and months come from Django's date formatting (the active language).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campus.agenda import events as ev
from campus.agenda.events import CalendarEvent
from campus.core.formatting import format_date

DASH = "\N{EN DASH}"
MONTH, WEEK, DAY, LIST = "month", "week", "day", "list"
VIEWS = (MONTH, WEEK, DAY, LIST)
VIEW_LABELS: dict[str, Promise] = {
    MONTH: _("Mois"),
    WEEK: _("Semaine"),
    DAY: _("Jour"),
    LIST: _("Liste"),
}

TYPE_LABELS: dict[str, Promise] = {
    ev.LIVE_SESSION: _("Classes en direct"),
    ev.LESSON: _("Leçons"),
    ev.QUIZ: _("Quiz"),
    ev.DEADLINE: _("Dates limites"),
    ev.MILESTONE: _("Étapes"),
    ev.COURSE: _("Dates des cours"),
}

# The original platform's legend, plus live classes (their own colour and mark, first:
# they are the appointments a student must not miss): a colour class, a mark's shape and
# a text, never colour alone.
LATE = "late"
LEGEND: tuple[tuple[str, Promise], ...] = (
    ("live", _("Classe en direct")),
    ("cours", _("Leçon")),
    ("quiz", _("Quiz / examen")),
    ("deadline", _("Date limite")),
    ("milestone", _("Étape")),
    ("rappel", _("Rappel")),
    (LATE, _("En retard")),
)
_LEGEND_OF_TYPE = {
    ev.LIVE_SESSION: "live",
    ev.LESSON: "cours",
    ev.QUIZ: "quiz",
    ev.DEADLINE: "deadline",
    ev.MILESTONE: "milestone",
    ev.COURSE: "rappel",
}
_LEGEND_LABELS = dict(LEGEND)

STATUS_LABELS: dict[str, Promise] = {
    # live sessions
    "scheduled": _("Programmée"),
    "live": _("En direct"),
    "ended": _("Terminée"),
    "cancelled": _("Annulée"),
    # plan items
    "pending": _("À faire"),
    "in_progress": _("En cours"),
    "done": _("Fait"),
    "late": _("En retard"),
    "skipped": _("Ignoré"),
}


def legend_key(event: CalendarEvent) -> str:
    """The legend entry of an event: late wins over the type's colour."""
    if event.status == LATE:
        return LATE
    return type_legend(event.type)


def type_legend(event_type: str) -> str:
    """The legend entry (colour and mark) of a type, for the filters."""
    return _LEGEND_OF_TYPE.get(event_type, "rappel")


def legend_label(event: CalendarEvent) -> str:
    return str(_LEGEND_LABELS[legend_key(event)])


def status_label(event: CalendarEvent) -> str:
    label = STATUS_LABELS.get(event.status)
    return str(label) if label is not None else ""


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def add_months(day: date, months: int) -> date:
    """The first of the month `months` away from `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_last_day(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """00:00 local on `day`, aware (midnight exists in every zone we know of; zoneinfo
    picks the right offset on a daylight-saving day)."""
    return datetime.combine(day, time(0), tzinfo=tz)


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a local day, in UTC: 23, 24 or 25 hours long."""
    start = local_midnight(day, tz).astimezone(UTC)
    end = local_midnight(day + timedelta(days=1), tz).astimezone(UTC)
    return start, end


@dataclass(frozen=True)
class Window:
    """What a view shows: local days first..last (inclusive) and the aware range
    [start, end) to ask the selector for."""

    view: str
    anchor: date
    first: date
    last: date
    start: datetime
    end: datetime
    previous: date
    next: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def window(view: str, anchor: date, tz: tzinfo) -> Window:
    """The days a view shows around `anchor`, and where "previous"/"next" go.

    month: whole weeks (Monday to Sunday) covering the anchor's month; list: the
    anchor's month, day by day; week: Monday to Sunday; day: the anchor's day."""
    if view == WEEK:
        first = monday_of(anchor)
        last = first + timedelta(days=6)
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
    elif view == DAY:
        first = last = anchor
        previous, following = anchor - timedelta(days=1), anchor + timedelta(days=1)
    else:
        month_first = anchor.replace(day=1)
        month_end = month_last_day(anchor)
        if view == MONTH:
            first = monday_of(month_first)
            last = monday_of(month_end) + timedelta(days=6)
        else:
            first, last = month_first, month_end
        previous, following = add_months(anchor, -1), add_months(anchor, 1)
    return Window(
        view=view,
        anchor=anchor,
        first=first,
        last=last,
        start=local_midnight(first, tz),
        end=local_midnight(last + timedelta(days=1), tz),
        previous=previous,
        next=following,
    )


@dataclass(frozen=True)
class PlacedEvent:
    """An event as shown on one day."""

    event: CalendarEvent
    day: date
    start: datetime  # local
    end: datetime  # local
    starts_today: bool
    ends_today: bool
    legend: str
    legend_label: str
    status_label: str

    @property
    def continued(self) -> bool:
        """It began on an earlier day (shown as "(suite)")."""
        return not self.starts_today


@dataclass
class DayCell:
    day: date
    in_month: bool
    is_today: bool
    events: list[PlacedEvent] = field(default_factory=list)

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


def _all_day_dates(event: CalendarEvent) -> tuple[date, date]:
    first = event.start.date()
    last = (event.end - timedelta(microseconds=1)).date() if event.end > event.start else first
    return first, max(first, last)


def _covers(event: CalendarEvent, day: date, bounds: tuple[datetime, datetime]) -> bool:
    if event.all_day:
        first, last = _all_day_dates(event)
        return first <= day <= last
    start, end = bounds
    if event.end <= event.start:  # an instant (a deadline)
        return start <= event.start < end
    return event.start < end and event.end > start


def _placed(event: CalendarEvent, day: date, tz: tzinfo) -> PlacedEvent:
    local_start = event.start.astimezone(tz)
    local_end = event.end.astimezone(tz)
    if event.all_day:
        first, last = _all_day_dates(event)
        starts_today, ends_today = first == day, last == day
    else:
        starts_today = local_start.date() == day
        # An end at exactly midnight ends the previous day.
        end_day = (
            (local_end - timedelta(microseconds=1)).date()
            if event.end > event.start
            else local_start.date()
        )
        ends_today = end_day == day
    return PlacedEvent(
        event=event,
        day=day,
        start=local_start,
        end=local_end,
        starts_today=starts_today,
        ends_today=ends_today,
        legend=legend_key(event),
        legend_label=legend_label(event),
        status_label=status_label(event),
    )


def _sort_key(placed: PlacedEvent) -> tuple[int, int, datetime, str, str]:
    # All-day first, then events continuing from a previous day, then by start time.
    return (
        0 if placed.event.all_day else 1,
        0 if placed.continued else 1,
        placed.event.start,
        placed.event.title,
        placed.event.key,
    )


def place(
    events: Iterable[CalendarEvent], days: Sequence[date], tz: tzinfo
) -> dict[date, list[PlacedEvent]]:
    """Each day's events (a multi-day event on every day it covers), sorted."""
    by_day: dict[date, list[PlacedEvent]] = {day: [] for day in days}
    if not days:
        return by_day
    bounds = {day: day_bounds(day, tz) for day in days}
    for event in events:
        for day in days:
            if _covers(event, day, bounds[day]):
                by_day[day].append(_placed(event, day, tz))
    for placed in by_day.values():
        placed.sort(key=_sort_key)
    return by_day


@dataclass(frozen=True)
class Layout:
    window: Window
    title: str
    weekdays: list[str]  # "lundi" … "dimanche"
    weeks: list[list[DayCell]]  # month and week views: rows of 7 days
    days: list[DayCell]  # every day of the window, in order
    event_count: int  # distinct events shown

    @property
    def busy_days(self) -> list[DayCell]:
        """The days that have something (the list view, the month grid on a phone)."""
        return [cell for cell in self.days if cell.events]


def _title(win: Window) -> str:
    if win.view == DAY:
        return format_date(win.anchor, "weekday")
    if win.view == WEEK:
        if win.first.month == win.last.month:
            return f"{win.first.day} {DASH} {format_date(win.last)}"
        if win.first.year == win.last.year:
            return f"{format_date(win.first, 'day_month')} {DASH} {format_date(win.last)}"
        return f"{format_date(win.first)} {DASH} {format_date(win.last)}"
    return format_date(win.anchor, "month")


def layout(
    view: str, anchor: date, events: Iterable[CalendarEvent], *, tz: tzinfo, today: date
) -> Layout:
    """Everything the calendar template needs for one view."""
    if view not in VIEWS:
        view = MONTH
    win = window(view, anchor, tz)
    event_list = list(events)
    days = win.days
    by_day = place(event_list, days, tz)
    cells = [
        DayCell(
            day=day,
            in_month=(day.month == anchor.month) if view in (MONTH, LIST) else True,
            is_today=day == today,
            events=by_day[day],
        )
        for day in days
    ]
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)] if view in (MONTH, WEEK) else []
    monday = monday_of(anchor)
    weekdays = [date_format(monday + timedelta(days=n), "l") for n in range(7)]
    shown = {placed.event.key for cell in cells for placed in cell.events}
    return Layout(
        window=win,
        title=_title(win),
        weekdays=weekdays,
        weeks=weeks,
        days=cells,
        event_count=len(shown),
    )


def plan_days(items: Iterable[Any], tz: tzinfo) -> list[tuple[date, list[tuple[Any, str]]]]:
    """A plan's items (with `effective_status`) by local day, each with its status label."""
    rows = [(item, str(STATUS_LABELS.get(item.effective_status, ""))) for item in items]
    groups: dict[date, list[tuple[Any, str]]] = {}
    for item, label in rows:
        groups.setdefault(item.starts_at.astimezone(tz).date(), []).append((item, label))
    return list(groups.items())
