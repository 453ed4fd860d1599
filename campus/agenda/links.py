"""Subscription and "add to my calendar" links (Google Calendar, Outlook, webcal)."""

from collections.abc import Callable
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from campus.agenda.events import CalendarEvent
from campus.agenda.ics import absolute, reminder_note
from campus.agenda.paths import template

UTC = ZoneInfo("UTC")


def _subscribe(https: str) -> dict[str, str]:
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": "Campus"}),
    }


def feed_urls(token: str) -> dict[str, str]:
    """The personal feed: https, webcal, and Google/Outlook subscribe links."""
    return _subscribe(settings.SITE_URL + reverse("agenda:feed", kwargs={"token": token}))


def course_feed_urls(token: str, course_id: int) -> dict[str, str]:
    path = reverse("agenda:course_feed", kwargs={"token": token, "course_id": course_id})
    return _subscribe(settings.SITE_URL + path)


def _google_dates(event: CalendarEvent) -> str:
    if event.all_day:
        return f"{event.start:%Y%m%d}/{event.end:%Y%m%d}"
    start, end = event.start.astimezone(UTC), event.end.astimezone(UTC)
    return f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"


def _outlook_time(event: CalendarEvent, *, end: bool) -> str:
    value = event.end if end else event.start
    if event.all_day:
        return value.date().isoformat()
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_ics_path(event: CalendarEvent) -> str:
    """`reverse("agenda:event_ics", kwargs={"key": event.key})`, without a resolver walk
    per event (lists carry hundreds)."""
    return event_ics_template()(event.key)


def event_ics_template() -> Callable[[str], str]:
    """`event_ics_path` by key, taken once for a list of events."""
    return template("agenda:event_ics", "key")


def event_links(event: CalendarEvent) -> dict[str, str]:
    """The single-event .ics download path, "add to" links for Google and Outlook, the
    reminders the downloaded file carries (a sentence) and an id for the page."""
    url = absolute(event.url)
    details = f"{event.description}\n\n{url}".strip() if event.description else url
    google = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": _google_dates(event),
        "details": details,
        "location": url,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": _outlook_time(event, end=False),
        "enddt": _outlook_time(event, end=True),
        "body": details,
        "location": url,
    }
    if event.all_day:
        outlook["allday"] = "true"
    return {
        "key": event.key,
        "reminder": reminder_note(event),
        "ics": event_ics_path(event),
        "google": "https://calendar.google.com/calendar/render?" + urlencode(google),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook),
    }
