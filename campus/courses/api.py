"""Courses API: parse -> access/service/selector -> schema. No rules here."""

from ninja import Query, Router, Status

from campus.accounts.auth import AuthedRequest, MaybeAuthedRequest, optional_auth
from campus.core.envelope import Envelope, PageEnvelope, created, ok
from campus.core.pagination import PageQuery
from campus.courses import access, presenters, selectors, services
from campus.courses.schemas import (
    AttemptIn,
    AttemptOut,
    CatalogueQuery,
    CourseDetailOut,
    CourseIn,
    CourseOut,
    EnrollIn,
    EnrollmentOut,
    LessonDetailOut,
    MyEnrollmentOut,
    ProgressOut,
    QuizOut,
)

router = Router(tags=["courses"])


@router.get("/courses", auth=optional_auth, response=PageEnvelope(CourseOut), summary="Catalogue")
def catalogue(
    request: MaybeAuthedRequest, filters: Query[CatalogueQuery], page: Query[PageQuery]
) -> dict:
    result = selectors.catalogue_page(
        search=filters.q.strip(), course_type=filters.course_type, query=page
    )
    return ok(result.items, pagination=result.pagination())


@router.post(
    "/courses", response={201: Envelope(CourseOut)}, summary="Create a course (instructors)"
)
def course_create(request: AuthedRequest, payload: CourseIn) -> Status:
    fields = services.course_days_in_zone(instructor=request.auth, **payload.dict())
    course = services.course_create(actor=request.auth, **fields)
    return created(presenters.course_summary(course))


@router.get(
    "/courses/{course_id}",
    auth=optional_auth,
    response=Envelope(CourseDetailOut),
    summary="Course detail",
)
def course_detail(request: MaybeAuthedRequest, course_id: int) -> dict:
    course = access.get_course_outline_for(request.auth, course_id)
    return ok(presenters.course_detail(course, user=request.auth))


@router.post("/enrollments", response={201: Envelope(EnrollmentOut)}, summary="Enroll (seed style)")
def enroll(request: AuthedRequest, payload: EnrollIn) -> Status:
    course = access.get_course_for(request.auth, payload.course_id, action="view")
    return created(services.enrollment_create(actor=request.auth, course=course))


@router.post(
    "/courses/{course_id}/enroll", response={201: Envelope(EnrollmentOut)}, summary="Enroll"
)
def enroll_in_course(request: AuthedRequest, course_id: int) -> Status:
    course = access.get_course_for(request.auth, course_id, action="view")
    return created(services.enrollment_create(actor=request.auth, course=course))


@router.post("/courses/{course_id}/unenroll", response=Envelope(EnrollmentOut), summary="Unenroll")
def unenroll(request: AuthedRequest, course_id: int) -> dict:
    course = access.get_course_for(request.auth, course_id, action="view")
    return ok(services.enrollment_deactivate(actor=request.auth, course=course))


@router.get("/enrollments/me", response=PageEnvelope(MyEnrollmentOut), summary="My enrollments")
def my_enrollments(request: AuthedRequest, page: Query[PageQuery]) -> dict:
    result = selectors.enrollments_page(user=request.auth, query=page)
    return ok([presenters.my_enrollment(e) for e in result.items], pagination=result.pagination())


@router.get(
    "/lessons/{lesson_id}", response=Envelope(LessonDetailOut), summary="A lesson (members)"
)
def lesson_detail(request: AuthedRequest, lesson_id: int) -> dict:
    lesson = access.get_lesson_for(request.auth, lesson_id)
    return ok(presenters.lesson_detail(lesson, user=request.auth))


@router.post(
    "/lessons/{lesson_id}/complete",
    response=Envelope(ProgressOut),
    summary="Mark a lesson complete",
)
def lesson_complete(request: AuthedRequest, lesson_id: int) -> dict:
    lesson = access.get_lesson_for(request.auth, lesson_id)
    enrollment = services.lesson_complete(actor=request.auth, lesson=lesson)
    return ok({"enrollment": enrollment, "lesson_id": lesson.pk})


@router.get("/quizzes/{quiz_id}", response=Envelope(QuizOut), summary="A quiz, without its answers")
def quiz_detail(request: AuthedRequest, quiz_id: int) -> dict:
    quiz = access.get_quiz_for(request.auth, quiz_id)
    return ok(presenters.quiz_for_taker(quiz, user=request.auth))


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response={201: Envelope(AttemptOut)},
    summary="Submit a quiz attempt",
)
def quiz_attempt(request: AuthedRequest, quiz_id: int, payload: AttemptIn) -> Status:
    quiz = access.get_quiz_for(request.auth, quiz_id)
    attempt = services.quiz_submit(actor=request.auth, quiz=quiz, answers=payload.answers)
    return created(attempt)
