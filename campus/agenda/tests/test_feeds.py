"""The subscription feeds and the single-event download, through the real URLs."""

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from icalendar import Calendar

from campus.accounts.models import User
from campus.agenda import ics, services
from campus.agenda.tests.backend_helpers import MONDAY, enroll, generate, session_at
from campus.courses.models import Course, Quiz
from conftest import PASSWORD, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def feed_path(user: User) -> str:
    return f"/calendar/feed/{services.calendar_token(actor=user).token}.ics"


def uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
def planned(frozen: Any, course: Course, member: User, owner: User) -> Course:
    session_at(owner, course, MONDAY + timedelta(days=1))
    generate(member, course)
    return course


def test_user_feed(planned: Course, member: User) -> None:
    response = Client().get(feed_path(member))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["ETag"]
    assert response["Last-Modified"]
    assert any(uid.startswith("live-session-") for uid in uids(response.content))
    assert any(uid.startswith("plan-") for uid in uids(response.content))


def test_unchanged_feed_is_a_304(planned: Course, member: User, owner: User) -> None:
    path, client = feed_path(member), Client()
    first = client.get(path)
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    # A change (a new session) changes the ETag: the client gets the new calendar.
    session_at(owner, planned, MONDAY + timedelta(days=3), title="Nouvelle")
    changed = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_304_is_decided_without_rendering_the_calendar(
    planned: Course, member: User, monkeypatch: Any
) -> None:
    path, client = feed_path(member), Client()
    etag = client.get(path)["ETag"]
    cache.clear()  # nothing rendered is kept: a 304 must not need it
    renders: list[int] = []
    real = ics.build_calendar

    def counting(*args: Any, **kwargs: Any) -> bytes:
        renders.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ics, "build_calendar", counting)
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert renders == []
    # A client without it gets the file, rendered once for everyone asking this version.
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert renders == [1]


def test_the_feed_speaks_the_subscribers_language(planned: Course, member: User) -> None:
    member.language = "en"
    member.save(update_fields=["language"])
    body = Client().get(feed_path(member)).content.decode()
    assert "X-WR-CALNAME:Campus — my calendar" in body
    assert "Milestone" in body and "Étape" not in body


def test_wrong_or_regenerated_token_is_a_plain_404(planned: Course, member: User) -> None:
    old = feed_path(member)
    assert Client().get(old).status_code == 200
    services.calendar_token_regenerate(actor=member)
    for path in (old, "/calendar/feed/nope.ics", "/calendar/feed/" + "x" * 43 + ".ics"):
        response = Client().get(path)
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content
    assert Client().get(feed_path(member)).status_code == 200


def test_the_token_is_matched_letter_for_letter_on_every_database(
    planned: Course, member: User
) -> None:
    """MariaDB's default collation ignores case; the feed's secret must not."""
    token = services.calendar_token(actor=member).token
    assert token.swapcase() != token
    assert Client().get(f"/calendar/feed/{token.swapcase()}.ics").status_code == 404
    assert Client().get(f"/calendar/feed/{token}.ics").status_code == 200


def test_course_feed_only_for_members_and_the_instructor(
    planned: Course, member: User, owner: User, outsider: User, user_factory: Any
) -> None:
    token = services.calendar_token(actor=member).token
    response = Client().get(f"/calendar/feed/{token}/courses/{planned.pk}.ics")
    assert response.status_code == 200
    course_uids = uids(response.content)
    assert course_uids and course_uids <= uids(Client().get(feed_path(member)).content)

    owner_token = services.calendar_token(actor=owner).token
    owner_feed = Client().get(f"/calendar/feed/{owner_token}/courses/{planned.pk}.ics")
    assert owner_feed.status_code == 200
    assert {u for u in uids(owner_feed.content) if u.startswith("plan-")} == set()

    outsider_token = services.calendar_token(actor=outsider).token
    assert (
        Client().get(f"/calendar/feed/{outsider_token}/courses/{planned.pk}.ics").status_code == 404
    )
    other = build_course(owner, title="Autre")
    assert Client().get(f"/calendar/feed/{token}/courses/{other.pk}.ics").status_code == 404


def test_nobody_sees_another_students_calendar(
    planned: Course, member: User, user_factory: Any
) -> None:
    other = user_factory()
    enroll(other, planned)
    mine = uids(Client().get(feed_path(member)).content)
    theirs = uids(Client().get(feed_path(other)).content)
    assert {u for u in mine if u.startswith("plan-")}
    assert not {u for u in theirs if u.startswith("plan-")}
    # The single-event download of someone else's plan item is a 404.
    item = planned.enrollments.get(user=member).study_plan.items.first()
    assert item is not None
    client = Client()
    client.login(email=other.email, password=PASSWORD)
    assert client.get(f"/calendar/events/plan_item-{item.pk}.ics").status_code == 404


def test_event_ics_download(planned: Course, member: User) -> None:
    item = planned.enrollments.get(user=member).study_plan.items.order_by("starts_at").first()
    assert item is not None
    path = f"/calendar/events/plan_item-{item.pk}.ics"
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    client = Client()
    client.login(email=member.email, password=PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="campus-plan_item-{item.pk}.ics"'
    )
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    session = planned.live_sessions.get()
    assert client.get(f"/calendar/events/live_session-{session.pk}.ics").status_code == 200
    for bad in ("plan_item-987654", "nothing-1", "plan_item-x", "course_start-1"):
        assert client.get(f"/calendar/events/{bad}.ics").status_code == 404


@pytest.mark.parametrize("courses", [1, 4])
def test_feed_query_count_is_constant(
    frozen: Any,
    owner: User,
    user_factory: Any,
    django_assert_num_queries: Any,
    courses: int,
) -> None:
    student = user_factory()
    for n in range(courses):
        course = build_course(owner, title=f"Cours {n}", course_start_date=date(2027, 1, 10))
        enroll(student, course)
        if courses > 1:
            session_at(owner, course, MONDAY + timedelta(days=1 + n))
            generate(student, course)
            Quiz.objects.filter(course=course).update(due_at=MONDAY + timedelta(days=5))
    path = feed_path(student)
    client = Client()
    # token + sessions, items, deadlines, courses + the feed's version, first recorded
    with django_assert_num_queries(7):
        response = client.get(path)
    count = len(Calendar.from_ical(response.content).walk("VEVENT"))
    assert count >= 20 if courses > 1 else count == 1
    with django_assert_num_queries(6):  # the same version: read, not written
        assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_feed_only_answers_get_and_head(planned: Course, member: User) -> None:
    path = feed_path(member)
    assert Client().head(path).status_code == 200
    assert Client().post(path).status_code == 405
