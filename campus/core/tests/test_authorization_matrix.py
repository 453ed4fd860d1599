"""The authorization table of ARCHITECTURE.md, tested as one matrix: every API endpoint x
the six actors (anonymous, outsider, member, owner, other_instructor, admin).

Policy encoded below:
- public reads (catalogue, a published course's page) are open to everyone, anonymous
  included; the outline inside is only for members, the owner and admins (see
  test_api_courses.py);
- course content (lessons, quizzes): members, the owner and admins; outsiders and other
  instructors 403, anonymous 401;
- a draft does not exist (404) for anyone but its owner and admins;
- enrolling: any logged-in user but the course's own instructor (409
  owner_cannot_enroll); an admin or another instructor may take a course as a student;
- doing the course as a student (completing a lesson, submitting an attempt) needs an
  active enrollment: the owner and admins, who see the content without one, get 403
  not_enrolled.

How to add rows (a new endpoint, or a new case of an existing one):
1. If the endpoint needs objects that do not exist yet, build them in the `ctx` fixture
   below and add their ids to the dict it returns (keys are used in path templates and
   body factories).
2. Append a `Row(name, method, path, expected, body)` to ROWS: `path` is a template
   formatted with `ctx` ("/api/courses/{course}"), `body` is None or a function
   ctx -> JSON body, and `expected` maps EVERY actor to a status, or to (status, code)
   when the error code matters. A missing actor fails the table check, so no actor is
   forgotten.
Every non-2xx answer is also checked to be the error envelope.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from campus.accounts.models import User
from campus.courses.models import Course, Lesson, Quiz
from conftest import PASSWORD, assert_error

ACTORS = ("anonymous", "outsider", "member", "owner", "other_instructor", "admin")

Expected = int | tuple[int, str]
Body = Callable[[dict[str, Any]], Any] | None


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str
    expected: dict[str, Expected]
    body: Body = field(default=None)


def each(
    anonymous: Expected,
    outsider: Expected,
    member: Expected,
    owner: Expected,
    other_instructor: Expected,
    admin: Expected,
) -> dict[str, Expected]:
    """One table cell per actor, in ACTORS order, so a row reads like the policy table."""
    return dict(
        zip(ACTORS, (anonymous, outsider, member, owner, other_instructor, admin), strict=True)
    )


NOT_ENROLLED = (403, "not_enrolled")
NO_AUTH = (401, "not_authenticated")
COURSE_404 = (404, "course_not_found")
FORBIDDEN = (403, "forbidden")
SESSION_404 = (404, "session_not_found")
INVALID_TRANSITION = (409, "invalid_transition")
NOT_STARTED = (409, "session_not_started")
NOT_JOINED = (409, "not_joined")
NOTIFICATION_404 = (404, "notification_not_found")
ENROLLMENT_404 = (404, "enrollment_not_found")
CERTIFICATE_404 = (404, "certificate_not_found")
LESSON_404 = (404, "lesson_not_found")
NOT_COMPLETED = (409, "not_completed")
RATING_404 = (404, "rating_not_found")
NOT_AUTHOR = (403, "not_author")
ALREADY_MODERATED = (409, "already_moderated")
FORUM_EXISTS = (409, "forum_exists")
TOPIC_404 = (404, "topic_not_found")
PARENT_NOT_IN_TOPIC = (400, "parent_not_in_topic")
OWN_POST = (403, "own_post")
MODERATOR_REPORT = (403, "moderator_cannot_report")
INVALID_ACTION = (400, "invalid_action")


def _handle_body(action: str) -> Body:
    """The body of a report decision (a function per action, not a late-bound lambda)."""
    return lambda ctx: {"action": action}


# --- The conference server's routes (campus/live/webhooks.py) -----------------------------
# Not user-facing: called by JaaS and by Prosody's event_sync, each with its own secret
# header, never with a user's credentials. No actor opens them: every actor's bearer token
# (or page session) is 401 `webhook_unauthorized`. The bodies are good events for the live
# session's room, so what refuses them is the missing secret (the control with the secret
# is test_conference_server_routes_refuse_every_actor, below, and
# campus/live/tests/test_webhooks_api.py).
WEBHOOK_401 = (401, "webhook_unauthorized")
EVENT_SYNC_PATHS = ("room/created", "room/destroyed", "occupant/joined", "occupant/left")


def _jaas_body(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "idempotencyKey": "d11f155d-ced5-4a7e-b6d9-aaa135c64f65",
        "eventType": "PARTICIPANT_JOINED",
        "sessionId": "c3348153-1027-4382-afad-5ae91b433c26",
        "timestamp": int(timezone.now().timestamp() * 1000),
        "fqn": f"vpaas-magic-cookie-matrix/{ctx['live_room']}",
        "data": {"id": str(ctx["login_user"]), "participantId": "p1", "name": "Awa"},
    }


def _event_sync_body(path_event: str) -> Body:
    def body(ctx: dict[str, Any]) -> dict[str, Any]:
        now = int(timezone.now().timestamp())
        occupant = {"occupant_jid": "o@meet.example.org/a", "joined_at": now, "left_at": now}
        return {
            "event_name": "muc-" + path_event.replace("/", "-"),
            "room_name": ctx["live_room"],
            "room_jid": f"{ctx['live_room']}@conference.meet.example.org",
            "is_breakout": False,
            "created_at": now,
            "destroyed_at": now,
            "occupant": {**occupant, "id": str(ctx["login_user"])},
        }

    return body


CONFERENCE_ROUTES: list[tuple[str, Body]] = [
    ("/api/live/jaas/webhook", _jaas_body),
    *[(f"/api/live/event-sync/events/{p}", _event_sync_body(p)) for p in EVENT_SYNC_PATHS],
]


ROWS: list[Row] = [
    Row(
        "login",
        "POST",
        "/api/auth/login",
        each(200, 200, 200, 200, 200, 200),
        body=lambda ctx: {"email": ctx["login_email"], "password": PASSWORD},
    ),
    Row(
        "login, wrong password",
        "POST",
        "/api/auth/login",
        each(*[(401, "invalid_credentials")] * 6),
        body=lambda ctx: {"email": ctx["login_email"], "password": "wrong-password"},
    ),
    Row("ping", "GET", "/api/ping", each(NO_AUTH, 200, 200, 200, 200, 200)),
    Row("me", "GET", "/api/auth/me", each(NO_AUTH, 200, 200, 200, 200, 200)),
    Row("logout", "POST", "/api/auth/logout", each(NO_AUTH, 200, 200, 200, 200, 200)),
    # The MdSC frontend's auth calls (campus/mdsc/auth.py).
    Row("mdsc profile", "GET", "/api/users/me", each(NO_AUTH, 200, 200, 200, 200, 200)),
    Row(
        "mdsc profile update",
        "PUT",
        "/api/users/me",
        each(NO_AUTH, 200, 200, 200, 200, 200),
        body=lambda ctx: {"firstName": "Nom", "role": "admin"},
    ),
    Row(
        "mdsc refresh, unknown token",
        "POST",
        "/api/auth/refresh-token",
        each(*[(401, "invalid_refresh_token")] * 6),
        body=lambda ctx: {"refreshToken": "inconnu"},
    ),
    Row(
        "mdsc register",
        "POST",
        "/api/auth/register",
        each(201, 201, 201, 201, 201, 201),
        body=lambda ctx: {"email": "nouveau@example.test", "password": "Campus-nouveau-2026!"},
    ),
    Row(
        "mdsc forgot password",
        "POST",
        "/api/auth/forgot-password",
        each(200, 200, 200, 200, 200, 200),
        body=lambda ctx: {"email": ctx["login_email"]},
    ),
    Row(
        "mdsc change password",
        "PUT",
        "/api/auth/change-password",
        each(NO_AUTH, 200, 200, 200, 200, 200),
        body=lambda ctx: {"currentPassword": PASSWORD, "newPassword": "Campus-change-2026!"},
    ),
    Row(
        "mdsc change password, wrong current one",
        "POST",
        "/api/auth/change-password",
        each(NO_AUTH, *[(400, "wrong_password")] * 5),
        body=lambda ctx: {"currentPassword": "pas-le-bon", "newPassword": "Campus-2026-x!"},
    ),
    Row("catalogue", "GET", "/api/courses", each(200, 200, 200, 200, 200, 200)),
    Row("course detail", "GET", "/api/courses/{course}", each(200, 200, 200, 200, 200, 200)),
    Row(
        "draft detail",
        "GET",
        "/api/courses/{draft}",
        each(COURSE_404, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "unknown course",
        "GET",
        "/api/courses/{missing}",
        each(COURSE_404, COURSE_404, COURSE_404, COURSE_404, COURSE_404, COURSE_404),
    ),
    Row(
        "course create",
        "POST",
        "/api/courses",
        each(NO_AUTH, (403, "forbidden"), (403, "forbidden"), 201, 201, 201),
        body=lambda ctx: {"title": "Nouveau cours"},
    ),
    Row(
        "enroll (seed style)",
        "POST",
        "/api/enrollments",
        each(NO_AUTH, 201, (409, "already_enrolled"), (409, "owner_cannot_enroll"), 201, 201),
        body=lambda ctx: {"course_id": ctx["course"]},
    ),
    Row(
        "enroll into a draft (seed style)",
        "POST",
        "/api/enrollments",
        each(
            NO_AUTH,
            COURSE_404,
            COURSE_404,
            (409, "course_not_published"),
            COURSE_404,
            (409, "course_not_published"),
        ),
        body=lambda ctx: {"course_id": ctx["draft"]},
    ),
    Row(
        "enroll",
        "POST",
        "/api/courses/{course}/enroll",
        each(NO_AUTH, 201, (409, "already_enrolled"), (409, "owner_cannot_enroll"), 201, 201),
    ),
    Row(
        "enroll into a draft",
        "POST",
        "/api/courses/{draft}/enroll",
        each(
            NO_AUTH,
            COURSE_404,
            COURSE_404,
            (409, "course_not_published"),
            COURSE_404,
            (409, "course_not_published"),
        ),
    ),
    Row(
        "unenroll",
        "POST",
        "/api/courses/{course}/unenroll",
        each(
            NO_AUTH,
            (409, "not_enrolled"),
            200,
            (409, "not_enrolled"),
            (409, "not_enrolled"),
            (409, "not_enrolled"),
        ),
    ),
    Row("my enrollments", "GET", "/api/enrollments/me", each(NO_AUTH, 200, 200, 200, 200, 200)),
    # The MdSC frontend's course and enrollment calls (campus/mdsc/courses.py).
    Row("mdsc popular courses", "GET", "/api/courses/popular", each(*[200] * 6)),
    Row("mdsc course by slug", "GET", "/api/courses/slug/{course_slug}", each(*[200] * 6)),
    Row(
        "mdsc draft by slug",
        "GET",
        "/api/courses/slug/{draft_slug}",
        each(COURSE_404, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row("mdsc my courses", "GET", "/api/courses/my", each(NO_AUTH, 200, 200, 200, 200, 200)),
    # Published ones for everyone; the drafts too for that instructor and admins.
    Row(
        "mdsc an instructor's courses",
        "GET",
        "/api/courses/instructor/{login_user}",
        each(*[200] * 6),
    ),
    Row(
        "mdsc my taught courses",
        "GET",
        "/api/instructor/courses",
        each(NO_AUTH, (403, "not_instructor"), (403, "not_instructor"), 200, 200, 200),
    ),
    Row(
        "mdsc check enrollment",
        "GET",
        "/api/courses/{course}/check-enrollment",
        each(NO_AUTH, 200, 200, 200, 200, 200),
    ),
    Row(
        "mdsc check enrollment, draft",
        "GET",
        "/api/courses/{draft}/check-enrollment",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "mdsc course update",
        "PUT",
        "/api/courses/{course}",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"title": "Titre modifié"},
    ),
    Row(
        "mdsc draft update",
        "PUT",
        "/api/courses/{draft}",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
        body=lambda ctx: {"title": "Titre modifié"},
    ),
    Row(
        "mdsc unenroll (DELETE)",
        "DELETE",
        "/api/courses/{course}/unenroll",
        each(
            NO_AUTH,
            (409, "not_enrolled"),
            200,
            (409, "not_enrolled"),
            (409, "not_enrolled"),
            (409, "not_enrolled"),
        ),
    ),
    Row(
        "mdsc course lesson",
        "GET",
        "/api/courses/{course}/lessons/{lesson}/student",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "mdsc course lesson complete",
        "POST",
        "/api/courses/{course}/lessons/{lesson}/complete",
        each(NO_AUTH, NOT_ENROLLED, 200, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED),
    ),
    Row(
        "mdsc course students",
        "GET",
        "/api/courses/{course}/enrollments",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row("mdsc my enrollments", "GET", "/api/enrollments", each(NO_AUTH, 200, 200, 200, 200, 200)),
    Row(
        "mdsc an enrollment",
        "GET",
        "/api/enrollments/{enrollment}",
        each(NO_AUTH, ENROLLMENT_404, 200, 200, ENROLLMENT_404, 200),
    ),
    Row(
        "mdsc unenroll by course id",
        "DELETE",
        "/api/enrollments/{course}",
        each(
            NO_AUTH,
            (409, "not_enrolled"),
            200,
            (409, "not_enrolled"),
            (409, "not_enrolled"),
            (409, "not_enrolled"),
        ),
    ),
    Row(
        "lesson",
        "GET",
        "/api/lessons/{lesson}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "draft lesson",
        "GET",
        "/api/lessons/{draft_lesson}",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "unknown lesson",
        "GET",
        "/api/lessons/{missing}",
        each(NO_AUTH, *[(404, "lesson_not_found")] * 5),
    ),
    Row(
        "lesson complete",
        "POST",
        "/api/lessons/{lesson}/complete",
        each(NO_AUTH, NOT_ENROLLED, 200, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED),
    ),
    Row(
        "draft lesson complete",
        "POST",
        "/api/lessons/{draft_lesson}/complete",
        each(NO_AUTH, COURSE_404, COURSE_404, NOT_ENROLLED, COURSE_404, NOT_ENROLLED),
    ),
    Row(
        "quiz",
        "GET",
        "/api/quizzes/{quiz}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "final evaluation",
        "GET",
        "/api/quizzes/{final_quiz}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "draft quiz",
        "GET",
        "/api/quizzes/{draft_quiz}",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "unknown quiz",
        "GET",
        "/api/quizzes/{missing}",
        each(NO_AUTH, *[(404, "quiz_not_found")] * 5),
    ),
    Row(
        "quiz attempt",
        "POST",
        "/api/quizzes/{quiz}/attempts",
        each(NO_AUTH, NOT_ENROLLED, 201, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED),
        body=lambda ctx: {"answers": {}},
    ),
    # --- Live sessions (campus/live) ---------------------------------------------------
    # View: members, owner, admin. Manage (create, edit, delete, cancel, start, end,
    # participants): owner and admin; everyone else logged in gets 403 forbidden.
    Row(
        "live session create",
        "POST",
        "/api/courses/{course}/live-sessions",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 201, FORBIDDEN, 201),
        body=lambda ctx: ctx["session_body"],
    ),
    Row(
        "live session create in a draft",
        "POST",
        "/api/courses/{draft}/live-sessions",
        each(NO_AUTH, COURSE_404, COURSE_404, 201, COURSE_404, 201),
        body=lambda ctx: ctx["session_body"],
    ),
    Row(
        "live sessions of a course",
        "GET",
        "/api/courses/{course}/live-sessions",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "live sessions of a draft",
        "GET",
        "/api/courses/{draft}/live-sessions",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "live session detail",
        "GET",
        "/api/live-sessions/{session}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "unknown live session",
        "GET",
        "/api/live-sessions/{missing}",
        each(NO_AUTH, *[SESSION_404] * 5),
    ),
    Row(
        "live session put",
        "PUT",
        "/api/live-sessions/{session}",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"title": "Modifiée"},
    ),
    Row(
        "live session patch",
        "PATCH",
        "/api/live-sessions/{session}",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"title": "Modifiée"},
    ),
    Row(
        "live session patch while live",
        "PATCH",
        "/api/live-sessions/{live_session}",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, INVALID_TRANSITION, FORBIDDEN, INVALID_TRANSITION),
        body=lambda ctx: {"title": "Modifiée"},
    ),
    Row(
        "live session delete",
        "DELETE",
        "/api/live-sessions/{session}",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row(
        "live session delete after attendance",
        "DELETE",
        "/api/live-sessions/{live_session}",
        each(
            NO_AUTH,
            FORBIDDEN,
            FORBIDDEN,
            (409, "session_has_attendance"),
            FORBIDDEN,
            (409, "session_has_attendance"),
        ),
    ),
    Row(
        "live session cancel",
        "POST",
        "/api/live-sessions/{session}/cancel",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"reason": "Empêchement"},
    ),
    Row(
        "live session start",
        "POST",
        "/api/live-sessions/{session}/start",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row(
        "live session start twice",
        "POST",
        "/api/live-sessions/{live_session}/start",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, INVALID_TRANSITION, FORBIDDEN, INVALID_TRANSITION),
    ),
    Row(
        "live session end",
        "POST",
        "/api/live-sessions/{live_session}/end",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    # Join and presence: members while live, the owner and admins as moderators.
    Row(
        "live session join",
        "POST",
        "/api/live-sessions/{live_session}/join",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
        body=lambda ctx: {"user_id": ctx["login_user"], "role": "moderator"},
    ),
    Row(
        "live session join before start",
        "POST",
        "/api/live-sessions/{session}/join",
        each(NO_AUTH, NOT_ENROLLED, NOT_STARTED, NOT_STARTED, NOT_ENROLLED, NOT_STARTED),
    ),
    Row(
        "live session jitsi token",
        "POST",
        "/api/live-sessions/{live_session}/jitsi-token",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
        body=lambda ctx: {"user_id": ctx["login_user"], "role": "instructor"},
    ),
    Row(
        "live session leave",
        "POST",
        "/api/live-sessions/{live_session}/leave",
        each(NO_AUTH, NOT_ENROLLED, 200, NOT_JOINED, NOT_ENROLLED, NOT_JOINED),
    ),
    Row(
        "live session heartbeat",
        "POST",
        "/api/live-sessions/{live_session}/heartbeat",
        each(NO_AUTH, NOT_ENROLLED, 200, NOT_JOINED, NOT_ENROLLED, NOT_JOINED),
    ),
    Row(
        "live session participants",
        "GET",
        "/api/live-sessions/{live_session}/participants",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row(
        "live session chat",
        "GET",
        "/api/live-sessions/{live_session}/chat",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "live session chat post",
        "POST",
        "/api/live-sessions/{live_session}/chat",
        each(NO_AUTH, NOT_ENROLLED, 201, 201, NOT_ENROLLED, 201),
        body=lambda ctx: {"text": "Bonjour", "kind": "question"},
    ),
    Row(
        "live session chat answer",
        "POST",
        "/api/live-sessions/{live_session}/chat",
        each(NO_AUTH, NOT_ENROLLED, FORBIDDEN, 201, NOT_ENROLLED, 201),
        body=lambda ctx: {"text": "Réponse", "kind": "answer", "answer_to": ctx["question"]},
    ),
    Row("my live sessions", "GET", "/api/student/live-sessions", each(NO_AUTH, *[200] * 5)),
    Row(
        "live session end before start",
        "POST",
        "/api/live-sessions/{session}/end",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, INVALID_TRANSITION, FORBIDDEN, INVALID_TRANSITION),
    ),
    # Series, attendance report, calendar.
    Row(
        "live session series create",
        "POST",
        "/api/courses/{course}/live-session-series",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 201, FORBIDDEN, 201),
        body=lambda ctx: {
            "title": "Série",
            "days_of_week": [0, 3],
            "start_time": "18:00",
            "timezone": "Africa/Porto-Novo",
            "starts_on": (timezone.now() + timedelta(days=2)).date().isoformat(),
            "duration_minutes": 60,
            "count": 3,
        },
    ),
    Row(
        "live session series create in a draft",
        "POST",
        "/api/courses/{draft}/live-session-series",
        each(NO_AUTH, COURSE_404, COURSE_404, 201, COURSE_404, 201),
        body=lambda ctx: {
            "title": "Série",
            "days_of_week": [1],
            "start_time": "09:30",
            "starts_on": (timezone.now() + timedelta(days=2)).date().isoformat(),
            "duration_minutes": 60,
            "count": 1,
        },
    ),
    Row(
        "live session series edit (this and following)",
        "PATCH",
        "/api/live-sessions/{occurrence}/series",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"title": "Série modifiée", "start_time": "19:30"},
    ),
    Row(
        "live session series edit, not in a series",
        "PATCH",
        "/api/live-sessions/{session}/series",
        each(
            NO_AUTH, FORBIDDEN, FORBIDDEN, (409, "not_in_series"), FORBIDDEN, (409, "not_in_series")
        ),
        body=lambda ctx: {"title": "Série modifiée"},
    ),
    Row(
        "unknown live session series edit",
        "PATCH",
        "/api/live-sessions/{missing}/series",
        each(NO_AUTH, *[SESSION_404] * 5),
        body=lambda ctx: {"title": "Série modifiée"},
    ),
    # A series as one thing: read it, edit or cancel all its future occurrences.
    Row(
        "live series detail",
        "GET",
        "/api/live-series/{series}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "live series edit (future occurrences)",
        "PATCH",
        "/api/live-series/{series}",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"title": "Série modifiée", "start_time": "19:30"},
    ),
    Row(
        "live series cancel (future occurrences)",
        "POST",
        "/api/live-series/{series}/cancel",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"reason": "Fin du semestre"},
    ),
    Row(
        "unknown live series",
        "GET",
        "/api/live-series/{missing}",
        each(NO_AUTH, *[(404, "series_not_found")] * 5),
    ),
    Row(
        "unknown live series cancel",
        "POST",
        "/api/live-series/{missing}/cancel",
        each(NO_AUTH, *[(404, "series_not_found")] * 5),
        body=lambda ctx: {"reason": ""},
    ),
    Row(
        "live session attendance",
        "GET",
        "/api/live-sessions/{live_session}/attendance",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row(
        "unknown live session attendance",
        "GET",
        "/api/live-sessions/{missing}/attendance",
        each(NO_AUTH, *[SESSION_404] * 5),
    ),
    Row(
        "live series attendance",
        "GET",
        "/api/live-series/{attendance_series}/attendance",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row(
        "unknown live series attendance",
        "GET",
        "/api/live-series/{missing}/attendance",
        each(NO_AUTH, *[(404, "series_not_found")] * 5),
    ),
    Row(
        "my live sessions calendar",
        "GET",
        "/api/student/calendar/live-sessions",
        each(NO_AUTH, *[200] * 5),
        body=lambda ctx: {
            "start": timezone.now().isoformat(),
            "end": (timezone.now() + timedelta(days=7)).isoformat(),
        },
    ),
    Row(
        "live session notify",
        "POST",
        "/api/live-sessions/{live_session}/notify",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"message": "La séance commence dans 10 minutes."},
    ),
    Row(
        "unknown live session notify",
        "POST",
        "/api/live-sessions/{missing}/notify",
        each(NO_AUTH, *[SESSION_404] * 5),
        body=lambda ctx: {"message": "Bonjour"},
    ),
    Row(
        "live session recording link",
        "PUT",
        "/api/live-sessions/{ended_session}/recording",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"recording_url": "https://video.example.org/seance-1"},
    ),
    Row(
        "live session recording link before the end",
        "PUT",
        "/api/live-sessions/{session}/recording",
        each(
            NO_AUTH,
            FORBIDDEN,
            FORBIDDEN,
            (409, "session_not_ended"),
            FORBIDDEN,
            (409, "session_not_ended"),
        ),
        body=lambda ctx: {"recording_url": "https://video.example.org/seance-1"},
    ),
    *[
        Row(
            f"live session chat {action}",
            "POST",
            f"/api/live-sessions/{{live_session}}/chat/{{question}}/{action}",
            each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        )
        for action in ("pin", "unpin", "hide", "unhide")
    ],
    # Notifications: everyone logged in has an inbox; only its owner sees a notice
    # (another user's is a 404, never a 403 that would confirm it exists).
    Row("notifications", "GET", "/api/notifications", each(NO_AUTH, 200, 200, 200, 200, 200)),
    Row(
        "notifications unread count",
        "GET",
        "/api/notifications/unread-count",
        each(NO_AUTH, 200, 200, 200, 200, 200),
    ),
    Row(
        "notifications read all",
        "POST",
        "/api/notifications/read-all",
        each(NO_AUTH, 200, 200, 200, 200, 200),
    ),
    Row(
        "notification read",
        "POST",
        "/api/notifications/{notification}/read",
        each(NO_AUTH, NOTIFICATION_404, 200, NOTIFICATION_404, NOTIFICATION_404, NOTIFICATION_404),
    ),
    Row(
        "notification delete",
        "DELETE",
        "/api/notifications/{notification}",
        each(NO_AUTH, NOTIFICATION_404, 200, NOTIFICATION_404, NOTIFICATION_404, NOTIFICATION_404),
    ),
    Row(
        "notification preferences",
        "GET",
        "/api/notifications/preferences",
        each(NO_AUTH, 200, 200, 200, 200, 200),
    ),
    Row(
        "notification preferences change",
        "PUT",
        "/api/notifications/preferences",
        each(NO_AUTH, 200, 200, 200, 200, 200),
        body=lambda ctx: {"session_started": {"in_app": True, "email": False}},
    ),
    # Agenda: the calendar is personal (each user gets their own, never another's); a
    # study plan belongs to the student alone: anyone else's enrollment is a 404, even
    # for the course's owner or an admin.
    Row(
        "calendar events",
        "GET",
        "/api/calendar/events",
        each(NO_AUTH, 200, 200, 200, 200, 200),
        body=lambda ctx: {"start": "2027-01-01", "end": "2027-01-31"},
    ),
    Row(
        "calendar (default window)", "GET", "/api/calendar", each(NO_AUTH, 200, 200, 200, 200, 200)
    ),
    # The MdSC frontend's live, calendar and study-plan calls (campus/mdsc/live.py, agenda).
    Row(
        "mdsc instructor live sessions",
        "GET",
        "/api/instructor/live-sessions",
        each(NO_AUTH, (403, "not_instructor"), (403, "not_instructor"), 200, 200, 200),
    ),
    Row(
        "calendar event (a session of the caller's own calendar)",
        "GET",
        "/api/calendar/{session}",
        each(
            NO_AUTH,
            (404, "event_not_found"),
            200,
            200,
            (404, "event_not_found"),
            (404, "event_not_found"),
        ),
    ),
    *[
        Row(
            f"mdsc course schedule {path.replace('{', '<').replace('}', '>')}",
            "GET",
            path,
            each(NO_AUTH, NOT_ENROLLED, 200, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED),
        )
        for path in (
            "/api/student/courses/{course}/schedule",
            "/api/student/schedule/{course}",
            "/api/courses/{course}/schedule",
        )
    ],
    Row(
        "calendar token regenerate",
        "POST",
        "/api/calendar/token/regenerate",
        each(NO_AUTH, 200, 200, 200, 200, 200),
    ),
    Row(
        "study plan generate",
        "POST",
        "/api/enrollments/{enrollment}/generate-schedule",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "study plan",
        "GET",
        "/api/enrollments/{enrollment}/schedule",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "study plan settings",
        "PUT",
        "/api/enrollments/{enrollment}/schedule",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
        body=lambda ctx: {"study_days": [0, 2], "start_time": "19:00", "minutes_per_day": 45},
    ),
    Row(
        "calendar sync links",
        "POST",
        "/api/enrollments/{enrollment}/sync-calendar",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "study plan of an unknown enrollment",
        "GET",
        "/api/enrollments/{missing}/schedule",
        each(NO_AUTH, *[ENROLLMENT_404] * 5),
    ),
    # --- The conference server (campus/live/webhooks.py): see CONFERENCE_ROUTES ---------
    *[
        Row(
            f"conference server {path.rsplit('/live/', 1)[1]}",
            "POST",
            path,
            each(*[WEBHOOK_401] * 6),
            body=body,
        )
        for path, body in CONFERENCE_ROUTES
    ],
    # --- Ratings (campus/ratings) ------------------------------------------------------
    # Lists, stats and approved reviews are public; a pending review exists only for its
    # author, the course's owner and admins; only the author edits (admins may delete);
    # only a student whose enrollment is completed rates (the matrix member has not
    # finished: 409 not_completed); moderation is for the owner and admins.
    Row(
        "rating create",
        "POST",
        "/api/courses/{course}/ratings",
        each(
            NO_AUTH, NOT_ENROLLED, (409, "not_completed"), NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED
        ),
        body=lambda ctx: {"rating": 4},
    ),
    Row(
        "rating create on a draft",
        "POST",
        "/api/courses/{draft}/ratings",
        each(NO_AUTH, COURSE_404, COURSE_404, NOT_ENROLLED, COURSE_404, NOT_ENROLLED),
        body=lambda ctx: {"rating": 4},
    ),
    Row("ratings list", "GET", "/api/courses/{course}/ratings", each(*[200] * 6)),
    Row(
        "ratings list of a draft",
        "GET",
        "/api/courses/{draft}/ratings",
        each(COURSE_404, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row("rating stats", "GET", "/api/courses/{course}/ratings/stats", each(*[200] * 6)),
    Row(
        "rating detail, approved",
        "GET",
        "/api/courses/{course}/ratings/{rating_approved}",
        each(*[200] * 6),
    ),
    Row(
        "rating detail, pending",
        "GET",
        "/api/courses/{course}/ratings/{rating_pending}",
        each(RATING_404, RATING_404, RATING_404, 200, RATING_404, 200),
    ),
    Row(
        "rating update",
        "PUT",
        "/api/courses/{course}/ratings/{rating_approved}",
        each(NO_AUTH, *[NOT_AUTHOR] * 5),
        body=lambda ctx: {"rating": 5},
    ),
    Row(
        "rating update, pending",
        "PUT",
        "/api/courses/{course}/ratings/{rating_pending}",
        each(NO_AUTH, RATING_404, RATING_404, NOT_AUTHOR, RATING_404, NOT_AUTHOR),
        body=lambda ctx: {"rating": 5},
    ),
    Row(
        "rating delete",
        "DELETE",
        "/api/courses/{course}/ratings/{rating_approved}",
        each(NO_AUTH, NOT_AUTHOR, NOT_AUTHOR, NOT_AUTHOR, NOT_AUTHOR, 200),
    ),
    Row(
        "can rate",
        "GET",
        "/api/enrollments/{enrollment}/can-rate",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "ratings moderation queue",
        "GET",
        "/api/ratings/moderation",
        each(NO_AUTH, (403, "not_instructor"), (403, "not_instructor"), 200, 200, 200),
    ),
    Row(
        "rating approve",
        "POST",
        "/api/ratings/{rating_pending}/approve",
        each(NO_AUTH, RATING_404, RATING_404, 200, RATING_404, 200),
    ),
    Row(
        "rating approve, already approved",
        "POST",
        "/api/ratings/{rating_approved}/approve",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, ALREADY_MODERATED, FORBIDDEN, ALREADY_MODERATED),
    ),
    Row(
        "rating reject",
        "POST",
        "/api/ratings/{rating_approved}/reject",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        body=lambda ctx: {"note": "Hors sujet."},
    ),
    # --- Certificates (campus/certificates) ------------------------------------------
    # A certificate is its holder's: asked for by the student of the (completed)
    # enrollment alone; read by its holder and admins; downloaded by its holder only (the
    # PDF row uses a revoked certificate, 409, because a 200 here is a PDF, not the JSON
    # envelope: the download's 200 is tested in campus/certificates/tests); revoked by
    # admins; verified by anyone with the code.
    Row(
        "certificate issue",
        "POST",
        "/api/enrollments/{certificate_enrollment}/certificate",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "certificate issue, course not completed",
        "POST",
        "/api/enrollments/{enrollment}/certificate",
        each(
            NO_AUTH,
            ENROLLMENT_404,
            (409, "not_completed"),
            ENROLLMENT_404,
            ENROLLMENT_404,
            ENROLLMENT_404,
        ),
    ),
    Row("my certificates", "GET", "/api/certificates", each(NO_AUTH, *[200] * 5)),
    Row(
        "certificate detail",
        "GET",
        "/api/certificates/{certificate}",
        each(NO_AUTH, CERTIFICATE_404, 200, CERTIFICATE_404, CERTIFICATE_404, 200),
    ),
    Row(
        "certificate pdf, revoked",
        "GET",
        "/api/certificates/{revoked_certificate}/pdf",
        each(
            NO_AUTH,
            CERTIFICATE_404,
            (409, "certificate_revoked"),
            CERTIFICATE_404,
            CERTIFICATE_404,
            CERTIFICATE_404,
        ),
    ),
    Row(
        "certificate revoke",
        "POST",
        "/api/certificates/{certificate}/revoke",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 200),
        body=lambda ctx: {"reason": "Fraude avérée."},
    ),
    Row(
        "certificate verify",
        "GET",
        "/api/certificates/verify/{certificate_code}",
        each(*[200] * 6),
    ),
    Row(
        "certificate verify, unknown code",
        "GET",
        "/api/certificates/verify/{missing}",
        each(*[CERTIFICATE_404] * 6),
    ),
    # The MdSC frontend's progress and certificate calls (campus/mdsc/learning.py).
    # Progress of an enrollment: read by its student, the course's owner and admins;
    # written by its student alone (active enrollment); anyone else 404. "My progress in
    # a course" is the caller's own: no active enrollment, 404. A lesson's progress needs
    # the lesson's content (members, owner, admins; an empty list without an enrollment).
    # Certificates: the student of a completed enrollment alone; the matrix member has not
    # completed `course` (409 not_completed) but holds `certificate` (`certificate_course`).
    Row(
        "mdsc enrollment progress",
        "GET",
        "/api/progress/enrollment/{enrollment}",
        each(NO_AUTH, ENROLLMENT_404, 200, 200, ENROLLMENT_404, 200),
    ),
    Row(
        "mdsc student course progress",
        "GET",
        "/api/student/courses/{course}/progress",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc course progress",
        "GET",
        "/api/progress/course/{course}",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc course progress of a draft",
        "GET",
        "/api/progress/course/{draft}",
        each(NO_AUTH, COURSE_404, COURSE_404, ENROLLMENT_404, COURSE_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc lesson progress",
        "GET",
        "/api/progress/lesson/{lesson}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "mdsc lesson progress update",
        "PUT",
        "/api/progress/enrollment/{enrollment}/lesson/{lesson}",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
        body=lambda ctx: {"time_spent": 30, "completion_percentage": 40},
    ),
    Row(
        "mdsc lesson progress update, lesson of another course",
        "PUT",
        "/api/progress/enrollment/{enrollment}/lesson/{certificate_lesson}",
        each(NO_AUTH, ENROLLMENT_404, LESSON_404, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
        body=lambda ctx: {"time_spent": 30},
    ),
    Row(
        "mdsc lesson complete",
        "POST",
        "/api/progress/enrollment/{enrollment}/lesson/{lesson}/complete",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc lesson complete, lesson of another course",
        "POST",
        "/api/progress/enrollment/{enrollment}/lesson/{certificate_lesson}/complete",
        each(NO_AUTH, ENROLLMENT_404, LESSON_404, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc lesson complete (sequential)",
        "POST",
        "/api/progress/enrollment/{enrollment}/lesson/{lesson}/complete-sequential",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
        body=lambda ctx: {"time_spent": 60},
    ),
    Row(
        "mdsc lesson access",
        "GET",
        "/api/progress/enrollment/{enrollment}/lesson/{lesson}/access",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc lesson access, lesson of another course",
        "GET",
        "/api/progress/enrollment/{enrollment}/lesson/{certificate_lesson}/access",
        each(NO_AUTH, ENROLLMENT_404, LESSON_404, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc certificate request by enrollment",
        "POST",
        "/api/enrollments/{certificate_enrollment}/certificate/request",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc certificate request by enrollment, course not completed",
        "POST",
        "/api/enrollments/{enrollment}/certificate/request",
        each(
            NO_AUTH,
            ENROLLMENT_404,
            NOT_COMPLETED,
            ENROLLMENT_404,
            ENROLLMENT_404,
            ENROLLMENT_404,
        ),
    ),
    Row(
        "mdsc certificate of an enrollment",
        "GET",
        "/api/enrollments/{certificate_enrollment}/certificate/request",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc certificate of an enrollment, none issued",
        "GET",
        "/api/enrollments/{enrollment}/certificate/request",
        each(
            NO_AUTH,
            ENROLLMENT_404,
            CERTIFICATE_404,
            ENROLLMENT_404,
            ENROLLMENT_404,
            ENROLLMENT_404,
        ),
    ),
    Row(
        "mdsc certificate request by course",
        "POST",
        "/api/certificates/request",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
        body=lambda ctx: {"courseId": ctx["certificate_course"]},
    ),
    Row(
        "mdsc certificate request by course, not completed",
        "POST",
        "/api/certificates/request",
        each(
            NO_AUTH,
            ENROLLMENT_404,
            NOT_COMPLETED,
            ENROLLMENT_404,
            ENROLLMENT_404,
            ENROLLMENT_404,
        ),
        body=lambda ctx: {"course_id": ctx["course"]},
    ),
    Row(
        "mdsc certificate generate",
        "POST",
        "/api/certificates/generate/{certificate_course}",
        each(NO_AUTH, ENROLLMENT_404, 200, ENROLLMENT_404, ENROLLMENT_404, ENROLLMENT_404),
    ),
    Row(
        "mdsc certificate generate, not completed",
        "POST",
        "/api/certificates/generate/{course}",
        each(
            NO_AUTH,
            ENROLLMENT_404,
            NOT_COMPLETED,
            ENROLLMENT_404,
            ENROLLMENT_404,
            ENROLLMENT_404,
        ),
    ),
    Row(
        "mdsc my certificates",
        "GET",
        "/api/certificates/my-certificates",
        each(NO_AUTH, 200, 200, 200, 200, 200),
    ),
    Row(
        "mdsc certificate for a course",
        "GET",
        "/api/certificates/course/{certificate_course}",
        each(NO_AUTH, CERTIFICATE_404, 200, CERTIFICATE_404, CERTIFICATE_404, CERTIFICATE_404),
    ),
    Row(
        "mdsc certificate for a course, none issued",
        "GET",
        "/api/certificates/course/{course}",
        each(
            NO_AUTH,
            CERTIFICATE_404,
            CERTIFICATE_404,
            CERTIFICATE_404,
            CERTIFICATE_404,
            CERTIFICATE_404,
        ),
    ),
    Row(
        "mdsc certificate download, revoked",
        "GET",
        "/api/certificates/{revoked_certificate}/download",
        each(
            NO_AUTH,
            CERTIFICATE_404,
            (409, "certificate_revoked"),
            CERTIFICATE_404,
            CERTIFICATE_404,
            CERTIFICATE_404,
        ),
    ),
    # --- Forum (campus/forum) ----------------------------------------------------------
    # Read and post: members, the owner, admins (outsiders and other instructors 403
    # not_enrolled, anonymous 401, a draft's forum 404). Moderation (pin, lock, hide,
    # reports): the owner and admins. Edits: one's own posts. Solution: the topic's
    # author, the owner, admins. `forum_topic` is the member's, answered by the owner
    # (`forum_reply`, also its solution) and by the member (`forum_member_reply`).
    Row(
        "forum detail",
        "GET",
        "/api/courses/{course}/forum",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "forum of a draft",
        "GET",
        "/api/courses/{draft}/forum",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "forum create (it exists with the course)",
        "POST",
        "/api/courses/{course}/forum",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, FORUM_EXISTS, FORBIDDEN, FORUM_EXISTS),
        body=lambda ctx: {},
    ),
    Row(
        "forum follow",
        "POST",
        "/api/forums/{forum}/follow",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "forum unfollow",
        "POST",
        "/api/forums/{forum}/unfollow",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "forum topics",
        "GET",
        "/api/forums/{forum}/topics",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "forum topics of a draft",
        "GET",
        "/api/forums/{draft_forum}/topics",
        each(NO_AUTH, COURSE_404, COURSE_404, 200, COURSE_404, 200),
    ),
    Row(
        "topic create",
        "POST",
        "/api/forums/{forum}/topics",
        each(NO_AUTH, NOT_ENROLLED, 201, 201, NOT_ENROLLED, 201),
        body=lambda ctx: {"title": "Question", "content": "Bonjour"},
    ),
    Row(
        "topic detail",
        "GET",
        "/api/topics/{forum_topic}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "hidden topic detail",
        "GET",
        "/api/topics/{forum_hidden_topic}",
        each(NO_AUTH, NOT_ENROLLED, TOPIC_404, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "topic update",
        "PUT",
        "/api/topics/{forum_topic}",
        each(NO_AUTH, NOT_ENROLLED, 200, NOT_AUTHOR, NOT_ENROLLED, NOT_AUTHOR),
        body=lambda ctx: {"title": "Titre modifié"},
    ),
    Row(
        "topic delete, answered by others",
        "DELETE",
        "/api/topics/{forum_topic}",
        each(NO_AUTH, NOT_ENROLLED, (409, "topic_has_replies"), 200, NOT_ENROLLED, 200),
    ),
    *[
        Row(
            f"topic {action}",
            "POST",
            f"/api/topics/{{forum_topic}}/{action}",
            each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        )
        for action in ("pin", "unpin", "lock", "unlock", "hide", "unhide")
    ],
    *[
        Row(
            f"topic {action}",
            "POST",
            f"/api/topics/{{forum_topic}}/{action}",
            each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
        )
        for action in ("follow", "unfollow")
    ],
    # Reports: not one's own post (403 own_post), not by the forum's moderators (they
    # hide or lock instead: 403 moderator_cannot_report).
    Row(
        "topic report, one's own",
        "POST",
        "/api/topics/{forum_topic}/report",
        each(NO_AUTH, NOT_ENROLLED, OWN_POST, MODERATOR_REPORT, NOT_ENROLLED, MODERATOR_REPORT),
        body=lambda ctx: {"reason": "Hors sujet"},
    ),
    Row(
        "topic report",
        "POST",
        "/api/topics/{forum_locked_topic}/report",
        each(NO_AUTH, NOT_ENROLLED, 201, MODERATOR_REPORT, NOT_ENROLLED, MODERATOR_REPORT),
        body=lambda ctx: {"reason": "Hors sujet"},
    ),
    Row(
        "topic replies",
        "GET",
        "/api/topics/{forum_topic}/replies",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "reply create",
        "POST",
        "/api/topics/{forum_topic}/replies",
        each(NO_AUTH, NOT_ENROLLED, 201, 201, NOT_ENROLLED, 201),
        body=lambda ctx: {"content": "Merci", "parent_reply_id": ctx["forum_reply"]},
    ),
    Row(
        "reply create, parent in another topic",
        "POST",
        "/api/topics/{forum_topic}/replies",
        each(
            NO_AUTH,
            NOT_ENROLLED,
            PARENT_NOT_IN_TOPIC,
            PARENT_NOT_IN_TOPIC,
            NOT_ENROLLED,
            PARENT_NOT_IN_TOPIC,
        ),
        body=lambda ctx: {"content": "Merci", "parent_reply_id": ctx["forum_other_reply"]},
    ),
    Row(
        "reply create, locked topic",
        "POST",
        "/api/topics/{forum_locked_topic}/replies",
        each(NO_AUTH, NOT_ENROLLED, (403, "topic_locked"), 201, NOT_ENROLLED, 201),
        body=lambda ctx: {"content": "Encore une question"},
    ),
    Row(
        "reply update",
        "PUT",
        "/api/replies/{forum_member_reply}",
        each(NO_AUTH, NOT_ENROLLED, 200, NOT_AUTHOR, NOT_ENROLLED, NOT_AUTHOR),
        body=lambda ctx: {"content": "Corrigé"},
    ),
    Row(
        "reply delete",
        "DELETE",
        "/api/replies/{forum_member_reply}",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "reply delete, someone else's",
        "DELETE",
        "/api/replies/{forum_reply}",
        each(NO_AUTH, NOT_ENROLLED, NOT_AUTHOR, 200, NOT_ENROLLED, 200),
    ),
    *[
        Row(
            f"reply {action}",
            "POST",
            f"/api/replies/{{forum_reply}}/{action}",
            each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
        )
        for action in ("hide", "unhide")
    ],
    Row(
        "mark solution, by the topic's author",
        "POST",
        "/api/replies/{forum_reply}/mark-solution",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "mark solution, not the topic's author",
        "POST",
        "/api/replies/{forum_owner_topic_answer}/mark-solution",
        each(NO_AUTH, NOT_ENROLLED, FORBIDDEN, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "unmark solution",
        "DELETE",
        "/api/replies/{forum_reply}/mark-solution",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "vote",
        "POST",
        "/api/replies/{forum_reply}/reactions",
        each(NO_AUTH, NOT_ENROLLED, 200, (403, "own_reply"), NOT_ENROLLED, 200),
        body=lambda ctx: {"type": "upvote"},
    ),
    Row(
        "vote take back",
        "DELETE",
        "/api/replies/{forum_reply}/reactions",
        each(NO_AUTH, NOT_ENROLLED, 200, 200, NOT_ENROLLED, 200),
    ),
    Row(
        "reply report",
        "POST",
        "/api/replies/{forum_reply}/report",
        each(NO_AUTH, NOT_ENROLLED, 201, MODERATOR_REPORT, NOT_ENROLLED, MODERATOR_REPORT),
        body=lambda ctx: {"reason": "Insultant"},
    ),
    Row(
        "forum reports",
        "GET",
        "/api/courses/{course}/forum/reports",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    Row(
        "forum report resolve",
        "POST",
        "/api/forum/reports/{forum_report}/resolve",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
    ),
    *[
        Row(
            f"forum report handle, {action}",
            "POST",
            "/api/forum/reports/{forum_report}/handle",
            each(NO_AUTH, FORBIDDEN, FORBIDDEN, 200, FORBIDDEN, 200),
            body=_handle_body(action),
        )
        for action in ("hide", "dismiss", "lock", "resolve")
    ],
    Row(
        "forum report handle, unknown action",
        "POST",
        "/api/forum/reports/{forum_report}/handle",
        each(NO_AUTH, FORBIDDEN, FORBIDDEN, INVALID_ACTION, FORBIDDEN, INVALID_ACTION),
        body=lambda ctx: {"action": "explode"},
    ),
    Row(
        "forum report handle, unknown report",
        "POST",
        "/api/forum/reports/{missing}/handle",
        each(NO_AUTH, *[(404, "report_not_found")] * 5),
        body=lambda ctx: {"action": "dismiss"},
    ),
]


@pytest.fixture
def ctx(
    course: Course, draft_course: Course, user_factory: Any, owner: User, member: User
) -> dict[str, Any]:
    """Ids of the objects rows refer to. Extend it when a new row needs a new object."""
    from campus.agenda import services as agenda_services
    from campus.courses.models import Enrollment
    from campus.live import services as live_services
    from campus.live.tests.helpers import make_live, make_session
    from campus.notifications import services as notify_services
    from campus.notifications.models import Notification

    session = make_session(owner, course, title="Prévue")
    live_session = make_live(owner, course, title="En direct")
    live_services.session_join(actor=member, session=live_session)
    question = live_services.chat_post(
        actor=member, session=live_session, text="Une question ?", kind="question"
    )
    _, occurrences = live_services.series_create(
        actor=owner,
        course=course,
        title="Série",
        days_of_week=[0, 3],
        start_time=time(18, 0),
        timezone_name="Europe/Paris",
        starts_on=(timezone.now() + timedelta(days=2)).date(),
        duration_minutes=60,
        count=3,
    )
    ended_session = make_live(owner, course, title="Terminée")
    live_services.session_end(actor=owner, session=ended_session)
    notification = notify_services.notify(
        recipients=User.objects.filter(pk=member.pk),
        notice=notify_services.Notice(
            kind="session_message", dedupe_key="matrix", render=lambda: ("Bonjour", "")
        ),
    )
    assert notification == 1
    enrollment = Enrollment.objects.select_related("course").get(user=member, course=course)
    agenda_services.plan_generate(actor=member, enrollment=enrollment)
    start = timezone.now() + timedelta(days=1)
    draft_lesson = Lesson.objects.filter(course=draft_course).order_by("id").first()
    assert draft_lesson is not None
    # Ratings: two students who completed the course, one review pending, one approved.
    from campus.courses import services as course_services
    from campus.ratings import services as rating_services
    from campus.ratings.tests.helpers import graduate

    _, pending_enrollment = graduate(user_factory, course)
    _, approved_enrollment = graduate(user_factory, course)
    pending = rating_services.rating_create(
        actor=pending_enrollment.user, enrollment=pending_enrollment, rating=3
    )
    approved = rating_services.rating_create(
        actor=approved_enrollment.user, enrollment=approved_enrollment, rating=5
    )
    rating_services.rating_moderate(actor=owner, review=approved, approve=True)
    for graduated in (pending_enrollment, approved_enrollment):  # keep `member` the only one
        course_services.enrollment_deactivate(actor=graduated.user, course=course)
    ratings_ctx = {"rating_pending": pending.pk, "rating_approved": approved.pk}
    # Certificates: the member completed two short courses; one certificate is revoked.
    from campus.certificates import services as certificate_services
    from campus.certificates.tests.helpers import complete, short_course

    admin = user_factory("admin")
    done = complete(member, short_course(owner, title="Certificat"))
    certificate = certificate_services.certificate_issue(actor=member, enrollment=done)
    other = complete(member, short_course(owner, title="Certificat révoqué"))
    revoked = certificate_services.certificate_issue(actor=member, enrollment=other)
    certificate_services.certificate_revoke(actor=admin, certificate=revoked, reason="Test")
    certificates_ctx = {
        "certificate_enrollment": done.pk,
        "certificate": certificate.pk,
        "certificate_code": certificate.code,
        "revoked_certificate": revoked.pk,
        "certificate_course": done.course_id,
        "certificate_lesson": Lesson.objects.filter(course_id=done.course_id).order_by("id")[0].pk,
    }
    # Forum: the member's topic answered by the owner (the solution) and by the member;
    # a hidden topic, a locked one, the owner's topic answered by the member, a report.
    from campus.forum import services as forum_services
    from campus.forum.models import Forum, Topic

    forum = Forum.objects.select_related("course", "course__instructor").get(course=course)

    def _topic(author: User, title: str) -> Topic:
        made = forum_services.topic_create(actor=author, forum=forum, title=title, content="?")
        return Topic.objects.select_related("forum__course__instructor", "author").get(pk=made.pk)

    forum_topic = _topic(member, "Sujet de l'étudiant")
    forum_reply = forum_services.reply_create(actor=owner, topic=forum_topic, content="Voici")
    forum_member_reply = forum_services.reply_create(
        actor=member, topic=forum_topic, content="Merci", parent_id=forum_reply.pk
    )
    forum_services.solution_mark(actor=member, reply=forum_reply)
    hidden_topic = _topic(owner, "Masqué")
    forum_services.topic_moderate(actor=owner, topic=hidden_topic, action="hide")
    locked_topic = _topic(owner, "Verrouillé")
    forum_services.topic_moderate(actor=owner, topic=locked_topic, action="lock")
    owner_topic = _topic(owner, "Annonce")
    owner_topic_answer = forum_services.reply_create(
        actor=member, topic=owner_topic, content="Question"
    )
    other_reply = forum_services.reply_create(actor=owner, topic=owner_topic, content="Ailleurs")
    report = forum_services.report_create(actor=member, topic=owner_topic, reason="Doublon")
    forum_ctx = {
        "forum": forum.pk,
        "draft_forum": Forum.objects.get(course=draft_course).pk,
        "forum_topic": forum_topic.pk,
        "forum_reply": forum_reply.pk,
        "forum_member_reply": forum_member_reply.pk,
        "forum_hidden_topic": hidden_topic.pk,
        "forum_locked_topic": locked_topic.pk,
        "forum_owner_topic_answer": owner_topic_answer.pk,
        "forum_other_reply": other_reply.pk,
        "forum_report": report.pk,
    }
    return {
        **ratings_ctx,
        **forum_ctx,
        **certificates_ctx,
        "login_email": user_factory(email="someone@example.test").email,
        "course": course.pk,
        "draft": draft_course.pk,
        "course_slug": course.slug,
        "draft_slug": draft_course.slug,
        "missing": 987_654,
        "lesson": Lesson.objects.filter(course=course).order_by("id")[0].pk,
        "draft_lesson": draft_lesson.pk,
        "quiz": Quiz.objects.filter(course=course, module__isnull=False).order_by("id")[0].pk,
        "final_quiz": Quiz.objects.get(final_for=course).pk,
        "draft_quiz": Quiz.objects.filter(course=draft_course).order_by("id")[0].pk,
        "login_user": owner.pk,
        "session": session.pk,
        "live_session": live_session.pk,
        "live_room": live_session.jitsi_room_name,
        "ended_session": ended_session.pk,
        "occurrence": occurrences[0].pk,
        "series": occurrences[0].series_id,
        "attendance_series": occurrences[0].series_id,
        "question": question.pk,
        "notification": Notification.objects.get(user=member, dedupe_key="matrix").pk,
        "enrollment": enrollment.pk,
        "session_body": {
            "title": "Séance",
            "scheduled_start_at": start.isoformat(),
            "scheduled_end_at": (start + timedelta(hours=1)).isoformat(),
        },
    }


def test_every_row_names_every_actor() -> None:
    for row in ROWS:
        assert set(row.expected) == set(ACTORS), row.name
        assert "{" not in row.name


def test_the_table_covers_every_api_route() -> None:
    """A new endpoint without a row fails here: add its row to ROWS."""
    from campus.api import api

    schema = api.get_openapi_schema()
    routes = {
        (method.upper(), _route_of(path))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    covered = {(row.method, _route_of(row.path)) for row in ROWS}
    missing = {(m, p) for m, p in routes if (m, p) not in covered}
    assert not missing, f"endpoints without a row in the authorization matrix: {sorted(missing)}"


def _route_of(template: str) -> str:
    """/api/courses/{course}/enroll -> /api/courses/{*}/enroll, to compare with routes."""
    import re

    return re.sub(r"\{[^}]+\}", "{*}", template)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_authorization_matrix(
    row: Row, actor: str, actors: dict[str, User | None], ctx: dict[str, Any], api: Any
) -> None:
    client = api(actors[actor])
    body = row.body(ctx) if row.body else None
    response = client.request(row.method, row.path.format(**ctx), body)

    expected = row.expected[actor]
    status, code = expected if isinstance(expected, tuple) else (expected, None)
    if status >= 300:
        assert_error(response, status, code)
    else:
        assert response.status_code == status, (response.status_code, response.content[:500])
        assert response.json_body["success"] is True


@pytest.mark.django_db
def test_matrix_fixture_actors_are_what_they_claim(
    actors: dict[str, User | None], ctx: dict
) -> None:
    """Guards the table itself: a wrongly built actor would make every row meaningless."""
    from campus.courses.models import Enrollment

    course = Course.objects.get(pk=ctx["course"])
    assert actors["anonymous"] is None
    assert course.instructor == actors["owner"]
    assert actors["admin"] is not None and actors["admin"].is_admin
    other = actors["other_instructor"]
    assert other is not None and other.is_instructor and other != course.instructor
    active = set(
        Enrollment.objects.filter(course=course, is_active=True).values_list("user", flat=True)
    )
    assert active == {actors["member"].pk}  # type: ignore[union-attr]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("path", "body"), CONFERENCE_ROUTES, ids=[p for p, _ in CONFERENCE_ROUTES])
def test_conference_server_routes_refuse_every_actor(
    path: str,
    body: Body,
    actor: str,
    actors: dict[str, User | None],
    ctx: dict[str, Any],
    api: Any,
    settings: Any,
) -> None:
    """The rows above run with the servers' secrets unset; here they are set, and still no
    actor's credentials (bearer token, or page session without CSRF) open these routes.
    The control: the same body with the route's own secret is taken."""
    from django.test import Client

    from campus.live.models import ConferenceEvent

    settings.JITSI_WEBHOOK_SECRET = "matrix-webhook-secret-0123456789"
    settings.JITSI_EVENT_SYNC_TOKEN = "matrix-event-sync-token-0123456789"
    assert body is not None
    payload = body(ctx)
    user = actors[actor]
    assert_error(api(user).post(path, payload), 401, "webhook_unauthorized")
    browser = Client()
    if user is not None:
        browser.force_login(user)
    response = browser.post(path, payload, content_type="application/json")
    assert_error(response, 401, "webhook_unauthorized")
    assert not ConferenceEvent.objects.exists()

    secret = (
        settings.JITSI_WEBHOOK_SECRET
        if "/jaas/" in path
        else f"Bearer {settings.JITSI_EVENT_SYNC_TOKEN}"
    )
    response = Client().post(
        path, payload, content_type="application/json", HTTP_AUTHORIZATION=secret
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["data"]["outcome"] == "stored"
