"""iCalendar (RFC 5545) output of calendar events, through the `icalendar` library.

Renders are stable: the same events give the same bytes (DTSTAMP is the row's last
modification, never "now"), so ETags hold and clients see no spurious change. Times are
UTC and points in time have a zero DURATION (campus.core.icalendar_times); all-day events
are DATE values. UIDs come from the events and never change.

No METHOD property: a feed or a downloaded file is a snapshot of a calendar, not an iTIP
scheduling message (RFC 5546). RFC 5545 §3.7.2 ties METHOD to the MIME `method`
parameter, which a feed served over HTTP does not carry, and METHOD:PUBLISH would make
iTIP checkers require an ORGANIZER that study slots, deadlines and course dates do not
have. The invitations sent by email are iTIP (campus.notifications.invitations).

A downloaded single event carries reminders (VALARM, ACTION:DISPLAY): the student added
it by hand and expects to be reminded. The subscription feeds carry none: calendar
clients apply their own default alerts to subscribed calendars, and many ignore or
strip a feed's alarms.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from icalendar import Alarm, Calendar, Event, vDuration

from campus.agenda import events as ev
from campus.agenda.events import CalendarEvent
from campus.agenda.selectors import EPOCH
from campus.core.icalendar_times import add_span, add_stamp
from campus.live.models import LiveSessionStatus
from campus.notifications.invitations import PRODID

REFRESH = timedelta(hours=1)


# --- Reminders of a downloaded event ------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    trigger: timedelta  # relative to the start (all-day events: to local midnight)
    text: Promise  # the alarm's DESCRIPTION, "%(t)s" being the event's summary


SOON = Reminder(timedelta(minutes=-30), _("Dans 30 minutes : %(t)s"))
DAY_BEFORE = Reminder(timedelta(days=-1), _("Dans 24 heures : %(t)s"))
LIVE_SOON = Reminder(timedelta(minutes=-30), _("Classe en direct dans 30 minutes : %(t)s"))
LIVE_DAY_BEFORE = Reminder(timedelta(days=-1), _("Classe en direct demain à la même heure : %(t)s"))
MORNING = Reminder(timedelta(hours=9), _("Aujourd'hui : %(t)s"))  # 09:00 on the day

# Nothing to remind of: over, called off, or already done.
_NO_REMINDER = {
    LiveSessionStatus.CANCELLED,
    LiveSessionStatus.ENDED,
    "done",
    "skipped",
}


def _reminder_policy(event: CalendarEvent) -> tuple[tuple[Reminder, ...], Promise | None]:
    """Which reminders a downloaded event carries, and the sentence that says so on the
    page. A live class: the day before (to keep the evening free) and 30 minutes before
    (to get connected); a quiz deadline: the day before and 30 minutes before; a study
    slot: 30 minutes before; a course's first or last day: that morning at 9:00;
    milestones (markers, not appointments): none."""
    if event.status in _NO_REMINDER or event.type == ev.MILESTONE:
        return (), None
    if event.all_day:
        return (MORNING,), _("Le fichier comprend un rappel le jour même à 9 h.")
    if event.type == ev.LIVE_SESSION:
        return (LIVE_DAY_BEFORE, LIVE_SOON), _(
            "Le fichier comprend deux rappels : la veille et 30 minutes avant."
        )
    if event.type == ev.DEADLINE:
        return (DAY_BEFORE, SOON), _(
            "Le fichier comprend deux rappels : la veille et 30 minutes avant."
        )
    return (SOON,), _("Le fichier comprend un rappel 30 minutes avant.")


def reminders(event: CalendarEvent) -> tuple[Reminder, ...]:
    return _reminder_policy(event)[0]


def reminder_note(event: CalendarEvent) -> str:
    """What the downloaded file will remind of, in a sentence ("" when nothing)."""
    note = _reminder_policy(event)[1]
    return str(note) if note is not None else ""


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def _calendar(*, name: str, url: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    if url:
        calendar.add("url", url)
        calendar.add("source", url, parameters={"VALUE": "URI"})
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def summary(item: CalendarEvent) -> str:
    text = item.title if item.title else item.course_title
    if item.course_title and item.course_title not in text:
        text = f"{text} — {item.course_title}"
    return text


def _event(item: CalendarEvent, *, alarms: bool = False) -> Event:
    event = Event()
    stamp = item.updated_at or EPOCH
    event.add("uid", item.uid)
    add_stamp(event, "dtstamp", stamp)
    add_stamp(event, "last-modified", stamp)
    add_span(event, start=item.start, end=item.end, all_day=item.all_day)
    title = summary(item)
    event.add("summary", title)
    if item.description:
        event.add("description", item.description)
    event.add("url", absolute(item.url))
    event.add("sequence", item.sequence)
    cancelled = item.status == LiveSessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("categories", [item.type])
    if item.all_day:
        event.add("transp", "TRANSPARENT")
    if alarms:
        for reminder in reminders(item):
            text = str(reminder.text) % {"t": title}
            event.add_component(Alarm.new_display(description=text, trigger=reminder.trigger))
    return event


def build_calendar(events: Iterable[CalendarEvent], *, name: str, url: str) -> bytes:
    """A whole calendar (a subscription feed)."""
    calendar = _calendar(name=name, url=url)
    for item in events:
        calendar.add_component(_event(item))
    return bytes(calendar.to_ical())


def build_event(event: CalendarEvent) -> bytes:
    """One event, for a single .ics download, with its reminders (VALARM)."""
    calendar = _calendar(name=event.title, url=None)
    calendar.add_component(_event(event, alarms=True))
    return bytes(calendar.to_ical())
