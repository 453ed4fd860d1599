"""MdSC frontend contract: live sessions, calendar and schedules.

Thin faces over the live and agenda apps (their access checks, selectors and
presenters); the rules live there.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from campus.accounts.auth import AuthedRequest
from campus.agenda import access as agenda_access
from campus.agenda import presenters as agenda_presenters
from campus.agenda.models import StudyPlan
from campus.agenda.schemas import PlanOut
from campus.core.envelope import Envelope, PageEnvelope, ok
from campus.core.pagination import PageQuery
from campus.courses.access import require_instructor
from campus.live import presenters, selectors
from campus.live.schemas import SessionDetailOut, SessionListQuery

router = Router(tags=["MdSC frontend"])

# Statuses no rule of campus/core/openapi.py can see (429 where a limit is checked, ...),
# by operation function, merged into the API's EXTRA_ERROR_STATUSES.
extra_error_statuses: dict[Callable[..., Any], set[int]] = {}


@router.get(
    "/instructor/live-sessions",
    response=PageEnvelope(SessionDetailOut),
    summary="The sessions of the courses I teach, latest first (instructors; admins: all)",
)
def instructor_sessions(
    request: AuthedRequest, filters: Query[SessionListQuery], page: Query[PageQuery]
) -> dict:
    user = require_instructor(request.auth)
    result = selectors.instructor_sessions_page(user=user, status=filters.status, query=page)
    rows = [presenters.session_row(s, moderator=True) for s in result.items]
    return ok(rows, pagination=result.pagination())


# --- The study plan of one course (scheduleService.getCourseSchedule tries these three) ---


class MdscScheduleItemOut(Schema):
    id: int
    type: str = Field(..., description="lesson, quiz or milestone")
    title: str
    scheduled_date: datetime
    end_date: datetime
    duration_minutes: int
    status: str = Field(..., description="pending, in_progress, completed, skipped, overdue")
    lesson_id: int | None
    quiz_id: int | None
    url: str


class MdscCourseScheduleOut(PlanOut):
    """Campus's plan (GET /enrollments/{id}/schedule) and its items again as `schedule`,
    in the frontend's words."""

    schedule: list[MdscScheduleItemOut]


# Campus's item statuses in the frontend's words ("late" is its "overdue").
FRONTEND_STATUS = {"done": "completed", "late": "overdue"}


def _schedule_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "type": row["kind"],
        "title": row["title"],
        "scheduled_date": row["starts_at"],
        "end_date": row["ends_at"],
        "duration_minutes": int((row["ends_at"] - row["starts_at"]).total_seconds() // 60),
        "status": FRONTEND_STATUS.get(row["status"], row["status"]),
        "lesson_id": row["lesson_id"],
        "quiz_id": row["quiz_id"],
        "url": row["url"],
    }


def _schedule(plan: StudyPlan) -> dict[str, Any]:
    data = agenda_presenters.plan(plan)
    return {**data, "schedule": [_schedule_item(row) for row in data["items"]]}


def _course_schedule(request: AuthedRequest, course_id: int) -> dict:
    enrollment = agenda_access.get_own_enrollment_for_course(request.auth, course_id)
    return ok(_schedule(agenda_access.get_plan_for(enrollment, now=timezone.now())))


SCHEDULE_SUMMARY = (
    "My study plan for this course, items in the MdSC frontend's words "
    "(active members only; no plan yet: 404 plan_not_found)"
)


@router.get(
    "/student/courses/{int:course_id}/schedule",
    response=Envelope(MdscCourseScheduleOut),
    summary=SCHEDULE_SUMMARY,
)
def student_course_schedule(request: AuthedRequest, course_id: int) -> dict:
    return _course_schedule(request, course_id)


@router.get(
    "/student/schedule/{int:course_id}",
    response=Envelope(MdscCourseScheduleOut),
    summary=SCHEDULE_SUMMARY,
)
def student_schedule(request: AuthedRequest, course_id: int) -> dict:
    return _course_schedule(request, course_id)


@router.get(
    "/courses/{int:course_id}/schedule",
    response=Envelope(MdscCourseScheduleOut),
    summary=SCHEDULE_SUMMARY + "; the course's instructor has no plan of their own: 403",
)
def course_schedule(request: AuthedRequest, course_id: int) -> dict:
    return _course_schedule(request, course_id)
