"""Agenda API: the merged calendar, study plan endpoints, calendar sync, token."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from campus.accounts.models import User
from campus.agenda import links, selectors
from campus.agenda.models import PlanItem, StudyPlan
from campus.agenda.tests.backend_helpers import MONDAY, enroll, enrollment_of, generate, session_at
from campus.courses.models import Course, Quiz
from campus.live import services as live_services
from campus.live.models import LiveSession
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db

JANUARY = {"start": "2027-01-01", "end": "2027-01-31"}


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def keys(response: Any) -> list[str]:
    return [e["key"] for e in response.json_body["data"]["events"]]


# --- /api/calendar/events ----------------------------------------------------------------


def test_events_merge_every_source_sorted(
    frozen: Any, api: Any, course: Course, member: User, owner: User
) -> None:
    course.course_start_date = datetime(2027, 1, 4).date()
    course.course_end_date = datetime(2027, 3, 1).date()
    course.save()
    quiz = Quiz.objects.filter(course=course).order_by("id").first()
    assert quiz is not None
    quiz.due_at = MONDAY + timedelta(days=3)
    quiz.save()
    session = session_at(owner, course, MONDAY + timedelta(days=1))
    generate(member, course)
    response = api(member).get("/api/calendar/events", JANUARY)
    assert response.status_code == 200, response.content
    events = response.json_body["data"]["events"]
    types = {e["type"] for e in events}
    assert types == {"live_session", "lesson", "quiz", "milestone", "deadline", "course"}
    assert f"live_session-{session.pk}" in keys(response)
    assert f"quiz_due-{quiz.pk}" in keys(response)
    assert f"course_start-{course.pk}" in keys(response)
    assert len(set(keys(response))) == len(events)
    starts = [e["start"] for e in events]
    assert starts == sorted(starts)
    live = next(e for e in events if e["type"] == "live_session")
    assert live["uid"].startswith(f"live-session-{session.pk}@")
    assert live["ics_url"] == f"/calendar/events/live_session-{session.pk}.ics"
    # "Add to" links are the pages' (not sent with every event of a list).
    event = next(
        e
        for e in selectors.calendar_events(
            user=member, start=MONDAY, end=MONDAY + timedelta(days=7)
        )
        if e.type == "live_session"
    )
    add_to = links.event_links(event)
    assert add_to["google"].startswith("https://calendar.google.com/calendar/render?")
    assert "dates=20270105T060000Z%2F20270105T070000Z" in add_to["google"]
    assert add_to["outlook"].startswith("https://outlook.live.com/calendar/0/deeplink/")
    course_start = next(e for e in events if e["key"] == f"course_start-{course.pk}")
    assert course_start["all_day"] is True


def test_a_session_spanning_the_whole_month_is_in_the_month(
    frozen: Any, api: Any, course: Course, member: User, owner: User
) -> None:
    # Sessions last at most 12 hours when scheduled; a row spanning the month (older
    # data, an admin edit) must still show in the month it covers.
    long_one = session_at(owner, course, datetime(2027, 1, 20, tzinfo=UTC))
    LiveSession.objects.filter(pk=long_one.pk).update(
        scheduled_end_at=datetime(2027, 3, 10, tzinfo=UTC)
    )
    response = api(member).get("/api/calendar/events", {"start": "2027-02-01", "end": "2027-02-28"})
    assert response.status_code == 200
    assert keys(response) == [f"live_session-{long_one.pk}"]
    # And with datetimes: the overlap rule, not "starts inside".
    response = api(member).get(
        "/api/calendar/events",
        {
            "start": "2027-02-10T00:00:00+01:00",
            "end": "2027-02-11T00:00:00Z",
            "type": "live_session",
        },
    )
    assert keys(response) == [f"live_session-{long_one.pk}"]


def test_type_filter(frozen: Any, api: Any, course: Course, member: User, owner: User) -> None:
    session_at(owner, course, MONDAY + timedelta(days=1))
    generate(member, course)
    response = api(member).get("/api/calendar/events", {**JANUARY, "type": "lesson,milestone"})
    assert {e["type"] for e in response.json_body["data"]["events"]} == {"lesson", "milestone"}


def test_instructors_see_their_courses_sessions_outsiders_see_nothing(
    frozen: Any, api: Any, course: Course, owner: User, outsider: User, other_instructor: User
) -> None:
    session = session_at(owner, course, MONDAY + timedelta(days=1))
    assert keys(api(owner).get("/api/calendar/events", JANUARY)) == [f"live_session-{session.pk}"]
    assert keys(api(outsider).get("/api/calendar/events", JANUARY)) == []
    assert keys(api(other_instructor).get("/api/calendar/events", JANUARY)) == []


def test_nobody_sees_another_students_calendar(
    frozen: Any, api: Any, course: Course, member: User, user_factory: Any
) -> None:
    generate(member, course)
    other = user_factory()
    enroll(other, course)
    body = api(other).get("/api/calendar/events", JANUARY).json_body["data"]["events"]
    assert all(e["type"] not in {"lesson", "quiz", "milestone"} for e in body)
    # user_id in the query is ignored: identity comes from the token.
    body = api(other).get("/api/calendar/events", {**JANUARY, "user_id": member.pk}).json_body
    assert all(e["type"] not in {"lesson", "quiz", "milestone"} for e in body["data"]["events"])


def test_unenrolled_and_draft_courses_drop_out(
    frozen: Any, api: Any, course: Course, member: User, owner: User
) -> None:
    session_at(owner, course, MONDAY + timedelta(days=1))
    generate(member, course)
    from campus.courses import services as course_services

    course_services.enrollment_deactivate(actor=member, course=course)
    assert keys(api(member).get("/api/calendar/events", JANUARY)) == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2027-01-01"}, "validation_error"),
        ({"start": "2027-01-01T00:00:00", "end": "2027-01-31"}, "validation_error"),
        ({"start": "demain", "end": "2027-01-31"}, "validation_error"),
        ({"start": "2027-01-31", "end": "2027-01-01"}, "end_before_start"),
        ({"start": "2027-01-01", "end": "2028-02-01"}, "window_too_long"),
        ({**JANUARY, "type": "lesson,party"}, "unknown_type"),
    ],
)
def test_events_bad_input_is_a_400_in_french(
    api: Any, member: User, params: dict, code: str
) -> None:
    body = assert_error(api(member).get("/api/calendar/events", params), 400, code)
    assert body["message"]
    if code == "window_too_long":
        assert "366 jours" in body["message"]


def test_events_need_login(api: Any) -> None:
    assert_error(api(None).get("/api/calendar/events", JANUARY), 401, "not_authenticated")
    assert_error(api(None).get("/api/calendar"), 401, "not_authenticated")


def test_calendar_defaults_to_the_month_around_today(
    frozen: Any, api: Any, course: Course, member: User, owner: User
) -> None:
    # The window: Dec 25 00:00 to Feb 8 00:00 in Porto-Novo (23:00Z the day before).
    session_at(owner, course, datetime(2026, 12, 24, 22, tzinfo=UTC))  # ends at its start
    first = session_at(owner, course, datetime(2026, 12, 24, 23, tzinfo=UTC))
    inside = session_at(owner, course, datetime(2027, 2, 5, 9, tzinfo=UTC))  # Feb 5 < +7 days
    session_at(owner, course, datetime(2027, 2, 7, 23, tzinfo=UTC))  # starts at its end
    session_at(owner, course, datetime(2027, 2, 20, 9, tzinfo=UTC))  # outside
    response = api(member).get("/api/calendar", {"type": "live_session"})
    assert response.status_code == 200
    # A list (the original platform's shape, which the MdSC frontend reads).
    assert [e["key"] for e in response.json_body["data"]] == [
        f"live_session-{first.pk}",
        f"live_session-{inside.pk}",
    ]


@pytest.mark.parametrize("courses", [1, 4])
def test_events_query_count_is_constant(
    frozen: Any,
    api: Any,
    owner: User,
    user_factory: Any,
    django_assert_num_queries: Any,
    courses: int,
) -> None:
    """1 event vs ~20+ events over several courses: the same number of queries."""
    student = user_factory()
    for n in range(courses):
        course = build_course(
            owner, title=f"Cours {n}", course_start_date=MONDAY.date() if n else None
        )
        enroll(student, course)
        if courses > 1:
            session_at(owner, course, MONDAY + timedelta(days=1 + n))
            generate(student, course)
            Quiz.objects.filter(course=course).update(due_at=MONDAY + timedelta(days=5))
    client = api(student)
    client.get("/api/calendar/events", JANUARY)  # warm the token cache path
    with django_assert_num_queries(5):  # auth + sessions, items, deadlines, courses
        response = client.get("/api/calendar/events", JANUARY)
    count = len(response.json_body["data"]["events"])
    assert count >= 20 if courses > 1 else count == 0


# --- Study plan endpoints -----------------------------------------------------------------


def test_generate_then_read_the_schedule(
    frozen: Any, api: Any, course: Course, member: User
) -> None:
    enrollment = enrollment_of(member, course)
    client = api(member)
    assert_error(client.get(f"/api/enrollments/{enrollment.pk}/schedule"), 404, "plan_not_found")
    response = client.post(f"/api/enrollments/{enrollment.pk}/generate-schedule")
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["enrollment_id"] == enrollment.pk
    assert data["study_days"] == [0, 1, 2, 3, 4]
    assert data["start_time"] == "18:00"
    assert data["minutes_per_day"] == 60
    assert data["progress"] == {"done": 0, "total": data["progress"]["total"], "percent": 0}
    assert data["progress"]["total"] > 0
    assert data["items"][0]["url"].startswith(f"/courses/{course.slug}/lessons/")
    again = client.get(f"/api/enrollments/{enrollment.pk}/schedule").json_body["data"]
    assert again["items"] == data["items"]


def test_late_items_are_reported_late(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    generate(member, course)
    with time_machine.travel(MONDAY + timedelta(days=30), tick=False):
        data = api(member).get(f"/api/enrollments/{enrollment.pk}/schedule").json_body["data"]
    assert {i["status"] for i in data["items"]} == {"late"}
    assert StudyPlan.objects.get(enrollment=enrollment).items.filter(status="pending").exists()


def test_schedule_update(frozen: Any, api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    response = api(member).put(
        f"/api/enrollments/{enrollment.pk}/schedule",
        {"study_days": [5, 6], "start_time": "09:30", "minutes_per_day": 90},
    )
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert (data["study_days"], data["start_time"], data["minutes_per_day"]) == (
        [5, 6],
        "09:30",
        90,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"study_days": [], "start_time": "09:00", "minutes_per_day": 60}, "study_days"),
        ({"study_days": [8], "start_time": "09:00", "minutes_per_day": 60}, "study_days"),
        ({"study_days": [1, 1], "start_time": "09:00", "minutes_per_day": 60}, "study_days"),
        ({"study_days": [1], "start_time": "09:00", "minutes_per_day": 5}, "minutes_per_day"),
        ({"study_days": [1], "start_time": "09:00", "minutes_per_day": 600}, "minutes_per_day"),
        ({"study_days": [1], "start_time": "25:00", "minutes_per_day": 60}, "start_time"),
        ({"study_days": [1], "minutes_per_day": 60}, "start_time"),
        ({"study_days": "lundi", "start_time": "09:00", "minutes_per_day": 60}, "study_days"),
    ],
)
def test_schedule_update_bad_input(
    api: Any, course: Course, member: User, body: dict, field: str
) -> None:
    enrollment = enrollment_of(member, course)
    error = assert_error(api(member).put(f"/api/enrollments/{enrollment.pk}/schedule", body), 400)
    assert error["error"]["details"][0]["field"] == field
    assert error["error"]["details"][0]["message"]
    assert not StudyPlan.objects.exists()


def test_plan_endpoints_refuse_everyone_but_the_student(
    api: Any, course: Course, member: User, owner: User, admin_user: User, outsider: User
) -> None:
    enrollment = enrollment_of(member, course)
    generate(member, course)
    for actor in (owner, admin_user, outsider):
        client = api(actor)
        for method, suffix in [
            ("post", "generate-schedule"),
            ("get", "schedule"),
            ("post", "sync-calendar"),
        ]:
            response = getattr(client, method)(f"/api/enrollments/{enrollment.pk}/{suffix}")
            assert_error(response, 404, "enrollment_not_found")
        response = client.put(
            f"/api/enrollments/{enrollment.pk}/schedule",
            {"study_days": [1], "start_time": "09:00", "minutes_per_day": 60},
        )
        assert_error(response, 404, "enrollment_not_found")
    assert_error(api(None).get(f"/api/enrollments/{enrollment.pk}/schedule"), 401)
    assert_error(api(member).get("/api/enrollments/987654/schedule"), 404, "enrollment_not_found")
    assert PlanItem.objects.filter(plan__enrollment=enrollment).exists()


def test_sync_calendar_returns_every_link(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    data = api(member).post(f"/api/enrollments/{enrollment.pk}/sync-calendar").json_body["data"]
    token = member.calendar_token.token
    assert data["feed"]["https"].endswith(f"/calendar/feed/{token}.ics")
    assert data["feed"]["webcal"].startswith("webcal://")
    assert data["feed"]["google"].startswith("https://calendar.google.com/calendar/r?cid=webcal")
    assert data["feed"]["outlook"].startswith(
        "https://outlook.live.com/calendar/0/addfromweb?url=http"
    )
    assert data["course_feed"]["https"].endswith(f"/calendar/feed/{token}/courses/{course.pk}.ics")
    assert data["ics_url"] == data["course_feed"]["https"]
    # Same token on the next call: subscriptions keep working.
    again = api(member).post(f"/api/enrollments/{enrollment.pk}/sync-calendar").json_body["data"]
    assert again["feed"] == data["feed"]


def test_token_regenerate(api: Any, member: User) -> None:
    first = api(member).post("/api/calendar/token/regenerate").json_body["data"]["feed"]
    second = api(member).post("/api/calendar/token/regenerate").json_body["data"]["feed"]
    assert first["https"] != second["https"]
    assert_error(api(None).post("/api/calendar/token/regenerate"), 401)


def test_cancelled_session_is_listed_as_cancelled(
    frozen: Any, api: Any, course: Course, member: User, owner: User
) -> None:
    session = session_at(owner, course, MONDAY + timedelta(days=1))
    live_services.session_cancel(actor=owner, session=session, reason="Grève")
    events = api(member).get("/api/calendar/events", JANUARY).json_body["data"]["events"]
    assert [(e["key"], e["status"]) for e in events if e["type"] == "live_session"] == [
        (f"live_session-{session.pk}", "cancelled")
    ]
