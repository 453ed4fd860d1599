"""Joining, tokens, presence and participants over the API."""

from datetime import timedelta
from typing import Any

import jwt
import pytest
import time_machine
from django.utils import timezone

from campus.accounts.models import User
from campus.courses import services as course_services
from campus.courses.models import Course
from campus.live import services
from campus.live.models import AttendanceInterval, Participant, ParticipantRole
from campus.live.tests.helpers import make_live, make_session
from conftest import assert_error

pytestmark = pytest.mark.django_db

SECRET = "s" * 40


@pytest.fixture
def selfhosted(settings: Any) -> Any:
    settings.JITSI_MODE = "selfhosted"
    settings.JITSI_APP_ID = "campus-app"
    settings.JITSI_APP_SECRET = SECRET
    settings.JITSI_SERVER_URL = "https://meet.example.org"
    settings.JITSI_DOMAIN = "meet.example.org"
    settings.JITSI_SUBJECT = "meet.example.org"
    settings.JITSI_AUDIENCE = "jitsi"
    return settings


def decode(token: str) -> dict[str, Any]:
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi")


def enrolled(user_factory: Any, course: Course) -> User:
    student = user_factory()
    course_services.enrollment_create(actor=student, course=course)
    return student


# --- Join -------------------------------------------------------------------------------------


def test_member_joins_public_mode(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_live(owner, course)
    response = api(member).post(f"/api/live-sessions/{session.pk}/join")
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["jitsi_room_name"] == session.jitsi_room_name
    assert data["jitsi_domain"] == "meet.jit.si"
    assert data["jitsi_join_url"] == f"https://meet.jit.si/{session.jitsi_room_name}"
    assert data["jwt"] is None and data["expires_at"] is None
    assert data["jitsi_room_password"] == session.jitsi_room_password
    assert data["is_moderator"] is False
    assert data["display_name"] == member.display_name
    assert data["joined_at"].endswith("Z")
    participant = Participant.objects.get(session=session, user=member)
    assert participant.role == ParticipantRole.PARTICIPANT and participant.is_present
    assert participant.admitted_at is not None
    assert participant.enrollment is not None and participant.enrollment.user == member
    assert AttendanceInterval.objects.filter(participant=participant, left_at=None).count() == 1


def test_student_token_is_never_a_moderator(
    api: Any, owner: User, member: User, course: Course, selfhosted: Any
) -> None:
    session = make_live(owner, course, is_recording_enabled=True)
    response = api(member).post(
        f"/api/live-sessions/{session.pk}/join",
        {"user_id": owner.pk, "role": "moderator", "is_moderator": True},
    )
    assert response.status_code == 200
    data = response.json_body["data"]
    claims = decode(data["jwt"])
    assert claims["room"] == session.jitsi_room_name
    assert claims["moderator"] is False
    assert claims["context"]["user"]["moderator"] == "false"
    assert claims["context"]["user"]["affiliation"] == "member"
    assert claims["context"]["user"]["id"] == str(member.pk)
    assert claims["context"]["features"]["recording"] == "false"
    assert data["is_moderator"] is False
    assert data["jitsi_join_url"].endswith(f"?jwt={data['jwt']}")
    assert data["expires_at"].endswith("Z")

    token = api(member).post(
        f"/api/live-sessions/{session.pk}/jitsi-token", {"user_id": owner.pk, "role": "instructor"}
    )
    assert token.status_code == 200
    fresh = decode(token.json_body["data"]["jwt"])
    assert fresh["moderator"] is False and fresh["context"]["user"]["id"] == str(member.pk)


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_owner_and_admin_are_moderators(
    api: Any, owner: User, admin_user: User, course: Course, selfhosted: Any, who: str
) -> None:
    user = owner if who == "owner" else admin_user
    session = make_live(owner, course, is_recording_enabled=True)
    data = api(user).post(f"/api/live-sessions/{session.pk}/join").json_body["data"]
    claims = decode(data["jwt"])
    assert data["is_moderator"] is True and claims["moderator"] is True
    assert claims["context"]["user"]["affiliation"] == "owner"
    assert claims["context"]["features"]["recording"] == "true"
    expected = ParticipantRole.INSTRUCTOR if who == "owner" else ParticipantRole.MODERATOR
    assert Participant.objects.get(session=session, user=user).role == expected


def test_join_before_start_and_after_end(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_session(owner, course)
    err = assert_error(api(member).post(f"/api/live-sessions/{session.pk}/join"), 409)
    assert err["error"]["code"] == "session_not_started"
    assert err["error"]["details"]["scheduled_start_at"].endswith("Z")
    services.session_start(actor=owner, session=session)
    services.session_end(actor=owner, session=session)
    err = assert_error(api(member).post(f"/api/live-sessions/{session.pk}/join"), 409)
    assert err["error"]["code"] == "session_closed"
    token = api(member).post(f"/api/live-sessions/{session.pk}/jitsi-token")
    assert_error(token, 409, "session_closed")


def test_join_cancelled_is_closed(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_session(owner, course)
    services.session_cancel(actor=owner, session=session, reason="")
    assert_error(api(member).post(f"/api/live-sessions/{session.pk}/join"), 409, "session_closed")


def test_token_window_closed_is_session_closed(
    api: Any, owner: User, member: User, course: Course, selfhosted: Any
) -> None:
    now = timezone.now()
    session = make_live(owner, course, now=now)
    # Still "live" long after its end + grace (the sweep has not run yet): no token.
    with time_machine.travel(now + timedelta(hours=3), tick=False):
        err = assert_error(api(member).post(f"/api/live-sessions/{session.pk}/join"), 409)
    assert err["error"]["code"] == "session_closed"
    assert not Participant.objects.filter(session=session).exists()


def test_unenrolled_student_is_refused_at_once(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    assert api(member).post(f"/api/live-sessions/{session.pk}/join").status_code == 200
    course_services.enrollment_deactivate(actor=member, course=course)
    for action in ("join", "jitsi-token", "heartbeat", "leave"):
        response = api(member).post(f"/api/live-sessions/{session.pk}/{action}")
        assert_error(response, 403, "not_enrolled")


def test_capacity_and_rejoin(api: Any, owner: User, course: Course, user_factory: Any) -> None:
    session = make_live(owner, course, max_participants=2)
    first, second, third = (enrolled(user_factory, course) for _ in range(3))
    assert api(first).post(f"/api/live-sessions/{session.pk}/join").status_code == 200
    assert api(second).post(f"/api/live-sessions/{session.pk}/join").status_code == 200
    err = assert_error(api(third).post(f"/api/live-sessions/{session.pk}/join"), 409)
    assert err["error"]["code"] == "session_full"
    assert err["error"]["details"] == {"max_participants": 2}
    # The owner takes no seat and is always let in.
    assert api(owner).post(f"/api/live-sessions/{session.pk}/join").status_code == 200
    # An admitted student who left gets back in, even though the session is full.
    assert api(first).post(f"/api/live-sessions/{session.pk}/leave").status_code == 200
    again = api(first).post(f"/api/live-sessions/{session.pk}/join")
    assert again.status_code == 200
    assert_error(api(third).post(f"/api/live-sessions/{session.pk}/join"), 409, "session_full")
    # A refused student cannot get a token around capacity either.
    assert_error(api(third).post(f"/api/live-sessions/{session.pk}/jitsi-token"), 409, "not_joined")
    participant = Participant.objects.get(session=session, user=first)
    assert participant.intervals.count() == 2


def test_double_join_keeps_one_open_interval(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    for _ in range(3):
        assert api(member).post(f"/api/live-sessions/{session.pk}/join").status_code == 200
    assert AttendanceInterval.objects.filter(left_at=None).count() == 1


# --- Leave, heartbeat ------------------------------------------------------------------------


def test_leave_heartbeat_and_attendance(
    owner: User, member: User, course: Course, api: Any
) -> None:
    now = timezone.now()
    session = make_session(owner, course, now=now)
    services.session_start(actor=owner, session=session, now=now)
    client = api(member)
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        assert client.post(f"/api/live-sessions/{session.pk}/join").status_code == 200
    with time_machine.travel(now + timedelta(minutes=7), tick=False):
        beat = client.post(f"/api/live-sessions/{session.pk}/heartbeat")
        assert beat.status_code == 200
        assert beat.json_body["data"]["last_seen_at"].endswith("Z")
    with time_machine.travel(now + timedelta(minutes=15), tick=False):
        left = client.post(f"/api/live-sessions/{session.pk}/leave")
    assert left.status_code == 200
    data = left.json_body["data"]
    assert data["attendance_seconds"] == 600 and data["attendance_duration"] == 10
    assert_error(client.post(f"/api/live-sessions/{session.pk}/heartbeat"), 409, "not_joined")
    with time_machine.travel(now + timedelta(minutes=20), tick=False):
        client.post(f"/api/live-sessions/{session.pk}/join")
    with time_machine.travel(now + timedelta(minutes=30), tick=False):
        data = client.post(f"/api/live-sessions/{session.pk}/leave").json_body["data"]
    assert data["attendance_seconds"] == 1200
    participant = Participant.objects.get(session=session, user=member)
    assert not participant.is_present and participant.attendance_seconds == 1200


def test_heartbeat_or_leave_without_joining(
    api: Any, owner: User, member: User, course: Course
) -> None:
    session = make_live(owner, course)
    assert_error(api(member).post(f"/api/live-sessions/{session.pk}/heartbeat"), 409, "not_joined")
    assert_error(api(member).post(f"/api/live-sessions/{session.pk}/leave"), 409, "not_joined")


# --- Participants -----------------------------------------------------------------------------


def test_participants_for_the_owner(api: Any, owner: User, member: User, course: Course) -> None:
    session = make_live(owner, course)
    api(member).post(f"/api/live-sessions/{session.pk}/join")
    response = api(owner).get(f"/api/live-sessions/{session.pk}/participants")
    assert response.status_code == 200
    [row] = response.json_body["data"]
    assert row["user_id"] == member.pk and row["user"]["email"] == member.email
    assert row["role"] == "participant" and row["is_present"] is True
    assert response.json_body["pagination"]["total"] == 1
    assert session.jitsi_room_password not in response.content.decode()
