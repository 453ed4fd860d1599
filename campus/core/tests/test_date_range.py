"""Issue 14, item 1: one range for dates (campus.core.dates).

Boundary dates (year 1, 1969, 1970, the horizon and the day after, year 9999, ±14 h
offsets, a DST gap) go into every endpoint and form that takes a date: a 400 naming the
field (code `date_out_of_range`), never a 500. A session or course at the horizon's edge
leaves other users' pages at 200, even in Pacific/Kiritimati (UTC+14).
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from campus.accounts.models import Role, User
from campus.core import dates
from campus.courses import services as course_services
from campus.courses.models import Course, Quiz
from campus.live import series, services
from campus.live.models import LiveSession
from conftest import api_for, build_course

pytestmark = pytest.mark.django_db

# Frozen "now": the horizon (DATE_HORIZON_YEARS = 10) is then 2036-03-10, and the first
# instant beyond it 2036-03-11T00:00Z.
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
HORIZON = date(2036, 3, 10)
MESSAGE = "Date hors de la plage acceptée : entre le 1er janvier 1970 et le 10 mars 2036."

BAD_DATES = ["0001-01-01", "1969-12-31", "2036-03-11", "9999-12-31"]
BAD_DATETIMES = [
    "0001-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00+14:00",  # 1969-12-31T10:00Z
    "2036-03-11T00:00:00Z",  # the day after the horizon
    "2036-03-10T23:00:00-12:00",  # the horizon's day where it is written, not in UTC
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:00:00Z",
]


@pytest.fixture(autouse=True)
def _frozen(settings: Any) -> Iterator[None]:
    settings.DATE_HORIZON_YEARS = 10
    with time_machine.travel(NOW, tick=False), translation.override("fr"):
        yield


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def assert_out_of_range(response: Any, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.json_body)
    body = response.json_body
    assert body["success"] is False
    assert body["error"]["code"] == "date_out_of_range", body
    assert body["message"] == MESSAGE
    assert {"field": field, "code": "date_out_of_range", "message": MESSAGE} in body["error"][
        "details"
    ]


# --- The range itself ---------------------------------------------------------------------


def test_the_range_and_its_edges() -> None:
    assert dates.horizon() == HORIZON
    assert dates.in_range(date(1970, 1, 1)) and dates.in_range(HORIZON)
    assert not dates.in_range(date(1969, 12, 31))
    assert not dates.in_range(HORIZON + timedelta(days=1))
    assert not dates.in_range(date(1, 1, 1)) and not dates.in_range(date(9999, 12, 31))
    first, after = dates.bounds()
    assert first == datetime(1970, 1, 1, tzinfo=UTC)
    assert after == datetime(2036, 3, 11, tzinfo=UTC)
    assert dates.in_range(after - timedelta(microseconds=1)) and not dates.in_range(after)
    assert not dates.in_range(datetime.fromisoformat("9999-12-31T23:59:59-12:00"))
    assert not dates.in_range(datetime.fromisoformat("0001-01-01T00:00:00+14:00"))
    assert dates.in_range(datetime(2030, 1, 1))  # naive: read as UTC
    assert dates.message() == MESSAGE


def test_the_horizon_follows_the_setting_and_29_february(settings: Any) -> None:
    settings.DATE_HORIZON_YEARS = 1
    assert dates.horizon() == date(2027, 3, 10)
    assert dates.horizon(datetime(2028, 2, 29, 12, tzinfo=UTC)) == date(2029, 2, 28)


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_DATETIMES)
def test_course_create_refuses_a_deadline_out_of_range(owner: User, value: str) -> None:
    response = api_for(owner).post("/api/courses", {"title": "Cours", "enrollment_deadline": value})
    assert_out_of_range(response, "enrollment_deadline")
    assert not Course.objects.exists()


@pytest.mark.parametrize("field", ["course_start_date", "course_end_date"])
@pytest.mark.parametrize("value", BAD_DATES)
def test_course_create_refuses_course_dates_out_of_range(
    owner: User, field: str, value: str
) -> None:
    response = api_for(owner).post("/api/courses", {"title": "Cours", field: value})
    assert_out_of_range(response, field)


def test_course_create_accepts_both_edges(owner: User) -> None:
    response = api_for(owner).post(
        "/api/courses",
        {
            "title": "Cours",
            "enrollment_deadline": "2036-03-10T23:59:59Z",
            "course_start_date": "1970-01-01",
            "course_end_date": "2036-03-10",
        },
    )
    assert response.status_code == 201, response.json_body


@pytest.mark.parametrize("value", BAD_DATETIMES)
@pytest.mark.parametrize("field", ["scheduled_start_at", "scheduled_end_at"])
def test_session_create_refuses_out_of_range(
    owner: User, course: Course, field: str, value: str
) -> None:
    body = {
        "title": "Séance",
        "scheduled_start_at": "2026-03-12T18:00:00Z",
        "scheduled_end_at": "2026-03-12T19:00:00Z",
        field: value,
    }
    response = api_for(owner).post(f"/api/courses/{course.pk}/live-sessions", body)
    assert_out_of_range(response, field)
    assert not LiveSession.objects.exists()


def test_session_create_seed_spelling_is_checked_too(owner: User, course: Course) -> None:
    body = {
        "title": "Séance",
        "scheduled_start_time": "9999-12-31T23:00:00Z",
        "scheduled_end_time": "9999-12-31T23:30:00Z",
    }
    response = api_for(owner).post(f"/api/courses/{course.pk}/live-sessions", body)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "date_out_of_range"
    fields = {d["field"] for d in response.json_body["error"]["details"]}
    assert fields == {"scheduled_start_time", "scheduled_end_time"}  # as the client sent them


def test_session_in_1970_is_in_range_but_in_the_past(owner: User, course: Course) -> None:
    body = {
        "title": "Séance",
        "scheduled_start_at": "1970-01-01T00:00:00Z",
        "scheduled_end_at": "1970-01-01T01:00:00Z",
    }
    response = api_for(owner).post(f"/api/courses/{course.pk}/live-sessions", body)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "start_in_past"


def test_session_at_the_horizon_edge_is_created_and_announced(
    owner: User, course: Course, member: User
) -> None:
    body = {
        "title": "Au bord",
        "scheduled_start_at": "2036-03-10T23:00:00Z",
        "scheduled_end_at": "2036-03-10T23:59:00Z",
    }
    response = api_for(owner).post(f"/api/courses/{course.pk}/live-sessions", body)
    assert response.status_code == 201, response.json_body


@pytest.mark.parametrize("method", ["patch", "put"])
def test_session_update_refuses_out_of_range(owner: User, course: Course, method: str) -> None:
    session = services.session_create(
        actor=owner,
        course=course,
        title="Séance",
        scheduled_start_at=datetime(2036, 3, 10, 22, tzinfo=UTC),
        scheduled_end_at=datetime(2036, 3, 10, 23, tzinfo=UTC),
    )
    client = api_for(owner)
    for value in BAD_DATETIMES:
        response = getattr(client, method)(
            f"/api/live-sessions/{session.pk}", {"scheduled_end_at": value}
        )
        assert_out_of_range(response, "scheduled_end_at")
    # Nothing was changed by the refused calls; an edit within the range goes through.
    response = client.patch(f"/api/live-sessions/{session.pk}", {"title": "Toujours là"})
    assert response.status_code == 200


def test_series_edit_cannot_push_an_occurrence_past_the_horizon(
    owner: User, course: Course
) -> None:
    record, sessions = services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[HORIZON.weekday()],
        start_time=datetime(2000, 1, 1, 22).time(),
        timezone_name="UTC",
        starts_on=HORIZON - timedelta(days=7),
        count=2,
        duration_minutes=60,
    )
    client = api_for(owner)
    response = client.patch(f"/api/live-sessions/{sessions[0].pk}/series", {"start_time": "23:30"})
    assert_out_of_range(response, "scheduled_end_at")
    response = client.patch(f"/api/live-series/{record.pk}", {"duration_minutes": 150})
    assert_out_of_range(response, "scheduled_end_at")
    assert LiveSession.objects.filter(series=record, sequence=0).count() == 2


def series_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Cours du soir",
        "days_of_week": [0, 2],
        "start_time": "18:00",
        "timezone": "Africa/Porto-Novo",
        "starts_on": "2026-03-16",
        "duration_minutes": 60,
        "count": 4,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("value", BAD_DATES)
def test_series_refuses_a_first_date_out_of_range(owner: User, course: Course, value: str) -> None:
    response = api_for(owner).post(
        f"/api/courses/{course.pk}/live-session-series", series_body(starts_on=value)
    )
    assert_out_of_range(response, "starts_on")


@pytest.mark.parametrize("value", BAD_DATES)
def test_series_refuses_an_end_date_out_of_range(owner: User, course: Course, value: str) -> None:
    response = api_for(owner).post(
        f"/api/courses/{course.pk}/live-session-series",
        series_body(count=None, until=value),
    )
    assert_out_of_range(response, "until")


def test_series_of_200_from_9999_is_a_400(owner: User, course: Course) -> None:
    response = api_for(owner).post(
        f"/api/courses/{course.pk}/live-session-series",
        series_body(starts_on="9999-12-25", count=200),
    )
    assert_out_of_range(response, "starts_on")


def test_series_whose_last_occurrence_passes_the_horizon_is_refused(
    owner: User, course: Course
) -> None:
    client = api_for(owner)
    url = f"/api/courses/{course.pk}/live-session-series"
    response = client.post(url, series_body(starts_on="2036-02-01", count=20))
    assert_out_of_range(response, "count")
    assert not LiveSession.objects.exists()
    # Ending on the horizon's day itself is fine (Porto-Novo is UTC+1: 18:00 is 17:00Z).
    response = client.post(
        url, series_body(starts_on="2036-02-01", count=None, until="2036-03-10", days_of_week=[0])
    )
    assert response.status_code == 201, response.json_body
    last = LiveSession.objects.order_by("-scheduled_start_at").first()
    assert last is not None and last.scheduled_start_at.date() <= HORIZON


def test_occurrences_never_overflow_past_year_9999() -> None:
    with pytest.raises(Exception) as caught:
        series.occurrences(
            days_of_week=[0, 1, 2, 3, 4, 5, 6],
            local_start=datetime(2000, 1, 1, 23).time(),
            duration_minutes=60,
            tz="Etc/GMT+12",
            starts_on=date(9999, 12, 25),
            count=200,
            until=None,
        )
    assert getattr(caught.value, "code", None) == "date_out_of_range"


@pytest.mark.parametrize("path", ["/api/calendar/events", "/api/calendar"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01", "0001-01-02"),
        ("1969-12-31", "1970-01-05"),
        ("9999-12-30", "9999-12-31"),
        ("2036-03-10", "2036-03-11"),
        ("9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59-12:00"),
        ("2036-03-10T00:00:00Z", "2036-03-11T00:00:00Z"),
        ("1970-01-01T00:00:00+14:00", "1970-01-02T00:00:00Z"),
    ],
)
def test_calendar_refuses_bounds_out_of_range(
    member: User, path: str, start: str, end: str
) -> None:
    response = api_for(member).get(path, {"start": start, "end": end})
    assert response.status_code == 400, response.json_body
    assert response.json_body["error"]["code"] == "date_out_of_range"
    fields = {d["field"] for d in response.json_body["error"]["details"]}
    assert fields <= {"start", "end"} and fields


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T00:00:00Z", "0001-01-02T00:00:00Z"),
        ("9999-12-31T23:59:59+14:00", "9999-12-31T23:59:59-12:00"),
        ("2036-03-10T00:00:00Z", "2036-03-11T00:00:00Z"),
    ],
)
def test_live_calendar_refuses_bounds_out_of_range(member: User, start: str, end: str) -> None:
    response = api_for(member).get(
        "/api/student/calendar/live-sessions", {"start": start, "end": end}
    )
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "date_out_of_range"


def test_calendar_accepts_both_edges(member: User) -> None:
    client = api_for(member)
    for path in ("/api/calendar/events", "/api/calendar"):
        assert client.get(path, {"start": "1970-01-01", "end": "1970-01-31"}).status_code == 200
        assert client.get(path, {"start": "2036-03-01", "end": "2036-03-10"}).status_code == 200
    response = client.get(
        "/api/student/calendar/live-sessions",
        {"start": "2036-03-01T00:00:00+14:00", "end": "2036-03-10T23:59:59Z"},
    )
    assert response.status_code == 200


def test_a_date_out_of_range_among_other_errors_is_a_validation_error(owner: User) -> None:
    response = api_for(owner).post("/api/courses", {"title": "", "course_end_date": "9999-12-31"})
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "validation_error"
    codes = {d["code"] for d in response.json_body["error"]["details"]}
    assert "date_out_of_range" in codes


def test_the_message_follows_the_language(owner: User) -> None:
    response = api_for(owner).post(
        "/api/courses",
        {"title": "Cours", "course_end_date": "9999-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "2036" in response.json_body["message"]


# --- Page forms ----------------------------------------------------------------------------


def course_form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Cours de Python",
        "description": "",
        "course_type": "on_demand",
        "max_students": "",
        "enrollment_deadline": "",
        "course_start_date": "",
        "course_end_date": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("course_start_date", "0001-01-01"),
        ("course_start_date", "1969-12-31"),
        ("course_end_date", "2036-03-11"),
        ("course_end_date", "9999-12-31"),
        ("enrollment_deadline", "0001-01-01T00:00"),
        ("enrollment_deadline", "1969-12-31T23:59"),
        ("enrollment_deadline", "9999-12-31T23:30"),
    ],
)
def test_course_form_refuses_out_of_range_inline(owner: User, field: str, value: str) -> None:
    response = client_for(owner).post(
        reverse("courses:course_create"), course_form(**{field: value})
    )
    assert response.status_code == 400
    page = text(response)
    assert MESSAGE in page
    assert f'value="{value}"' in page  # the typed value is kept
    assert "Cours de Python" in page
    assert not Course.objects.exists()


def test_course_form_date_pickers_stop_at_the_range(owner: User) -> None:
    page = text(client_for(owner).get(reverse("courses:course_create")))
    assert 'min="1970-01-01" max="2036-03-10"' in page
    assert 'min="1970-01-01T00:00" max="2036-03-10T23:59"' in page


def test_course_form_dst_gap_is_a_field_error(owner: User) -> None:
    owner.timezone = "Europe/Paris"
    owner.save(update_fields=["timezone"])
    # 2026-03-29 02:30 does not exist in Paris (clocks jump from 02:00 to 03:00).
    response = client_for(owner).post(
        reverse("courses:course_create"), course_form(enrollment_deadline="2026-03-29T02:30")
    )
    assert response.status_code == 400
    assert 'value="2026-03-29T02:30"' in text(response)


def test_course_edit_form_refuses_out_of_range(owner: User, course: Course) -> None:
    response = client_for(owner).post(
        reverse("courses:course_edit", kwargs={"slug": course.slug}),
        course_form(title=course.title, course_end_date="9999-12-31"),
    )
    assert response.status_code == 400
    assert MESSAGE in text(response)
    course.refresh_from_db()
    assert course.course_end_date is None


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "2036-03-11T12:00", "9999-12-31T23:00"])
def test_quiz_form_refuses_a_deadline_out_of_range(owner: User, course: Course, value: str) -> None:
    before = Quiz.objects.count()
    response = client_for(owner).post(
        reverse("courses:quiz_create", kwargs={"slug": course.slug}),
        {"title": "Quiz", "passing_score": "50", "max_attempts": "", "due_at": value},
    )
    assert response.status_code == 400
    assert MESSAGE in text(response)
    assert Quiz.objects.count() == before


def session_form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Révisions",
        "description": "",
        "date": "2026-03-12",
        "start_time": "18:00",
        "end_time": "19:00",
        "max_participants": "40",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("value", ["0001-01-01", "1969-12-31", "2036-03-11", "9999-12-31"])
def test_session_form_refuses_a_date_out_of_range(owner: User, course: Course, value: str) -> None:
    response = client_for(owner).post(
        reverse("live:session_create", kwargs={"course_id": course.pk}),
        session_form(date=value),
    )
    assert response.status_code == 400
    page = text(response)
    assert MESSAGE in page and f'value="{value}"' in page
    assert not LiveSession.objects.exists()


def test_session_form_late_evening_past_the_horizon_in_a_western_zone(
    owner: User, course: Course
) -> None:
    owner.timezone = "Pacific/Honolulu"  # UTC-10: 20:00 on the horizon's day is past it in UTC
    owner.save(update_fields=["timezone"])
    response = client_for(owner).post(
        reverse("live:session_create", kwargs={"course_id": course.pk}),
        session_form(date="2036-03-10", start_time="20:00", end_time="21:00"),
    )
    assert response.status_code == 400
    assert MESSAGE in text(response)


def test_session_form_dst_gap_never_fails(owner: User, course: Course) -> None:
    owner.timezone = "Europe/Paris"
    owner.save(update_fields=["timezone"])
    response = client_for(owner).post(
        reverse("live:session_create", kwargs={"course_id": course.pk}),
        session_form(date="2026-03-29", start_time="02:30", end_time="03:30"),
    )
    assert response.status_code in (302, 400)


def test_session_edit_form_refuses_out_of_range(owner: User, course: Course) -> None:
    session = services.session_create(
        actor=owner,
        course=course,
        title="Séance",
        scheduled_start_at=datetime(2026, 3, 12, 17, tzinfo=UTC),
        scheduled_end_at=datetime(2026, 3, 12, 18, tzinfo=UTC),
    )
    response = client_for(owner).post(
        reverse("live:session_edit", kwargs={"course_id": course.pk, "session_id": session.pk}),
        session_form(date="9999-12-31"),
    )
    assert response.status_code == 400
    assert MESSAGE in text(response)


def series_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Cours du soir",
        "description": "",
        "days_of_week": ["0", "2"],
        "start_time": "18:00",
        "duration_minutes": "60",
        "starts_on": "2026-03-16",
        "count": "4",
        "until": "",
        "max_participants": "30",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides",
    [
        {"starts_on": "9999-12-25", "count": "200"},
        {"starts_on": "1969-12-29"},
        {"starts_on": "0001-01-01"},
        {"count": "", "until": "9999-12-31"},
        {"count": "", "until": "2036-03-11"},
    ],
)
def test_series_form_refuses_dates_out_of_range(
    owner: User, course: Course, overrides: dict[str, str]
) -> None:
    response = client_for(owner).post(
        reverse("live:series_create", kwargs={"course_id": course.pk}), series_form(**overrides)
    )
    assert response.status_code == 400
    page = text(response)
    assert MESSAGE in page
    for value in overrides.values():
        if value:
            assert f'value="{value}"' in page
    assert not LiveSession.objects.exists()


def test_series_form_refuses_a_last_occurrence_past_the_horizon(
    owner: User, course: Course
) -> None:
    response = client_for(owner).post(
        reverse("live:series_create", kwargs={"course_id": course.pk}),
        series_form(starts_on="2036-02-01", count="20"),
    )
    assert response.status_code == 400
    assert MESSAGE in text(response)
    assert not LiveSession.objects.exists()


def test_calendar_page_out_of_range_shows_today(member: User) -> None:
    client = client_for(member)
    for value in ("0001-01-01", "1969-12-31", "2036-03-11", "9999-12-31"):
        response = client.get(reverse("agenda:calendar"), {"date": value})
        assert response.status_code == 200
        assert "Mars 2026" in text(response)
    assert "Mars 2036" in text(client.get(reverse("agenda:calendar"), {"date": "2036-03-10"}))


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "1969-12-31T23:00", "9999-12-31T23:00"])
def test_quiz_edit_form_refuses_a_deadline_out_of_range(
    owner: User, course: Course, value: str
) -> None:
    quiz = Quiz.objects.filter(course=course).order_by("pk").first()
    assert quiz is not None and quiz.due_at is None
    url = reverse("courses:quiz_edit", kwargs={"slug": course.slug, "quiz_id": quiz.pk})
    form = {"title": "Quiz", "passing_score": "50", "max_attempts": "", "due_at": value}
    response = client_for(owner).post(url, form)
    assert response.status_code == 400
    assert MESSAGE in text(response) and f'value="{value}"' in text(response)
    quiz.refresh_from_db()
    assert quiz.due_at is None
    # The horizon's last minute, in the owner's zone (Porto-Novo, UTC+1), is accepted.
    response = client_for(owner).post(url, {**form, "due_at": "2036-03-10T23:59"})
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.due_at == datetime(2036, 3, 10, 22, 59, tzinfo=UTC)


def near_horizon_series(
    owner: User, course: Course, *, zone: str = "UTC", local_start: int = 22
) -> tuple[Any, list[LiveSession]]:
    """Two weekly classes of an hour, the second on the horizon's day at 22:00 UTC."""
    return services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[HORIZON.weekday()],
        start_time=datetime(2000, 1, 1, local_start).time(),
        timezone_name=zone,
        starts_on=HORIZON - timedelta(days=7),
        count=2,
        duration_minutes=60,
    )


def test_session_edit_form_this_and_following_refuses_out_of_range(
    owner: User, course: Course
) -> None:
    owner.timezone = "Pacific/Honolulu"  # UTC-10: 12:00 there is 22:00 UTC
    owner.save(update_fields=["timezone"])
    record, sessions = near_horizon_series(owner, course, zone="Pacific/Honolulu", local_start=12)
    url = reverse(
        "live:session_edit", kwargs={"course_id": course.pk, "session_id": sessions[0].pk}
    )
    client = client_for(owner)
    first_day = (HORIZON - timedelta(days=7)).isoformat()
    # A date in year 9999; or 13:30-14:30 in Honolulu, which moves the last class to
    # 23:30-00:30 UTC, past the horizon.
    for overrides in (
        {"date": "9999-12-31"},
        {"date": first_day, "start_time": "13:30", "end_time": "14:30"},
    ):
        response = client.post(url, session_form(scope="following", **overrides))
        assert response.status_code == 400, overrides
        assert MESSAGE in text(response)
    starts = sorted(s.scheduled_start_at for s in LiveSession.objects.filter(series=record))
    assert starts == [s.scheduled_start_at for s in sessions]


def test_series_edit_form_cannot_push_an_occurrence_past_the_horizon(
    owner: User, course: Course
) -> None:
    record, sessions = near_horizon_series(owner, course)
    url = reverse("live:series_edit", kwargs={"course_id": course.pk, "series_id": record.pk})
    data = {
        "title": "Série",
        "description": "",
        "start_time": "22:00",
        "duration_minutes": "150",  # the last class would end on the day after the horizon
        "max_participants": str(record.max_participants),
    }
    response = client_for(owner).post(url, data)
    assert response.status_code == 400
    assert MESSAGE in text(response)
    ends = sorted(s.scheduled_end_at for s in LiveSession.objects.filter(series=record))
    assert ends == [s.scheduled_end_at for s in sessions]


@pytest.mark.parametrize("view", ["week", "day"])
def test_calendar_page_week_and_day_out_of_range_show_today(member: User, view: str) -> None:
    client = client_for(member)
    for value in ("0001-01-01", "1969-12-31", "2036-03-11", "9999-12-31"):
        response = client.get(reverse("agenda:calendar"), {"date": value, "view": view})
        assert response.status_code == 200, value
        assert "2026" in text(response) and "9999" not in text(response)


# --- Every date the API takes is above ---------------------------------------------------

# Each (method, path, where.field) taking a date or datetime, with the tests above that
# feed it boundary dates. A new date input fails the test below until it is added here
# with its own tests.
API_DATE_INPUTS = {
    ("POST", "/api/courses", "body.enrollment_deadline"),
    ("POST", "/api/courses", "body.course_start_date"),
    ("POST", "/api/courses", "body.course_end_date"),
    # The MdSC frontend's course update: campus/mdsc/tests/test_courses.py.
    ("PUT", "/api/courses/{course_id}", "body.enrollment_deadline"),
    ("PUT", "/api/courses/{course_id}", "body.course_start_date"),
    ("PUT", "/api/courses/{course_id}", "body.course_end_date"),
    ("POST", "/api/courses/{course_id}/live-sessions", "body.scheduled_start_at"),
    ("POST", "/api/courses/{course_id}/live-sessions", "body.scheduled_end_at"),
    ("PUT", "/api/live-sessions/{session_id}", "body.scheduled_start_at"),
    ("PUT", "/api/live-sessions/{session_id}", "body.scheduled_end_at"),
    ("PATCH", "/api/live-sessions/{session_id}", "body.scheduled_start_at"),
    ("PATCH", "/api/live-sessions/{session_id}", "body.scheduled_end_at"),
    ("POST", "/api/courses/{course_id}/live-session-series", "body.starts_on"),
    ("POST", "/api/courses/{course_id}/live-session-series", "body.until"),
    ("GET", "/api/student/calendar/live-sessions", "query.start"),
    ("GET", "/api/student/calendar/live-sessions", "query.end"),
    # The seeds' names of start/end: campus/mdsc/tests/test_live_calendar.py.
    ("GET", "/api/student/calendar/live-sessions", "query.start_date"),
    ("GET", "/api/student/calendar/live-sessions", "query.end_date"),
    ("GET", "/api/calendar/events", "query.start"),
    ("GET", "/api/calendar/events", "query.end"),
    ("GET", "/api/calendar", "query.start"),
    ("GET", "/api/calendar", "query.end"),
}


def _date_inputs(schema: dict[str, Any], where: str, components: dict[str, Any]) -> set[str]:
    """The names under `where` whose schema is a date or date-time (or may be one)."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    found = {where} if schema.get("format") in ("date", "date-time") else set()
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found |= _date_inputs(option, where, components)
    for name, sub in schema.get("properties", {}).items():
        found |= _date_inputs(sub, f"{where}.{name}", components)
    if "items" in schema:
        found |= _date_inputs(schema["items"], where, components)
    return found


def test_every_api_date_input_is_covered() -> None:
    from campus.api import api

    spec = api.get_openapi_schema()
    components = spec.get("components", {}).get("schemas", {})
    inputs = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{parameter['in']}.{parameter['name']}"
                for name in _date_inputs(parameter.get("schema", {}), where, components):
                    inputs.add((method.upper(), path, name))
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for name in _date_inputs(content.get("schema", {}), "body", components):
                    inputs.add((method.upper(), path, name))
    assert inputs == API_DATE_INPUTS


# --- Others' pages at the horizon's edge, seen from UTC+14 ------------------------------


@pytest.fixture
def kiritimati(user_factory: Any, course: Course) -> User:
    user = user_factory(Role.STUDENT, timezone="Pacific/Kiritimati")
    course_services.enrollment_create(actor=user, course=course)
    return user


def test_pages_at_the_horizon_edge_stay_200_in_kiritimati(
    owner: User, course: Course, kiritimati: User
) -> None:
    # 23:00Z on the horizon's day is already the next day (13:00) in Kiritimati.
    session = services.session_create(
        actor=owner,
        course=course,
        title="Séance au bord",
        scheduled_start_at=datetime(2036, 3, 10, 22, tzinfo=UTC),
        scheduled_end_at=datetime(2036, 3, 10, 23, 59, tzinfo=UTC),
    )
    course_services.course_update(
        actor=owner,
        course=course,
        enrollment_deadline=datetime(2036, 3, 10, 23, 59, tzinfo=UTC),
        course_start_date=date(1970, 1, 1),
        course_end_date=HORIZON,
    )
    client = client_for(kiritimati)
    pages = [
        reverse("live:student_sessions"),
        reverse("live:course_sessions", kwargs={"slug": course.slug}),
        reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": session.pk}),
        reverse("courses:detail", kwargs={"slug": course.slug}),
        reverse("courses:my_courses"),
        reverse("agenda:calendar") + "?date=2036-03-10",
        reverse("agenda:calendar") + "?date=2036-03-10&view=week",
        reverse("agenda:calendar") + "?date=2036-03-10&view=day",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
    assert client_for(None).get(pages[3]).status_code == 200
    owner_pages = [
        reverse("courses:course_edit", kwargs={"slug": course.slug}),
        reverse("live:manager", kwargs={"course_id": course.pk}),
        reverse("live:session_edit", kwargs={"course_id": course.pk, "session_id": session.pk}),
    ]
    for path in owner_pages:
        assert client_for(owner).get(path).status_code == 200, path
    api = api_for(kiritimati)
    # The session's local day (11 March) is past the horizon as a date, not as an instant.
    response = api.get(
        "/api/calendar/events", {"start": "2036-03-01", "end": "2036-03-10T23:59:59Z"}
    )
    assert response.status_code == 200
    assert any(e["title"] == "Séance au bord" for e in response.json_body["data"]["events"])
    assert api.get(f"/api/live-sessions/{session.pk}").status_code == 200


# --- Rows stored before the range ----------------------------------------------------------


def test_check_date_range_lists_stored_rows_out_of_range(owner: User, course: Course) -> None:
    out = StringIO()
    call_command("check_date_range", stdout=out)
    assert "No stored date outside 1970-01-01 .. 2036-03-10." in out.getvalue()

    Course.objects.filter(pk=course.pk).update(
        course_end_date=date(9999, 12, 31),
        enrollment_deadline=datetime(9999, 12, 31, 23, 30, tzinfo=UTC),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="2 stored value"):
        call_command("check_date_range", stdout=out)
    report = out.getvalue()
    assert "courses.Course.course_end_date: 1 row(s)" in report
    assert f"pk={course.pk} course_end_date=9999-12-31" in report
    assert "courses.Course.enrollment_deadline: 1 row(s)" in report
    course.refresh_from_db()
    assert course.course_end_date == date(9999, 12, 31)  # nothing is changed


def test_a_course_built_with_edges_through_services(owner: User) -> None:
    course = build_course(
        owner,
        title="Bords",
        modules=1,
        lessons_per_module=1,
        course_start_date=date(1970, 1, 1),
        course_end_date=HORIZON,
    )
    assert course.course_end_date == HORIZON
    with pytest.raises(Exception) as caught:
        course_services.course_create(
            actor=owner, title="Trop loin", course_end_date=HORIZON + timedelta(days=1)
        )
    assert getattr(caught.value, "code", None) == "date_out_of_range"
