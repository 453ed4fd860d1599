"""Every calendar file Campus emails is valid iTIP (RFC 5546) and reads the same in the
strict RFC 5545 model, icalendar and vobject: whatever offset the instructor's input came
with, whatever the students' zones, across a DST change.

Issue 15, points 1, 3 and 4: a session entered at "+01:00" (API) or in a named zone (the
instructor's form) was written `TZID="UTC+01:00"` with no VTIMEZONE; the attachment's
Content-Type carried its charset twice.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from campus.accounts.models import Role, User
from campus.agenda.tests.interop import CalendarPart, calendar_parts, check_part, spans_of
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services as live_services
from campus.live.models import LiveSession, SessionSeries
from campus.notifications import services

pytestmark = pytest.mark.django_db

SENDER = "no-reply@campus.example"
# Three weeks before the United States leave standard time (Sunday 14 March 2027, 2:00).
NOW = datetime(2027, 2, 20, 12, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def frozen(settings: Any) -> Any:
    settings.DEFAULT_FROM_EMAIL = f"Campus <{SENDER}>"
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def delivered_to(user: User) -> list[CalendarPart]:
    mail.outbox.clear()
    services.deliver_pending()
    return [part for m in mail.outbox if m.to == [user.email] for part in calendar_parts(m)]


def only_event(part: CalendarPart) -> Any:
    (event,) = check_part(part).walk("VEVENT")
    return event


def test_a_session_posted_at_plus_one_hour_is_invited_in_utc(
    api: Any, owner: User, course: Course, member: User
) -> None:
    response = api(owner).post(
        f"/api/courses/{course.pk}/live-sessions",
        {
            "title": "Séance",
            "scheduled_start_at": "2027-03-10T16:00:00+01:00",
            "scheduled_end_at": "2027-03-10T17:30:00+01:00",
        },
    )
    assert response.status_code == 201, response.content
    (part,) = delivered_to(member)
    assert part.method == "REQUEST"
    assert b"TZID" not in part.body
    event = only_event(part)
    assert event.decoded("DTSTART") == datetime(2027, 3, 10, 15, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 3, 10, 16, 30, tzinfo=UTC)
    # A New York client shows 10:00 (the file is the same for every reader).
    assert event.decoded("DTSTART").astimezone(NEW_YORK).hour == 10


def test_the_attachment_names_its_charset_and_method_once(
    owner: User, course: Course, member: User
) -> None:
    start = datetime(2027, 3, 1, 18, tzinfo=ZoneInfo("Africa/Porto-Novo"))
    live_services.session_create(
        actor=owner,
        course=course,
        title="Séance « accentuée »",
        scheduled_start_at=start,
        scheduled_end_at=start + timedelta(hours=1),
    )
    (part,) = delivered_to(member)
    assert part.content_type.lower().count("charset") == 1, part.content_type
    assert part.content_type.lower().count("method") == 1, part.content_type
    assert "accentuée" in part.body.decode()


def test_the_invitation_names_the_platform_as_organizer_and_the_reader_as_attendee(
    owner: User, course: Course, member: User
) -> None:
    start = datetime(2027, 3, 2, 9, tzinfo=UTC)
    live_services.session_create(
        actor=owner,
        course=course,
        title="Séance",
        scheduled_start_at=start,
        scheduled_end_at=start + timedelta(hours=1),
    )
    (part,) = delivered_to(member)
    event = only_event(part)
    assert str(event["ORGANIZER"]) == f"mailto:{SENDER}"
    assert str(event["ORGANIZER"].params["CN"]) == owner.display_name
    assert str(event["ATTENDEE"]) == f"mailto:{member.email}"
    assert str(event["ATTENDEE"].params["CN"]) == member.display_name
    assert event["SEQUENCE"] == 0 and "DTSTAMP" in event


# The zones an instructor's input may come with: named (the form converts the local
# input in the instructor's zone), fixed offsets (the API), half hours, the other side of
# the date line.
INPUT_ZONES = [
    "America/New_York",
    "Africa/Porto-Novo",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "+01:00",
    "-03:30",
]


def zone(name: str) -> Any:
    if name[0] in "+-":
        return datetime.fromisoformat(f"2027-01-01T00:00:00{name}").tzinfo
    return ZoneInfo(name)


@pytest.mark.parametrize("input_zone", INPUT_ZONES)
@pytest.mark.parametrize("reader_zone", ["America/New_York", "Europe/Paris", "Asia/Tokyo"])
def test_every_session_email_is_valid_itip_across_the_dst_change(
    owner: User, course: Course, user_factory: Any, input_zone: str, reader_zone: str
) -> None:
    reader = user_factory(Role.STUDENT, timezone=reader_zone)
    course_services.enrollment_create(actor=reader, course=course)
    tz = zone(input_zone)
    # Saturday evening in New York to Sunday morning, over the change of hour.
    # (Computed in UTC: aware arithmetic in a named zone is wall-clock arithmetic.)
    start = datetime(2027, 3, 13, 23, 0, tzinfo=NEW_YORK).astimezone(UTC)
    moved = start + timedelta(days=1)
    length = timedelta(hours=5)
    session = live_services.session_create(
        actor=owner,
        course=course,
        title="Séance de nuit",
        scheduled_start_at=start.astimezone(tz),
        scheduled_end_at=(start + length).astimezone(tz),
    )
    live_services.session_update(
        actor=owner,
        session=session,
        scheduled_start_at=moved.astimezone(tz),
        scheduled_end_at=(moved + length).astimezone(tz),
    )
    series, _ = live_services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[0],
        start_time=time(18, 0),
        timezone_name=input_zone if input_zone[0] not in "+-" else "UTC",
        starts_on=datetime(2027, 3, 1).date(),
        duration_minutes=60,
        count=4,
    )
    live_services.series_update(actor=owner, series=series, start_time=time(19, 0))
    live_services.series_cancel(actor=owner, series=series, reason="Fin")
    session.refresh_from_db()
    live_services.session_cancel(actor=owner, session=session, reason="Imprévu")

    parts = delivered_to(reader)
    methods = sorted(str(p.method) for p in parts)
    # scheduled, rescheduled, series (PUBLISH), series edited, series and session cancelled
    assert methods == ["CANCEL", "CANCEL", "PUBLISH", "REQUEST", "REQUEST", "REQUEST"], methods
    for part in parts:
        calendar = check_part(part)  # three parsers, UTC only, iTIP table, header
        for uid, span in spans_of(calendar).items():
            if not uid.startswith(f"live-session-{session.pk}@"):
                continue
            assert isinstance(span.start, datetime) and isinstance(span.end, datetime)
            assert span.start in (start, moved)
            assert span.end - span.start == length
    series_rows = LiveSession.objects.filter(series=series).order_by("scheduled_start_at")
    assert SessionSeries.objects.filter(pk=series.pk).exists()
    # The series keeps its wall-clock hour across the change: 19:00 in its zone each week.
    if input_zone[0] not in "+-":
        hours = {s.scheduled_start_at.astimezone(tz).hour for s in series_rows}
        assert hours == {19}, hours


def test_a_deleted_session_sends_a_valid_cancel(owner: User, course: Course, member: User) -> None:
    start = datetime(2027, 3, 3, 16, tzinfo=zone("+01:00"))
    session = live_services.session_create(
        actor=owner,
        course=course,
        title="Séance",
        scheduled_start_at=start,
        scheduled_end_at=start + timedelta(hours=1),
    )
    live_services.session_delete(actor=owner, session=session)
    parts = delivered_to(member)
    cancel = [p for p in parts if p.method == "CANCEL"]
    assert len(cancel) == 1
    event = only_event(cancel[0])
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == datetime(2027, 3, 3, 15, tzinfo=UTC)


def test_a_session_entered_in_the_instructors_form_is_invited_in_utc(
    owner: User, course: Course, member: User
) -> None:
    """The form reads the local input in the instructor's zone (here New York, the day
    the clocks go forward): the invitation says the same instant, in UTC."""
    owner.timezone = "America/New_York"
    owner.save(update_fields=["timezone"])
    client = Client()
    client.force_login(owner)
    response = client.post(
        reverse("live:session_create", kwargs={"course_id": course.pk}),
        {
            "title": "Séance du dimanche",
            "description": "",
            "date": "2027-03-14",
            "start_time": "10:00",
            "end_time": "11:30",
            "max_participants": "30",
        },
    )
    assert response.status_code == 302, response.content
    (part,) = delivered_to(member)
    assert b"TZID" not in part.body
    event = only_event(part)
    assert event.decoded("DTSTART") == datetime(2027, 3, 14, 14, tzinfo=UTC)  # EDT, -4
    assert event.decoded("DTEND") == datetime(2027, 3, 14, 15, 30, tzinfo=UTC)
