"""iCalendar output: RFC 5545 feeds read back by two independent parsers (icalendar and
vobject), stable UIDs, SEQUENCE on reschedule, cancellations kept 30 days."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
import vobject
from django.conf import settings
from icalendar import Calendar

from campus.accounts.models import User
from campus.agenda import ics, links, selectors, services
from campus.agenda.tests.backend_helpers import MONDAY, generate, session_at
from campus.courses.models import Course, Quiz
from campus.live import services as live_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def render(user: User) -> bytes:
    events = selectors.feed_events(user=user, now=MONDAY)
    return ics.build_calendar(events, name="Campus — mon agenda", url="https://x.test/f.ics")


def vevents(body: bytes) -> dict[str, Any]:
    return {str(c["uid"]): c for c in Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
def busy_course(frozen: Any, course: Course, member: User, owner: User) -> Course:
    course.course_start_date = date(2027, 1, 4)
    course.course_end_date = date(2027, 3, 1)
    course.save()
    Quiz.objects.filter(course=course, final_for__isnull=False).update(
        due_at=MONDAY + timedelta(days=20)
    )
    session_at(owner, course, MONDAY + timedelta(days=1), title="Séance « spéciale », 1/2")
    generate(member, course)
    return course


def test_the_feed_parses_with_icalendar_and_vobject(busy_course: Course, member: User) -> None:
    body = render(member)
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert "METHOD" not in calendar  # a feed is a snapshot, not an iTIP message
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "Campus — mon agenda"
    assert str(calendar["NAME"]) == "Campus — mon agenda"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
    assert b"X-PUBLISHED-TTL:PT1H" in body
    events = calendar.walk("VEVENT")
    assert len(events) == len(selectors.feed_events(user=member, now=MONDAY)) > 10
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL", "SEQUENCE", "STATUS"):
            assert prop in event, (prop, event)
        assert str(event["URL"]).startswith(settings.SITE_URL)
        start = event.decoded("DTSTART")
        if isinstance(start, datetime):
            assert start.utcoffset() == timedelta(0)
    assert b"VALUE=DATE:20270104" in body  # the course start, all day

    parsed = vobject.readOne(body.decode())
    uids = [e.uid.value for e in parsed.vevent_list]
    assert sorted(uids) == sorted(str(e["UID"]) for e in events)
    session = next(e for e in parsed.vevent_list if e.uid.value.startswith("live-session-"))
    assert session.summary.value.startswith("Séance « spéciale », 1/2")
    assert session.dtstart.value == MONDAY + timedelta(days=1)
    assert len(list(vobject.readComponents(body.decode()))) == 1


def test_uids_are_stable_across_renders_and_replans(busy_course: Course, member: User) -> None:
    first, second = render(member), render(member)
    assert first == second  # DTSTAMP is never "now": byte-identical renders
    before = set(vevents(first))
    services.plan_replan(
        actor=member,
        enrollment=member.enrollments.get(course=busy_course),
        now=MONDAY,
    )
    assert set(vevents(render(member))) == before


def test_reschedule_bumps_sequence_and_keeps_the_uid(
    busy_course: Course, member: User, owner: User
) -> None:
    session = busy_course.live_sessions.get()
    uid = f"live-session-{session.pk}@{selectors.site_host()}"
    assert int(vevents(render(member))[uid]["SEQUENCE"]) == 0
    live_services.session_update(
        actor=owner,
        session=session,
        scheduled_start_at=session.scheduled_start_at + timedelta(hours=2),
        scheduled_end_at=session.scheduled_end_at + timedelta(hours=2),
        now=MONDAY,
    )
    event = vevents(render(member))[uid]
    assert int(event["SEQUENCE"]) >= 1
    assert event.decoded("DTSTART") == MONDAY + timedelta(days=1, hours=2)


def test_a_cancelled_session_is_cancelled_then_gone_after_30_days(
    busy_course: Course, member: User, owner: User
) -> None:
    session = busy_course.live_sessions.get()
    live_services.session_cancel(actor=owner, session=session, reason="Grève")
    uid = f"live-session-{session.pk}@{selectors.site_host()}"
    event = vevents(render(member))[uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    later = MONDAY + timedelta(days=31)
    with time_machine.travel(later, tick=False):
        events = selectors.feed_events(user=member, now=later)
    assert uid not in {e.uid for e in events}


def test_single_event_ics_and_links(busy_course: Course, member: User) -> None:
    event = selectors.calendar_events(
        user=member,
        start=MONDAY,
        end=MONDAY + timedelta(days=5),
        types={"live_session"},
    )[0]
    body = ics.build_event(event)
    parsed = vobject.readOne(body.decode())
    assert parsed.vevent.uid.value == event.uid
    assert len(Calendar.from_ical(body).walk("VEVENT")) == 1
    found = links.event_links(event)
    assert "text=S%C3%A9ance" in found["google"]
    assert "startdt=2027-01-05T06%3A00%3A00Z" in found["outlook"]
    assert "rru=addevent" in found["outlook"]


def test_zero_length_deadline_has_a_zero_duration(busy_course: Course, member: User) -> None:
    events = [e for e in selectors.feed_events(user=member, now=MONDAY) if e.type == "deadline"]
    assert len(events) == 1
    body = ics.build_event(events[0])
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert "DTEND" not in event
    assert event.decoded("DURATION") == timedelta(0)  # else clients show one hour
    assert event.decoded("DTSTART") == datetime(2027, 1, 24, 6, tzinfo=UTC)
