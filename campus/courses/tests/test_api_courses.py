"""Courses API: catalogue, detail, authoring input, enrollment, lessons, quizzes and
completion, through HTTP only (the services are exercised the way clients reach them)."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from campus.accounts.models import Role, User
from campus.accounts.tokens import token_issue
from campus.core.tests.openapi_check import call_conforming
from campus.courses import services
from campus.courses.models import (
    Course,
    CourseType,
    Enrollment,
    Lesson,
    LessonCompletion,
    Question,
    Quiz,
    QuizAttempt,
)
from conftest import assert_error, build_course

pytestmark = pytest.mark.django_db


def lessons_of(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(course=course).order_by("module__position", "position", "id"))


def final_of(course: Course) -> Quiz:
    return Quiz.objects.get(final_for=course)


def answers(quiz: Quiz, *, right: bool = True) -> dict[str, list[int]]:
    """Every question answered, all right or all wrong."""
    out = {}
    for q in quiz.questions.all():
        wrong = [i for i in range(len(q.choices)) if i not in q.correct_choices][:1]
        out[str(q.pk)] = list(q.correct_choices) if right else wrong
    return out


def enrollment_of(user: User, course: Course) -> Enrollment:
    return Enrollment.objects.get(user=user, course=course)


# --- Catalogue ---------------------------------------------------------------------------


def test_catalogue_lists_only_published_courses(
    api: Any, course: Course, draft_course: Course
) -> None:
    response = api(None).get("/api/courses")

    assert response.status_code == 200
    ids = [c["id"] for c in response.json_body["data"]]
    assert ids == [course.pk]
    assert response.json_body["pagination"] == {"page": 1, "limit": 20, "total": 1}


def test_catalogue_item_shape(api: Any, course: Course, member: User) -> None:
    item = api(None).get("/api/courses").json_body["data"][0]
    assert item["enrolled_count"] == 1
    # `name`, `rating` and `enrollment_count`: the MdSC frontend's names (campus/mdsc).
    assert item["instructor"] == {
        "id": course.instructor_id,
        "full_name": "Awa Formatrice",
        "name": "Awa Formatrice",
        "first_name": "Awa",
        "last_name": "Formatrice",
    }
    assert item["enrollment_count"] == 1 and item["rating"] == 0
    assert item["status"] == "published"
    assert "modules" not in item


def test_catalogue_search_and_type_filter(api: Any, owner: User) -> None:
    python = build_course(owner, title="Python pour tous", with_final=False, modules=0)
    live = build_course(
        owner, title="Atelier Django", course_type=CourseType.LIVE, with_final=False, modules=0
    )
    desc = build_course(owner, title="Autre", with_final=False, modules=0)
    Course.objects.filter(pk=desc.pk).update(description="On y parle de PYTHON aussi.")
    client = api(None)

    found = {c["id"] for c in client.get("/api/courses", {"q": "python"}).json_body["data"]}
    assert found == {python.pk, desc.pk}
    found = {c["id"] for c in client.get("/api/courses", {"course_type": "live"}).json_body["data"]}
    assert found == {live.pk}
    both = client.get("/api/courses", {"q": "atelier", "course_type": "on_demand"}).json_body
    assert both["data"] == [] and both["pagination"]["total"] == 0
    assert client.get("/api/courses", {"q": "   "}).json_body["pagination"]["total"] == 3
    assert client.get("/api/courses", {"q": "100%_"}).json_body["data"] == []


def test_catalogue_pagination(api: Any, owner: User) -> None:
    made = [build_course(owner, title=f"Cours {n}", modules=0, with_final=False) for n in range(5)]
    client = api(None)

    page1 = client.get("/api/courses", {"limit": 2}).json_body
    page3 = client.get("/api/courses", {"limit": 2, "page": 3}).json_body
    beyond = client.get("/api/courses", {"limit": 2, "page": 101}).json_body

    assert page1["pagination"] == {"page": 1, "limit": 2, "total": 5}
    assert len(page1["data"]) == 2 and len(page3["data"]) == 1
    # Newest published first.
    assert [c["id"] for c in page1["data"]] == [made[4].pk, made[3].pk]
    assert page3["data"][0]["id"] == made[0].pk
    assert beyond["data"] == [] and beyond["pagination"] == {"page": 101, "limit": 2, "total": 5}


PAGE_CASES = [
    ("page", 0, "greater_than_equal"),
    ("page", -1, "greater_than_equal"),
    ("page", 10**9, "less_than_equal"),
    ("page", "abc", "int_parsing"),
    ("limit", 0, "greater_than_equal"),
    ("limit", -1, "greater_than_equal"),
    ("limit", 101, "less_than_equal"),
    ("limit", 10**9, "less_than_equal"),
    ("limit", "abc", "int_parsing"),
    ("limit", "1.5", "int_parsing"),
]
CATALOGUE_CASES = [("course_type", "nope", "enum"), ("q", "x" * 101, "string_too_long")]
LIST_CASES = [("/api/courses", *case) for case in PAGE_CASES + CATALOGUE_CASES] + [
    ("/api/enrollments/me", *case) for case in PAGE_CASES
]


@pytest.mark.parametrize(("path", "param", "value", "code"), LIST_CASES)
def test_bad_list_parameters_are_400_with_french_field_details(
    api: Any, member: User, path: str, param: str, value: Any, code: str
) -> None:
    body = assert_error(api(member).get(path, {param: value}), 400, "validation_error")
    assert body["message"] == "Les données envoyées sont invalides."
    [detail] = body["error"]["details"]
    assert detail["field"] == param
    assert detail["code"] == code
    french = {
        "greater_than_equal": "Doit être supérieur ou égal à 1.",
        "int_parsing": "Un nombre entier est attendu.",
        "string_too_long": "Au plus 100 caractères.",
    }
    if code in french:
        assert detail["message"] == french[code]
    else:
        assert detail["message"].startswith(("Doit être inférieur", "Valeur non autorisée"))


# --- Detail ------------------------------------------------------------------------------


def test_detail_outline_for_a_member(api: Any, course: Course, member: User) -> None:
    first = lessons_of(course)[0]
    api(member).post(f"/api/lessons/{first.pk}/complete")

    data = api(member).get(f"/api/courses/{course.pk}").json_body["data"]

    assert data["is_member"] is True and data["can_manage"] is False
    assert data["enrollment"]["id"] == enrollment_of(member, course).pk
    assert [m["title"] for m in data["modules"]] == ["Module 1", "Module 2"]
    assert [len(m["lessons"]) for m in data["modules"]] == [2, 2]
    flags = [lesson["is_completed"] for m in data["modules"] for lesson in m["lessons"]]
    assert flags == [True, False, False, False]
    assert data["modules"][0]["quiz"]["title"] == "Quiz 1"
    assert data["final_quiz"]["is_final"] is True
    assert "body" not in data["modules"][0]["lessons"][0]


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_detail_outline_for_owner_and_admin(
    api: Any, course: Course, actors: dict, who: str
) -> None:
    data = api(actors[who]).get(f"/api/courses/{course.pk}").json_body["data"]
    assert data["can_manage"] is True and data["is_member"] is False
    assert data["enrollment"] is None
    assert len(data["modules"]) == 2 and data["final_quiz"] is not None


@pytest.mark.parametrize("who", ["anonymous", "outsider", "other_instructor"])
def test_detail_hides_the_outline_from_non_members(
    api: Any, course: Course, actors: dict, who: str
) -> None:
    data = api(actors[who]).get(f"/api/courses/{course.pk}").json_body["data"]
    assert data["modules"] is None and data["final_quiz"] is None
    assert data["is_member"] is False and data["can_manage"] is False
    assert data["title"] == course.title
    text = json.dumps(data)
    assert "Leçon" not in text and "Quiz" not in text and "Évaluation" not in text


def test_a_former_member_loses_the_outline(api: Any, course: Course, member: User) -> None:
    api(member).post(f"/api/courses/{course.pk}/unenroll")
    data = api(member).get(f"/api/courses/{course.pk}").json_body["data"]
    assert data["modules"] is None and data["is_member"] is False


def test_no_email_of_anyone_else_in_course_responses(
    api: Any, course: Course, member: User, actors: dict
) -> None:
    quiz = Quiz.objects.filter(course=course, module__isnull=False).first()
    lesson = lessons_of(course)[0]
    for who in ("anonymous", "outsider", "member", "owner", "admin"):
        user = actors[who]
        client = api(user)
        paths = ["/api/courses", f"/api/courses/{course.pk}"]
        if user is not None:
            paths.append("/api/enrollments/me")
        if who in {"member", "owner", "admin"}:
            paths += [f"/api/lessons/{lesson.pk}", f"/api/quizzes/{quiz.pk}"]  # type: ignore[union-attr]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "@" not in response.content.decode(), (who, path)


# --- Authoring input -----------------------------------------------------------------------


def test_instructor_creates_a_draft_course(api: Any, owner: User) -> None:
    response = api(owner).post(
        "/api/courses",
        {
            "title": "  Nouveau  ",
            "course_type": "live",
            "max_students": 30,
            "enrollment_deadline": "2030-01-01T10:00:00+01:00",
            "course_start_date": "2030-01-10",
            "course_end_date": "2030-02-10",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json_body["data"]
    assert data["title"] == "Nouveau" and data["status"] == "draft"
    assert data["instructor"]["id"] == owner.pk
    # ISO 8601 in with an offset, UTC "Z" out.
    assert data["enrollment_deadline"] == "2030-01-01T09:00:00Z"
    course = Course.objects.get(pk=data["id"])
    assert course.instructor == owner and course.max_students == 30
    assert course.enrollment_deadline == datetime(2030, 1, 1, 9, tzinfo=UTC)


def test_instructor_field_in_the_body_is_ignored(
    api: Any, owner: User, other_instructor: User
) -> None:
    response = api(owner).post("/api/courses", {"title": "T", "instructor": other_instructor.pk})
    assert response.status_code == 201
    assert Course.objects.get(pk=response.json_body["data"]["id"]).instructor == owner


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"title": "x" * 201}, "title", "string_too_long"),
        ({"title": ""}, "title", "string_too_short"),
        ({"title": "   "}, "title", "title_required"),
        ({}, "title", "missing"),
        ({"title": "T", "description": "x" * 20_001}, "description", "string_too_long"),
        (
            {"title": "T", "enrollment_deadline": "2030-01-01T10:00:00"},
            "enrollment_deadline",
            "timezone_aware",
        ),
        (
            {"title": "T", "enrollment_deadline": "demain"},
            "enrollment_deadline",
            "datetime_from_date_parsing",
        ),
        (
            {"title": "T", "course_start_date": "2030-02-01", "course_end_date": "2030-01-01"},
            "course_end_date",
            "end_before_start",
        ),
        ({"title": "T", "max_students": 0}, "max_students", "greater_than_equal"),
        ({"title": "T", "max_students": 100_001}, "max_students", "less_than_equal"),
        ({"title": "T", "course_type": "webinar"}, "course_type", "enum"),
        ({"title": 12}, "title", "string_type"),
    ],
)
def test_bad_course_input_is_400(api: Any, owner: User, body: dict, field: str, code: str) -> None:
    response = api(owner).post("/api/courses", body)
    details = assert_error(response, 400, "validation_error")["error"]["details"]
    assert {"field": field, "code": code} in [
        {"field": d["field"], "code": d["code"]} for d in details
    ]
    assert all(d["message"] for d in details)
    assert not Course.objects.filter(instructor=owner).exists()


def test_a_student_cannot_create_a_course(api: Any, outsider: User) -> None:
    assert_error(api(outsider).post("/api/courses", {"title": "Mon cours"}), 403, "forbidden")
    assert not Course.objects.exists()


def test_same_title_twice_gets_distinct_slugs(api: Any, owner: User) -> None:
    a = api(owner).post("/api/courses", {"title": "Même titre"}).json_body["data"]
    b = api(owner).post("/api/courses", {"title": "Même titre"}).json_body["data"]
    assert a["slug"] == "meme-titre" and b["slug"] == "meme-titre-2"


# --- Enrollment ----------------------------------------------------------------------------


def test_enroll_happy_path(api: Any, course: Course, outsider: User) -> None:
    response = api(outsider).post("/api/enrollments", {"course_id": course.pk})

    assert response.status_code == 201
    data = response.json_body["data"]
    enrollment = enrollment_of(outsider, course)
    assert data["id"] == enrollment.pk and data["course_id"] == course.pk
    assert data["status"] == "enrolled" and data["is_active"] is True
    assert Decimal(data["progress_percentage"]) == 0
    assert data["enrolled_at"].endswith("Z")
    # And the course is now readable.
    lesson = lessons_of(course)[0]
    assert api(outsider).get(f"/api/lessons/{lesson.pk}").status_code == 200


@pytest.mark.parametrize("style", ["seed", "path"])
def test_enroll_twice_is_409(api: Any, course: Course, member: User, style: str) -> None:
    client = api(member)
    if style == "seed":
        response = client.post("/api/enrollments", {"course_id": course.pk})
    else:
        response = client.post(f"/api/courses/{course.pk}/enroll")
    assert_error(response, 409, "already_enrolled")
    assert Enrollment.objects.filter(user=member).count() == 1


def test_enroll_after_the_deadline_is_409(api: Any, owner: User, outsider: User) -> None:
    deadline = timezone.now() + timedelta(days=1)
    course = build_course(owner, enrollment_deadline=deadline)
    client = api(outsider)
    with time_machine.travel(deadline + timedelta(seconds=1)):
        body = assert_error(
            client.post(f"/api/courses/{course.pk}/enroll"), 409, "enrollment_closed"
        )
    assert body["error"]["details"]["enrollment_deadline"]
    assert not Enrollment.objects.filter(course=course).exists()
    with time_machine.travel(deadline - timedelta(seconds=1)):
        assert client.post(f"/api/courses/{course.pk}/enroll").status_code == 201


def test_enroll_into_a_full_course_is_409(api: Any, owner: User, user_factory: Any) -> None:
    course = build_course(owner, max_students=2)
    first, second, third = (user_factory() for _ in range(3))
    assert api(first).post(f"/api/courses/{course.pk}/enroll").status_code == 201
    assert api(second).post(f"/api/courses/{course.pk}/enroll").status_code == 201

    body = assert_error(api(third).post(f"/api/courses/{course.pk}/enroll"), 409, "course_full")

    assert body["error"]["details"] == {"max_students": 2}
    # A seat freed by unenrolling can be taken.
    assert api(first).post(f"/api/courses/{course.pk}/unenroll").status_code == 200
    assert api(third).post(f"/api/courses/{course.pk}/enroll").status_code == 201
    # ... and the one who left cannot come back while it is full.
    assert_error(api(first).post(f"/api/courses/{course.pk}/enroll"), 409, "course_full")


def test_enroll_into_a_draft_or_unknown_course_is_404(
    api: Any, draft_course: Course, outsider: User
) -> None:
    client = api(outsider)
    assert_error(
        client.post("/api/enrollments", {"course_id": draft_course.pk}), 404, "course_not_found"
    )
    assert_error(client.post("/api/enrollments", {"course_id": 987_654}), 404, "course_not_found")
    assert_error(client.post(f"/api/courses/{draft_course.pk}/enroll"), 404, "course_not_found")
    assert_error(client.post("/api/courses/987654/enroll"), 404, "course_not_found")
    assert_error(client.post("/api/enrollments", {"course_id": 2**70}), 404, "course_not_found")
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{bad json", "malformed_body"),
        ('{"course_id": 1', "malformed_body"),
        ('{"course_id": "abc"}', "validation_error"),
        ('{"course_id": [1]}', "validation_error"),
        ('{"course_id": 1.5}', "validation_error"),
        ('{"course_id": 0}', "validation_error"),
        ('{"course_id": -3}', "validation_error"),
        ('{"course_id": null}', "validation_error"),
        ("{}", "validation_error"),
        ("[]", "body_not_object"),
        ('"text"', "body_not_object"),
        ('{"courseid": 1}', "validation_error"),
    ],
)
def test_bad_enroll_bodies_are_400(
    api: Any, course: Course, outsider: User, raw: str, code: str
) -> None:
    response = api(outsider).request("POST", "/api/enrollments", raw=raw)
    body = assert_error(response, 400, code)
    if code == "validation_error":
        assert body["error"]["details"][0]["field"] == "course_id"
    assert not Enrollment.objects.filter(user=outsider).exists()


def test_enroll_body_too_large_is_413_not_500(api: Any, course: Course, outsider: User) -> None:
    raw = json.dumps({"course_id": course.pk, "pad": "x" * (2 * 1024 * 1024)})
    assert_error(
        api(outsider).request("POST", "/api/enrollments", raw=raw), 413, "payload_too_large"
    )


def test_unenroll_ends_access_at_once(api: Any, course: Course, member: User) -> None:
    client = api(member)
    lesson = lessons_of(course)[0]
    quiz = final_of(course)
    assert client.get(f"/api/lessons/{lesson.pk}").status_code == 200

    response = client.post(f"/api/courses/{course.pk}/unenroll")

    assert response.status_code == 200
    assert response.json_body["data"]["is_active"] is False
    assert_error(client.get(f"/api/lessons/{lesson.pk}"), 403, "not_enrolled")
    assert_error(client.post(f"/api/lessons/{lesson.pk}/complete"), 403, "not_enrolled")
    assert_error(client.get(f"/api/quizzes/{quiz.pk}"), 403, "not_enrolled")
    assert_error(
        client.post(f"/api/quizzes/{quiz.pk}/attempts", {"answers": answers(quiz)}),
        403,
        "not_enrolled",
    )
    assert client.get("/api/enrollments/me").json_body["data"] == []
    assert_error(client.post(f"/api/courses/{course.pk}/unenroll"), 409, "not_enrolled")


def test_re_enrolling_keeps_progress(api: Any, course: Course, member: User) -> None:
    client = api(member)
    first = lessons_of(course)[0]
    client.post(f"/api/lessons/{first.pk}/complete")
    before = enrollment_of(member, course)
    client.post(f"/api/courses/{course.pk}/unenroll")

    response = client.post(f"/api/courses/{course.pk}/enroll")

    assert response.status_code == 201
    data = response.json_body["data"]
    assert data["id"] == before.pk and data["is_active"] is True
    assert Decimal(data["progress_percentage"]) == before.progress_percentage == Decimal("20.00")
    assert data["status"] == "in_progress"
    assert client.get(f"/api/lessons/{first.pk}").json_body["data"]["is_completed"] is True


def test_my_enrollments_lists_active_ones_with_their_course(
    api: Any, course: Course, member: User, owner: User, user_factory: Any
) -> None:
    other = build_course(owner, title="Deuxième", modules=0, with_final=False)
    left = build_course(owner, title="Quitté", modules=0, with_final=False)
    services.enrollment_create(actor=member, course=other)
    services.enrollment_create(actor=member, course=left)
    services.enrollment_deactivate(actor=member, course=left)
    services.enrollment_create(actor=user_factory(), course=other)

    body = api(member).get("/api/enrollments/me").json_body

    assert body["pagination"] == {"page": 1, "limit": 20, "total": 2}
    assert [e["course"]["id"] for e in body["data"]] == [other.pk, course.pk]
    assert [e["course"]["enrolled_count"] for e in body["data"]] == [2, 1]
    assert body["data"][0]["course"]["instructor"]["full_name"] == "Awa Formatrice"


# --- Lessons and progress ---------------------------------------------------------------


def test_lesson_detail_for_a_member(api: Any, course: Course, member: User) -> None:
    lesson = lessons_of(course)[0]
    data = api(member).get(f"/api/lessons/{lesson.pk}").json_body["data"]
    assert data["id"] == lesson.pk and data["course_id"] == course.pk
    assert data["body"] == "Texte de la leçon." and data["is_completed"] is False


def test_completing_a_lesson_is_idempotent(api: Any, course: Course, member: User) -> None:
    client = api(member)
    lesson = lessons_of(course)[0]

    first = client.post(f"/api/lessons/{lesson.pk}/complete")
    second = client.post(f"/api/lessons/{lesson.pk}/complete")

    assert first.status_code == second.status_code == 200
    assert first.json_body["data"] == second.json_body["data"]
    assert first.json_body["data"]["lesson_id"] == lesson.pk
    assert LessonCompletion.objects.filter(lesson=lesson).count() == 1


def test_lesson_complete_sends_what_the_document_says(course: Course, member: User) -> None:
    """The document once showed the study plan's {done, total, percent} here (two
    schemas shared a name): the body sent, {enrollment, lesson_id}, must match it."""
    lesson = lessons_of(course)[0]
    token, _ = token_issue(user=member)
    response = call_conforming(
        "POST",
        "/api/lessons/{lesson_id}/complete",
        token=token,
        path_parameters={"lesson_id": lesson.pk},
    )
    data = response.json()["data"]
    assert data["lesson_id"] == lesson.pk
    assert data["enrollment"]["course_id"] == course.pk


def test_progress_math(api: Any, course: Course, member: User) -> None:
    """4 required lessons + the final evaluation = 5 units of 20 %."""
    client = api(member)
    seen = []
    for lesson in lessons_of(course):
        data = client.post(f"/api/lessons/{lesson.pk}/complete").json_body["data"]["enrollment"]
        seen.append((Decimal(data["progress_percentage"]), data["status"]))
    assert seen == [
        (Decimal("20.00"), "in_progress"),
        (Decimal("40.00"), "in_progress"),
        (Decimal("60.00"), "in_progress"),
        (Decimal("80.00"), "in_progress"),
    ]


def test_optional_lessons_do_not_count(api: Any, course: Course, member: User) -> None:
    optional, *required = lessons_of(course)
    services.lesson_update(actor=course.instructor, lesson=optional, is_required=False)
    client = api(member)
    data = client.post(f"/api/lessons/{optional.pk}/complete").json_body["data"]["enrollment"]
    assert Decimal(data["progress_percentage"]) == 0 and data["status"] == "enrolled"
    data = client.post(f"/api/lessons/{required[0].pk}/complete").json_body["data"]["enrollment"]
    assert Decimal(data["progress_percentage"]) == Decimal("25.00")  # 1 of 3 lessons + final


def test_progress_is_per_student(api: Any, course: Course, member: User, user_factory: Any) -> None:
    """Other students' completions must not dilute mine."""
    others = [user_factory() for _ in range(3)]
    for other in others:
        services.enrollment_create(actor=other, course=course)
        for lesson in lessons_of(course):
            api(other).post(f"/api/lessons/{lesson.pk}/complete")

    data = api(member).post(f"/api/lessons/{lessons_of(course)[0].pk}/complete").json_body["data"]

    assert Decimal(data["enrollment"]["progress_percentage"]) == Decimal("20.00")
    for lesson in lessons_of(course)[1:]:
        api(member).post(f"/api/lessons/{lesson.pk}/complete")
    final = final_of(course)
    api(member).post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})
    assert enrollment_of(member, course).status == "completed"


def test_completing_a_lesson_outside_ones_courses_is_403_and_writes_nothing(
    api: Any, course: Course, outsider: User, owner: User
) -> None:
    lesson = lessons_of(course)[0]
    assert_error(api(outsider).post(f"/api/lessons/{lesson.pk}/complete"), 403, "not_enrolled")
    assert_error(api(owner).post(f"/api/lessons/{lesson.pk}/complete"), 403, "not_enrolled")
    assert not LessonCompletion.objects.exists()
    assert not Enrollment.objects.filter(user__in=[outsider, owner]).exists()


def test_completing_an_unknown_lesson_is_404(api: Any, member: User) -> None:
    assert_error(api(member).post("/api/lessons/987654/complete"), 404, "lesson_not_found")


# --- Quizzes -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "owner", "admin"])
def test_quiz_questions_never_carry_the_answers(
    api: Any, course: Course, actors: dict, who: str
) -> None:
    quiz = final_of(course)
    response = api(actors[who]).get(f"/api/quizzes/{quiz.pk}")

    assert response.status_code == 200
    data = response.json_body["data"]
    assert data["is_final"] is True and data["attempts_used"] == 0
    [question] = data["questions"]
    assert set(question) == {"id", "text", "choices", "points"}
    assert question["choices"] == ["Cotonou", "Porto-Novo"]
    assert "correct" not in response.content.decode()


def _three_question_quiz(course: Course, **fields: Any) -> Quiz:
    owner = course.instructor
    quiz = services.quiz_create(
        actor=owner,
        course=course,
        module=course.modules.create(title="Extra", position=9),
        title="Trois questions",
        passing_score=60,
        **fields,
    )
    for n in range(3):
        services.question_create(
            actor=owner, quiz=quiz, text=f"Q{n}", choices=["a", "b", "c"], correct_choices=[0, 2]
        )
    return quiz


@pytest.mark.parametrize(
    ("chosen", "score", "passed"),
    [
        ([[0, 2], [0, 2], [0, 2]], "100.00", True),
        ([[2, 0], [0, 2], [0]], "66.67", True),
        ([[0, 2], [0], [1]], "33.33", False),
        ([[0, 1, 2], [], [2]], "0.00", False),
        ([[0, 2, 2, 0], [0, 2], []], "66.67", True),
    ],
)
def test_attempt_grading(
    api: Any, course: Course, member: User, chosen: list, score: str, passed: bool
) -> None:
    quiz = _three_question_quiz(course)
    ids = list(quiz.questions.values_list("pk", flat=True))
    body = {"answers": {str(q): c for q, c in zip(ids, chosen, strict=True)}}

    response = api(member).post(f"/api/quizzes/{quiz.pk}/attempts", body)

    assert response.status_code == 201, response.content
    data = response.json_body["data"]
    assert Decimal(data["score"]) == Decimal(score)
    assert data["passed"] is passed and data["attempt_number"] == 1 and data["quiz_id"] == quiz.pk
    attempt = QuizAttempt.objects.get(pk=data["id"])
    assert attempt.answers == {str(q): sorted(set(c)) for q, c in zip(ids, chosen, strict=True)}


def test_empty_answers_are_allowed_and_score_zero(api: Any, course: Course, member: User) -> None:
    final = final_of(course)
    response = api(member).post(f"/api/quizzes/{final.pk}/attempts", {"answers": {}})
    assert response.status_code == 201
    assert Decimal(response.json_body["data"]["score"]) == 0
    assert response.json_body["data"]["passed"] is False


def test_max_attempts(api: Any, course: Course, member: User) -> None:
    final = final_of(course)  # max_attempts=3
    client = api(member)
    numbers = [
        client.post(
            f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final, right=False)}
        ).json_body["data"]["attempt_number"]
        for _ in range(3)
    ]
    assert numbers == [1, 2, 3]

    response = client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})

    body = assert_error(response, 409, "no_attempts_left")
    assert body["error"]["details"] == {"max_attempts": 3}
    assert QuizAttempt.objects.filter(quiz=final).count() == 3
    assert client.get(f"/api/quizzes/{final.pk}").json_body["data"]["attempts_used"] == 3


def test_quiz_past_its_due_date_is_closed(api: Any, course: Course, member: User) -> None:
    due = timezone.now() + timedelta(days=1)
    final = final_of(course)
    services.quiz_update(actor=course.instructor, quiz=final, due_at=due)
    client = api(member)
    with time_machine.travel(due + timedelta(seconds=1)):
        response = client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})
        assert_error(response, 409, "quiz_closed")
    assert not QuizAttempt.objects.exists()
    with time_machine.travel(due - timedelta(seconds=1)):
        response = client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})
        assert response.status_code == 201


@pytest.mark.parametrize(
    ("make_answers", "code"),
    [
        (lambda q, other: {"987654": [0]}, "unknown_question"),
        (lambda q, other: {str(other.pk): [0]}, "unknown_question"),
        (lambda q, other: {"abc": [0]}, "unknown_question"),
        (lambda q, other: {str(q.pk): [2]}, "unknown_choice"),
        (lambda q, other: {str(q.pk): [-1]}, "unknown_choice"),
        (lambda q, other: {str(q.pk): [10**30]}, "unknown_choice"),
        (lambda q, other: {str(q.pk): "1"}, "list_type"),
        (lambda q, other: {str(q.pk): ["x"]}, "int_parsing"),
        (lambda q, other: [1], "dict_type"),
        (lambda q, other: None, "dict_type"),
        (lambda q, other: {str(n): [0] for n in range(201)}, "too_long"),
    ],
    ids=[
        "unknown question id",
        "question of another quiz",
        "non-numeric question id",
        "choice out of range",
        "negative choice",
        "huge choice",
        "choices not a list",
        "choice not an int",
        "answers a list",
        "answers null",
        "too many answers",
    ],
)
def test_bad_answers_are_400_and_write_nothing(
    api: Any, course: Course, member: User, make_answers: Any, code: str
) -> None:
    final = final_of(course)
    question = final.questions.get()
    other_quiz_question = Question.objects.exclude(quiz=final).first()
    before = enrollment_of(member, course).progress_percentage

    response = api(member).post(
        f"/api/quizzes/{final.pk}/attempts",
        {"answers": make_answers(question, other_quiz_question)},
    )

    details = assert_error(response, 400, "validation_error")["error"]["details"]
    assert details[0]["field"].startswith("answers") and details[0]["code"] == code, details
    assert details[0]["message"]
    assert not QuizAttempt.objects.exists()
    assert enrollment_of(member, course).progress_percentage == before


def test_attempt_without_answers_key_is_400(api: Any, course: Course, member: User) -> None:
    response = api(member).post(f"/api/quizzes/{final_of(course).pk}/attempts", {})
    details = assert_error(response, 400, "validation_error")["error"]["details"]
    assert details[0]["field"] == "answers"


def test_a_quiz_without_questions_cannot_be_submitted(
    api: Any, course: Course, member: User
) -> None:
    module = course.modules.create(title="Vide", position=5)
    quiz = services.quiz_create(actor=course.instructor, course=course, module=module, title="Vide")
    assert_error(
        api(member).post(f"/api/quizzes/{quiz.pk}/attempts", {"answers": {}}), 409, "quiz_empty"
    )


# --- Completion -----------------------------------------------------------------------------


def _complete_all_lessons(client: Any, course: Course) -> dict:
    data: dict = {}
    for lesson in lessons_of(course):
        data = client.post(f"/api/lessons/{lesson.pk}/complete").json_body["data"]["enrollment"]
    return data


def test_completion_needs_every_required_lesson_and_the_final(
    api: Any, course: Course, member: User
) -> None:
    client = api(member)
    final = final_of(course)

    data = _complete_all_lessons(client, course)
    assert data["status"] == "in_progress" and Decimal(data["progress_percentage"]) == 80

    failed = client.post(
        f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final, right=False)}
    )
    assert failed.json_body["data"]["passed"] is False
    assert failed.json_body["data"]["enrollment"]["status"] == "in_progress"

    passed = client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})
    data = passed.json_body["data"]["enrollment"]
    assert data["status"] == "completed" and Decimal(data["progress_percentage"]) == 100
    assert data["completed_at"] is not None


def test_passing_the_final_first_is_not_completion(api: Any, course: Course, member: User) -> None:
    client = api(member)
    final = final_of(course)
    data = client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)}).json_body
    assert data["data"]["enrollment"]["status"] == "in_progress"
    assert Decimal(data["data"]["enrollment"]["progress_percentage"]) == 20
    *rest, last = lessons_of(course)
    for lesson in rest:
        client.post(f"/api/lessons/{lesson.pk}/complete")
    assert enrollment_of(member, course).status == "in_progress"
    client.post(f"/api/lessons/{last.pk}/complete")
    assert enrollment_of(member, course).status == "completed"


def test_module_quizzes_do_not_gate_completion(api: Any, course: Course, member: User) -> None:
    client = api(member)
    final = final_of(course)
    _complete_all_lessons(client, course)
    client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})
    assert enrollment_of(member, course).status == "completed"
    assert not QuizAttempt.objects.filter(quiz__module__isnull=False).exists()


def test_a_course_without_final_completes_with_its_lessons(
    api: Any, owner: User, outsider: User
) -> None:
    course = build_course(owner, with_final=False)
    client = api(outsider)
    client.post(f"/api/courses/{course.pk}/enroll")
    data = _complete_all_lessons(client, course)
    assert data["status"] == "completed" and Decimal(data["progress_percentage"]) == 100


def test_progress_never_goes_backwards_after_completion(
    api: Any, course: Course, member: User
) -> None:
    client = api(member)
    final = final_of(course)
    _complete_all_lessons(client, course)
    client.post(f"/api/quizzes/{final.pk}/attempts", {"answers": answers(final)})
    completed_at = enrollment_of(member, course).completed_at

    module = course.modules.first()
    new = services.lesson_create(actor=course.instructor, module=module, title="Ajout")  # type: ignore[arg-type]

    [row] = client.get("/api/enrollments/me").json_body["data"]
    assert row["status"] == "completed" and Decimal(row["progress_percentage"]) == 100
    # Doing something after the addition does not reopen it either.
    data = client.post(f"/api/lessons/{lessons_of(course)[0].pk}/complete").json_body["data"]
    assert data["enrollment"]["status"] == "completed"
    assert Decimal(data["enrollment"]["progress_percentage"]) == 100
    data = client.post(f"/api/lessons/{new.pk}/complete").json_body["data"]
    assert data["enrollment"]["status"] == "completed"
    assert enrollment_of(member, course).completed_at == completed_at


def test_progress_does_not_drop_when_lessons_are_added(
    api: Any, course: Course, member: User
) -> None:
    client = api(member)
    first, second, third, _fourth = lessons_of(course)
    client.post(f"/api/lessons/{first.pk}/complete")
    client.post(f"/api/lessons/{second.pk}/complete")
    assert enrollment_of(member, course).progress_percentage == Decimal("40.00")
    module = course.modules.first()
    for n in range(6):
        services.lesson_create(actor=course.instructor, module=module, title=f"Ajout {n}")  # type: ignore[arg-type]

    data = client.post(f"/api/lessons/{third.pk}/complete").json_body["data"]["enrollment"]

    # 3 of 11 units would be 27.27 %: the percentage shown does not go down.
    assert Decimal(data["progress_percentage"]) == Decimal("40.00")
    assert data["status"] == "in_progress"


# --- Identity is the server's ---------------------------------------------------------------


def test_user_id_in_an_enroll_body_is_ignored(
    api: Any, course: Course, outsider: User, user_factory: Any
) -> None:
    victim = user_factory(Role.STUDENT)
    response = api(outsider).post(
        "/api/enrollments", {"course_id": course.pk, "user_id": victim.pk}
    )
    assert response.status_code == 201
    assert Enrollment.objects.filter(user=outsider, course=course).exists()
    assert not Enrollment.objects.filter(user=victim).exists()


# --- Service guards the pages rely on too --------------------------------------------------


def test_course_services_bound_the_description(owner: User, course: Course) -> None:
    from campus.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as raised:
        services.course_create(actor=owner, title="T", description="x" * 20_001)
    assert raised.value.details[0]["field"] == "description"
    with pytest.raises(ValidationFailed):
        services.course_update(actor=owner, course=course, description="x" * 20_001)
    course.refresh_from_db()
    assert course.description == "Un cours."


def test_an_admin_cannot_make_a_student_the_instructor(admin_user: User, outsider: User) -> None:
    from campus.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as raised:
        services.course_create(actor=admin_user, title="T", instructor=outsider)
    assert raised.value.details[0]["code"] == "not_instructor"
    assert not Course.objects.exists()
