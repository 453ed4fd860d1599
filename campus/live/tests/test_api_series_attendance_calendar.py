"""Weekly series creation, the attendance report (JSON and CSV) and the calendar of live
sessions over the API: happy paths, DST, bad input, query counts."""

import csv
import io
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args

import pytest
import time_machine
from django.urls import get_script_prefix, resolve, reverse, set_script_prefix
from django.utils import timezone

from campus.accounts.models import User
from campus.accounts.tokens import token_issue
from campus.core.tests.openapi_check import call_conforming
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.courses.tests.test_query_counts import count_queries, warmed
from campus.live import presenters, selectors, services
from campus.live.models import AttendanceInterval, LiveSession, LiveSessionStatus, SessionSeries
from campus.live.schemas import SessionStatusName
from campus.live.tests.helpers import make_live, make_session
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SECRET_KEYS = {"jitsi_room_password", "jwt", "jitsi_join_url", "jitsi_room_name"}


def series_body(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Atelier du mardi",
        "description": "Chaque semaine.",
        "days_of_week": [1, 3],
        "start_time": "18:00",
        "timezone": "Europe/Paris",
        "starts_on": (timezone.now() + timedelta(days=2)).date().isoformat(),
        "duration_minutes": 90,
        "count": 4,
        "max_participants": 25,
        "recording_enabled": True,
    }
    data.update(over)
    return data


def series_path(course: Course) -> str:
    return f"/api/courses/{course.pk}/live-session-series"


# --- Series --------------------------------------------------------------------------------


def test_owner_creates_a_series_with_its_sessions(api: Any, owner: User, course: Course) -> None:
    response = api(owner).post(series_path(course), series_body())
    assert response.status_code == 201, response.content
    data = response.json_body["data"]
    assert data["days_of_week"] == [1, 3] and data["count"] == 4 and data["until"] is None
    assert data["timezone"] == "Europe/Paris" and data["start_time"].startswith("18:00")
    assert data["is_recording_enabled"] is True
    assert len(data["sessions"]) == 4
    for row in data["sessions"]:
        assert not SECRET_KEYS & set(row)
        assert row["series_id"] == data["id"] and row["status"] == "scheduled"
        assert row["max_participants"] == 25 and row["is_recording_enabled"] is True
        assert row["scheduled_start_at"].endswith("Z")
    sessions = list(LiveSession.objects.filter(series_id=data["id"]).order_by("id"))
    names = {s.jitsi_room_name for s in sessions}
    assert len(names) == 4
    for session in sessions:
        assert session.jitsi_room_name.startswith(
            f"campus-course-{course.pk}-session-{session.pk}-"
        )
        assert len(session.jitsi_room_password) >= 12
    assert len({s.jitsi_room_password for s in sessions}) == 4


def test_series_keeps_18h_in_paris_across_the_dst_change(
    api: Any, owner: User, course: Course
) -> None:
    # Clocks go forward on Sunday 29 March 2026 in Paris.
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        body = series_body(days_of_week=[1], starts_on="2026-03-17", count=4)
        response = api(owner).post(series_path(course), body)
    assert response.status_code == 201, response.content
    starts = [
        datetime.fromisoformat(s["scheduled_start_at"])
        for s in response.json_body["data"]["sessions"]
    ]
    local = [s.astimezone(PARIS) for s in starts]
    assert [d.date() for d in local] == [
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 3, 31),
        date(2026, 4, 7),
    ]
    assert all(d.time() == time(18, 0) for d in local)
    assert [s.astimezone(UTC).hour for s in starts] == [17, 17, 16, 16]


def test_series_defaults_to_the_instructors_zone_and_accepts_until(
    api: Any, owner: User, course: Course, admin_user: User
) -> None:
    owner.timezone = "Africa/Porto-Novo"
    owner.save(update_fields=["timezone"])
    start = (timezone.now() + timedelta(days=1)).date()
    body = series_body(starts_on=start.isoformat(), until=(start + timedelta(days=13)).isoformat())
    del body["timezone"], body["count"]
    response = api(admin_user).post(series_path(course), {**body, "days_of_week": list(range(7))})
    assert response.status_code == 201, response.content
    data = response.json_body["data"]
    assert data["timezone"] == "Africa/Porto-Novo" and len(data["sessions"]) == 14
    assert data["sessions"][0]["instructor_id"] == owner.pk
    first = datetime.fromisoformat(data["sessions"][0]["scheduled_start_at"])
    assert first.astimezone(zoneinfo.ZoneInfo("Africa/Porto-Novo")).time() == time(18, 0)


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"days_of_week": []}, "series_no_days"),
        ({"days_of_week": [7]}, "series_invalid_day"),
        ({"count": 201}, "series_too_many"),
        ({"count": None, "until": "2035-12-31", "days_of_week": [0, 1, 2]}, "series_too_many"),
        ({"count": None}, "series_count_or_until"),
        ({"until": "2030-01-01"}, "series_count_or_until"),
        ({"count": None, "until": "2099-12-31"}, "date_out_of_range"),
        ({"duration_minutes": 0}, "series_invalid_duration"),
        ({"duration_minutes": 721}, "series_invalid_duration"),
        ({"timezone": "Mars/Olympus"}, "series_invalid_timezone"),
        ({"starts_on": "2020-01-06"}, "start_in_past"),
        ({"title": "   "}, "validation_error"),
        ({"title": ""}, "validation_error"),
        ({"max_participants": 0}, "validation_error"),
        ({"start_time": "25:00"}, "validation_error"),
        ({"starts_on": "demain"}, "validation_error"),
    ],
)
def test_series_bad_input(
    api: Any, owner: User, course: Course, override: dict[str, Any], code: str
) -> None:
    response = api(owner).post(series_path(course), series_body(**override))
    assert_error(response, 400, code)
    assert not SessionSeries.objects.exists()
    assert not LiveSession.objects.exists()


@time_machine.travel(datetime(2026, 12, 2, 14, 30, tzinfo=UTC), tick=False)
def test_series_today_with_a_past_occurrence_is_refused_whole(
    api: Any, owner: User, course: Course
) -> None:
    # Frozen mid-afternoon, so "an hour ago" is always today in Paris.
    now = timezone.now().astimezone(PARIS)
    earlier = (now - timedelta(hours=1)).replace(second=0, microsecond=0)
    body = series_body(
        starts_on=now.date().isoformat(),
        days_of_week=[now.weekday()],
        start_time=earlier.strftime("%H:%M"),
    )
    assert_error(api(owner).post(series_path(course), body), 400, "start_in_past")
    assert not LiveSession.objects.exists()


def test_series_by_others_is_refused(
    api: Any, course: Course, member: User, other_instructor: User
) -> None:
    assert_error(api(member).post(series_path(course), series_body()), 403, "forbidden")
    assert_error(api(other_instructor).post(series_path(course), series_body()), 403, "forbidden")
    assert_error(api(None).post(series_path(course), series_body()), 401, "not_authenticated")
    assert not LiveSession.objects.exists()


# --- Attendance report ---------------------------------------------------------------------


def test_attendance_report_json(api: Any, owner: User, member: User, course: Course) -> None:
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        session = make_live(owner, course, starts_in=timedelta(minutes=5), now=now)
        services.session_join(actor=member, session=session, now=now)
    participant = session.participants.get(user=member)
    # A second, overlapping interval (two tabs): counted once.
    AttendanceInterval.objects.create(
        participant=participant,
        joined_at=now + timedelta(minutes=1),
        left_at=now + timedelta(minutes=3),
        last_seen_at=now + timedelta(minutes=3),
    )
    with time_machine.travel(now + timedelta(minutes=10), tick=False):
        services.session_end(actor=owner, session=session)
        response = api(owner).get(f"/api/live-sessions/{session.pk}/attendance")
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["session_id"] == session.pk and data["status"] == "ended"
    [row] = data["participants"]
    assert row["user_id"] == member.pk and row["full_name"] == member.full_name
    assert row["role"] == "participant" and row["admitted_at"].endswith("Z")
    assert row["attendance_seconds"] == 600 and row["attendance_minutes"] == 10
    assert row["is_present"] is False and row["intervals_count"] == 2


def test_attendance_report_csv(api: Any, owner: User, member: User, course: Course) -> None:
    member.first_name = "=HYPERLINK(1)"
    member.save(update_fields=["first_name"])
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    response = api(owner).get(f"/api/live-sessions/{session.pk}/attendance", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="attendance-session-{session.pk}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["user_id", "full_name", "email"]
    assert len(rows) == 2
    assert rows[1][0] == str(member.pk) and rows[1][2] == member.email
    assert rows[1][1].startswith("'=")  # never a formula in a spreadsheet
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["online_now"] == "True" and line["attendance_status"] == "present"


def test_both_attendance_formats_are_in_the_document(
    owner: User, member: User, course: Course
) -> None:
    """The CSV answer was missing from the document (found by the apifuzz run)."""
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    token, _ = token_issue(user=owner)
    for query, content_type in (({}, "application/json"), ({"format": "csv"}, "text/csv")):
        response = call_conforming(
            "GET",
            "/api/live-sessions/{session_id}/attendance",
            token=token,
            path_parameters={"session_id": session.pk},
            query=query,
        )
        assert response.headers["content-type"][0].startswith(content_type)


def test_attendance_bad_input_and_forbidden(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course)
    path = f"/api/live-sessions/{session.pk}/attendance"
    assert_error(api(owner).get(path, {"format": "xlsx"}), 400, "validation_error")
    assert_error(api(member).get(path), 403, "forbidden")
    assert_error(api(member).get(path, {"format": "csv"}), 403, "forbidden")
    assert_error(api(owner).get("/api/live-sessions/987654/attendance"), 404, "session_not_found")
    response = api(owner).get(path)
    assert response.json_body["data"]["participants"] == []


def test_attendance_queries_do_not_grow(
    api: Any, owner: User, member: User, course: Course, user_factory: Any
) -> None:
    session = make_live(owner, course, max_participants=100)
    services.session_join(actor=member, session=session)
    path = f"/api/live-sessions/{session.pk}/attendance"
    call = warmed(api(owner), path)
    csv_call = warmed(api(owner), path, {"format": "csv"})
    one, one_csv = count_queries(call), count_queries(csv_call)
    for _ in range(49):
        student = user_factory()
        course_services.enrollment_create(actor=student, course=course)
        services.session_join(actor=student, session=session)
    assert len(call().json_body["data"]["participants"]) == 50
    assert count_queries(call) == one
    assert count_queries(csv_call) == one_csv


# --- Calendar ------------------------------------------------------------------------------

CALENDAR = "/api/student/calendar/live-sessions"


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def test_calendar_overlap_semantics(
    api: Any, owner: User, member: User, course: Course, outsider: User
) -> None:
    now = timezone.now()
    long = make_session(
        owner,
        course,
        title="Longue",
        starts_in=timedelta(hours=1),
        length=timedelta(hours=10),
        now=now,
    )
    before = make_session(owner, course, title="Avant", starts_in=timedelta(minutes=10), now=now)
    inside = make_session(owner, course, title="Dedans", starts_in=timedelta(hours=4), now=now)
    ending_at_start = make_session(
        owner,
        course,
        title="Bord",
        starts_in=timedelta(hours=2),
        length=timedelta(hours=1),
        now=now,
    )
    services.session_cancel(actor=owner, session=inside, reason="Grève")
    # The window [now+3h, now+5h): the long session spans it, "Avant" ends before it, a
    # session ending exactly at its start is out (half-open).
    params = window(now + timedelta(hours=3), now + timedelta(hours=5))
    response = api(member).get(CALENDAR, params)
    assert response.status_code == 200, response.content
    rows = response.json_body["data"]
    assert [r["id"] for r in rows] == [long.pk, inside.pk]
    assert rows[1]["status"] == "cancelled"
    assert not SECRET_KEYS & set(rows[0])
    assert rows[0]["start"].endswith("Z") and rows[0]["end"].endswith("Z")
    assert before.pk and ending_at_start.pk
    # The owner sees the sessions of the course they teach; an outsider none.
    assert [r["id"] for r in api(owner).get(CALENDAR, params).json_body["data"]] == [
        long.pk,
        inside.pk,
    ]
    assert api(outsider).get(CALENDAR, params).json_body["data"] == []


def test_calendar_ends_with_the_enrollment(
    api: Any, owner: User, member: User, course: Course
) -> None:
    make_session(owner, course)
    params = window(timezone.now(), timezone.now() + timedelta(days=1))
    assert len(api(member).get(CALENDAR, params).json_body["data"]) == 1
    course_services.enrollment_deactivate(actor=member, course=course)
    assert api(member).get(CALENDAR, params).json_body["data"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-01-01T00:00:00", "end": "2026-01-02T00:00:00+00:00"}, "validation_error"),
        ({"start": "2026-01-01T00:00:00Z"}, "validation_error"),
        ({"start": "hier", "end": "2026-01-02T00:00:00Z"}, "validation_error"),
        ({"start": "2026-01-02T00:00:00Z", "end": "2026-01-02T00:00:00Z"}, "end_before_start"),
        ({"start": "2026-01-03T00:00:00Z", "end": "2026-01-02T00:00:00Z"}, "end_before_start"),
        ({"start": "2026-01-01T00:00:00Z", "end": "2027-01-03T00:00:00Z"}, "window_too_long"),
    ],
)
def test_calendar_bad_input(api: Any, member: User, params: dict[str, str], code: str) -> None:
    assert_error(api(member).get(CALENDAR, params), 400, code)


def test_calendar_accepts_a_366_day_window(api: Any, member: User) -> None:
    params = {"start": "2026-01-01T00:00:00Z", "end": "2027-01-02T00:00:00Z"}
    assert api(member).get(CALENDAR, params).status_code == 200
    assert_error(api(None).get(CALENDAR, params), 401, "not_authenticated")


def test_calendar_queries_do_not_grow(api: Any, owner: User, member: User, course: Course) -> None:
    first = make_live(owner, course, title="S0")
    services.session_join(actor=member, session=first)
    params = window(timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=30))
    call = warmed(api(member), CALENDAR, params)
    one = count_queries(call)
    # Sessions of other courses (other slugs in the urls) and of a series.
    for n in range(1, 40):
        make_session(owner, course, title=f"S{n}", starts_in=timedelta(hours=n))
    for n in range(5):
        other = build_course(owner, title=f"Autre {n}")
        course_services.enrollment_create(actor=member, course=other)
        make_session(owner, other, title=f"A{n}", starts_in=timedelta(hours=n + 1))
    services.series_create(
        actor=owner,
        course=course,
        title="Atelier",
        days_of_week=[1, 3],
        start_time=time(18, 0),
        starts_on=(timezone.now() + timedelta(days=2)).date(),
        duration_minutes=60,
        count=5,
    )
    rows = call().json_body["data"]
    assert len(rows) == 50 and rows[0]["status"] == "live"
    assert len({row["url"] for row in rows}) == 50
    assert count_queries(call) == one
    # The token (with its user), then the rows: no per-row query, no participant count.
    assert one == 2


CALENDAR_ROW_KEYS = {
    "id",
    "title",
    "course_id",
    "course_title",
    "status",
    "start",
    "end",
    "type",
    "url",
}


def test_a_calendar_row_is_the_seeds_lean_row(
    api: Any, owner: User, course: Course, user_factory: Any, client: Any
) -> None:
    """Seed 000 §2.4's row (the MdSC frontend's CalendarLiveSession) plus course_id and
    status: nothing of the full session (description, room, instructor, counts)."""
    student = user_factory(timezone="America/Port-au-Prince")  # not UTC: times still Z
    course_services.enrollment_create(actor=student, course=course)
    session = make_session(owner, course, title="Séance : étude de cas")
    params = window(timezone.now(), timezone.now() + timedelta(days=1))
    (row,) = api(student).get(CALENDAR, params).json_body["data"]
    assert set(row) == CALENDAR_ROW_KEYS
    url = reverse("live:session_detail", kwargs={"slug": course.slug, "session_id": session.pk})
    assert row == {
        "id": session.pk,
        "title": "Séance : étude de cas",
        "course_id": course.pk,
        "course_title": course.title,
        "status": "scheduled",
        "start": row["start"],
        "end": row["end"],
        "type": "live_session",
        "url": url,
    }
    # UTC with a Z, the scheduled times to the millisecond.
    for key, value in (("start", session.scheduled_start_at), ("end", session.scheduled_end_at)):
        assert row[key].endswith("Z"), row[key]
        parsed = datetime.fromisoformat(row[key].replace("Z", "+00:00"))
        assert parsed.utcoffset() == timedelta(0)
        assert abs(parsed - value) < timedelta(milliseconds=1)
    # The url is a path (no host), and it is the student's page of that very session.
    assert row["url"].startswith("/") and "//" not in row["url"]
    match = resolve(row["url"])
    assert match.view_name == "live:session_detail"
    assert match.kwargs == {"slug": course.slug, "session_id": session.pk}
    client.force_login(student)
    page = client.get(row["url"])
    assert page.status_code == 200 and session.title in page.content.decode()


def test_the_calendar_row_is_documented(owner: User, member: User, course: Course) -> None:
    make_session(owner, course)
    services.session_cancel(actor=owner, session=make_session(owner, course), reason="Grève")
    token, _ = token_issue(user=member)
    response = call_conforming(
        "GET",
        CALENDAR,
        token=token,
        query=window(timezone.now(), timezone.now() + timedelta(days=1)),
    )
    rows = response.json()["data"]
    assert [row["status"] for row in rows] == ["scheduled", "cancelled"]
    assert all(set(row) == CALENDAR_ROW_KEYS for row in rows)


def test_the_documented_statuses_are_the_models() -> None:
    assert set(get_args(SessionStatusName)) == set(LiveSessionStatus.values)


def test_a_calendar_lists_only_the_callers_courses(
    api: Any,
    owner: User,
    member: User,
    course: Course,
    other_instructor: User,
    outsider: User,
    draft_course: Course,
) -> None:
    mine = make_session(owner, course, title="La mienne")
    elsewhere = build_course(other_instructor, title="Un autre cours")
    course_services.enrollment_create(actor=outsider, course=elsewhere)
    theirs = make_session(other_instructor, elsewhere, title="La leur")
    draft = make_session(owner, draft_course, title="Brouillon")
    params = window(timezone.now(), timezone.now() + timedelta(days=1))
    assert [r["id"] for r in api(member).get(CALENDAR, params).json_body["data"]] == [mine.pk]
    assert [r["id"] for r in api(outsider).get(CALENDAR, params).json_body["data"]] == [theirs.pk]
    # The owner sees every course they teach, a draft too; never another's.
    owned = [r["id"] for r in api(owner).get(CALENDAR, params).json_body["data"]]
    assert sorted(owned) == sorted([mine.pk, draft.pk])
    assert [r["id"] for r in api(other_instructor).get(CALENDAR, params).json_body["data"]] == [
        theirs.pk
    ]


def test_calendar_rows_load_only_what_they_show(
    owner: User, member: User, course: Course, django_assert_num_queries: Any
) -> None:
    make_session(owner, course)
    now = timezone.now()
    with django_assert_num_queries(1):
        sessions = selectors.sessions_in_window(user=member, start=now, end=now + timedelta(days=1))
    assert {"description", "jitsi_room_name", "jitsi_room_password"} <= (
        sessions[0].get_deferred_fields()
    )
    with django_assert_num_queries(0):
        rows = presenters.calendar_rows(sessions)
    assert rows[0]["url"].endswith(f"/live-sessions/{sessions[0].pk}")


def test_calendar_urls_keep_the_script_prefix(owner: User, member: User, course: Course) -> None:
    """The url template is taken per list under the current prefix (SCRIPT_NAME), so it
    stays the very path reverse() gives."""
    session = make_session(owner, course)
    now = timezone.now()
    sessions = selectors.sessions_in_window(user=member, start=now, end=now + timedelta(days=1))
    before = get_script_prefix()
    set_script_prefix("/campus/")
    try:
        (row,) = presenters.calendar_rows(sessions)
        kwargs = {"slug": course.slug, "session_id": session.pk}
        assert row["url"] == reverse("live:session_detail", kwargs=kwargs)
        assert row["url"].startswith("/campus/courses/")
    finally:
        set_script_prefix(before)
