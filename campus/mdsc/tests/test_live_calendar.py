"""The MdSC frontend's live-session, calendar and study-plan calls, through the API.

Happy paths carry the fields the frontend's components read; then bad input, the
actors who are refused and the query counts of the lists.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.agenda import services as agenda_services
from campus.core import dates
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment
from campus.live import services as live_services
from campus.live.models import LiveSession
from campus.live.tests.helpers import make_session
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db

INSTRUCTOR = "/api/instructor/live-sessions"
STUDENT = "/api/student/live-sessions"
LIVE_CALENDAR = "/api/student/calendar/live-sessions"
CALENDAR = "/api/calendar"
SCHEDULE_PATHS = (
    "/api/student/courses/{}/schedule",
    "/api/student/schedule/{}",
    "/api/courses/{}/schedule",
)
SECRETS = {"jitsi_room_password", "jwt", "jitsi_join_url"}


def join_one(session: LiveSession, user_factory: Callable[..., User]) -> None:
    """A student enrolled in the session's course, admitted into the live session."""
    student = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=student, course=session.course)
    session.refresh_from_db()
    live_services.session_join(actor=student, session=session)


# --- GET /instructor/live-sessions -------------------------------------------------------


def test_instructor_sessions_are_those_of_the_courses_they_teach(
    api: Any, owner: User, course: Course, other_instructor: User, admin_user: User
) -> None:
    second = build_course(owner, title="Deuxième cours")
    first = make_session(owner, course, title="Tôt", starts_in=timedelta(hours=1))
    later = make_session(owner, second, title="Tard", starts_in=timedelta(days=2))
    theirs = make_session(other_instructor, build_course(other_instructor, title="Autre"))

    response = api(owner).get(INSTRUCTOR, {"page": 1, "limit": 20})
    assert response.status_code == 200, response.content
    body = response.json_body
    assert [row["id"] for row in body["data"]] == [later.pk, first.pk]  # latest first
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 2}
    row = body["data"][0]
    assert row["title"] == "Tard" and row["status"] == "scheduled"
    assert row["course"] == {"id": second.pk, "title": "Deuxième cours", "slug": second.slug}
    assert row["jitsi_room_name"] == later.jitsi_room_name
    assert not SECRETS & set(row)

    paged = api(owner).get(INSTRUCTOR, {"page": 2, "limit": 1}).json_body
    assert [row["id"] for row in paged["data"]] == [first.pk]
    assert paged["pagination"]["total"] == 2

    mine = api(other_instructor).get(INSTRUCTOR).json_body["data"]
    assert [row["id"] for row in mine] == [theirs.pk]
    everyone = api(admin_user).get(INSTRUCTOR, {"limit": 100}).json_body
    assert everyone["pagination"]["total"] == 3


def test_instructor_sessions_filter_by_status(api: Any, owner: User, course: Course) -> None:
    scheduled = make_session(owner, course, title="Plus tard", starts_in=timedelta(days=1))
    live = live_services.session_start(actor=owner, session=make_session(owner, course))
    rows = api(owner).get(INSTRUCTOR, {"status": "live"}).json_body["data"]
    assert [row["id"] for row in rows] == [live.pk]
    rows = api(owner).get(INSTRUCTOR, {"status": "scheduled"}).json_body["data"]
    assert [row["id"] for row in rows] == [scheduled.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "beaucoup"},
        {"page": 0},
        {"page": "un"},
        {"status": "archived"},
    ],
)
def test_instructor_sessions_bad_input(api: Any, owner: User, params: dict) -> None:
    assert_error(api(owner).get(INSTRUCTOR, params), 400, "validation_error")


def test_instructor_sessions_are_for_instructors(api: Any, member: User, outsider: User) -> None:
    assert_error(api(None).get(INSTRUCTOR), 401, "not_authenticated")
    for student in (member, outsider):
        assert_error(api(student).get(INSTRUCTOR), 403, "not_instructor")


@pytest.mark.parametrize("sessions", [1, 6])
def test_instructor_sessions_query_count_is_constant(
    api: Any,
    owner: User,
    user_factory: Callable[..., User],
    django_assert_num_queries: Any,
    sessions: int,
) -> None:
    for n in range(sessions):
        course = build_course(owner, title=f"Cours {n}")
        session = live_services.session_start(actor=owner, session=make_session(owner, course))
        join_one(session, user_factory)
    client = api(owner)
    assert client.get(INSTRUCTOR).status_code == 200  # warm the token row
    # token (with its user), count, rows, participant counts
    with django_assert_num_queries(4):
        response = client.get(INSTRUCTOR)
    assert len(response.json_body["data"]) == sessions
    assert all(row["participants_count"] == 1 for row in response.json_body["data"])


# --- GET /live-sessions/{id}: the room's name for the owner and admins only ----------------


def test_session_detail_gives_the_room_name_to_its_moderators_only(
    api: Any,
    owner: User,
    admin_user: User,
    member: User,
    outsider: User,
    other_instructor: User,
    course: Course,
) -> None:
    session = live_services.session_start(actor=owner, session=make_session(owner, course))
    path = f"/api/live-sessions/{session.pk}"
    for moderator in (owner, admin_user):
        data = api(moderator).get(path).json_body["data"]
        assert data["jitsi_room_name"] == session.jitsi_room_name
        assert data["jitsi_server_url"] and data["status"] == "live"
        assert not SECRETS & set(data)
    data = api(member).get(path).json_body["data"]
    assert "jitsi_room_name" not in data and not SECRETS & set(data)
    assert data["course"]["title"] == course.title
    for refused in (outsider, other_instructor):
        assert_error(api(refused).get(path), 403)
    assert_error(api(None).get(path), 401, "not_authenticated")
    assert_error(api(owner).get("/api/live-sessions/999999"), 404, "session_not_found")


# --- GET /student/live-sessions --------------------------------------------------------------


def test_student_sessions_carry_what_the_list_reads(
    api: Any, owner: User, member: User, course: Course, user_factory: Callable[..., User]
) -> None:
    upcoming = make_session(owner, course, title="Bientôt", starts_in=timedelta(days=1))
    live = live_services.session_start(actor=owner, session=make_session(owner, course))
    join_one(live, user_factory)
    data = api(member).get(STUDENT).json_body["data"]
    row = data["upcoming"][0]
    assert row["id"] == upcoming.pk and row["title"] == "Bientôt"
    assert row["course"] == {"id": course.pk, "title": course.title, "slug": course.slug}
    assert row["course_title"] == course.title  # the seeds' name, kept
    assert row["scheduled_start_at"].endswith("Z") and row["scheduled_end_at"].endswith("Z")
    assert row["max_participants"] == upcoming.max_participants
    assert row["participants_count"] == 0
    assert data["live"][0]["participants_count"] == 1
    assert data["live"][0]["can_join"] is True
    assert not (SECRETS | {"jitsi_room_name"}) & set(row)
    assert_error(api(member).get(STUDENT, {"limit": 0}), 400, "validation_error")
    assert_error(api(None).get(STUDENT), 401, "not_authenticated")


@pytest.mark.parametrize("sessions", [1, 5])
def test_student_sessions_query_count_is_constant(
    api: Any,
    owner: User,
    member: User,
    course: Course,
    user_factory: Callable[..., User],
    django_assert_num_queries: Any,
    sessions: int,
) -> None:
    for n in range(sessions):
        make_session(owner, course, title=f"À venir {n}", starts_in=timedelta(days=n + 1))
        live = live_services.session_start(actor=owner, session=make_session(owner, course))
        join_one(live, user_factory)
    client = api(member)
    assert client.get(STUDENT).status_code == 200
    # token (with its user), three groups, participant counts
    with django_assert_num_queries(5):
        response = client.get(STUDENT)
    assert len(response.json_body["data"]["upcoming"]) == sessions


# --- GET /student/calendar/live-sessions?start_date&end_date ------------------------------


def test_live_calendar_takes_the_seeds_date_names(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=2))
    day = session.scheduled_start_at.astimezone(ZoneInfo(member.timezone)).date()
    client = api(member)
    # A date is a day in the user's zone; an end date includes that day.
    rows = client.get(LIVE_CALENDAR, {"start_date": str(day), "end_date": str(day)}).json_body
    assert [row["id"] for row in rows["data"]] == [session.pk]
    row = rows["data"][0]
    # The frontend's CalendarLiveSession, as seed 000 §2.4 gives it.
    assert row["title"] == session.title and row["course_title"] == course.title
    assert row["start"].endswith("Z") and row["end"].endswith("Z")
    assert row["type"] == "live_session"
    assert row["url"] == f"/courses/{course.slug}/live-sessions/{session.pk}"
    before = str(day - timedelta(days=1))
    rows = client.get(LIVE_CALENDAR, {"start_date": before, "end_date": before}).json_body
    assert rows["data"] == []
    # The names mix, and a datetime with its offset is accepted under either.
    mixed = {"start": session.scheduled_start_at.isoformat(), "end_date": str(day)}
    assert [row["id"] for row in client.get(LIVE_CALENDAR, mixed).json_body["data"]] == [session.pk]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start_date": "2026-11-01"}, "validation_error"),
        ({"end_date": "2026-11-01"}, "validation_error"),
        ({}, "validation_error"),
        ({"start_date": "hier", "end_date": "2026-11-02"}, "validation_error"),
        ({"start_date": "2026-11-01T00:00:00", "end_date": "2026-11-02"}, "validation_error"),
        ({"start_date": "2026-11-03", "end_date": "2026-11-01"}, "end_before_start"),
        ({"start_date": "2026-01-01", "end_date": "2027-06-01"}, "window_too_long"),
        ({"start_date": "0001-01-01", "end_date": "0001-01-02"}, "date_out_of_range"),
        ({"start_date": "1969-12-31", "end_date": "1970-01-02"}, "date_out_of_range"),
        ({"start_date": "9999-12-30", "end_date": "9999-12-31"}, "date_out_of_range"),
    ],
)
def test_live_calendar_bad_input(api: Any, member: User, params: dict, code: str) -> None:
    assert_error(api(member).get(LIVE_CALENDAR, params), 400, code)


def test_live_calendar_accepts_the_edges_of_the_date_range(api: Any, member: User) -> None:
    client = api(member)
    last = dates.horizon()
    for params in (
        {"start_date": "1970-01-01", "end_date": "1970-01-31"},
        {"start_date": str(last - timedelta(days=3)), "end_date": str(last)},
    ):
        assert client.get(LIVE_CALENDAR, params).status_code == 200, params
    beyond = {"start_date": str(last), "end_date": str(last + timedelta(days=1))}
    assert_error(client.get(LIVE_CALENDAR, beyond), 400, "date_out_of_range")
    assert_error(api(None).get(LIVE_CALENDAR, beyond), 401, "not_authenticated")


# --- GET /calendar: a list, as the original platform and the frontend read it ------------


def window_around(session: LiveSession) -> dict[str, str]:
    return {
        "start": (session.scheduled_start_at - timedelta(days=1)).isoformat(),
        "end": (session.scheduled_end_at + timedelta(days=1)).isoformat(),
    }


def test_calendar_is_a_list_of_events_with_the_frontend_fields(
    api: Any, owner: User, member: User, course: Course, outsider: User
) -> None:
    session = make_session(owner, course, starts_in=timedelta(days=1))
    response = api(member).get(CALENDAR, {**window_around(session), "type": "live_session"})
    assert response.status_code == 200, response.content
    (event,) = response.json_body["data"]
    assert event["id"] == event["key"] == f"live_session-{session.pk}"
    assert event["title"] == session.title and event["description"]
    assert event["event_type"] == event["type"] == "live_session"
    assert event["start_date"] == event["start"] and event["start_date"].endswith("Z")
    assert event["end_date"] == event["end"]
    assert event["course"] == {"id": course.pk, "title": course.title, "slug": course.slug}
    assert event["is_all_day"] is False and event["status"] == "scheduled"
    assert not (SECRETS | {"jitsi_room_name"}) & set(event)
    # The frontend's own parameter is ignored; an outsider's calendar is empty.
    upcoming = {**window_around(session), "upcoming": "true"}
    assert len(api(member).get(CALENDAR, upcoming).json_body["data"]) == 1
    assert api(outsider).get(CALENDAR, window_around(session)).json_body["data"] == []


def test_calendar_names_plan_items_and_quizzes_in_the_frontend_words(
    api: Any, owner: User, member: User, course: Course
) -> None:
    enrollment = Enrollment.objects.get(user=member, course=course)
    plan = agenda_services.plan_generate(actor=member, enrollment=enrollment)
    items = list(plan.items.order_by("starts_at"))
    params = {
        "start": items[0].starts_at.isoformat(),
        "end": (items[0].starts_at + timedelta(days=300)).isoformat(),
    }
    events = api(member).get(CALENDAR, params).json_body["data"]
    kinds = {event["type"]: event["event_type"] for event in events}
    assert kinds.get("lesson") == "lesson"
    if "quiz" in kinds:
        assert kinds["quiz"] == "quiz_scheduled"
    assert all(event["course"]["slug"] == course.slug for event in events)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-11-01T00:00:00", "end": "2026-12-01T00:00:00Z"}, "validation_error"),
        ({"start": "2026-12-01", "end": "2026-11-01"}, "end_before_start"),
        ({"start": "2026-01-01", "end": "2027-06-01"}, "window_too_long"),
        ({"start": "2026-11-01", "end": "2026-12-01", "type": "fête"}, "unknown_type"),
        ({"start": "0001-01-01", "end": "2026-12-01"}, "date_out_of_range"),
        ({"type": "x" * 201}, "validation_error"),
    ],
)
def test_calendar_bad_input(api: Any, member: User, params: dict, code: str) -> None:
    assert_error(api(member).get(CALENDAR, params), 400, code)


def test_calendar_needs_login(api: Any) -> None:
    assert_error(api(None).get(CALENDAR), 401, "not_authenticated")
    assert_error(api(None).get(f"{CALENDAR}/live_session-1"), 401, "not_authenticated")


@pytest.mark.parametrize("sessions", [1, 6])
def test_calendar_query_count_is_constant(
    api: Any,
    owner: User,
    member: User,
    user_factory: Callable[..., User],
    django_assert_num_queries: Any,
    sessions: int,
) -> None:
    student = user_factory(Role.STUDENT)
    for n in range(sessions):
        course = build_course(owner, title=f"Cours {n}")
        course_services.enrollment_create(actor=student, course=course)
        make_session(owner, course, starts_in=timedelta(days=1, hours=n))
    client = api(student)
    now = timezone.now()
    params = {"start": now.isoformat(), "end": (now + timedelta(days=5)).isoformat()}
    assert client.get(CALENDAR, params).status_code == 200
    with django_assert_num_queries(5):  # token, sessions, plan items, deadlines, courses
        response = client.get(CALENDAR, params)
    assert len(response.json_body["data"]) == sessions


# --- GET /calendar/{id}: one event of the caller's own calendar ---------------------------


def test_one_event_by_its_id(
    api: Any, owner: User, member: User, course: Course, outsider: User
) -> None:
    session = make_session(owner, course)
    client = api(member)
    for event_id in (f"live_session-{session.pk}", str(session.pk), f"live-session-{session.pk}"):
        response = client.get(f"{CALENDAR}/{event_id}")
        assert response.status_code == 200, (event_id, response.content)
        data = response.json_body["data"]
        assert data["id"] == f"live_session-{session.pk}"
        assert data["title"] == session.title and data["start_date"].endswith("Z")
    # The owner sees the sessions of the course they teach, an outsider nothing.
    assert api(owner).get(f"{CALENDAR}/{session.pk}").status_code == 200
    for refused in (outsider,):
        assert_error(api(refused).get(f"{CALENDAR}/{session.pk}"), 404, "event_not_found")


def test_a_plan_item_is_an_event_of_its_student_only(
    api: Any, member: User, course: Course, user_factory: Callable[..., User]
) -> None:
    enrollment = Enrollment.objects.get(user=member, course=course)
    item = agenda_services.plan_generate(actor=member, enrollment=enrollment).items.first()
    assert item is not None
    path = f"{CALENDAR}/plan_item-{item.pk}"
    assert api(member).get(path).json_body["data"]["id"] == f"plan_item-{item.pk}"
    classmate = user_factory(Role.STUDENT)
    course_services.enrollment_create(actor=classmate, course=course)
    assert_error(api(classmate).get(path), 404, "event_not_found")


@pytest.mark.parametrize(
    "event_id", ["0", "999999", "fête-1", "plan_item-x", "live_session-", "9" * 30, "events2"]
)
def test_unknown_events_are_404(api: Any, member: User, event_id: str) -> None:
    assert_error(api(member).get(f"{CALENDAR}/{event_id}"), 404, "event_not_found")


def test_an_overlong_event_id_is_a_400(api: Any, member: User) -> None:
    assert_error(api(member).get(f"{CALENDAR}/{'x' * 41}"), 400, "validation_error")


def test_calendar_events_is_not_taken_for_an_event_id(api: Any, member: User) -> None:
    params = {"start": "2026-11-01", "end": "2026-12-01"}
    data = api(member).get(f"{CALENDAR}/events", params).json_body["data"]
    assert set(data) == {"start", "end", "events"}  # the seeds' route, unchanged


# --- The study plan of one course, under the frontend's three paths -----------------------


@pytest.mark.parametrize("path", SCHEDULE_PATHS)
def test_schedule_is_the_members_plan_in_the_frontend_words(
    api: Any, member: User, course: Course, path: str
) -> None:
    url = path.format(course.pk)
    assert_error(api(member).get(url), 404, "plan_not_found")  # the frontend then shows none
    enrollment = Enrollment.objects.get(user=member, course=course)
    plan = agenda_services.plan_generate(actor=member, enrollment=enrollment)
    response = api(member).get(url)
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["course_id"] == course.pk and data["enrollment_id"] == enrollment.pk
    assert len(data["schedule"]) == len(data["items"]) == plan.items.count() > 0
    first = data["schedule"][0]
    item = plan.items.order_by("starts_at", "position", "id").first()
    assert item is not None
    assert first["id"] == item.pk and first["type"] == item.kind
    assert first["scheduled_date"] == data["items"][0]["starts_at"]
    assert first["duration_minutes"] == (item.ends_at - item.starts_at).seconds // 60
    assert first["status"] == "pending"
    assert first["lesson_id"] == item.lesson_id


def test_a_late_item_is_overdue_for_the_frontend(api: Any, member: User, course: Course) -> None:
    enrollment = Enrollment.objects.get(user=member, course=course)
    agenda_services.plan_generate(actor=member, enrollment=enrollment)
    with time_machine.travel(timezone.now() + timedelta(days=800), tick=False):
        data = api(member).get(f"/api/student/schedule/{course.pk}").json_body["data"]
    lessons = [row for row in data["schedule"] if row["type"] == "lesson"]
    assert lessons and {row["status"] for row in lessons} == {"overdue"}
    assert {row["status"] for row in data["items"] if row["kind"] == "lesson"} == {"late"}


@pytest.mark.parametrize("path", SCHEDULE_PATHS)
def test_schedule_is_for_members_only(
    api: Any,
    path: str,
    course: Course,
    owner: User,
    admin_user: User,
    outsider: User,
    other_instructor: User,
    draft_course: Course,
) -> None:
    url = path.format(course.pk)
    assert_error(api(None).get(url), 401, "not_authenticated")
    # A plan is personal: the course's instructor and admins have none of their own.
    for refused in (outsider, owner, admin_user, other_instructor):
        assert_error(api(refused).get(url), 403, "not_enrolled")
    assert_error(api(outsider).get(path.format(999999)), 404, "course_not_found")
    assert_error(api(outsider).get(path.format(draft_course.pk)), 404, "course_not_found")
    assert api(outsider).get(path.format("abc")).status_code == 404


def test_schedule_ends_with_the_enrollment(api: Any, member: User, course: Course) -> None:
    enrollment = Enrollment.objects.get(user=member, course=course)
    agenda_services.plan_generate(actor=member, enrollment=enrollment)
    url = f"/api/courses/{course.pk}/schedule"
    assert api(member).get(url).status_code == 200
    course_services.enrollment_deactivate(actor=member, course=course)
    assert_error(api(member).get(url), 403, "not_enrolled")
