"""iCalendar (RFC 5545) output of calendar events, through the `icalendar` library.

Renders are stable: the same events give the same bytes (DTSTAMP is the row's last
modification, never "now"), so ETags hold and clients see no spurious change. Times are
UTC; all-day events are DATE values. UIDs come from the events and never change.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from icalendar import Calendar, Event, vDuration

from campus.agenda.events import CalendarEvent
from campus.agenda.selectors import EPOCH
from campus.live.models import LiveSessionStatus
from campus.notifications.invitations import PRODID

REFRESH = timedelta(hours=1)


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def _calendar(*, name: str, url: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    if url:
        calendar.add("url", url)
        calendar.add("source", url, parameters={"VALUE": "URI"})
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def _event(item: CalendarEvent) -> Event:
    event = Event()
    stamp = item.updated_at or EPOCH
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    if item.all_day:
        event.add("dtstart", item.start.date())
        event.add("dtend", max(item.end.date(), item.start.date() + timedelta(days=1)))
    else:
        event.add("dtstart", item.start.astimezone(EPOCH.tzinfo))
        if item.end > item.start:  # zero length: no DTEND (RFC 5545 §3.6.1)
            event.add("dtend", item.end.astimezone(EPOCH.tzinfo))
    summary = item.title if item.title else item.course_title
    if item.course_title and item.course_title not in summary:
        summary = f"{summary} — {item.course_title}"
    event.add("summary", summary)
    if item.description:
        event.add("description", item.description)
    event.add("url", absolute(item.url))
    event.add("sequence", item.sequence)
    cancelled = item.status == LiveSessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("categories", [item.type])
    if item.all_day:
        event.add("transp", "TRANSPARENT")
    return event


def build_calendar(events: Iterable[CalendarEvent], *, name: str, url: str) -> bytes:
    """A whole calendar (a subscription feed)."""
    calendar = _calendar(name=name, url=url)
    for item in events:
        calendar.add_component(_event(item))
    return bytes(calendar.to_ical())


def build_event(event: CalendarEvent) -> bytes:
    """One event, for a single .ics download."""
    calendar = _calendar(name=event.title, url=None)
    calendar.add_component(_event(event))
    return bytes(calendar.to_ical())
