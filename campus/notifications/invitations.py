"""iCalendar invitations attached to session emails (RFC 5546 iTIP, via `icalendar`).

METHOD:REQUEST with the session's stable UID and its SEQUENCE when a session is
scheduled, rescheduled or reminded; METHOD:CANCEL when it is cancelled. Mail clients
(Gmail, Outlook, Apple Mail) match the UID and keep the highest SEQUENCE, so the
attendee's calendar entry moves or disappears instead of being duplicated.

ORGANIZER is required in REQUEST and CANCEL (RFC 5546, 3.2.2 and 3.2.5). It is the
platform's no-reply sender (`DEFAULT_FROM_EMAIL`) with the instructor's name as CN: the
snapshot stored in every member's notification holds that name, never an email address
(a notification carries no one's email but, in its .ics, the recipient's own).
"""

from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from campus.accounts.models import User
from campus.core import content
from campus.core.icalendar_times import add_span, add_stamp
from campus.live.models import LiveSession, LiveSessionStatus

PRODID = "-//Campus//Cours en direct//FR"


def session_uid(session: LiveSession) -> str:
    """Stable for the session's whole life: the same in emails and calendar feeds."""
    return session_uid_of(session.pk)


def session_uid_of(session_id: int, host: str | None = None) -> str:
    """`session_uid` from the id alone (calendar rows are read without instances);
    `host`, when the caller already has the site's host name, saves parsing SITE_URL."""
    host = host or urlsplit(settings.SITE_URL).hostname or "campus.local"
    return f"live-session-{session_id}@{host}"


def session_url(session: LiveSession) -> str:
    path = reverse(
        "live:session_detail", kwargs={"slug": session.course.slug, "session_id": session.pk}
    )
    return f"{settings.SITE_URL}{path}"


def session_snapshot(session: LiveSession) -> dict[str, Any]:
    """What an invitation needs, frozen when the notice is made (stored in its data):
    the email then describes the session as the notice announced it, even if the row
    changes or is deleted before the email leaves."""
    return {
        "uid": session_uid(session),
        "sequence": session.sequence,
        "start": session.scheduled_start_at.isoformat(),
        "end": session.scheduled_end_at.isoformat(),
        "summary": f"{session.title} — {session.course.title}",
        # Calendars show plain text: the Markdown as words, lines and lists kept.
        "description": content.plain_paragraphs(session.description),
        "url": session_url(session),
        "organizer": {"name": session.instructor.display_name},
        "cancelled": session.status == LiveSessionStatus.CANCELLED,
        "stamp": session.updated_at.isoformat(),
    }


def organizer_address() -> str:
    """The platform's sender address, bare ("Campus <no-reply@x>" -> "no-reply@x")."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.SERVER_EMAIL


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def session_invitation(snapshot: dict[str, Any], *, attendee: User, method: str) -> bytes:
    """The .ics for one attendee from a session snapshot. `method`: "REQUEST" or
    "CANCEL"."""
    calendar = _calendar(method)
    calendar.add_component(_event(snapshot, method=method, attendee=attendee))
    return calendar.to_ical()


def series_calendar(snapshots: list[dict[str, Any]]) -> bytes:
    """Every occurrence of a new series in one file (METHOD:PUBLISH, to add them all at
    once) rather than one invitation email per occurrence. Each keeps its own UID, so a
    later invitation about one occurrence updates that one."""
    calendar = _calendar("PUBLISH")
    for snapshot in snapshots:
        calendar.add_component(_event(snapshot, method="PUBLISH", attendee=None))
    return calendar.to_ical()


def series_invitation(snapshots: list[dict[str, Any]], *, attendee: User, method: str) -> bytes:
    """Several occurrences in one iTIP file: `method` "REQUEST" (a series edited as a
    whole: each event at its new SEQUENCE) or "CANCEL" (its future occurrences
    cancelled). Each event keeps its own UID, so the client updates or removes exactly
    the entries it already has."""
    calendar = _calendar(method)
    for snapshot in snapshots:
        calendar.add_component(_event(snapshot, method=method, attendee=attendee))
    return calendar.to_ical()


def _event(snapshot: dict[str, Any], *, method: str, attendee: User | None) -> Event:
    event = Event()
    event.add("uid", snapshot["uid"])
    event.add("sequence", snapshot["sequence"])
    add_stamp(event, "dtstamp", datetime.fromisoformat(snapshot["stamp"]))
    start, end = datetime.fromisoformat(snapshot["start"]), datetime.fromisoformat(snapshot["end"])
    add_span(event, start=start, end=end, all_day=False)
    event.add("summary", snapshot["summary"])
    if snapshot["description"]:
        event.add("description", snapshot["description"])
    event.add("url", snapshot["url"])
    event.add("location", snapshot["url"])
    cancelled = method == "CANCEL" or snapshot["cancelled"]
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Snapshots stored before this rule may still hold an "email": it is not used.
    event.add("organizer", _address(organizer_address(), snapshot["organizer"]["name"]))
    if attendee is not None:
        attendee_address = _address(attendee.email, attendee.display_name)
        attendee_address.params["role"] = vText("REQ-PARTICIPANT")
        attendee_address.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee_address, encode=False)
    return event
