"""MdSC frontend contract: progress and certificates.

Thin: each operation parses the frontend's request, calls the courses and certificates
apps' access checks, services and selectors (the same ones as Campus's own API and
pages) and shapes the answer with the names the frontend's components read.

- Progress of an enrollment: its holder; the course's owner and admins may read it
  (GET /progress/enrollment/{id}), never write it. Everyone else: 404.
- Time spent (PUT .../lesson/{id}): credited within bounds by
  courses.services.lesson_time_report (never more than the wall clock since the
  previous report, nor than the lesson's duration, in one call).
- Certificates go through certificates.services.certificate_get_or_issue (completed
  enrollment, rating first when CERTIFICATE_REQUIRES_RATING says so, one per enrollment).

Routing (campus/mdsc/api.py): mounted before the seeds' routers, so the literal paths
(`/certificates/my-certificates`, `/certificates/request`) win over
`/certificates/{certificate_id}`; ids placed where a seeds' path has a literal use the
`int:` converter.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from campus.accounts.auth import AuthedRequest
from campus.certificates import access as certificate_access
from campus.certificates import api as certificate_api
from campus.certificates import presenters as certificate_presenters
from campus.certificates import selectors as certificate_selectors
from campus.certificates import services as certificate_services
from campus.certificates.schemas import CertificateOut
from campus.core.envelope import Envelope, PageEnvelope, created, ok
from campus.core.errors import Forbidden, NotFound
from campus.core.pagination import PageQuery
from campus.core.validation import field_error
from campus.courses import access as course_access
from campus.courses import selectors as course_selectors
from campus.courses import services as course_services
from campus.courses.models import Enrollment, Lesson

router = Router(tags=["MdSC frontend"])

# Statuses no rule of campus/core/openapi.py can see (429 where a limit is checked, ...),
# by operation function, merged into the API's EXTRA_ERROR_STATUSES.
extra_error_statuses: dict[Callable[..., Any], set[int]] = {}

LessonStatus = Literal["not_started", "in_progress", "completed"]


# --- Schemas -----------------------------------------------------------------------------


class MdscLessonProgressOut(Schema):
    enrollment_id: int
    lesson_id: int
    lesson_title: str
    module_id: int
    status: LessonStatus
    completion_percentage: int = Field(description="100 when done, else the player's estimate.")
    time_spent: int = Field(description="Seconds, as credited (see lesson_time_report).")
    completed_at: datetime | None


class MdscProgressModuleOut(Schema):
    id: int
    title: str
    lessons: list[MdscLessonProgressOut]


class MdscCourseProgressOut(Schema):
    course_id: int
    enrollment_id: int
    enrollment_status: str
    progress_percentage: int = Field(description="0-100; never goes backwards.")
    total_lessons: int = Field(description="Required lessons.")
    completed_lessons: int = Field(description="Required lessons done.")
    modules: list[MdscProgressModuleOut]


class MdscLessonProgressIn(Schema):
    status: LessonStatus | None = None
    completion_percentage: float | None = Field(None, ge=0, le=100)
    time_spent: float | None = Field(
        None, ge=0, le=course_services.LESSON_TIME_REPORT_MAX, description="Seconds."
    )


class MdscLessonCompleteIn(Schema):
    time_spent: float | None = Field(
        None, ge=0, le=course_services.LESSON_TIME_REPORT_MAX, description="Seconds."
    )


class MdscLessonCompleteOut(Schema):
    enrollment_id: int
    lesson_id: int
    status: LessonStatus
    progress_percentage: int
    enrollment_status: str
    unlockedLessonId: int | None = Field(
        description="The next lesson in course order (every lesson of Campus is open)."
    )


class MdscLessonAccessOut(Schema):
    has_access: bool
    hasAccess: bool
    can_access: bool
    reason: str | None


class MdscCertificateRequestIn(Schema):
    course_id: int | None = Field(None, ge=1)
    courseId: int | None = Field(None, ge=1)


# --- Shaping -----------------------------------------------------------------------------


def _row(enrollment: Enrollment, lesson: Lesson) -> dict[str, Any]:
    completed_at = getattr(lesson, "completed_at", None)
    seconds = getattr(lesson, "time_seconds", None)
    percent = getattr(lesson, "time_percent", None)
    if completed_at is not None:
        status: LessonStatus = "completed"
    elif seconds is not None:
        status = "in_progress"
    else:
        status = "not_started"
    return {
        "enrollment_id": enrollment.pk,
        "lesson_id": lesson.pk,
        "lesson_title": lesson.title,
        "module_id": lesson.module_id,
        "status": status,
        "completion_percentage": 100 if completed_at is not None else (percent or 0),
        "time_spent": seconds or 0,
        "completed_at": completed_at,
    }


def _course_progress(enrollment: Enrollment) -> dict[str, Any]:
    total, done, _has_final, _final_passed = course_selectors.progress_counts(enrollment=enrollment)
    figures = course_selectors.enrollment_progress(enrollment=enrollment)
    modules: dict[int, dict[str, Any]] = {}
    for lesson in course_selectors.lesson_progress_rows(enrollment=enrollment):
        module = modules.setdefault(
            lesson.module_id,
            {"id": lesson.module_id, "title": lesson.module.title, "lessons": []},
        )
        module["lessons"].append(_row(enrollment, lesson))
    return {
        "course_id": enrollment.course_id,
        "enrollment_id": enrollment.pk,
        "enrollment_status": enrollment.status,
        "progress_percentage": figures["percent"],
        "total_lessons": total,
        "completed_lessons": done,
        "modules": list(modules.values()),
    }


def _lesson_row(enrollment: Enrollment, lesson_id: int) -> dict[str, Any]:
    rows = course_selectors.lesson_progress_rows(enrollment=enrollment, lesson_id=lesson_id)
    if not rows:
        raise NotFound(gettext("Leçon introuvable."), code="lesson_not_found")
    return _row(enrollment, rows[0])


def _own_enrollment_in_course(request: AuthedRequest, course_id: int) -> Enrollment:
    """The caller's active enrollment in a course they may see (404 when none)."""
    course = course_access.get_course_for(request.auth, course_id, action="view")
    enrollment = course_selectors.active_enrollment(user=request.auth, course=course)
    if enrollment is None:
        raise NotFound(gettext("Inscription introuvable."), code="enrollment_not_found")
    return course_access.get_own_active_enrollment_for(request.auth, enrollment.pk)


# --- Progress ----------------------------------------------------------------------------


@router.get(
    "/progress/enrollment/{int:enrollment_id}",
    response=Envelope(list[MdscLessonProgressOut]),
    summary="Each lesson's progress in an enrollment (its holder; the owner, admins)",
)
def enrollment_progress(request: AuthedRequest, enrollment_id: int) -> dict:
    enrollment = course_access.get_enrollment_for(request.auth, enrollment_id)
    rows = course_selectors.lesson_progress_rows(enrollment=enrollment)
    return ok([_row(enrollment, lesson) for lesson in rows])


@router.get(
    "/student/courses/{course_id}/progress",
    response=Envelope(MdscCourseProgressOut),
    summary="My progress in a course, by module",
)
def student_course_progress(request: AuthedRequest, course_id: int) -> dict:
    return ok(_course_progress(_own_enrollment_in_course(request, course_id)))


@router.get(
    "/progress/course/{course_id}",
    response=Envelope(MdscCourseProgressOut),
    summary="My progress in a course",
)
def course_progress(request: AuthedRequest, course_id: int) -> dict:
    return ok(_course_progress(_own_enrollment_in_course(request, course_id)))


@router.get(
    "/progress/lesson/{lesson_id}",
    response=Envelope(list[MdscLessonProgressOut]),
    summary="My progress on a lesson (an empty list without an enrollment)",
)
def lesson_progress(request: AuthedRequest, lesson_id: int) -> dict:
    lesson = course_access.get_lesson_for(request.auth, lesson_id)
    enrollment = course_selectors.active_enrollment(user=request.auth, course=lesson.course)
    if enrollment is None:
        return ok([])
    return ok([_lesson_row(enrollment, lesson.pk)])


@router.put(
    "/progress/enrollment/{int:enrollment_id}/lesson/{int:lesson_id}",
    response=Envelope(MdscLessonProgressOut),
    summary="Report time spent on a lesson (bounded), or complete it",
)
def lesson_progress_update(
    request: AuthedRequest, enrollment_id: int, lesson_id: int, payload: MdscLessonProgressIn
) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    lesson = course_access.get_lesson_for(request.auth, lesson_id)
    if payload.time_spent is not None or payload.completion_percentage is not None:
        course_services.lesson_time_report(
            actor=request.auth,
            enrollment=enrollment,
            lesson=lesson,
            seconds=int(payload.time_spent or 0),
            percent=(
                None
                if payload.completion_percentage is None
                else round(payload.completion_percentage)
            ),
        )
    if payload.status == "completed":
        course_services.enrollment_lesson_complete(
            actor=request.auth, enrollment=enrollment, lesson=lesson
        )
    return ok(_lesson_row(enrollment, lesson.pk))


def _complete(
    request: AuthedRequest, enrollment_id: int, lesson_id: int, payload: Any
) -> dict[str, Any]:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    lesson = course_access.get_lesson_for(request.auth, lesson_id)
    seconds = None if payload is None or payload.time_spent is None else int(payload.time_spent)
    updated = course_services.enrollment_lesson_complete(
        actor=request.auth, enrollment=enrollment, lesson=lesson, seconds=seconds
    )
    figures = course_selectors.enrollment_progress(enrollment=updated)
    _previous, following = course_selectors.lesson_neighbours(lesson=lesson)
    return ok(
        {
            "enrollment_id": updated.pk,
            "lesson_id": lesson.pk,
            "status": "completed",
            "progress_percentage": figures["percent"],
            "enrollment_status": updated.status,
            "unlockedLessonId": following.pk if following is not None else None,
        }
    )


@router.post(
    "/progress/enrollment/{int:enrollment_id}/lesson/{int:lesson_id}/complete",
    response=Envelope(MdscLessonCompleteOut),
    summary="Complete a lesson (as POST /lessons/{id}/complete)",
)
def lesson_progress_complete(
    request: AuthedRequest,
    enrollment_id: int,
    lesson_id: int,
    payload: MdscLessonCompleteIn | None = None,
) -> dict:
    return _complete(request, enrollment_id, lesson_id, payload)


@router.post(
    "/progress/enrollment/{int:enrollment_id}/lesson/{int:lesson_id}/complete-sequential",
    response=Envelope(MdscLessonCompleteOut),
    summary="Complete a lesson (as POST /lessons/{id}/complete; lessons are never locked)",
)
def lesson_progress_complete_sequential(
    request: AuthedRequest,
    enrollment_id: int,
    lesson_id: int,
    payload: MdscLessonCompleteIn | None = None,
) -> dict:
    return _complete(request, enrollment_id, lesson_id, payload)


@router.get(
    "/progress/enrollment/{int:enrollment_id}/lesson/{int:lesson_id}/access",
    response=Envelope(MdscLessonAccessOut),
    summary="Whether I may open a lesson (the lesson page's rule)",
)
def lesson_progress_access(request: AuthedRequest, enrollment_id: int, lesson_id: int) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    lesson = course_access.get_lesson_for(request.auth, lesson_id, action="view")
    course_services.check_lesson_of_enrollment(enrollment, lesson)
    reason = None
    try:
        course_access.authorize_course(request.auth, lesson.course, "content")
    except Forbidden as refused:
        reason = str(refused.message)
    allowed = reason is None
    return ok(
        {"has_access": allowed, "hasAccess": allowed, "can_access": allowed, "reason": reason}
    )


# --- Certificates ------------------------------------------------------------------------


def _issue(request: AuthedRequest, enrollment: Enrollment) -> Status | dict:
    certificate, was_created = certificate_services.certificate_get_or_issue(
        actor=request.auth, enrollment=enrollment
    )
    data = certificate_presenters.certificate_out(certificate)
    return created(data) if was_created else ok(data)


ISSUE_RESPONSE = {200: Envelope(CertificateOut), 201: Envelope(CertificateOut)}


@router.post(
    "/enrollments/{int:enrollment_id}/certificate/request",
    response=ISSUE_RESPONSE,
    summary="Get my certificate for a completed enrollment (as POST .../certificate)",
)
def certificate_request_for_enrollment(request: AuthedRequest, enrollment_id: int) -> Status | dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    return _issue(request, enrollment)


@router.get(
    "/enrollments/{int:enrollment_id}/certificate/request",
    response=Envelope(CertificateOut),
    summary="My certificate for an enrollment, when issued (404 otherwise)",
)
def certificate_of_enrollment(request: AuthedRequest, enrollment_id: int) -> dict:
    enrollment = course_access.get_own_active_enrollment_for(request.auth, enrollment_id)
    certificate = certificate_access.get_own_certificate_for_course(
        request.auth, enrollment.course_id
    )
    return ok(certificate_presenters.certificate_out(certificate))


@router.post(
    "/certificates/request",
    response=ISSUE_RESPONSE,
    summary="Get my certificate for a completed course, by course id",
)
def certificate_request(request: AuthedRequest, payload: MdscCertificateRequestIn) -> Status | dict:
    course_id = payload.course_id or payload.courseId
    if course_id is None:
        raise field_error("course_id", gettext("Indiquez le cours."), "required")
    return _issue(request, _own_enrollment_in_course(request, course_id))


@router.post(
    "/certificates/generate/{course_id}",
    response=ISSUE_RESPONSE,
    summary="Get my certificate for a completed course",
)
def certificate_generate(request: AuthedRequest, course_id: int) -> Status | dict:
    return _issue(request, _own_enrollment_in_course(request, course_id))


@router.get(
    "/certificates/my-certificates",
    response=PageEnvelope(CertificateOut),
    summary="My certificates (as GET /certificates)",
)
def my_certificates(request: AuthedRequest, query: Query[PageQuery]) -> dict:
    result = certificate_selectors.certificates_page(user=request.auth, query=query)
    items = [certificate_presenters.certificate_out(c) for c in result.items]
    return ok(items, pagination=result.pagination())


@router.get(
    "/certificates/course/{course_id}",
    response=Envelope(CertificateOut),
    summary="My certificate for a course (404 when none)",
)
def certificate_for_course(request: AuthedRequest, course_id: int) -> dict:
    certificate = certificate_access.get_own_certificate_for_course(request.auth, course_id)
    return ok(certificate_presenters.certificate_out(certificate))


@router.get(
    "/certificates/{int:certificate_id}/download",
    response={200: None},
    summary="Download my certificate (as GET /certificates/{id}/pdf)",
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {"schema": certificate_api.PDF_SCHEMA}}}}
    },
)
def certificate_download(request: AuthedRequest, certificate_id: int) -> HttpResponse:
    return certificate_api.pdf(request, certificate_id)
