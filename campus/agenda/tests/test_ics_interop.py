"""Every .ics the agenda serves (personal feed, course feed, single-event download) reads
the same in the strict RFC 5545 model, icalendar and vobject, in any user zone and across
a DST change; point events last zero minutes; milestones mark shares of the whole course;
Last-Modified moves forward when an event is deleted (issue 15, points 1, 2, 4, 5, 6)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from campus.accounts.models import User
from campus.agenda import selectors, services
from campus.agenda.models import PlanItem, PlanItemKind
from campus.agenda.tests.backend_helpers import enroll, enrollment_of, generate
from campus.agenda.tests.interop import parse_everywhere, spans_of
from campus.courses import services as course_services
from campus.courses.models import Course, Lesson, Quiz
from campus.live import services as live_services
from conftest import build_course

pytestmark = pytest.mark.django_db

# A week before the United States change hour (14 March 2027) and three before Europe's.
NOW = datetime(2027, 3, 7, 12, 0, tzinfo=UTC)
ZONES = ["Africa/Porto-Novo", "America/New_York", "Europe/Paris", "Asia/Kolkata", "UTC"]


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def token_of(user: User) -> str:
    return services.calendar_token(actor=user).token


def feed(user: User, course: Course | None = None) -> bytes:
    token = token_of(user)
    if course is None:
        path = reverse("agenda:feed", kwargs={"token": token})
    else:
        path = reverse("agenda:course_feed", kwargs={"token": token, "course_id": course.pk})
    response = Client().get(path)
    assert response.status_code == 200
    return bytes(response.content)


@pytest.fixture
def student_in(frozen: Any, owner: User, user_factory: Any) -> Any:
    """A student in `zone` with every kind of event: sessions entered at +01:00 and in
    New York time over the change of hour, a plan (lessons, quizzes, milestones), quiz
    deadlines, the course's first and last days."""

    def make(zone: str) -> tuple[User, Course]:
        course = build_course(
            owner, course_start_date=date(2027, 3, 8), course_end_date=date(2027, 4, 30)
        )
        student = user_factory(timezone=zone)
        enroll(student, course)
        plus_one = datetime(2027, 3, 10, 16, tzinfo=ZoneInfo("Africa/Porto-Novo"))
        night = datetime(2027, 3, 13, 23, tzinfo=ZoneInfo("America/New_York"))
        for start in (plus_one, night):
            live_services.session_create(
                actor=owner,
                course=course,
                title="Séance",
                scheduled_start_at=start,
                scheduled_end_at=(start.astimezone(UTC) + timedelta(hours=4)).astimezone(
                    start.tzinfo
                ),
            )
        final = Quiz.objects.get(course=course, final_for__isnull=False)
        course_services.quiz_update(
            actor=owner, quiz=final, due_at=datetime(2027, 3, 28, 23, 59, tzinfo=UTC)
        )
        generate(student, course, now=NOW)
        return student, course

    return make


@pytest.mark.parametrize("zone", ZONES)
def test_every_feed_and_download_reads_the_same_everywhere(student_in: Any, zone: str) -> None:
    student, course = student_in(zone)
    events = selectors.feed_events(user=student, now=NOW)
    assert {e.type for e in events} == {
        "live_session",
        "lesson",
        "quiz",
        "milestone",
        "deadline",
        "course",
    }
    for body in (feed(student), feed(student, course)):
        assert b"TZID" not in body and b"METHOD" not in body
        calendar = parse_everywhere(body)
        spans = spans_of(calendar)
        assert set(spans) == {e.uid for e in events}
        for event in events:
            span = spans[event.uid]
            if event.all_day:  # the student's local days
                assert span.start == event.start.date() and span.end == event.end.date()
            else:
                assert (span.start, span.end) == (event.start, event.end)
    client = Client()
    client.force_login(student)
    for event in events:
        response = client.get(reverse("agenda:event_ics", kwargs={"key": event.key}))
        assert response.status_code == 200
        (uid,) = spans_of(parse_everywhere(response.content))
        assert uid == event.uid


def test_the_plus_one_session_is_at_the_same_instant_for_new_york(student_in: Any) -> None:
    student, _course = student_in("America/New_York")
    calendar = parse_everywhere(feed(student))
    starts = sorted(
        span.start for uid, span in spans_of(calendar).items() if uid.startswith("live-session-")
    )
    assert starts[0] == datetime(2027, 3, 10, 15, tzinfo=UTC)  # 10:00 in New York
    assert starts[1] == datetime(2027, 3, 14, 4, tzinfo=UTC)  # Saturday 23:00 EST


def category(event: Any) -> str:
    return str(event["CATEGORIES"].to_ical().decode())


def test_point_events_last_zero_minutes(student_in: Any) -> None:
    student, _course = student_in("Europe/Paris")
    calendar = parse_everywhere(feed(student))
    points = [e for e in calendar.walk("VEVENT") if category(e) in ("milestone", "deadline")]
    assert {category(e) for e in points} == {"milestone", "deadline"}
    for event in points:
        assert "DTEND" not in event
        assert event.decoded("DURATION") == timedelta(0)


def test_milestones_mark_shares_of_the_whole_course(
    frozen: Any, owner: User, user_factory: Any
) -> None:
    """Only the final quiz left: the quarters behind the student are not placed again, so
    no evening holds "25 %", "50 %", "75 %" and "100 %" together."""
    course = build_course(owner)
    student = user_factory()
    enroll(student, course)
    for lesson in Lesson.objects.filter(course=course):
        course_services.lesson_complete(actor=student, lesson=lesson)
    for quiz in Quiz.objects.filter(course=course, final_for__isnull=True):
        answers = {str(q.pk): [1] for q in quiz.questions.all()}
        course_services.quiz_submit(actor=student, quiz=quiz, answers=answers)
    plan = generate(student, course, now=NOW)
    items = list(PlanItem.objects.filter(plan=plan).order_by("starts_at", "position"))
    assert [i.kind for i in items] == [PlanItemKind.QUIZ, PlanItemKind.MILESTONE]
    assert items[1].milestone_percent == 100
    assert items[1].starts_at == items[0].ends_at == items[1].ends_at
    assert enrollment_of(student, course).is_active


def test_a_deletion_moves_last_modified_forward(frozen: Any, student_in: Any) -> None:
    """The newest remaining event is older than the client's copy: a client that
    revalidates with If-Modified-Since alone must still get the new file."""
    student, course = student_in("Africa/Porto-Novo")
    path = reverse("agenda:feed", kwargs={"token": token_of(student)})
    client = Client()
    first = client.get(path)
    frozen.shift(timedelta(hours=2))
    newest = max(course.live_sessions.all(), key=lambda s: s.updated_at)
    live_services.session_delete(actor=course.instructor, session=newest)
    since = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 200
    assert since["Last-Modified"] != first["Last-Modified"]
    assert f"live-session-{newest.pk}@".encode() not in since.content
    again = client.get(path, HTTP_IF_MODIFIED_SINCE=since["Last-Modified"])
    assert again.status_code == 304
