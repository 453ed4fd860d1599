"""MdSC frontend contract: courses and enrollments.

Thin: each operation parses the frontend's request, calls the courses app's access
checks, services and selectors (the same ones as Campus's own API and pages), and shapes
the answer with the names the frontend's components read, next to the canonical ones.

Routing (see campus/mdsc/api.py): this router is mounted before the seeds' routers.
Literal paths (`/courses/my`, `/courses/slug/...`) are declared before
`/courses/{course_id}` so they are matched first. Paths the seeds' routers declare with
other methods (`/courses/{course_id}`, `/courses/{course_id}/unenroll`, `/enrollments`)
are spelled exactly as theirs, so both are dispatched as one (campus/core/routing.py).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Path, Query, Router, Schema

from campus.accounts.auth import AuthedRequest, MaybeAuthedRequest, optional_auth
from campus.core.dates import InRangeDatetime
from campus.core.envelope import Envelope, PageEnvelope, PaginationOut, ok
from campus.core.pagination import PageQuery
from campus.courses import access, presenters, selectors, services
from campus.courses.models import DESCRIPTION_MAX, TITLE_MAX, Course, CourseType, Enrollment
from campus.courses.schemas import (
    CourseDay,
    CourseDetailOut,
    CourseOut,
    EnrollmentOut,
    LessonDetailOut,
    MyEnrollmentOut,
    ProgressOut,
)

router = Router(tags=["MdSC frontend"])

# Statuses no rule of campus/core/openapi.py can see (429 where a limit is checked, ...),
# by operation function, merged into the API's EXTRA_ERROR_STATUSES.
extra_error_statuses: dict[Callable[..., Any], set[int]] = {}

# A foreign-key filter does not bound its value as a primary-key lookup does: a larger id
# would overflow the database's integer (a 500), so it is a 400 here.
ID_MAX = 2**63 - 1
SLUG_MAX = 220  # Course.slug's max_length
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"  # what a SlugField holds (slugify, not unicode)


# --- Schemas -----------------------------------------------------------------------------


class MdscMyCourseOut(CourseOut):
    """An enrolled course as the student dashboard reads it ("Mes cours")."""

    progress: float = Field(description="The enrollment's progress, 0-100 (progress_percentage).")
    progress_percentage: Decimal
    enrolled_at: datetime
    completed_at: datetime | None
    enrollment: EnrollmentOut


class MdscCheckEnrollmentOut(Schema):
    is_enrolled: bool
    enrollment: EnrollmentOut | None


class MdscCourseStatusQuery(Schema):
    status: Literal["all", "published", "draft"] = "all"


class MdscInstructorCoursesOut(Schema):
    """instructorService.getCourses reads `data.courses` and `data.pagination`."""

    courses: list[CourseOut]
    pagination: PaginationOut


class MdscCourseUpdateIn(Schema):
    """The course fields Campus lets an owner change; a null or absent field is left as
    it is (except max_students, where null means no limit). The frontend's other fields
    (price, category, thumbnail, ...) do not exist in Campus and are ignored."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    course_type: CourseType | None = None
    max_students: int | None = Field(None, ge=1, le=100_000)
    enrollment_deadline: InRangeDatetime | None = None
    course_start_date: CourseDay | None = None
    course_end_date: CourseDay | None = None


# Sent as null they mean "no value" (no limit, no deadline, no date), not "unchanged".
NULLABLE_COURSE_FIELDS = {
    "max_students",
    "enrollment_deadline",
    "course_start_date",
    "course_end_date",
}


class MdscLessonOut(LessonDetailOut):
    """The lesson player reads `content`: the lesson's raw Markdown text, as data (the
    frontend shows it as text; Campus's own pages render it through the sanitizer)."""

    content: str


class MdscCourseStudentOut(Schema):
    """One row of a course's students, for its owner (enrollmentService.getCourseEnrollments)."""

    id: int
    user_id: int
    first_name: str
    last_name: str
    email: str
    status: str
    is_active: bool
    progress_percentage: Decimal
    enrolled_at: datetime
    completed_at: datetime | None
    last_activity_at: datetime | None


def _my_course(enrollment: Enrollment) -> dict[str, Any]:
    row = presenters.enrollment_row(enrollment)
    return {
        **presenters.course_summary(enrollment.course),
        "progress": float(enrollment.progress_percentage),
        "progress_percentage": enrollment.progress_percentage,
        "enrolled_at": enrollment.enrolled_at,
        "completed_at": enrollment.completed_at,
        "enrollment": row,
    }


def _course_with_count(course: Course) -> dict[str, Any]:
    selectors.attach_enrolled_counts([course])
    return presenters.course_summary(course)


def _my_enrollment(enrollment: Enrollment) -> dict[str, Any]:
    selectors.attach_enrolled_counts([enrollment.course])
    return presenters.my_enrollment(enrollment)


# --- Courses: literal paths first --------------------------------------------------------


@router.get(
    "/courses/my",
    response=PageEnvelope(MdscMyCourseOut),
    summary="My enrolled courses with their progress (MdSC)",
)
def my_courses(request: AuthedRequest, page: Query[PageQuery]) -> dict:
    result = selectors.enrollments_page(user=request.auth, query=page)
    return ok([_my_course(e) for e in result.items], pagination=result.pagination())


class MdscPopularQuery(Schema):
    limit: int = Field(6, ge=1, le=20)


@router.get(
    "/courses/popular",
    auth=optional_auth,
    response=Envelope(list[CourseOut]),
    summary="Most reviewed published courses (MdSC home page)",
)
def popular_courses(request: MaybeAuthedRequest, query: Query[MdscPopularQuery]) -> dict:
    courses = selectors.popular_courses(limit=query.limit)
    return ok([presenters.course_summary(c) for c in courses])


@router.get(
    "/courses/slug/{slug}",
    auth=optional_auth,
    response=Envelope(CourseDetailOut),
    summary="Course detail by slug (MdSC)",
)
def course_by_slug(
    request: MaybeAuthedRequest, slug: str = Path(..., max_length=SLUG_MAX, pattern=SLUG_PATTERN)
) -> dict:
    course = access.get_course_outline_by_slug_for(request.auth, slug)
    return ok(presenters.course_detail(course, user=request.auth))


@router.get(
    "/courses/instructor/{int:instructor_id}",
    auth=optional_auth,
    response=PageEnvelope(CourseOut),
    summary="An instructor's courses (MdSC)",
)
def instructor_courses(
    request: MaybeAuthedRequest,
    filters: Query[MdscCourseStatusQuery],
    page: Query[PageQuery],
    instructor_id: int = Path(..., ge=1, le=ID_MAX),
) -> dict:
    """Published ones for everyone (as in the catalogue); drafts too for that instructor
    and admins (access.may_see_drafts_of). An unknown instructor has no courses."""
    result = selectors.courses_of_instructor_page(
        instructor_id=instructor_id,
        include_drafts=access.may_see_drafts_of(request.auth, instructor_id),
        status=None if filters.status == "all" else filters.status,
        query=page,
    )
    return ok([presenters.course_summary(c) for c in result.items], pagination=result.pagination())


@router.get(
    "/instructor/courses",
    response=Envelope(MdscInstructorCoursesOut),
    summary="My own courses, drafts included (MdSC, instructors)",
)
def my_taught_courses(
    request: AuthedRequest, filters: Query[MdscCourseStatusQuery], page: Query[PageQuery]
) -> dict:
    user = access.require_instructor(request.auth)
    result = selectors.courses_of_instructor_page(
        instructor_id=user.pk,
        include_drafts=True,
        status=None if filters.status == "all" else filters.status,
        query=page,
    )
    courses = [presenters.course_summary(c) for c in result.items]
    return ok({"courses": courses, "pagination": result.pagination()})


@router.get(
    "/courses/{course_id}/check-enrollment",
    response=Envelope(MdscCheckEnrollmentOut),
    summary="Am I enrolled in this course? (MdSC)",
)
def check_enrollment(request: AuthedRequest, course_id: int) -> dict:
    course = access.get_course_for(request.auth, course_id, action="view")
    enrollment = selectors.active_enrollment(user=request.auth, course=course)
    return ok({"is_enrolled": enrollment is not None, "enrollment": enrollment})


# Same path as the seeds' GET /courses/{course_id}: dispatched as one.
@router.put(
    "/courses/{course_id}",
    response=Envelope(CourseOut),
    summary="Update a course (MdSC, owner and admins)",
)
def course_update(request: AuthedRequest, course_id: int, payload: MdscCourseUpdateIn) -> dict:
    course = access.get_course_for(request.auth, course_id, action="manage")
    changes = {
        field: value
        for field, value in payload.dict(exclude_unset=True).items()
        if value is not None or field in NULLABLE_COURSE_FIELDS
    }
    changes = services.course_days_in_zone(instructor=course.instructor, **changes)
    course = services.course_update(actor=request.auth, course=course, **changes)
    return ok(_course_with_count(course))


# Same path as the seeds' POST /courses/{course_id}/unenroll: dispatched as one.
@router.delete(
    "/courses/{course_id}/unenroll",
    response=Envelope(EnrollmentOut),
    summary="Unenroll (MdSC spelling of POST)",
)
def unenroll_delete(request: AuthedRequest, course_id: int) -> dict:
    course = access.get_course_for(request.auth, course_id, action="view")
    return ok(services.enrollment_deactivate(actor=request.auth, course=course))


@router.get(
    "/courses/{course_id}/lessons/{lesson_id}/student",
    response=Envelope(MdscLessonOut),
    summary="A lesson of this course (MdSC, members)",
)
def course_lesson(request: AuthedRequest, course_id: int, lesson_id: int) -> dict:
    lesson = access.get_lesson_in_course_for(request.auth, course_id, lesson_id)
    data = presenters.lesson_detail(lesson, user=request.auth)
    return ok({**data, "content": data["body"]})


@router.post(
    "/courses/{course_id}/lessons/{lesson_id}/complete",
    response=Envelope(ProgressOut),
    summary="Mark a lesson of this course complete (MdSC)",
)
def course_lesson_complete(request: AuthedRequest, course_id: int, lesson_id: int) -> dict:
    lesson = access.get_lesson_in_course_for(request.auth, course_id, lesson_id)
    enrollment = services.lesson_complete(actor=request.auth, lesson=lesson)
    return ok({"enrollment": enrollment, "lesson_id": lesson.pk})


@router.get(
    "/courses/{course_id}/enrollments",
    response=PageEnvelope(MdscCourseStudentOut),
    summary="A course's students (MdSC, owner and admins)",
)
def course_enrollments(request: AuthedRequest, course_id: int, page: Query[PageQuery]) -> dict:
    course = access.get_course_for(request.auth, course_id, action="manage")
    result = selectors.course_students_page(
        course=course, status="", search="", sort="name", query=page
    )
    rows = [
        {
            **presenters.enrollment_row(e),
            "user_id": e.user_id,
            "first_name": e.user.first_name,
            "last_name": e.user.last_name,
            "email": e.user.email,
            "last_activity_at": e.last_activity_at,  # set by attach_last_activity
        }
        for e in result.items
    ]
    return ok(rows, pagination=result.pagination())


# --- Enrollments -------------------------------------------------------------------------


# Same path as the seeds' POST /enrollments: dispatched as one.
@router.get(
    "/enrollments",
    response=PageEnvelope(MyEnrollmentOut),
    summary="My active enrollments (MdSC spelling of /enrollments/me)",
)
def my_enrollments(request: AuthedRequest, page: Query[PageQuery]) -> dict:
    result = selectors.enrollments_page(user=request.auth, query=page)
    return ok([presenters.my_enrollment(e) for e in result.items], pagination=result.pagination())


# The frontend reads an enrollment with GET /enrollments/<enrollment id> and unenrolls
# with DELETE /enrollments/<COURSE id>. Both methods share one path template, and one
# template has one parameter name: hence `enrollment_or_course_id`, which each operation
# reads as what it is. The `int:` converter keeps the seeds' /enrollments/me reachable.
ENROLLMENT_OR_COURSE = "/enrollments/{int:enrollment_or_course_id}"


@router.get(
    ENROLLMENT_OR_COURSE,
    response=Envelope(MyEnrollmentOut),
    summary="An enrollment (MdSC: its student, the course owner, admins)",
)
def enrollment_detail(request: AuthedRequest, enrollment_or_course_id: int) -> dict:
    enrollment = access.get_enrollment_for(request.auth, enrollment_or_course_id)
    return ok(_my_enrollment(enrollment))


@router.delete(
    ENROLLMENT_OR_COURSE,
    response=Envelope(EnrollmentOut),
    summary="Unenroll from a course, by its COURSE id (MdSC)",
)
def enrollment_delete_by_course(request: AuthedRequest, enrollment_or_course_id: int) -> dict:
    course = access.get_course_for(request.auth, enrollment_or_course_id, action="view")
    return ok(services.enrollment_deactivate(actor=request.auth, course=course))
