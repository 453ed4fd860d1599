"""The MdSC frontend's progress and certificate calls (campus/mdsc/learning.py), through
HTTP: the fields its components read, bad input, each forbidden actor, the bounds on the
time a lesson player reports, constant query counts."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.certificates import services as certificate_services
from campus.certificates.models import Certificate
from campus.certificates.tests.helpers import complete, rate, short_course
from campus.courses import services as course_services
from campus.courses.models import Course, Enrollment, Lesson, LessonCompletion, LessonTime
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db


def lessons_of(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(course=course).order_by("module__position", "position", "id"))


def enrollment_of(user: User, course: Course) -> Enrollment:
    return Enrollment.objects.get(user=user, course=course)


def queries_of(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def progress_path(enrollment: Enrollment, lesson: Lesson, tail: str = "") -> str:
    return f"/api/progress/enrollment/{enrollment.pk}/lesson/{lesson.pk}{tail}"


@pytest.fixture
def other_course(owner: User) -> Course:
    return build_course(owner, title="Un autre cours", modules=1, with_final=False)


# --- Enrollment progress -----------------------------------------------------------------


def test_enrollment_progress_lists_every_lesson_with_its_status(
    api: Any, course: Course, member: User
) -> None:
    lessons = lessons_of(course)
    course_services.lesson_complete(actor=member, lesson=lessons[0])
    enrollment = enrollment_of(member, course)
    response = api(member).get(f"/api/progress/enrollment/{enrollment.pk}")
    assert response.status_code == 200, response.content
    rows = response.json_body["data"]
    assert [row["lesson_id"] for row in rows] == [lesson.pk for lesson in lessons]
    assert rows[0]["status"] == "completed" and rows[0]["completion_percentage"] == 100
    assert rows[0]["completed_at"].endswith("Z")
    assert {row["status"] for row in rows[1:]} == {"not_started"}
    assert rows[1]["time_spent"] == 0 and rows[1]["enrollment_id"] == enrollment.pk


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("outsider", 404),
        ("other_instructor", 404),
        ("owner", 200),
        ("admin", 200),
    ],
)
def test_enrollment_progress_readers(
    api: Any, actors: dict, course: Course, actor: str, status: int
) -> None:
    """Its holder, the course's owner and admins read it; anyone else is told it does not
    exist."""
    enrollment = enrollment_of(actors["member"], course)
    response = api(actors[actor]).get(f"/api/progress/enrollment/{enrollment.pk}")
    if status == 200:
        assert response.status_code == 200 and len(response.json_body["data"]) == 4
    else:
        assert_error(response, status)


def test_enrollment_progress_unknown_is_404(api: Any, member: User) -> None:
    assert_error(api(member).get("/api/progress/enrollment/999999"), 404, "enrollment_not_found")


def test_enrollment_progress_costs_the_same_queries_for_1_or_12_lessons(
    api: Any, owner: User, user_factory: Callable[..., User]
) -> None:
    student = user_factory(Role.STUDENT)
    small = build_course(owner, title="Petit", modules=1, lessons_per_module=1, with_final=False)
    big = build_course(owner, title="Grand", modules=3, lessons_per_module=4, with_final=False)
    for course in (small, big):
        course_services.enrollment_create(actor=student, course=course)
        course_services.lesson_complete(actor=student, lesson=lessons_of(course)[0])
    client = api(student)
    client.get("/api/certificates")  # the token's first use is recorded once
    paths = [f"/api/progress/enrollment/{enrollment_of(student, c).pk}" for c in (small, big)]
    assert queries_of(lambda: client.get(paths[0])) == queries_of(lambda: client.get(paths[1]))


# --- Course progress ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/student/courses/{}/progress", "/api/progress/course/{}"])
def test_course_progress_reads_percentage_counts_and_modules(
    api: Any, course: Course, member: User, path: str
) -> None:
    lessons = lessons_of(course)
    course_services.lesson_complete(actor=member, lesson=lessons[0])
    response = api(member).get(path.format(course.pk))
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["total_lessons"] == 4 and data["completed_lessons"] == 1
    assert data["progress_percentage"] == 20  # 1 of 4 lessons + the final evaluation
    assert data["enrollment_status"] == "in_progress"
    assert [len(module["lessons"]) for module in data["modules"]] == [2, 2]
    assert data["modules"][0]["lessons"][0]["status"] == "completed"


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 401), ("outsider", 404), ("owner", 404), ("admin", 404)],
)
def test_course_progress_is_the_callers_own(
    api: Any, actors: dict, course: Course, actor: str, status: int
) -> None:
    """It is one's own progress: without an enrollment there is none to show."""
    response = api(actors[actor]).get(f"/api/student/courses/{course.pk}/progress")
    assert_error(response, status)


def test_course_progress_of_a_draft_or_unknown_course_is_404(
    api: Any, member: User, draft_course: Course
) -> None:
    assert_error(api(member).get(f"/api/progress/course/{draft_course.pk}"), 404)
    assert_error(api(member).get("/api/progress/course/999999"), 404, "course_not_found")


# --- Lesson progress ---------------------------------------------------------------------


def test_lesson_progress_is_a_list_of_my_row(api: Any, course: Course, member: User) -> None:
    lesson = lessons_of(course)[1]
    data = api(member).get(f"/api/progress/lesson/{lesson.pk}").json_body["data"]
    assert len(data) == 1 and data[0]["status"] == "not_started"
    assert data[0]["lesson_id"] == lesson.pk
    # the owner reads the lesson but has no progress on it
    assert api(course.instructor).get(f"/api/progress/lesson/{lesson.pk}").json_body["data"] == []


def test_lesson_progress_forbidden_actors(api: Any, actors: dict, course: Course) -> None:
    lesson = lessons_of(course)[0]
    assert_error(api(None).get(f"/api/progress/lesson/{lesson.pk}"), 401)
    assert_error(api(actors["outsider"]).get(f"/api/progress/lesson/{lesson.pk}"), 403)
    assert_error(api(actors["member"]).get("/api/progress/lesson/999999"), 404)


# --- Time spent: PUT ---------------------------------------------------------------------


def test_reported_time_is_bounded_by_the_wall_clock(api: Any, course: Course, member: User) -> None:
    """The player sends the seconds since its page opened. The first report is credited
    at most the lesson's duration (15 min here); each later one at most the time elapsed
    since the previous report: no hours in one call, nor by calling quickly."""
    enrollment = enrollment_of(member, course)
    lesson = lessons_of(course)[0]
    client = api(member)
    path = progress_path(enrollment, lesson)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        body = {"status": "in_progress", "completion_percentage": 50, "time_spent": 120}
        first = client.put(path, body)
        assert first.status_code == 200, first.content
        assert first.json_body["data"]["status"] == "in_progress"
        assert first.json_body["data"]["time_spent"] == 120
        assert first.json_body["data"]["completion_percentage"] == 50
        # at once: nothing more, whatever is claimed
        again = client.put(path, {**body, "time_spent": 36000})
        assert again.json_body["data"]["time_spent"] == 120
        clock.shift(timedelta(seconds=60))
        later = client.put(path, {**body, "completion_percentage": 30, "time_spent": 36000})
        assert later.json_body["data"]["time_spent"] == 180
        assert later.json_body["data"]["completion_percentage"] == 50  # only grows
    other = lessons_of(course)[1]
    response = client.put(progress_path(enrollment, other), {"time_spent": 80000})
    assert response.json_body["data"]["time_spent"] == 15 * 60
    assert LessonTime.objects.filter(enrollment=enrollment).count() == 2


def test_put_completed_completes_the_lesson(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    lesson = lessons_of(course)[0]
    response = api(member).put(
        progress_path(enrollment, lesson),
        {"status": "completed", "completion_percentage": 100, "time_spent": 30},
    )
    assert response.status_code == 200, response.content
    assert response.json_body["data"]["status"] == "completed"
    assert LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).exists()
    enrollment.refresh_from_db()
    assert enrollment.progress_percentage > 0


@pytest.mark.parametrize(
    "body",
    [
        {"time_spent": -1},
        {"time_spent": 86401},
        {"time_spent": "beaucoup"},
        {"completion_percentage": 101},
        {"status": "done"},
    ],
)
def test_put_refuses_bad_input(api: Any, course: Course, member: User, body: dict) -> None:
    enrollment = enrollment_of(member, course)
    response = api(member).put(progress_path(enrollment, lessons_of(course)[0]), body)
    assert_error(response, 400)
    assert not LessonTime.objects.exists()


def test_put_refuses_invalid_json(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    path = progress_path(enrollment, lessons_of(course)[0])
    assert_error(api(member).request("PUT", path, raw="{nope"), 400)


def test_put_forbidden_actors(api: Any, actors: dict, course: Course, other_course: Course) -> None:
    member = actors["member"]
    enrollment = enrollment_of(member, course)
    lesson = lessons_of(course)[0]
    body = {"time_spent": 10}
    assert_error(api(None).put(progress_path(enrollment, lesson), body), 401)
    for actor in ("outsider", "owner", "admin", "other_instructor"):
        # someone else's enrollment: not theirs to write, even for the owner
        assert_error(api(actors[actor]).put(progress_path(enrollment, lesson), body), 404)
    # a lesson of another course, through my enrollment
    course_services.enrollment_create(actor=member, course=other_course)
    foreign = lessons_of(other_course)[0]
    assert_error(api(member).put(progress_path(enrollment, foreign), body), 404, "lesson_not_found")
    assert not LessonTime.objects.exists()


# --- Complete ----------------------------------------------------------------------------


def test_complete_is_the_lesson_completion(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    lesson = lessons_of(course)[0]
    response = api(member).post(progress_path(enrollment, lesson, "/complete"), {"time_spent": 45})
    assert response.status_code == 200, response.content
    data = response.json_body["data"]
    assert data["status"] == "completed" and data["lesson_id"] == lesson.pk
    assert data["progress_percentage"] == 20 and data["enrollment_status"] == "in_progress"
    assert LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).count() == 1
    assert LessonTime.objects.get(enrollment=enrollment, lesson=lesson).seconds == 45
    # idempotent, and the body is optional
    again = api(member).post(progress_path(enrollment, lesson, "/complete"))
    assert again.status_code == 200
    assert LessonCompletion.objects.filter(enrollment=enrollment, lesson=lesson).count() == 1
    assert data["unlockedLessonId"] == lessons_of(course)[1].pk  # the next one, open anyway


def test_complete_sequential_is_the_same_completion(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    lessons = lessons_of(course)
    path = progress_path(enrollment, lessons[1], "/complete-sequential")
    data = api(member).post(path, {}).json_body["data"]
    assert data["status"] == "completed" and data["unlockedLessonId"] == lessons[2].pk
    last = api(member).post(progress_path(enrollment, lessons[-1], "/complete-sequential"))
    assert last.json_body["data"]["unlockedLessonId"] is None
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 2
    assert_error(api(course.instructor).post(path), 404)
    assert_error(api(None).post(path), 401)


def test_complete_refuses_bad_input_and_others(
    api: Any, actors: dict, course: Course, other_course: Course
) -> None:
    member = actors["member"]
    enrollment = enrollment_of(member, course)
    lesson = lessons_of(course)[0]
    path = progress_path(enrollment, lesson, "/complete")
    assert_error(api(member).post(path, {"time_spent": "x"}), 400)
    assert_error(api(member).post(path, {"time_spent": -5}), 400)
    assert_error(api(None).post(path), 401)
    assert_error(api(actors["owner"]).post(path), 404)
    assert_error(api(actors["outsider"]).post(path), 404)
    course_services.enrollment_create(actor=member, course=other_course)
    foreign = lessons_of(other_course)[0]
    assert_error(api(member).post(progress_path(enrollment, foreign, "/complete")), 404)
    assert not LessonCompletion.objects.exists()


def test_an_ended_enrollment_no_longer_progresses(api: Any, course: Course, member: User) -> None:
    enrollment = enrollment_of(member, course)
    course_services.enrollment_deactivate(actor=member, course=course)
    lesson = lessons_of(course)[0]
    assert_error(api(member).post(progress_path(enrollment, lesson, "/complete")), 404)
    assert_error(api(member).get(progress_path(enrollment, lesson, "/access")), 404)


# --- Access ------------------------------------------------------------------------------


def test_access_answers_like_the_lesson_page(
    api: Any, actors: dict, course: Course, other_course: Course
) -> None:
    member = actors["member"]
    enrollment = enrollment_of(member, course)
    lesson = lessons_of(course)[1]
    data = api(member).get(progress_path(enrollment, lesson, "/access")).json_body["data"]
    assert data == {"has_access": True, "hasAccess": True, "can_access": True, "reason": None}
    assert api(member).get(f"/api/lessons/{lesson.pk}").status_code == 200  # the same rule
    assert_error(api(None).get(progress_path(enrollment, lesson, "/access")), 401)
    assert_error(api(actors["outsider"]).get(progress_path(enrollment, lesson, "/access")), 404)
    foreign = lessons_of(other_course)[0]
    assert_error(api(member).get(progress_path(enrollment, foreign, "/access")), 404)


# --- Certificates ------------------------------------------------------------------------


@pytest.fixture
def graduate(user_factory: Callable[..., User]) -> User:
    return user_factory(Role.STUDENT, first_name="Chimène", last_name="Houngbo")


@pytest.fixture
def finished(graduate: User, owner: User) -> Enrollment:
    return complete(graduate, short_course(owner))


def test_request_by_enrollment_issues_once(api: Any, graduate: User, finished: Enrollment) -> None:
    path = f"/api/enrollments/{finished.pk}/certificate/request"
    assert_error(api(graduate).get(path), 404, "certificate_not_found")  # none yet
    first = api(graduate).post(path)
    assert first.status_code == 201, first.content
    data = first.json_body["data"]
    assert data["certificate_code"] == data["certificate_number"] == data["code"]
    assert data["number"].startswith("CAMPUS-") and data["course_title"]
    assert api(graduate).post(path).status_code == 200
    assert Certificate.objects.count() == 1
    assert api(graduate).get(path).json_body["data"]["id"] == data["id"]


def test_request_by_enrollment_refusals(
    api: Any, graduate: User, finished: Enrollment, member: User, course: Course, owner: User
) -> None:
    path = f"/api/enrollments/{finished.pk}/certificate/request"
    assert_error(api(None).post(path), 401)
    assert_error(api(member).post(path), 404, "enrollment_not_found")
    assert_error(api(owner).post(path), 404)
    unfinished = enrollment_of(member, course)
    assert_error(
        api(member).post(f"/api/enrollments/{unfinished.pk}/certificate/request"),
        409,
        "not_completed",
    )
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("key", ["course_id", "courseId"])
def test_request_by_course(api: Any, graduate: User, finished: Enrollment, key: str) -> None:
    response = api(graduate).post("/api/certificates/request", {key: finished.course_id})
    assert response.status_code == 201, response.content
    assert response.json_body["data"]["course_id"] == finished.course_id


@pytest.mark.parametrize("body", [{}, {"course_id": "abc"}, {"course_id": 0}])
def test_request_by_course_bad_input(
    api: Any, graduate: User, finished: Enrollment, body: dict
) -> None:
    assert_error(api(graduate).post("/api/certificates/request", body), 400)


def test_request_by_course_without_an_enrollment(
    api: Any, graduate: User, finished: Enrollment, course: Course, owner: User
) -> None:
    assert_error(api(graduate).post("/api/certificates/request", {"course_id": course.pk}), 404)
    assert_error(
        api(owner).post("/api/certificates/request", {"course_id": finished.course_id}), 404
    )
    assert_error(api(None).post("/api/certificates/request", {"course_id": course.pk}), 401)
    assert not Certificate.objects.exists()


def test_generate_asks_for_a_rating_the_frontend_recognises(
    api: Any, graduate: User, finished: Enrollment, settings: Any
) -> None:
    settings.CERTIFICATE_REQUIRES_RATING = "required"
    path = f"/api/certificates/generate/{finished.course_id}"
    body = assert_error(api(graduate).post(path), 409, "rating_required")
    assert "noter" in body["message"]
    assert body["error"]["details"]["requires_rating"] is True
    rate(graduate, finished)
    created = api(graduate).post(path)
    assert created.status_code == 201 and created.json_body["data"]["id"]
    assert_error(api(graduate).post("/api/certificates/generate/999999"), 404)


def test_my_certificates_list_reads_code_number_title_date(
    api: Any, graduate: User, finished: Enrollment, owner: User
) -> None:
    certificate_services.certificate_issue(actor=graduate, enrollment=finished)
    client = api(graduate)
    client.get("/api/certificates")  # the token's first use is recorded once
    single = queries_of(lambda: client.get("/api/certificates/my-certificates"))
    for n in range(3):
        enrollment = complete(graduate, short_course(owner, title=f"Cours {n}"))
        certificate_services.certificate_issue(actor=graduate, enrollment=enrollment)
    several = queries_of(lambda: client.get("/api/certificates/my-certificates"))
    assert single == several
    response = client.get("/api/certificates/my-certificates", {"limit": 2})
    rows = response.json_body["data"]
    assert len(rows) == 2 and response.json_body["pagination"]["total"] == 4
    for row in rows:
        assert row["certificate_code"] and row["certificate_number"]
        assert row["course_title"] and row["issued_at"].endswith("Z")
    assert_error(client.get("/api/certificates/my-certificates", {"limit": 100000}), 400)
    assert_error(api(None).get("/api/certificates/my-certificates"), 401)


def test_certificate_by_course_is_my_own(
    api: Any, graduate: User, finished: Enrollment, member: User, admin_user: User
) -> None:
    path = f"/api/certificates/course/{finished.course_id}"
    assert_error(api(graduate).get(path), 404, "certificate_not_found")
    certificate = certificate_services.certificate_issue(actor=graduate, enrollment=finished)
    data = api(graduate).get(path).json_body["data"]
    assert data["id"] == certificate.pk and data["certificate_code"] == certificate.code
    assert_error(api(member).get(path), 404)
    assert_error(api(admin_user).get(path), 404)
    assert_error(api(None).get(path), 401)


def test_download_is_the_pdf_with_the_same_access(
    api: Any, graduate: User, finished: Enrollment, member: User, admin_user: User
) -> None:
    certificate = certificate_services.certificate_issue(actor=graduate, enrollment=finished)
    path = f"/api/certificates/{certificate.pk}/download"
    response = api(graduate).get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    canonical = api(graduate).get(f"/api/certificates/{certificate.pk}/pdf")
    assert response["Content-Disposition"] == canonical["Content-Disposition"]
    assert_error(api(member).get(path), 404)
    assert_error(api(admin_user).get(path), 404)  # as /pdf: the holder's document
    assert_error(api(None).get(path), 401)
    assert_error(api(graduate).get("/api/certificates/999999/download"), 404)
    certificate_services.certificate_revoke(
        actor=admin_user, certificate=certificate, reason="Fraude"
    )
    assert_error(api(graduate).get(path), 409, "certificate_revoked")


def test_detail_adds_the_frontend_names(api: Any, graduate: User, finished: Enrollment) -> None:
    certificate = certificate_services.certificate_issue(actor=graduate, enrollment=finished)
    data = api(graduate).get(f"/api/certificates/{certificate.pk}").json_body["data"]
    assert data["code"] == data["certificate_code"] == certificate.code  # canonical kept
    assert data["number"] == certificate.number
    assert data["certificate_number"] == certificate.code  # what its QR code verifies


def test_verify_what_the_frontend_sends(api: Any, graduate: User, finished: Enrollment) -> None:
    """The frontend upper-cases the code (or the certificate_number it was given, which
    is the code): both verify; the sequential number does not."""
    certificate = certificate_services.certificate_issue(actor=graduate, enrollment=finished)
    response = api(None).get(f"/api/certificates/verify/{certificate.code.upper()}")
    assert response.status_code == 200
    data = response.json_body["data"]
    assert data["id"] == certificate.pk and data["course_title"] == certificate.course_title
    assert data["certificate_number"] == certificate.code and data["revoked_at"] is None
    assert_error(api(None).get(f"/api/certificates/verify/{certificate.number}"), 404)


# --- Concurrency: reports at once do not add up ------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("requests", [2, 6])
def test_simultaneous_reports_are_credited_once(owner: User, requests: int) -> None:
    """The same claim sent several times at once (tabs, retries) is credited once: the
    row is locked, and the reports after the first find no time elapsed since it."""
    from functools import partial

    from campus.courses.tests.test_concurrency import client_for, outcome, run_at_once

    course = build_course(owner, title="En parallèle", modules=1, with_final=False)
    student = User.objects.create_user(
        email="parallel@example.test", password=None, role=Role.STUDENT
    )
    course_services.enrollment_create(actor=student, course=course)
    enrollment = enrollment_of(student, course)
    lesson = lessons_of(course)[0]
    clients = [client_for(student) for _ in range(requests)]
    path = progress_path(enrollment, lesson)

    responses = run_at_once([partial(c.put, path, {"time_spent": 600}) for c in clients])

    assert {outcome(r) for r in responses} == {(200, None)}
    seconds = LessonTime.objects.get(enrollment=enrollment, lesson=lesson).seconds
    assert 600 <= seconds <= 600 + 5 * (requests - 1)  # each later one: only the wait
