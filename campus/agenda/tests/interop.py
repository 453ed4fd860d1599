"""Interoperability checks for every .ics Campus produces, shared by the agenda and
notifications tests.

`parse_everywhere` reads a file with three independent parsers: the strict RFC 5545
model (`ical`), `icalendar` and `vobject`; it asserts they agree on each event's instants
and that every date-time is UTC or names a TZID its file defines (VTIMEZONE). `check_itip`
holds RFC 5546's property table for the methods Campus sends. `calendar_parts` reads the
calendar attachments of an email as its recipient's client would.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import vobject
from django.core.mail import EmailMessage
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

DATE_TIME_PROPERTIES = ("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED", "CREATED", "DUE")


@dataclass(frozen=True)
class Span:
    """An event as all three parsers must read it: aware UTC instants (all-day: dates)."""

    start: datetime | date
    end: datetime | date


def _span(start: Any, end: Any) -> Span:
    if isinstance(start, datetime):
        assert start.tzinfo is not None, f"floating time {start}"
        assert isinstance(end, datetime) and end.tzinfo is not None, f"floating end {end}"
        return Span(start.astimezone(UTC), end.astimezone(UTC))
    return Span(start, end)


def _check_times(calendar: Calendar) -> None:
    """UTC ("Z") or a TZID with its VTIMEZONE: never a floating or undefined zone."""
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for component in calendar.walk():
        for name in DATE_TIME_PROPERTIES:
            if name not in component:
                continue
            prop: Any = component[name]
            tzid = prop.params.get("TZID")
            if tzid is not None:
                assert str(tzid) in defined, f"{name};TZID={tzid} without its VTIMEZONE"
            elif isinstance(prop.dt, datetime):
                assert prop.to_ical().endswith(b"Z"), f"{name} is floating: {prop.to_ical()!r}"


def _icalendar_spans(calendar: Calendar) -> dict[str, Span]:
    spans = {}
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        if "DTEND" in event:
            end = event.decoded("DTEND")
        elif "DURATION" in event:
            end = start + event.decoded("DURATION")
        else:  # RFC 5545 §3.6.1's default, which clients do not follow: we never rely on it
            raise AssertionError(f"{event['UID']} has neither DTEND nor DURATION")
        spans[str(event["UID"])] = _span(start, end)
    return spans


def _vobject_spans(text: str) -> dict[str, Span]:
    parsed = vobject.readOne(text)
    spans = {}
    for event in getattr(parsed, "vevent_list", []):
        start = event.dtstart.value
        end = event.dtend.value if hasattr(event, "dtend") else start + event.duration.value
        spans[str(event.uid.value)] = _span(start, end)
    return spans


def _strict_spans(text: str) -> dict[str, Span]:
    strict = IcsCalendarStream.calendar_from_ics(text)  # raises on anything invalid
    return {str(e.uid): _span(e.dtstart, e.end) for e in strict.events}


def parse_everywhere(body: bytes | str, *, crlf: bool = True) -> Calendar:
    """The file as `icalendar` reads it, once the strict model and vobject have read it
    too and all three agree on every event's UID and instants. `crlf`: lines must end in
    CRLF (RFC 5545 §3.1); an email part read back has its line ends made local, as MIME
    text parts do, so it is not checked there."""
    text = body.decode() if isinstance(body, bytes) else body
    if crlf:
        assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "lines must end in CRLF"
    calendar = Calendar.from_ical(text)
    _check_times(calendar)
    spans = _icalendar_spans(calendar)
    assert _strict_spans(text) == spans
    assert _vobject_spans(text) == spans
    return calendar


def spans_of(calendar: Calendar) -> dict[str, Span]:
    return _icalendar_spans(calendar)


# --- iTIP (RFC 5546 §3.2) ---------------------------------------------------------------

# Per method: properties each VEVENT must carry once, and those it must not carry.
_REQUIRED = {
    "PUBLISH": ("DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"),
    "REQUEST": ("DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"),
    "CANCEL": ("DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"),
}
_FORBIDDEN = {"PUBLISH": ("ATTENDEE",), "REQUEST": (), "CANCEL": ()}
_STATUSES = {
    "PUBLISH": {"TENTATIVE", "CONFIRMED", "CANCELLED"},
    "REQUEST": {"TENTATIVE", "CONFIRMED"},
    "CANCEL": {"CANCELLED"},
}


def check_itip(calendar: Calendar, method: str) -> None:
    assert str(calendar["METHOD"]) == method
    assert "PRODID" in calendar and str(calendar["VERSION"]) == "2.0"
    events = calendar.walk("VEVENT")
    assert events, "an iTIP message carries at least one event"
    for event in events:
        for name in _REQUIRED[method]:
            assert name in event, f"{method} without {name}"
            assert not isinstance(event[name], list), f"{name} more than once"
        for name in _FORBIDDEN[method]:
            assert name not in event, f"{method} with {name}"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        if method in ("REQUEST", "CANCEL"):
            attendees = event.get("ATTENDEE")
            assert attendees, f"{method} without ATTENDEE"
            for attendee in attendees if isinstance(attendees, list) else [attendees]:
                assert str(attendee).startswith("mailto:")
        # SEQUENCE may be left out only while it is 0.
        if "SEQUENCE" not in event:
            assert method != "CANCEL"
        if "STATUS" in event:
            assert str(event["STATUS"]) in _STATUSES[method], (method, event["STATUS"])


# --- Email attachments ------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarPart:
    content_type: str  # the header as sent
    method: str | None
    charset: str | None
    body: bytes


def _parts(message: Message) -> list[CalendarPart]:
    found = []
    for part in message.walk():
        if part.get_content_type() != "text/calendar":
            continue
        header = str(part["Content-Type"])
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        method = part.get_param("method")
        found.append(
            CalendarPart(
                header,
                method if isinstance(method, str) else None,
                part.get_content_charset(),
                payload,
            )
        )
    return found


def calendar_parts(message: EmailMessage) -> list[CalendarPart]:
    """The text/calendar parts of a Django message, read back from its wire form."""
    wire = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    return _parts(wire)


def check_part(part: CalendarPart) -> Calendar:
    """Each Content-Type parameter once, `method` equal to the file's METHOD (RFC 5545
    §3.7.2), and the file readable by all three parsers."""
    lowered = part.content_type.lower()
    assert lowered.count("charset") == 1, part.content_type
    assert lowered.count("method") == 1, part.content_type
    assert part.charset == "utf-8"
    calendar = parse_everywhere(part.body, crlf=False)
    assert str(calendar["METHOD"]) == part.method
    check_itip(calendar, str(part.method))
    return calendar
