"""Live sessions lifecycle over the API: create, list, detail, update, delete, cancel,
start, end. Bad input and state conflicts each give the envelope and a precise code."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from campus.accounts.models import User
from campus.accounts.tokens import token_issue
from campus.core.tests.openapi_check import call_conforming
from campus.courses.models import Course
from campus.live import services
from campus.live.models import (
    AttendanceInterval,
    LiveSession,
    LiveSessionStatus,
    Participant,
    ParticipantRole,
)
from campus.live.tests.helpers import make_live, make_session
from conftest import assert_error

pytestmark = pytest.mark.django_db

SECRET_KEYS = {"jitsi_room_password", "jwt", "jitsi_join_url", "jitsi_room_name"}


def iso(dt: datetime) -> str:
    return dt.isoformat()


def body(**over: Any) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=1)
    data = {
        "title": "Séance d'introduction",
        "description": "Première séance.",
        "scheduled_start_at": iso(start),
        "scheduled_end_at": iso(start + timedelta(hours=2)),
        "max_participants": 30,
        "is_recording_enabled": True,
    }
    data.update(over)
    return data


# --- Create --------------------------------------------------------------------------------


def test_owner_creates_a_session(api: Any, owner: User, course: Course, settings: Any) -> None:
    response = api(owner).post(f"/api/courses/{course.pk}/live-sessions", body())
    assert response.status_code == 201, response.content
    data = response.json_body["data"]
    assert data["status"] == "scheduled"
    assert data["course_id"] == course.pk and data["instructor_id"] == owner.pk
    assert data["max_participants"] == 30 and data["is_recording_enabled"] is True
    assert data["scheduled_start_at"].endswith("Z")
    assert data["jitsi_server_url"] == settings.JITSI_SERVER_URL
    assert not SECRET_KEYS & set(data)
    session = LiveSession.objects.get(pk=data["id"])
    assert session.jitsi_room_name.startswith(f"campus-course-{course.pk}-session-{session.pk}-")
    assert len(session.jitsi_room_password) >= 12
    assert session.sequence == 0


def test_create_accepts_the_other_spellings(api: Any, owner: User, course: Course) -> None:
    start = timezone.now() + timedelta(days=2)
    payload = {
        "title": "Autre orthographe",
        "scheduled_start_time": iso(start),
        "scheduled_end_time": iso(start + timedelta(hours=1)),
        "recording_enabled": True,
    }
    response = api(owner).post(f"/api/courses/{course.pk}/live-sessions", payload)
    assert response.status_code == 201, response.content
    data = response.json_body["data"]
    assert data["is_recording_enabled"] is True and data["max_participants"] == 100
    assert "scheduled_start_time" not in data and "recording_enabled" not in data


def test_admin_creates_for_the_course_instructor(
    api: Any, admin_user: User, owner: User, course: Course
) -> None:
    response = api(admin_user).post(f"/api/courses/{course.pk}/live-sessions", body())
    assert response.status_code == 201
    assert response.json_body["data"]["instructor_id"] == owner.pk


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"title": ""}, "validation_error"),
        ({"title": "x" * 201}, "validation_error"),
        ({"title": "   "}, "validation_error"),
        ({"description": "x" * 5001}, "validation_error"),
        ({"max_participants": 0}, "validation_error"),
        ({"max_participants": 10_001}, "validation_error"),
        ({"scheduled_start_at": "2030-01-01T10:00:00"}, "validation_error"),
        ({"scheduled_end_at": "pas une date"}, "validation_error"),
        ({"scheduled_start_at": None}, "validation_error"),
    ],
)
def test_create_bad_input(api: Any, owner: User, course: Course, over: dict, code: str) -> None:
    response = api(owner).post(f"/api/courses/{course.pk}/live-sessions", body(**over))
    assert_error(response, 400, code)
    assert not LiveSession.objects.exists()


def test_naive_datetime_is_refused_with_its_field(api: Any, owner: User, course: Course) -> None:
    response = api(owner).post(
        f"/api/courses/{course.pk}/live-sessions",
        body(scheduled_start_at="2030-01-01T10:00:00", scheduled_end_at="2030-01-01T11:00:00"),
    )
    details = assert_error(response, 400, "validation_error")["error"]["details"]
    assert {d["code"] for d in details} == {"timezone_aware"}


@pytest.mark.parametrize(
    ("start_offset", "length", "code"),
    [
        (timedelta(days=1), timedelta(0), "end_before_start"),
        (timedelta(days=1), timedelta(hours=-1), "end_before_start"),
        (timedelta(minutes=-5), timedelta(hours=1), "start_in_past"),
        (timedelta(days=1), timedelta(hours=12, seconds=1), "session_too_long"),
    ],
)
def test_create_schedule_rules(
    api: Any, owner: User, course: Course, start_offset: timedelta, length: timedelta, code: str
) -> None:
    start = timezone.now() + start_offset
    response = api(owner).post(
        f"/api/courses/{course.pk}/live-sessions",
        body(scheduled_start_at=iso(start), scheduled_end_at=iso(start + length)),
    )
    assert_error(response, 400, code)
    assert not LiveSession.objects.exists()


def test_twelve_hours_exactly_is_fine(api: Any, owner: User, course: Course) -> None:
    start = timezone.now() + timedelta(days=1)
    response = api(owner).post(
        f"/api/courses/{course.pk}/live-sessions",
        body(scheduled_start_at=iso(start), scheduled_end_at=iso(start + timedelta(hours=12))),
    )
    assert response.status_code == 201


def test_identity_in_the_body_is_ignored(
    api: Any, owner: User, course: Course, outsider: User
) -> None:
    response = api(owner).post(
        f"/api/courses/{course.pk}/live-sessions",
        body(instructor_id=outsider.pk, user_id=outsider.pk, role="admin"),
    )
    assert response.status_code == 201
    assert response.json_body["data"]["instructor_id"] == owner.pk


# --- List and detail -----------------------------------------------------------------------


def test_list_filters_by_status_and_hides_secrets(
    api: Any, owner: User, member: User, course: Course
) -> None:
    make_session(owner, course, title="A")
    live = make_live(owner, course, title="B")
    services.session_join(actor=member, session=live)
    response = api(member).get(f"/api/courses/{course.pk}/live-sessions")
    assert response.status_code == 200
    rows = response.json_body["data"]
    assert [r["title"] for r in rows] == ["A", "B"]
    assert response.json_body["pagination"] == {"page": 1, "limit": 20, "total": 2}
    for row in rows:
        assert not SECRET_KEYS & set(row)
    assert live.jitsi_room_password not in response.content.decode()
    assert member.email not in response.content.decode()
    assert rows[1]["participants_count"] == 1
    # The course reference carries the slug the pages' addresses are built from.
    assert rows[0]["course"] == {"id": course.pk, "title": course.title, "slug": course.slug}
    assert rows[0]["instructor"] == {"id": owner.pk, "full_name": owner.full_name}

    live_only = api(member).get(f"/api/courses/{course.pk}/live-sessions", {"status": "live"})
    assert [r["title"] for r in live_only.json_body["data"]] == ["B"]
    bad = api(member).get(f"/api/courses/{course.pk}/live-sessions", {"status": "nope"})
    assert_error(bad, 400, "validation_error")
    bad_limit = api(member).get(f"/api/courses/{course.pk}/live-sessions", {"limit": 1000})
    assert_error(bad_limit, 400, "validation_error")


def test_detail_never_shows_the_password(
    api: Any, owner: User, member: User, admin_user: User, course: Course
) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    for user in (member, owner, admin_user):
        response = api(user).get(f"/api/live-sessions/{session.pk}")
        assert response.status_code == 200
        text = response.content.decode()
        assert session.jitsi_room_password not in text
        # The room's name only for its moderators (the instructor's embedded player).
        assert (session.jitsi_room_name in text) is (user != member)
        assert member.email not in text
        assert not (SECRET_KEYS - {"jitsi_room_name"}) & set(response.json_body["data"])
        assert response.json_body["data"]["course"] == {
            "id": course.pk,
            "title": course.title,
            "slug": course.slug,
        }


def test_session_list_and_detail_send_what_the_document_says(
    owner: User, member: User, course: Course
) -> None:
    """The course reference carries its slug and the person is {id, full_name}, in the
    document as in the body (the document once said {id, name} and no slug)."""
    session = make_session(owner, course)
    token, _ = token_issue(user=member)
    listed = call_conforming(
        "GET",
        "/api/courses/{course_id}/live-sessions",
        token=token,
        path_parameters={"course_id": course.pk},
    )
    detail = call_conforming(
        "GET",
        "/api/live-sessions/{session_id}",
        token=token,
        path_parameters={"session_id": session.pk},
    )
    for row in (listed.json()["data"][0], detail.json()["data"]):
        assert row["course"]["slug"] == course.slug
        assert row["instructor"] == {"id": owner.pk, "full_name": owner.full_name}


def test_unknown_session_is_404(api: Any, owner: User) -> None:
    assert_error(api(owner).get("/api/live-sessions/999999"), 404, "session_not_found")


def test_unenrolled_student_loses_access_at_once(
    api: Any, owner: User, member: User, course: Course
) -> None:
    from campus.courses import services as course_services

    session = make_session(owner, course)
    assert api(member).get(f"/api/live-sessions/{session.pk}").status_code == 200
    course_services.enrollment_deactivate(actor=member, course=course)
    assert_error(api(member).get(f"/api/live-sessions/{session.pk}"), 403, "not_enrolled")


# --- Update ---------------------------------------------------------------------------------


def test_update_reschedule_bumps_sequence(api: Any, owner: User, course: Course) -> None:
    session = make_session(owner, course)
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = api(owner).put(
        f"/api/live-sessions/{session.pk}",
        {"scheduled_start_time": iso(start), "scheduled_end_time": iso(start + timedelta(hours=1))},
    )
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["sequence"] == 1
    assert datetime.fromisoformat(data["scheduled_start_at"]) == start.astimezone(UTC)


def test_patch_title_only_keeps_sequence(api: Any, owner: User, course: Course) -> None:
    session = make_session(owner, course)
    response = api(owner).patch(f"/api/live-sessions/{session.pk}", {"title": "Nouveau titre"})
    assert response.status_code == 200
    assert response.json_body["data"]["title"] == "Nouveau titre"
    assert response.json_body["data"]["sequence"] == 0


@pytest.mark.parametrize(
    ("payload_of", "code"),
    [
        (lambda s: {"scheduled_end_at": iso(s.scheduled_start_at)}, "end_before_start"),
        (
            lambda s: {"scheduled_end_at": iso(s.scheduled_start_at + timedelta(hours=13))},
            "session_too_long",
        ),
        (
            lambda s: {
                "scheduled_start_at": iso(timezone.now() - timedelta(hours=1)),
                "scheduled_end_at": iso(timezone.now() + timedelta(hours=1)),
            },
            "start_in_past",
        ),
        (lambda s: {"scheduled_start_at": "2030-01-01T10:00:00"}, "validation_error"),
        (lambda s: {"title": ""}, "validation_error"),
        (lambda s: {"max_participants": 0}, "validation_error"),
    ],
)
def test_update_bad_input(
    api: Any, owner: User, course: Course, payload_of: Any, code: str
) -> None:
    session = make_session(owner, course)
    response = api(owner).patch(f"/api/live-sessions/{session.pk}", payload_of(session))
    assert_error(response, 400, code)
    session.refresh_from_db()
    assert session.sequence == 0 and session.title == "Séance 1"


def test_update_only_while_scheduled(api: Any, owner: User, course: Course) -> None:
    session = make_live(owner, course)
    response = api(owner).patch(f"/api/live-sessions/{session.pk}", {"title": "Trop tard"})
    body_ = assert_error(response, 409, "invalid_transition")
    assert body_["error"]["details"]["status"] == "live"


# --- Delete and cancel ----------------------------------------------------------------------


def test_delete_without_attendance(api: Any, owner: User, course: Course) -> None:
    session = make_session(owner, course)
    response = api(owner).delete(f"/api/live-sessions/{session.pk}")
    assert response.status_code == 200
    assert response.json_body["data"] == {"id": session.pk, "deleted": True}
    assert not LiveSession.objects.filter(pk=session.pk).exists()


def test_delete_with_attendance_is_409(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_live(owner, course)
    services.session_join(actor=member, session=session)
    assert_error(
        api(owner).delete(f"/api/live-sessions/{session.pk}"), 409, "session_has_attendance"
    )
    assert LiveSession.objects.filter(pk=session.pk).exists()


def test_cancel_then_every_other_transition_is_409(api: Any, owner: User, course: Course) -> None:
    session = make_session(owner, course)
    client = api(owner)
    response = client.post(f"/api/live-sessions/{session.pk}/cancel", {"reason": "Grève"})
    assert response.status_code == 200
    assert response.json_body["data"]["status"] == "cancelled"
    assert response.json_body["data"]["cancel_reason"] == "Grève"
    assert response.json_body["data"]["sequence"] == 1
    for action in ("cancel", "start", "end"):
        err = assert_error(client.post(f"/api/live-sessions/{session.pk}/{action}", {}), 409)
        assert err["error"]["code"] == "invalid_transition"
        assert err["error"]["details"]["status"] == "cancelled"


def test_cancel_reason_too_long(api: Any, owner: User, course: Course) -> None:
    session = make_session(owner, course)
    response = api(owner).post(f"/api/live-sessions/{session.pk}/cancel", {"reason": "x" * 501})
    assert_error(response, 400, "validation_error")


# --- Start and end --------------------------------------------------------------------------


def test_start_window(api: Any, owner: User, course: Course) -> None:
    now = timezone.now()
    session = make_session(owner, course, starts_in=timedelta(hours=2), now=now)
    client = api(owner)
    with time_machine.travel(now + timedelta(hours=1, minutes=29), tick=False):
        err = assert_error(client.post(f"/api/live-sessions/{session.pk}/start"), 409)
        assert err["error"]["code"] == "start_window_closed"
    with time_machine.travel(now + timedelta(hours=1, minutes=31), tick=False):
        response = client.post(f"/api/live-sessions/{session.pk}/start")
        assert response.status_code == 200
        data = response.json_body["data"]
        assert data["status"] == "live" and data["actual_start_at"].endswith("Z")
        err = assert_error(client.post(f"/api/live-sessions/{session.pk}/start"), 409)
        assert err["error"]["code"] == "invalid_transition"
        assert err["error"]["details"]["status"] == "live"


def test_start_after_scheduled_end_is_refused(api: Any, owner: User, course: Course) -> None:
    now = timezone.now()
    session = make_session(owner, course, now=now)
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        err = assert_error(api(owner).post(f"/api/live-sessions/{session.pk}/start"), 409)
        assert err["error"]["code"] == "start_window_closed"


def test_end_closes_attendance_and_returns_stats(
    api: Any, owner: User, member: User, user_factory: Any, course: Course
) -> None:
    from campus.courses import services as course_services

    absent = user_factory()
    course_services.enrollment_create(actor=absent, course=course)
    now = timezone.now()
    session = make_session(owner, course, starts_in=timedelta(minutes=5), now=now)
    services.session_start(actor=owner, session=session, now=now)
    services.session_join(actor=member, session=session, now=now + timedelta(minutes=10))
    services.session_join(actor=owner, session=session, now=now)
    with time_machine.travel(now + timedelta(minutes=40), tick=False):
        response = api(owner).post(f"/api/live-sessions/{session.pk}/end")
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["status"] == "ended" and data["actual_end_at"].endswith("Z")
    stats = data["stats"]
    assert stats["actual_duration_seconds"] == 40 * 60
    assert stats["participants_count"] == 1
    assert stats["average_attendance_seconds"] == 30 * 60
    assert stats["active_enrollments"] == 2
    assert stats["attendance_rate"] == 50.0
    assert not AttendanceInterval.objects.filter(left_at__isnull=True).exists()
    student = Participant.objects.get(session=session, user=member)
    assert student.attendance_seconds == 30 * 60 and not student.is_present
    assert student.role == ParticipantRole.PARTICIPANT
    err = assert_error(api(owner).post(f"/api/live-sessions/{session.pk}/start"), 409)
    assert err["error"]["details"]["status"] == "ended"
    session.refresh_from_db()
    assert session.status == LiveSessionStatus.ENDED


def test_end_a_scheduled_session_is_409(api: Any, owner: User, course: Course) -> None:
    session = make_session(owner, course)
    err = assert_error(api(owner).post(f"/api/live-sessions/{session.pk}/end"), 409)
    assert err["error"]["code"] == "invalid_transition"
    assert err["error"]["details"]["status"] == "scheduled"
